/**
 * The wasm launcher shared by MatMul and Gemm (family `gemm`, see gemm.wat.ts): packs B (cached on
 * the B tensor when the whole batch shares it), fills the parameter block, and splits the work.
 */
import type { Tensor } from '../core/tensor.js';
import type { GemmProblem } from '../ops/matmul.js';
import type { Activation } from '../ops/types.js';
import { activationParams } from '../ops/activation.js';
import type { KernelContext } from '../registry/registry.js';
import { I32_MR, KC, NC_PANELS, NR, f32TileFor } from './gemm-config.js';
import { ACT_CODES, EPI_APPLY, EPI_BIAS, GEMV_EXPORT, I32_GEMM_EXPORT, PACK_B_EXPORT, PB, f32GemmExport, slotBytes } from './gemm.wat.js';
import type { WasmBackend } from './runtime/backend.js';
import { f32ConvGemmExport } from './conv-gemm.wat.js';

/**
 * Multiply-adds below which a GEMM stays on the calling thread: waking a worker costs ~20–40 µs on
 * this 2-core Node 20 machine, ~1M MACs of the 6x8 kernel.
 */
const MIN_MACS_PARALLEL = 1 << 21;
/**
 * Tasks per thread (each a run of row tiles with its own packed-A slot, taken dynamically). More tasks
 * re-read B blocks more often but balance better on a noisy machine: 2 threads vs 1 at 1024³,
 * relaxed, 2 rounds: 2 tasks/thread 1.58–1.79×, 4: 1.86–1.87×, 8: 1.88–1.89×.
 */
const TASKS_PER_THREAD = 8;
/** Floats of B per thread below which packing stays on one thread. */
const MIN_PACK_PER_THREAD = 1 << 16;

const FAMILY = 'gemm';

export function actParams(a: Activation): [code: number, p0: number, p1: number] {
  return [ACT_CODES[a.kind], ...activationParams(a)];
}

/** Pack K×N B (element (k, j) at src + k·rsB + j·csB bytes) into dst as 8-column panels. */
function packB(w: WasmBackend, src: number, transB: boolean, K: number, N: number, dst: number, op: string): void {
  const panels = Math.ceil(N / NR);
  const rsB = transB ? 4 : N * 4;
  const csB = transB ? K * 4 : 4;
  const minPerThread = Math.max(1, Math.ceil(MIN_PACK_PER_THREAD / Math.max(1, K * NR)));
  w.parallelFor(FAMILY, PACK_B_EXPORT, [src, rsB, csB, K, N, dst], panels, { minPerThread, op });
}

const packedBytes = (K: number, N: number) => Math.max(64, Math.ceil(N / NR) * NR * K * 4);

/** The packed-B cache entry on a weight tensor, keyed by orientation and size. */
interface PackedEntry {
  ptr: number;
  dispose(): void;
}
const packKeys = new Map<number, string>();
function packKey(transB: boolean, K: number, N: number): string {
  // numeric lookup first: building the key string per launch cost more than tiny GEMMs
  const id = (K * 65536 + N) * 2 + (transB ? 1 : 0);
  let k = packKeys.get(id);
  if (k === undefined) {
    k = `gemm.packB:${transB}:${K}x${N}`;
    if (packKeys.size < 4096) packKeys.set(id, k);
  }
  return k;
}

/**
 * Write the address of B's packed form for every batch into the table at word `tab` of the heap:
 * one cached copy on the B tensor when every batch shares it, else a copy per distinct matrix in
 * launch scratch.
 */
