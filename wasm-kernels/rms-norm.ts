/** wasm launcher for RMSNormalization, NormMoments and LpNormalization (family `rms-norm`, see rms-norm.wat.ts). */
import '../ops/rms-norm.js';
import type { LpNormPlan, RowNormPlan } from '../ops/rms-norm.js';
import { registry } from '../registry/registry.js';
import { F32Scratch } from './f16-scratch.js';

/**
 * Work is counted in elements, as the `norm` family: one thread normalises ~0.5 ns/element (two
 * passes over a row in L1); a worker costs ~20–40 µs to wake (2 cores, Node 20), so each thread gets
 * at least 32k elements.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;
const perThread = (n: number) => Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, n)));

registry.register<RowNormPlan>({
  op: 'RMSNormalization',
  device: 'wasm',
  // float16: widened to float32 scratch, Y narrowed back
  dtypes: ['float32', 'float16'],
  kind: 'compute',
  family: 'rms-norm',
  run(ctx, inputs, outputs, p) {
    const op = 'RMSNormalization';
    const w = ctx.wasm;
    if (p.rows * p.n === 0) return;
    const f32 = new F32Scratch(w, op);
    try {
      const [x, s, y] = [f32.input(inputs[0]), f32.input(inputs[1]), f32.output(outputs[0])];
      w.parallelFor('rms-norm', 'rms_rows', [x, y, s, p.n, p.epsilon], p.rows, { minPerThread: perThread(2 * p.n), op });
      f32.finish();
    } finally {
      f32.free();
    }
  },
});

registry.register<RowNormPlan>({
  op: 'NormMoments',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'rms-norm',
  run(ctx, inputs, outputs, p) {
    const op = 'NormMoments';
    const w = ctx.wasm;
    if (p.rows === 0) return;
    const [mean, inv] = [w.ptrOf(outputs[0]!, op), w.ptrOf(outputs[1]!, op)];
    // an empty row: mean 0/0 = NaN, InvStdDev 1/sqrt(NaN) = NaN
    if (p.n === 0) {
      w.f32(mean, p.rows).fill(NaN);
      w.f32(inv, p.rows).fill(NaN);
      return;
    }
    w.parallelFor('rms-norm', 'moments_rows', [w.ptrOf(inputs[0]!, op), mean, inv, p.n, p.epsilon], p.rows, { minPerThread: perThread(2 * p.n), op });
  },
});

registry.register<LpNormPlan>({
  op: 'LpNormalization',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'rms-norm',
  run(ctx, inputs, outputs, p) {
    const op = 'LpNormalization';
    const w = ctx.wasm;
    const items = p.outer * p.inner;
    if (items * p.n === 0) return;
    w.parallelFor('rms-norm', 'lp_rows', [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), p.n, p.inner, p.p], items, { minPerThread: perThread(2 * p.n), op });
  },
});
