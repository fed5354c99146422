/** wasm launcher for Dilation2D, Dilation2DBackpropInput, Dilation2DBackpropFilter (family `dilation`, see dilation.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import { DILATION_OPS, type DilationPlan } from '../ops/dilation.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { PARAMS } from './dilation.wat.js';

/**
 * Work is counted in window taps (a load pair and an add each, 4 channels per v128). A worker
 * costs ~20–40 µs to wake (2 cores, Node 20): at least 64k taps per thread, as the pool launchers.
 * The gradients' scatter passes split by image (input) or channel (filter).
 */
const MIN_TAPS_PER_THREAD = 1 << 16;

function run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: DilationPlan, op: string): void {
  const w = ctx.wasm;
  const out = outputs[0]!;
  if (out.size === 0) return;
  const prm = w.alloc(PARAMS.length * 4, op);
  const outs = p.N * p.OH * p.OW * p.C;
  const idx = op === 'Dilation2D' ? 0 : w.alloc(Math.max(4, 4 * outs), op);
  try {
    w.i32(prm, PARAMS.length).set(PARAMS.map((k) => p[k]));
    const taps = Math.max(1, p.KH * p.KW * p.C);
    const per = Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / taps));
    const x = inputs[0]!.size ? w.ptrOf(inputs[0]!, op) : 0;
    const f = inputs[1]!.size ? w.ptrOf(inputs[1]!, op) : 0;
    if (outs > 0) w.parallelFor('dilation', 'argmax', [x, f, op === 'Dilation2D' ? w.ptrOf(out, op) : 0, idx, prm], p.N * p.OH * p.OW, { minPerThread: per, op });
    if (op === 'Dilation2D') return;
    const dy = outs > 0 ? w.ptrOf(inputs[2]!, op) : 0;
    if (op === 'Dilation2DBackpropInput') {
      const image = Math.max(1, p.H * p.W * p.C + p.OH * p.OW * p.C);
      w.parallelFor('dilation', 'grad_input', [dy, idx, w.ptrOf(out, op), prm], p.N, { minPerThread: Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / image)), op });
    } else {
      const column = Math.max(1, p.N * p.OH * p.OW);
      w.parallelFor('dilation', 'grad_filter', [dy, idx, w.ptrOf(out, op), prm], p.C, { minPerThread: Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / column)), op });
    }
  } finally {
    if (idx) w.free(idx);
    w.free(prm);
  }
}

for (const op of DILATION_OPS) {
  registry.register<DilationPlan>({ op, device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'dilation', run: (ctx, i, o, p) => run(ctx, i, o, p, op) });
}
