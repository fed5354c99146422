import { gpuStorable, type DType } from '../core/dtype.js';
import { BOOL_UNARY_OPS, PREDICATE_UNARY_OPS, UNARY_OPS, unaryDTypes, type UnaryOp, type UnaryPlan } from '../ops/unary.js';
import '../ops/logical.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, wgslType } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * Elementwise unary ops. Every float op maps NaN to NaN (Relu and Clip included; ThresholdedRelu and
 * Shrink give 0, as ONNX's formulas do); Log of a negative and Sqrt of a negative (other than -0) give
 * NaN, Log(0) = -Inf. int32 (Relu, Abs, Neg, Clip, Sign, Square) is exact and wraps: Abs and Neg of
 * -2^31 give -2^31. int32 Clip bounds are rounded inward (ceil(min), floor(max)) and saturated to the
 * int32 range, so ±Infinity means "unbounded". IsNaN/IsInf write bool, and Not reads and writes bool,
 * packed 4 per u32 word (one word per invocation).
 */
const WG = 64;

const FLOAT_UNARY = /* wgsl */ `
fn log_(x: f32) -> f32 {
  if (is_nan(x) || is_neg(x)) { return f32_nan(); }
  if (is_zero(x)) { return f32_inf(true); }
  if (is_inf(x)) { return x; }
  let bits = bitcast<u32>(x);
  if (bits < 0x00800000u) {
    // subnormal (x = m * 2^-149): implementations may flush it, so take the mantissa as an integer
    return log(f32(bits)) - 103.27893f;
  }
  return log(x);
}

// sin (cosine: cos) with a three-part Cody–Waite reduction by π/2 (Cephes' split, doubled) and
// Cephes' sinf/cosf polynomials on |r| ≤ π/4 (WGSL's own sin/cos promise only 2^-11 absolute in [-π, π]).
// Absolute error ≤ 2^-22 + |x|·2^-36 while n·1.5703125 is exact (|x| < 2^16·π/2 ≈ 1e5); beyond, its
// rounding adds up to ~|x|·2^-24 (the wasm kernel reduces in float64). |x| > 2^29 gives NaN (wasm: past 2^31).
fn sincos_(x: f32, cosine: bool) -> f32 {
  if (is_nan(x)) { return x; }
  if (!is_finite(x) || abs(x) > 536870912.0f) { return f32_nan(); }
  let n = round(x * 0.63661975f);
  let r = ((x - n * 1.5703125f) - n * 4.837512969970703125e-4f) - n * 7.54978995489188216e-8f;
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
  let c = 1.0f - 0.5f * z + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
  let q = (i32(n) + select(0, 1, cosine)) & 3;
  let v = select(s, c, (q & 1) == 1);
  return select(v, -v, (q & 2) == 2);
}

fn tan_(x: f32) -> f32 {
  let s = sincos_(x, false);
  return s / sincos_(x, true);
}

// e^{a/2}·(e^{a/2}/2): e^a/2 without overflowing before the result does
fn half_exp_sq(a: f32) -> f32 { let h = exp_(0.5f * a); return h * (0.5f * h); }

fn sinh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a >= 12.0f) { r = half_exp_sq(a); } else { let e = expm1_(a); r = 0.5f * (e + e / (e + 1.0f)); }
  return select(r, -r, sign_bit(x));
}

fn cosh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a >= 12.0f) { return half_exp_sq(a); }
  let e = exp_(a);
  return 0.5f * (e + 1.0f / e);
}

fn asinh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a >= 4096.0f) { r = log_(a) + 0.6931472f; } else { let q = a * a; r = log1p_(a + q / (1.0f + sqrt(1.0f + q))); }
  return select(r, -r, sign_bit(x));
}

fn acosh_(x: f32) -> f32 {
  if (is_nan(x) || !(x >= 1.0f)) { return f32_nan(); }
  if (x >= 4096.0f) { return log_(x) + 0.6931472f; }
  let t = x - 1.0f;
  return log1p_(t + sqrt(t * (t + 2.0f)));
}

fn atanh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a > 1.0f) { return f32_nan(); }
  if (a == 1.0f) { return f32_inf(sign_bit(x)); }
  let r = 0.5f * log1p_((a + a) / (1.0f - a));
  return select(r, -r, sign_bit(x));
}

// asin = atan(x / √((1 − x)(1 + x))), acos = atan(√((1 − x)(1 + x)) / |x|), π minus it for x < 0
fn asin_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a > 1.0f) { return f32_nan(); }
  var r = 1.5707964f;
  if (a < 1.0f) { r = atan_(a / sqrt((1.0f - a) * (1.0f + a))); }
  return select(r, -r, sign_bit(x));
}

fn acos_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a > 1.0f) { return f32_nan(); }
  var r = 1.5707964f;
  if (!is_zero(x)) { r = atan_(sqrt((1.0f - a) * (1.0f + a)) / a); }
  return select(r, 3.1415927f - r, sign_bit(x));
}

fn nonzero_pos(x: f32) -> bool { return !sign_bit(x) && !is_zero(x) && !is_nan(x); }

fn round_(x: f32, mode: u32) -> f32 {
  if (!is_finite(x)) { return x; }
  if (mode == 0u) { return floor(x); }
  if (mode == 1u) { return ceil(x); }
  return round(x); // half to even
}

fn reciprocal_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (is_zero(x)) { return f32_inf(sign_bit(x)); }
  if (is_inf(x)) { return select(0.0f, -0.0f, sign_bit(x)); }
  return 1.0f / x;
}

fn rsqrt_(x: f32) -> f32 {
  if (is_zero(x)) { return f32_inf(sign_bit(x)); }
  if (is_nan(x) || is_neg(x)) { return f32_nan(); }
  if (is_inf(x)) { return 0.0f; }
  return inverseSqrt(x);
}

fn sign_(x: f32) -> f32 {
  if (is_neg(x)) { return -1.0f; }
  if (nonzero_pos(x)) { return 1.0f; }
  return x;
}

fn elu_neg(x: f32, scale: f32, pos: f32, y: f32) -> f32 {
  // scale * y for x < 0 (x ≤ 0 when pos != 1), pos * x above; NaN passes
  if (is_nan(x)) { return x; }
  if (is_neg(x) || (pos != 1.0f && is_zero(x))) { return scale * y; }
  return pos * x;
}

fn hard_swish_(x: f32) -> f32 {
  if (is_nan(x) || (is_inf(x) && sign_bit(x))) { return f32_nan(); }
  return x * clamp(x * 0.16666667f + 0.5f, 0.0f, 1.0f);
}

fn softsign_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (is_inf(x)) { return select(1.0f, -1.0f, sign_bit(x)); }
  return x / (1.0f + abs(x));
}

fn mish_(x: f32) -> f32 {
  if (is_nan(x) || (is_inf(x) && sign_bit(x))) { return f32_nan(); }
  return x * tanh_(softplus_(x));
}

fn shrink_(x: f32, bias: f32, lambd: f32) -> f32 {
  if (is_nan(x)) { return 0.0f; }
  if (x < -lambd) { return x + bias; }
  if (x > lambd) { return x - bias; }
  return 0.0f;
}

fn sqrt_(x: f32) -> f32 {
  if (is_zero(x)) { return x; }
  if (is_nan(x) || is_neg(x)) { return f32_nan(); }
  if (is_inf(x)) { return x; }
  return sqrt(x);
}
`;

