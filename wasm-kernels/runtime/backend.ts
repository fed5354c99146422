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
}

export interface WasmStorage extends Storage {
  readonly device: 'wasm';
  readonly ptr: number;
}

export interface ParallelOptions {
  /** Split the range only at multiples of this (e.g. a GEMM tile's rows). Default 1. */
  grain?: number;
  /** Below 2× this much of the range, run inline on one thread (a measured per-kernel threshold). */
  minPerThread?: number;
  /** Chunks per thread for dynamic balancing. Default 4. */
  chunksPerThread?: number;
  /** Op name for error messages. */
  op?: string;
}

type Fn = (...a: number[]) => unknown;

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
  /** The memory is a SharedArrayBuffer (threads). */
  readonly shared: boolean;
  readonly threads: number;
  readonly variant: VariantKey;
  private readonly pool: ThreadPool | undefined;
  private readonly ownsPool: boolean;
  private readonly poolRt: number;
  private readonly instances = new Map<string, { exports: Record<string, Fn>; index: Map<string, number>; family: number }>();
  private disposed = false;

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
    return new WasmBackend(memory, maxPages, features, relaxed, pool, threaded && !opts.pool, rt);
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

  /** Storage for `byteLength` bytes; zero-size storage takes no heap block. */
  allocStorage(byteLength: number, op?: string): WasmStorage {
    const ptr = byteLength > 0 ? this.alloc(byteLength, op) : 0;
    const self = this;
    return {
      device: 'wasm',
      byteLength,
      refs: 1,
      ptr,
      free() {
        if (ptr) self.free(ptr);
      },
    };
  }

  upload(data: AnyTypedArray, op?: string): WasmStorage {
    const s = this.allocStorage(data.byteLength, op);
    if (data.byteLength) new Uint8Array(this.memory.buffer, s.ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
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
    const out = new ARRAY_CTOR[dtype](size);
    new Uint8Array(out.buffer).set(new Uint8Array(this.memory.buffer, ptr, size * BYTES_PER_ELEMENT[dtype]));
    return out;
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

  /**
   * Call `family.fn(...args, start, end)` over [0, total), split across the pool's threads (the caller
   * works too). Runs inline on one thread when the pool has one thread or the range is small.
   */
  parallelFor(family: string, fn: string, args: readonly number[], total: number, opts: ParallelOptions = {}): void {
    this.check(opts.op);
    const inst = this.instance(family);
    const f = inst.exports[fn];
    if (!f) throw new Error(`wasm-kernels: family '${family}' has no export '${fn}'`);
    const grain = Math.max(1, opts.grain ?? 1);
    const minPer = Math.max(grain, opts.minPerThread ?? grain);
    const pool = this.pool;
    if (!pool || total <= 0 || total < 2 * minPer) {
      if (total > 0) f(...args, 0, total);
      return;
    }
    const units = Math.ceil(total / grain);
    const chunks = Math.min(units, this.threads * (opts.chunksPerThread ?? 4));
    const chunk = Math.ceil(units / chunks) * grain;
    pool.run({ rt: this.poolRt, family: inst.family, fn: inst.index.get(fn)!, local: f, args, total, chunk, op: opts.op });
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

export { ThreadPool };

/** Create a pool that several runtimes (or both adapters) can share: pass it as `createRuntime({ pool })`. */
export async function createThreadPool(threads = defaultThreads()): Promise<ThreadPool> {
  if (!detectFeatures().threads) throw new DeviceError(undefined, 'threads need shared WebAssembly memory (SharedArrayBuffer; in browsers, a cross-origin-isolated page)');
  return ThreadPool.create(threads, WORKER_SOURCE);
}
