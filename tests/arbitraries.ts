/**
 * fast-check arbitraries for the op property tests: shapes (rank 0–5, size-0 and broadcasting size-1
 * dims, odd sizes that are not multiples of 4/8/16), broadcast-compatible pairs, matmul/gemm problems,
 * softmax axes, and float32/int32 data with the edge values kernels get wrong.
 *
 * Tensor data is generated from a seed with a small PRNG rather than as fc.array of elements: tensors
 * of thousands of elements would make generation and shrinking slow, and the comparison message
 * already names the failing element and its inputs. Shrinking works on the shapes (towards small,
 * low-rank problems), the seed and the special-value rate.
 */
import fc from 'fast-check';
import { sizeOf, tryBroadcastShape } from './reference/broadcast.js';
import type { RefActivation } from './reference/unary.js';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Sizes that defeat 4/8/16-wide vector loops and tiles, plus the usual suspects. */
export const ODD_DIMS = [3, 5, 7, 13, 17, 33] as const;

/** One dimension: often 1 (broadcasts), sometimes 0, often odd, sometimes anything up to `max`. */
export function dimArb(max = 33): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: Math.min(4, max) }) },
    { weight: 4, arbitrary: fc.constantFrom(...ODD_DIMS.filter((d) => d <= max)) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max }) },
  );
}

export interface ShapeOptions {
  minRank?: number;
  maxRank?: number;
  /** Largest number of elements. */
  maxSize?: number;
  maxDim?: number;
  /** Allow size-0 dimensions (default true). */
  allowZero?: boolean;
}

export function shapeArb(o: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const maxSize = o.maxSize ?? 4096;
  const minRank = o.minRank ?? 0;
  const maxRank = o.maxRank ?? 5;
  const d = o.allowZero === false ? dimArb(o.maxDim ?? 33).map((x) => Math.max(1, x)) : dimArb(o.maxDim ?? 33);
  const general = fc.array(d, { minLength: minRank, maxLength: maxRank }).filter((s) => sizeOf(s) <= maxSize);
  // long rows (rank 1-2, up to maxSize elements): vector main loops plus their remainders, thread splits
  const long = fc
    .tuple(fc.integer({ min: 1, max: maxSize }), fc.constantFrom(1, 1, 2, 3))
    .map(([n, rows]) => (rows === 1 && minRank <= 1 ? [n] : [rows, Math.max(1, Math.floor(n / rows))]))
    .filter((s) => s.length >= minRank && s.length <= maxRank);
  return fc.oneof({ weight: 4, arbitrary: general }, { weight: 1, arbitrary: long });
}

/**
 * Two broadcast-compatible shapes: an output shape, then each operand takes a suffix of it (so ranks
 * may differ) with some dimensions replaced by 1. Either operand can be the larger one.
 */
export function broadcastPairArb(o: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  const operand = (out: number[]) =>
    fc
      .record({
        drop: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: out.length }) }),
        // 0 means "this dimension becomes 1" (a quarter of the time)
        ones: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: out.length, maxLength: out.length }),
      })
      .map(({ drop, ones }) => out.slice(drop).map((d, i) => (ones[i + drop] === 0 ? 1 : d)));
  return shapeArb(o)
    .chain((out) => fc.tuple(operand(out), operand(out)))
    .filter(([a, b]) => tryBroadcastShape(a, b) !== undefined);
}

