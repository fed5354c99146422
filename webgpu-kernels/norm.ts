import type { NormPlan } from '../ops/norm.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

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
