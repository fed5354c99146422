/** wasm launcher for MatMul (family `gemm`; the shared implementation is gemm-launch.ts, float64 runs f64_matmul). */
import type { Tensor } from '../core/tensor.js';
import { MATMUL_DTYPES, type MatMulPlan } from '../ops/matmul.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { F64_MATMUL_EXPORT } from './gemm.wat.js';
import { runGemm } from './gemm-launch.js';

/**
 * float64 rows per thread: f64_matmul takes 0.28 ns per multiply-add at 128³ on one thread (1.0 with
 * transB, B read by column; best of 30 on the shared machine under load), so a thread gets ≥ 128k
 * multiply-adds of rows (~40–130 µs, against ~20–40 µs to wake a worker).
 */
const MIN_MACS_PER_THREAD = 1 << 17;

function runMatMulF64(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: MatMulPlan): void {
  const w = ctx.wasm;
  const op = 'MatMul';
  const { M, N, K, batch } = plan;
  const mark = w.scratchMark();
  try {
    const offs = w.scratch(8 * batch, op);
    const desc = w.scratch(44, op);
    const I = w.heapI32();
    for (let b = 0, o = offs >> 2; b < batch; b++) {
      I[o + 2 * b] = plan.aOffsets[b]!;
      I[o + 2 * b + 1] = plan.bOffsets[b]!;
    }
    const bias = inputs[2];
    // A is M×K (row stride K) or stored K×M when transposed; B is K×N or stored N×K
    const d = [M, N, K, plan.transA ? 1 : K, plan.transA ? M : 1, plan.transB ? 1 : N, plan.transB ? K : 1, bias ? 1 : 0, bias ? w.ptrOf(bias, op) : 0, plan.bias?.rowStride ?? 0, plan.bias?.colStride ?? 0];
    I.set(d, desc >> 2);
    const minPerThread = Math.max(1, Math.ceil(MIN_MACS_PER_THREAD / Math.max(1, N * K)));
    w.parallelFor('gemm', F64_MATMUL_EXPORT, [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), offs, desc], batch * M, { minPerThread, op });
  } finally {
    w.scratchRelease(mark);
  }
}

registry.register<MatMulPlan>({
  op: 'MatMul',
  device: 'wasm',
  dtypes: MATMUL_DTYPES,
  kind: 'compute',
  family: 'gemm',
  run(ctx, inputs, outputs, plan) {
    if (plan.dispatchDType === 'float64') return runMatMulF64(ctx, inputs, outputs, plan);
    runGemm('MatMul', ctx, inputs, outputs, plan);
  },
});
