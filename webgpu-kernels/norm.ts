import type { LrnPlan } from '../ops/lrn.js';
import '../ops/lrn.js';
import type { NormPlan } from '../ops/norm.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * BatchNormalization: one invocation per element, y = (x − mean)·(scale / sqrt(var + eps)) + B.
 * Instance/LayerNormalization: one invocation per row of n (two passes: mean, then the variance of
 * x − mean), then y = (x − mean)·rstd·s + b, s and b per channel (instance) or per element (layer).
 * NaN and Inf flow through the arithmetic, which WGSL keeps for +, −, ×, ÷ and sqrt on finite inputs;
 * a NaN or Inf in a row only reaches y through them.
 */
const WG = 64;
const F = (name: string, access: 'read' | 'read_write' = 'read') => ({ name, type: 'f32' as const, access });

const bnUniforms = new Uniforms().scalar('total', 'u32').scalar('inner', 'u32').scalar('C', 'u32').scalar('eps', 'f32');
const rowUniforms = new Uniforms().scalar('rows', 'u32').scalar('n', 'u32').scalar('C', 'u32').scalar('eps', 'f32');

const sources = memo((key: string) => {
  if (key === 'bn') {
    return `${declareBindings([F('X'), F('S'), F('B'), F('M'), F('V'), F('Y', 'read_write')])}
${bnUniforms.declare(6)}
${flatMain(WG, 'u.total', `let c = (gi / u.inner) % u.C;
Y[gi] = (X[gi] - M[c]) * (S[c] / sqrt(V[c] + u.eps)) + B[c];`)}`;
  }
  const perElement = key === 'layer';
  const s = perElement ? 'S[j]' : 'S[gi % u.C]';
  const b = perElement ? 'B[j]' : 'B[gi % u.C]';
  return `${declareBindings([F('X'), F('S'), F('B'), F('Y', 'read_write')])}
${rowUniforms.declare(4)}
${flatMain(WG, 'u.rows', `let base = gi * u.n;
var m = 0.0f;
for (var j = 0u; j < u.n; j++) { m += X[base + j]; }
m = m / f32(u.n);
var v = 0.0f;
for (var j = 0u; j < u.n; j++) { let d = X[base + j] - m; v += d * d; }
let rstd = 1.0f / sqrt(v / f32(u.n) + u.eps);
for (var j = 0u; j < u.n; j++) { Y[base + j] = (X[base + j] - m) * rstd * ${s} + ${b}; }`)}`;
});

registry.register<NormPlan>({
  op: 'BatchNormalization',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'norm',
  run(ctx, inputs, outputs, p) {
    const op = 'BatchNormalization';
    const gpu = gpuOf(ctx, op);
    const y = outputs[0]!;
    if (y.size === 0) return;
    gpu.dispatch({
      pipeline: gpu.pipeline('norm|bn', () => sources('bn')),
      buffers: [...inputs.map((t) => gpu.bufferOf(t, op)), gpu.bufferOf(y, op)],
      uniforms: bnUniforms.pack({ total: y.size, inner: p.channelLast ? 1 : p.n, C: p.C, eps: p.epsilon }),
      workgroups: grid1d(y.size, WG),
    });
  },
});

for (const [op, key] of [['InstanceNormalization', 'instance'], ['LayerNormalization', 'layer']] as const) {
  registry.register<NormPlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'norm',
    run(ctx, inputs, outputs, p) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      // LayerNormalization without B: a zero-filled scratch buffer stands in.
      const bias = p.hasBias ? gpu.bufferOf(inputs[2]!, op) : gpu.scratch(new Float32Array(p.n));
      gpu.dispatch({
        pipeline: gpu.pipeline(`norm|${key}`, () => sources(key)),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), bias, gpu.bufferOf(y, op)],
        uniforms: rowUniforms.pack({ rows: p.rows, n: p.n, C: p.C, eps: p.epsilon }),
        workgroups: grid1d(p.rows, WG),
      });
    },
  });
}

/**
 * LRN: one invocation per element of X viewed as [outer, C, inner]; the window's squares are summed
 * in channel order (as the wasm kernel), then y = x · b^(−beta), b = bias + coef·sum, with NaN, Inf
 * and b ≤ 0 decided on the bits (WGSL leaves log/exp of those open): a NaN in the window gives NaN;
 * an infinite b gives b^(−beta) = 0 for beta > 0; Inf·0 and 0·Inf are NaN, as x / b^beta in float64.
 */
const lrnUniforms = new Uniforms()
  .scalar('total', 'u32').scalar('C', 'u32').scalar('inner', 'u32').scalar('lo', 'u32').scalar('hi', 'u32')
  .scalar('bias', 'f32').scalar('coef', 'f32').scalar('beta', 'f32');

const lrnSource = () => `${declareBindings([F('X'), F('Y', 'read_write')])}
${lrnUniforms.declare(2)}
${WGSL_FLOAT}
fn pow_neg(b: f32, beta: f32) -> f32 {
  if (is_nan(b) || is_neg(b)) { return f32_nan(); }
  if (beta == 0.0f) { return 1.0f; }
  if (is_zero(b)) { return select(0.0f, f32_inf(false), beta > 0.0f); }
  if (is_inf(b)) { return select(f32_inf(false), 0.0f, beta > 0.0f); }
  return exp_(-beta * log(b));
}
${flatMain(WG, 'u.total', `let j = gi % u.inner;
let oc = gi / u.inner;
let c = oc % u.C;
let row0 = (oc - c) * u.inner + j;
let c0 = select(c - u.lo, 0u, c < u.lo);
let c1 = min(u.C - 1u, c + u.hi);
var s = 0.0f;
var nan = false;
for (var k = c0; k <= c1; k++) {
  let v = X[row0 + k * u.inner];
  nan = nan || is_nan(v);
  s += v * v;
}
let x = X[gi];
let f = select(pow_neg(u.bias + u.coef * s, u.beta), f32_nan(), nan);
let undefined_product = (is_inf(x) && is_zero(f)) || (is_zero(x) && is_inf(f));
Y[gi] = select(x * f, f32_nan(), undefined_product || is_nan(f));`)}`;

registry.register<LrnPlan>({
  op: 'LRN',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'norm',
  run(ctx, inputs, outputs, p) {
    const op = 'LRN';
    const gpu = gpuOf(ctx, op);
    const y = outputs[0]!;
    if (y.size === 0) return;
    gpu.dispatch({
      pipeline: gpu.pipeline('norm|lrn', lrnSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(y, op)],
      uniforms: lrnUniforms.pack({ total: y.size, C: p.C, inner: p.inner, lo: p.lo, hi: p.hi, bias: p.bias, coef: p.coef, beta: p.beta }),
      workgroups: grid1d(y.size, WG),
    });
  },
});
