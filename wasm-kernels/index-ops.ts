/**
 * wasm launchers of family `index-ops` (index-ops.wat.ts): Trilu, and ScatterElements with its
 * reductions. Indices are read and checked here, on the host, so an out-of-range index is a
 * ShapeError naming the op, the index and the shapes before any byte moves.
 */
import { DTYPES } from '../core/dtype.js';
import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import '../ops/scatter-elements.js';
import type { ScatterElementsPlan, ScatterReduction } from '../ops/scatter-elements.js';
import '../ops/trilu.js';
import type { TriluPlan } from '../ops/trilu.js';
import { registry, type KernelContext } from '../registry/registry.js';
import type { WasmBackend } from './runtime/backend.js';

/**
 * Trilu moves whole rows with memory.copy/memory.fill: a 512×512 float32 Trilu (1 MiB) took 58 µs on
 * one thread here (best of 15, machine shared and loaded), ~18 GB/s. Waking a worker costs ~20–40 µs,
 * so a thread gets at least 1 MiB.
 */
const MIN_BYTES_PER_THREAD = 1 << 20;
/**
 * ScatterElements with 64k float32 updates took ~1 ms on one thread here (best of 15, loaded machine),
 * ~15 ns per update, most of it the host-side index check; the wasm scatter is a load and a store per
 * update. A thread takes at least 32k updates, well above a worker wake-up (~20–40 µs).
 */
const MIN_UPDATES_PER_THREAD = 1 << 15;

registry.register<TriluPlan>({
  op: 'Trilu',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'index-ops',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: TriluPlan): void {
    const w = ctx.wasm;
    const rowBytes = plan.cols * plan.elemBytes;
    const args = [w.ptrOf(inputs[0]!, 'Trilu'), w.ptrOf(outputs[0]!, 'Trilu'), plan.rows, plan.cols, plan.elemBytes, plan.k, plan.upper ? 1 : 0];
    const minPerThread = Math.max(1, Math.ceil(MIN_BYTES_PER_THREAD / Math.max(1, rowBytes)));
    w.parallelFor('index-ops', 'trilu', args, plan.batch * plan.rows, { minPerThread, op: 'Trilu' });
  },
});

/** The values of an int32 or int64 tensor as numbers (read before anything is allocated: views go stale when memory grows). */
export function readIndexTensor(w: WasmBackend, t: Tensor, op: string): Float64Array {
  const p = w.ptrOf(t, op);
  const out = new Float64Array(t.size);
  // plain loops: Float64Array.from with a map function and a Set are ~100× slower here (64k indices: ~20 ms)
  if (t.dtype === 'int64') {
    const v = new BigInt64Array(w.memory.buffer, p, t.size);
    for (let i = 0; i < out.length; i++) out[i] = Number(v[i]!);
  } else out.set(new Int32Array(w.memory.buffer, p, t.size));
  return out;
}

/** Whether any position repeats (positions are in [0, size)). */
function repeats(pos: Int32Array, size: number): boolean {
  const seen = new Uint8Array(size);
  for (let i = 0; i < pos.length; i++) {
    if (seen[pos[i]!]) return true;
    seen[pos[i]!] = 1;
  }
  return false;
}

/**
 * Scatter `upd` (element r of a contiguous array) into `out` (outSize elements) at element positions
 * pos[r] with a reduction; `out` already holds the data. One thread, in order, when positions repeat.
 */
export function scatterPositions(w: WasmBackend, out: number, outSize: number, upd: number, pos: Int32Array, elemBytes: number, reduction: ScatterReduction, dtype: string, op: string): void {
  if (pos.length === 0) return;
  const fn = reduction === 'none' ? `scatter_put_x${elemBytes * 8}` : `scatter_${reduction}_${dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'i64'}`;
  const repeated = repeats(pos, outSize);
  const p = w.alloc(pos.byteLength, op);
  try {
    w.i32(p, pos.length).set(pos);
    w.parallelFor('index-ops', fn, [out, upd, p], pos.length, { minPerThread: MIN_UPDATES_PER_THREAD, ordered: repeated, op });
  } finally {
    w.free(p);
  }
}

registry.register<ScatterElementsPlan>({
  op: 'ScatterElements',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'index-ops',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: ScatterElementsPlan): void {
    const op = 'ScatterElements';
    const w = ctx.wasm;
    const idx = readIndexTensor(w, inputs[1]!, op);
    const { dataShape: ds, indicesShape: is, axis } = plan;
    const strides = ds.map((_, d) => ds.slice(d + 1).reduce((a, x) => a * x, 1));
    const dim = ds[axis]!;
    // destination element of every update: an odometer over the indices' shape
    const pos = new Int32Array(idx.length);
    const at = new Array<number>(is.length).fill(0);
    let base = 0;
    for (let i = 0; i < idx.length; i++) {
      const raw = idx[i]!;
      const v = raw < 0 ? raw + dim : raw;
      if (!(v >= 0 && v < dim)) throw new ShapeError(op, `index ${raw} (element ${i} of indices ${fmtShape(is)}) is out of range for axis ${axis} of size ${dim} in data ${fmtShape(ds)}`);
      pos[i] = base + v * strides[axis]!;
      for (let d = is.length - 1; d >= 0; d--) {
        if (d !== axis) base += strides[d]!;
        if (++at[d]! < is[d]!) break;
        if (d !== axis) base -= at[d]! * strides[d]!;
        at[d] = 0;
      }
    }
    const out = w.ptrOf(outputs[0]!, op);
    const bytes = outputs[0]!.size * plan.elemBytes;
    new Uint8Array(w.memory.buffer, out, bytes).set(new Uint8Array(w.memory.buffer, w.ptrOf(inputs[0]!, op), bytes));
    scatterPositions(w, out, outputs[0]!.size, w.ptrOf(inputs[2]!, op), pos, plan.elemBytes, plan.reduction, plan.dispatchDType, op);
  },
});
