/**
 * WebGPU twins of RMSNormalization, NormMoments and LpNormalization (see wasm-kernels/rms-norm.wat.ts):
 * one invocation per row (per (outer, column) line for LpNormalization), sequential float32 sums.
 */
import '../ops/rms-norm.js';
import type { LpNormPlan, RowNormPlan } from '../ops/rms-norm.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;
const rowU = new Uniforms().scalar('rows', 'u32').scalar('n', 'u32').scalar('eps', 'f32');
const lpU = new Uniforms().scalar('items', 'u32').scalar('n', 'u32').scalar('inner', 'u32').scalar('p', 'u32');

const rmsSource = () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'S', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${rowU.declare(3)}
${flatMain(
  WG,
  'u.rows',
  `let base = gi * u.n;
var ss = 0.0f;
for (var j = 0u; j < u.n; j++) { let v = X[base + j]; ss += v * v; }
let inv = 1.0f / sqrt(ss / f32(u.n) + u.eps);
for (var j = 0u; j < u.n; j++) { Y[base + j] = X[base + j] * inv * S[j]; }`,
)}`;

const momentsSource = () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'M', type: 'f32', access: 'read_write' },
  { name: 'I', type: 'f32', access: 'read_write' },
])}
${rowU.declare(3)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.rows',
  `if (u.n == 0u) { M[gi] = f32_nan(); I[gi] = f32_nan(); return; }
let base = gi * u.n;
var s = 0.0f;
for (var j = 0u; j < u.n; j++) { s += X[base + j]; }
let mean = s / f32(u.n);
var v = 0.0f;
for (var j = 0u; j < u.n; j++) { let d = X[base + j] - mean; v += d * d; }
M[gi] = mean;
I[gi] = 1.0f / sqrt(v / f32(u.n) + u.eps);`,
)}`;

const lpSource = () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${lpU.declare(2)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.items',
  `let o = gi / u.inner;
let base = o * u.n * u.inner + (gi - o * u.inner);
var t = 0.0f;
for (var k = 0u; k < u.n; k++) {
  let v = X[base + k * u.inner];
  t += select(v * v, abs(v), u.p == 1u);
}
if (u.p == 2u) { t = sqrt(t); }
if (is_zero(t)) { t = 1.0f; }
for (var k = 0u; k < u.n; k++) { Y[base + k * u.inner] = X[base + k * u.inner] / t; }`,
)}`;

registry.register<RowNormPlan>({
  op: 'RMSNormalization',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'rms-norm',
  run(ctx, inputs, outputs, p) {
    const op = 'RMSNormalization';
    const gpu = gpuOf(ctx, op);
    if (p.rows * p.n === 0) return;
    gpu.dispatch({
      pipeline: gpu.pipeline('rms-norm|rms', rmsSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(outputs[0]!, op)],
      uniforms: rowU.pack({ rows: p.rows, n: p.n, eps: p.epsilon }),
      workgroups: grid1d(p.rows, WG),
    });
  },
});

registry.register<RowNormPlan>({
  op: 'NormMoments',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'rms-norm',
  run(ctx, inputs, outputs, p) {
    const op = 'NormMoments';
    const gpu = gpuOf(ctx, op);
    if (p.rows === 0) return;
    // an empty row (n = 0): NaN for both, as 0/0 on wasm
    gpu.dispatch({
      pipeline: gpu.pipeline('rms-norm|moments', momentsSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(outputs[0]!, op), gpu.bufferOf(outputs[1]!, op)],
      uniforms: rowU.pack({ rows: p.rows, n: p.n, eps: p.epsilon }),
      workgroups: grid1d(p.rows, WG),
    });
  },
});

registry.register<LpNormPlan>({
  op: 'LpNormalization',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'rms-norm',
  run(ctx, inputs, outputs, p) {
    const op = 'LpNormalization';
    const gpu = gpuOf(ctx, op);
    const items = p.outer * p.inner;
    if (items * p.n === 0) return;
    gpu.dispatch({
      pipeline: gpu.pipeline('rms-norm|lp', lpSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(outputs[0]!, op)],
      uniforms: lpU.pack({ items, n: p.n, inner: p.inner, p: p.p }),
      workgroups: grid1d(items, WG),
    });
  },
});
