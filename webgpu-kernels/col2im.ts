/**
 * WebGPU twin of Col2Im (float32): one invocation per output pixel gathers the column entries whose
 * blocks cover it, in kernel order (kd, kh, kw), as the wasm kernel (col2im.wat.ts).
 */
import '../ops/col2im.js';
import type { Col2ImPlan } from '../ops/col2im.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;
const FIELDS = ['total', 'D', 'H', 'W', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL', 'BD', 'BH', 'BW'] as const;
const uniforms = FIELDS.reduce((u, f) => u.scalar(f, 'i32'), new Uniforms());

const source = () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(2)}
${flatMain(WG, 'u32(u.total)', `let i = i32(gi);
let w = i % u.W; var r = i / u.W; let h = r % u.H; r = r / u.H; let d = r % u.D; let img = r / u.D;
let K = u.KD * u.KH * u.KW;
let L = u.BD * u.BH * u.BW;
var s = 0.0f;
for (var kd = 0; kd < u.KD; kd++) {
  let qd = d + u.PF - kd * u.DD;
  if (qd < 0 || qd % u.SD != 0 || qd / u.SD >= u.BD) { continue; }
  for (var kh = 0; kh < u.KH; kh++) {
    let qh = h + u.PT - kh * u.DH;
    if (qh < 0 || qh % u.SH != 0 || qh / u.SH >= u.BH) { continue; }
    for (var kw = 0; kw < u.KW; kw++) {
      let qw = w + u.PL - kw * u.DW;
      if (qw < 0 || qw % u.SW != 0 || qw / u.SW >= u.BW) { continue; }
      let t = (kd * u.KH + kh) * u.KW + kw;
      let b = ((qd / u.SD) * u.BH + qh / u.SH) * u.BW + qw / u.SW;
      s += X[(img * K + t) * L + b];
    }
  }
}
Y[gi] = s;`)}`;

registry.register<Col2ImPlan>({
  op: 'Col2Im',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'col2im',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'Col2Im');
    const total = outputs[0]!.size;
    gpu.dispatch({
      pipeline: gpu.pipeline('col2im', source),
      buffers: [gpu.bufferOf(inputs[0]!, 'Col2Im'), gpu.bufferOf(outputs[0]!, 'Col2Im')],
      uniforms: uniforms.pack(Object.fromEntries(FIELDS.map((f) => [f, f === 'total' ? total : plan[f]]))),
      workgroups: grid1d(total, WG),
    });
  },
});
