/**
 * float64 LRN (ONNX semantics): square_sum[c] = Σ x[c']² over
 * c' ∈ [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] ∩ [0, C); y = x / (bias + alpha/size · square_sum)^beta.
 * The channel axis is 1 (NCHW) or the last (NHWC).
 */
import { sizeOf } from './broadcast.js';

export interface RefLrnAttrs {
  size: number;
  alpha: number;
  beta: number;
  bias: number;
  layout: 'NCHW' | 'NHWC';
}

export function lrnView(shape: readonly number[], layout: 'NCHW' | 'NHWC'): { outer: number; C: number; inner: number } {
  const cAxis = layout === 'NHWC' ? shape.length - 1 : 1;
  return { outer: sizeOf(shape.slice(0, cAxis)), C: shape[cAxis]!, inner: sizeOf(shape.slice(cAxis + 1)) };
}

/** The result and, per element, the float64 square sum's base (bias + alpha/size · sum) for tolerances. */
export function refLrn(x: ArrayLike<number>, shape: readonly number[], a: RefLrnAttrs): { y: Float64Array; base: Float64Array } {
  if (x.length !== sizeOf(shape)) throw new Error('reference: data length does not match shape');
  const { outer, C, inner } = lrnView(shape, a.layout);
  const lo = Math.floor((a.size - 1) / 2);
  const hi = Math.ceil((a.size - 1) / 2);
  const y = new Float64Array(x.length);
  const base = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < inner; j++) {
        let s = 0;
        for (let k = Math.max(0, c - lo); k <= Math.min(C - 1, c + hi); k++) s += x[(o * C + k) * inner + j]! ** 2;
        const i = (o * C + c) * inner + j;
        base[i] = a.bias + (a.alpha / a.size) * s;
        y[i] = x[i]! / Math.pow(base[i]!, a.beta);
      }
    }
  }
  return { y, base };
}
