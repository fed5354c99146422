/** wasm launchers of LpPool (window sums of |x|^p, then the p-th root in place) and MaxPoolWithIndices (family `lp-pool`, see lp-pool.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/lp-pool.js';
import type { LpPoolPlan } from '../ops/lp-pool.js';
import type { PoolPlan } from '../ops/pool.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { PARAMS } from './lp-pool.wat.js';

/**
 * A 3×3 LpPool over 512×512 took 23 ms (p = 2) and 43 ms (p = 3) on one thread here, best of 15 on the
 * shared, loaded machine: ~10–18 ns per window tap, root pass included. A worker wake-up is ~20–40 µs,
 * so a thread takes at least 4k taps' worth (~40–70 µs). The root pass alone streams at ~1 ns (sqrt) to
 * ~5 ns (pow, float64 inside) per element: 16k elements a thread.
 */
const MIN_TAPS_PER_THREAD = 1 << 12;
const MIN_ROOTS_PER_THREAD = 1 << 14;

function paramBlock(plan: PoolPlan): number[] {
  const values: Record<(typeof PARAMS)[number], number> = {
    D: plan.D, H: plan.H, W: plan.W, OD: plan.OD, OH: plan.OH, OW: plan.OW, KD: plan.KD, KH: plan.KH, KW: plan.KW,
    SD: plan.SD, SH: plan.SH, SW: plan.SW, DD: plan.DD, DH: plan.DH, DW: plan.DW, PF: plan.PF, PT: plan.PT, PL: plan.PL,
    IMG: plan.D * plan.H * plan.W,
  };
  return PARAMS.map((k) => values[k]);
}

registry.register<LpPoolPlan>({
  op: 'LpPool',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'lp-pool',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: LpPoolPlan): void {
    const op = 'LpPool';
    const w = ctx.wasm;
    const prm = w.alloc(PARAMS.length * 4, op);
    try {
      w.i32(prm, PARAMS.length).set(paramBlock(plan));
      const y = w.ptrOf(outputs[0]!, op);
      const n = outputs[0]!.size;
      const taps = Math.max(1, plan.KD * plan.KH * plan.KW);
      w.parallelFor('lp-pool', 'lp_window', [w.ptrOf(inputs[0]!, op), y, prm, plan.p], n, { minPerThread: Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / taps)), op });
      if (plan.p !== 1) w.parallelFor('lp-pool', plan.p === 2 ? 'lp_root_sqrt' : 'lp_root_pow', [y, Math.fround(1 / plan.p)], n, { grain: 4, minPerThread: MIN_ROOTS_PER_THREAD, op });
    } finally {
      w.free(prm);
    }
  },
});

/** MaxPoolWithIndices walks the same windows as LpPool with one compare per tap: the same threshold. */
registry.register<PoolPlan & { storageOrder: number }>({
  op: 'MaxPoolWithIndices',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'lp-pool',
  run(ctx, inputs, outputs, plan) {
    const op = 'MaxPoolWithIndices';
    const w = ctx.wasm;
    const prm = w.alloc(PARAMS.length * 4, op);
    try {
      w.i32(prm, PARAMS.length).set(paramBlock(plan));
      const taps = Math.max(1, plan.KD * plan.KH * plan.KW);
      w.parallelFor('lp-pool', 'max_index', [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), w.ptrOf(outputs[1]!, op), prm, plan.storageOrder], outputs[0]!.size, { minPerThread: Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / taps)), op });
    } finally {
      w.free(prm);
    }
  },
});
