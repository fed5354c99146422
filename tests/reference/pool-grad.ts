/**
 * float64 pooling gradients and argmax, channels last ([N, spatial..., C], 1 to 3 spatial dims),
 * written from the definitions (TensorFlow's MaxPoolGrad / AvgPoolGrad / MaxPoolWithArgmax),
 * independent of the twinops contract. The geometry is explicit: kernel k, strides s, dilations d,
 * pads [begin..., end...] and output sizes `out` per spatial dim; window o along a dim covers input
 * positions o·s − pb + j·d for j < k, those inside [0, n) being its taps.
 *  - argmax: the first tap (row-major over the window) greater than all earlier ones; with
 *    propagating NaN the first NaN tap instead; -1 when none;
 *  - MaxPoolGrad: dx[argmax] += dy per window;
 *  - AvgPoolGrad: each tap of window o gets dy[o] / count, count = Π over dims of the window clipped
 *    to the padded input (countIncludePad) or its taps.
 */
export interface RefWindow {
  k: number[];
  s: number[];
  d?: number[];
  pads: number[];
  out: number[];
}

function geometry(shape: readonly number[], w: RefWindow) {
  const N = shape[0]!;
  const C = shape[shape.length - 1]!;
  const ins = shape.slice(1, -1);
  const r = ins.length;
  const S = ins.reduce((a, b) => a * b, 1);
  const O = w.out.reduce((a, b) => a * b, 1);
  return { N, C, ins, r, S, O, d: w.d ?? w.k.map(() => 1) };
}

/** Row-major multi-indices of `dims`. */
function* indices(dims: readonly number[]): Generator<number[]> {
  const total = dims.reduce((a, b) => a * b, 1);
  for (let f = 0; f < total; f++) {
    const idx = new Array<number>(dims.length);
    let rem = f;
    for (let i = dims.length - 1; i >= 0; i--) {
      idx[i] = rem % dims[i]!;
      rem = Math.floor(rem / dims[i]!);
    }
    yield idx;
  }
}

const flat = (idx: readonly number[], dims: readonly number[]) => idx.reduce((a, v, i) => a * dims[i]! + v, 0);

/** Per output element ([N, out..., C] order): the argmax's flat spatial index (·C + c), or -1. */
export function refArgmax(x: ArrayLike<number>, shape: readonly number[], w: RefWindow, ignoreNaN: boolean): { values: Float64Array; index: Int32Array } {
  const { N, C, ins, r, S, O, d } = geometry(shape, w);
  const values = new Float64Array(N * O * C);
  const index = new Int32Array(N * O * C);
  for (let n = 0; n < N; n++) {
    let o = 0;
    for (const oi of indices(w.out)) {
      for (let c = 0; c < C; c++) {
        let best = -Infinity;
        let at = -1;
        for (const ki of indices(w.k)) {
          const pos = oi.map((v, i) => v * w.s[i]! - w.pads[i]! + ki[i]! * d[i]!);
          if (pos.some((p, i) => p < 0 || p >= ins[i]!)) continue;
          const sp = flat(pos, ins);
          const v = x[(n * S + sp) * C + c]!;
          const nanFirst = !ignoreNaN && Number.isNaN(v) && !Number.isNaN(best);
          if (v > best || nanFirst) {
            best = v;
            at = sp * C + c;
          }
        }
        values[(n * O + o) * C + c] = best;
        index[(n * O + o) * C + c] = at;
      }
      o++;
    }
  }
  void r;
  return { values, index };
}

export function refMaxPoolGrad(dy: ArrayLike<number>, x: ArrayLike<number>, shape: readonly number[], w: RefWindow, ignoreNaN: boolean): Float64Array {
  const { N, C, S, O } = geometry(shape, w);
  const { index } = refArgmax(x, shape, w, ignoreNaN);
  const dx = new Float64Array(N * S * C);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < O * C; j++) {
      const at = index[n * O * C + j]!;
      if (at >= 0) dx[n * S * C + at] = dx[n * S * C + at]! + dy[n * O * C + j]!;
    }
  }
  return dx;
}

export function refAvgPoolGrad(dy: ArrayLike<number>, shape: readonly number[], w: RefWindow, countIncludePad: boolean): Float64Array {
  const { N, C, ins, r, S, O } = geometry(shape, w);
  const dx = new Float64Array(N * S * C);
  for (let n = 0; n < N; n++) {
    let o = 0;
    for (const oi of indices(w.out)) {
      let count = 1;
      for (let i = 0; i < r; i++) {
        const st = oi[i]! * w.s[i]! - w.pads[i]!;
        count *= countIncludePad ? Math.min(st + w.k[i]!, ins[i]! + w.pads[i + r]!) - st : Math.min(st + w.k[i]!, ins[i]!) - Math.max(st, 0);
      }
      for (const ki of indices(w.k)) {
        const pos = oi.map((v, i) => v * w.s[i]! - w.pads[i]! + ki[i]!);
        if (pos.some((p, i) => p < 0 || p >= ins[i]!)) continue;
        const sp = flat(pos, ins);
        for (let c = 0; c < C; c++) {
          const at = (n * S + sp) * C + c;
          dx[at] = dx[at]! + dy[(n * O + o) * C + c]! / count;
        }
      }
      o++;
    }
  }
  return dx;
}

/** float64 forward average over each window's taps (no padding counted); an empty window gives NaN, or 0 with emptyZero. */
export function refAvgPool(x: ArrayLike<number>, shape: readonly number[], w: RefWindow, emptyZero: boolean): Float64Array {
  const { N, C, ins, S, O } = geometry(shape, w);
  const y = new Float64Array(N * O * C);
  for (let n = 0; n < N; n++) {
    let o = 0;
    for (const oi of indices(w.out)) {
      for (let c = 0; c < C; c++) {
        let sum = 0;
        let count = 0;
        for (const ki of indices(w.k)) {
          const pos = oi.map((v, i) => v * w.s[i]! - w.pads[i]! + ki[i]!);
          if (pos.some((p, i) => p < 0 || p >= ins[i]!)) continue;
          sum += x[(n * S + flat(pos, ins)) * C + c]!;
          count++;
        }
        y[(n * O + o) * C + c] = count === 0 ? (emptyZero ? 0 : NaN) : sum / count;
      }
      o++;
    }
  }
  return y;
}
