/**
 * wasm launchers of family `copy` (copy.wat.ts): every data-movement op of ops/copy.ts on every
 * dtype. Strided moves go through one kernel, `copy_strided_x{8,16,32,64}`, after collapsing.
 */
import { BYTES_PER_ELEMENT, DTYPES, type DType } from '../core/dtype.js';
import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { MOVE_OPS, collapseMove, type StridedView, type CastPlan, type CopyPlan, type GatherPlan, type IndexedPlan, type Move, type OneHotPlan, type WherePlan } from '../ops/copy.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { scatterPositions } from './index-ops.js';
import type { WasmBackend } from './runtime/backend.js';

const MAX_RANK = 6;
/**
 * Split thresholds, from single-thread rates measured on this machine (best of 100-200 runs, Node 20):
 * a contiguous copy runs at ~19 GB/s (1 MiB in 55 µs), a 4-byte transpose at ~8 GB/s (512×512 in
 * 131 µs), a 1-byte transpose at ~1.5 GB/s; waking a worker costs ~20–40 µs (2 cores, Node 20). So a
 * thread gets at least ~40 µs of work: 1 MiB of output when rows are contiguous on both sides, 256 KiB
 * otherwise. (The machine was shared and loaded while measuring, so 2 threads showed no speed-up even at
 * 4 MiB; these figures are the single-thread side of the trade-off, not a measured crossover.)
 */
const MIN_BYTES_PER_THREAD = 1 << 18;
const MIN_CONTIGUOUS_BYTES_PER_THREAD = 1 << 20;
/** Long contiguous rows are cut into pieces of this many bytes so a single-row copy still splits across threads. */
const PIECE_BYTES = 1 << 15;
/**
 * Cast runs at 0.4–2 ns/element (float32→int32 0.38 SIMD, float32→float16 1.4 SIMD, scalar pairs ~2.1), Where at 0.3: 32k elements a thread is 10–70 µs.
 * The later dtypes (one thread, 64k elements, under load): float64 ⇄ float32 0.25 (SIMD), uint64→float32 0.67, float64→float16 10.7 (scalar, round-to-odd then $f2h).
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;

/**
 * Tile edge in elements for cache-blocked transposes, by element size. Best of 100 runs, one thread:
 * a 512×512 float32 transpose takes 132 µs with 32×32 tiles (194 µs at 8×8, 140 µs at 16×16), a uint8
 * one 102 µs with 64×64 tiles (176 µs at 128×128). A 2048×2048 float32 transpose went from 55–130 ms
 * untiled to ~12 ms; it stays slower per element than 512×512 because its 8 KiB source stride maps a
 * tile's lines onto few cache sets.
 */
const TILE: Record<number, number> = { 1: 64, 2: 32, 4: 32, 8: 16 };

/**
 * A move whose innermost dimension reads the source with a large stride while another dimension reads
 * it contiguously (a transpose) walks memory column by column. Cut both dimensions into T×T tiles and
 * make the tile the two innermost dimensions, so each tile reads T source lines and writes T output
 * lines; the edges that do not fill a tile go as plain moves. Returns false when the move is not such a case.
 */
