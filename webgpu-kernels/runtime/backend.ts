/// <reference types="@webgpu/types" />
import { ARRAY_CTOR, BYTES_PER_ELEMENT, gpuStorable, type AnyTypedArray, type DType } from '../../core/dtype.js';
import { DTypeError, DeviceError, DisposedError, OutOfMemoryError } from '../../core/errors.js';
import type { Storage, StorageReader, Tensor } from '../../core/tensor.js';
import { MAP_READ, USAGE, acquireDevice } from './device.js';
import { BufferPool } from './pool.js';

/**
 * Bytes on the GPU. Layout matches the CPU one byte for byte: float32/int32 are 4-byte words; bool,
 * uint8 and int8 are packed 1 byte per element (4 per u32 word, element i in byte i%4, little endian);
 * float16 is 2 bytes per element. Kernels that read or write sub-word dtypes do so a word at a time,
 * so upload and read are plain copies with no conversion. int64 and the other dtypes outside GPU_DTYPES (core/dtype.ts) are never stored on the GPU.
 *
 * A storage starts held once (refs = 1), by the tensor that is about to wrap it.
 */
export class GpuStorage implements Storage {
  readonly device = 'webgpu' as const;
  refs = 1;
  private freed = false;
  constructor(
    readonly backend: GpuBackend,
    readonly buffer: GPUBuffer,
    readonly byteLength: number,
  ) {}
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.backend.release(this.buffer);
  }
}

export interface GpuBackendOptions {
  /** Use this device instead of acquiring one. The caller keeps it (and its GPU instance) alive and destroys it. */
  device?: GPUDevice;
  /** Dispatches recorded before the batch is submitted without waiting for a read (default 16). */
  maxDispatchesPerBatch?: number;
  /** Freed bytes kept for reuse (default 256 MiB); beyond that freed buffers are destroyed. */
  maxPooledBytes?: number;
}

export interface GpuStats {
  adapter: string;
  bytesInUse: number;
  buffersInUse: number;
  pooledBytes: number;
  pipelines: number;
  dispatches: number;
  submits: number;
}

/** One compute dispatch: buffers bind to @binding(0..n-1) of group 0, the uniform block (if any) to @binding(n). */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  buffers: readonly GPUBuffer[];
  uniforms?: ArrayBuffer;
  workgroups: readonly [number, number, number];
}

const STORAGE_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * The WebGPU backend of a runtime: allocation (pooled by size class), upload and read, a pipeline
 * cache, and dispatch batching (one command encoder, submitted at a read or every N dispatches).
 * GPU errors (validation, out of memory) are collected per batch and thrown by the next `read`.
 */
export class GpuBackend implements StorageReader {
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** The GPU instance and adapter: Dawn crashes if the instance is collected while its device is in use. */
  readonly keepAlive: readonly unknown[];
  private readonly ownsDevice: boolean;
  private readonly storagePool: BufferPool;
  private readonly uniformPool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly maxBatch: number;
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private batchDispatches = 0;
  private scopeOpen = false;
  /** Error-scope results not yet settled, and the first GPU error seen and not yet thrown. */
  private readonly pendingErrors = new Set<Promise<unknown>>();
  private firstError: GPUError | undefined;
  private lostMessage: string | undefined;
  private disposed = false;
  private counters = { dispatches: 0, submits: 0 };

  private constructor(device: GPUDevice, keepAlive: unknown[], ownsDevice: boolean, adapterName: string, opts: GpuBackendOptions) {
    this.device = device;
    this.keepAlive = keepAlive;
    this.ownsDevice = ownsDevice;
    this.adapterName = adapterName;
    this.maxBatch = Math.max(1, opts.maxDispatchesPerBatch ?? 16);
    const maxPooled = opts.maxPooledBytes ?? 256 * 2 ** 20;
    this.storagePool = new BufferPool(device, STORAGE_USAGE, maxPooled);
    this.uniformPool = new BufferPool(device, USAGE.UNIFORM | USAGE.COPY_DST, 2 ** 20);
    void device.lost.then((info) => {
      if (!this.disposed) this.lostMessage = `${info.reason}: ${info.message}`;
    });
  }

  /** A backend on `opts.device`, or on a newly acquired device; undefined when no WebGPU adapter exists. */
  static async create(opts: GpuBackendOptions = {}): Promise<GpuBackend | undefined> {
    if (opts.device) return new GpuBackend(opts.device, [], false, 'caller-provided device', opts);
    const got = await acquireDevice();
    if (!got) return undefined;
    return new GpuBackend(got.device, got.keepAlive, true, got.adapterName, opts);
  }

