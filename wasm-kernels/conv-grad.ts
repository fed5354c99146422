/**
 * wasm launcher for ConvBackpropFilter (ops/conv-grad.ts): no WAT of its own. The patch matrix of x
 * (the conv family's NHWC im2col, [G, N·P, Kg] with Kg = taps·Cg) is the A of one GEMM per group,
 * transposed (family `gemm`): dW_g[Kg, Mg] = col_gᵀ · dy_g, K = N·P. One group reads dy in place;
 * grouped and depthwise filters copy dy's groups apart first ([G, N·P, Mg]) and the per-group
 * results into the filter's [taps, Cg, M] order after (plain copies of O(size) each).
 */
import type { Tensor } from '../core/tensor.js';
import type { ConvBackpropFilterPlan } from '../ops/conv-grad.js';
import '../ops/conv-grad.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { block, tempTensor } from './conv.js';
import { IM2COL_NHWC } from './conv.wat.js';
import { runGemm } from './gemm-launch.js';

const OP = 'ConvBackpropFilter';
/** im2col floats per thread, as the Conv launcher's threshold (128k floats ≥ 20 µs, the wake cost of a worker). */
const MIN_UNITS_PER_THREAD = 1 << 17;

function run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: ConvBackpropFilterPlan): void {
  const w = ctx.wasm;
  const [x, dy] = inputs as [Tensor, Tensor];
  const dW = outputs[0]!;
  if (dW.size === 0) return;
  const G = p.group;
  const taps = p.kD * p.kH * p.kW;
  const Kg = taps * p.Cg;
  const NP = p.N * p.oD * p.oH * p.oW;
  if (NP === 0 || x.size === 0) {
    w.f32(w.ptrOf(dW, OP), dW.size).fill(0);
    return;
  }
  const col = tempTensor(w, [G, NP, Kg]);
  const temps: Tensor[] = [col];
  try {
    const blk = block(w, p, { x: w.ptrOf(x, OP), y: w.ptrOf(col, OP) });
    try {
      w.parallelFor('conv', IM2COL_NHWC, [blk], G * NP, { minPerThread: Math.max(1, Math.ceil(MIN_UNITS_PER_THREAD / Kg)), op: OP });
    } finally {
      w.free(blk);
    }
    const gemm = { transA: true, transB: false, alpha: 1, beta: 1, bias: undefined, activation: { kind: 'linear' } as const };
    if (G === 1) {
      runGemm(OP, ctx, [col, dy], [dW], { ...gemm, M: Kg, N: p.M, K: NP, batch: 1, aOffsets: [0], bOffsets: [0], sharedB: true });
      return;
    }
    const { Mg, M } = p;
    const dyg = tempTensor(w, [G, NP, Mg]);
    temps.push(dyg);
    const src = w.f32(w.ptrOf(dy, OP), dy.size);
    const dst = w.f32(w.ptrOf(dyg, OP), dyg.size);
    for (let g = 0; g < G; g++) for (let r = 0; r < NP; r++) dst.set(src.subarray(r * M + g * Mg, r * M + (g + 1) * Mg), (g * NP + r) * Mg);
    const out = tempTensor(w, [G, Kg, Mg]);
    temps.push(out);
    const aOffsets = Array.from({ length: G }, (_, g) => g * NP * Kg);
    const bOffsets = Array.from({ length: G }, (_, g) => g * NP * Mg);
    runGemm(OP, ctx, [col, dyg], [out], { ...gemm, M: Kg, N: Mg, K: NP, batch: G, aOffsets, bOffsets, sharedB: false });
    const o = w.f32(w.ptrOf(out, OP), out.size);
    const f = w.f32(w.ptrOf(dW, OP), dW.size);
    for (let g = 0; g < G; g++) for (let k = 0; k < Kg; k++) f.set(o.subarray((g * Kg + k) * Mg, (g * Kg + k + 1) * Mg), k * M + g * Mg);
  } finally {
    for (const t of temps) t.dispose();
  }
}

registry.register<ConvBackpropFilterPlan>({ op: OP, device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'conv', run });
