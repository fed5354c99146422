import '../ops/hardmax.js';
import '../ops/log-softmax.js';
import type { SoftmaxPlan } from '../ops/softmax.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * Softmax over the middle axis of [outer, axisSize, inner]: exp(x - max) / sum(exp(x - max)), and
 * LogSoftmax: (x - max) - log(sum(exp(x - max))).
 * A row whose max is not finite (a NaN anywhere, a +Inf, or all -Inf) is all NaN, as numpy gives.
 * Rows longer than ROW_THREAD_MAX get a workgroup each (strided loads, tree reductions in workgroup
 * memory); shorter rows get one invocation each, so neighbouring invocations read neighbouring
 * elements when inner > 1.
 */
const WG = 64;
const ROW_THREAD_MAX = 64;

const uniforms = new Uniforms().scalar('rows', 'u32').scalar('axis', 'u32').scalar('inner', 'u32');

const BINDINGS = declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
]);

/** One invocation per row. */
const rowPerThread = (log: boolean) => `${BINDINGS}
${uniforms.declare(2)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.rows',
  `let o = gi / u.inner;
let base = o * u.axis * u.inner + (gi - o * u.inner);
var m = f32_inf(true);
var bad = false;
for (var k = 0u; k < u.axis; k++) {
  let v = X[base + k * u.inner];
  bad = bad || is_nan(v);
  m = max(m, v);
}
if (bad || !is_finite(m)) {
  for (var k = 0u; k < u.axis; k++) { Y[base + k * u.inner] = f32_nan(); }
  return;
}
var s = 0.0f;
for (var k = 0u; k < u.axis; k++) { s += exp_(X[base + k * u.inner] - m); }
${
    log
      ? `let ls = log(s);
for (var k = 0u; k < u.axis; k++) { Y[base + k * u.inner] = (X[base + k * u.inner] - m) - ls; }`
      : `let r = 1.0f / s;
for (var k = 0u; k < u.axis; k++) { Y[base + k * u.inner] = exp_(X[base + k * u.inner] - m) * r; }`
  }`,
)}`;

/** One workgroup per row. */
const rowPerWorkgroup = (log: boolean) => `${BINDINGS}
${uniforms.declare(2)}
${WGSL_FLOAT}
var<workgroup> red: array<f32, ${WG}>;
var<workgroup> flags: array<u32, ${WG}>;
var<workgroup> row_max: f32;
var<workgroup> row_bad: u32;
var<workgroup> row_sum: f32;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= u.rows) { return; }
  let o = row / u.inner;
  let base = o * u.axis * u.inner + (row - o * u.inner);

  var m = f32_inf(true);
  var bad = 0u;
  for (var k = lid; k < u.axis; k += ${WG}u) {
    let v = X[base + k * u.inner];
    if (is_nan(v)) { bad = 1u; }
    m = max(m, v);
  }
  red[lid] = m;
  flags[lid] = bad;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      red[lid] = max(red[lid], red[lid + s]);
      flags[lid] = flags[lid] | flags[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    row_max = red[0];
    row_bad = flags[0];
  }
  let mx = workgroupUniformLoad(&row_max);
  let any_bad = workgroupUniformLoad(&row_bad);
  if (any_bad != 0u || !is_finite(mx)) {
    for (var k = lid; k < u.axis; k += ${WG}u) { Y[base + k * u.inner] = f32_nan(); }
    return;
  }

  var acc = 0.0f;
  for (var k = lid; k < u.axis; k += ${WG}u) { acc += exp_(X[base + k * u.inner] - mx); }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { row_sum = red[0]; }
  ${
    log
      ? `let ls = log(workgroupUniformLoad(&row_sum));
  for (var k = lid; k < u.axis; k += ${WG}u) { Y[base + k * u.inner] = (X[base + k * u.inner] - mx) - ls; }`
      : `let r = 1.0f / workgroupUniformLoad(&row_sum);
  for (var k = lid; k < u.axis; k += ${WG}u) { Y[base + k * u.inner] = exp_(X[base + k * u.inner] - mx) * r; }`
  }
}`;

/** Keys are `softmax|${op}|thread` or `softmax|${op}|workgroup`. */
const sources = memo((key: string) => {
  const log = key.includes('|LogSoftmax|');
  return key.endsWith('|thread') ? rowPerThread(log) : rowPerWorkgroup(log);
});

for (const op of ['Softmax', 'LogSoftmax'] as const) {
  registry.register<SoftmaxPlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'softmax',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      const rows = plan.outer * plan.inner;
      const perThread = plan.axisSize <= ROW_THREAD_MAX;
      const key = `softmax|${op}|${perThread ? 'thread' : 'workgroup'}`;
      gpu.dispatch({
        pipeline: gpu.pipeline(key, () => sources(key)),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(y, op)],
        uniforms: uniforms.pack({ rows, axis: plan.axisSize, inner: plan.inner }),
        workgroups: perThread ? grid1d(rows, WG) : grid1d(rows, 1),
      });
    },
  });
}

/** Hardmax: one invocation per (outer, inner column); the first maximum wins, a NaN beats any number. */
const hardmaxSource = () => `${BINDINGS}
${uniforms.declare(2)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.rows',
  `let o = gi / u.inner;
let base = o * u.axis * u.inner + (gi - o * u.inner);
var m = X[base];
var best = 0u;
for (var k = 1u; k < u.axis; k++) {
  let v = X[base + k * u.inner];
  if ((!is_nan(m) && is_nan(v)) || (!is_nan(v) && !is_nan(m) && v > m)) { m = v; best = k; }
}
for (var k = 0u; k < u.axis; k++) { Y[base + k * u.inner] = select(0.0f, 1.0f, k == best); }`,
)}`;

registry.register<SoftmaxPlan>({
  op: 'Hardmax',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'softmax',
  run(ctx, inputs, outputs, plan) {
    const op = 'Hardmax';
    const gpu = gpuOf(ctx, op);
    const y = outputs[0]!;
    if (y.size === 0) return;
    const rows = plan.outer * plan.inner;
    gpu.dispatch({
      pipeline: gpu.pipeline('softmax|Hardmax', hardmaxSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(y, op)],
      uniforms: uniforms.pack({ rows, axis: plan.axisSize, inner: plan.inner }),
      workgroups: grid1d(rows, WG),
    });
  },
});
