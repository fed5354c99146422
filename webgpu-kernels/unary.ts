import type { DType } from '../core/dtype.js';
import { INT_UNARY_OPS, UNARY_OPS, type UnaryOp, type UnaryPlan } from '../ops/unary.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, wgslType } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * Elementwise unary ops. Every float op maps NaN to NaN (Relu and Clip included); Log of a negative
 * and Sqrt of a negative (other than -0) give NaN, Log(0) = -Inf. int32 (Relu, Abs, Neg, Clip) is exact
 * and wraps: Abs and Neg of -2^31 give -2^31. int32 Clip bounds are rounded inward (ceil(min),
 * floor(max)) and saturated to the int32 range, so ±Infinity means "unbounded".
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
  const u = new Uniforms().scalar('size', 'u32').scalar('alpha', 'f32').scalar('lo', t).scalar('hi', t);
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

for (const op of UNARY_OPS) {
  const dtypes: readonly DType[] = INT_UNARY_OPS.includes(op) ? ['float32', 'int32'] : ['float32'];
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
      gpu.dispatch({
        pipeline: gpu.pipeline(p.key, p.source),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(y, op)],
        uniforms: p.uniforms.pack({
          size: y.size,
          alpha: plan.alpha,
          lo: int ? saturate(Math.ceil(plan.min)) : plan.min,
          hi: int ? saturate(Math.floor(plan.max)) : plan.max,
        }),
        workgroups: grid1d(y.size, WG),
      });
    },
  });
}
