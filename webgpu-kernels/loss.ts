/**
 * WebGPU twin of NegativeLogLikelihoodLoss (see wasm-kernels/loss.wat.ts), for int32 targets (int64
 * has no WebGPU form). 'none': one invocation per position. 'sum' / 'mean': one workgroup strides
 * over the positions and tree-reduces the losses (and the weights, for the mean) in workgroup memory.
 */
import '../ops/loss.js';
import type { NllPlan } from '../ops/loss.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, grid1d, type Binding } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;
const uniforms = new Uniforms().scalar('n', 'u32').scalar('C', 'u32').scalar('D', 'u32').scalar('ignore', 'i32').scalar('has_ignore', 'u32').scalar('mean', 'u32');

/** Keys: `loss|nll|<none|reduce>|<w 0/1>`. */
const source = memo((key: string) => {
  const [, , red, wS] = key.split('|');
  const weighted = wS === '1';
  const b: Binding[] = [
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'T', type: 'i32', access: 'read' },
  ];
  if (weighted) b.push({ name: 'W', type: 'f32', access: 'read' });
  b.push({ name: 'Y', type: 'f32', access: 'read_write' });
  const item = `fn item(e: u32) -> vec2<f32> {
  let c = T[e];
  if (u.has_ignore != 0u && c == u.ignore) { return vec2<f32>(0.0f, 0.0f); }
  if (c < 0i || u32(c) >= u.C) { return vec2<f32>(f32_nan(), f32_nan()); }
  let n = e / u.D;
  let d = e - n * u.D;
  let wt = ${weighted ? 'W[u32(c)]' : '1.0f'};
  return vec2<f32>(-X[(n * u.C + u32(c)) * u.D + d] * wt, wt);
}`;
  const main =
    red === 'none'
      ? `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let gi = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (gi >= u.n) { return; }
  Y[gi] = item(gi).x;
}`
      : `var<workgroup> red: array<vec2<f32>, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2<f32>(0.0f, 0.0f);
  for (var e = lid; e < u.n; e += ${WG}u) { acc += item(e); }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let t = red[0];
    // 0/0 (every position ignored) is NaN, produced explicitly: WGSL leaves it open
    if (u.mean != 0u) { Y[0] = select(t.x / t.y, f32_nan(), is_zero(t.y) && is_zero(t.x)); } else { Y[0] = t.x; }
  }
}`;
  return `${declareBindings(b)}
${uniforms.declare(b.length)}
${WGSL_FLOAT}
${item}
${main}`;
});

registry.register<NllPlan>({
  op: 'NegativeLogLikelihoodLoss',
  device: 'webgpu',
  // the plan dispatches on the target dtype: int32 only here
  dtypes: ['int32'],
  kind: 'compute',
  family: 'loss',
  run(ctx, inputs, outputs, p) {
    const op = 'NegativeLogLikelihoodLoss';
    const gpu = gpuOf(ctx, op);
    const reduce = p.reduction !== 'none';
    if (!reduce && p.positions === 0) return;
    const key = `loss|nll|${reduce ? 'reduce' : 'none'}|${p.hasWeight ? 1 : 0}`;
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => source(key)),
      buffers: inputs.map((t) => gpu.bufferOf(t, op)).concat([gpu.bufferOf(outputs[0]!, op)]),
      uniforms: uniforms.pack({ n: p.positions, C: p.C, D: Math.max(1, p.D), ignore: p.ignoreIndex ?? 0, has_ignore: p.ignoreIndex === undefined ? 0 : 1, mean: p.reduction === 'mean' ? 1 : 0 }),
      workgroups: reduce ? [1, 1, 1] : grid1d(p.positions, WG),
    });
  },
});
