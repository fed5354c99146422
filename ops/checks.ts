import type { DType } from '../core/dtype.js';
import { AttributeError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import type { TensorInfo } from './types.js';

export function expectArity(op: string, inputs: readonly TensorInfo[], min: number, max = min): void {
  if (inputs.length < min || inputs.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new ShapeError(op, `expects ${want} inputs, got ${inputs.length}`, 'RANK');
  }
}

export function expectDType(op: string, t: TensorInfo, allowed: readonly DType[], what = 'input'): void {
  if (!allowed.includes(t.dtype)) {
    throw new DTypeError(op, `${what} has dtype ${t.dtype}${fmtShape(t.shape)}; supported: ${allowed.join(', ')}`);
  }
}

export function expectSameDType(op: string, inputs: readonly TensorInfo[]): DType {
  const d = inputs[0]!.dtype;
  for (const t of inputs) {
    if (t.dtype !== d) {
      throw new DTypeError(op, `inputs must share one dtype, got ${inputs.map((x) => `${x.dtype}${fmtShape(x.shape)}`).join(' and ')}`);
    }
  }
  return d;
}

/**
 * A per-dimension integer attribute (strides, pads, dilations, kernel sizes): `len` integers >= `min`,
 * or `len` copies of `dflt` when absent; a clear AttributeError naming the op otherwise.
 */
export function intList(op: string, name: string, v: readonly number[] | undefined, len: number, dflt: number, min: number): number[] {
  if (v === undefined) return new Array<number>(len).fill(dflt);
  if (!Array.isArray(v) || v.length !== len || !v.every((k) => Number.isInteger(k) && k >= min)) {
    throw new AttributeError(op, `${name} must be ${len} integers >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v.slice();
}
