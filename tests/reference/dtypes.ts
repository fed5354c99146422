/**
 * Element-by-element references for every twinops dtype (float64, uint16, uint32, uint64, int16,
 * int4, uint4 with the first seven): Cast between any pair and the binary arithmetic, computed on JS
 * numbers (exact for every value up to 2^53 and for float64 itself) or bigints (64-bit integers),
 * written from the ONNX definitions and the x86-64 behaviour onnxruntime shows where ONNX leaves it
 * undefined (float → integer out of range).
 */
import type { DType } from '../../core/dtype.js';
import { halfToNumber, int64ToFloat32, numberToHalf } from './copy.js';

export type Raw = number | bigint;

const isFloat = (d: DType) => d === 'float32' || d === 'float16' || d === 'float64';
const INT_BITS: Partial<Record<DType, [number, boolean]>> = {
  int32: [32, true], int16: [16, true], int8: [8, true], int4: [4, true], int64: [64, true],
  uint32: [32, false], uint16: [16, false], uint8: [8, false], uint4: [4, false], uint64: [64, false],
};

/** The value an element holds: a number for floats and integers up to 32 bits and bool, a bigint for 64-bit integers. */
export function valueOf(d: DType, raw: Raw): Raw {
  if (d === 'float16') return halfToNumber(raw as number);
  return raw;
}

/** An integer (bigint) wrapped to `d`'s width, as the typed array of `d` holds it. */
function wrapTo(d: DType, v: bigint): Raw {
  const [bits, signed] = INT_BITS[d]!;
  const w = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  return bits === 64 ? w : Number(w);
}

/** x86-64 cvttsd2si to 32 or 64 bits: truncation; NaN, ±Inf and out of range give the integer minimum. */
function truncSigned(v: number, bits: 32 | 64): bigint {
  const lim = 2 ** (bits - 1);
  return Number.isNaN(v) || Math.abs(v) >= lim ? -(2n ** BigInt(bits - 1)) : BigInt(Math.trunc(v));
}

/** float → uint64 as the x86-64 code compilers emit: below 2^63 the signed conversion (wrapping), [2^63, 2^64) exactly, else 2^63. */
function floatToU64(v: number): bigint {
  if (v < 2 ** 63) return BigInt.asUintN(64, truncSigned(v, 64));
  if (v < 2 ** 64) return BigInt(Math.trunc(v));
  return 2n ** 63n;
}

/**
 * ONNX Cast of one element (raw typed-array value in, raw value out). float16 results are half bits
 * rounded once from the exact value (NaN: a quiet NaN with the source's sign, `nanSign` 0 or 0x8000).
 */
export function castElement(from: DType, to: DType, raw: Raw, nanSign = 0): Raw {
  const v = valueOf(from, raw);
  if (from === to) return raw;
  if (to === 'bool') return typeof v === 'bigint' ? (v !== 0n ? 1 : 0) : v !== 0 ? 1 : 0;
  if (to === 'float64') return Number(v);
  if (to === 'float32') return typeof v === 'bigint' ? int64ToFloat32(v) : Math.fround(v);
  if (to === 'float16') {
    if (typeof v === 'bigint') return v >= 65520n || v <= -65520n ? (v < 0n ? 0xfc00 : 0x7c00) : numberToHalf(Number(v));
    return numberToHalf(v, nanSign);
  }
  // integer targets
  if (typeof v === 'bigint' || !isFloat(from)) return wrapTo(to, BigInt(v));
  if (to === 'uint64') return floatToU64(v);
  if (to === 'int64') return truncSigned(v, 64);
  // uint32 converts through int64 (so [2^31, 2^32) is exact); the narrower ones through int32
  return wrapTo(to, truncSigned(v, to === 'uint32' ? 64 : 32));
}

export type BinaryRefOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Mod' | 'FMod' | 'Max' | 'Min' | 'Equal' | 'Greater' | 'GreaterOrEqual' | 'Less' | 'LessOrEqual' | 'NotEqual' | 'ShiftLeft' | 'ShiftRight';

/** C fmod in double, exact: x − trunc(x/y)·y computed without rounding by repeated exact subtraction of scaled y. */
export function fmod64(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || y === 0) return NaN;
  if (!Number.isFinite(y)) return x;
  let r = Math.abs(x);
  const a = Math.abs(y);
  // r − k·a for a power-of-two multiple k·a ≤ r is exact (Sterbenz-style: same binade or below)
  while (r >= a) {
    let t = a;
    while (t * 2 <= r) t *= 2;
    r -= t;
  }
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : x < 0 ? -r : r;
}

/**
 * One element of a binary op for dtype `d` on raw values. Integers: wrapping arithmetic, Div
 * truncating, x/0 = 0 and x mod 0 = 0 (twinops' documented choice: onnxruntime's integer division
 * by zero is undefined), Mod floored (the divisor's sign), FMod the dividend's; unsigned dtypes
 * compare and divide unsigned. Shifts: amounts ≥ the width give 0. float64: IEEE, Max/Min propagate
 * NaN. Comparisons give 0/1.
 */
export function binaryElement(op: BinaryRefOp, d: DType, ra: Raw, rb: Raw): Raw {
  if (d === 'float64') {
    const [a, b] = [ra as number, rb as number];
    switch (op) {
      case 'Add': return a + b;
      case 'Sub': return a - b;
      case 'Mul': return a * b;
      case 'Div': return a / b;
      case 'Max': return Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, -0) ? b : a) : Math.max(a, b);
      case 'Min': return Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, -0) ? a : b) : Math.min(a, b);
      case 'FMod': return fmod64(a, b);
      case 'Mod': {
        const r = fmod64(a, b);
        if (r === 0) return b < 0 || Object.is(b, -0) ? -0 : 0;
        return Number.isNaN(r) || (r < 0) === (b < 0) ? r : r + b;
      }
      case 'Equal': return a === b ? 1 : 0;
      case 'NotEqual': return a !== b ? 1 : 0;
      case 'Greater': return a > b ? 1 : 0;
      case 'GreaterOrEqual': return a >= b ? 1 : 0;
      case 'Less': return a < b ? 1 : 0;
      case 'LessOrEqual': return a <= b ? 1 : 0;
      default: throw new Error(`${op} is not defined on float64`);
    }
  }
  const [bits] = INT_BITS[d]!;
  const a = BigInt(ra);
  const b = BigInt(rb);
  const wrap = (v: bigint) => wrapTo(d, v);
  switch (op) {
    case 'Add': return wrap(a + b);
    case 'Sub': return wrap(a - b);
    case 'Mul': return wrap(a * b);
    case 'Div': return b === 0n ? wrap(0n) : wrap(a / b); // bigint division truncates
    case 'FMod': return b === 0n ? wrap(0n) : wrap(a % b);
    case 'Mod': {
      if (b === 0n) return wrap(0n);
      const r = a % b;
      return wrap(r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r);
    }
    case 'Max': return wrap(a > b ? a : b);
    case 'Min': return wrap(a < b ? a : b);
    case 'Equal': return a === b ? 1 : 0;
    case 'NotEqual': return a !== b ? 1 : 0;
    case 'Greater': return a > b ? 1 : 0;
    case 'GreaterOrEqual': return a >= b ? 1 : 0;
    case 'Less': return a < b ? 1 : 0;
    case 'LessOrEqual': return a <= b ? 1 : 0;
    case 'ShiftLeft': return b >= BigInt(bits) ? wrap(0n) : wrap(a << b);
    case 'ShiftRight': return b >= BigInt(bits) ? wrap(0n) : wrap(a >> b);
  }
}