function floatExpr(op: UnaryOp, approximate: string): string {
  switch (op) {
    case 'Relu':
      return 'relu_(x)';
    case 'LeakyRelu':
      return 'leaky_relu_(x, u.alpha)';
    case 'Sigmoid':
      return 'sigmoid_(x)';
    case 'Tanh':
      return 'tanh_(x)';
    case 'Exp':
      return 'exp_(x)';
    case 'Log':
      return 'log_(x)';
    case 'Sqrt':
      return 'sqrt_(x)';
    case 'Abs':
      return 'bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu)';
    case 'Neg':
      return 'bitcast<f32>(bitcast<u32>(x) ^ 0x80000000u)';
    case 'Erf':
      return 'erf_(x)';
    case 'Gelu':
      return approximate === 'tanh' ? 'gelu_tanh_(x)' : 'gelu_(x)';
    case 'Clip':
      return 'clip_(x, u.lo, u.hi)';
    case 'Floor':
      return 'round_(x, 0u)';
    case 'Ceil':
      return 'round_(x, 1u)';
    case 'Round':
      return 'round_(x, 2u)';
    case 'Reciprocal':
      return 'reciprocal_(x)';
    case 'Square':
      return 'select(x * x, x, is_nan(x))';
    case 'Rsqrt':
      return 'rsqrt_(x)';
    case 'Sign':
      return 'sign_(x)';
    case 'Relu6':
      return 'clip_(x, 0.0f, 6.0f)';
    case 'Elu':
      return 'elu_neg(x, u.alpha, 1.0f, expm1_(x))';
    case 'Celu':
      return 'elu_neg(x, u.alpha, 1.0f, expm1_(x / u.alpha))';
    case 'Selu':
      // u.alpha holds gamma·alpha, u.beta gamma
      return 'elu_neg(x, u.alpha, u.beta, expm1_(x))';
    case 'HardSigmoid':
      return 'hard_sigmoid_(x, u.alpha, u.beta)';
    case 'HardSwish':
      return 'hard_swish_(x)';
    case 'Softplus':
      return 'softplus_(x)';
    case 'Softsign':
      return 'softsign_(x)';
    case 'Expm1':
      return 'expm1_(x)';
    case 'Log1p':
      return 'log1p_(x)';
    case 'Mish':
      return 'mish_(x)';
    case 'ThresholdedRelu':
      return 'select(0.0f, x, !is_nan(x) && x > u.alpha)';
    case 'Shrink':
      return 'shrink_(x, u.beta, u.gamma)';
    case 'Step':
      return 'select(select(u.alpha, 1.0f, nonzero_pos(x)), x, is_nan(x))';
    case 'Sin':
      return 'sincos_(x, false)';
    case 'Cos':
      return 'sincos_(x, true)';
    case 'Tan':
      return 'tan_(x)';
    case 'Sinh':
      return 'sinh_(x)';
    case 'Cosh':
      return 'cosh_(x)';
    case 'Asinh':
      return 'asinh_(x)';
    case 'Acosh':
      return 'acosh_(x)';
    case 'Atanh':
      return 'atanh_(x)';
    case 'Atan':
      return 'atan_(x)';
    case 'Asin':
      return 'asin_(x)';
    case 'Acos':
      return 'acos_(x)';
    case 'IsNaN':
      return 'is_nan(x)';
    case 'IsInf':
      return '(is_inf(x) && ((sign_bit(x) && u.beta != 0.0f) || (!sign_bit(x) && u.alpha != 0.0f)))';
    case 'Not':
      throw new Error('Not is a bool op');
  }
}

