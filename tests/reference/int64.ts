/**
 * Exact int64 references in BigInt, written from the ONNX definitions: arithmetic wraps modulo 2^64
 * (two's complement), Div truncates toward zero, Mod is floored (fmod 0) or C fmod (fmod 1), x/0 and
 * x mod 0 are 0 (twinops' documented choice, as for int32), Pow by exact integer powers (negative
 * exponents: trunc(1/x^n)). Range: n = max(ceil((limit − start)/delta), 0), y[i] = start + i·delta.
 */
export const I64_ARITH = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod'] as const;
export const I64_COMPARE = ['Equal', 'NotEqual', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'] as const;
export type I64Arith = (typeof I64_ARITH)[number];
export type I64Compare = (typeof I64_COMPARE)[number];

const wrap = (v: bigint) => BigInt.asIntN(64, v);

function pow(x: bigint, n: bigint): bigint {
  if (n < 0n) return x === 1n ? 1n : x === -1n ? (n % 2n === 0n ? 1n : -1n) : 0n;
  // exact power reduced mod 2^64 at each step (same residue as the exact value)
  let r = 1n;
  let b = x;
  let e = n;
  while (e > 0n) {
    if (e & 1n) r = wrap(r * b);
    b = wrap(b * b);
    e >>= 1n;
  }
  return r;
}

export function refArith64(op: I64Arith, a: bigint, b: bigint, fmod = false): bigint {
  switch (op) {
    case 'Add': return wrap(a + b);
    case 'Sub': return wrap(a - b);
    case 'Mul': return wrap(a * b);
    case 'Div': return b === 0n ? 0n : wrap(a / b);
    case 'Pow': return pow(a, b);
    case 'Max': return a > b ? a : b;
    case 'Min': return a < b ? a : b;
    case 'Mod': {
      if (b === 0n) return 0n;
      const r = a % b; // C remainder: the dividend's sign
      if (fmod) return r;
      return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
    }
  }
}

export function refCompare64(op: I64Compare, a: bigint, b: bigint): boolean {
  switch (op) {
    case 'Equal': return a === b;
    case 'NotEqual': return a !== b;
    case 'Greater': return a > b;
    case 'GreaterOrEqual': return a >= b;
    case 'Less': return a < b;
    case 'LessOrEqual': return a <= b;
  }
}

export function refUnary64(op: 'Abs' | 'Neg' | 'Sign', x: bigint): bigint {
  if (op === 'Abs') return wrap(x < 0n ? -x : x);
  if (op === 'Neg') return wrap(-x);
  return x > 0n ? 1n : x < 0n ? -1n : 0n;
}

/** Integer Range (int32 with bits 32, int64 with 64): exact length, wrapping values. */
export function refRangeInt(start: bigint, limit: bigint, delta: bigint, bits: 32 | 64): bigint[] {
  const num = limit - start;
  let n = num / delta;
  if (n * delta !== num && (num < 0n) === (delta < 0n)) n += 1n;
  const out: bigint[] = [];
  for (let i = 0n; i < n; i++) out.push(BigInt.asIntN(bits, start + i * delta));
  return out;
}

/** float32 Range as onnxruntime sizes it (limit − start rounded to float32), values start + i·delta rounded once. */
export function refRangeF32(start: number, limit: number, delta: number): number[] {
  const [s, l, d] = [Math.fround(start), Math.fround(limit), Math.fround(delta)];
  const n = Math.max(Math.ceil(Math.fround(l - s) / d), 0);
  return Array.from({ length: n }, (_, i) => Math.fround(s + i * d));
}

/** int64 reduction over `axes` (all when empty) of x in `shape`, row-major; output in kept-dims order. */
export function refReduce64(x: BigInt64Array, shape: readonly number[], axes: readonly number[], mode: 'sum' | 'prod' | 'max' | 'min'): bigint[] {
  const red = new Set(axes.length ? axes.map((a) => (a < 0 ? a + shape.length : a)) : shape.map((_, i) => i));
  const outDims = shape.filter((_, i) => !red.has(i));
  const outSize = outDims.reduce((a, b) => a * b, 1);
  const ident = { sum: 0n, prod: 1n, max: -(1n << 63n), min: (1n << 63n) - 1n }[mode];
  const out = new Array<bigint>(outSize).fill(ident);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < x.length; f++) {
    let rem = f;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    let o = 0;
    shape.forEach((n, d) => {
      if (!red.has(d)) o = o * n + idx[d]!;
    });
    const v = x[f]!;
    const a = out[o]!;
    out[o] = mode === 'sum' ? BigInt.asIntN(64, a + v) : mode === 'prod' ? BigInt.asIntN(64, a * v) : mode === 'max' ? (v > a ? v : a) : v < a ? v : a;
  }
  return out;
}

/** ArgMax/ArgMin of x in `shape` along `axis`: the first (or last) index of the extreme value. */
export function refArg64(x: BigInt64Array, shape: readonly number[], axis: number, max: boolean, last: boolean): number[] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const R = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let bi = 0;
      for (let k = 1; k < R; k++) {
        const v = x[(o * R + k) * inner + j]!;
        const b = x[(o * R + bi) * inner + j]!;
        if (max ? (last ? v >= b : v > b) : last ? v <= b : v < b) bi = k;
      }
      out.push(bi);
    }
  }
  return out;
}
