import type { DType } from '../core/dtype.js';
import { ARITHMETIC_OPS, BINARY_DTYPES, COMPARISON_OPS, type BinaryOp, type BinaryPlan } from '../ops/binary.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, broadcastOffsets, broadcastUniforms, declareBindings, flatMain, grid1d, wgslType } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * Elementwise binary ops with broadcasting, on the plan's collapsed shape and strides.
 * float32 follows numpy/IEEE: NaN in → NaN out (Max/Min too), comparisons with NaN are false, Pow
 * of a negative base is NaN for a non-integer exponent and signed for an integer one.
 * int32 wraps on overflow, Div truncates toward zero and gives 0 for a zero divisor, Pow is exact
 * (wrapping) for exponents >= 0 and trunc(a^b) for b < 0 (1, ±1 for a = -1, else 0).
 * Comparisons write bool packed 4 per u32 word: each invocation produces one word.
 */
const WG = 64;

const FLOAT_HELPERS = /* wgsl */ `
fn nan_or(r: f32, a: f32, b: f32) -> f32 { return select(r, f32_nan(), is_nan(a) || is_nan(b)); }

// |a|^y for a >= 0 and y not NaN, with the IEEE special cases spelled out.
fn pow_abs(a: f32, y: f32) -> f32 {
  if (y == 0.0f || a == 1.0f) { return 1.0f; }
  if (a == 0.0f) { return select(0.0f, f32_inf(false), y < 0.0f); }
  if (is_inf(a)) { return select(0.0f, f32_inf(false), y > 0.0f); }
  if (is_inf(y)) { return select(0.0f, f32_inf(false), (a > 1.0f) == (y > 0.0f)); }
  if (abs(y) <= 64.0f && floor(y) == y) {
    // integer exponent: square and multiply, a few roundings instead of exp2(y log2 a)
    var e = u32(abs(y));
    var base = a;
    var r = 1.0f;
    loop {
      if ((e & 1u) != 0u) { r = r * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    return select(r, 1.0f / r, y < 0.0f);
  }
  return exp2(y * log2(a));
}

fn pow_f(x: f32, y: f32) -> f32 {
  if (y == 0.0f || x == 1.0f) { return 1.0f; }
  if (is_nan(x) || is_nan(y)) { return f32_nan(); }
  let integral = is_finite(y) && floor(y) == y;
  if (sign_bit(x) && !is_zero(x) && is_finite(x) && !integral && !is_inf(y)) { return f32_nan(); }
  let m = pow_abs(abs(x), y);
  // odd integer exponents keep the sign of x (including -0)
  let odd = integral && abs(y) < 16777216.0f && (i32(abs(y)) & 1) == 1;
  return select(m, -m, sign_bit(x) && odd);
}
`;

const INT_HELPERS = /* wgsl */ `
fn div_i(a: i32, b: i32) -> i32 { return select(a / b, 0, b == 0); }

fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var e = u32(b);
  var base = a;
  var r = 1;
  loop {
    if ((e & 1u) != 0u) { r = r * base; }
    e = e >> 1u;
    if (e == 0u) { break; }
    base = base * base;
  }
  return r;
}
`;

function floatExpr(op: BinaryOp): string {
  switch (op) {
    case 'Add':
      return 'nan_or(a + b, a, b)';
    case 'Sub':
      return 'nan_or(a - b, a, b)';
    case 'Mul':
      return 'nan_or(a * b, a, b)';
    case 'Div':
      return 'nan_or(a / b, a, b)';
    case 'Pow':
      return 'pow_f(a, b)';
    case 'Max':
      return 'nan_or(max(a, b), a, b)';
    case 'Min':
      return 'nan_or(min(a, b), a, b)';
    case 'Equal':
      return '!(is_nan(a) || is_nan(b)) && a == b';
    case 'Greater':
      return '!(is_nan(a) || is_nan(b)) && a > b';
    case 'GreaterOrEqual':
      return '!(is_nan(a) || is_nan(b)) && a >= b';
    case 'Less':
      return '!(is_nan(a) || is_nan(b)) && a < b';
    case 'LessOrEqual':
      return '!(is_nan(a) || is_nan(b)) && a <= b';
  }
}

function intExpr(op: BinaryOp): string {
  switch (op) {
    case 'Add':
      return 'a + b';
    case 'Sub':
      return 'a - b';
    case 'Mul':
      return 'a * b';
    case 'Div':
      return 'div_i(a, b)';
    case 'Pow':
      return 'pow_i(a, b)';
    case 'Max':
      return 'max(a, b)';
    case 'Min':
      return 'min(a, b)';
    case 'Equal':
      return 'a == b';
    case 'Greater':
      return 'a > b';
    case 'GreaterOrEqual':
      return 'a >= b';
    case 'Less':
      return 'a < b';
    case 'LessOrEqual':
      return 'a <= b';
  }
}

interface BinaryProgram {
  key: string;
  uniforms: Uniforms;
  source: () => string;
}

const program = memo((key: string): BinaryProgram => {
  const [op, dtype, rankS] = key.split('|') as [BinaryOp, DType, string];
  const rank = Number(rankS);
  const t = wgslType(dtype, op);
  const comparison = (COMPARISON_OPS as readonly string[]).includes(op);
  const u = broadcastUniforms(new Uniforms().scalar('size', 'u32').scalar('words', 'u32'), rank, ['a', 'b']);
  const expr = t === 'f32' ? floatExpr(op) : intExpr(op);
  const source = () => {
    const body = comparison
      ? // one u32 word = 4 bool bytes per invocation
        `var word = 0u;
for (var k = 0u; k < 4u; k++) {
  let index = gi * 4u + k;
  if (index < u.size) {
    let o = offsets(index);
    if (apply(A[o.x], B[o.y])) { word = word | (1u << (8u * k)); }
  }
}
Y[gi] = word;`
      : `let o = offsets(gi);
Y[gi] = apply(A[o.x], B[o.y]);`;
    return [
      declareBindings([
        { name: 'A', type: t, access: 'read' },
        { name: 'B', type: t, access: 'read' },
        { name: 'Y', type: comparison ? 'u32' : t, access: 'read_write' },
      ]),
      u.declare(3),
      t === 'f32' ? WGSL_FLOAT + FLOAT_HELPERS : INT_HELPERS,
      `fn offsets(index: u32) -> vec2<u32> {\n${broadcastOffsets(u, rank, ['a', 'b'], 'index')}\n  return vec2<u32>(off_a, off_b);\n}`,
      `fn apply(a: ${t}, b: ${t}) -> ${comparison ? 'bool' : t} { return ${expr}; }`,
      flatMain(WG, comparison ? 'u.words' : 'u.size', body),
    ].join('\n\n');
  };
  return { key: `binary|${key}`, uniforms: u, source };
});

for (const op of [...ARITHMETIC_OPS, ...COMPARISON_OPS]) {
  const comparison = (COMPARISON_OPS as readonly string[]).includes(op);
  registry.register<BinaryPlan>({
    op,
    device: 'webgpu',
    dtypes: BINARY_DTYPES,
    kind: 'compute',
    family: 'binary',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      const rank = plan.shape.length;
      const p = program(`${op}|${plan.dispatchDType}|${rank}`);
      const words = Math.ceil(y.size / 4);
      gpu.dispatch({
        pipeline: gpu.pipeline(p.key, p.source),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(y, op)],
        uniforms: p.uniforms.pack({ size: y.size, words, shape: plan.shape, a_strides: plan.aStrides, b_strides: plan.bStrides }),
        workgroups: grid1d(comparison ? words : y.size, WG),
      });
    },
  });
}
