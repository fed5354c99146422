/** wasm launchers of BitwiseAnd/Or/Xor/Not (family `bitwise`, see bitwise.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/bitwise.js';
import { BITWISE_BINARY, BITWISE_DTYPES, type BitwisePlan } from '../ops/bitwise.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * A v128 bitwise op streams like a copy: BitwiseXor over 1 MiB of int32 took 70 µs on one thread here
 * (best of 15, loaded machine), a few times a worker wake-up (~20–40 µs), so a thread gets at least
 * 1 MiB. Rows are cut into pieces of 64 KiB so a single long row still splits.
 */
const MIN_BYTES_PER_THREAD = 1 << 20;
const PIECE_BYTES = 1 << 16;

function runBinary(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: BitwisePlan, op: string): void {
  const w = ctx.wasm;
  const eb = plan.elemBytes;
  const r = plan.shape.length;
  const inner = r === 0 ? 1 : plan.shape[r - 1]!;
  const sa = r === 0 ? 1 : plan.aStrides[r - 1]!;
  const sb = r === 0 ? 1 : plan.bStrides[r - 1]!;
  const outer = plan.shape.slice(0, Math.max(0, r - 1));
  const rows = outer.reduce((p, d) => p * d, 1);
  const perRow = Math.max(1, Math.ceil((inner * eb) / PIECE_BYTES));
  const step = Math.ceil(inner / perRow);
  const tbl = new Int32Array(rows * perRow * 4);
  const at = new Array<number>(outer.length).fill(0);
  let n = 0;
  for (let row = 0; row < rows; row++) {
    let ao = 0;
    let bo = 0;
    at.forEach((v, d) => ((ao += v * plan.aStrides[d]!), (bo += v * plan.bStrides[d]!)));
    for (let s = 0; s < inner; s += step) {
      const len = Math.min(step, inner - s);
      tbl.set([(ao + s * sa) * eb, (bo + s * sb) * eb, (row * inner + s) * eb, len * eb], 4 * n++);
    }
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++at[d]! < outer[d]!) break;
      at[d] = 0;
    }
  }
  const p = w.alloc(Math.max(16, n * 16), op);
  try {
    w.i32(p, n * 4).set(tbl.subarray(0, n * 4));
    const fn = `bitwise_${op.slice(7).toLowerCase()}`;
    const minPerThread = Math.max(1, Math.ceil(MIN_BYTES_PER_THREAD / (step * eb)));
    w.parallelFor('bitwise', fn, [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), p, sa, sb, eb], n, { minPerThread, op });
  } finally {
    w.free(p);
  }
}

for (const op of BITWISE_BINARY) {
  registry.register<BitwisePlan>({
    op,
    device: 'wasm',
    dtypes: BITWISE_DTYPES,
    kind: 'compute',
    family: 'bitwise',
    run: (ctx, inputs, outputs, plan) => runBinary(ctx, inputs, outputs, plan, op),
  });
}

registry.register<BitwisePlan>({
  op: 'BitwiseNot',
  device: 'wasm',
  dtypes: BITWISE_DTYPES,
  kind: 'compute',
  family: 'bitwise',
  run(ctx, inputs, outputs, plan) {
    const w = ctx.wasm;
    const bytes = outputs[0]!.size * plan.elemBytes;
    w.parallelFor('bitwise', 'bitwise_not', [w.ptrOf(inputs[0]!, 'BitwiseNot'), w.ptrOf(outputs[0]!, 'BitwiseNot')], bytes, { grain: 16, minPerThread: MIN_BYTES_PER_THREAD, op: 'BitwiseNot' });
  },
});
