/**
 * Cross-device property tests: every op × dtype of the first operator set, run through the public
 * runtime API on one device and compared with the independent float64 references in tests/reference.
 * `defineOpProperties(device, threads)` defines the same suite for wasm (threads 1 and 2) and WebGPU.
 *
 * TOLERANCES (float32; int32 and bool are always exact). u = 2^-24 is float32's unit roundoff,
 * ulp(1) = 2^-23. `rtol` is relative to the float64 reference value, `atol` absolute. A kernel result
 * always passes when it equals the reference rounded to float32.
 *  - Add, Sub, Mul, Div, Sqrt, Max, Min, Relu, Abs, Neg, Clip on wasm: 0. IEEE 754 makes + − × ÷ √
 *    correctly rounded and wasm's f32 ops are IEEE, so the only right answer is fround(reference).
 *    (float64 evaluation of one such op on float32 inputs then rounding to float32 is innocuous double
 *    rounding, since 53 ≥ 2·24 + 2.)
 *  - LeakyRelu: rtol 2u — alpha is rounded to float32 before the multiply, then the product is rounded.
 *  - Exp, Log, Tanh, Sigmoid, Erf, Gelu: rtol 1e-6 (≈ 8 ulp, the accuracy of a float32 polynomial with
 *    range reduction) plus atol FLT_MIN = 2^-126 (subnormal results carry no relative precision and may
 *    be flushed). Functions whose result is O(1)-scaled near where it crosses zero get an extra absolute
 *    allowance: Tanh/Sigmoid/Erf atol ulp(1) = 2^-23; Gelu 2^-23·(1+|x|) since it is ½·x·(1+erf(x/√2))
 *    and erf's 2^-23 absolute error is multiplied by ½|x|; Log atol 2^-23 on wasm near x = 1, where
 *    log(x) is as small as 2^-24 and float32 kernels promise absolute, not relative, accuracy.
 *  - Pow (float): relative 2^-23·(3 + 2·|y·log2|x||): pow is exp2(y·log2 x), and rounding t = y·log2 x
 *    to float32 alone costs |t|·u·ln2 relatively (the WGSL bound for exp2 is 3 + 2|t| ulp). On WebGPU
 *    add WGSL's log2 accuracy carried through the exponent: ln2·|y|·2^-21 for |x| in [0.5, 2]
 *    (log2 there is only accurate to 2^-21 absolute), ln2·|y|·3ulp(log2|x|) elsewhere.
 *  - MatMul/Gemm: per element (K+3)·u·Σ|terms| (Σ|alpha·a_ik·b_kj| + |beta·c_ij|): the classic bound
 *    γ_K for a K-term float32 dot product (any summation order, FMA or not) plus alpha, beta·C and the
 *    add; carried through the activation by its Lipschitz constant (gelu 1.13, elu/leakyRelu max(1,|α|));
 *    transcendental activations add the 1e-6 / 2^-23 above, leakyRelu 2u·|y| (alpha and the product
 *    rounded), hardSigmoid 4u·(|alpha·x| + |beta|) (alpha, beta, the product and the sum rounded).
 *    Plus (K+2)·2^-149 (wasm) or ·2^-126
 *    (WebGPU, may flush subnormal products) for underflow.
 *  - Softmax along n: rtol 2·1e-6 + (n+4)·u (exp error of the term and of the sum, n-term sum, the
 *    division), atol 2^-23 (exp(x−max) amplifies the rounding of x−max by |x−max|·e^{x−max} ≤ 1/e).
 *  - WebGPU follows the WGSL spec's accuracy: ÷ 2.5 ulp (rtol 2.5·2^-23), √ inherited from
 *    1/inverseSqrt (rtol 5·2^-23), exp 3 + 2|x| ulp, log absolute 2^-21 on [0.5, 2]; and WGSL lets
 *    subnormals flush to zero, so every float op on WebGPU also accepts the reference computed with
 *    subnormal inputs and outputs flushed (also for comparisons).
 * A failing property is a kernel bug (or a contract question): do not loosen a tolerance to pass it.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import { createRuntime, type Runtime } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import type { AnyTypedArray } from '../core/dtype.js';
import {
  FLOAT_SPECIALS,
  INT32_MAX,
  INT32_MIN,
  biasShape,
  broadcastPairArb,
  flushDenormals,
  floatDataArb,
  gemmCaseArb,
  genFloat32,
  genInt32,
  intDataArb,
  prng,
  matmulCaseArb,
  shapeWithAxisArb,
  shapeArb,
  type FloatData,
  type FloatProfile,
  type IntData,
  type BiasKind,
} from './arbitraries.js';
import { broadcastIndexMaps, sizeOf } from './reference/broadcast.js';
import { ARITH, COMPARE, FLOAT_ONLY, LOGICAL, isComparison, refBinary, type RefArith, type RefBinaryAttrs, type RefBinaryOp } from './reference/binary.js';
import { activationIsTranscendental, activationLipschitz, refUnary, type RefActivation, type RefUnaryAttrs, type RefUnaryOp } from './reference/unary.js';
import { BOOL_UNARY_OPS, INT_UNARY_OPS, PREDICATE_UNARY_OPS, UNARY_OPS, unaryDTypes } from '../ops/unary.js';
import { broadcastShape } from './reference/broadcast.js';
import { refGemm, refMatMul, type MatMulRefResult } from './reference/matmul.js';
import { refSoftmax, softmaxAxis } from './reference/softmax.js';
import { compareArrays, expectShape, type CompareOptions } from './reference/compare.js';

export type DeviceName = 'wasm' | 'webgpu';

export const U = 2 ** -24;
export const ULP1 = 2 ** -23;
export const FLT_MIN = 2 ** -126;
export const DENORM_MIN = 2 ** -149;
/** Relative accuracy of a float32 transcendental approximation (≈ 8 ulp). */
export const TRANS_RTOL = 1e-6;

export interface PropertyConfig {
  /** fast-check runs per property. */
  numRuns: number;
  /** Largest elementwise tensor. */
  maxSize: number;
  /** Largest M, K, N. */
  maxDim: number;
  /** Largest batch·M·K·N. */
  maxWork: number;
}

export const WASM_CONFIG: PropertyConfig = { numRuns: 150, maxSize: 3000, maxDim: 70, maxWork: 600_000 };
/** SwiftShader runs every invocation on the CPU and compiles a pipeline per kernel: keep it small. */
export const WEBGPU_CONFIG: PropertyConfig = { numRuns: 25, maxSize: 1500, maxDim: 40, maxWork: 120_000 };

// ---------------------------------------------------------------------------------------------
// Running an op through the runtime