/** A shape plus a valid axis for it (negative or positive), for Softmax. */
export function shapeWithAxisArb(o: ShapeOptions = {}): fc.Arbitrary<{ shape: number[]; axis: number | undefined }> {
  return shapeArb({ ...o, minRank: o.minRank ?? 1 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: shape.length === 0 ? fc.constant(undefined) : fc.oneof(fc.constant(undefined), fc.integer({ min: -shape.length, max: shape.length - 1 })),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Data

/** mulberry32: a small deterministic PRNG, so a seed reproduces a tensor exactly. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float32 edge values: NaN, ±Inf, ±0, denormals, FLT_MIN, huge magnitudes, exact small values. */
export const FLOAT_SPECIALS: readonly number[] = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1.401298464324817e-45, // smallest denormal
  -1.401298464324817e-45,
  5.877471754111438e-39, // 2^-127, denormal
  -9.183549615799121e-41,
  1.1754943508222875e-38, // FLT_MIN
  3.4028234663852886e38, // FLT_MAX
  -3.4028234663852886e38,
  1e30,
  -1e30,
  65504,
  1,
  -1,
  0.5,
  2,
  -2,
  16777217, // rounds to 2^24 in float32
];

/** Which values a float tensor draws from. */
export type FloatProfile =
  /** Finite values of moderate magnitude (|x| ≲ 1e3), no specials: for dot products and reductions. */
  | 'moderate'
  /** Wide dynamic range 1e-6..1e6 with both signs, small integers for ties, and `specialRate` edge values. */
  | 'general'
  /** Values where transcendental functions are interesting (|x| ≤ ~100) plus specials. */
  | 'transcendental';

export interface FloatData {
  seed: number;
  /** Fraction of elements drawn from FLOAT_SPECIALS (the 'moderate' profile draws only NaN/±Inf). */
  specialRate: number;
  profile: FloatProfile;
}

export function floatDataArb(profile: FloatProfile, maxSpecialRate = 0.1): fc.Arbitrary<FloatData> {
  return fc.record({
    seed: fc.integer(),
    specialRate: fc.constantFrom(0, 0.01, 0.05, maxSpecialRate).filter((r) => r <= maxSpecialRate),
    profile: fc.constant(profile),
  });
}

export function genFloat32(n: number, d: FloatData): Float32Array {
  const r = prng(d.seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < d.specialRate) {
      if (d.profile === 'moderate') out[i] = [NaN, Infinity, -Infinity][Math.floor(r() * 3)]!;
      else out[i] = FLOAT_SPECIALS[Math.floor(r() * FLOAT_SPECIALS.length)]!;
      continue;
    }
    const v = r();
    const sign = r() < 0.5 ? -1 : 1;
    switch (d.profile) {
      case 'moderate':
        // mostly O(1), some up to ~1e3, some exact small integers
        out[i] = v < 0.2 ? Math.floor(r() * 9) - 4 : sign * r() * (v < 0.9 ? 2 : 1000);
        break;
      case 'general':
        if (v < 0.15) out[i] = Math.floor(r() * 9) - 4; // small integers: ties, Pow(neg, int), equality
        else out[i] = sign * Math.pow(10, r() * 12 - 6) * (1 + r());
        break;
      case 'transcendental':
        if (v < 0.1) out[i] = Math.floor(r() * 9) - 4;
        else if (v < 0.6) out[i] = sign * r() * 4;
        else if (v < 0.9) out[i] = sign * r() * 100;
        else out[i] = sign * Math.pow(10, r() * 8 - 8); // tiny: relative accuracy near 0
        break;
    }
  }
  return out;
}

export type IntProfile =
  /** Small values (−10..10, zeros included: zero divisors), random full-range values, INT32_MIN/MAX, ±1. */
  | 'general'
  /** Exponents for Pow: mostly −3..40, occasionally huge or INT32_MIN/MAX. */
  | 'exponent'
  /** Small values only (|x| ≤ 100): dot products without wrap-around are still exact. */
  | 'small';

export interface IntData {
  seed: number;
  profile: IntProfile;
}

export function intDataArb(profile: IntProfile): fc.Arbitrary<IntData> {
  return fc.record({ seed: fc.integer(), profile: fc.constant(profile) });
}

export function genInt32(n: number, d: IntData): Int32Array {
  const r = prng(d.seed);
  const out = new Int32Array(n);
  const specials = [INT32_MIN, INT32_MAX, 0, 1, -1, INT32_MIN + 1, 65536, -65536, 46341];
  for (let i = 0; i < n; i++) {
    const u = r();
    switch (d.profile) {
      case 'general':
        if (u < 0.55) out[i] = Math.floor(r() * 21) - 10;
        else if (u < 0.85) out[i] = (r() * 4294967296) | 0;
        else out[i] = specials[Math.floor(r() * specials.length)]!;
        break;
      case 'exponent':
        if (u < 0.9) out[i] = Math.floor(r() * 44) - 3;
        else out[i] = [INT32_MAX, INT32_MIN, 1000000, 31, 32, 33][Math.floor(r() * 6)]!;
        break;
      case 'small':
        out[i] = Math.floor(r() * 201) - 100;
        break;
    }
  }
  return out;
}

/** Flush float32 subnormals to (signed) zero, as a GPU may do with inputs and results. */
export function flushDenormals(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v !== 0 && Math.abs(v) < 1.1754943508222875e-38 ? (v < 0 ? -0 : 0) : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MatMul / Gemm problems

/** GEMM sizes 0..max with tile-unfriendly values (not multiples of 4/8/16) well represented. */
export function gemmDimArb(max = 70): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...[0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 63, 64, 65, 70].filter((d) => d <= max)) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: Math.min(12, max) }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max }) },
  );
}

export type BiasKind = 'none' | 'scalar' | 'row' | '1N' | 'M1' | 'MN' | '11';

export function biasShape(kind: BiasKind, M: number, N: number): number[] | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'scalar':
      return [];
    case 'row':
      return [N];
    case '1N':
      return [1, N];
    case 'M1':
      return [M, 1];
    case 'MN':
      return [M, N];
    case '11':
      return [1, 1];
  }
}

export const biasKindArb: fc.Arbitrary<BiasKind> = fc.constantFrom('none', 'none', 'scalar', 'row', '1N', 'M1', 'MN', '11');

