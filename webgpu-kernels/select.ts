/**
 * WebGPU twins of the `select` family (see wasm-kernels/select.wat.ts): TopK, UnsortedSegmentSum
 * and SearchSorted on float32/int32. int64 cannot live on WebGPU, so TopK's ONNX default (int64
 * indices) and int64 segment ids throw a DTypeError saying to use int32 or to run on wasm.
 * ScatterNDSum, Bincount and SparseSegmentSum/Mean stay on wasm (their index checks need the
 * indices on the host), and LinSpace too (its float64 step has no WGSL type).
 */
import { DTypeError } from '../core/errors.js';
import type { SearchSortedPlan } from '../ops/search-sorted.js';
import type { SegmentPlan } from '../ops/segment.js';
import type { TopKPlan } from '../ops/topk.js';
import '../ops/search-sorted.js';
import '../ops/segment.js';
import '../ops/topk.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, wgslType } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;

/**
 * TopK: one invocation per (outer, inner) lane, the same insertion into the outputs as the wasm
 * kernel (best first, ties keep input order, NaN above every number), so results are identical.
 */
const topkUniforms = new Uniforms().scalar('lanes', 'u32').scalar('n', 'u32').scalar('k', 'u32').scalar('inner', 'u32').scalar('largest', 'u32');

function topkSource(key: string): string {
  const t = key.endsWith('|i32') ? 'i32' : 'f32';
  const better = t === 'f32'
    ? `if (u.largest != 0u) { return a > b || (is_nan(a) && !is_nan(b)); }
  return a < b || (!is_nan(a) && is_nan(b));`
    : `if (u.largest != 0u) { return a > b; }
  return a < b;`;
  return `${declareBindings([
    { name: 'X', type: t, access: 'read' },
    { name: 'V', type: t, access: 'read_write' },
    { name: 'I', type: 'i32', access: 'read_write' },
  ])}
${topkUniforms.declare(3)}
${WGSL_FLOAT}
fn better(a: ${t}, b: ${t}) -> bool {
  ${better}
}
${flatMain(
  WG,
  'u.lanes',
  `let o = gi / u.inner;
let i = gi - o * u.inner;
let xb = o * u.n * u.inner + i;
let vb = o * u.k * u.inner + i;
var cnt = 0u;
for (var j = 0u; j < u.n; j++) {
  let a = X[xb + j * u.inner];
  var p = cnt;
  if (cnt == u.k) {
    if (!better(a, V[vb + (u.k - 1u) * u.inner])) { continue; }
    p = u.k - 1u;
  } else {
    cnt += 1u;
  }
  loop {
    if (p == 0u) { break; }
    let b = V[vb + (p - 1u) * u.inner];
    if (!better(a, b)) { break; }
    V[vb + p * u.inner] = b;
    I[vb + p * u.inner] = I[vb + (p - 1u) * u.inner];
    p -= 1u;
  }
  V[vb + p * u.inner] = a;
  I[vb + p * u.inner] = i32(j);
}`,
)}`;
}
const topkSources = memo(topkSource);

registry.register<TopKPlan>({
  op: 'TopK',
  device: 'webgpu',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'TopK';
    const gpu = gpuOf(ctx, op);
    const x = inputs[0]!;
    if (outputs[1]!.dtype !== 'int32') {
      throw new DTypeError(op, `int64 indices cannot live on WebGPU (X ${x.dtype}[${x.shape.join(',')}]); pass indexDType: 'int32', or run on wasm`);
    }
    const lanes = plan.outer * plan.inner;
    if (plan.k === 0 || lanes === 0) return;
    const key = `select|TopK|${wgslType(x.dtype, op)}`;
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => topkSources(key)),
      buffers: [gpu.bufferOf(x, op), gpu.bufferOf(outputs[0]!, op), gpu.bufferOf(outputs[1]!, op)],
      uniforms: topkUniforms.pack({ lanes, n: plan.n, k: plan.k, inner: plan.inner, largest: plan.largest ? 1 : 0 }),
      workgroups: grid1d(lanes, WG),
    });
  },
});

