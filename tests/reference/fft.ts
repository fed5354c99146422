/** Float64 DFT by definition, row by row along the last axis (planar re/im), and |x| for ComplexAbs. */
export function dftRef(re: ArrayLike<number>, im: ArrayLike<number>, n: number, inverse: boolean): { re: Float64Array; im: Float64Array; absSum: Float64Array } {
  const rows = n === 0 ? 0 : re.length / n;
  const yr = new Float64Array(re.length);
  const yi = new Float64Array(re.length);
  const absSum = new Float64Array(re.length);
  const sign = inverse ? 1 : -1;
  const scale = inverse ? 1 / n : 1;
  for (let r = 0; r < rows; r++) {
    let mag = 0;
    for (let j = 0; j < n; j++) mag += Math.hypot(re[r * n + j]!, im[r * n + j]!);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
        const c = Math.cos(a);
        const s = Math.sin(a);
        const xr = re[r * n + j]!;
        const xi = im[r * n + j]!;
        sr += xr * c - xi * s;
        si += xr * s + xi * c;
      }
      yr[r * n + k] = sr * scale;
      yi[r * n + k] = si * scale;
      absSum[r * n + k] = mag * scale;
    }
  }
  return { re: yr, im: yi, absSum };
}