function tiled(w: WasmBackend, bits: number, srcPtr: number, dstPtr: number, v: StridedView, op: string): boolean {
  const B = bits / 8;
  const r = v.shape.length;
  const l = r - 1;
  if (r < 2 || v.src[l] === B || v.src[l] === 0 || v.dst[l] !== B) return false;
  const k = v.src.indexOf(B);
  const T = TILE[B]!;
  if (k < 0 || k === l || v.shape[k]! < 2 * T || v.shape[l]! < 2 * T) return false;
  const qk = Math.floor(v.shape[k]! / T) * T;
  const ql = Math.floor(v.shape[l]! / T) * T;
  const others = [...Array(l).keys()].filter((d) => d !== k);
  const pickDims = (xs: number[], hiK: number, hiL: number, loK: number, loL: number) => [...others.map((d) => xs[d]!), hiK, hiL, loK, loL];
  launch(w, bits, srcPtr, dstPtr, {
    shape: pickDims(v.shape, qk / T, ql / T, T, T),
    src: pickDims(v.src, T * v.src[k]!, T * v.src[l]!, v.src[k]!, v.src[l]!),
    dst: pickDims(v.dst, T * v.dst[k]!, T * v.dst[l]!, v.dst[k]!, v.dst[l]!),
  }, op, false);
  const part = (k0: number, nk: number, l0: number, nl: number) => {
    if (nk === 0 || nl === 0) return;
    const shape = v.shape.slice();
    shape[k] = nk;
    shape[l] = nl;
    launch(w, bits, srcPtr + k0 * v.src[k]! + l0 * v.src[l]!, dstPtr + k0 * v.dst[k]! + l0 * v.dst[l]!, { shape, src: v.src, dst: v.dst }, op, false);
  };
  part(qk, v.shape[k]! - qk, 0, v.shape[l]!);
  part(0, qk, ql, v.shape[l]! - ql);
  return true;
}

/**
 * A very short innermost dimension (NCHW → NHWC: C = 3) makes one kernel row per few elements. When
 * another dimension reads the source contiguously and is long, it goes innermost instead (any order
 * of the dimensions copies the same elements): rows become long source runs written with a stride.
 */
function shortInnerLast(v: StridedView, B: number): StridedView {
  const l = v.shape.length - 1;
  if (l < 1 || v.shape[l]! >= 8) return v;
  const k = v.src.indexOf(B);
  if (k < 0 || k === l || v.shape[k]! < 64) return v;
  const order = [...Array(l + 1).keys()].filter((d) => d !== k).concat(k);
  return { shape: order.map((d) => v.shape[d]!), src: order.map((d) => v.src[d]!), dst: order.map((d) => v.dst[d]!) };
}

/** Copy one strided view (strides and pointers in bytes) with the strided kernel. */
function launch(w: WasmBackend, bits: number, srcPtr: number, dstPtr: number, v: StridedView, op: string, tile = true): void {
  if (tile && tiled(w, bits, srcPtr, dstPtr, v, op)) return;
  if (tile) v = shortInnerLast(v, bits / 8);
  const r = v.shape.length;
  if (r > MAX_RANK) {
    // the extra outer dimensions loop here
    const rest: StridedView = { shape: v.shape.slice(1), src: v.src.slice(1), dst: v.dst.slice(1) };
    for (let i = 0; i < v.shape[0]!; i++) launch(w, bits, srcPtr + i * v.src[0]!, dstPtr + i * v.dst[0]!, rest, op, false);
    return;
  }
  let shape = v.shape;
  let src = v.src;
  let dst = v.dst;
  const B = bits / 8;
  const inner = shape[r - 1]!;
  // a long contiguous row is cut into pieces so the threads can share it
  if (r < MAX_RANK && src[r - 1] === B && dst[r - 1] === B && inner * B >= 2 * PIECE_BYTES) {
    const per = PIECE_BYTES / B;
    const q = Math.floor(inner / per);
    const rem = inner - q * per;
    if (rem) launch(w, bits, srcPtr + q * per * B, dstPtr + q * per * B, { shape: [...shape.slice(0, -1), rem], src, dst }, op);
    shape = [...shape.slice(0, -1), q, per];
    src = [...src.slice(0, -1), per * B, B];
    dst = [...dst.slice(0, -1), per * B, B];
  }
  const pad = MAX_RANK - shape.length;
  const desc = new Int32Array(3 * MAX_RANK);
  for (let i = 0; i < MAX_RANK; i++) {
    const k = i - pad;
    desc[i] = k >= 0 ? shape[k]! : 1;
    desc[MAX_RANK + i] = k >= 0 ? src[k]! : 0;
    desc[2 * MAX_RANK + i] = k >= 0 ? dst[k]! : 0;
  }
  const rows = desc.slice(0, MAX_RANK - 1).reduce((a, b) => a * b, 1);
  const rowBytes = desc[MAX_RANK - 1]! * B;
  const p = w.alloc(desc.byteLength, op);
  try {
    w.i32(p, desc.length).set(desc);
    const contiguous = desc[2 * MAX_RANK - 1] === B && desc[3 * MAX_RANK - 1] === B;
    const minBytes = contiguous ? MIN_CONTIGUOUS_BYTES_PER_THREAD : MIN_BYTES_PER_THREAD;
    w.parallelFor('copy', `copy_strided_x${bits}`, [srcPtr, dstPtr, p], rows, { minPerThread: Math.max(1, Math.ceil(minBytes / rowBytes)), op });
  } finally {
    w.free(p);
  }
}

