/**
 * WebGPU twin of RotaryEmbedding without position_ids (those are int64, which WebGPU cannot hold:
 * that form dispatches on int64 to the wasm kernel, see ops/rotary-embedding.ts). One invocation per
 * head row; the same formulas as wasm-kernels/rotary.wat.ts.
 */
import '../ops/rotary-embedding.js';
import type { RotaryPlan } from '../ops/rotary-embedding.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;
const uniforms = new Uniforms().scalar('rows', 'u32').scalar('H', 'u32').scalar('S', 'u32').scalar('D', 'u32').scalar('rd', 'u32').scalar('interleaved', 'u32').scalar('three', 'u32');

const source = () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'C', type: 'f32', access: 'read' },
  { name: 'Sn', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(4)}
${flatMain(
  WG,
  'u.rows',
  `let t = gi / u.H;
let h = gi - t * u.H;
let b = t / u.S;
let s = t - b * u.S;
let base = select(((b * u.H + h) * u.S + s) * u.D, (t * u.H + h) * u.D, u.three != 0u);
let half = u.rd / 2u;
let cb = t * half;
for (var i = 0u; i < half; i++) {
  var i1 = i;
  var i2 = i + half;
  if (u.interleaved != 0u) { i1 = 2u * i; i2 = 2u * i + 1u; }
  let c = C[cb + i];
  let sn = Sn[cb + i];
  let x1 = X[base + i1];
  let x2 = X[base + i2];
  Y[base + i1] = c * x1 - sn * x2;
  Y[base + i2] = sn * x1 + c * x2;
}
for (var d = u.rd; d < u.D; d++) { Y[base + d] = X[base + d]; }`,
)}`;

registry.register<RotaryPlan>({
  op: 'RotaryEmbedding',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'rotary',
  run(ctx, inputs, outputs, p) {
    const op = 'RotaryEmbedding';
    const gpu = gpuOf(ctx, op);
    const rows = p.B * p.S * p.H;
    if (rows * p.D === 0) return;
    gpu.dispatch({
      pipeline: gpu.pipeline('rotary|rows', source),
      buffers: [0, 1, 2].map((i) => gpu.bufferOf(inputs[i]!, op)).concat([gpu.bufferOf(outputs[0]!, op)]),
      uniforms: uniforms.pack({ rows, H: p.H, S: p.S, D: p.D, rd: p.rd, interleaved: p.interleaved ? 1 : 0, three: p.three ? 1 : 0 }),
      workgroups: grid1d(rows, WG),
    });
  },
});
