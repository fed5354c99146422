/**
 * float64 LogSoftmax along one axis: y_i = (x_i − max) − log Σ_j exp(x_j − max) (ONNX opset 13).
 * NaN anywhere in a slice makes the slice NaN; a slice of all −Inf gives NaN (−Inf − (−Inf));
 * a +Inf gives NaN for the slice; −Inf entries beside finite ones give −Inf.
 */
import { sizeOf } from './broadcast.js';
import { softmaxAxis } from './softmax.js';

export function refLogSoftmax(x: ArrayLike<number>, shape: readonly number[], axis = -1): Float64Array {
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
      for (let k = 0; k < axisSize; k++) s += Math.exp(x[base + k * inner]! - m);
      const ls = nan ? NaN : Math.log(s);
      for (let k = 0; k < axisSize; k++) out[base + k * inner] = x[base + k * inner]! - m - ls;
    }
  }
  return out;
}
