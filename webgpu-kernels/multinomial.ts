/**
 * WebGPU twin of Multinomial (ops/multinomial.ts): one invocation per sample, the wasm kernel's
 * counter-based draw (the same fmix32 hash of seed + index·0x9E3779B9, so the same u) with the
 * running sums in float32 instead of float64: a sample whose u falls within float32 rounding of a
 * cumulative boundary may land in the neighbouring outcome; zero-weight outcomes are never drawn.
 */
import type { MultinomialPlan } from '../ops/multinomial.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;

const uniforms = new Uniforms().scalar('size', 'u32').scalar('k', 'u32').scalar('n', 'u32').scalar('seed', 'u32');

const source = () => `${declareBindings([
  { name: 'P', type: 'f32', access: 'read' },
  { name: 'Y', type: 'i32', access: 'read_write' },
])}
${uniforms.declare(2)}
fn fmix(h0: u32) -> u32 {
  var h = h0;
  h = (h ^ (h >> 16u)) * 0x85ebca6bu;
  h = (h ^ (h >> 13u)) * 0xc2b2ae35u;
  return h ^ (h >> 16u);
}
${flatMain(
  WG,
  'u.size',
  `let b = gi / u.n;
let row = b * u.k;
var total = 0.0f;
var last = 0u;
for (var i = 0u; i < u.k; i++) {
  let p = P[row + i];
  if (p > 0.0f) { total += p; last = i; }
}
let h = fmix(u.seed + gi * 0x9e3779b9u);
let goal = f32(h >> 8u) * (1.0f / 16777216.0f) * total;
var pick = last;
var cum = 0.0f;
for (var i = 0u; i < u.k; i++) {
  let p = P[row + i];
  if (p > 0.0f) {
    cum += p;
    if (cum > goal) { pick = i; break; }
  }
}
Y[gi] = i32(pick);`,
)}`;

registry.register<MultinomialPlan>({
  op: 'Multinomial',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'multinomial',
  run(ctx, inputs, outputs, p) {
    const op = 'Multinomial';
    const gpu = gpuOf(ctx, op);
    const size = outputs[0]!.size;
    gpu.dispatch({
      pipeline: gpu.pipeline('multinomial', source),
      buffers: [inputs[0]!.size ? gpu.bufferOf(inputs[0]!, op) : gpu.scratch(new Float32Array(1)), gpu.bufferOf(outputs[0]!, op)],
      uniforms: uniforms.pack({ size, k: p.k, n: p.numSamples, seed: p.seed >>> 0 }),
      workgroups: grid1d(size, WG),
    });
  },
});
