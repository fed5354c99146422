/** wasm launchers for reductions, ArgMax/ArgMin and CumSum/CumProd (family `reduce`, see reduce.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import {
  REDUCE_OPS,
  reduceDTypes,
  type ArgReducePlan,
  type CumPlan,
  type ReducePass,
  type ReducePlan,
} from '../ops/reduce.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Work per thread, from single-thread timings on [1024,1024] float32 (Node 20, best of 40): Sum/Max
 * along rows 0.16–0.18 ms (~6 elements/ns), along columns 0.36–0.41 ms; LogSumExp 1.3–2.4 ms
 * (~0.5 /ns, exp-bound); ArgMax 0.83 (rows) / 1.3 ms (columns); CumSum 0.42 / 0.71 ms. A worker costs
 * ~20–40 µs to wake, so a thread gets ≥ 128k elements of the cheap passes (~20–40 µs) and ≥ 32k
 * of LogSumExp, ArgMax and the scans (~25–60 µs).
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;
const MIN_CHEAP_ELEMENTS_PER_THREAD = 1 << 17;

type Wasm = KernelContext['wasm'];

function runPass(w: Wasm, op: string, p: ReducePass, dt: 'f32' | 'i32', x: number, y: number): void {
  const name = `${p.mode}_${dt}`;
  const perThread = p.mode === 'lse' ? MIN_ELEMENTS_PER_THREAD : MIN_CHEAP_ELEMENTS_PER_THREAD;
  if (p.inner === 1) {
    const minPerThread = Math.max(1, Math.ceil(perThread / Math.max(1, p.R)));
    w.parallelFor('reduce', `${name}_rows`, [x, y, p.R], p.outer, { minPerThread, op });
  } else {
    const tiles = Math.ceil(p.inner / 16);
    const minPerThread = Math.max(1, Math.ceil(perThread / (16 * Math.max(1, p.R))));
    w.parallelFor('reduce', `${name}_cols`, [x, y, p.R, p.inner], p.outer * tiles, { minPerThread, op });
  }
}

/**
 * int64 and float64 reductions (scalar kernels, see reduce-i64.wat.ts and reduce-f64.wat.ts): each
 * pass maps [outer, R, inner] to [outer, inner], one output item per work unit, through 8-byte
 * scratch between passes; float64 then runs the finish (mean, sqrt, log) over the output. ReduceSum
 * float64 over 64k elements takes 0.65 ns/element and CumSum 0.72 on one thread (under load), so
 * ≥ 32k elements a thread is ~20 µs, as the float LogSumExp pass (int64 reductions are shape
 * arithmetic on a few elements and use the same threshold).
 */
function runPasses64(w: Wasm, op: string, x: Tensor, y: Tensor, plan: ReducePlan, dt: 'i64' | 'f64'): void {
  const out = w.ptrOf(y, op);
  let src = plan.passes[0]!.R === 0 ? 0 : w.ptrOf(x, op);
  const scratch: number[] = [];
  try {
    plan.passes.forEach((p, i) => {
      const last = i === plan.passes.length - 1;
      const dst = last ? out : w.alloc(Math.max(8, p.outer * p.inner * 8), op);
      if (!last) scratch.push(dst);
      const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, p.R)));
      w.parallelFor('reduce', `${p.mode}_${dt}`, [src, dst, p.R, p.inner], p.outer * p.inner, { minPerThread, op });
      src = dst;
    });
    if (dt === 'f64' && plan.finish !== 'none') {
      w.parallelFor('reduce', `finish_${plan.finish}_f64`, [out, plan.count], plan.outSize, { minPerThread: MIN_CHEAP_ELEMENTS_PER_THREAD, op });
    }
  } finally {
    for (const s of scratch) w.free(s);
  }
}