/**
 * A move that collapses to one contiguous run shorter than two threads' shares is a single
 * `copy_contig` call (memory.copy): no descriptor block to allocate and fill, no row walk. It would
 * run on one thread anyway. Concat of [1,1,1,213] and [1,1,1,15] through rt.run, one thread:
 * 11.1 → 5.2 µs a call (tfjs-wasm 4.8 µs in the same process).
 */
const DIRECT_COPY_BYTES = 2 * MIN_CONTIGUOUS_BYTES_PER_THREAD;

/** Run one move of a plan: element offsets and strides, `elemBytes`-byte elements. */
export function runMove(w: WasmBackend, elemBytes: number, srcPtr: number, dstPtr: number, m: Move, op: string): void {
  const v = collapseMove(m.shape, m.srcStrides, m.dstStrides);
  if (!v) return;
  if (v.shape.length === 1 && v.src[0] === 1 && v.dst[0] === 1 && v.shape[0]! * elemBytes < DIRECT_COPY_BYTES) {
    w.exports('copy').copy_contig!(srcPtr + m.srcOffset * elemBytes, dstPtr + m.dstOffset * elemBytes, v.shape[0]! * elemBytes);
    return;
  }
  const b = (xs: number[]) => xs.map((s) => s * elemBytes);
  launch(w, elemBytes * 8, srcPtr + m.srcOffset * elemBytes, dstPtr + m.dstOffset * elemBytes, { shape: v.shape, src: b(v.src), dst: b(v.dst) }, op);
}

/**
 * Write `value` converted to `dtype` into a fresh one-element block: integers as a typed-array store
 * converts (truncation, wrapping; NaN → 0), bool as value != 0, float16 through float32 (rounded twice).
 */
function scalarOf(w: WasmBackend, dtype: DType, value: number, op: string): number {
  const p = w.alloc(8, op);
  const mem = w.memory.buffer;
  switch (dtype) {
    case 'float32': new Float32Array(mem, p, 1)[0] = value; break;
    case 'int32': new Int32Array(mem, p, 1)[0] = value; break;
    case 'int64': new BigInt64Array(mem, p, 1)[0] = Number.isFinite(value) ? BigInt.asIntN(64, BigInt(Math.trunc(value))) : 0n; break;
    case 'bool': new Uint8Array(mem, p, 1)[0] = value !== 0 ? 1 : 0; break;
    case 'uint8': new Uint8Array(mem, p, 1)[0] = value; break;
    case 'int8': new Int8Array(mem, p, 1)[0] = value; break;
    case 'float64': new Float64Array(mem, p, 1)[0] = value; break;
    case 'uint16': new Uint16Array(mem, p, 1)[0] = value; break;
    case 'int16': new Int16Array(mem, p, 1)[0] = value; break;
    case 'uint32': new Uint32Array(mem, p, 1)[0] = value; break;
    case 'uint64': new BigUint64Array(mem, p, 1)[0] = Number.isFinite(value) ? BigInt.asUintN(64, BigInt(Math.trunc(value))) : 0n; break;
    case 'int4': new Int8Array(mem, p, 1)[0] = (value << 28) >> 28; break;
    case 'uint4': new Uint8Array(mem, p, 1)[0] = value & 15; break;
    case 'float16':
      new Float32Array(mem, p, 1)[0] = value;
      w.exports('copy').cast_float32_float16!(p, p, 0, 1);
      break;
  }
  return p;
}