function intExpr(op: UnaryOp): string {
  switch (op) {
    case 'Relu':
      return 'max(x, 0i)';
    case 'Abs':
      return 'abs(x)';
    case 'Neg':
      return '0i - x';
    case 'Clip':
      return 'min(max(x, u.lo), u.hi)';
    case 'Sign':
      return 'select(select(0i, 1i, x > 0i), -1i, x < 0i)';
    case 'Square':
      return 'x * x';
    default:
      throw new Error(`${op} has no int32 WebGPU kernel`);
  }
}

interface UnaryProgram {
  key: string;
  uniforms: Uniforms;
  source: () => string;
}

const program = memo((key: string): UnaryProgram => {
  const [op, dtype, approximate] = key.split('|') as [UnaryOp, DType, string];
  const t = wgslType(dtype, op);
  const u = new Uniforms().scalar('size', 'u32').scalar('words', 'u32').scalar('alpha', 'f32').scalar('beta', 'f32').scalar('gamma', 'f32').scalar('lo', t).scalar('hi', t);
  if (PREDICATE_UNARY_OPS.includes(op) || (BOOL_UNARY_OPS as readonly string[]).includes(op)) {
    // bool output (and for Not, input) packed 4 bytes per u32 word: one word per invocation
    const not = (BOOL_UNARY_OPS as readonly string[]).includes(op);
    const source = () =>
      [
        declareBindings([
          { name: 'X', type: not ? 'u32' : 'f32', access: 'read' },
          { name: 'Y', type: 'u32', access: 'read_write' },
        ]),
        u.declare(2),
        not ? '' : WGSL_FLOAT + FLOAT_UNARY,
        not ? '' : `fn apply(x: f32) -> bool { return ${floatExpr(op, '')}; }`,
        flatMain(
          WG,
          'u.words',
          not
            ? `var word = 0u;
let x = X[gi];
for (var k = 0u; k < 4u; k++) {
  if (gi * 4u + k < u.size && ((x >> (8u * k)) & 0xffu) == 0u) { word = word | (1u << (8u * k)); }
}
Y[gi] = word;`
            : `var word = 0u;
for (var k = 0u; k < 4u; k++) {
  let index = gi * 4u + k;
  if (index < u.size && apply(X[index])) { word = word | (1u << (8u * k)); }
}
Y[gi] = word;`,
        ),
      ].join('\n\n');
    return { key: `unary|${key}`, uniforms: u, source };
  }
  const source = () =>
    [
      declareBindings([
        { name: 'X', type: t, access: 'read' },
        { name: 'Y', type: t, access: 'read_write' },
      ]),
      u.declare(2),
      t === 'f32' ? WGSL_FLOAT + FLOAT_UNARY : '',
      `fn apply(x: ${t}) -> ${t} { return ${t === 'f32' ? floatExpr(op, approximate) : intExpr(op)}; }`,
      flatMain(WG, 'u.size', 'Y[gi] = apply(X[gi]);'),
    ].join('\n\n');
  return { key: `unary|${key}`, uniforms: u, source };
});

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const saturate = (x: number) => Math.min(I32_MAX, Math.max(I32_MIN, x));