function packedB(w: WasmBackend, b: Tensor, p: GemmProblem, tab: number, op: string): void {
  const bPtr = w.ptrOf(b, op);
  if (p.sharedB) {
    const key = p.K < 65536 && p.N < 65536 ? packKey(p.transB, p.K, p.N) : `gemm.packB:${p.transB}:${p.K}x${p.N}`;
    let entry = b.derived.get(key) as PackedEntry | undefined;
    if (!entry) {
      const ptr = w.alloc(packedBytes(p.K, p.N), op);
      try {
        packB(w, bPtr, p.transB, p.K, p.N, ptr, op);
      } catch (e) {
        w.free(ptr);
        throw e;
      }
      entry = { ptr, dispose: () => w.free(ptr) };
      b.derived.set(key, entry);
    }
    w.heapI32().fill(entry.ptr, tab, tab + p.batch);
    return;
  }
  const size = packedBytes(p.K, p.N);
  const at = new Map<number, number>();
  for (const off of p.bOffsets) {
    if (at.has(off)) continue;
    const dst = w.scratch(size, op);
    at.set(off, dst);
    packB(w, bPtr + off * 4, p.transB, p.K, p.N, dst, op);
  }
  const I = w.heapI32(); // after packing: a heap fallback may have grown the memory
  for (let i = 0; i < p.batch; i++) I[tab + i] = at.get(p.bOffsets[i]!)!;
}

/** Byte addresses base + 4·offsets[i] into the table at word `tab`. */
function offsetTable(w: WasmBackend, tab: number, base: number, offsets: readonly number[]): void {
  const I = w.heapI32();
  for (let i = 0; i < offsets.length; i++) I[tab + i] = base + offsets[i]! * 4;
}

/**
 * Run a planned MatMul/Gemm on wasm: outputs[0] = act(alpha·op(A)·op(B) + beta·bias).
 * With `convBlock` (the address of a conv block, see conv-gemm.wat.ts) A is the implicit patch
 * matrix of an NHWC convolution read from the image while packing; batch must be 1, M and N > 1.
 *
 * The parameter block, its address tables, packed-A slots and per-call packed B all live in the
 * backend's launch scratch (no heap allocation per call), written straight into wasm memory.
 */