/**
 * UnsortedSegmentSum: one invocation per output element (s, c), summing data rows whose id is s in
 * row order from 0 — the wasm kernel's order, so float32 results are bit-identical to it. Each
 * invocation reads every id: O(segments·rows·inner) work, fine for the segment counts models use.
 */
const segUniforms = new Uniforms().scalar('outs', 'u32').scalar('rows', 'u32').scalar('inner', 'u32');

function segSource(key: string): string {
  const t = key.endsWith('|i32') ? 'i32' : 'f32';
  return `${declareBindings([
    { name: 'X', type: t, access: 'read' },
    { name: 'S', type: 'i32', access: 'read' },
    { name: 'Y', type: t, access: 'read_write' },
  ])}
${segUniforms.declare(3)}
${flatMain(
  WG,
  'u.outs',
  `let s = i32(gi / u.inner);
let c = gi - u32(s) * u.inner;
var acc = ${t}(0);
for (var r = 0u; r < u.rows; r++) {
  if (S[r] == s) { acc += X[r * u.inner + c]; }
}
Y[gi] = acc;`,
)}`;
}
const segSources = memo(segSource);

registry.register<SegmentPlan>({
  op: 'UnsortedSegmentSum',
  device: 'webgpu',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'UnsortedSegmentSum';
    const gpu = gpuOf(ctx, op);
    const ids = inputs[1]!;
    if (ids.dtype !== 'int32') throw new DTypeError(op, `int64 segmentIds cannot live on WebGPU (segmentIds [${ids.shape.join(',')}]); pass int32, or run on wasm`);
    const y = outputs[0]!;
    if (y.size === 0) return;
    const key = `select|UnsortedSegmentSum|${wgslType(y.dtype, op)}`;
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => segSources(key)),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(ids, op), gpu.bufferOf(y, op)],
      uniforms: segUniforms.pack({ outs: y.size, rows: plan.rows, inner: plan.inner }),
      workgroups: grid1d(y.size, WG),
    });
  },
});

/** SearchSorted: one invocation per value, the wasm kernel's bisection (so identical indices). */
const ssUniforms = new Uniforms().scalar('total', 'u32').scalar('n', 'u32').scalar('m', 'u32');

function ssSource(key: string): string {
  const t = key.includes('|i32|') ? 'i32' : 'f32';
  const cmp = key.endsWith('|right') ? '<=' : '<';
  return `${declareBindings([
    { name: 'S', type: t, access: 'read' },
    { name: 'V', type: t, access: 'read' },
    { name: 'Y', type: 'i32', access: 'read_write' },
  ])}
${ssUniforms.declare(3)}
${flatMain(
  WG,
  'u.total',
  `let row = (gi / u.m) * u.n;
let x = V[gi];
var lo = 0u;
var hi = u.n;
loop {
  if (lo >= hi) { break; }
  let mid = (lo + hi) >> 1u;
  if (S[row + mid] ${cmp} x) { lo = mid + 1u; } else { hi = mid; }
}
Y[gi] = i32(lo);`,
)}`;
}
const ssSources = memo(ssSource);

registry.register<SearchSortedPlan>({
  op: 'SearchSorted',
  device: 'webgpu',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'SearchSorted';
    const gpu = gpuOf(ctx, op);
    const total = plan.batch * plan.m;
    if (total === 0) return;
    const key = `select|SearchSorted|${wgslType(inputs[0]!.dtype, op)}|${plan.right ? 'right' : 'left'}`;
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => ssSources(key)),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(outputs[0]!, op)],
      uniforms: ssUniforms.pack({ total, n: plan.n, m: plan.m }),
      workgroups: grid1d(total, WG),
    });
  },
});
