/**
 * The tfjs `KernelBackend` over a twinops runtime. Tensor data lives in the runtime's memory: each
 * tfjs dataId maps to one twinops Tensor (string tensors, which no kernel computes on, stay as JS
 * values; complex64 ones are a pair of float32 dataIds). tfjs-core counts references per dataId
 * (`incRef`, `disposeData`), and the twinops tensor is disposed when that count reaches zero.
 * Kernels (kernels/*.ts) only translate tfjs inputs and attributes into `rt.run(op, ...)` calls;
 * see `runOp`.
 */
import { DataStorage, KernelBackend, backend_util, engine, util } from '@tensorflow/tfjs-core';
import type { BackendTimingInfo, BackendValues, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { DType } from '../../core/dtype.js';
import { TwinopsError } from '../../core/errors.js';
import { CallCache, type MemoryInfo as RuntimeMemory, type Runtime } from '../../core/runtime.js';
import type { Tensor } from '../../core/tensor.js';

/**
 * What a dataId holds: a twinops tensor (float32, int32, bool), JS values (string), or for complex64
 * two float32 dataIds of this backend (real and imaginary parts, each holding a reference).
 */
export interface TensorData {
  dtype: DataType;
  shape: number[];
  refCount: number;
  tensor?: Tensor;
  strings?: BackendValues;
  /**
   * On a WebGPU runtime, the values of a small tensor written from JS (shape, axis and size
   * constants that tfjs-converter and some ops read back with dataSync), kept so readSync works.
   */
  host?: BackendValues;
  complex?: { real: TensorInfo; imag: TensorInfo };
}

/** tfjs dtypes stored in twinops memory, and the twinops dtype of each. */
const STORED: Partial<Record<DataType, DType>> = { float32: 'float32', int32: 'int32', bool: 'bool' };

/** Elements up to which a tensor written from JS to a WebGPU runtime keeps a host copy (see TensorData.host). */
const HOST_COPY_MAX = 4096;

/** Bound on the call caches a backend keeps (a model has a few hundred distinct calls at most). */
const MAX_SITES = 2048;
/** Call caches per op and input signature (see siteOf). */
const SITE_WAYS = 4;

/** Small integers for op names and dtypes (siteOf's hash). */
const IDS = new Map<string, number>();
function idOf(s: string): number {
  let id = IDS.get(s);
  if (id === undefined) IDS.set(s, (id = IDS.size + 1));
  return id;
}

/** The attrs of an op called without any (shared: ops read attrs, never write them). */
const NO_ATTRS: object = Object.freeze({});

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An error from a tfjs kernel on this backend: names the tfjs kernel (and the twinops op's message). */
export class TfjsKernelError extends Error {
  readonly kernel: string;
  constructor(kernel: string, message: string, options?: { cause?: unknown }) {
    super(`${kernel} (twinops backend): ${message}`, options);
    this.name = 'TfjsKernelError';
    this.kernel = kernel;
  }
}

export class TwinopsBackend extends KernelBackend {
  readonly rt: Runtime;
  readonly data: DataStorage<TensorData>;
  /** whether dispose() disposes the runtime (false when the user passed their own) */
  private readonly ownsRuntime: boolean;
  private disposed = false;
  /** call caches by op and input signature (see siteOf) */
  private readonly sites = new Map<number, CallCache[]>();
  private evict = 0;
  /** call caches of memoized attrs objects (see siteFor) */
  private readonly memoSites = new WeakMap<object, CallCache>();

  constructor(rt: Runtime, ownsRuntime: boolean) {
    super();
    this.rt = rt;
    this.ownsRuntime = ownsRuntime;
    this.data = new DataStorage<TensorData>(this, engine());
  }

  // ---- storage -------------------------------------------------------------------------------

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.data.set(dataId, this.store(values, shape, dtype, 1));
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.data.set(dataId, this.store(values, shape, dtype, refCount));
  }

  private store(values: BackendValues, shape: number[], dtype: DataType, refCount: number): TensorData {
    if (dtype === 'string') return { dtype, shape: shape.slice(), refCount, strings: values };
    if (dtype === 'complex64') {
      // interleaved [re, im, re, im, ...] (what another backend's readSync gives) → two float32 parts
      const parts = backend_util.splitRealAndImagArrays((values ?? new Float32Array(2 * util.sizeFromShape(shape))) as Float32Array);
      const real = { dataId: this.write(parts.real, shape, 'float32'), shape: shape.slice(), dtype: 'float32' as const };
      const imag = { dataId: this.write(parts.imag, shape, 'float32'), shape: shape.slice(), dtype: 'float32' as const };
      return { dtype, shape: shape.slice(), refCount, complex: { real, imag } };
    }
    const dt = STORED[dtype];
    if (dt === undefined) throw new TfjsKernelError('write', `tensors of dtype ${dtype} are not supported`);
    const size = util.sizeFromShape(shape);
    const data = values ?? new (dt === 'float32' ? Float32Array : dt === 'int32' ? Int32Array : Uint8Array)(size);
    const tensor = this.rt.tensor(data as Float32Array | Int32Array | Uint8Array, shape, dt);
    const host = tensor.device !== 'wasm' && size <= HOST_COPY_MAX ? data : undefined;
    return { dtype, shape: shape.slice(), refCount, tensor, ...(host ? { host } : {}) };
  }

  override readSync(dataId: DataId): BackendValues {
    const d = this.get(dataId, 'readSync');
    if (d.strings !== undefined) return d.strings;
    if (d.complex) {
      return backend_util.mergeRealAndImagArrays(this.readSync(d.complex.real.dataId) as Float32Array, this.readSync(d.complex.imag.dataId) as Float32Array);
    }
    if (d.host !== undefined) return d.host;
    try {
      return d.tensor!.dataSync() as BackendValues;
    } catch (e) {
      // a WebGPU tensor cannot be read synchronously: say so in tfjs' terms
      if (e instanceof TwinopsError) throw new TfjsKernelError('dataSync', `${e.message} (tensor.data() / tensor.array() are the async forms)`, { cause: e });
      throw e;
    }
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    const d = this.get(dataId, 'read');
    if (d.strings !== undefined) return d.strings;
    if (d.complex) {
      const [re, im] = await Promise.all([this.read(d.complex.real.dataId), this.read(d.complex.imag.dataId)]);
      return backend_util.mergeRealAndImagArrays(re as Float32Array, im as Float32Array);
    }
    return (await d.tensor!.data()) as BackendValues;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (!this.data.has(dataId)) return true;
    const d = this.data.get(dataId);
    d.refCount--;
    if (!force && d.refCount > 0) return false;
    d.tensor?.dispose();
    this.data.delete(dataId);
    if (d.complex) {
      this.disposeData(d.complex.real.dataId);
      this.disposeData(d.complex.imag.dataId);
    }
    return true;
  }

  override incRef(dataId: DataId): void {
    if (this.data.has(dataId)) this.data.get(dataId).refCount++;
  }

  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  override memory(): { unreliable: boolean; reasons?: string[]; twinops: RuntimeMemory } {
    return { unreliable: false, twinops: this.rt.memory() };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<BackendTimingInfo> {
    const start = performance.now();
    f();
    return { kernelMs: performance.now() - start };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ownsRuntime) this.rt.dispose();
  }

  // ---- for kernels ---------------------------------------------------------------------------

  /** The data of `dataId`; DataStorage moves it here first when it lives on another backend. */
  private get(dataId: DataId, kernel: string): TensorData {
    const d = this.data.get(dataId) as TensorData | undefined;
    if (d === undefined) throw new TfjsKernelError(kernel, 'the tensor was disposed');
    return d;
  }

  /** A new dataId holding `t` (whose storage the backend now owns), as a tfjs TensorInfo. */
  output(t: Tensor, shape: readonly number[] = t.shape, dtype: DataType = t.dtype as DataType): TensorInfo {
    const dataId = {};
    // one copy for both: tfjs copies a TensorInfo's shape into its Tensor, and reshaped() replaces
    // the stored one rather than changing it
    const s = shape.slice();
    this.data.set(dataId, { dtype, shape: s, refCount: 1, tensor: t });
    return { dataId, shape: s, dtype };
  }

  /** Share `x`'s data under a new shape (Reshape, Identity, ExpandDims...): no copy. */
  alias(x: TensorInfo, shape: readonly number[] = x.shape): TensorInfo {
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape: shape.slice(), dtype: x.dtype };
  }

  /**
   * Run the twinops op `op` for the tfjs kernel `kernel`: inputs are viewed with their tfjs shapes
   * (reshapes share storage), outputs become new dataIds. A twinops error is rethrown naming the
   * tfjs kernel. `memoized`: `attrs` is an AttrMemo entry (the same object for every call with
   * these shapes and attributes), so its call cache is found by identity.
   */
  runOp(kernel: string, op: string, inputs: readonly TensorInfo[], attrs: object = NO_ATTRS, memoized = false): TensorInfo[] {
    // plain loops, no closures: this runs for every tfjs kernel call of a model
    let views: Tensor[] | undefined;
    try {
      const args: Tensor[] = [];
      for (let i = 0; i < inputs.length; i++) {
        const info = inputs[i]!;
        const t = this.get(info.dataId, kernel).tensor;
        if (t === undefined) throw new TfjsKernelError(kernel, `input ${i} has dtype ${info.dtype}, which twinops kernels do not take`);
        // the stored tensor itself where the shapes agree, so what kernels cache on it (packed
        // weights) lasts as long as the data; otherwise a view sharing its storage
        if (sameShape(t.shape, info.shape)) args.push(t);
        else {
          const v = this.rt.reshape(t, info.shape);
          (views ??= []).push(v);
          args.push(v);
        }
      }
      const outs = this.rt.runCached(op, args, attrs, memoized ? this.siteFor(attrs) : this.siteOf(op, args, attrs));
      const infos: TensorInfo[] = [];
      for (let i = 0; i < outs.length; i++) infos.push(this.output(outs[i]!));
      return infos;
    } catch (e) {
      if (e instanceof TfjsKernelError) throw e;
      if (e instanceof TwinopsError) throw new TfjsKernelError(kernel, e.message, { cause: e });
      throw e;
    } finally {
      if (views) for (const v of views) v.dispose();
    }
  }

  /**
   * A new tensor of `shape` with every element `value` (Fill, ZerosLike, OnesLike): data written
   * from JS like any tensor tfjs creates, no arithmetic.
   */
  filled(shape: readonly number[], dtype: DataType, value: number | string): TensorInfo {
    const size = util.sizeFromShape(shape as number[]);
    let values: BackendValues;
    if (dtype === 'string') values = new Array<Uint8Array>(size).fill(new TextEncoder().encode(String(value)));
    else {
      const dt = STORED[dtype];
      if (dt === undefined) this.unsupported('Fill', `dtype ${dtype} is not supported`);
      values = (dt === 'float32' ? new Float32Array(size) : dt === 'int32' ? new Int32Array(size) : new Uint8Array(size)).fill(Number(value));
    }
    const dataId = this.write(values, shape.slice(), dtype);
    return { dataId, shape: shape.slice(), dtype };
  }

  /** A kernel's own output given another shape of the same size (its dataId is not shared yet). */
  reshaped(info: TensorInfo, shape: readonly number[]): TensorInfo {
    const d = this.get(info.dataId, 'reshape');
    d.shape = shape.slice();
    return { dataId: info.dataId, shape: shape.slice(), dtype: info.dtype };
  }

  /** runOp for ops with one output. */
  runOne(kernel: string, op: string, inputs: readonly TensorInfo[], attrs: object = NO_ATTRS, memoized = false): TensorInfo {
    return this.runOp(kernel, op, inputs, attrs, memoized)[0]!;
  }

  /**
   * The call cache of memoized attrs (an AttrMemo entry, one object per distinct call of a kernel,
   * whose key fixes the input shapes): found by identity, no key to build.
   */
  private siteFor(attrs: object): CallCache {
    let site = this.memoSites.get(attrs);
    if (site === undefined) {
      site = new CallCache();
      this.memoSites.set(attrs, site);
    }
    return site;
  }

  /**
   * A call cache for this call (rt.runCached): a model calls the same op on the same shapes with
   * the same attributes run after run, so its plan and kernel are found again instead of being
   * recomputed. Up to SITE_WAYS caches per op and input signature hold calls that differ only in
   * their attributes (a stride-1 and a stride-2 depthwise conv of one shape, say).
   */
  private siteOf(op: string, args: readonly Tensor[], attrs: object): CallCache {
    // a hash of the op and the inputs' dtypes and shapes (no string built per call); a collision
    // only shares caches, which check the whole call before reuse
    let h = Math.imul(0x811c9dc5 ^ idOf(op), 0x01000193);
    for (let i = 0; i < args.length; i++) {
      const t = args[i]!;
      h = Math.imul(h ^ idOf(t.dtype), 0x01000193);
      const s = t.shape;
      h = Math.imul(h ^ (s.length + 0x3f1), 0x01000193);
      for (let d = 0; d < s.length; d++) h = Math.imul(h ^ s[d]!, 0x01000193);
    }
    let ways = this.sites.get(h);
    if (ways === undefined) {
      if (this.sites.size >= MAX_SITES) this.sites.clear();
      ways = [];
      this.sites.set(h, ways);
    }
    if (ways.length === 1 && attrs === NO_ATTRS) return ways[0]!;
    for (let i = 0; i < ways.length; i++) if (ways[i]!.matches(op, args, attrs)) return ways[i]!;
    if (ways.length < SITE_WAYS) {
      const site = new CallCache();
      ways.push(site);
      return site;
    }
    // all taken by other attributes: reuse one in turn (runCached refills it)
    return ways[this.evict++ % SITE_WAYS]!;
  }

  /** A complex64 tensor over float32 parts (each gains a reference), as tfjs' Complex kernel. */
  makeComplex(real: TensorInfo, imag: TensorInfo): TensorInfo {
    const dataId = {};
    this.data.set(dataId, { dtype: 'complex64', shape: real.shape.slice(), refCount: 1, complex: { real: this.alias(real), imag: this.alias(imag) } });
    return { dataId, shape: real.shape.slice(), dtype: 'complex64' };
  }

  /** The real or imaginary part of a complex64 tensor, shaped like it (shares the part's data). */
  complexPart(kernel: string, x: TensorInfo, part: 'real' | 'imag'): TensorInfo {
    const d = this.get(x.dataId, kernel);
    if (!d.complex) return this.unsupported(kernel, `input has dtype ${x.dtype}, expected complex64`);
    return this.alias(d.complex[part], x.shape);
  }

  /** `x` cast to `dtype` (twinops Cast) as a new dataId; `x` itself when it already has that dtype. */
  cast(kernel: string, x: TensorInfo, dtype: DataType): TensorInfo {
    if (x.dtype === dtype) return x;
    if (STORED[dtype] === undefined) this.unsupported(kernel, `cannot cast ${x.dtype} to ${dtype}`);
    return this.runOne(kernel, 'Cast', [x], { to: STORED[dtype] });
  }

  /** Release an intermediate result made inside a kernel (no-op for the kernel's own inputs). */
  release(info: TensorInfo, unlessOneOf: readonly TensorInfo[] = []): void {
    if (unlessOneOf.some((u) => u.dataId === info.dataId)) return;
    // one reference: an intermediate is freed, an alias (Real of a complex, ...) only drops its hold
    this.disposeData(info.dataId);
  }

  /** An unsupported input for a tfjs kernel: throws an error naming the kernel. */
  unsupported(kernel: string, what: string): never {
    throw new TfjsKernelError(kernel, what);
  }
}
