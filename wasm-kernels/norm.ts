/** wasm launcher for BatchNormalization, InstanceNormalization, LayerNormalization, LRN (family `norm`, see norm.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/norm.js';
import type { NormPlan } from '../ops/norm.js';
import '../ops/lrn.js';
import type { LrnPlan } from '../ops/lrn.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Work is counted in elements. One thread: LayerNormalization [512, 768] (3 reads per element)
 * ~0.22 ms, 0.56 ns/element; InstanceNormalization [1,64,56,56] ~0.09 ms; BatchNormalization NCHW
 * [1,64,112,112] (one affine pass) ~0.25 ms. A worker costs ~20–40 µs to wake (2 cores, Node 20), so
 * each thread gets at least 32k elements (≥ 15 µs of normalising).
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;

function perThread(n: number): number {
  return Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, n)));
}

function batchNorm(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: NormPlan): void {
  const op = 'BatchNormalization';
  const w = ctx.wasm;
  const [x, y] = [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op)];
  const C = p.C;
  // Fold the four vectors into y = x·a + b, in float64: a = scale / sqrt(var + eps), b = B − mean·a.
  const vec = inputs.slice(1).map((t) => Float64Array.from(w.f32(w.ptrOf(t, op), C)));
  const [scale, bias, mean, variance] = vec as [Float64Array, Float64Array, Float64Array, Float64Array];
  const ab = w.alloc(8 * C, op);
  try {
    const v = w.f32(ab, 2 * C);
    for (let c = 0; c < C; c++) {
      const a = scale[c]! / Math.sqrt(variance[c]! + p.epsilon);
      v[c] = a;
      v[C + c] = bias[c]! - mean[c]! * a;
    }
    if (p.channelLast) w.parallelFor('norm', 'affine_cols', [x, y, ab, ab + 4 * C, C], p.rows, { minPerThread: perThread(p.n), op });
    else w.parallelFor('norm', 'affine_rows', [x, y, ab, ab + 4 * C, p.n, C], p.rows, { minPerThread: perThread(p.n), op });
  } finally {
    w.free(ab);
  }
}

registry.register<NormPlan>({ op: 'BatchNormalization', device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'norm', run: batchNorm });

registry.register<NormPlan>({
  op: 'InstanceNormalization',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'norm',
  run(ctx, inputs, outputs, p) {
    const op = 'InstanceNormalization';
    const w = ctx.wasm;
    const [x, y, s, b] = [inputs[0]!, outputs[0]!, inputs[1]!, inputs[2]!].map((t) => w.ptrOf(t, op));
    w.parallelFor('norm', 'norm_channel', [x!, y!, s!, b!, p.n, p.C, p.epsilon], p.rows, { minPerThread: perThread(3 * p.n), op });
  },
});

registry.register<NormPlan>({
  op: 'LayerNormalization',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'norm',
  run(ctx, inputs, outputs, p) {
    const op = 'LayerNormalization';
    const w = ctx.wasm;
    const [x, y, s] = [inputs[0]!, outputs[0]!, inputs[1]!].map((t) => w.ptrOf(t, op));
    // Without B the kernel adds a row of zeros.
    const zeros = p.hasBias ? 0 : w.alloc(4 * p.n, op);
    try {
      if (zeros) w.f32(zeros, p.n).fill(0);
      const b = p.hasBias ? w.ptrOf(inputs[2]!, op) : zeros;
      w.parallelFor('norm', 'norm_element', [x!, y!, s!, b, p.n, p.epsilon], p.rows, { minPerThread: perThread(3 * p.n), op });
    } finally {
      if (zeros) w.free(zeros);
    }
  },
});

/**
 * LRN: work items are (o, c) rows of `inner` elements, each costing ~(window + 40) operations per
 * element (the window's squares, then log and exp); same 32k-element threshold, scaled by window/4.
 */
registry.register<LrnPlan>({
  op: 'LRN',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'norm',
  run(ctx, inputs, outputs, p) {
    const op = 'LRN';
    const w = ctx.wasm;
    const items = p.outer * p.C;
    if (items === 0 || p.inner === 0) return;
    const [x, y] = [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op)];
    const win = Math.max(1, (p.lo + p.hi + 1) / 4);
    if (p.inner === 1) {
      // channels last (NHWC): one item per pixel, 4 channels at a time ([1,56,56,64] size 5, 1 thread: 15 ms
      // through `lrn` one lane at a time, 2–3 ms here on the loaded 2-core box)
      w.parallelFor('norm', 'lrn_last', [x, y, p.C, p.lo, p.hi, p.bias, p.coef, -p.beta], p.outer, { minPerThread: perThread(p.C * win), op });
    } else {
      w.parallelFor('norm', 'lrn', [x, y, p.C, p.inner, p.lo, p.hi, p.bias, p.coef, -p.beta], items, { minPerThread: perThread(p.inner * win), op });
    }
  },
});