  /** Like create(), but a DeviceError instead of undefined. */
  static async require(opts: GpuBackendOptions = {}): Promise<GpuBackend> {
    const b = await GpuBackend.create(opts);
    if (!b) throw new DeviceError(undefined, 'no WebGPU adapter is available (navigator.gpu or the webgpu package found none)');
    return b;
  }

  private check(op: string | undefined): void {
    if (this.disposed) throw new DisposedError(op, 'the WebGPU backend was disposed');
    if (this.lostMessage) throw new DeviceError(op, `the WebGPU device was lost (${this.lostMessage})`);
  }

  /** Errors from everything issued until the next flush are captured and reported by the next read. */
  private ensureScope(): void {
    if (this.scopeOpen) return;
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    this.scopeOpen = true;
  }

  /** Storage for `byteLength` bytes (the CPU byte length of the tensor; `dtype` is informational, layouts match). */
  allocStorage(byteLength: number, op?: string, _dtype?: DType): Storage {
    this.check(op);
    const limit = Math.min(this.device.limits.maxBufferSize, this.device.limits.maxStorageBufferBindingSize);
    if (byteLength > limit) {
      throw new OutOfMemoryError(op, `a ${byteLength}-byte GPU buffer exceeds this device's limit of ${limit} bytes`);
    }
    this.ensureScope();
    return new GpuStorage(this, this.storagePool.acquire(byteLength, op), byteLength);
  }

  /** Called by GpuStorage.free(). */
  release(buffer: GPUBuffer): void {
    if (this.disposed) return;
    this.storagePool.release(buffer);
  }

