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

export const ARITH = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'FloorDiv', 'SquaredDifference', 'PRelu', 'Atan2'] as const;
/** float32-only arithmetic. */
export const FLOAT_ONLY: readonly string[] = ['Atan2'];
export const COMPARE = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'NotEqual'] as const;
/** bool × bool → bool. */
export const LOGICAL = ['And', 'Or', 'Xor'] as const;
export type RefArith = (typeof ARITH)[number] | 'BitShift';
export type RefCompare = (typeof COMPARE)[number] | (typeof LOGICAL)[number];
export type RefBinaryOp = RefArith | RefCompare;

export interface RefBinaryAttrs {
  /** Mod: 0 floored (divisor's sign), 1 C fmod (dividend's sign). */
  fmod?: number;
  /** BitShift. */
  direction?: 'LEFT' | 'RIGHT';
}

export function isComparison(op: string): op is RefCompare {
  return (COMPARE as readonly string[]).includes(op) || (LOGICAL as readonly string[]).includes(op);
}

/**
 * Mod on reals: JS `%` is exactly C fmod (the dividend's sign, exact, NaN for x % 0 and ±Inf % y).
 * Floored (fmod = 0, numpy/tfjs): fmod, then + b when the signs differ (unrounded here); zero takes b's sign.
 */
export function modRef(a: number, b: number, fmod: boolean): number {
  const r = a % b;
  if (fmod || Number.isNaN(r)) return r;
  if (r === 0) return b < 0 ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

/** C99 pow (numpy np.power on floats). Differs from Math.pow for pow(1, NaN) and pow(-1, ±Inf), both 1. */
export function powC(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

export function floatBinary(op: RefArith, a: number, b: number, attrs: RefBinaryAttrs = {}): number {
  switch (op) {
    case 'Mod':
      return modRef(a, b, attrs.fmod === 1);
    case 'FloorDiv':
      // tfjs: floor of the float32 quotient
      return Math.floor(Math.fround(a / b));
    case 'SquaredDifference':
      return (a - b) * (a - b);
    case 'PRelu':
      return a < 0 ? a * b : a;
    case 'Atan2':
      // JS follows C99: signed zeros, infinities
      return Math.atan2(a, b);
    case 'BitShift':
      throw new Error('reference: BitShift is int32 only');
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

export function intBinary(op: RefArith, a: number, b: number, attrs: RefBinaryAttrs = {}): number {
  switch (op) {
    case 'Mod': {
      if (b === 0) return 0;
      const r = a % b;
      return (attrs.fmod === 1 || r === 0 || r < 0 === b < 0 ? r : r + b) | 0;
    }
    case 'FloorDiv':
      // exact: a non-integer quotient is at least 1/|a| ≥ 2^-31 (relatively) from an integer
      return b === 0 ? 0 : Math.floor(a / b) | 0;
    case 'SquaredDifference':
      return Math.imul((a - b) | 0, (a - b) | 0);
    case 'PRelu':
      return a < 0 ? Math.imul(a, b) : a;
    case 'Atan2':
      throw new Error('reference: Atan2 is float32 only');
    case 'BitShift': {
      // uint32 bits; amounts outside [0, 31] give 0
      if (b < 0 || b >= 32) return 0;
      return attrs.direction === 'LEFT' ? a << b : (a >>> b) | 0;
    }
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
    case 'NotEqual':
      return a !== b ? 1 : 0;
    case 'And':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'Or':
      return a !== 0 || b !== 0 ? 1 : 0;
    case 'Xor':
      return (a !== 0) !== (b !== 0) ? 1 : 0;
  }
}

export interface RefResult {
  shape: number[];
  /** float32 ops: unrounded float64 values; int32: wrapped int32 values; comparisons: 0/1. */
  data: Float64Array | Int32Array | Uint8Array;
}

export function refBinary(
  op: RefBinaryOp,
  dtype: 'float32' | 'int32' | 'bool',
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  attrs: RefBinaryAttrs = {},
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
    for (let i = 0; i < n; i++) out[i] = intBinary(op, a[ia[i]!]!, b[ib[i]!]!, attrs);
    return { shape, data: out };
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = floatBinary(op, a[ia[i]!]!, b[ib[i]!]!, attrs);
  return { shape, data: out };
}
