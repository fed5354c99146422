/**
 * float64 reference for Attention (ONNX opset 23/24 semantics), written from the definition:
 * scores s = (q·k)·scale, softcap·tanh(s/softcap), then the bias (float mask added; bool mask,
 * causal frontier, nonpad length and keys past a short mask give -inf), softmax over keys (a row
 * with every key masked gives 0), Y = P·V. Also returns the per-element error bounds the kernel's
 * float32 arithmetic allows (see tolerance()).
 */
export interface AttnInput {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  qShape: number[];
  kShape: number[];
  vShape: number[];
  qNumHeads?: number;
  kvNumHeads?: number;
  mask?: { data: Float32Array | Uint8Array; shape: number[]; bool: boolean };
  nonpad?: BigInt64Array;
  scale?: number;
  softcap?: number;
  isCausal?: boolean;
  causalOffset?: number;
  qkMode?: 0 | 1 | 2 | 3;
}

export interface AttnRef {
  y: Float64Array;
  yShape: number[];
  qk?: Float64Array;
  /** Absolute error bound per element of y and of qk. */
  yTol: Float64Array;
  qkTol?: Float64Array;
}

const U = 2 ** -24;

interface View {
  B: number;
  H: number;
  S: number;
  D: number;
  at: (b: number, h: number, s: number, d: number) => number;
}

function view(data: Float32Array, shape: number[], heads: number | undefined): View {
  if (shape.length === 4) {
    const [B, H, S, D] = shape as [number, number, number, number];
    return { B, H, S, D, at: (b, h, s, d) => data[((b * H + h) * S + s) * D + d]! };
  }
  const [B, S, HD] = shape as [number, number, number];
  const H = heads!;
  const D = HD / H;
  return { B, H, S, D, at: (b, h, s, d) => data[(b * S + s) * HD + h * D + d]! };
}

export function refAttention(a: AttnInput): AttnRef {
  const Q = view(a.q, a.qShape, a.qNumHeads);
  const K = view(a.k, a.kShape, a.kvNumHeads);
  const V = view(a.v, a.vShape, a.kvNumHeads);
  const { B, H: Hq, S: Sq, D: Dk } = Q;
  const { H: Hkv, S: Skv } = K;
  const Dv = V.D;
  const group = Hq / Hkv;
  const scale = a.scale ?? 1 / Math.sqrt(Dk);
  const softcap = a.softcap ?? 0;
  const three = a.qShape.length === 3;
  const yShape = three ? [B, Sq, Hq * Dv] : [B, Hq, Sq, Dv];
  const y = new Float64Array(B * Hq * Sq * Dv);
  const yTol = new Float64Array(y.length);
  const qk = a.qkMode !== undefined ? new Float64Array(B * Hq * Sq * Skv) : undefined;
  const qkTol = qk ? new Float64Array(qk.length) : undefined;
  const m = a.mask;
  const mr = m ? m.shape.length : 0;
  const mfull = m ? [1, 1, 1, 1].map((_, i) => (i < 4 - mr ? 1 : m.shape[i - (4 - mr)]!)) : [1, 1, 1, Skv];
  const maskAt = (b: number, h: number, i: number, j: number): number => {
    if (!m) return 0;
    const [mb, mh, ms, mw] = mfull as [number, number, number, number];
    if (j >= mw) return -Infinity;
    const idx = (((mb === 1 ? 0 : b) * mh + (mh === 1 ? 0 : h)) * ms + (ms === 1 ? 0 : i)) * mw + j;
    return m.bool ? (m.data[idx] ? 0 : -Infinity) : m.data[idx]!;
  };
  for (let b = 0; b < B; b++) {
    const np = a.nonpad ? Number(a.nonpad[b]) : Skv;
    const offset = a.causalOffset ?? (a.nonpad ? np - Sq : 0);
    for (let h = 0; h < Hq; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < Sq; i++) {
        const s = new Float64Array(Skv);
        const sErr = new Float64Array(Skv);
        const r = (b * Hq + h) * Sq + i;
        for (let j = 0; j < Skv; j++) {
          let dot = 0;
          let mag = 0;
          for (let d = 0; d < Dk; d++) {
            const t = Q.at(b, h, i, d) * K.at(b, kh, j, d);
            dot += t;
            mag += Math.abs(t);
          }
          // float32 dot product over Dk terms (4 lanes, then the lanes): ≤ (Dk + 2)·U·Σ|q·k|, the
          // scale multiply one more rounding
          let v = dot * scale;
          let e = (Dk + 3) * U * mag * Math.abs(scale);
          if (qk && a.qkMode === 0) qk[r * Skv + j] = v;
          if (softcap > 0) {
            const t = Math.tanh(v / softcap);
            // tanh has slope ≤ 1 (the error passes through) plus ~1.25 ulp, the divide and multiply round
            v = softcap * t;
            e = e + 4 * U * Math.abs(v);
          }
          if (qk && a.qkMode === 1) qk[r * Skv + j] = v;
          let bias = maskAt(b, h, i, j);
          if (j >= np) bias = -Infinity;
          if (a.isCausal && j > i + offset) bias = -Infinity;
          v = v + bias;
          if (Number.isFinite(bias) && bias !== 0) e += U * Math.abs(v);
          s[j] = v;
          sErr[j] = e;
          if (qk && a.qkMode === 2) qk[r * Skv + j] = v;
          if (qkTol && a.qkMode !== 3) qkTol[r * Skv + j] = e;
        }
        let mx = -Infinity;
        for (let j = 0; j < Skv; j++) mx = Number.isNaN(s[j]!) || Number.isNaN(mx) ? NaN : Math.max(mx, s[j]!);
        const p = new Float64Array(Skv);
        let l = 0;
        let es = 0;
        for (let j = 0; j < Skv; j++) {
          p[j] = s[j] === -Infinity ? 0 : Math.exp(s[j]! - mx);
          l += p[j]!;
          if (s[j] !== -Infinity) es = Math.max(es, sErr[j]!);
        }
        const allMasked = l === 0;
        for (let j = 0; j < Skv; j++) p[j] = allMasked ? 0 : p[j]! / l;
        // a probability carries its score's error and the normaliser's (2·es), plus exp's and the
        // online rescales' roundings (≤ one per key) and the sum's
        const rel = 2 * es + (4 * Skv + 10) * U;
        if (qk && a.qkMode === 3) {
          for (let j = 0; j < Skv; j++) {
            qk[r * Skv + j] = p[j]!;
            qkTol![r * Skv + j] = p[j]! * rel;
          }
        }
        for (let d = 0; d < Dv; d++) {
          let acc = 0;
          let mag = 0;
          for (let j = 0; j < Skv; j++) {
            const t = p[j]! * V.at(b, kh, j, d);
            acc += t;
            mag += Math.abs(t);
          }
          const yi = three ? (b * Sq + i) * Hq * Dv + h * Dv + d : r * Dv + d;
          y[yi] = allMasked ? 0 : acc;
          yTol[yi] = mag * (rel + (Skv + Dv + 4) * U);
        }
      }
    }
  }
  return { y, yShape, qk, yTol, qkTol };
}
