/**
 * float64 reference for LinearAttention, step by step from the definition (S per (b, kv head);
 * gate S *= e^g, delta u = β(v − Sᵀ(k ⊙ erase)), write S += k ⊗ u, read y = scale·Sᵀq), with an
 * error bound per output element: each step's float32 roundings are relative to the magnitudes
 * flowing through it, so the bound carries, per state element, the running sum of |terms| times
 * (Dk + 6)·U per step (the delta retrieval sums Dk products; the gate, write and read one or two
 * roundings each), and a read sums Dk products of that.
 */
const U = 2 ** -24;

export interface LaInput {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  Dk: number;
  Dv: number;
  past?: Float32Array;
  decay?: { data: Float32Array; perDim: boolean };
  beta?: { data: Float32Array; w: number };
  erase?: Float32Array;
  scale?: number;
}

export function refLinearAttention(a: LaInput): { y: Float64Array; state: Float64Array; yTol: Float64Array; stateTol: Float64Array } {
  const { B, T, Hq, Hkv, Dk, Dv } = a;
  const group = Hq / Hkv;
  const scale = a.scale === undefined || a.scale === 0 ? (Dk === 0 ? 1 : 1 / Math.sqrt(Dk)) : a.scale;
  const y = new Float64Array(B * T * Hq * Dv);
  const yTol = new Float64Array(y.length);
  const state = new Float64Array(B * Hkv * Dk * Dv);
  const err = new Float64Array(state.length);
  for (let b = 0; b < B; b++) {
    for (let kh = 0; kh < Hkv; kh++) {
      const so = (b * Hkv + kh) * Dk * Dv;
      const S = (d: number, m: number) => so + d * Dv + m;
      for (let i = 0; i < Dk * Dv; i++) state[so + i] = a.past ? a.past[so + i]! : 0;
      for (let t = 0; t < T; t++) {
        const bt = b * T + t;
        const kAt = (d: number) => a.k[(bt * Hkv + kh) * Dk + d]!;
        if (a.decay) {
          for (let d = 0; d < Dk; d++) {
            const g = a.decay.perDim ? a.decay.data[(bt * Hkv + kh) * Dk + d]! : a.decay.data[bt * Hkv + kh]!;
            const e = Math.exp(g);
            for (let m = 0; m < Dv; m++) {
              state[S(d, m)]! *= e;
              err[S(d, m)] = err[S(d, m)]! * e + 3 * U * Math.abs(state[S(d, m)]!) * (1 + Math.abs(g));
            }
          }
        }
        const u = new Float64Array(Dv);
        const uErr = new Float64Array(Dv);
        for (let m = 0; m < Dv; m++) u[m] = a.v[(bt * Hkv + kh) * Dv + m]!;
        if (a.beta) {
          const beta = a.beta.data[bt * a.beta.w + (a.beta.w === 1 ? 0 : kh)]!;
          for (let m = 0; m < Dv; m++) {
            let r = 0;
            let mag = 0;
            let e = 0;
            for (let d = 0; d < Dk; d++) {
              const ke = kAt(d) * (a.erase ? a.erase[(bt * Hkv + kh) * Dk + d]! : 1);
              r += state[S(d, m)]! * ke;
              mag += Math.abs(state[S(d, m)]! * ke);
              e += err[S(d, m)]! * Math.abs(ke);
            }
            const v = u[m]!;
            u[m] = beta * (v - r);
            uErr[m] = Math.abs(beta) * (e + (Dk + 3) * U * (mag + Math.abs(v)));
          }
        }
        for (let d = 0; d < Dk; d++) {
          for (let m = 0; m < Dv; m++) {
            const t2 = kAt(d) * u[m]!;
            state[S(d, m)]! += t2;
            err[S(d, m)] = err[S(d, m)]! + Math.abs(kAt(d)) * uErr[m]! + 2 * U * (Math.abs(state[S(d, m)]!) + Math.abs(t2));
          }
        }
        for (let g = 0; g < group; g++) {
          const h = kh * group + g;
          for (let m = 0; m < Dv; m++) {
            let acc = 0;
            let mag = 0;
            let e = 0;
            for (let d = 0; d < Dk; d++) {
              const qd = a.q[(bt * Hq + h) * Dk + d]!;
              acc += qd * state[S(d, m)]!;
              mag += Math.abs(qd * state[S(d, m)]!);
              e += Math.abs(qd) * err[S(d, m)]!;
            }
            const i = (bt * Hq + h) * Dv + m;
            y[i] = scale * acc;
            yTol[i] = Math.abs(scale) * (e + (Dk + 3) * U * mag);
          }
        }
      }
    }
  }
  return { y, state, yTol, stateTol: err };
}
