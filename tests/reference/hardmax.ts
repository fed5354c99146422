/** float64 Hardmax (ONNX opset 13): 1 at the first maximum along the axis (a NaN beats any number, as numpy's argmax), 0 elsewhere. */
import { sizeOf } from './broadcast.js';
import { softmaxAxis } from './softmax.js';

export function refHardmax(x: ArrayLike<number>, shape: readonly number[], axis = -1): Float64Array {
  if (x.length !== sizeOf(shape)) throw new Error('reference: data length does not match shape');
  const { outer, axisSize, inner } = softmaxAxis(shape, axis);
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let best = -1;
      for (let k = 0; k < axisSize; k++) {
        const v = x[base + k * inner]!;
        if (best < 0) best = k;
        else {
          const m = x[base + best * inner]!;
          if (Number.isNaN(m)) break;
          if (Number.isNaN(v) || v > m) best = k;
        }
      }
      if (best >= 0) out[base + best * inner] = 1;
    }
  }
  return out;
}
