/**
 * float64 normalisations (ONNX definitions):
 *  - BatchNormalization (inference): y = (x − mean[c]) / sqrt(var[c] + eps) · scale[c] + B[c], with
 *    the channel on axis 1 (NCHW) or the last axis (NHWC);
 *  - InstanceNormalization: per (n, c) slice over the spatial axes, mean and population variance;
 *  - LayerNormalization: per row of X.shape[axis:], mean and population variance; Scale and B per element.
 * NaN/Inf flow through the arithmetic (a NaN in a normalised row makes the row NaN).
 */
export function refBatchNorm(x: ArrayLike<number>, shape: readonly number[], scale: ArrayLike<number>, bias: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, eps: number, layout: 'NCHW' | 'NHWC'): Float64Array {
  const C = layout === 'NHWC' ? shape[shape.length - 1]! : shape[1]!;
  const inner = layout === 'NHWC' ? 1 : shape.slice(2).reduce((a, b) => a * b, 1);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / inner) % C;
    y[i] = ((x[i]! - mean[c]!) / Math.sqrt(variance[c]! + eps)) * scale[c]! + bias[c]!;
  }
  return y;
}

/** Normalise rows of n: y = (x − mean)/sqrt(var + eps)·s(row, j) + b(row, j). */
function rowNorm(x: ArrayLike<number>, n: number, eps: number, s: (r: number, j: number) => number, b: (r: number, j: number) => number): Float64Array {
  const y = new Float64Array(x.length);
  const rows = n === 0 ? 0 : x.length / n;
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = 0; j < n; j++) m += x[r * n + j]!;
    m /= n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (x[r * n + j]! - m) ** 2;
    v /= n;
    const rstd = 1 / Math.sqrt(v + eps);
    for (let j = 0; j < n; j++) y[r * n + j] = (x[r * n + j]! - m) * rstd * s(r, j) + b(r, j);
  }
  return y;
}

export function refInstanceNorm(x: ArrayLike<number>, shape: readonly number[], scale: ArrayLike<number>, bias: ArrayLike<number>, eps: number): Float64Array {
  const C = shape[1]!;
  const n = shape.slice(2).reduce((a, b) => a * b, 1);
  return rowNorm(x, n, eps, (r) => scale[r % C]!, (r) => bias[r % C]!);
}

export function refLayerNorm(x: ArrayLike<number>, shape: readonly number[], axis: number, scale: ArrayLike<number>, bias: ArrayLike<number> | undefined, eps: number): Float64Array {
  const ax = axis < 0 ? axis + shape.length : axis;
  const n = shape.slice(ax).reduce((a, b) => a * b, 1);
  return rowNorm(x, n, eps, (_r, j) => scale[j]!, (_r, j) => (bias ? bias[j]! : 0));
}

/**
 * Row statistics the tests' tolerances use: per element, the row's rstd (1/sqrt(var + eps)) and the
 * row's mean of |x|.
 */
export function rowStats(x: ArrayLike<number>, n: number, eps: number): { rstd: Float64Array; absMean: Float64Array } {
  const rstd = new Float64Array(x.length);
  const absMean = new Float64Array(x.length);
  const rows = n === 0 ? 0 : x.length / n;
  for (let r = 0; r < rows; r++) {
    let m = 0;
    let a = 0;
    for (let j = 0; j < n; j++) {
      m += x[r * n + j]!;
      a += Math.abs(x[r * n + j]!);
    }
    m /= n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (x[r * n + j]! - m) ** 2;
    const rs = 1 / Math.sqrt(v / n + eps);
    for (let j = 0; j < n; j++) {
      rstd[r * n + j] = rs;
      absMean[r * n + j] = a / n;
    }
  }
  return { rstd, absMean };
}