export const activationArb: fc.Arbitrary<RefActivation | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  fc.constant({ kind: 'linear' } as RefActivation),
  fc.constant({ kind: 'relu' } as RefActivation),
  fc.constant({ kind: 'relu6' } as RefActivation),
  fc.constantFrom(0.2, 0.01, -0.5, 3).map((alpha) => ({ kind: 'leakyRelu', alpha }) as RefActivation),
  fc.constant({ kind: 'leakyRelu' } as RefActivation),
  fc.constantFrom([-1, 1], [0, 6], [-0.5, 100], [2, 2]).map(([min, max]) => ({ kind: 'clip', min, max }) as RefActivation),
  fc.constant({ kind: 'sigmoid' } as RefActivation),
  fc.constant({ kind: 'tanh' } as RefActivation),
  fc.constant({ kind: 'gelu' } as RefActivation),
  fc.constantFrom(1, 0.5, 2).map((alpha) => ({ kind: 'elu', alpha }) as RefActivation),
  fc.constant({ kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 } as RefActivation),
  fc.constant({ kind: 'hardSigmoid', alpha: 0.5, beta: -0.25 } as RefActivation),
);

export interface MatMulCase {
  aShape: number[];
  bShape: number[];
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  bias: BiasKind;
  activation: RefActivation | undefined;
}

/** Broadcast-compatible batch shapes (rank 0..2 each, dims 1..3). */
const batchPairArb: fc.Arbitrary<[number[], number[]]> = fc
  .array(fc.constantFrom(1, 1, 2, 3), { minLength: 0, maxLength: 2 })
  .chain((out) =>
    fc.tuple(
      fc.integer({ min: 0, max: out.length }).chain((drop) => fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }).map((ones) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))),
      fc.integer({ min: 0, max: out.length }).chain((drop) => fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }).map((ones) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))),
    ),
  );

export interface MatMulArbOptions {
  maxDim?: number;
  /** Upper bound on batch·M·K·N (keeps the float64 reference and slow devices fast). */
  maxWork?: number;
  /** Whether to generate fused activations (float32 only). */
  activations?: boolean;
}

export function matmulCaseArb(o: MatMulArbOptions = {}): fc.Arbitrary<MatMulCase> {
  const maxWork = o.maxWork ?? 2_000_000;
  return fc
    .record({
      M: gemmDimArb(o.maxDim),
      K: gemmDimArb(o.maxDim),
      N: gemmDimArb(o.maxDim),
      batch: batchPairArb,
      // 1-D promotion: A as a vector [K] (M = 1) and/or B as a vector [K] (N = 1)
      vec: fc.constantFrom('none', 'none', 'none', 'none', 'a', 'b', 'both'),
      transA: fc.boolean(),
      transB: fc.boolean(),
      bias: biasKindArb,
      activation: o.activations === false ? fc.constant(undefined) : activationArb,
    })
    .map(({ M, K, N, batch, vec, transA, transB, bias, activation }) => {
      const aVec = vec === 'a' || vec === 'both';
      const bVec = vec === 'b' || vec === 'both';
      if (aVec) M = 1;
      if (bVec) N = 1;
      // A vector has no rows/columns to transpose (numpy has no transposes at all); keep trans off there.
      const tA = aVec ? false : transA;
      const tB = bVec ? false : transB;
      const aShape = aVec ? [K] : [...batch[0], ...(tA ? [K, M] : [M, K])];
      const bShape = bVec ? [K] : [...batch[1], ...(tB ? [N, K] : [K, N])];
      return { aShape, bShape, M, K, N, transA: tA, transB: tB, bias, activation };
    })
    .filter((c) => {
      const batch = sizeOf(tryBroadcastShape(c.aShape.length > 1 ? c.aShape.slice(0, -2) : [], c.bShape.length > 1 ? c.bShape.slice(0, -2) : []) ?? []);
      return Math.max(1, batch) * Math.max(1, c.M) * Math.max(1, c.K) * Math.max(1, c.N) <= maxWork;
    });
}

export interface GemmCase {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  alpha: number | undefined;
  beta: number | undefined;
  c: BiasKind;
}

export function gemmCaseArb(dtype: 'float32' | 'int32', maxDim = 70): fc.Arbitrary<GemmCase> {
  const alpha = dtype === 'int32' ? fc.constantFrom(undefined, 1, -1, 2, 3) : fc.constantFrom(undefined, 1, -1, 0.5, 2, 1.5, -0.25);
  const beta = dtype === 'int32' ? fc.constantFrom(undefined, 1, 0, -1, 2) : fc.constantFrom(undefined, 1, 0, -0.5, 2);
  return fc.record({
    M: gemmDimArb(maxDim),
    K: gemmDimArb(maxDim),
    N: gemmDimArb(maxDim),
    transA: fc.boolean(),
    transB: fc.boolean(),
    alpha,
    beta,
    c: fc.constantFrom('none', 'scalar', 'row', '1N', 'M1', 'MN', '11'),
  });
}
