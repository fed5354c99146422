/**
 * wasm launcher for NegativeLogLikelihoodLoss (family `loss`, see loss.wat.ts) and
 * SoftmaxCrossEntropyLoss (the `softmax` family's log_rows / log_strided over the class axis, then
 * the NLL pass).
 */
import type { Tensor } from '../core/tensor.js';
import '../ops/loss.js';
import type { NllPlan, ScePlan } from '../ops/loss.js';
import type { WasmBackend } from './runtime/backend.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * The per-position pass is a gather and a multiply (~1 ns/position, one thread); a worker costs
 * ~20–40 µs to wake (2 cores, Node 20), so each thread gets at least 32k positions. The reduction
 * runs on one thread in a fixed order, so 1 and 2 threads give bit-identical sums.
 */
const MIN_POSITIONS_PER_THREAD = 1 << 15;

/** The NLL pass (and its reduction) over `x`, a float32 [N, C, D] block at `xPtr`. */
function nll(w: WasmBackend, xPtr: number, inputs: readonly Tensor[], out: number, p: NllPlan, op: string): void {
  const n = p.positions;
  if (n === 0) {
    // an empty reduction: sum 0, mean 0/0
    if (p.reduction !== 'none') w.f32(out, 1)[0] = p.reduction === 'sum' ? 0 : NaN;
    return;
  }
  const fn = inputs[1]!.dtype === 'int64' ? 'nll_i64' : 'nll_i32';
  const reduce = p.reduction !== 'none';
  const loss = reduce ? w.alloc(4 * n, op) : out;
  const wts = p.reduction === 'mean' ? w.alloc(4 * n, op) : 0;
  try {
    const args = [xPtr, w.ptrOf(inputs[1]!, op), p.hasWeight ? w.ptrOf(inputs[2]!, op) : 0, loss, wts, p.C, p.D, p.ignoreIndex ?? 0, p.ignoreIndex === undefined ? 0 : 1];
    w.parallelFor('loss', fn, args, n, { minPerThread: MIN_POSITIONS_PER_THREAD, op });
    const ex = w.exports('loss');
    if (p.reduction === 'sum') ex.sum_f32!(loss, n, out);
    else if (p.reduction === 'mean') ex.mean_f32!(loss, wts, n, out);
  } finally {
    if (reduce) w.free(loss);
    if (wts) w.free(wts);
  }
}

registry.register<NllPlan>({
  op: 'NegativeLogLikelihoodLoss',
  device: 'wasm',
  // the plan dispatches on the target dtype (the input is float32)
  dtypes: ['int32', 'int64'],
  kind: 'compute',
  family: 'loss',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: NllPlan): void {
    const op = 'NegativeLogLikelihoodLoss';
    const w = ctx.wasm;
    nll(w, p.positions > 0 ? w.ptrOf(inputs[0]!, op) : 0, inputs, w.ptrOf(outputs[0]!, op), p, op);
  },
});

/** LogSoftmax at ~2 ns/element (the softmax family's figure with its log pass): 32k elements a thread. */
const MIN_SOFTMAX_ELEMENTS_PER_THREAD = 1 << 15;

registry.register<ScePlan>({
  op: 'SoftmaxCrossEntropyLoss',
  device: 'wasm',
  dtypes: ['int32', 'int64'],
  kind: 'compute',
  family: 'loss',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: ScePlan): void {
    const op = 'SoftmaxCrossEntropyLoss';
    const w = ctx.wasm;
    const size = p.positions * p.C;
    const logp = p.logProb ? (size > 0 ? w.ptrOf(outputs[1]!, op) : 0) : size > 0 ? w.alloc(4 * size, op) : 0;
    try {
      if (size > 0) {
        const x = w.ptrOf(inputs[0]!, op);
        const N = p.positions / p.D;
        if (p.D === 1) {
          w.parallelFor('softmax', 'log_rows', [x, logp, p.C], N, { minPerThread: Math.max(1, Math.ceil(MIN_SOFTMAX_ELEMENTS_PER_THREAD / p.C)), op });
        } else {
          const groups = Math.ceil(p.D / 4);
          w.parallelFor('softmax', 'log_strided', [x, logp, p.C, p.D], N * groups, { minPerThread: Math.max(1, Math.ceil(MIN_SOFTMAX_ELEMENTS_PER_THREAD / (4 * p.C))), op });
        }
      }
      nll(w, logp, inputs, w.ptrOf(outputs[0]!, op), p, op);
    } finally {
      if (!p.logProb && logp) w.free(logp);
    }
  },
});