/** Fill `count` elements of `out` from element `start` with the element at `p` (a stride-0 move). */
function fillRange(w: WasmBackend, elemBytes: number, p: number, outPtr: number, start: number, count: number, op: string): void {
  if (count > 0) runMove(w, elemBytes, p, outPtr, { from: 'in', src: 0, dst: 0, shape: [count], srcOffset: 0, srcStrides: [0], dstOffset: start, dstStrides: [1] }, op);
}

/**
 * Constant Pad whose interior collapses to rows [R, n] contiguous on both sides (a channel pad of
 * NHWC, a pad of the last two axes, any pad of a 1-D view): one pass over the output with
 * `pad_rows_x*` (each row's copy, then the fill up to the next row) instead of filling the whole
 * output and copying the interior over it. Kernels alone, one thread, channel pads C → 2C:
 * [1,48,48,16] 17.4 → 13.7 µs, [1,16,16,64] 5.1 → 3.4 µs, [1,32,32,24] 9.7 → 6.8 µs (old and new
 * templates interleaved in one process). Returns false where it does not apply.
 */
function padRows(w: WasmBackend, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: CopyPlan, op: string): boolean {
  const B = plan.elemBytes;
  const m = plan.moves[0];
  const out = outputs[0]!;
  if (op !== 'Pad' || plan.fills.length !== 1 || plan.moves.length !== 1 || !m || m.from !== 'in' || ![1, 2, 4, 8].includes(B) || out.size === 0) return false;
  const v = collapseMove(m.shape, m.srcStrides, m.dstStrides);
  if (!v || v.shape.length > 2 || v.src[v.shape.length - 1] !== 1 || v.dst[v.shape.length - 1] !== 1) return false;
  const tot = out.size;
  const off = m.dstOffset;
  const one = v.shape.length === 1;
  const R = one ? 1 : v.shape[0]!;
  const n = one ? v.shape[0]! : v.shape[1]!;
  const ds = one ? tot - off : v.dst[0]!;
  const ss = one ? 0 : v.src[0]!;
  if (ds < n || ss < 0) return false;
  const p = scalarOf(w, out.dtype, plan.fills[0]!.value, op);
  try {
    const outPtr = w.ptrOf(out, op);
    fillRange(w, B, p, outPtr, 0, off, op);
    w.parallelFor('copy', `pad_rows_x${B * 8}`, [w.ptrOf(inputs[m.src]!, op) + m.srcOffset * B, outPtr, n * B, ss * B, ds * B, off * B, tot * B, p], R, {
      minPerThread: Math.max(1, Math.ceil(MIN_BYTES_PER_THREAD / (ds * B))),
      op,
    });
    fillRange(w, B, p, outPtr, off + R * ds, tot - (off + R * ds), op);
  } finally {
    w.free(p);
  }
  return true;
}

function runMoves(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: CopyPlan, op: string): void {
  const w = ctx.wasm;
  if (padRows(w, inputs, outputs, plan, op)) return;
  for (const f of plan.fills) {
    const out = outputs[f.dst]!;
    if (out.size === 0) continue;
    const p = scalarOf(w, out.dtype, f.value, op);
    try {
      runMove(w, plan.elemBytes, p, w.ptrOf(out, op), { from: 'in', src: 0, dst: f.dst, shape: [out.size], srcOffset: 0, srcStrides: [0], dstOffset: 0, dstStrides: [1] }, op);
    } finally {
      w.free(p);
    }
  }
  for (const m of plan.moves) {
    if (m.shape.some((d) => d === 0)) continue;
    const src = m.from === 'in' ? inputs[m.src]! : outputs[m.src]!;
    runMove(w, plan.elemBytes, w.ptrOf(src, op), w.ptrOf(outputs[m.dst]!, op), m, op);
  }
}

