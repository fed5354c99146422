/**
 * float64 references for the elementwise unary ops and the fused activations, from their definitions.
 * JS has no Math.erf, so erf/erfc are implemented here to ~1e-15 relative accuracy:
 *  - |x| < 3: erf(x) = 2/√π · e^{-x²} · Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·5···(2n+1))   (all terms share one
 *    sign, so there is no cancellation, unlike the Maclaurin series);
 *  - |x| ≥ 3 (erf) or x ≥ 1.5 (erfc): erfc(x) = e^{-x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …)))))  (Laplace's
 *    continued fraction, evaluated backward with a fixed depth that converges to full precision for x ≥ 3).
 * Abramowitz–Stegun 7.1.26 (|ε| ≤ 1.5e-7) would NOT be accurate enough to judge float32 kernels.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)

function erfSeries(x: number): number {
  // x in (-3, 3)
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x >= 1.5 by Laplace's continued fraction (depth 300 converges to double precision from x = 1). */
function erfcCF(x: number): number {
  if (x === Infinity) return 0;
  let f = x;
  for (let k = x < 3 ? 300 : 120; k >= 1; k--) f = x + k / 2 / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return x; // keeps -0
  const ax = Math.abs(x);
  if (ax < 3) return erfSeries(x);
  const r = 1 - erfcCF(ax);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  // 1 − erf(x) would lose relative accuracy as erfc(x) gets small: use the fraction from x = 1.5 on.
  if (x >= 1.5) return erfcCF(x);
  if (x <= -3) return 2 - erfcCF(-x);
  return 1 - erfSeries(x);
}

export function sigmoid(x: number): number {
  // 1/(1+e^{-x}) written so that neither branch overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Exact GELU x·Φ(x) = ½·x·(1 + erf(x/√2)) = ½·x·erfc(-x/√2) (the erfc form keeps full relative
 * accuracy for large negative x). At x = -Inf the ONNX formula gives -Inf·0 = NaN while the limit is 0;
 * the comparison accepts both there (see geluAltAtNegInf).
 */
