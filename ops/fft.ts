/**
 * Complex-number ops over planar complex tensors (a float32 tensor of real parts and one of
 * imaginary parts, same shape: how the tfjs backend stores complex64, and what ONNX DFT's trailing
 * [re, im] axis becomes after a Split).
 *
 *   FFT([re, im], { inverse }) → [re, im]: the discrete Fourier transform of every row along the
 *     last axis, y[k] = Σ_j x[j]·e^(∓2πi·jk/n), the inverse (+ sign) scaled by 1/n. Rows of any
 *     length; n = 0 or 1 and zero rows are allowed.
 *   ComplexAbs([re, im]) → abs: |x| = sqrt(re² + im²) elementwise.
 */
import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface FFTAttrs {
  inverse?: boolean;
}

export interface FFTPlan extends Plan {
  rows: number;
  n: number;
  inverse: boolean;
}

function complexPair(op: string, inputs: readonly TensorInfo[]): [TensorInfo, TensorInfo] {
  expectArity(op, inputs, 2);
  const [re, im] = inputs as [TensorInfo, TensorInfo];
  if (re.dtype !== 'float32' || im.dtype !== 'float32') throw new DTypeError(op, `real and imaginary parts must be float32, got ${re.dtype}${fmtShape(re.shape)} and ${im.dtype}${fmtShape(im.shape)}`);
  if (re.shape.length !== im.shape.length || re.shape.some((d, i) => d !== im.shape[i])) {
    throw new ShapeError(op, `real part ${fmtShape(re.shape)} and imaginary part ${fmtShape(im.shape)} must have one shape`);
  }
  return [re, im];
}

export const fftDef: OpDef<FFTAttrs, FFTPlan> = defineOp({
  name: 'FFT',
  plan(inputs, attrs): FFTPlan {
    const [re] = complexPair('FFT', inputs);
    if (re.shape.length < 1) throw new ShapeError('FFT', `input must have rank >= 1, got ${fmtShape(re.shape)}`, 'RANK');
    const n = re.shape[re.shape.length - 1]!;
    const rows = re.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const shape = re.shape.slice();
    return { outputs: [{ shape, dtype: 'float32' }, { shape: shape.slice(), dtype: 'float32' }], dispatchDType: 'float32', rows, n, inverse: attrs.inverse === true };
  },
});

export const complexAbsDef: OpDef<Record<string, never>, Plan> = defineOp({
  name: 'ComplexAbs',
  plan(inputs): Plan {
    const [re] = complexPair('ComplexAbs', inputs);
    return { outputs: [{ shape: re.shape.slice(), dtype: 'float32' }], dispatchDType: 'float32' };
  },
});
