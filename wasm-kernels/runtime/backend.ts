import { ARRAY_CTOR, BYTES_PER_ELEMENT, type AnyTypedArray, type DType } from '../../core/dtype.js';
import { DeviceError, TwinopsError } from '../../core/errors.js';
import type { Storage, StorageReader, Tensor } from '../../core/tensor.js';
import { WORKER_SOURCE } from '../generated/worker-source.js';
import { variantKey, type VariantKey } from '../templates/wat.js';
import { detectFeatures, type WasmFeatures } from './features.js';
import { Heap, MAX_PAGES, type HeapStats } from './heap.js';
import { compileFamily, familyIndex, functionExports } from './loader.js';
import { ThreadPool } from './pool.js';

export interface WasmBackendOptions {
  /** Threads working on one op, the calling thread included. Default: the machine's cores (1 without threads support). */
  threads?: number;
  /** Use the relaxed-SIMD kernels (FMA) when the engine has them. Default: true. */
  relaxedSimd?: boolean;
  /** A pool to share with other runtimes. The backend then does not terminate it on dispose. */
  pool?: ThreadPool;
  /** Initial heap size in bytes (default 16 MiB); the heap grows on demand up to 4 GiB. */
  initialMemory?: number;
  /** Pick pool or calling thread per call site by measured times (for oversubscribed machines). Default false. */
  adaptiveSplit?: boolean;
}

export interface WasmStorage extends Storage {
  readonly device: 'wasm';
  readonly ptr: number;
}

export interface ParallelOptions {
  /** Split the range only at multiples of this (e.g. a GEMM tile's rows). Default 1. */
  grain?: number;
  /**
   * Below 2× this much of the range (scaled by SPLIT_SCALE), run inline on one thread (a measured
   * per-kernel threshold).
   */
  minPerThread?: number;
  /** The range must run in order on one thread (e.g. a scatter with repeated indices). */
  ordered?: boolean;
  /** Chunks per thread for dynamic balancing. Default 4. */
  chunksPerThread?: number;
  /** Op name for error messages. */
  op?: string;
  /**
   * The work of the whole range (e.g. multiply-adds), when `total` and `minPerThread` alone do not
   * tell launches of different sizes apart (a GEMM's range is its task count). Keys the split choice.
   */
  work?: number;
}

type Fn = (...a: number[]) => unknown;

/**
 * Launch parameters live in a stack ("arena") reserved at creation: a launcher takes blocks with
 * scratch() and gives them back with scratchRelease(mark), last in first out, so nested launches
 * (Conv → GEMM) nest. 256 KiB holds a GEMM parameter block with 16 packed-A slots of the 4x8 tile or
 * 21 of 6x8 (12 KiB each); bigger requests fall back to the heap and are freed on release.
 */
const ARENA_BYTES = 256 * 1024;
/** A scratch mark packs the arena top and the count of heap fallbacks: top · 2^20 + count. */
const MARK_SCALE = 2 ** 20;

/**
 * Where a splittable launch ran and how long it took, per call site (kernel, range, work). The first
 * two calls run on the pool (one-shot and repeated calls keep the static split, so tests of thread
 * determinism still split), the next five alternate sides. Then the faster side runs, by the median
 * of each side's last three per-call times (one cold start or preemption does not decide), and the
 * slower side is probed again after PROBE_EVERY × (slower / faster, at most 8) calls, an interval
 * that doubles while the same side keeps winning: probes cost a few % of the time at most, and a
 * change of machine load can still flip the choice.
 * Why: a job that finds the worker spinning starts at once, one that must wake it from Atomics.wait
 * waits 4–60 µs (median) and milliseconds in the tail when other processes hold the cores
 * (tmp/d/spin.ts, tmp/d/pingpong.ts); a chunk taken by a worker that is then preempted holds the whole
 * job. On this shared 2-core VM at load 12 a 2M multiply-add GEMM took 162 µs on 2 threads against
 * 81 µs inline, and cls's 5×5 depthwise rows 170–440 µs against 17–40 µs; which kernels gain from a
 * second thread depends on the load at the time, and a static minPerThread can only be right for one.
 */
interface Site {
  /** The last three per-call times (ms) on each side, oldest first; -1: none yet. */
  pool: [number, number, number];
  inline: [number, number, number];
  calls: number;
  /** Call count at which the slower side is probed next. */
  probe: number;
  /** Probe interval multiplier: doubles with every probe while the same side keeps winning. */
  backoff: number;
  poolWon: boolean;
}
const PROBE_EVERY = 32;
/**
 * A probe on a loaded machine can cost milliseconds of waiting for a preempted worker, so while the
 * same side keeps winning the probe interval doubles, up to this factor.
 */
