import type { LrnGradPlan } from '../ops/lrn-grad.js';
import '../ops/lrn-grad.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

/**
 * LRNGrad (channels last): one invocation per element k of a pixel's C channels computes
 * dy_k · n_k^(−beta) − 2·coef·beta · x_k · Σ_{i ∈ [k − hi, k + lo]} dy_i · y_i / n_i, each n_i
 * (bias + coef · Σ x² over [i − lo, i + hi]) recomputed where needed.
 */
const WG = 64;
const uniforms = new Uniforms().scalar('total', 'u32').scalar('C', 'i32').scalar('lo', 'i32').scalar('hi', 'i32').scalar('bias', 'f32').scalar('coef', 'f32').scalar('beta', 'f32');

const source = memo(() => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'Yf', type: 'f32', access: 'read' },
  { name: 'DY', type: 'f32', access: 'read' },
  { name: 'DX', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(4)}
fn norm_at(row: i32, i: i32) -> f32 {
  var s = 0.0f;
  for (var j = max(0, i - u.lo); j <= min(u.C - 1, i + u.hi); j++) { let v = X[row + j]; s += v * v; }
  return u.bias + u.coef * s;
}
${flatMain(WG, 'u.total', `let e = i32(gi);
let k = e % u.C;
let row = e - k;
var t = 0.0f;
for (var i = max(0, k - u.hi); i <= min(u.C - 1, k + u.lo); i++) { t += DY[row + i] * Yf[row + i] / norm_at(row, i); }
DX[gi] = DY[e] * pow(norm_at(row, k), -u.beta) - 2.0f * u.coef * u.beta * X[e] * t;`)}`);

registry.register<LrnGradPlan>({
  op: 'LRNGrad',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'lrn-grad',
  run(ctx, inputs, outputs, p) {
    const op = 'LRNGrad';
    const gpu = gpuOf(ctx, op);
    const dx = outputs[0]!;
    if (dx.size === 0) return;
    gpu.dispatch({
      pipeline: gpu.pipeline('lrn-grad', () => source('')),
      buffers: [...inputs.map((t) => gpu.bufferOf(t, op)), gpu.bufferOf(dx, op)],
      uniforms: uniforms.pack({ total: dx.size, C: p.C, lo: p.lo, hi: p.hi, bias: p.bias, coef: p.coef, beta: p.beta }),
      workgroups: grid1d(dx.size, WG),
    });
  },
});
