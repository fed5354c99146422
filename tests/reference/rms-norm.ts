/**
 * float64 references for the `rms-norm` family's ops, from their definitions, each with the
 * per-element error bound the float32 kernels allow (U = 2^-24, n = the row length):
 *  - RMSNormalization y = x / sqrt(Σx²/n + eps) · scale: the float32 sum of squares is within
 *    (n + 2)·U relative (all terms ≥ 0), sqrt halves that, then ~5 roundings (divides, sqrt, the
 *    two multiplies);
 *  - NormMoments: mean within (n + 2)·U·Σ|x|/n; the variance's terms carry the mean's error twice
 *    over, so inv within ((n + 4)·U + 2·|δmean|·Σ|x − mean|/Σ(x − mean)²)/2 relative, plus 4 roundings;
 *  - LpNormalization y = x / ‖x‖_p (a zero norm divides by 1): sequential sum (n + 1)·U relative,
 *    plus the sqrt and the divide.
 */
const U = 2 ** -24;

export function refRmsNorm(x: Float32Array, rows: number, n: number, scale: Float32Array, eps: number): { y: Float64Array; tol: Float64Array } {
  const y = new Float64Array(rows * n);
  const tol = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let j = 0; j < n; j++) ss += x[r * n + j]! ** 2;
    const inv = 1 / Math.sqrt(ss / n + eps);
    for (let j = 0; j < n; j++) {
      const v = x[r * n + j]! * inv * scale[j]!;
      y[r * n + j] = v;
      tol[r * n + j] = Math.abs(v) * ((n + 2) * U / 2 + 6 * U);
    }
  }
  return { y, tol };
}

export function refMoments(x: Float32Array, rows: number, n: number, eps: number): { mean: Float64Array; inv: Float64Array; meanTol: Float64Array; invTol: Float64Array } {
  const mean = new Float64Array(rows);
  const inv = new Float64Array(rows);
  const meanTol = new Float64Array(rows);
  const invTol = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    let mag = 0;
    for (let j = 0; j < n; j++) {
      s += x[r * n + j]!;
      mag += Math.abs(x[r * n + j]!);
    }
    const m = s / n;
    const dm = (n + 3) * U * mag / n;
    let v = 0;
    let dev = 0;
    for (let j = 0; j < n; j++) {
      v += (x[r * n + j]! - m) ** 2;
      dev += Math.abs(x[r * n + j]! - m);
    }
    const variance = v / n + eps;
    mean[r] = m;
    meanTol[r] = dm;
    inv[r] = 1 / Math.sqrt(variance);
    // absolute error of Σ(x − m)²/n: rounding of each term and the sum, plus the mean's error
    const dv = ((n + 4) * U * v + 2 * (dm + U * mag) * dev) / n;
    invTol[r] = inv[r]! * (dv / variance / 2 + 4 * U);
  }
  return { mean, inv, meanTol, invTol };
}

export function refLpNorm(x: Float32Array, outer: number, n: number, inner: number, p: 1 | 2): { y: Float64Array; tol: Float64Array } {
  const y = new Float64Array(x.length);
  const tol = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const v = x[(o * n + k) * inner + c]!;
        s += p === 1 ? Math.abs(v) : v * v;
      }
      let norm = p === 1 ? s : Math.sqrt(s);
      if (norm === 0) norm = 1;
      const rel = (p === 1 ? (n + 1) * U : ((n + 1) * U) / 2 + U) + U;
      for (let k = 0; k < n; k++) {
        const i = (o * n + k) * inner + c;
        y[i] = x[i]! / norm;
        tol[i] = Math.abs(y[i]!) * rel;
      }
    }
  }
  return { y, tol };
}