const MAX_BACKOFF = 64;
/** Calls before the split is decided per site: pool ×2 (the first, cold, is not timed), then inline and pool alternately. */
const WARM_CALLS = 7;
const MAX_SITES = 4096;
/**
 * The launchers' minPerThread values were measured against a worker asleep in Atomics.wait (a
 * 20–40 µs wake). Workers now spin DEFAULT_SPIN_US (pool.ts) between jobs, so a job usually finds
 * one awake and a split pays on a quarter of that work. Measured by `bench/tfjs-models.ts`, 2
 * threads vs tfjs-backend-wasm, same process, quiet machine: blazeface 1.37× → 1.85×, handlandmark
 * 1.43× → 2.10×, movenet 1.55× → 1.84×, iris 1.11× → 1.27× (spin 5 µs and full thresholds before,
 * spin 200 µs and a quarter after; a tenth gave the same within noise).
 */
const SPLIT_SCALE = 0.25;
/**
 * An inline launch with at least 1/NUDGE_SHARE of the (scaled) split bound wakes a sleeping worker
 * (pool.nudge). Liveness at 2 threads found its worker asleep at 91% of its big conv's launches
 * before this (three split launches per run, more than the spin apart).
 */
const NUDGE_SHARE = 8;
/**
 * A site whose pooled calls take at least this long (ms) always runs on the pool: a wake costs
 * 4–60 µs, a few % of such a call, while a site that flipped to inline during a burst of load stayed
 * there for thousands of calls (the probe backoff) once the load was gone: Softmax 1000² on 2 threads
 * measured 0.90 ms in a bench run against 0.50 ms with the pool (1 thread: 0.72–1.0 ms).
 */
const BIG_CALL_MS = 0.2;

/** Median of the samples taken so far (of up to three; -1 marks none). */
function median3(v: [number, number, number]): number {
  const [a, b, c] = v;
  if (a < 0) return b < 0 ? c : (b + c) / 2;
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function record(v: [number, number, number], dt: number): void {
  v[0] = v[1];
  v[1] = v[2];
  v[2] = dt;
}

interface FnEntry {
  f: Fn;
  index: number;
  family: number;
  sites: Map<number, Site>;
}

/** One error type whichever side ran and whichever thread trapped. */
function workerError(err: unknown, family: string, fn: string, total: number, op: string | undefined): TwinopsError {
  if (err instanceof TwinopsError) return err;
  return new TwinopsError('WORKER', op, `kernel ${family}.${fn} failed on a pooled range [0, ${total}): ${String(err)}`);
}

/** Split [0, total) into about chunksPerThread (default 4) chunks per thread, grain-aligned, and run them on the pool. */
function splitOnPool(pool: ThreadPool, rt: number, e: FnEntry, args: readonly number[], total: number, grain: number, threads: number, opts: ParallelOptions | undefined): void {
  const units = Math.ceil(total / grain);
  const chunks = Math.min(units, threads * (opts?.chunksPerThread ?? 4));
  const chunk = Math.ceil(units / chunks) * grain;
  pool.run({ rt, family: e.family, fn: e.index, local: e.f, args, total, chunk, op: opts?.op });
}

/** Call f(...args, start, end) without a spread for the common arities. */
function callRange(f: Fn, a: readonly number[], start: number, end: number): void {
  switch (a.length) {
    case 1:
      f(a[0]!, start, end);
      return;
    case 2:
      f(a[0]!, a[1]!, start, end);
      return;
    case 3:
      f(a[0]!, a[1]!, a[2]!, start, end);
      return;
    case 4:
      f(a[0]!, a[1]!, a[2]!, a[3]!, start, end);
      return;
    case 5:
      f(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, start, end);
      return;
    default:
      f(...a, start, end);
  }
}

export function defaultThreads(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => { availableParallelism?: () => number } } }).process;
  const os = proc?.getBuiltinModule?.('node:os');
  return os?.availableParallelism?.() ?? 1;
}

/**
 * The wasm device of a runtime: one WebAssembly.Memory (shared when threads run), its heap, the
 * kernel instances on it, and the thread pool that runs kernel chunks.
 */
