/**
 * complex64 Multiply: (a + bi)(c + di) = (ac − bd) + (ad + bc)i from twinops Mul, Sub and Add on
 * the float32 parts (broadcasting as the real kernel); a real operand is its own real part with a
 * zero imaginary part (tfjs-core casts it to complex64 before the kernel, so both usually arrive complex).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';

export function complexMultiply(backend: TwinopsBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  const kernel = 'Multiply';
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t);
  const parts = (t: TensorInfo): [TensorInfo, TensorInfo | undefined] =>
    t.dtype === 'complex64' ? [keep(backend.complexPart(kernel, t, 'real')), keep(backend.complexPart(kernel, t, 'imag'))] : [t, undefined];
  try {
    const [ar, ai] = parts(a);
    const [br, bi] = parts(b);
    const mul = (x: TensorInfo, y: TensorInfo) => keep(backend.runOne(kernel, 'Mul', [x, y]));
    let re = mul(ar, br);
    let im: TensorInfo;
    if (ai && bi) {
      re = keep(backend.runOne(kernel, 'Sub', [re, mul(ai, bi)]));
      im = keep(backend.runOne(kernel, 'Add', [mul(ar, bi), mul(ai, br)]));
    } else im = ai ? mul(ai, br) : mul(ar, bi!);
    return backend.makeComplex(re, im);
  } finally {
    for (const t of made) backend.release(t);
  }
}