for (const op of MOVE_OPS) {
  registry.register<CopyPlan>({
    op,
    device: 'wasm',
    dtypes: DTYPES,
    kind: 'compute',
    family: 'copy',
    run: (ctx, inputs, outputs, plan) => runMoves(ctx, inputs, outputs, plan, op),
  });
}

/** Gather's indices checked and normalised (negative ones wrapped) into a fresh int32 block. */
function gatherIndices(w: WasmBackend, idx: Tensor, plan: GatherPlan): number {
  const op = 'Gather';
  const n = plan.nIdx;
  const p = w.alloc(Math.max(4, n * 4), op);
  const src = w.ptrOf(idx, op);
  const out = w.i32(p, n);
  const view = idx.dtype === 'int64' ? new BigInt64Array(w.memory.buffer, src, n) : new Int32Array(w.memory.buffer, src, n);
  const dim = plan.axisDim;
  for (let j = 0; j < n; j++) {
    const raw = Number(view[j]!);
    const v = raw < 0 ? raw + dim : raw;
    if (!(v >= 0 && v < dim)) {
      w.free(p);
      throw new ShapeError(op, `index ${raw} (element ${j} of indices ${fmtShape(plan.indicesShape)}) is out of range for an axis of size ${dim} in data ${fmtShape(plan.dataShape)}`);
    }
    out[j] = v;
  }
  return p;
}

registry.register<GatherPlan>({
  op: 'Gather',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const w = ctx.wasm;
    const p = gatherIndices(w, inputs[1]!, plan);
    try {
      const rowBytes = plan.inner * plan.elemBytes;
      const rows = plan.outer * plan.nIdx;
      if (rows === 0 || rowBytes === 0) return;
      const one = plan.inner === 1;
      w.parallelFor('copy', one ? `gather_x${plan.elemBytes * 8}` : 'gather_rows', [w.ptrOf(inputs[0]!, 'Gather'), w.ptrOf(outputs[0]!, 'Gather'), p, plan.nIdx, plan.axisDim, ...(one ? [] : [rowBytes])], rows, {
        minPerThread: Math.max(1, Math.ceil(MIN_BYTES_PER_THREAD / rowBytes)),
        op: 'Gather',
      });
    } finally {
      w.free(p);
    }
  },
});

registry.register<WherePlan>({
  op: 'Where',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const w = ctx.wasm;
    const op = 'Where';
    const out = outputs[0]!;
    const n = out.size;
    const scratch: number[] = [];
    try {
      // an operand that is broadcast is expanded to the output's shape first
      const ptrs = inputs.map((t, k) => {
        if (plan.sameShape[k]) return w.ptrOf(t, op);
        const bytes = k === 0 ? 1 : plan.elemBytes;
        const p = w.alloc(n * bytes, op);
        scratch.push(p);
        runMove(w, bytes, w.ptrOf(t, op), p, plan.expand[k]!, op);
        return p;
      });
      w.parallelFor('copy', `select_x${plan.elemBytes * 8}`, [...ptrs, w.ptrOf(out, op)], n, { minPerThread: MIN_ELEMENTS_PER_THREAD, grain: 16, op });
    } finally {
      for (const p of scratch) w.free(p);
    }
  },
});

registry.register<CastPlan>({
  op: 'Cast',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const w = ctx.wasm;
    const x = w.ptrOf(inputs[0]!, 'Cast');
    const y = w.ptrOf(outputs[0]!, 'Cast');
    const n = inputs[0]!.size;
    if (plan.from === plan.to) {
      runMove(w, BYTES_PER_ELEMENT[plan.from], x, y, { from: 'in', src: 0, dst: 0, shape: [n], srcOffset: 0, srcStrides: [1], dstOffset: 0, dstStrides: [1] }, 'Cast');
      return;
    }
    w.parallelFor('copy', `cast_${plan.from}_${plan.to}`, [x, y], n, { minPerThread: MIN_ELEMENTS_PER_THREAD, op: 'Cast' });
  },
});