export class WasmBackend implements StorageReader {
  readonly device = 'wasm' as const;
  readonly memory: WebAssembly.Memory;
  readonly heap: Heap;
  readonly features: WasmFeatures;
  /** Relaxed-SIMD kernels are in use. */
  readonly relaxed: boolean;
  /**
   * Choose per call site between the pool and the calling thread by measured times (see Site), for a
   * machine whose cores are oversubscribed (there, a split job often waits for a preempted worker).
   * Off by default: on a machine with idle cores the pool's split wins above the thresholds, and the
   * chooser, deciding on noisy samples, kept work inline where the pool was faster (Softmax 1000² on
   * 2 threads: 0.90 ms against 0.50 ms).
   */
  adaptiveSplit = false;
  /** The memory is a SharedArrayBuffer (threads). */
  readonly shared: boolean;
  readonly threads: number;
  readonly variant: VariantKey;
  private readonly pool: ThreadPool | undefined;
  private readonly ownsPool: boolean;
  private readonly poolRt: number;
  private readonly instances = new Map<string, { exports: Record<string, Fn>; index: Map<string, number>; family: number; fns: Map<string, FnEntry> }>();
  private disposed = false;
  private readonly arena: number;
  private arenaTop: number;
  private readonly arenaEnd: number;
  private readonly overflow: number[] = [];
  private i32v = new Int32Array(0);
  private f32v = new Float32Array(0);
  private u8v = new Uint8Array(0);
  private viewGrows = -1;
  private sites = 0;

  private constructor(memory: WebAssembly.Memory, maxPages: number, features: WasmFeatures, relaxed: boolean, pool: ThreadPool | undefined, ownsPool: boolean, poolRt: number) {
    this.memory = memory;
    this.heap = new Heap(memory, maxPages);
    this.features = features;
    this.relaxed = relaxed;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.pool = pool;
    this.ownsPool = ownsPool;
    this.poolRt = poolRt;
    this.threads = pool ? pool.threads : 1;
    this.variant = variantKey({ relaxed, shared: this.shared });
    this.arena = this.heap.alloc(ARENA_BYTES);
    this.arenaTop = this.arena;
    this.arenaEnd = this.arena + ARENA_BYTES;
  }

