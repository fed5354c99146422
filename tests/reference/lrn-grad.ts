/**
 * float64 LRN gradient, channels last, in tfjs-backend-cpu's form (independent of the twinops
 * contract): for each element i of a pixel, with n_i = bias + coef·Σ_{k ∈ [i − lo, i + hi]} x_k²,
 * every k of that window gets dy_i·(−2·coef·beta·x_k·y_i / n_i), and k = i also dy_i·n_i^(−beta).
 * Returns the gradient and the sum of its terms' magnitudes (for error bounds).
 */
export function refLrnGrad(x: ArrayLike<number>, y: ArrayLike<number>, dy: ArrayLike<number>, C: number, lo: number, hi: number, bias: number, coef: number, beta: number) {
  const dx = new Float64Array(x.length);
  const abs = new Float64Array(x.length);
  for (let o = 0; o < x.length; o++) {
    const c = o % C;
    const b = o - c + Math.max(0, c - lo);
    const e = o - c + Math.min(C, c + hi + 1);
    let n = 0;
    for (let k = b; k < e; k++) n += x[k]! ** 2;
    n = coef * n + bias;
    for (let k = b; k < e; k++) {
      let t = (-2 * coef * beta * x[k]! * y[o]!) / n;
      if (k === o) t += n ** -beta;
      t *= dy[o]!;
      dx[k] = dx[k]! + t;
      abs[k] = abs[k]! + Math.abs(t);
    }
  }
  return { dx, abs };
}