export function geluExact(x: number): number {
  if (x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  return 0.5 * x * erfc(-x * SQRT1_2);
}

/** GELU tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

export type RefUnaryOp =
  | 'Relu' | 'LeakyRelu' | 'Sigmoid' | 'Tanh' | 'Exp' | 'Log' | 'Sqrt' | 'Abs' | 'Neg' | 'Erf' | 'Gelu' | 'Clip'
  | 'Floor' | 'Ceil' | 'Round' | 'Reciprocal' | 'Square' | 'Rsqrt' | 'Sign' | 'Relu6' | 'Elu' | 'Selu' | 'Celu'
  | 'HardSigmoid' | 'HardSwish' | 'Softplus' | 'Softsign' | 'Expm1' | 'Log1p' | 'ThresholdedRelu' | 'Shrink' | 'Step' | 'Mish'
  | 'Sin' | 'Cos' | 'Tan' | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh' | 'Atan' | 'Asin' | 'Acos' | 'IsNaN' | 'IsInf' | 'Not';

export interface RefUnaryAttrs {
  alpha?: number;
  beta?: number;
  gamma?: number;
  bias?: number;
  lambd?: number;
  detect_positive?: number;
  detect_negative?: number;
  min?: number;
  max?: number;
  approximate?: 'none' | 'tanh';
}

/** ONNX Selu defaults (the float32 constants of the spec, as float64). */
export const SELU_ALPHA = 1.67326319217681884765625;
export const SELU_GAMMA = 1.05070102214813232421875;

/** log(1 + e^x) without overflow: max(x, 0) + log1p(e^−|x|). */
export function softplus(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Round half to even (ONNX Round, numpy.round). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

/** ONNX Clip: min(max(x, lo), hi), NaN stays NaN. */
export function clip(x: number, lo: number, hi: number): number {
  if (Number.isNaN(x)) return NaN;
  return Math.min(Math.max(x, lo), hi);
}

export function floatUnary(op: RefUnaryOp, x: number, attrs: RefUnaryAttrs = {}): number {
  switch (op) {
    case 'Relu':
      return Number.isNaN(x) ? NaN : x > 0 ? x : 0;
    case 'LeakyRelu': {
      const alpha = attrs.alpha ?? 0.01;
      return Number.isNaN(x) ? NaN : x >= 0 ? x : alpha * x;
    }
    case 'Sigmoid':
      return sigmoid(x);
    case 'Tanh':
      return Math.tanh(x);
    case 'Exp':
      return Math.exp(x);
    case 'Log':
      return Math.log(x);
    case 'Sqrt':
      return Math.sqrt(x);
    case 'Abs':
      return Math.abs(x);
    case 'Neg':
      return -x;
    case 'Erf':
      return erf(x);
    case 'Gelu':
      return (attrs.approximate ?? 'none') === 'tanh' ? geluTanh(x) : geluExact(x);
    case 'Clip':
      return clip(x, attrs.min ?? -Infinity, attrs.max ?? Infinity);
    case 'Floor':
      return Math.floor(x);
    case 'Ceil':
      return Math.ceil(x);
    case 'Round':
      return roundHalfEven(x);
    case 'Reciprocal':
      return 1 / x;
    case 'Square':
      return x * x;
    case 'Rsqrt':
      return 1 / Math.sqrt(x);
    case 'Sign':
      // ±0 and NaN map to themselves (numpy)
      return x > 0 ? 1 : x < 0 ? -1 : x;
    case 'Relu6':
      return clip(x, 0, 6);
    case 'Elu':
      return Number.isNaN(x) ? NaN : x >= 0 ? x : (attrs.alpha ?? 1) * Math.expm1(x);
    case 'Celu': {
      // ONNX: max(0, x) + min(0, alpha·(e^{x/alpha} − 1))
      const a = attrs.alpha ?? 1;
      return Number.isNaN(x) ? NaN : Math.max(0, x) + Math.min(0, a * Math.expm1(x / a));
    }
    case 'Selu': {
      const g = attrs.gamma ?? SELU_GAMMA;
      return Number.isNaN(x) ? NaN : x > 0 ? g * x : g * (attrs.alpha ?? SELU_ALPHA) * Math.expm1(x);
    }
    case 'HardSigmoid':
      return Number.isNaN(x) ? NaN : Math.max(0, Math.min(1, (attrs.alpha ?? 0.2) * x + (attrs.beta ?? 0.5)));
    case 'HardSwish':
      // ONNX: x · max(0, min(1, x/6 + 1/2)); −Inf gives −Inf·0 = NaN, as the formula
      return x * (Number.isNaN(x) ? NaN : Math.max(0, Math.min(1, x / 6 + 0.5)));
    case 'Softplus':
      return softplus(x);
    case 'Softsign':
      return Number.isFinite(x) ? x / (1 + Math.abs(x)) : Number.isNaN(x) ? NaN : Math.sign(x);
    case 'Expm1':
      return Math.expm1(x);
    case 'Log1p':
      return Math.log1p(x);
    case 'Mish':
      return x * Math.tanh(softplus(x)); // −Inf·0 = NaN at −Inf, as the formula
    case 'ThresholdedRelu':
      return x > (attrs.alpha ?? 1) ? x : 0;
    case 'Shrink': {
      const l = attrs.lambd ?? 0.5;
      const b = attrs.bias ?? 0;
      return x < -l ? x + b : x > l ? x - b : 0;
    }
    case 'Step':
      // tfjs step: x > 0 ? 1 : alpha, NaN stays NaN
      return Number.isNaN(x) ? NaN : x > 0 ? 1 : (attrs.alpha ?? 0);
    case 'Sin':
      return Math.sin(x);
    case 'Cos':
      return Math.cos(x);
    case 'Tan':
      return Math.tan(x);
    case 'Sinh':
      return Math.sinh(x);
    case 'Cosh':
      return Math.cosh(x);
    case 'Asinh':
      return Math.asinh(x);
    case 'Acosh':
      return Math.acosh(x);
    case 'Atanh':
      return Math.atanh(x);
    case 'Atan':
      return Math.atan(x);
    case 'Asin':
      return Math.asin(x);
    case 'Acos':
      return Math.acos(x);
    case 'IsNaN':
      return Number.isNaN(x) ? 1 : 0;
    case 'IsInf':
      return (x === Infinity && (attrs.detect_positive ?? 1) !== 0) || (x === -Infinity && (attrs.detect_negative ?? 1) !== 0) ? 1 : 0;
    case 'Not':
      return x === 0 ? 1 : 0;
  }
}

/** int32 unary ops (Relu, Abs, Neg, Clip, Sign, Square) with wrapping: Abs and Neg of INT32_MIN are INT32_MIN. */
export function intUnary(op: RefUnaryOp, x: number, attrs: RefUnaryAttrs = {}): number {
  switch (op) {
    case 'Relu':
      return x > 0 ? x : 0;
    case 'Abs':
      return Math.abs(x) | 0;
    case 'Neg':
      return -x | 0;
    case 'Clip':
      return clip(x, attrs.min ?? -Infinity, attrs.max ?? Infinity);
    case 'Sign':
      return Math.sign(x);
    case 'Square':
      return Math.imul(x, x);
    default:
      throw new Error(`reference: ${op} has no int32 definition`);
  }
}

export function refUnary(op: RefUnaryOp, dtype: 'float32' | 'int32', x: ArrayLike<number>, attrs: RefUnaryAttrs = {}): Float64Array | Int32Array {
  const n = x.length;
  if (dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = intUnary(op, x[i]!, attrs);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = floatUnary(op, x[i]!, attrs);
  return out;
}

/** Fused MatMul/Gemm epilogue activations (tfjs/ONNX definitions). */
export type RefActivation =
  | { kind: 'linear' }
  | { kind: 'relu' }
  | { kind: 'relu6' }
  | { kind: 'leakyRelu'; alpha?: number }
  | { kind: 'clip'; min?: number; max?: number }
  | { kind: 'sigmoid' }
  | { kind: 'tanh' }
  | { kind: 'gelu' }
  | { kind: 'elu'; alpha?: number }
  | { kind: 'hardSigmoid'; alpha?: number; beta?: number };

/** Defaults as in ops/activation.ts's contract: leakyRelu 0.2 (tfjs), elu 1, hardSigmoid 0.2/0.5 (ONNX). */
export function activate(a: RefActivation, x: number): number {
  if (Number.isNaN(x)) return NaN;
  switch (a.kind) {
    case 'linear':
      return x;
    case 'relu':
      return x > 0 ? x : 0;
    case 'relu6':
      return Math.min(Math.max(x, 0), 6);
    case 'leakyRelu':
      return x >= 0 ? x : (a.alpha ?? 0.2) * x;
    case 'clip':
      return clip(x, a.min ?? -Infinity, a.max ?? Infinity);
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return Math.tanh(x);
    case 'gelu':
      return geluExact(x);
    case 'elu':
      // ONNX Elu: x for x >= 0, alpha·(e^x − 1) otherwise.
      return x >= 0 ? x : (a.alpha ?? 1) * Math.expm1(x);
    case 'hardSigmoid': {
      // ONNX HardSigmoid: max(0, min(1, alpha·x + beta)).
      const v = (a.alpha ?? 0.2) * x + (a.beta ?? 0.5);
      return Math.max(0, Math.min(1, v));
    }
  }
}

/**
 * Lipschitz constant of an activation (bound on |f'|), used to carry the error of the pre-activation
 * value through the epilogue in the tolerance. sigmoid ≤ 1/4, tanh ≤ 1, gelu ≤ 1.13, elu ≤ max(1, alpha).
 */
export function activationLipschitz(a: RefActivation): number {
  switch (a.kind) {
    case 'leakyRelu':
      return Math.max(1, Math.abs(a.alpha ?? 0.2));
    case 'elu':
      return Math.max(1, Math.abs(a.alpha ?? 1));
    case 'hardSigmoid':
      return Math.abs(a.alpha ?? 0.2);
    case 'gelu':
      return 1.13;
    default:
      return 1;
  }
}

/** Whether the activation is a transcendental approximation in the kernel (adds its own error). */
export function activationIsTranscendental(a: RefActivation): boolean {
  return a.kind === 'sigmoid' || a.kind === 'tanh' || a.kind === 'gelu' || a.kind === 'elu';
}