for (const op of REDUCE_OPS) {
  registry.register<ReducePlan>({
    op,
    device: 'wasm',
    dtypes: reduceDTypes(op),
    kind: 'compute',
    family: 'reduce',
    run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: ReducePlan): void {
      const w = ctx.wasm;
      if (inputs[0]!.dtype === 'int64') return runPasses64(w, op, inputs[0]!, outputs[0]!, plan, 'i64');
      if (inputs[0]!.dtype === 'float64') return runPasses64(w, op, inputs[0]!, outputs[0]!, plan, 'f64');
      const dt = inputs[0]!.dtype === 'int32' ? 'i32' : 'f32';
      const out = w.ptrOf(outputs[0]!, op);
      let src = plan.passes[0]!.R === 0 ? 0 : w.ptrOf(inputs[0]!, op);
      const scratch: number[] = [];
      try {
        plan.passes.forEach((p, i) => {
          const last = i === plan.passes.length - 1;
          const dst = last ? out : w.alloc(Math.max(4, p.outer * p.inner * 4), op);
          if (!last) scratch.push(dst);
          runPass(w, op, p, dt, src, dst);
          src = dst;
        });
        if (plan.finish !== 'none') {
          w.parallelFor('reduce', `finish_${plan.finish}`, [out, plan.count], plan.outSize, { minPerThread: MIN_CHEAP_ELEMENTS_PER_THREAD, op });
        }
      } finally {
        for (const s of scratch) w.free(s);
      }
    },
  });
}

for (const op of ['ArgMax', 'ArgMin'] as const) {
  registry.register<ArgReducePlan>({
    op,
    device: 'wasm',
    dtypes: ['float32', 'int32', 'int64'],
    kind: 'compute',
    family: 'reduce',
    run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: ArgReducePlan): void {
      const w = ctx.wasm;
      const dt = inputs[0]!.dtype === 'int32' ? 'i32' : inputs[0]!.dtype === 'int64' ? 'i64' : 'f32';
      const fn = `arg${op === 'ArgMax' ? 'max' : 'min'}_${dt}_${plan.selectLast ? 'last' : 'first'}${plan.ignoreNaN ? '_ignore' : ''}`;
      const x = w.ptrOf(inputs[0]!, op);
      const y = w.ptrOf(outputs[0]!, op);
      const i64 = plan.outputDtype === 'int64' ? 1 : 0;
      if (dt === 'i64') {
        // one output item per work unit (scalar kernel, see reduce-i64.wat.ts)
        const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, plan.R)));
        w.parallelFor('reduce', fn, [x, y, plan.R, plan.inner, i64], plan.outer * plan.inner, { minPerThread, op });
        return;
      }
      // nanMode 'ignore' has no rows kernel: its lanes could not tell a leading NaN from a later one
      if (plan.inner === 1 && !plan.ignoreNaN) {
        const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / plan.R));
        w.parallelFor('reduce', `${fn}_rows`, [x, y, plan.R, i64], plan.outer, { minPerThread, op });
        return;
      }
      const groups = Math.ceil(plan.inner / 4);
      const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / (4 * plan.R)));
      w.parallelFor('reduce', fn, [x, y, plan.R, plan.inner, i64], plan.outer * groups, { minPerThread, op });
    },
  });
}

for (const op of ['CumSum', 'CumProd'] as const) {
  registry.register<CumPlan>({
    op,
    device: 'wasm',
    dtypes: ['float32', 'int32', 'float64'],
    kind: 'compute',
    family: 'reduce',
    run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: CumPlan): void {
      const w = ctx.wasm;
      if (inputs[0]!.dtype === 'float64') {
        // scalar scan per (o, column) item (reduce-f64.wat.ts)
        const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, plan.R)));
        w.parallelFor('reduce', `${op === 'CumSum' ? 'cumsum' : 'cumprod'}_f64`, [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), plan.R, plan.inner, plan.exclusive ? 1 : 0, plan.reverse ? 1 : 0], plan.outer * plan.inner, { minPerThread, op });
        return;
      }
      const fn = `${op === 'CumSum' ? 'cumsum' : 'cumprod'}_${inputs[0]!.dtype === 'int32' ? 'i32' : 'f32'}`;
      const x = w.ptrOf(inputs[0]!, op);
      const y = w.ptrOf(outputs[0]!, op);
      const flags = [plan.exclusive ? 1 : 0, plan.reverse ? 1 : 0];
      if (plan.inner === 1) {
        const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, plan.R)));
        w.parallelFor('reduce', `${fn}_rows`, [x, y, plan.R, ...flags], plan.outer, { minPerThread, op });
        return;
      }
      const tiles = Math.ceil(plan.inner / 16);
      const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / (16 * Math.max(1, plan.R))));
      w.parallelFor('reduce', fn, [x, y, plan.R, plan.inner, plan.exclusive ? 1 : 0, plan.reverse ? 1 : 0], plan.outer * tiles, { minPerThread, op });
    },
  });
}