export function runGemm(op: string, ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: GemmProblem, convBlock = 0): void {
  const w = ctx.wasm;
  const int = outputs[0]!.dtype === 'int32';
  const { M, N, K, batch } = p;
  const aPtr = w.ptrOf(inputs[0]!, op);
  const cPtr = w.ptrOf(outputs[0]!, op);
  const hasBias = p.bias !== undefined && inputs[2] !== undefined;
  const biasPtr = hasBias ? w.ptrOf(inputs[2]!, op) : 0;
  const a = p.activation;
  const act = ACT_CODES[a.kind];
  const [p0, p1] = act === ACT_CODES.linear ? [0, 0] : activationParams(a);
  const flags = (p.alpha !== 1 || hasBias || act !== ACT_CODES.linear ? EPI_APPLY : 0) | (hasBias ? EPI_BIAS : 0);
  const gemv = !int && !convBlock && (M === 1 || N === 1);

  const mark = w.scratchMark();
  try {
    const blk = w.scratch(PB.words * 4 + 3 * batch * 4, op);
    const o = blk >> 2;
    const tabs = blk + PB.words * 4;
    const aTab = o + PB.words;
    const bTab = aTab + batch;
    const xTab = bTab + batch;
    w.heapI32().fill(0, o, o + PB.words);
    if (convBlock) w.heapI32()[aTab] = convBlock;
    else offsetTable(w, aTab, aPtr, p.aOffsets);
    let W = 0;
    let T = 0;
    let scratch = 0;
    let mr = 0;
    let CG = 1;
    let tilesM = 0;
    if (gemv) {
      // y = x·mat: M = 1 takes x from A and mat = B; N = 1 takes x from B and mat = A.
      const bPtr = w.ptrOf(inputs[1]!, op);
      const rowVec = M === 1;
      const I = w.heapI32();
      if (rowVec) {
        for (let i = 0; i < batch; i++) I[xTab + i] = I[aTab + i]!;
        offsetTable(w, bTab, bPtr, p.bOffsets);
      } else {
        for (let i = 0; i < batch; i++) I[bTab + i] = I[aTab + i]!;
        offsetTable(w, xTab, bPtr, p.bOffsets);
      }
      const dot = rowVec ? p.transB : !p.transA;
      const L = rowVec ? N : M;
      const parallel = w.threads > 1 && batch * L * K >= MIN_MACS_PARALLEL;
      const groups = parallel ? Math.max(1, Math.ceil((w.threads * 2) / batch)) : 1;
      const groupAlign = dot ? 4 : 32;
      const G = Math.max(groupAlign, Math.ceil(L / groups / groupAlign) * groupAlign);
      I[o + PB.mode] = dot ? 0 : 1;
      I[o + PB.rs] = dot ? K * 4 : L * 4;
      I[o + PB.L] = L;
      I[o + PB.G] = G;
      I[o + PB.GPB] = Math.ceil(L / G);
      if (p.bias) I[o + PB.bcs] = (rowVec ? p.bias.colStride : p.bias.rowStride) * 4;
      W = batch * Math.ceil(L / G);
    } else {
      packedB(w, inputs[1]!, p, bTab, op);
      mr = int ? I32_MR : f32TileFor(M, w.relaxed);
      tilesM = Math.ceil(M / mr);
      const panels = Math.ceil(N / NR);
      const parallel = w.threads > 1 && batch * M * N * K >= MIN_MACS_PARALLEL;
      if (parallel) while (batch * tilesM * CG < TASKS_PER_THREAD * w.threads && CG * 8 <= panels) CG *= 2;
      W = batch * tilesM * CG;
      T = parallel ? Math.min(W, TASKS_PER_THREAD * w.threads) : 1;
      scratch = w.scratch(T * slotBytes(mr), op);
      const I = w.heapI32();
      if (p.bias) {
        I[o + PB.brs] = p.bias.rowStride * 4;
        I[o + PB.bcs] = p.bias.colStride * 4;
      }
      I[o + PB.rsA] = p.transA ? 4 : K * 4;
      I[o + PB.csA] = p.transA ? M * 4 : 4;
      I[o + PB.KC] = KC;
      I[o + PB.NCP] = NC_PANELS;
      I[o + PB.tilesM] = tilesM;
      I[o + PB.CG] = CG;
      I[o + PB.PPG] = Math.ceil(panels / CG);
      I[o + PB.W] = W;
      I[o + PB.T] = T;
      I[o + PB.scratch] = scratch;
      I[o + PB.slotBytes] = slotBytes(mr);
    }
    const I = w.heapI32();
    const F = w.heapF32();
    I[o + PB.aTab] = tabs;
    I[o + PB.bTab] = tabs + batch * 4;
    I[o + PB.xTab] = tabs + 2 * batch * 4;
    I[o + PB.c] = cPtr;
    I[o + PB.M] = M;
    I[o + PB.N] = N;
    I[o + PB.K] = K;
    I[o + PB.flags] = flags;
    I[o + PB.bias] = biasPtr;
    I[o + PB.act] = act;
    F[o + PB.p0] = p0;
    F[o + PB.p1] = p1;
    if (int) {
      I[o + PB.alpha] = p.alpha | 0;
      I[o + PB.beta] = p.beta | 0;
    } else {
      F[o + PB.alpha] = p.alpha;
      F[o + PB.beta] = p.beta;
    }
    const args = [blk];
    if (gemv) {
      w.parallelFor(FAMILY, GEMV_EXPORT, args, W, { minPerThread: 1, op, work: batch * M * N * K });
      return;
    }
    w.parallelFor(FAMILY, int ? I32_GEMM_EXPORT : convBlock ? f32ConvGemmExport(mr) : f32GemmExport(mr), args, T, { minPerThread: 1, chunksPerThread: TASKS_PER_THREAD, op, work: batch * M * N * K });
  } finally {
    w.scratchRelease(mark);
  }
}
