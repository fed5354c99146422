/** wasm launchers of GridSample (taps per output point, then the weighted gathers per image) and AffineGrid (family `grid-sample`, see grid-sample.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/affine-grid.js';
import type { AffineGridPlan } from '../ops/affine-grid.js';
import '../ops/grid-sample.js';
import type { GridSamplePlan } from '../ops/grid-sample.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * One thread here (best of 15, machine shared and loaded): 128×128 output points over 4 channels took
 * 254 µs nearest, 564 µs linear, 1.8 ms cubic (15, 34 and 112 ns per point, taps and apply together).
 * A worker wake-up is ~20–40 µs, so a thread takes at least 4k points of taps (≥ ~40 µs even for
 * nearest), and at least 64k tap-elements of apply (images × points × taps, ~1–2 ns each).
 */
const MIN_POINTS_PER_THREAD = 1 << 12;
const MIN_TAP_ELEMENTS_PER_THREAD = 1 << 16;

const PAD_CODE = { zeros: 0, border: 1, reflection: 2 } as const;

registry.register<GridSamplePlan>({
  op: 'GridSample',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'grid-sample',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: GridSamplePlan): void {
    const op = 'GridSample';
    const w = ctx.wasm;
    const points = plan.N * plan.P;
    const taps = w.alloc(Math.max(8, points * plan.T * 8), op);
    try {
      const args = [w.ptrOf(inputs[1]!, op), taps, plan.W, plan.H, plan.D, plan.alignCorners ? 1 : 0, PAD_CODE[plan.padding]];
      w.parallelFor('grid-sample', `taps_${plan.dims}d_${plan.mode}`, args, points, { minPerThread: MIN_POINTS_PER_THREAD, op });
      const perImage = Math.max(1, plan.P * plan.T);
      const applyArgs = [w.ptrOf(inputs[0]!, op), taps, w.ptrOf(outputs[0]!, op), plan.T, plan.P, plan.C, plan.D * plan.H * plan.W];
      w.parallelFor('grid-sample', 'apply', applyArgs, plan.N * plan.C, { minPerThread: Math.max(1, Math.ceil(MIN_TAP_ELEMENTS_PER_THREAD / perImage)), op });
    } finally {
      w.free(taps);
    }
  },
});

/** AffineGrid 256×256 took 184 µs on one thread here (2.8 ns per point, loaded machine): 16k points (~45 µs) a thread. */
const MIN_AFFINE_POINTS_PER_THREAD = 1 << 14;

registry.register<AffineGridPlan>({
  op: 'AffineGrid',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'grid-sample',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: AffineGridPlan): void {
    const w = ctx.wasm;
    const args = [w.ptrOf(inputs[0]!, 'AffineGrid'), w.ptrOf(outputs[0]!, 'AffineGrid'), plan.W, plan.H, plan.D, plan.alignCorners ? 1 : 0];
    const minPerThread = Math.max(1, Math.ceil(MIN_AFFINE_POINTS_PER_THREAD / Math.max(1, plan.W)));
    w.parallelFor('grid-sample', `affine_grid_${plan.dims}d`, args, plan.N * plan.D * plan.H, { minPerThread, op: 'AffineGrid' });
  },
});