  upload(data: AnyTypedArray, dtype: DType, op = 'upload'): Storage {
    if (!gpuStorable(dtype)) throw new DTypeError(op, `${dtype} tensors cannot live on webgpu (WGSL has no 64-bit types, and no twin handles ${dtype}); keep them on wasm`);
    let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (dtype === 'bool') bytes = bytes.map((v) => (v !== 0 ? 1 : 0));
    const storage = this.allocStorage(bytes.byteLength, op) as GpuStorage;
    if (bytes.byteLength === 0) return storage;
    if (bytes.byteLength % 4 !== 0) {
      const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      padded.set(bytes);
      bytes = padded;
    }
    this.device.queue.writeBuffer(storage.buffer, 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return storage;
  }

  /** The GPU buffer behind a tensor; a DeviceError naming `op` when the tensor is not on this backend. */
  bufferOf(t: Tensor, op?: string): GPUBuffer {
    const s = t.storageFor(op);
    if (!(s instanceof GpuStorage) || s.backend !== this) {
      throw new DeviceError(op, `tensor #${t.id} (${t.dtype}[${t.shape.join(',')}]) lives on ${s.device}${s.device === 'webgpu' ? ' of another runtime' : ''}, not on this WebGPU device`);
    }
    return s.buffer;
  }

  /**
   * Fill a tensor of this backend from a caller's GPUBuffer (a GPU-side copy of `byteLength` bytes,
   * rounded up to a whole word). Submitted on its own, after everything recorded so far, under its own
   * error scope: a buffer of another device or without COPY_SRC usage rejects with a DeviceError
   * naming `what` and leaves this backend's batches untouched.
   */
  async copyFromBuffer(src: GPUBuffer, t: Tensor, what: string, op = 'copyFromBuffer'): Promise<void> {
    this.check(op);
    const dst = this.bufferOf(t, op);
    const bytes = Math.ceil(t.byteLength / 4) * 4;
    if (bytes === 0) return;
    this.flush();
    this.device.pushErrorScope('validation');
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, dst, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    const e = await this.device.popErrorScope();
    if (e) throw new DeviceError(op, `${what}: copying the GPU buffer failed (it must belong to this session's GPUDevice and have COPY_SRC usage): ${e.message}`);
  }

  /**
   * A new GPUBuffer (STORAGE | COPY_SRC | COPY_DST, at least 4 bytes, a whole number of words) holding
   * a copy of a tensor of this backend, recorded in the current batch and submitted. The caller owns
   * it and destroys it.
   */
  exportBuffer(t: Tensor, op = 'exportBuffer'): GPUBuffer {
    this.check(op);
    const src = this.bufferOf(t, op);
    const bytes = Math.ceil(t.byteLength / 4) * 4;
    this.ensureScope();
    const out = this.device.createBuffer({ size: Math.max(4, bytes), usage: STORAGE_USAGE, label: `${op} output` });
    if (bytes > 0) {
      if (this.pass) {
        this.pass.end();
        this.pass = undefined;
      }
      this.encoder ??= this.device.createCommandEncoder();
      this.encoder.copyBufferToBuffer(src, 0, out, 0, bytes);
    }
    this.flush();
    return out;
  }

  /** A compute pipeline for `key`, compiled from `source()` on first use. */
  pipeline(key: string, source: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      this.ensureScope();
      const module = this.device.createShaderModule({ code: source(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A read-only storage buffer holding `data`, recycled once the current batch is submitted. */
  scratch(data: Uint32Array | Int32Array | Float32Array): GPUBuffer {
    this.ensureScope();
    const buf = this.storagePool.acquire(data.byteLength, 'scratch');
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    this.storagePool.release(buf);
    return buf;
  }

  /** Record one dispatch into the current batch. */
  dispatch(d: Dispatch): void {
    this.check(d.pipeline.label);
    this.ensureScope();
    const entries: GPUBindGroupEntry[] = d.buffers.map((buffer, i) => ({ binding: i, resource: { buffer } }));
    if (d.uniforms) {
      const ub = this.uniformPool.acquire(d.uniforms.byteLength);
      this.device.queue.writeBuffer(ub, 0, d.uniforms);
      entries.push({ binding: d.buffers.length, resource: { buffer: ub } });
      this.uniformPool.release(ub);
    }
    const bindGroup = this.device.createBindGroup({ layout: d.pipeline.getBindGroupLayout(0), entries });
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(d.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    this.counters.dispatches++;
    if (++this.batchDispatches >= this.maxBatch) this.flush();
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = undefined;
    }
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = undefined;
      this.counters.submits++;
    }
    this.batchDispatches = 0;
    this.storagePool.recycle();
    this.uniformPool.recycle();
    if (this.scopeOpen) {
      this.scopeOpen = false;
      for (const scope of [this.device.popErrorScope(), this.device.popErrorScope()]) {
        const p: Promise<unknown> = scope.then((e) => {
          this.pendingErrors.delete(p);
          if (e && !this.firstError) this.firstError = e;
        });
        this.pendingErrors.add(p);
      }
    }
  }

  private async throwCollectedErrors(op: string): Promise<void> {
    await Promise.all([...this.pendingErrors]);
    const e = this.firstError;
    if (!e) return;
    this.firstError = undefined;
    const oom = e.constructor?.name === 'GPUOutOfMemoryError' || (typeof GPUOutOfMemoryError !== 'undefined' && e instanceof GPUOutOfMemoryError);
    if (oom) throw new OutOfMemoryError(op, `the WebGPU device ran out of memory: ${e.message}`);
    throw new DeviceError(op, `WebGPU error: ${e.message}`);
  }

  async read(storage: Storage, dtype: DType, size: number): Promise<AnyTypedArray> {
    this.check('read');
    if (!(storage instanceof GpuStorage) || storage.backend !== this) throw new DeviceError('read', 'storage does not belong to this WebGPU backend');
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    if (bytes > storage.byteLength) throw new DeviceError('read', `asked for ${bytes} bytes from a ${storage.byteLength}-byte GPU storage`);
    if (bytes === 0) return new ARRAY_CTOR[dtype](0);
    const copyBytes = Math.ceil(bytes / 4) * 4;
    this.ensureScope();
    const staging = this.device.createBuffer({ size: copyBytes, usage: USAGE.MAP_READ | USAGE.COPY_DST, label: 'readback' });
    if (this.pass) {
      this.pass.end();
      this.pass = undefined;
    }
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(storage.buffer, 0, staging, 0, copyBytes);
    this.flush();
    try {
      await staging.mapAsync(MAP_READ);
    } catch (e) {
      await this.throwCollectedErrors('read');
      throw new DeviceError('read', `mapping the readback buffer failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange(0, copyBytes).slice(0, bytes);
    staging.unmap();
    staging.destroy();
    await this.throwCollectedErrors('read');
    return new ARRAY_CTOR[dtype](out, 0, size);
  }

  /** Wait until everything submitted has run (and surface any GPU error). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.throwCollectedErrors('sync');
  }

  stats(): GpuStats {
    const s = this.storagePool.stats();
    return { adapter: this.adapterName, ...s, pipelines: this.pipelines.size, ...this.counters };
  }

  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
    this.storagePool.destroy();
    this.uniformPool.destroy();
    this.pipelines.clear();
    this.pendingErrors.clear();
    if (this.ownsDevice) this.device.destroy();
    // keepAlive is not cleared: a map or work-done promise still settling polls the instance.
  }
}
