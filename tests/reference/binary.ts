/**
 * float64 references for the elementwise binary ops, written from their definitions:
 *  - float32: the exact real result of the operation on the (float32) input values, computed in
 *    float64 and NOT rounded to float32 (the comparison decides how far a kernel may be from it).
 *    NaN/Inf follow IEEE 754 / C99 (numpy): Max/Min propagate NaN; Pow follows C99 Annex F pow.
 *  - int32: two's-complement wrapping arithmetic; Div truncates toward zero, x/0 = 0, and
 *    INT32_MIN / -1 wraps to INT32_MIN; Pow is exact (wrapping) for exponents >= 0, and for a
 *    negative exponent gives 1 for base 1, ±1 for base -1, 0 otherwise.
 *  - comparisons give 0/1 (bool); any comparison with NaN is false.
 */
import { broadcastIndexMaps, broadcastShape, sizeOf } from './broadcast.js';

export const ARITH = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min'] as const;
export const COMPARE = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'] as const;
export type RefArith = (typeof ARITH)[number];
export type RefCompare = (typeof COMPARE)[number];
export type RefBinaryOp = RefArith | RefCompare;

export function isComparison(op: string): op is RefCompare {
  return (COMPARE as readonly string[]).includes(op);
}

/** C99 pow (numpy np.power on floats). Differs from Math.pow for pow(1, NaN) and pow(-1, ±Inf), both 1. */
export function powC(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

export function floatBinary(op: RefArith, a: number, b: number): number {
  switch (op) {
    case 'Add':
      return a + b;
    case 'Sub':
      return a - b;
    case 'Mul':
      return a * b;
    case 'Div':
      return a / b;
    case 'Pow':
      return powC(a, b);
    case 'Max':
      return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case 'Min':
      return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
  }
}

/** Integer power with wrapping, by repeated squaring (exact modulo 2^32). */
export function intPow(base: number, exp: number): number {
  base |= 0;
  exp |= 0;
  if (exp < 0) {
    if (base === 1) return 1;
    if (base === -1) return exp % 2 === 0 ? 1 : -1;
    return 0;
  }
  let result = 1;
  let b = base;
  let e = exp;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    e >>>= 1;
  }
  return result | 0;
}

export function intBinary(op: RefArith, a: number, b: number): number {
  switch (op) {
    case 'Add':
      return (a + b) | 0;
    case 'Sub':
      return (a - b) | 0;
    case 'Mul':
      return Math.imul(a, b);
    case 'Div':
      // |a|,|b| < 2^31: the float64 quotient is never rounded across an integer, so trunc is exact.
      return b === 0 ? 0 : Math.trunc(a / b) | 0;
    case 'Pow':
      return intPow(a, b);
    case 'Max':
      return Math.max(a, b);
    case 'Min':
      return Math.min(a, b);
  }
}

export function compareOp(op: RefCompare, a: number, b: number): number {
  switch (op) {
    case 'Equal':
      return a === b ? 1 : 0;
    case 'Greater':
      return a > b ? 1 : 0;
    case 'GreaterOrEqual':
      return a >= b ? 1 : 0;
    case 'Less':
      return a < b ? 1 : 0;
    case 'LessOrEqual':
      return a <= b ? 1 : 0;
  }
}

export interface RefResult {
  shape: number[];
  /** float32 ops: unrounded float64 values; int32: wrapped int32 values; comparisons: 0/1. */
  data: Float64Array | Int32Array | Uint8Array;
}

export function refBinary(
  op: RefBinaryOp,
  dtype: 'float32' | 'int32',
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): RefResult {
  if (a.length !== sizeOf(aShape) || b.length !== sizeOf(bShape)) throw new Error('reference: data length does not match shape');
  const shape = broadcastShape(aShape, bShape);
  const n = sizeOf(shape);
  const [ia, ib] = broadcastIndexMaps(shape, aShape, bShape) as [Int32Array, Int32Array];
  if (isComparison(op)) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = compareOp(op, a[ia[i]!]!, b[ib[i]!]!);
    return { shape, data: out };
  }
  if (dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = intBinary(op, a[ia[i]!]!, b[ib[i]!]!);
    return { shape, data: out };
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = floatBinary(op, a[ia[i]!]!, b[ib[i]!]!);
  return { shape, data: out };
}
