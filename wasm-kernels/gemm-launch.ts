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

/**
 * The parameter block is assembled here and copied into wasm memory. One reused buffer: runGemm
 * runs to completion before it returns and never re-enters itself, and allocating two typed arrays
 * per call showed up as GC time in small convolutions.
 */
const WORDS = new Int32Array(PB.words);
const WORDS_F32 = new Float32Array(WORDS.buffer);

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

/** Packed B for every batch: one cached copy on the B tensor when shared, else a temporary per distinct matrix. */
function packedB(w: WasmBackend, b: Tensor, p: GemmProblem, op: string): { tab: number[]; temp: number } {
  const bPtr = w.ptrOf(b, op);
  if (p.sharedB) {
    const key = `gemm.packB:${p.transB}:${p.K}x${p.N}`;
    let entry = b.derived.get(key) as { ptr: number; dispose(): void } | undefined;
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
    return { tab: new Array<number>(p.batch).fill(entry.ptr), temp: 0 };
  }
  const distinct = [...new Set(p.bOffsets)];
  const size = packedBytes(p.K, p.N);
  const temp = w.alloc(size * distinct.length, op);
  const at = new Map<number, number>();
  distinct.forEach((off, d) => {
    at.set(off, temp + d * size);
    packB(w, bPtr + off * 4, p.transB, p.K, p.N, temp + d * size, op);
  });
  return { tab: p.bOffsets.map((o) => at.get(o)!), temp };
}

/**
 * Run a planned MatMul/Gemm on wasm: outputs[0] = act(alpha·op(A)·op(B) + beta·bias).
 * With `convBlock` (the address of a conv block, see conv-gemm.wat.ts) A is the implicit patch
 * matrix of an NHWC convolution read from the image while packing; batch must be 1, M and N > 1.
 */
export function runGemm(op: string, ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: GemmProblem, convBlock = 0): void {
  const w = ctx.wasm;
  const int = outputs[0]!.dtype === 'int32';
  const { M, N, K, batch } = p;
  const aPtr = w.ptrOf(inputs[0]!, op);
  const cPtr = w.ptrOf(outputs[0]!, op);
  const hasBias = p.bias !== undefined && inputs[2] !== undefined;
  const biasPtr = hasBias ? w.ptrOf(inputs[2]!, op) : 0;
  const [act, p0, p1] = actParams(p.activation);
  const flags = (p.alpha !== 1 || hasBias || act !== ACT_CODES.linear ? EPI_APPLY : 0) | (hasBias ? EPI_BIAS : 0);
  const gemv = !int && !convBlock && (M === 1 || N === 1);

  const blk = w.alloc(PB.words * 4 + 3 * batch * 4, op);
  let temp = 0;
  let scratch = 0;
  try {
    const tabs = blk + PB.words * 4;
    const aTab = convBlock ? [convBlock] : p.aOffsets.map((o) => aPtr + o * 4);
    let bTab: number[];
    let xTab: number[] = [];
    const words = WORDS.fill(0);
    const fw = WORDS_F32;
    if (gemv) {
      // y = x·mat: M = 1 takes x from A and mat = B; N = 1 takes x from B and mat = A.
      const bPtr = w.ptrOf(inputs[1]!, op);
      const rowVec = M === 1;
      xTab = rowVec ? aTab : p.bOffsets.map((o) => bPtr + o * 4);
      bTab = rowVec ? p.bOffsets.map((o) => bPtr + o * 4) : aTab;
      const dot = rowVec ? p.transB : !p.transA;
      const L = rowVec ? N : M;
      words[PB.mode] = dot ? 0 : 1;
      words[PB.rs] = dot ? K * 4 : L * 4;
      words[PB.L] = L;
      const groupAlign = dot ? 4 : 32;
      const parallel = w.threads > 1 && batch * L * K >= MIN_MACS_PARALLEL;
      const groups = parallel ? Math.max(1, Math.ceil((w.threads * 2) / batch)) : 1;
      const G = Math.max(groupAlign, Math.ceil(L / groups / groupAlign) * groupAlign);
      words[PB.G] = G;
      words[PB.GPB] = Math.ceil(L / G);
      if (p.bias) {
        words[PB.brs] = 0;
        words[PB.bcs] = (rowVec ? p.bias.colStride : p.bias.rowStride) * 4;
      }
    } else {
      const packed = packedB(w, inputs[1]!, p, op);
      bTab = packed.tab;
      temp = packed.temp;
      if (p.bias) {
        words[PB.brs] = p.bias.rowStride * 4;
        words[PB.bcs] = p.bias.colStride * 4;
      }
    }
    words[PB.aTab] = tabs;
    words[PB.bTab] = tabs + batch * 4;
    words[PB.xTab] = tabs + 2 * batch * 4;
    words[PB.c] = cPtr;
    words[PB.M] = M;
    words[PB.N] = N;
    words[PB.K] = K;
    words[PB.flags] = flags;
    words[PB.bias] = biasPtr;
    words[PB.act] = act;
    fw[PB.p0] = p0;
    fw[PB.p1] = p1;
    if (int) {
      words[PB.alpha] = p.alpha | 0;
      words[PB.beta] = p.beta | 0;
    } else {
      fw[PB.alpha] = p.alpha;
      fw[PB.beta] = p.beta;
    }

    if (gemv) {
      write(w, blk, words, aTab, bTab, xTab, batch);
      const W = batch * words[PB.GPB]!;
      w.parallelFor(FAMILY, GEMV_EXPORT, [blk], W, { minPerThread: 1, op });
      return;
    }

    const mr = int ? I32_MR : f32TileFor(M, w.relaxed);
    const tilesM = Math.ceil(M / mr);
    const panels = Math.ceil(N / NR);
    const parallel = w.threads > 1 && batch * M * N * K >= MIN_MACS_PARALLEL;
    let CG = 1;
    if (parallel) while (batch * tilesM * CG < TASKS_PER_THREAD * w.threads && CG * 8 <= panels) CG *= 2;
    const PPG = Math.ceil(panels / CG);
    const W = batch * tilesM * CG;
    const T = parallel ? Math.min(W, TASKS_PER_THREAD * w.threads) : 1;
    scratch = w.alloc(T * slotBytes(mr), op);
    words[PB.rsA] = p.transA ? 4 : K * 4;
    words[PB.csA] = p.transA ? M * 4 : 4;
    words[PB.KC] = KC;
    words[PB.NCP] = NC_PANELS;
    words[PB.tilesM] = tilesM;
    words[PB.CG] = CG;
    words[PB.PPG] = PPG;
    words[PB.W] = W;
    words[PB.T] = T;
    words[PB.scratch] = scratch;
    words[PB.slotBytes] = slotBytes(mr);
    write(w, blk, words, aTab, bTab, xTab, batch);
    w.parallelFor(FAMILY, int ? I32_GEMM_EXPORT : convBlock ? f32ConvGemmExport(mr) : f32GemmExport(mr), [blk], T, { minPerThread: 1, chunksPerThread: TASKS_PER_THREAD, op });
  } finally {
    if (scratch) w.free(scratch);
    if (temp) w.free(temp);
    w.free(blk);
  }
}

/** Copy the parameter block and the per-batch address tables into wasm memory (fresh views: memory may have grown). */
function write(w: WasmBackend, blk: number, words: Int32Array, aTab: number[], bTab: number[], xTab: number[], batch: number): void {
  const mem = w.i32(blk, PB.words + 3 * batch);
  mem.set(words);
  mem.set(aTab, PB.words);
  mem.set(bTab, PB.words + batch);
  if (xTab.length) mem.set(xTab, PB.words + 2 * batch);
}