/** The indices of `t` as numbers (int32 or int64). Read before allocating anything: views go stale when memory grows. */
function readIndices(w: WasmBackend, t: Tensor, op: string): Float64Array {
  const p = w.ptrOf(t, op);
  const n = t.size;
  const v = t.dtype === 'int64' ? new BigInt64Array(w.memory.buffer, p, n) : new Int32Array(w.memory.buffer, p, n);
  return Float64Array.from(v as ArrayLike<number | bigint>, Number);
}

function indexError(op: string, raw: number, pos: number, dim: number, plan: IndexedPlan): ShapeError {
  return new ShapeError(op, `index ${raw} (element ${pos} of indices ${fmtShape(plan.indicesShape)}) is out of range for an axis of size ${dim} in data ${fmtShape(plan.dataShape)}`);
}

/** Copy rows: output row r ← data row rows[r] (rowBytes each, one element when `elemBytes` equals it), across threads. */
function gatherAbsolute(w: WasmBackend, src: number, dst: number, rows: Int32Array, rowBytes: number, elemBytes: number, op: string): void {
  if (rows.length === 0 || rowBytes === 0) return;
  const p = w.alloc(rows.byteLength, op);
  try {
    w.i32(p, rows.length).set(rows);
    const one = rowBytes === elemBytes;
    w.parallelFor('copy', one ? `gather_x${elemBytes * 8}` : 'gather_rows', [src, dst, p, rows.length, 0, ...(one ? [] : [rowBytes])], rows.length, { minPerThread: Math.max(1, Math.ceil(MIN_BYTES_PER_THREAD / rowBytes)), op });
  } finally {
    w.free(p);
  }
}

/** Row numbers (data viewed as [rows, inner]) of the k-tuples of GatherND/ScatterND indices, batch_dims b. */
function tupleRows(op: string, idx: Float64Array, plan: IndexedPlan, b: number): Int32Array {
  const ds = plan.dataShape;
  const k = plan.indicesShape[plan.indicesShape.length - 1]!;
  const batches = ds.slice(0, b).reduce((a, d) => a * d, 1);
  const slab = ds.slice(b, b + k).reduce((a, d) => a * d, 1);
  const tuples = idx.length / k;
  const perBatch = batches ? tuples / batches : 0;
  const rows = new Int32Array(tuples);
  for (let t = 0; t < tuples; t++) {
    let row = 0;
    for (let i = 0; i < k; i++) {
      const dim = ds[b + i]!;
      const raw = idx[t * k + i]!;
      const v = raw < 0 ? raw + dim : raw;
      if (!(v >= 0 && v < dim)) throw indexError(op, raw, t * k + i, dim, plan);
      row = row * dim + v;
    }
    rows[t] = Math.floor(t / perBatch) * slab + row;
  }
  return rows;
}

registry.register<IndexedPlan>({
  op: 'GatherElements',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const op = 'GatherElements';
    const w = ctx.wasm;
    const idx = readIndices(w, inputs[1]!, op);
    const { dataShape: ds, indicesShape: is, axis } = plan;
    const strides = ds.map((_, d) => ds.slice(d + 1).reduce((a, x) => a * x, 1));
    // source element of every output element: the odometer walks the indices' shape
    const rows = new Int32Array(idx.length);
    const at = new Array<number>(is.length).fill(0);
    let base = 0;
    for (let i = 0; i < idx.length; i++) {
      const raw = idx[i]!;
      const dim = ds[axis]!;
      const v = raw < 0 ? raw + dim : raw;
      if (!(v >= 0 && v < dim)) throw indexError(op, raw, i, dim, plan);
      rows[i] = base + v * strides[axis]!;
      for (let d = is.length - 1; d >= 0; d--) {
        if (d !== axis) base += strides[d]!;
        if (++at[d]! < is[d]!) break;
        if (d !== axis) base -= at[d]! * strides[d]!;
        at[d] = 0;
      }
    }
    gatherAbsolute(w, w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), rows, plan.elemBytes, plan.elemBytes, op);
  },
});