/** The f32 uniforms alpha, beta, gamma each op reads (see floatExpr). */
function params(plan: UnaryPlan): [number, number, number] {
  switch (plan.op) {
    case 'Selu':
      return [Math.fround(plan.gamma * plan.alpha), plan.gamma, 0];
    case 'IsInf':
      return [plan.detectPositive ? 1 : 0, plan.detectNegative ? 1 : 0, 0];
    default:
      return [plan.alpha, plan.beta, plan.gamma];
  }
}

for (const op of [...UNARY_OPS, ...BOOL_UNARY_OPS]) {
  // int64 and the other dtypes outside GPU_DTYPES (float64, ...) have no WebGPU storage, and the int8/uint8
  // kernels (Abs, Sign, Neg, Clip) have no twin: wasm only
  const dtypes = unaryDTypes(op).filter((d) => gpuStorable(d) && d !== 'int8' && d !== 'uint8');
  const packed = PREDICATE_UNARY_OPS.includes(op) || (BOOL_UNARY_OPS as readonly string[]).includes(op);
  registry.register<UnaryPlan>({
    op,
    device: 'webgpu',
    dtypes,
    kind: 'compute',
    family: 'unary',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      const int = plan.dispatchDType === 'int32';
      const p = program(`${op}|${plan.dispatchDType}|${op === 'Gelu' ? plan.approximate : ''}`);
      const words = Math.ceil(y.size / 4);
      const [alpha, beta, gamma] = params(plan);
      gpu.dispatch({
        pipeline: gpu.pipeline(p.key, p.source),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(y, op)],
        uniforms: p.uniforms.pack({
          size: y.size,
          words,
          alpha,
          beta,
          gamma,
          lo: plan.dispatchDType === 'bool' ? 0 : int ? saturate(Math.ceil(plan.min)) : plan.min,
          hi: plan.dispatchDType === 'bool' ? 0 : int ? saturate(Math.floor(plan.max)) : plan.max,
        }),
        workgroups: grid1d(packed ? words : y.size, WG),
      });
    },
  });
}
