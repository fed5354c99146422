/** wasm launcher for MaxPoolGrad, AveragePoolGrad, MaxPoolWithArgmax (family `pool-grad`, see pool-grad.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import { POOL_GRAD_OPS, type PoolGradPlan } from '../ops/pool-grad.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { PARAMS } from './pool-grad.wat.js';

/**
 * Work is counted in window taps, as the forward pool's launcher (wasm-kernels/pool.ts): a thread
 * gets at least 64k of them (the ~20–40 µs wake cost of a worker on 2 cores, Node 20; the argmax
 * walks 4 channels per v128 but without the forward's multi-accumulator unrolling, so that share
 * is longer work than the forward's). The scatter splits by image (each image's dx is one thread's).
 */
const MIN_TAPS_PER_THREAD = 1 << 16;

function params(ctx: KernelContext, p: PoolGradPlan, op: string): number {
  const w = ctx.wasm;
  const prm = w.alloc(PARAMS.length * 4, op);
  const vals: Record<(typeof PARAMS)[number], number> = { ...p, CIP: p.countIncludePad ? 1 : 0, NANI: p.ignoreNaN ? 1 : 0 };
  w.i32(prm, PARAMS.length).set(PARAMS.map((k) => vals[k]));
  return prm;
}

function run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: PoolGradPlan, op: string): void {
  const w = ctx.wasm;
  const taps = Math.max(1, p.KD * p.KH * p.KW * p.C);
  const per = Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / taps));
  const inImage = p.D * p.H * p.W * p.C;
  const outImage = p.OD * p.OH * p.OW * p.C;
  const prm = params(ctx, p, op);
  try {
    if (op === 'AveragePoolGrad') {
      const dx = outputs[0]!;
      if (dx.size === 0) return;
      const dy = inputs[0]!;
      w.parallelFor('pool-grad', 'avg_grad', [dy.size ? w.ptrOf(dy, op) : 0, w.ptrOf(dx, op), prm], p.N * p.D * p.H * p.W, { minPerThread: per, op });
      return;
    }
    if (op === 'MaxPoolWithArgmax') {
      const [y, idx] = outputs as [Tensor, Tensor];
      if (y.size === 0) return;
      const base = p.includeBatchInIndex ? inImage : 0;
      w.parallelFor('pool-grad', 'argmax', [w.ptrOf(inputs[0]!, op), w.ptrOf(y, op), w.ptrOf(idx, op), prm, base], p.N * p.OD * p.OH * p.OW, { minPerThread: per, op });
      return;
    }
    // MaxPoolGrad: argmax of every window (per image), then each image's dy added at its argmax
    const [dy, x] = inputs as [Tensor, Tensor];
    const dx = outputs[0]!;
    if (dx.size === 0) return;
    const idx = w.alloc(Math.max(4, 4 * dy.size), op);
    try {
      if (dy.size > 0) {
        w.parallelFor('pool-grad', 'argmax', [w.ptrOf(x, op), 0, idx, prm, 0], p.N * p.OD * p.OH * p.OW, { minPerThread: per, op });
      }
      w.parallelFor('pool-grad', 'scatter', [dy.size ? w.ptrOf(dy, op) : 0, idx, w.ptrOf(dx, op), inImage, outImage], p.N, {
        minPerThread: Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / Math.max(1, inImage + outImage))),
        op,
      });
    } finally {
      w.free(idx);
    }
  } finally {
    w.free(prm);
  }
}

for (const op of POOL_GRAD_OPS) {
  registry.register<PoolGradPlan>({
    op,
    device: 'wasm',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'pool-grad',
    run: (ctx, inputs, outputs, plan) => run(ctx, inputs, outputs, plan, op),
  });
}
