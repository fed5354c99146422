import { ARRAY_CTOR, BYTES_PER_ELEMENT, type AnyTypedArray, type DType } from './dtype.js';
import { DeviceError, DisposedError, fmtShape } from './errors.js';

export type Device = 'wasm' | 'webgpu';

/**
 * Where a tensor's bytes live. Storage is reference counted: a reshape or an alias shares one
 * storage between several Tensor objects, and the bytes are released when the last one goes.
 */
export interface Storage {
  readonly device: Device;
  readonly byteLength: number;
  refs: number;
  /** Release the bytes (called once refs reaches 0). */
  free(): void;
}

export interface StorageReader {
  /** Copy `size` elements of `dtype` out of `storage`. */
  read(storage: Storage, dtype: DType, size: number): Promise<AnyTypedArray>;
  /** Synchronous read; undefined where the device cannot read synchronously (WebGPU). */
  readSync?(storage: Storage, dtype: DType, size: number): AnyTypedArray;
}

/** A derived form of a tensor (packed GEMM weights, a GPU copy, ...), freed with the tensor. */
export interface Derived {
  dispose(): void;
}

/** Who keeps count of live tensors (a Runtime). */
export interface TensorOwner {
  track(t: Tensor): void;
  untrack(t: Tensor): void;
}

let nextId = 1;

/**
 * An immutable n-dimensional array that lives on one device. Created by a Runtime
 * (`rt.tensor(data, shape)`) or returned by an op; release it with `dispose()`.
 */
export class Tensor {
  readonly id = nextId++;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly size: number;
  private _derived: Map<string, Derived> | undefined;
  private _storage: Storage | undefined;
  private readonly reader: StorageReader;
  private readonly owner: TensorOwner | undefined;
  /** Where the owner keeps this tensor in its live list (-1: untracked); the owner's to read and write. */
  ownerSlot = -1;

  constructor(dtype: DType, shape: readonly number[], storage: Storage, reader: StorageReader, owner?: TensorOwner) {
    this.dtype = dtype;
    // a frozen shape (another tensor's, a cached plan's) cannot change: share it
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    this.size = shapeSize(shape);
    this._storage = storage;
    this.reader = reader;
    this.owner = owner;
    owner?.track(this);
  }

  /**
   * Derived forms cached on this tensor; tensors are immutable, so a cache entry never goes stale.
   * Made on first use: most tensors (intermediates) never get one.
   */
  get derived(): Map<string, Derived> {
    return (this._derived ??= new Map());
  }

  get device(): Device {
    const s = this._storage;
    return s ? s.device : this.storageFor(undefined).device;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this._storage === undefined;
  }

  get byteLength(): number {
    return this.size * BYTES_PER_ELEMENT[this.dtype];
  }

  /** The storage, or a DisposedError naming `op` when the tensor was disposed. */
  storageFor(op: string | undefined): Storage {
    if (!this._storage) {
      throw new DisposedError(op, `tensor #${this.id} (${this.dtype}${fmtShape(this.shape)}) was used after dispose()`);
    }
    return this._storage;
  }

  get storage(): Storage {
    return this.storageFor(undefined);
  }

  /** Copy the data out. Works on every device. */
  async data(): Promise<AnyTypedArray> {
    const s = this.storageFor('data');
    if (this.size === 0) return new ARRAY_CTOR[this.dtype](0);
    return this.reader.read(s, this.dtype, this.size);
  }

  /** Copy the data out synchronously. Throws a DeviceError for WebGPU tensors: use `await data()`. */
  dataSync(): AnyTypedArray {
    const s = this.storageFor('dataSync');
    if (this.size === 0) return new ARRAY_CTOR[this.dtype](0);
    if (!this.reader.readSync) {
      throw new DeviceError('dataSync', `tensor #${this.id} lives on ${s.device}, which cannot be read synchronously; use await tensor.data()`);
    }
    return this.reader.readSync(s, this.dtype, this.size);
  }

  /** Release this tensor's hold on its storage and any derived forms. Safe to call twice. */
  dispose(): void {
    const s = this._storage;
    if (!s) return;
    this._storage = undefined;
    this.owner?.untrack(this);
    if (this._derived) {
      for (const d of this._derived.values()) d.dispose();
      this._derived.clear();
    }
    if (--s.refs === 0) s.free();
  }

  toString(): string {
    return `Tensor#${this.id}(${this.dtype}${fmtShape(this.shape)} on ${this._storage?.device ?? 'disposed'})`;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}
