/**
 * float64 Softmax along one axis: y_i = exp(x_i − max) / Σ_j exp(x_j − max) (ONNX opset 13 / numpy).
 * NaN anywhere in a slice makes the slice NaN; a slice of all −Inf gives NaN (−Inf − (−Inf) = NaN);
 * a +Inf gives NaN for the slice (Inf − Inf). A size-0 slice produces nothing.
 */
import { sizeOf } from './broadcast.js';

export function softmaxAxis(shape: readonly number[], axis = -1): { outer: number; axisSize: number; inner: number } {
  const rank = shape.length;
  if (rank === 0) return { outer: 1, axisSize: 1, inner: 1 };
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) throw new Error(`reference: axis ${axis} out of range for rank ${rank}`);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i]!;
  for (let i = ax + 1; i < rank; i++) inner *= shape[i]!;
  return { outer, axisSize: shape[ax]!, inner };
}

export function refSoftmax(x: ArrayLike<number>, shape: readonly number[], axis = -1): Float64Array {
  if (x.length !== sizeOf(shape)) throw new Error('reference: data length does not match shape');
  const { outer, axisSize, inner } = softmaxAxis(shape, axis);
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let m = -Infinity;
      let nan = false;
      for (let k = 0; k < axisSize; k++) {
        const v = x[base + k * inner]!;
        if (Number.isNaN(v)) nan = true;
        else if (v > m) m = v;
      }
      let s = 0;
      for (let k = 0; k < axisSize; k++) {
        const e = nan ? NaN : Math.exp(x[base + k * inner]! - m);
        out[base + k * inner] = e;
        s += e;
      }
      for (let k = 0; k < axisSize; k++) {
        const j = base + k * inner;
        out[j] = out[j]! / s;
      }
    }
  }
  return out;
}