  static async create(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
    const features = detectFeatures();
    if (!features.simd) throw new DeviceError(undefined, 'this WebAssembly engine lacks SIMD128, which twinops requires');
    const relaxed = (opts.relaxedSimd ?? true) && features.relaxedSimd;
    const wanted = opts.pool ? opts.pool.threads : Math.max(1, Math.floor(opts.threads ?? defaultThreads()));
    const threaded = wanted > 1 && features.threads;
    const initial = Math.max(1, Math.ceil((opts.initialMemory ?? 16 * 2 ** 20) / 65536));
    let memory: WebAssembly.Memory;
    let maxPages = MAX_PAGES;
    if (threaded) {
      // A shared memory must declare its maximum up front; fall back to 1 GiB where 4 GiB of address space is refused.
      try {
        memory = new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true });
      } catch {
        maxPages = 16384;
        memory = new WebAssembly.Memory({ initial, maximum: maxPages, shared: true });
      }
    } else {
      // The kernels' memory import declares a 4 GiB maximum, so a local memory declares one too.
      memory = new WebAssembly.Memory({ initial, maximum: MAX_PAGES });
    }
    let pool: ThreadPool | undefined;
    let rt = 0;
    if (threaded) {
      pool = opts.pool ?? (await ThreadPool.create(wanted, WORKER_SOURCE));
      rt = await pool.attach(memory, variantKey({ relaxed, shared: true }));
    }
    const backend = new WasmBackend(memory, maxPages, features, relaxed, pool, threaded && !opts.pool, rt);
    backend.adaptiveSplit = opts.adaptiveSplit ?? false;
    return backend;
  }

  private check(op?: string): void {
    if (this.disposed) throw new TwinopsError('DISPOSED', op, 'the wasm runtime was disposed');
  }

  alloc(bytes: number, op?: string): number {
    this.check(op);
    return this.heap.alloc(bytes, op);
  }

  free(ptr: number): void {
    if (!this.disposed) this.heap.free(ptr);
  }

  /**
   * A block of launch scratch (parameters, tables, packed tiles) valid until scratchRelease(mark) with
   * a mark taken before it. Contents are stale: the caller writes every byte it reads.
   */
  scratch(bytes: number, op?: string): number {
    const size = bytes <= 64 ? 64 : (bytes + 63) & ~63;
    const p = this.arenaTop;
    if (p + size <= this.arenaEnd) {
      this.arenaTop = p + size;
      return p;
    }
    const q = this.alloc(size, op);
    this.overflow.push(q);
    return q;
  }

  /** The scratch stack's position, for scratchRelease. */
  scratchMark(): number {
    return this.arenaTop * MARK_SCALE + this.overflow.length;
  }

  /** Give back every scratch block taken since `mark`. */
  scratchRelease(mark: number): void {
    const n = mark % MARK_SCALE;
    while (this.overflow.length > n) this.free(this.overflow.pop()!);
    this.arenaTop = (mark - n) / MARK_SCALE;
  }

  /**
   * Int32 view of the whole heap, kept until the memory grows (then replaced). Index = byte address / 4.
   * Only the heap grows the memory, so its grow count tells (cheaper than reading memory.buffer).
   */
  heapI32(): Int32Array {
    if (this.viewGrows !== this.heap.grows) this.refreshViews();
    return this.i32v;
  }

  /** Float32 view of the whole heap, like heapI32. */
  heapF32(): Float32Array {
    if (this.viewGrows !== this.heap.grows) this.refreshViews();
    return this.f32v;
  }

  private refreshViews(): void {
    const b = this.memory.buffer;
    this.i32v = new Int32Array(b);
    this.f32v = new Float32Array(b);
    this.u8v = new Uint8Array(b);
    this.viewGrows = this.heap.grows;
  }

  /** Byte view of the whole heap, like heapI32. */
  heapU8(): Uint8Array {
    if (this.viewGrows !== this.heap.grows) this.refreshViews();
    return this.u8v;
  }

  /** Storage for `byteLength` bytes; zero-size storage takes no heap block. */
  allocStorage(byteLength: number, op?: string): WasmStorage {
    return new HeapStorage(this, byteLength > 0 ? this.alloc(byteLength, op) : 0, byteLength);
  }


  upload(data: AnyTypedArray, op?: string): WasmStorage {
    const s = this.allocStorage(data.byteLength, op);
    if (data.byteLength === 0) return s;
    // through the cached whole-heap views: no view of memory.buffer per call
    if (data instanceof Float32Array) this.heapF32().set(data, s.ptr >>> 2);
    else this.heapU8().set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), s.ptr);
    return s;
  }


  /** Byte address of a wasm tensor's data. */
  ptrOf(t: Tensor, op?: string): number {
    const s = t.storageFor(op);
    if (s.device !== 'wasm') throw new DeviceError(op, `${t.toString()} is not on wasm`);
    return (s as WasmStorage).ptr;
  }

  /** A fresh typed-array view of heap memory (views go stale when the memory grows: never keep one). */
  view(dtype: DType, ptr: number, length: number): AnyTypedArray {
    return new ARRAY_CTOR[dtype](this.memory.buffer, ptr, length);
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  readSync(storage: Storage, dtype: DType, size: number): AnyTypedArray {
    this.check('dataSync');
    const ptr = (storage as WasmStorage).ptr;
    // slice() copies into a fresh (unshared) array in one step
    if (dtype === 'float32') return this.heapF32().slice(ptr >>> 2, (ptr >>> 2) + size);
    const bytes = this.heapU8().slice(ptr, ptr + size * BYTES_PER_ELEMENT[dtype]);
    return new ARRAY_CTOR[dtype](bytes.buffer, 0, size);
  }


  async read(storage: Storage, dtype: DType, size: number): Promise<AnyTypedArray> {
    return this.readSync(storage, dtype, size);
  }

  private instance(family: string) {
    let inst = this.instances.get(family);
    if (!inst) {
      const module = compileFamily(family, this.variant);
      const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
      const names = functionExports(family, this.variant);
      inst = {
        exports: instance.exports as unknown as Record<string, Fn>,
        index: new Map(names.map((n, i) => [n, i])),
        family: familyIndex(family),
        fns: new Map<string, FnEntry>(),
      };
      this.instances.set(family, inst);
      this.pool?.shareModule(this.variant, inst.family, module);
    }
    return inst;
  }

  /** The exports of a kernel family on this runtime's memory (compiled on first use). */
  exports(family: string): Record<string, Fn> {
    this.check();
    return this.instance(family).exports;
  }

  private fnEntry(family: string, fn: string): FnEntry {
    const inst = this.instance(family);
    let e = inst.fns.get(fn);
    if (!e) {
      const f = inst.exports[fn];
      if (!f) throw new Error(`wasm-kernels: family '${family}' has no export '${fn}'`);
      e = { f, index: inst.index.get(fn)!, family: inst.family, sites: new Map() };
      inst.fns.set(fn, e);
    }
    return e;
  }

  /**
   * Call `family.fn(...args, start, end)` over [0, total), split across the pool's threads (the caller
   * works too). Runs inline on one thread when the pool has one thread or the range is small, and, per
   * call site, when running inline has measured faster (see Site). Kernels give the same bits however
   * the range is split, so the choice never changes a result.
   */
  parallelFor(family: string, fn: string, args: readonly number[], total: number, opts?: ParallelOptions): void {
    if (this.disposed) this.check(opts?.op);
    const e = this.fnEntry(family, fn);
    const grain = opts?.grain !== undefined && opts.grain > 1 ? opts.grain : 1;
    const raw = opts?.minPerThread;
    const minPer = opts?.ordered ? Infinity : raw === undefined || raw <= grain ? grain : Math.max(grain, Math.ceil(raw * SPLIT_SCALE));
    const pool = this.pool;
    if (!pool || total <= 0 || total < 2 * minPer) {
      // work within NUDGE_SHARE of splitting: a model with bigger kernels ahead is running, so have
      // a sleeping worker start spinning now rather than pay its wake-up on the next split launch
      if (pool && total * NUDGE_SHARE >= minPer) pool.nudge();
      if (total > 0) callRange(e.f, args, 0, total);
      return;
    }
    if (!this.adaptiveSplit) {
      try {
        splitOnPool(pool, this.poolRt, e, args, total, grain, this.threads, opts);
      } catch (err) {
        throw workerError(err, family, fn, total, opts?.op);
      }
      return;
    }
    const key = opts?.work !== undefined ? -opts.work : total + minPer * 4294967296;
    let s = e.sites.get(key);
    if (!s) {
      if (++this.sites > MAX_SITES) {
        for (const inst of this.instances.values()) for (const x of inst.fns.values()) x.sites.clear();
        this.sites = 1;
      }
      s = { pool: [-1, -1, -1], inline: [-1, -1, -1], calls: 0, probe: WARM_CALLS, backoff: 1, poolWon: true };
      e.sites.set(key, s);
    }
    const c = s.calls++;
    let onPool: boolean;
    if (c < WARM_CALLS) onPool = c < 2 || (c & 1) === 1;
    else if (median3(s.pool) >= BIG_CALL_MS) onPool = true;
    else {
      const p = median3(s.pool);
      const q = median3(s.inline);
      const poolWins = p <= q;
      if (poolWins !== s.poolWon) {
        s.poolWon = poolWins;
        s.backoff = 1;
      }
      onPool = poolWins;
      if (c >= s.probe) {
        onPool = !poolWins;
        const r = poolWins ? q / p : p / q;
        s.probe = c + Math.ceil(PROBE_EVERY * s.backoff * (r > 1 ? Math.min(r, 8) : 1));
        if (s.backoff < MAX_BACKOFF) s.backoff *= 2;
      }
    }
    const t0 = performance.now();
    try {
      if (onPool) splitOnPool(pool, this.poolRt, e, args, total, grain, this.threads, opts);
      else callRange(e.f, args, 0, total);
    } catch (err) {
      throw workerError(err, family, fn, total, opts?.op);
    }
    if (c === 0) return; // cold: the worker may have instantiated the module for this job
    record(onPool ? s.pool : s.inline, performance.now() - t0);
  }

  stats(): HeapStats & { threads: number; relaxed: boolean; shared: boolean; families: string[] } {
    return { ...this.heap.stats(), threads: this.threads, relaxed: this.relaxed, shared: this.shared, families: [...this.instances.keys()] };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.pool) {
      this.pool.detach(this.poolRt);
      if (this.ownsPool) this.pool.terminate();
    }
    this.instances.clear();
  }
}

/** A heap block as tensor storage (a class: one object per tensor, no closure). */
class HeapStorage implements WasmStorage {
  readonly device = 'wasm' as const;
  refs = 1;
  constructor(
    private readonly backend: WasmBackend,
    readonly ptr: number,
    readonly byteLength: number,
  ) {}
  free(): void {
    if (this.ptr) this.backend.free(this.ptr);
  }
}

export { ThreadPool };

/** Create a pool that several runtimes (or both adapters) can share: pass it as `createRuntime({ pool })`. */
export async function createThreadPool(threads = defaultThreads()): Promise<ThreadPool> {
  if (!detectFeatures().threads) throw new DeviceError(undefined, 'threads need shared WebAssembly memory (SharedArrayBuffer; in browsers, a cross-origin-isolated page)');
  return ThreadPool.create(threads, WORKER_SOURCE);
}