export interface HostTensor {
  data: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

export interface OpOutput {
  data: AnyTypedArray;
  shape: readonly number[];
  dtype: string;
}

/** Upload inputs, run `call`, read the output back, dispose everything (also on failure). */
export async function execOp(rt: Runtime, inputs: readonly HostTensor[], call: (ts: Tensor[]) => Tensor): Promise<OpOutput> {
  const ts: Tensor[] = [];
  let y: Tensor | undefined;
  try {
    for (const i of inputs) ts.push(rt.tensor(i.data, i.shape, i.dtype));
    y = call(ts);
    // every input lives on the runtime's device, so the kernel that ran must be that device's twin
    if (y.device !== rt.device) throw new Error(`output of ${y.toString()} is on ${y.device}, expected ${rt.device}`);
    const data = await y.data();
    return { data, shape: y.shape.slice(), dtype: y.dtype };
  } finally {
    y?.dispose();
    for (const t of ts) t.dispose();
  }
}

type BinaryCall = (rt: Runtime, a: Tensor, b: Tensor, attrs?: RefBinaryAttrs) => Tensor;
/** Ops added after the first set are called by name (the lead adds typed methods later). */
const byName = (op: string) => (rt: Runtime, a: Tensor, b: Tensor, attrs: RefBinaryAttrs = {}) => rt.run(op, [a, b], attrs)[0]!;
export const BINARY_CALL: Record<RefBinaryOp, BinaryCall> = {
  Mod: byName('Mod'),
  FloorDiv: byName('FloorDiv'),
  SquaredDifference: byName('SquaredDifference'),
  PRelu: byName('PRelu'),
  BitShift: byName('BitShift'),
  NotEqual: byName('NotEqual'),
  Atan2: byName('Atan2'),
  And: byName('And'),
  Or: byName('Or'),
  Xor: byName('Xor'),
  Add: (rt, a, b) => rt.add(a, b),
  Sub: (rt, a, b) => rt.sub(a, b),
  Mul: (rt, a, b) => rt.mul(a, b),
  Div: (rt, a, b) => rt.div(a, b),
  Pow: (rt, a, b) => rt.pow(a, b),
  Max: (rt, a, b) => rt.max(a, b),
  Min: (rt, a, b) => rt.min(a, b),
  Equal: (rt, a, b) => rt.equal(a, b),
  Greater: (rt, a, b) => rt.greater(a, b),
  GreaterOrEqual: (rt, a, b) => rt.greaterOrEqual(a, b),
  Less: (rt, a, b) => rt.less(a, b),
  LessOrEqual: (rt, a, b) => rt.lessOrEqual(a, b),
};

type UnaryCall = (rt: Runtime, x: Tensor, attrs: RefUnaryAttrs) => Tensor;
const FIRST_UNARY_CALL: Partial<Record<RefUnaryOp, UnaryCall>> = {
  Relu: (rt, x) => rt.relu(x),
  LeakyRelu: (rt, x, a) => rt.leakyRelu(x, a.alpha === undefined ? {} : { alpha: a.alpha }),
  Sigmoid: (rt, x) => rt.sigmoid(x),
  Tanh: (rt, x) => rt.tanh(x),
  Exp: (rt, x) => rt.exp(x),
  Log: (rt, x) => rt.log(x),
  Sqrt: (rt, x) => rt.sqrt(x),
  Abs: (rt, x) => rt.abs(x),
  Neg: (rt, x) => rt.neg(x),
  Erf: (rt, x) => rt.erf(x),
  Gelu: (rt, x, a) => rt.gelu(x, a.approximate === undefined ? {} : { approximate: a.approximate }),
  Clip: (rt, x, a) => rt.clip(x, { ...(a.min === undefined ? {} : { min: a.min }), ...(a.max === undefined ? {} : { max: a.max }) }),
};

/** The first set through the Runtime's typed methods, the rest by name. */
export const UNARY_CALL: Record<RefUnaryOp, UnaryCall> = Object.fromEntries(
  [...UNARY_OPS, ...BOOL_UNARY_OPS].map((op) => [op, FIRST_UNARY_CALL[op] ?? ((rt: Runtime, x: Tensor, a: RefUnaryAttrs) => rt.run(op, [x], a)[0]!)]),
) as Record<RefUnaryOp, UnaryCall>;

/** Driven by the op lists of ops/unary.ts. */
export const FLOAT_UNARY: readonly RefUnaryOp[] = UNARY_OPS.filter((op) => unaryDTypes(op).includes('float32'));
export const INT_UNARY: readonly RefUnaryOp[] = INT_UNARY_OPS;
export const BOOL_UNARY: readonly RefUnaryOp[] = BOOL_UNARY_OPS;
const PREDICATES: readonly string[] = PREDICATE_UNARY_OPS;
/** Ops whose float32 kernels evaluate e^x (on WebGPU they inherit WGSL exp's 3 + 2|x| ulp). */
const EXP_BASED = ['Elu', 'Selu', 'Celu', 'Expm1'];

// ---------------------------------------------------------------------------------------------
// Tolerances (see the header comment for the reasons)

interface Tol {
  rtol: number;
  atol: number;
  atolPer?: Float64Array;
}

function binaryTol(op: RefArith, device: DeviceName, a: ArrayLike<number>, b: ArrayLike<number>, ia: Int32Array, ib: Int32Array, expected: ArrayLike<number>, attrs: RefBinaryAttrs): Tol {
  switch (op) {
    case 'Atan2':
      // wasm: float64 inside, rounded once; WebGPU: Cephes atanf of the smaller/larger ratio (2.5-ulp division)
      return device === 'wasm' ? { rtol: 2 * U, atol: 0 } : { rtol: TRANS_RTOL, atol: FLT_MIN };
    case 'PRelu':
    case 'FloorDiv':
    case 'BitShift':
      // PRelu: one correctly rounded product. FloorDiv: the floor of the float32 quotient (on WebGPU the
      // quotient's 2.5 ulp are accepted through alternative references in checkBinary).
      return { rtol: 0, atol: 0 };
    case 'Mod':
      // fmod is exact (every step of the reduction is); floored mod rounds r + b once
      return { rtol: attrs.fmod === 1 ? 0 : U, atol: 0 };
    case 'SquaredDifference':
      // a − b rounded, then squared and rounded: (1 + u)²(1 + u)
      return { rtol: 3 * U * (1 + U), atol: 0 };
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Max':
    case 'Min':
      return { rtol: 0, atol: 0 };
    case 'Div':
      return device === 'wasm' ? { rtol: 0, atol: 0 } : { rtol: 2.5 * ULP1, atol: 0 };
    case 'Pow': {
      const per = new Float64Array(expected.length);
      for (let i = 0; i < per.length; i++) {
        const x = Math.abs(a[ia[i]!]!);
        const y = b[ib[i]!]!;
        const t = Math.abs(y * Math.log2(x));
        let rel = ULP1 * (3 + 2 * t);
        if (device === 'webgpu') {
          // WGSL pow is inherited from exp2(y·log2 x), and log2 is only accurate to 2^-21 absolute on
          // [0.5, 2] (3 ulp elsewhere): that error, times |y|, lands in the exponent (×ln2 relatively).
          rel += Math.LN2 * Math.abs(y) * (x >= 0.5 && x <= 2 ? 2 ** -21 : 3 * ULP1 * Math.abs(Math.log2(x)));
        }
        per[i] = rel * Math.abs(expected[i]!);
      }
      return { rtol: 0, atol: FLT_MIN, atolPer: per };
    }
  }
}

function unaryTol(op: RefUnaryOp, device: DeviceName, x: ArrayLike<number>, attrs: RefUnaryAttrs, expected: ArrayLike<number>): Tol {
  const perElement = (f: (x: number, want: number) => number): Float64Array => Float64Array.from(x, (v, i) => f(v, expected[i]!));
  switch (op) {
    case 'Relu':
    case 'Abs':
    case 'Neg':
    case 'Clip':
    case 'Floor':
    case 'Ceil':
    case 'Round':
    case 'Sign':
    case 'Relu6':
    case 'ThresholdedRelu':
    case 'Step':
    case 'Square':
    case 'Shrink':
    case 'IsNaN':
    case 'IsInf':
    case 'Not':
      // exact, or one correctly rounded + − × (WGSL's are correctly rounded too)
      return { rtol: 0, atol: 0 };
    case 'Reciprocal':
      return device === 'wasm' ? { rtol: 0, atol: 0 } : { rtol: 2.5 * ULP1, atol: 0 };
    case 'Rsqrt':
      // wasm: √ rounded, then 1/· rounded; WGSL inverseSqrt: 2 ulp
      return device === 'wasm' ? { rtol: 2 * U * (1 + U), atol: 0 } : { rtol: 2 * ULP1, atol: 0 };
    case 'Softsign':
      // 1 + |x| rounded, then the division (correctly rounded on wasm, 2.5 ulp on WebGPU)
      return device === 'wasm' ? { rtol: 2 * U * (1 + U), atol: 0 } : { rtol: 3.5 * ULP1, atol: 0 };
    case 'HardSigmoid': {
      // alpha, beta, alpha·x and the sum each rounded once: 4u·(|alpha·x| + |beta|) absolute
      const [al, be] = [attrs.alpha ?? 0.2, attrs.beta ?? 0.5];
      return { rtol: 0, atol: 0, atolPer: perElement((v) => 4 * U * (Math.abs(al * v) + Math.abs(be))) };
    }
    case 'HardSwish':
      // the clamp argument x/6 + 1/2 carries 4u·(|x/6| + 1/2) (1/6, the product, the sum), times |x|, then the product
      return { rtol: U, atol: FLT_MIN, atolPer: perElement((v) => 4 * U * (Math.abs(v / 6) + 0.5) * Math.abs(v)) };
    case 'Elu':
    case 'Selu':
    case 'Celu':
    case 'Expm1': {
      if (device === 'wasm') return { rtol: TRANS_RTOL, atol: FLT_MIN };
      // WGSL exp: 3 + 2|t| ulp of e^t (t = x, or x/alpha for Celu), times the op's scale
      const a = attrs.alpha ?? (op === 'Selu' ? 1.6733 : 1);
      const scale = Math.abs(op === 'Expm1' ? 1 : op === 'Selu' ? a * (attrs.gamma ?? 1.0508) : a);
      return { rtol: TRANS_RTOL, atol: FLT_MIN, atolPer: perElement((v) => { const t = op === 'Celu' ? v / a : v; return t < 0 || op === 'Expm1' ? (3 + 2 * Math.abs(t)) * ULP1 * Math.exp(Math.min(t, 88)) * scale : 0; }) };
    }
    case 'Sin':
    case 'Cos':
      // wasm: float64 inside, rounded once (u), plus the reduction's |x|·2^-52 once |x| passes 2^20·π/2.
      // WebGPU: float32 three-part reduction: the rounded n·4.8375e-4 (second part) costs |x|·2^-36
      // (×2 margin); n·1.5703125 is exact for |x| < 2^16·π/2 ≈ 1e5, past it its rounding costs up to
      // |x|·2^-24 (×4 margin); Cephes' polynomials 2^-22 absolute.
      return device === 'wasm'
        ? { rtol: 2 * U, atol: DENORM_MIN, atolPer: perElement((v) => (Math.abs(v) > 1.6e6 ? Math.abs(v) * 2 ** -52 : 0)) }
        : { rtol: 2 * ULP1, atol: 2 ** -22, atolPer: perElement((v) => Math.abs(v) * 2 ** -35 + (Math.abs(v) > 1e5 ? Math.abs(v) * 2 ** -22 : 0)) };
    case 'Tan': {
      // as Sin/Cos, carried through tan' = 1 + tan²; WebGPU: the errors e of its sin and cos, divided
      if (device === 'wasm') return { rtol: 2 * U, atol: DENORM_MIN, atolPer: perElement((v, w) => (Math.abs(v) > 1.6e6 ? Math.abs(v) * 2 ** -52 * (1 + w * w) : 0)) };
      return {
        rtol: 3.5 * ULP1,
        atol: FLT_MIN,
        atolPer: perElement((v, w) => {
          const e = 2 ** -22 + Math.abs(v) * 2 ** -35 + (Math.abs(v) > 1e5 ? Math.abs(v) * 2 ** -22 : 0);
          return Math.abs(w) * e * (1 / Math.abs(Math.sin(v)) + 1 / Math.abs(Math.cos(v)));
        }),
      };
    }
    case 'Atan':
    case 'Asin':
    case 'Acos':
      // wasm: float64 inside, rounded once; WebGPU: a float32 polynomial (Cephes atanf) and 2.5-ulp divisions
      return device === 'wasm' ? { rtol: 2 * U, atol: DENORM_MIN } : { rtol: TRANS_RTOL, atol: FLT_MIN };
    case 'Sinh':
    case 'Cosh':
      // WebGPU: WGSL exp's 3 + 2|x| ulp (relative, carried into the result)
      return device === 'wasm' ? { rtol: TRANS_RTOL, atol: FLT_MIN } : { rtol: TRANS_RTOL, atol: FLT_MIN, atolPer: perElement((v, w) => (3 + 2 * Math.abs(v)) * ULP1 * Math.abs(w)) };
    case 'Asinh':
    case 'Acosh':
    case 'Atanh':
      // WebGPU: WGSL log's 2^-21 absolute on [0.5, 2] (through log1p's log branch)
      return { rtol: TRANS_RTOL, atol: device === 'wasm' ? FLT_MIN : 2 ** -21 };
    case 'Softplus':
    case 'Log1p':
    case 'Mish': {
      if (device === 'wasm') return { rtol: TRANS_RTOL, atol: FLT_MIN };
      // WGSL log: 2^-21 absolute on [0.5, 2]; exp(−|x|): (3 + 2|x|) ulp relative; Mish multiplies both by |x|
      const f = op === 'Mish' ? (v: number) => Math.abs(v) : () => 1;
      return { rtol: TRANS_RTOL, atol: FLT_MIN, atolPer: perElement((v) => (2 ** -21 + (op === 'Log1p' ? 0 : (3 + 2 * Math.abs(v)) * ULP1 * Math.exp(-Math.abs(v)))) * f(v)) };
    }
    case 'LeakyRelu':
      return { rtol: 2 * U, atol: 0 };
    case 'Sqrt':
      return device === 'wasm' ? { rtol: 0, atol: 0 } : { rtol: 5 * ULP1, atol: 0 };
    case 'Exp': {
      if (device === 'wasm') return { rtol: TRANS_RTOL, atol: FLT_MIN };
      const per = new Float64Array(x.length);
      for (let i = 0; i < per.length; i++) per[i] = (3 + 2 * Math.abs(x[i]!)) * ULP1 * Math.abs(expected[i]!);
      return { rtol: TRANS_RTOL, atol: FLT_MIN, atolPer: per };
    }
    case 'Log':
      return { rtol: TRANS_RTOL, atol: device === 'wasm' ? ULP1 : 2 ** -21 };
    case 'Tanh':
    case 'Sigmoid':
    case 'Erf':
      return { rtol: TRANS_RTOL, atol: ULP1 + FLT_MIN };
    case 'Gelu': {
      void attrs;
      const per = new Float64Array(x.length);
      for (let i = 0; i < per.length; i++) per[i] = ULP1 * (1 + Math.abs(x[i]!));
      return { rtol: TRANS_RTOL, atol: FLT_MIN, atolPer: per };
    }
  }
}

function matmulTol(r: MatMulRefResult, act: RefActivation | undefined, device: DeviceName): Tol {
  const a = act ?? { kind: 'linear' };
  const L = activationLipschitz(a);
  const trans = activationIsTranscendental(a);
  const under = (r.K + 2) * (device === 'wasm' ? DENORM_MIN : FLT_MIN);
  const per = new Float64Array(r.data.length);
  for (let i = 0; i < per.length; i++) {
    const pre = r.pre[i]!;
    let t = Number.isFinite(pre) ? L * ((r.K + 3) * U * r.absSum[i]! + under) : 0;
    // the float32 evaluation of the activation itself
    if (trans) t += ULP1 * (1 + (a.kind === 'gelu' && Number.isFinite(pre) ? Math.abs(pre) : 0));
    else if (a.kind === 'leakyRelu') t += 2 * U * Math.abs(r.data[i]!);
    else if (a.kind === 'hardSigmoid' && Number.isFinite(pre)) t += 4 * U * (Math.abs((a.alpha ?? 0.2) * pre) + Math.abs(a.beta ?? 0.5));
    per[i] = t;
  }
  return { rtol: trans ? TRANS_RTOL : 0, atol: 0, atolPer: per };
}

// ---------------------------------------------------------------------------------------------
// Checking one case

function describeBinary(a: ArrayLike<number>, b: ArrayLike<number>, ia: Int32Array, ib: Int32Array) {
  return (i: number) => `a[${ia[i]}]=${show(a[ia[i]!]!)}, b[${ib[i]}]=${show(b[ib[i]!]!)}`;
}

function show(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

function fail(msg: string): never {
  throw new Error(msg);
}

function check(out: OpOutput, expectedShape: readonly number[], expectedDType: string, expected: ArrayLike<number>, o: CompareOptions): void {
  expectShape(out.shape, expectedShape, o.op);
  if (out.dtype !== expectedDType) fail(`${o.op}: output dtype ${out.dtype}, expected ${expectedDType}`);
  const r = compareArrays(out.data as unknown as ArrayLike<number>, expected, { ...o, outShape: expectedShape });
  if (!r.ok) fail(r.message);
}

export async function checkBinary(
  rt: Runtime,
  device: DeviceName,
  op: RefBinaryOp,
  dtype: 'float32' | 'int32' | 'bool',
  a: HostTensor,
  b: HostTensor,
  label: string,
  attrs: RefBinaryAttrs = {},
): Promise<void> {
  const ref = refBinary(op, dtype, a.data, a.shape, b.data, b.shape, attrs);
  const out = await execOp(rt, [a, b], ([x, y]) => BINARY_CALL[op](rt, x!, y!, attrs));
  const [ia, ib] = broadcastIndexMaps(ref.shape, a.shape, b.shape) as [Int32Array, Int32Array];
  const outDType = isComparison(op) ? 'bool' : dtype;
  const base: CompareOptions = { op: `${op} ${dtype} on ${label}`, shapes: [a.shape, b.shape], dtype: outDType, describeInputs: describeBinary(a.data, b.data, ia, ib), context: `attrs ${JSON.stringify(attrs)}` };
  let alt: ArrayLike<number>[] | undefined;
  if (device === 'webgpu' && dtype === 'float32') {
    const fr = refBinary(op, dtype, flushDenormals(a.data), a.shape, flushDenormals(b.data), b.shape, attrs).data;
    alt = [isComparison(op) ? fr : flushDenormals(fr)];
    // floored Mod adds b to the exact remainder: with subnormal operands WGSL may flush that sum
    // (and may flush a subnormal remainder as an operand of that sum)
    if (op === 'Mod') {
      alt.push(flushDenormals(ref.data));
      if (attrs.fmod !== 1) {
        alt.push(Float64Array.from(ref.data, (v, i) => {
          const [x, y] = [a.data[ia[i]!]!, b.data[ib[i]!]!];
          const r = x % y;
          return r !== 0 && r < 0 !== y < 0 ? flushDenormals([r])[0]! + y : v;
        }));
      }
    }
    if (op === 'FloorDiv') {
      // WGSL division is accurate to 2.5 ulp: the floor of a quotient that far off is right too
      // (and WGSL may flush a subnormal quotient to 0 before the floor)
      const fa = flushDenormals(a.data);
      const fb = flushDenormals(b.data);
      for (const e of [-2.5, 2.5]) alt.push(Float64Array.from(ref.data, (_, i) => Math.floor(Math.fround(fa[ia[i]!]! / fb[ib[i]!]!) * (1 + e * ULP1))));
      alt.push(Float64Array.from(ref.data, (_, i) => Math.floor(flushDenormals([Math.fround(fa[ia[i]!]! / fb[ib[i]!]!)])[0]!)));
    }
  }
  if (isComparison(op) || dtype !== 'float32') {
    check(out, ref.shape, outDType, ref.data, { ...base, alt });
    return;
  }
  const tol = binaryTol(op as RefArith, device, a.data, b.data, ia, ib, ref.data, attrs);
  check(out, ref.shape, outDType, ref.data, { ...base, ...tol, alt });
}

export async function checkUnary(
  rt: Runtime,
  device: DeviceName,
  op: RefUnaryOp,
  dtype: 'float32' | 'int32' | 'bool',
  x: HostTensor,
  attrs: RefUnaryAttrs,
  label: string,
): Promise<void> {
  const expected = refUnary(op, dtype === 'int32' ? 'int32' : 'float32', x.data, attrs);
  const out = await execOp(rt, [x], ([t]) => UNARY_CALL[op](rt, t!, attrs));
  const outDType = PREDICATES.includes(op) ? 'bool' : dtype;
  const base: CompareOptions = {
    op: `${op} ${dtype} on ${label}`,
    shapes: [x.shape],
    dtype: outDType,
    describeInputs: (i) => `x[${i}]=${show(x.data[i]!)}`,
    context: `attrs ${JSON.stringify(attrs)}`,
  };
  if (outDType !== 'float32') {
    check(out, x.shape, outDType, expected, base);
    return;
  }
  const alt: ArrayLike<number>[] = [];
  if (op === 'Sin' || op === 'Cos' || op === 'Tan') {
    // documented domain: |x| > 2^29 gives NaN on both devices
    alt.push(Float64Array.from(expected, (v, i) => (Math.abs(x.data[i]!) > 2 ** 29 ? NaN : v)));
  }
  if (op === 'Gelu' || op === 'HardSwish' || op === 'Mish') {
    // gelu(-Inf): the formula gives -Inf·0 = NaN (ONNX reference), the limit is 0; accept both.
    const lim = Float64Array.from(expected, (v, i) => (x.data[i] === -Infinity ? 0 : v));
    alt.push(lim);
  }
  if (device === 'webgpu') alt.push(flushDenormals(refUnary(op, 'float32', flushDenormals(x.data), attrs)));
  const tol = unaryTol(op, device, x.data, attrs, expected);
  check(out, x.shape, outDType, expected, { ...base, ...tol, alt });
}

export interface MatMulInputs {
  a: HostTensor;
  b: HostTensor;
  bias?: HostTensor;
  transA: boolean;
  transB: boolean;
  activation: RefActivation | undefined;
}

export async function checkMatMul(rt: Runtime, device: DeviceName, dtype: 'float32' | 'int32', m: MatMulInputs, label: string): Promise<void> {
  const ref = refMatMul(dtype, m.a.data, m.a.shape, m.b.data, m.b.shape, {
    transA: m.transA,
    transB: m.transB,
    bias: m.bias?.data,
    biasShape: m.bias?.shape,
    activation: m.activation,
  });
  const inputs = m.bias ? [m.a, m.b, m.bias] : [m.a, m.b];
  const attrs = {
    ...(m.transA ? { transA: true } : {}),
    ...(m.transB ? { transB: true } : {}),
    ...(m.activation ? { activation: m.activation as never } : {}),
  };
  const out = await execOp(rt, inputs, ([a, b, bias]) => rt.matmul(a!, b!, { ...attrs, ...(bias ? { bias } : {}) }));
  const shapes = inputs.map((t) => t.shape);
  const o: CompareOptions = {
    op: `MatMul ${dtype} on ${label}`,
    shapes,
    dtype,
    describeInputs: (i) => {
      const mn = i % (ref.M * ref.N);
      return `row ${Math.floor(mn / ref.N)}, col ${mn % ref.N} of batch ${Math.floor(i / (ref.M * ref.N))}, K=${ref.K}${dtype === 'float32' ? `, pre-activation ${ref.pre[i]}, Σ|terms| ${ref.absSum[i]}` : ''}`;
    },
    context: `transA=${m.transA} transB=${m.transB} activation=${JSON.stringify(m.activation)}`,
  };
  if (dtype === 'int32') return check(out, ref.shape, dtype, ref.data, o);
  const alt: ArrayLike<number>[] = [];
  if (m.activation?.kind === 'gelu') alt.push(Float64Array.from(ref.data, (v, i) => (ref.pre[i] === -Infinity ? 0 : v)));
  check(out, ref.shape, dtype, ref.data, { ...o, ...matmulTol(ref, m.activation, device), alt });
}

export interface GemmInputs {
  a: HostTensor;
  b: HostTensor;
  c?: HostTensor;
  transA: boolean;
  transB: boolean;
  alpha: number | undefined;
  beta: number | undefined;
}

export async function checkGemm(rt: Runtime, device: DeviceName, dtype: 'float32' | 'int32', g: GemmInputs, label: string): Promise<void> {
  const opts = { transA: g.transA, transB: g.transB, alpha: g.alpha, beta: g.beta };
  const ref = refGemm(dtype, g.a.data, g.a.shape, g.b.data, g.b.shape, g.c?.data, g.c?.shape, opts);
  const attrs = {
    ...(g.transA ? { transA: true } : {}),
    ...(g.transB ? { transB: true } : {}),
    ...(g.alpha !== undefined ? { alpha: g.alpha } : {}),
    ...(g.beta !== undefined ? { beta: g.beta } : {}),
  };
  const inputs = g.c ? [g.a, g.b, g.c] : [g.a, g.b];
  const out = await execOp(rt, inputs, ([a, b, c]) => rt.gemm(a!, b!, c, attrs));
  const o: CompareOptions = {
    op: `Gemm ${dtype} on ${label}`,
    shapes: inputs.map((t) => t.shape),
    dtype,
    describeInputs: (i) => `row ${Math.floor(i / Math.max(1, ref.N))}, col ${i % Math.max(1, ref.N)}, K=${ref.K}${dtype === 'float32' ? `, Σ|terms| ${ref.absSum[i]}` : ''}`,
    context: `attrs ${JSON.stringify(attrs)}`,
  };
  if (dtype === 'int32') return check(out, ref.shape, dtype, ref.data, o);
  // beta = 0 with a non-finite C: ONNX's formula gives 0·Inf = NaN; skipping the C term is also accepted.
  const alt: ArrayLike<number>[] = [];
  if (g.c && g.beta === 0) alt.push(refGemm(dtype, g.a.data, g.a.shape, g.b.data, g.b.shape, undefined, undefined, opts).data);
  check(out, ref.shape, dtype, ref.data, { ...o, ...matmulTol(ref, undefined, device), alt });
}

export async function checkSoftmax(rt: Runtime, device: DeviceName, x: HostTensor, axis: number | undefined, label: string): Promise<void> {
  const expected = refSoftmax(x.data, x.shape, axis ?? -1);
  const out = await execOp(rt, [x], ([t]) => rt.softmax(t!, axis === undefined ? {} : { axis }));
  const { axisSize, inner } = softmaxAxis(x.shape, axis ?? -1);
  const alt = device === 'webgpu' ? [flushDenormals(refSoftmax(flushDenormals(x.data), x.shape, axis ?? -1))] : undefined;
  check(out, x.shape, 'float32', expected, {
    op: `Softmax float32 on ${label}`,
    shapes: [x.shape],
    dtype: 'float32',
    rtol: 2 * TRANS_RTOL + (axisSize + 4) * U,
    atol: ULP1 + FLT_MIN,
    alt,
    context: `axis ${axis ?? 'default (-1)'}`,
    describeInputs: (i) => {
      const o = Math.floor(i / (axisSize * inner));
      const inn = i % inner;
      const slice = Array.from({ length: Math.min(axisSize, 12) }, (_, k) => show(x.data[o * axisSize * inner + k * inner + inn]!));
      return `slice (outer ${o}, inner ${inn}) = [${slice.join(', ')}${axisSize > 12 ? ', …' : ''}]`;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Input builders

function floatT(shape: number[], d: FloatData): HostTensor {
  return { data: genFloat32(sizeOf(shape), d), shape, dtype: 'float32' };
}
function intT(shape: number[], d: IntData): HostTensor {
  return { data: genInt32(sizeOf(shape), d), shape, dtype: 'int32' };
}
/** bool tensor: mostly 0/1, with some other non-zero bytes (also true). */
function boolT(shape: number[], seed: number): HostTensor {
  const r = prng(seed);
  return { data: Uint8Array.from({ length: sizeOf(shape) }, () => { const u = r(); return u < 0.45 ? 0 : u < 0.9 ? 1 : 2 + Math.floor(r() * 254); }), shape, dtype: 'bool' };
}

/** Attributes of the binary ops that have them. */
function binaryAttrsArb(op: RefBinaryOp): fc.Arbitrary<RefBinaryAttrs> {
  if (op === 'Mod') return fc.constantFrom<RefBinaryAttrs>({}, { fmod: 0 }, { fmod: 1 });
  if (op === 'BitShift') return fc.constantFrom<RefBinaryAttrs>({ direction: 'LEFT' }, { direction: 'RIGHT' });
  return fc.constant({});
}

/** PRelu broadcasts the slope to X only: X takes the broadcast shape. */
function fitShapes(op: RefBinaryOp, [sa, sb]: [number[], number[]]): [number[], number[]] {
  return op === 'PRelu' ? [broadcastShape(sa, sb), sb] : [sa, sb];
}

const leakyAlphaArb = fc.constantFrom(undefined, 0.01, 0.2, 0, -1.5, 3);
const clipArb = fc.constantFrom<[number | undefined, number | undefined]>([-1, 1], [0, 6], [undefined, 0.5], [-0.25, undefined], [undefined, undefined], [2, 2], [3, -3], [-Infinity, Infinity]);
const intClipArb = fc.constantFrom<[number | undefined, number | undefined]>([-5, 5], [0, 100], [undefined, 3], [-7, undefined], [undefined, undefined], [2, 2], [INT32_MIN, INT32_MAX], [4, -4]);

function unaryAttrsArb(op: RefUnaryOp, dtype: 'float32' | 'int32'): fc.Arbitrary<RefUnaryAttrs> {
  const strip = (o: RefUnaryAttrs) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as RefUnaryAttrs;
  switch (op) {
    case 'LeakyRelu':
      return leakyAlphaArb.map((alpha) => strip({ alpha }));
    case 'Clip':
      return (dtype === 'int32' ? intClipArb : clipArb).map(([min, max]) => strip({ min, max }));
    case 'Gelu':
      return fc.constantFrom(undefined, 'none' as const, 'tanh' as const).map((approximate) => strip({ approximate }));
    case 'Elu':
    case 'Celu':
      return fc.constantFrom(undefined, 1, 0.5, 2.5).map((alpha) => strip({ alpha }));
    case 'Selu':
      return fc.constantFrom<RefUnaryAttrs>({}, { alpha: 2, gamma: 0.5 });
    case 'HardSigmoid':
      return fc.constantFrom<RefUnaryAttrs>({}, { alpha: 0.5, beta: 0.25 }, { alpha: -1, beta: 0 });
    case 'ThresholdedRelu':
      return fc.constantFrom(undefined, 0, -1, 2.5).map((alpha) => strip({ alpha }));
    case 'Step':
      return fc.constantFrom(undefined, 0.3, -2).map((alpha) => strip({ alpha }));
    case 'Shrink':
      return fc.constantFrom<RefUnaryAttrs>({}, { bias: 0.5, lambd: 1 }, { bias: -1, lambd: 0 });
    case 'IsInf':
      return fc.constantFrom<RefUnaryAttrs>({}, { detect_positive: 0 }, { detect_negative: 0 }, { detect_positive: 0, detect_negative: 0 });
    default:
      return fc.constant({});
  }
}

const TRANSCENDENTAL = ['Exp', 'Log', 'Tanh', 'Sigmoid', 'Erf', 'Gelu', 'Elu', 'Selu', 'Celu', 'Softplus', 'Expm1', 'Log1p', 'Mish', 'HardSwish', 'HardSigmoid', 'Sinh', 'Cosh', 'Atanh'];
function unaryProfile(op: RefUnaryOp): fc.Arbitrary<FloatProfile> {
  return TRANSCENDENTAL.includes(op) ? fc.constantFrom('transcendental', 'transcendental', 'general') : fc.constantFrom('general', 'transcendental');
}

/** Ops of the first set keep their full run count; later ones run fewer cases (same generators). */
const FIRST_SET_UNARY = ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Gelu', 'Clip'];
const FIRST_SET_BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'];

function withBias(kind: BiasKind, M: number, N: number, make: (shape: number[]) => HostTensor): HostTensor | undefined {
  const s = biasShape(kind, M, N);
  return s ? make(s) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The suite

/**
 * Define the property suite for one device. `threads` only matters for wasm. `cfg` scales runs and
 * sizes (SwiftShader is slow). Pass `skipReason` to register the suite as skipped with that message.
 */
export function defineOpProperties(device: DeviceName, threads: number, cfg: PropertyConfig = device === 'wasm' ? WASM_CONFIG : WEBGPU_CONFIG, skipReason?: string): void {
  const label = device === 'wasm' ? `wasm (threads=${threads})` : 'webgpu';
  const suite = skipReason ? describe.skip : describe;
  suite(`op properties on ${label}${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, () => {
    let rt: Runtime;
    beforeAll(async () => {
      rt = await createRuntime({ device, threads });
    });
    afterAll(() => rt?.dispose());

    // Cap a property's time (shrinking a failure on SwiftShader can take long); a failure found before
    // the cap is still reported with the smallest counterexample reached.
    const params = { numRuns: cfg.numRuns, interruptAfterTimeLimit: device === 'webgpu' ? 20_000 : 30_000 };
    const later = { ...params, numRuns: Math.ceil(cfg.numRuns / 3) };
    const paramsFor = (op: string) => (FIRST_SET_UNARY.includes(op) || FIRST_SET_BINARY.includes(op) ? params : later);
    const shapeOpts = { maxSize: cfg.maxSize };

    for (const op of [...ARITH, ...COMPARE]) {
      // float32-only ops (Atan2) define no int32 properties
      const itInt = (FLOAT_ONLY.includes(op) ? () => undefined : it) as typeof it;
      it(`${op} float32 (broadcasting, NaN/Inf/±0/denormals)`, async () => {
        const profiles = op === 'Pow' ? fc.constantFrom<FloatProfile>('transcendental', 'general') : fc.constant<FloatProfile>('general');
        await fc.assert(
          fc.asyncProperty(broadcastPairArb(shapeOpts).map((p) => fitShapes(op, p)), profiles.chain((p) => fc.tuple(floatDataArb(p), floatDataArb(op === 'Pow' ? 'transcendental' : p))), binaryAttrsArb(op), async ([sa, sb], [da, db], attrs) => {
            await checkBinary(rt, device, op, 'float32', floatT(sa, da), floatT(sb, db), label, attrs);
          }),
          paramsFor(op),
        );
      });
      itInt(`${op} int32 (broadcasting, wrapping, INT32_MIN/MAX, zero divisors)`, async () => {
        await fc.assert(
          fc.asyncProperty(broadcastPairArb(shapeOpts).map((p) => fitShapes(op, p)), intDataArb('general'), intDataArb(op === 'Pow' ? 'exponent' : 'general'), binaryAttrsArb(op), async ([sa, sb], da, db, attrs) => {
            await checkBinary(rt, device, op, 'int32', intT(sa, da), intT(sb, db), label, attrs);
          }),
          paramsFor(op),
        );
      });
      // PRelu's slope must broadcast to X: the [n, 1] × [1, n] grid runs as [n, n] × [1, n]
      const grid = (s: Float32Array | Int32Array, dtype: 'float32' | 'int32'): [HostTensor, HostTensor] => {
        const n = s.length;
        const a: HostTensor = op === 'PRelu' ? { data: Float32Array.from({ length: n * n }, (_, i) => s[Math.floor(i / n)]!), shape: [n, n], dtype } : { data: s, shape: [n, 1], dtype };
        if (op === 'PRelu' && dtype === 'int32') a.data = Int32Array.from(a.data);
        return [a, { data: s, shape: [1, n], dtype }];
      };
      it(`${op} float32 on every pair of edge values`, async () => {
        for (const attrs of fc.sample(binaryAttrsArb(op), { numRuns: 3, seed: 1 })) await checkBinary(rt, device, op, 'float32', ...grid(Float32Array.from(FLOAT_SPECIALS), 'float32'), label, attrs);
      });
      itInt(`${op} int32 on every pair of edge values`, async () => {
        const s = Int32Array.from([INT32_MIN, INT32_MIN + 1, -65536, -7, -2, -1, 0, 1, 2, 3, 7, 31, 32, 46341, 65536, INT32_MAX - 1, INT32_MAX]);
        for (const attrs of fc.sample(binaryAttrsArb(op), { numRuns: 3, seed: 1 })) await checkBinary(rt, device, op, 'int32', ...grid(s, 'int32'), label, attrs);
      });
    }

    for (const op of LOGICAL) {
      it(`${op} bool (broadcasting, non-0/1 true bytes)`, async () => {
        await fc.assert(
          fc.asyncProperty(broadcastPairArb(shapeOpts), fc.integer(), fc.integer(), async ([sa, sb], s1, s2) => {
            await checkBinary(rt, device, op, 'bool', boolT(sa, s1), boolT(sb, s2), label);
          }),
          later,
        );
      });
    }
    it('BitShift int32 (LEFT/RIGHT, amounts outside [0, 31], broadcasting)', async () => {
      await fc.assert(
        fc.asyncProperty(broadcastPairArb(shapeOpts), intDataArb('general'), intDataArb('exponent'), binaryAttrsArb('BitShift'), async ([sa, sb], da, db, attrs) => {
          await checkBinary(rt, device, 'BitShift', 'int32', intT(sa, da), intT(sb, db), label, attrs);
        }),
        later,
      );
    });

    for (const op of FLOAT_UNARY) {
      it(`${op} float32`, async () => {
        await fc.assert(
          fc.asyncProperty(shapeArb(shapeOpts), unaryProfile(op).chain((p) => floatDataArb(p)), unaryAttrsArb(op, 'float32'), async (shape, d, attrs) => {
            await checkUnary(rt, device, op, 'float32', floatT(shape, d), attrs, label);
          }),
          paramsFor(op),
        );
      });
      it(`${op} float32 on edge values`, async () => {
        const s = Float32Array.from([...FLOAT_SPECIALS, 88.72, 88.73, -87.3, -103.9, -104, 1.0000001, 0.99999994, 1e-20, -1e-20, 9, -9, 4.5, -4.5, 1e-7]);
        const attrs = fc.sample(unaryAttrsArb(op, 'float32'), { numRuns: 3, seed: 1 });
        for (const a of [{}, ...attrs]) await checkUnary(rt, device, op, 'float32', { data: s, shape: [s.length], dtype: 'float32' }, a, label);
      });
    }
    for (const op of INT_UNARY) {
      it(`${op} int32`, async () => {
        await fc.assert(
          fc.asyncProperty(shapeArb(shapeOpts), intDataArb('general'), unaryAttrsArb(op, 'int32'), async (shape, d, attrs) => {
            await checkUnary(rt, device, op, 'int32', intT(shape, d), attrs, label);
          }),
          paramsFor(op),
        );
      });
    }
    for (const op of BOOL_UNARY) {
      it(`${op} bool`, async () => {
        await fc.assert(
          fc.asyncProperty(shapeArb(shapeOpts), fc.integer(), async (shape, seed) => {
            await checkUnary(rt, device, op, 'bool', boolT(shape, seed), {}, label);
          }),
          later,
        );
      });
    }

    for (const dtype of ['float32', 'int32'] as const) {
      it(`MatMul ${dtype} (1-D promotion, batch broadcast, transposes, bias${dtype === 'float32' ? ', activations' : ''})`, async () => {
        await fc.assert(
          fc.asyncProperty(
            matmulCaseArb({ maxDim: cfg.maxDim, maxWork: cfg.maxWork, activations: dtype === 'float32' }),
            dtype === 'float32' ? floatDataArb('moderate', 0.02) : intDataArb('general'),
            fc.integer(),
            async (c, d, seed2) => {
              const make = (shape: number[], s: number): HostTensor =>
                dtype === 'float32' ? floatT(shape, { ...(d as FloatData), seed: s }) : intT(shape, { ...(d as IntData), seed: s });
              await checkMatMul(
                rt,
                device,
                dtype,
                {
                  a: make(c.aShape, d.seed),
                  b: make(c.bShape, seed2),
                  bias: withBias(c.bias, c.M, c.N, (s) => make(s, d.seed ^ seed2)),
                  transA: c.transA,
                  transB: c.transB,
                  activation: c.activation,
                },
                label,
              );
            },
          ),
          params,
        );
      });
      it(`Gemm ${dtype} (transposes, alpha/beta, C broadcast)`, async () => {
        await fc.assert(
          fc.asyncProperty(gemmCaseArb(dtype, cfg.maxDim), dtype === 'float32' ? floatDataArb('moderate', 0.02) : intDataArb('general'), fc.integer(), async (g, d, seed2) => {
            const make = (shape: number[], s: number): HostTensor =>
              dtype === 'float32' ? floatT(shape, { ...(d as FloatData), seed: s }) : intT(shape, { ...(d as IntData), seed: s });
            await checkGemm(
              rt,
              device,
              dtype,
              {
                a: make(g.transA ? [g.K, g.M] : [g.M, g.K], d.seed),
                b: make(g.transB ? [g.N, g.K] : [g.K, g.N], seed2),
                c: withBias(g.c, g.M, g.N, (s) => make(s, d.seed ^ seed2)),
                transA: g.transA,
                transB: g.transB,
                alpha: g.alpha,
                beta: g.beta,
              },
              label,
            );
          }),
          params,
        );
      });
    }
    it('MatMul float32: K = 0 gives zeros (plus bias), Inf·0 is not invented by padding', async () => {
      await checkMatMul(rt, device, 'float32', { a: floatT([5, 0], { seed: 1, specialRate: 0, profile: 'moderate' }), b: floatT([0, 7], { seed: 2, specialRate: 0, profile: 'moderate' }), transA: false, transB: false, activation: undefined }, label);
      await checkMatMul(
        rt,
        device,
        'float32',
        { a: floatT([3, 0], { seed: 1, specialRate: 0, profile: 'moderate' }), b: floatT([0, 5], { seed: 2, specialRate: 0, profile: 'moderate' }), bias: floatT([5], { seed: 3, specialRate: 0, profile: 'moderate' }), transA: false, transB: false, activation: { kind: 'relu' } },
        label,
      );
      // Inf in B next to tile padding of A: a kernel that pads with 0 and multiplies gets NaN outside the real tile.
      const a = new Float32Array(5 * 3).fill(1);
      const b = new Float32Array(3 * 5).fill(Infinity);
      await checkMatMul(rt, device, 'float32', { a: { data: a, shape: [5, 3], dtype: 'float32' }, b: { data: b, shape: [3, 5], dtype: 'float32' }, transA: false, transB: false, activation: undefined }, label);
    });

    it('Softmax float32 along any axis (incl. all -Inf slices → NaN)', async () => {
      await fc.assert(
        fc.asyncProperty(shapeWithAxisArb({ maxSize: cfg.maxSize, minRank: 0 }), fc.constantFrom<FloatProfile>('transcendental', 'general', 'moderate').chain((p) => floatDataArb(p, 0.05)), fc.boolean(), async ({ shape, axis }, d, negInfSlice) => {
          const x = floatT(shape, d);
          if (negInfSlice && x.data.length > 0) {
            // make the slice through element 0 entirely -Inf
            const { axisSize, inner } = softmaxAxis(shape, axis ?? -1);
            for (let k = 0; k < axisSize; k++) x.data[k * inner] = -Infinity;
          }
          await checkSoftmax(rt, device, x, axis, label);
        }),
        params,
      );
    });
    it('Softmax float32: large rows and odd row lengths', async () => {
      for (const shape of [[3, 1000], [2, 33], [7, 1], [1, 257], [4, 3, 5]]) {
        const x = floatT(shape, { seed: shape[1]!, specialRate: 0, profile: 'general' });
        await checkSoftmax(rt, device, x, undefined, label);
        await checkSoftmax(rt, device, x, 0, label);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Thread determinism (wasm)

/** Fixed inputs large enough that a threads=2 runtime splits every op across both threads. */
export interface DeterminismCase {
  name: string;
  inputs: HostTensor[];
  call: (rt: Runtime, ts: Tensor[]) => Tensor;
}

export function determinismCases(): DeterminismCase[] {
  const g = (shape: number[], seed: number, profile: FloatProfile = 'general', specialRate = 0.01): HostTensor => floatT(shape, { seed, specialRate, profile });
  const gi = (shape: number[], seed: number, profile: 'general' | 'exponent' = 'general'): HostTensor => intT(shape, { seed, profile });
  const cases: DeterminismCase[] = [];
  const big = [96, 2049];
  for (const op of [...ARITH, ...COMPARE]) {
    cases.push({ name: `${op} float32`, inputs: [g(big, 1, op === 'Pow' ? 'transcendental' : 'general'), g([2049], 2, op === 'Pow' ? 'transcendental' : 'general')], call: (rt, [a, b]) => BINARY_CALL[op](rt, a!, b!) });
    cases.push({ name: `${op} float32 (same shapes)`, inputs: [g(big, 3), g(big, 4)], call: (rt, [a, b]) => BINARY_CALL[op](rt, a!, b!) });
    if (!FLOAT_ONLY.includes(op)) cases.push({ name: `${op} int32`, inputs: [gi(big, 5), gi([96, 1], 6, op === 'Pow' ? 'exponent' : 'general')], call: (rt, [a, b]) => BINARY_CALL[op](rt, a!, b!) });
  }
  cases.push({ name: 'Mod float32 (fmod=1)', inputs: [g(big, 31), g([2049], 32)], call: (rt, [a, b]) => BINARY_CALL.Mod(rt, a!, b!, { fmod: 1 }) });
  cases.push({ name: 'BitShift int32', inputs: [gi(big, 33), gi([96, 1], 34, 'exponent')], call: (rt, [a, b]) => BINARY_CALL.BitShift(rt, a!, b!, { direction: 'RIGHT' }) });
  for (const op of LOGICAL) cases.push({ name: `${op} bool`, inputs: [boolT([96, 4099], 35), boolT([4099], 36)], call: (rt, [a, b]) => BINARY_CALL[op](rt, a!, b!) });
  cases.push({ name: 'Not bool', inputs: [boolT([96, 4099], 37)], call: (rt, [x]) => UNARY_CALL.Not(rt, x!, {}) });
  for (const op of FLOAT_UNARY) {
    const attrs: RefUnaryAttrs = op === 'Clip' ? { min: -1, max: 2 } : op === 'LeakyRelu' ? { alpha: 0.1 } : op === 'Gelu' ? { approximate: 'tanh' } : {};
    cases.push({ name: `${op} float32`, inputs: [g(big, 7, 'transcendental')], call: (rt, [x]) => UNARY_CALL[op](rt, x!, attrs) });
    if (op === 'Gelu') cases.push({ name: 'Gelu float32 (exact)', inputs: [g(big, 8, 'transcendental')], call: (rt, [x]) => rt.gelu(x!) });
  }
  for (const op of INT_UNARY) {
    const attrs: RefUnaryAttrs = op === 'Clip' ? { min: -100, max: 1000 } : {};
    cases.push({ name: `${op} int32`, inputs: [gi(big, 9)], call: (rt, [x]) => UNARY_CALL[op](rt, x!, attrs) });
  }
  const mm = (s: number[], seed: number) => g(s, seed, 'moderate', 0);
  cases.push({ name: 'MatMul float32 (batched, bias, gelu)', inputs: [mm([3, 97, 131], 10), mm([131, 67], 11), mm([67], 12)], call: (rt, [a, b, c]) => rt.matmul(a!, b!, { bias: c!, activation: { kind: 'gelu' } }) });
  cases.push({ name: 'MatMul float32 (transposed, large)', inputs: [mm([200, 257], 13), mm([129, 200], 14)], call: (rt, [a, b]) => rt.matmul(a!, b!, { transA: true, transB: true }) });
  cases.push({ name: 'MatMul int32', inputs: [gi([170, 120], 15), gi([120, 130], 16)], call: (rt, [a, b]) => rt.matmul(a!, b!) });
  cases.push({ name: 'Gemm float32', inputs: [mm([257, 190], 17), mm([190, 133], 18), mm([257, 1], 19)], call: (rt, [a, b, c]) => rt.gemm(a!, b!, c!, { alpha: 0.5, beta: -2 }) });
  cases.push({ name: 'Gemm int32', inputs: [gi([120, 170], 20), gi([130, 120], 21), gi([130], 22)], call: (rt, [a, b, c]) => rt.gemm(a!, b!, c!, { transA: true, transB: true, alpha: 3 }) });
  cases.push({ name: 'Softmax float32 (last axis)', inputs: [g([1024, 129], 23, 'transcendental', 0)], call: (rt, [x]) => rt.softmax(x!) });
  cases.push({ name: 'Softmax float32 (axis 0)', inputs: [g([129, 1024], 24, 'transcendental', 0)], call: (rt, [x]) => rt.softmax(x!, { axis: 0 }) });
  return cases;
}

/** Run `c` and return the raw output bytes (for bit-identical comparison). */
export async function runRaw(rt: Runtime, c: DeterminismCase): Promise<AnyTypedArray> {
  return (await execOp(rt, c.inputs, (ts) => c.call(rt, ts))).data;
}

