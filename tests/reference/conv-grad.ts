/**
 * float64 filter gradient of a channels-last convolution, from its definition (independent of the
 * twinops contract): for output channel m of group g = ⌊m / Mg⌋ and filter input channel ci,
 *   dW[k..., ci, m] = Σ_n Σ_p x[n, p·s − pb + k·d, g·Cg + ci] · dy[n, p, m]
 * over output pixels p (out of range taps contribute nothing). Filters are HWIO [k..., Cg, M], or
 * HWIM [k..., C, mult] for depthwise (g = c, M = C·mult, m = c·mult + j).
 */
export interface RefConvGrad {
  /** x [N, in..., C] */
  xShape: number[];
  /** kernel spatial dims */
  k: number[];
  s: number[];
  d: number[];
  /** leading pads per spatial dim */
  pb: number[];
  /** output spatial dims */
  out: number[];
  /** output channels M and groups G (Cg = C / G, Mg = M / G) */
  M: number;
  G: number;
}

function* box(dims: readonly number[]): Generator<number[]> {
  const total = dims.reduce((a, b) => a * b, 1);
  for (let f = 0; f < total; f++) {
    const idx: number[] = [];
    let rem = f;
    for (let i = dims.length - 1; i >= 0; i--) {
      idx.unshift(rem % dims[i]!);
      rem = Math.floor(rem / dims[i]!);
    }
    yield idx;
  }
}

const flat = (idx: readonly number[], dims: readonly number[]) => idx.reduce((a, v, i) => a * dims[i]! + v, 0);

/** dW in [k..., Cg, M] order (the HWIO order; for depthwise the same numbers as HWIM [k..., C, mult]). */
export function refConvBackpropFilter(x: ArrayLike<number>, dy: ArrayLike<number>, g: RefConvGrad): Float64Array {
  const N = g.xShape[0]!;
  const C = g.xShape[g.xShape.length - 1]!;
  const ins = g.xShape.slice(1, -1);
  const Cg = C / g.G;
  const Mg = g.M / g.G;
  const S = ins.reduce((a, b) => a * b, 1);
  const P = g.out.reduce((a, b) => a * b, 1);
  const T = g.k.reduce((a, b) => a * b, 1);
  const dW = new Float64Array(T * Cg * g.M);
  for (const kk of box(g.k)) {
    const t = flat(kk, g.k);
    for (const pp of box(g.out)) {
      const pos = pp.map((v, i) => v * g.s[i]! - g.pb[i]! + kk[i]! * g.d[i]!);
      if (pos.some((v, i) => v < 0 || v >= ins[i]!)) continue;
      const sp = flat(pos, ins);
      const p = flat(pp, g.out);
      for (let n = 0; n < N; n++) {
        for (let m = 0; m < g.M; m++) {
          const grp = Math.floor(m / Mg);
          const dv = dy[(n * P + p) * g.M + m]!;
          for (let ci = 0; ci < Cg; ci++) {
            const at = (t * Cg + ci) * g.M + m;
            dW[at] = dW[at]! + x[(n * S + sp) * C + grp * Cg + ci]! * dv;
          }
        }
      }
    }
  }
  return dW;
}