registry.register<IndexedPlan>({
  op: 'GatherND',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const op = 'GatherND';
    const w = ctx.wasm;
    const rows = tupleRows(op, readIndices(w, inputs[1]!, op), plan, plan.axis);
    gatherAbsolute(w, w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), rows, plan.inner * plan.elemBytes, plan.elemBytes, op);
  },
});

registry.register<IndexedPlan>({
  op: 'ScatterND',
  device: 'wasm',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const op = 'ScatterND';
    const w = ctx.wasm;
    const rows = tupleRows(op, readIndices(w, inputs[1]!, op), plan, 0);
    const out = w.ptrOf(outputs[0]!, op);
    const n = outputs[0]!.size;
    runMove(w, plan.elemBytes, w.ptrOf(inputs[0]!, op), out, { from: 'in', src: 0, dst: 0, shape: [n], srcOffset: 0, srcStrides: [1], dstOffset: 0, dstStrides: [1] }, op);
    const rowBytes = plan.inner * plan.elemBytes;
    if (rows.length === 0 || rowBytes === 0) return;
    if (plan.reduction && plan.reduction !== 'none') {
      // element positions of every update slab: the reducing scatter of index-ops.ts
      const pos = new Int32Array(rows.length * plan.inner);
      rows.forEach((r, t) => {
        for (let e = 0; e < plan.inner; e++) pos[t * plan.inner + e] = r * plan.inner + e;
      });
      scatterPositions(w, out, n, w.ptrOf(inputs[2]!, op), pos, plan.elemBytes, plan.reduction, plan.dispatchDType, op);
      return;
    }
    // repeated tuples: one thread, in order, so the last update wins
    const repeated = new Set(rows).size !== rows.length;
    const p = w.alloc(rows.byteLength, op);
    try {
      w.i32(p, rows.length).set(rows);
      const minPerThread = Math.max(1, Math.ceil(MIN_BYTES_PER_THREAD / rowBytes));
      w.parallelFor('copy', 'scatter_rows', [w.ptrOf(inputs[2]!, op), out, p, rowBytes], rows.length, { minPerThread, ordered: repeated, op });
    } finally {
      w.free(p);
    }
  },
});

registry.register<OneHotPlan>({
  op: 'OneHot',
  device: 'wasm',
  dtypes: ['int32', 'int64'],
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const op = 'OneHot';
    const w = ctx.wasm;
    const idx = readIndices(w, inputs[0]!, op);
    const out = outputs[0]!;
    const B = BYTES_PER_ELEMENT[out.dtype];
    const pos = new Int32Array(idx.length);
    let n = 0;
    idx.forEach((v, i) => {
      // the new axis sits before the last `inner` elements of the indices (inner = 1: last)
      if (v >= 0 && v < plan.depth) pos[n++] = (Math.floor(i / plan.inner) * plan.depth + v) * plan.inner + (i % plan.inner);
    });
    const off = scalarOf(w, out.dtype, plan.offValue, op);
    const on = scalarOf(w, out.dtype, plan.onValue, op);
    const p = w.alloc(Math.max(4, n * 4), op);
    try {
      const dst = w.ptrOf(out, op);
      runMove(w, B, off, dst, { from: 'in', src: 0, dst: 0, shape: [out.size], srcOffset: 0, srcStrides: [0], dstOffset: 0, dstStrides: [1] }, op);
      w.i32(p, n).set(pos.subarray(0, n));
      w.parallelFor('copy', `put_x${B * 8}`, [dst, p, on], n, { minPerThread: MIN_ELEMENTS_PER_THREAD, op });
    } finally {
      [off, on, p].forEach((q) => w.free(q));
    }
  },
});
