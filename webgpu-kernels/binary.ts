import { gpuStorable, type DType } from '../core/dtype.js';
import { ARITHMETIC_OPS, BITWISE_OPS, COMPARISON_OPS, LOGICAL_OPS, binaryDTypes, binaryGivesBool, type BinaryOp, type BinaryPlan } from '../ops/binary.js';
import '../ops/logical.js';
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
 * Mod (float, exact): C fmod by subtracting the largest |b|·2^k (each step exact), or floored;
 * int32 Mod/FloorDiv give 0 for a zero divisor. FloorDiv (float) is floor(a / b) with WGSL's division
 * (2.5 ulp, subnormal quotients may flush to 0), so a quotient within 2.5 ulp of an integer may floor
 * to its neighbour.
 * Comparisons and logical ops write bool packed 4 per u32 word: each invocation produces one word;
 * logical ops read bool bytes from packed words (any non-zero byte is true).
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

// C fmod, exact, on the bits (integer mantissas, as musl's fmodf), so subnormals are neither flushed
// nor lost: shift-and-subtract over the exponent difference (at most 277 steps).
fn mant_exp(u: u32) -> vec2<u32> {
  // (mantissa with its leading bit at 23, biased exponent + 64 so it never goes below 0)
  var e = i32(u >> 23u);
  var m = u & 0x7fffffu;
  if (e == 0) {
    e = 1;
    loop { if ((m & 0x800000u) != 0u) { break; } m = m << 1u; e = e - 1; }
  } else {
    m = m | 0x800000u;
  }
  return vec2<u32>(m, u32(e + 64));
}

fn fmod_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || is_zero(b)) { return f32_nan(); }
  if (is_inf(b)) { return a; }
  let sx = bitcast<u32>(a) & 0x80000000u;
  let ux = bitcast<u32>(a) & 0x7fffffffu;
  let uy = bitcast<u32>(b) & 0x7fffffffu;
  if (ux < uy) { return a; }
  if (ux == uy) { return bitcast<f32>(sx); }
  let px = mant_exp(ux);
  let py = mant_exp(uy);
  var mx = px.x;
  let my = py.x;
  var ex = i32(px.y) - 64;
  let ey = i32(py.y) - 64;
  loop {
    if (ex <= ey) { break; }
    if (mx >= my) { mx = mx - my; }
    mx = mx << 1u;
    ex = ex - 1;
  }
  if (mx >= my) { mx = mx - my; }
  if (mx == 0u) { return bitcast<f32>(sx); }
  loop { if ((mx & 0x800000u) != 0u) { break; } mx = mx << 1u; ex = ex - 1; }
  var r: u32;
  if (ex > 0) { r = (u32(ex) << 23u) | (mx & 0x7fffffu); } else { r = mx >> u32(1 - ex); }
  return bitcast<f32>(r | sx);
}

// floored (numpy/tfjs): fmod, then + b when the signs differ; a zero takes b's sign
fn mod_f(a: f32, b: f32) -> f32 {
  let r = fmod_f(a, b);
  if (is_nan(r)) { return r; }
  if (is_zero(r)) { return select(0.0f, -0.0f, sign_bit(b)); }
  return select(r, r + b, sign_bit(r) != sign_bit(b));
}

// C99 atan2: the ratio of the smaller magnitude to the larger (no overflow), atan of it, then the quadrant
fn atan2_f(y: f32, x: f32) -> f32 {
  if (is_nan(y) || is_nan(x)) { return f32_nan(); }
  var ay = abs(y);
  var ax = abs(x);
  let by = bitcast<u32>(y) & 0x7fffffffu;
  let bx = bitcast<u32>(x) & 0x7fffffffu;
  if (by < 0x00800000u && bx < 0x00800000u) {
    // both subnormal (arithmetic may flush them): their bit patterns are proportional to the values
    ay = f32(by);
    ax = f32(bx);
  }
  var r: f32;
  if (is_zero(y) && is_zero(x)) { r = 0.0f; }
  else if (is_inf(y) && is_inf(x)) { r = 0.7853982f; }
  else if (is_zero(x) || is_inf(y)) { r = 1.5707964f; }
  else if (is_zero(y) || is_inf(x)) { r = 0.0f; }
  else if (ay > ax) { r = 1.5707964f - atan_(ax / ay); }
  else { r = atan_(ay / ax); }
  r = select(r, 3.1415927f - r, sign_bit(x));
  return select(r, -r, sign_bit(y));
}

fn prelu_f(x: f32, s: f32) -> f32 {
  if (is_nan(x) || is_nan(s)) { return select(f32_nan(), x, is_nan(x) || !is_neg(x)); }
  if (is_neg(x) && is_inf(s)) { return f32_inf(!sign_bit(s)); } // also for a subnormal x that x * s would flush
  return select(x, x * s, is_neg(x));
}
`;

const INT_HELPERS = /* wgsl */ `
fn div_i(a: i32, b: i32) -> i32 { return select(a / b, 0, b == 0); }
fn rem_i(a: i32, b: i32) -> i32 { return select(a % b, 0, b == 0 || b == -1); }
fn mod_i(a: i32, b: i32) -> i32 { let r = rem_i(a, b); return select(r, r + b, r != 0 && ((r ^ b) < 0)); }
fn floordiv_i(a: i32, b: i32) -> i32 { return div_i(a, b) - select(0, 1, rem_i(a, b) != 0 && ((a ^ b) < 0)); }
fn shift_i(a: i32, b: i32, left: bool) -> i32 {
  if (u32(b) >= 32u) { return 0; }
  return select(bitcast<i32>(bitcast<u32>(a) >> u32(b)), bitcast<i32>(bitcast<u32>(a) << u32(b)), left);
}

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

function floatExpr(op: BinaryOp, fmod: boolean): string {
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
    case 'NotEqual':
      return 'is_nan(a) || is_nan(b) || a != b';
    case 'Mod':
      return fmod ? 'fmod_f(a, b)' : 'mod_f(a, b)';
    case 'FloorDiv':
      return 'nan_or(floor(a / b), a, b)';
    case 'SquaredDifference':
      return 'nan_or((a - b) * (a - b), a, b)';
    case 'PRelu':
      return 'prelu_f(a, b)';
    case 'Atan2':
      return 'atan2_f(a, b)';
    default:
      throw new Error(`${op} has no float32 WebGPU kernel`);
  }
}

function intExpr(op: BinaryOp, fmod: boolean, left: boolean): string {
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
    case 'NotEqual':
      return 'a != b';
    case 'Mod':
      return fmod ? 'rem_i(a, b)' : 'mod_i(a, b)';
    case 'FloorDiv':
      return 'floordiv_i(a, b)';
    case 'SquaredDifference':
      return '(a - b) * (a - b)';
    case 'PRelu':
      return 'select(a, a * b, a < 0)';
    case 'BitShift':
      return `shift_i(a, b, ${left})`;
    default:
      throw new Error(`${op} has no int32 WebGPU kernel`);
  }
}

function boolExpr(op: BinaryOp): string {
  switch (op) {
    case 'And':
      return 'a && b';
    case 'Or':
      return 'a || b';
    case 'Xor':
      return 'a != b';
    default:
      throw new Error(`${op} has no bool WebGPU kernel`);
  }
}

interface BinaryProgram {
  key: string;
  uniforms: Uniforms;
  source: () => string;
}

const program = memo((key: string): BinaryProgram => {
  const [op, dtype, rankS, flag] = key.split('|') as [BinaryOp, DType, string, string];
  const rank = Number(rankS);
  const t = wgslType(dtype, op);
  const comparison = binaryGivesBool(op);
  const bool = dtype === 'bool';
  const u = broadcastUniforms(new Uniforms().scalar('size', 'u32').scalar('words', 'u32'), rank, ['a', 'b']);
  const expr = bool ? boolExpr(op) : t === 'f32' ? floatExpr(op, flag === '1') : intExpr(op, flag === '1', flag === '1');
  // bool operands are bytes of packed words
  const read = (arr: string, o: string) => (bool ? `(((${arr}[${o} >> 2u] >> (8u * (${o} & 3u))) & 0xffu) != 0u)` : `${arr}[${o}]`);
  const source = () => {
    const body = comparison
      ? // one u32 word = 4 bool bytes per invocation
        `var word = 0u;
for (var k = 0u; k < 4u; k++) {
  let index = gi * 4u + k;
  if (index < u.size) {
    let o = offsets(index);
    if (apply(${read('A', 'o.x')}, ${read('B', 'o.y')})) { word = word | (1u << (8u * k)); }
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
      bool ? '' : t === 'f32' ? WGSL_FLOAT + FLOAT_HELPERS : INT_HELPERS,
      `fn offsets(index: u32) -> vec2<u32> {\n${broadcastOffsets(u, rank, ['a', 'b'], 'index')}\n  return vec2<u32>(off_a, off_b);\n}`,
      `fn apply(a: ${bool ? 'bool' : t}, b: ${bool ? 'bool' : t}) -> ${comparison ? 'bool' : t} { return ${expr}; }`,
      flatMain(WG, comparison ? 'u.words' : 'u.size', body),
    ].join('\n\n');
  };
  return { key: `binary|${key}`, uniforms: u, source };
});

for (const op of [...ARITHMETIC_OPS, ...COMPARISON_OPS, ...LOGICAL_OPS, ...BITWISE_OPS]) {
  const comparison = binaryGivesBool(op);
  registry.register<BinaryPlan>({
    op,
    device: 'webgpu',
    // int64 and the other dtypes outside GPU_DTYPES have no WebGPU storage, and int8/uint8 arithmetic has no twin: wasm only
    dtypes: binaryDTypes(op).filter((d) => gpuStorable(d) && d !== 'int8' && d !== 'uint8'),
    kind: 'compute',
    family: 'binary',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      const rank = plan.shape.length;
      const flag = (op === 'Mod' && plan.fmod) || (op === 'BitShift' && plan.left) ? '1' : '0';
      const p = program(`${op}|${plan.dispatchDType}|${rank}|${flag}`);
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
