import { ARRAY_CTOR, BYTES_PER_ELEMENT, dtypeOfArray, gpuStorable, isDType, type AnyTypedArray, type DType } from './dtype.js';
import { DTypeError, DeviceError, DisposedError, ShapeError, TwinopsError, fmtShape } from './errors.js';
import { Tensor, shapeSize, type Device, type Storage, type TensorOwner } from './tensor.js';
import { OPS } from '../ops/index.js';
import type { BinaryOp } from '../ops/binary.js';
import type { GemmAttrs } from '../ops/gemm.js';
import type { MatMulAttrs } from '../ops/matmul.js';
import type { SoftmaxAttrs } from '../ops/softmax.js';
import type { Plan } from '../ops/types.js';
import type { UnaryAttrs, UnaryOp } from '../ops/unary.js';
import { registry as defaultRegistry, type Kernel, type KernelContext, type Registry } from '../registry/registry.js';
import { CallCache } from './call-cache.js';
import '../registry/kernels.js';
import { WasmBackend, type ThreadPool } from '../wasm-kernels/runtime/backend.js';
import type { GpuBackend } from '../webgpu-kernels/runtime/backend.js';

export interface RuntimeOptions {
  /** The device ops run on first. 'webgpu' falls back to 'wasm' op by op where a kernel is missing. Default 'wasm'. */
  device?: Device;
  /** wasm threads, the calling thread included. Default: the machine's cores. */
  threads?: number;
  /** Use relaxed-SIMD (FMA) kernels when the engine supports them. Default true. */
  relaxedSimd?: boolean;
  /** Share a thread pool between runtimes (see createThreadPool). */
  pool?: ThreadPool;
  /**
   * Choose, per kernel call site, between splitting over the pool and running on the calling thread,
   * by measured times. Helps where other processes keep the cores busy; default false.
   */
  adaptiveSplit?: boolean;
  /** Use this GPUDevice instead of acquiring one. */
  gpuDevice?: GPUDevice;
  /** Kernel registry to dispatch through (default: twinops' own). */
  registry?: Registry;
}

export interface RuntimeInfo {
  device: Device;
  threads: number;
  relaxedSimd: boolean;
  sharedMemory: boolean;
  webgpu: boolean;
}

export interface MemoryInfo {
  /** Tensors created by this runtime and not yet disposed. */
  liveTensors: number;
  /** wasm heap: size, bytes in live blocks, high-water mark. */
  wasm: { heapBytes: number; inUse: number; highWater: number };
  /** GPU bytes held by live tensors (0 without WebGPU). */
  gpuBytes: number;
}

export { CallCache };

export type TensorData = AnyTypedArray | readonly number[] | readonly boolean[] | readonly bigint[];

/**
 * A twinops runtime: the tensors it created, its devices, and one typed method per op. Every op
 * goes through the same path: the op's contract (ops/) checks inputs and derives a plan, the
 * registry picks a kernel by (op, dtype, device) in the fallback order, the runtime allocates the
 * outputs on that kernel's device and the kernel fills them.
 */
export class Runtime {
  readonly device: Device;
  readonly wasm: WasmBackend;
  readonly gpu: GpuBackend | undefined;
  private readonly registry: Registry;
  private readonly order: readonly Device[];
  /** Live tensors, each at its `ownerSlot` (an array with swap-remove: no hashing per tensor). */
  private readonly live = new LiveList();
  private readonly owner: TensorOwner = this.live;
  private readonly ctx: KernelContext;
  private disposed = false;

  constructor(wasm: WasmBackend, gpu: GpuBackend | undefined, device: Device, registry: Registry) {
    this.wasm = wasm;
    this.gpu = gpu;
    this.device = device;
    this.registry = registry;
    this.order = device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
    this.ctx = { wasm, gpu };
  }

  info(): RuntimeInfo {
    return { device: this.device, threads: this.wasm.threads, relaxedSimd: this.wasm.relaxed, sharedMemory: this.wasm.shared, webgpu: !!this.gpu };
  }

  private alive(op?: string): void {
    if (this.disposed) throw new DisposedError(op, 'the runtime was disposed');
  }

  private reader(device: Device) {
    return device === 'webgpu' ? this.gpu! : this.wasm;
  }

  /** Wrap storage in a tracked tensor. */
  private wrap(dtype: DType, shape: readonly number[], storage: Storage): Tensor {
    return new Tensor(dtype, shape, storage, this.reader(storage.device), this.owner);
  }

  private allocOn(device: Device, dtype: DType, shape: readonly number[], op: string): Tensor {
    const bytes = shapeSize(shape) * BYTES_PER_ELEMENT[dtype];
    const storage = device === 'webgpu' ? this.gpu!.allocStorage(bytes, op, dtype) : this.wasm.allocStorage(bytes, op);
    return this.wrap(dtype, shape, storage);
  }

  /**
   * Make a tensor from data and a shape. The dtype defaults to the typed array's (float32 for plain
   * numbers, bool for booleans, int64 for bigints). The tensor lives on `device` (default: the
   * runtime's device; int64, uint64, float64, uint16, uint32, int16, int4 and uint4 tensors stay on
   * wasm: WebGPU has no 64-bit types and no kernels for the others, see GPU_DTYPES).
   */
  tensor(data: TensorData, shape: readonly number[], dtype?: DType, device?: Device): Tensor {
    this.alive('tensor');
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError('tensor', `invalid shape ${fmtShape(shape)}: dimensions must be non-negative integers`);
    }
    const dt = dtype ?? dtypeOfArray(data as ArrayLike<unknown>) ?? (typeof (data as unknown[])[0] === 'boolean' ? 'bool' : typeof (data as unknown[])[0] === 'bigint' ? 'int64' : 'float32');
    if (!isDType(dt)) throw new DTypeError('tensor', `unknown dtype ${String(dt)}`);
    const size = shapeSize(shape);
    if (data.length !== size) throw new ShapeError('tensor', `data has ${data.length} elements but shape ${fmtShape(shape)} needs ${size}`);
    let arr: AnyTypedArray;
    const Ctor = ARRAY_CTOR[dt];
    if (ArrayBuffer.isView(data) && data.constructor === Ctor) arr = data as AnyTypedArray;
    else if (dt === 'int64') arr = BigInt64Array.from(data as ArrayLike<number | bigint>, (v) => BigInt(v));
    else if (dt === 'uint64') arr = BigUint64Array.from(data as ArrayLike<number | bigint>, (v) => BigInt.asUintN(64, BigInt(v)));
    else if (dt === 'bool') arr = Uint8Array.from(data as ArrayLike<number | boolean>, (v) => (v ? 1 : 0));
    else {
      const out = new Ctor(size) as unknown as { [i: number]: number };
      for (let i = 0; i < size; i++) out[i] = Number((data as ArrayLike<number | bigint>)[i]);
      arr = out as unknown as AnyTypedArray;
    }
    let dev = device ?? this.device;
    if (dev === 'webgpu' && (!this.gpu || !gpuStorable(dt))) {
      if (device === 'webgpu') throw new DeviceError('tensor', this.gpu ? `${dt} tensors cannot live on WebGPU` : 'this runtime has no WebGPU device');
      dev = 'wasm';
    }
    const storage = dev === 'webgpu' ? this.gpu!.upload(arr, dt, 'tensor') : this.wasm.upload(arr, 'tensor');
    return this.wrap(dt, shape, storage);
  }

  /** A copy of `t` on another device (async: reading WebGPU memory back is asynchronous). */
  async to(t: Tensor, device: Device): Promise<Tensor> {
    this.alive('to');
    if (t.device === device) return this.wrap(t.dtype, t.shape, this.share(t));
    if (device === 'webgpu' && !this.gpu) throw new DeviceError('to', 'this runtime has no WebGPU device');
    return this.tensor(await t.data(), t.shape, t.dtype, device);
  }

  /** A tensor with a new shape over the same storage (no copy). */
  reshape(t: Tensor, shape: readonly number[]): Tensor {
    this.alive('reshape');
    if (shapeSize(shape) !== t.size) throw new ShapeError('Reshape', `cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(shape)}`);
    return this.wrap(t.dtype, shape, this.share(t));
  }

  private share(t: Tensor): Storage {
    const s = t.storageFor('reshape');
    s.refs++;
    return s;
  }

  /** Run any registered op by name. Returns its outputs. */
  run(op: string, inputs: readonly Tensor[], attrs: object = {}): Tensor[] {
    this.alive(op);
    const def = OPS.get(op);
    if (!def) throw new TwinopsError('UNSUPPORTED', op, `unknown op (known: ${[...OPS.keys()].join(', ')})`);
    this.checkInputs(op, inputs);
    const plan: Plan = def.plan(inputs, attrs);
    return this.execute(op, inputs, plan, this.kernelFor(op, inputs, plan));
  }

  /**
   * `run` for a call site that repeats (a graph node run after run): `cache` (one per call site,
   * held by the caller) remembers the last call's plan and kernel, and reuses them while the op, the
   * inputs' dtypes, shapes and devices and the attributes' contents are the same, which proves that
   * the op's checks passed for these inputs. Anything else goes the `run` way (same errors) and
   * refills the cache. Results are those of `run`.
   */
  runCached(op: string, inputs: readonly Tensor[], attrs: object | undefined, cache: CallCache): Tensor[] {
    if (!cache.matches(op, inputs, attrs)) {
      this.alive(op);
      const def = OPS.get(op);
      if (!def) throw new TwinopsError('UNSUPPORTED', op, `unknown op (known: ${[...OPS.keys()].join(', ')})`);
      this.checkInputs(op, inputs);
      cache.clear();
      const plan: Plan = def.plan(inputs, attrs ?? {});
      const kernel = this.kernelFor(op, inputs, plan);
      cache.fill(op, inputs, attrs, plan, kernel);
      return this.execute(op, inputs, plan, kernel);
    }
    this.alive(op);
    this.checkInputs(op, inputs);
    return this.execute(op, inputs, cache.plan!, cache.kernel!, cache.shapes);
  }

  private checkInputs(op: string, inputs: readonly Tensor[]): void {
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i]!;
      if (!(t instanceof Tensor)) throw new DTypeError(op, `inputs must be twinops Tensors, got ${Object.prototype.toString.call(t)}`);
      t.storageFor(op);
      if (!this.live.has(t)) throw new DeviceError(op, `${t.toString()} belongs to another runtime`);
    }
  }

  /** The kernel for a checked call: the registry's first device in order, and wasm for inputs all on wasm. */
  private kernelFor(op: string, inputs: readonly Tensor[], plan: Plan): Kernel {
    let kernel = this.registry.resolve(op, plan.dispatchDType, this.order);
    // inputs that are all on wasm (a wasm-only dtype, or the result of a wasm-only op) run on wasm
    // where it has the kernel: a WebGPU kernel could not read them, and moving them is asynchronous
    if (kernel.device !== 'wasm' && inputs.length > 0 && inputs.every((t) => t.device === 'wasm')) {
      kernel = this.registry.get(op, plan.dispatchDType, 'wasm') ?? kernel;
    }
    for (const t of inputs) {
      if (t.device !== kernel.device) {
        throw new DeviceError(op, `${t.toString()} is on ${t.device} but the ${op} kernel for ${plan.dispatchDType} runs on ${kernel.device}; move it with await rt.to(tensor, '${kernel.device}')`);
      }
    }
    return kernel;
  }

  /** Allocate the outputs (with `shapes`, frozen copies of the plan's, where the caller has them) and run the kernel. */
  private execute(op: string, inputs: readonly Tensor[], plan: Plan, kernel: Kernel, shapes?: readonly (readonly number[])[]): Tensor[] {
    const specs = plan.outputs;
    if (kernel.kind === 'metadata') {
      const from = kernel.alias!(inputs, plan);
      const outs: Tensor[] = new Array(from.length);
      for (let k = 0; k < from.length; k++) outs[k] = this.wrap(specs[k]!.dtype, shapes ? shapes[k]! : specs[k]!.shape, this.share(inputs[from[k]!]!));
      return outs;
    }
    // sized up front: a pushed-to [] would get a 17-slot backing store per call
    const outputs: Tensor[] = new Array(specs.length);
    let made = 0;
    try {
      let work = false;
      for (; made < specs.length; made++) {
        const o = this.allocOn(kernel.device, specs[made]!.dtype, shapes ? shapes[made]! : specs[made]!.shape, op);
        outputs[made] = o;
        if (o.size > 0) work = true;
      }
      // zero-size outputs need no kernel (every op here writes only its outputs)
      if (work) kernel.run!(this.ctx, inputs, outputs, plan);
    } catch (e) {
      for (let k = 0; k < made; k++) outputs[k]!.dispose();
      throw e;
    }
    return outputs;
  }

  private one(op: string, inputs: readonly Tensor[], attrs: object = {}): Tensor {
    return this.run(op, inputs, attrs)[0]!;
  }

  private binary(op: BinaryOp) {
    return (a: Tensor, b: Tensor): Tensor => this.one(op, [a, b]);
  }
  private unary(op: UnaryOp) {
    return (x: Tensor, attrs: UnaryAttrs = {}): Tensor => this.one(op, [x], attrs);
  }

  readonly add = this.binary('Add');
  readonly sub = this.binary('Sub');
  readonly mul = this.binary('Mul');
  readonly div = this.binary('Div');
  readonly pow = this.binary('Pow');
  readonly max = this.binary('Max');
  readonly min = this.binary('Min');
  readonly equal = this.binary('Equal');
  readonly greater = this.binary('Greater');
  readonly greaterOrEqual = this.binary('GreaterOrEqual');
  readonly less = this.binary('Less');
  readonly lessOrEqual = this.binary('LessOrEqual');

  readonly relu = this.unary('Relu');
  readonly sigmoid = this.unary('Sigmoid');
  readonly tanh = this.unary('Tanh');
  readonly exp = this.unary('Exp');
  readonly log = this.unary('Log');
  readonly sqrt = this.unary('Sqrt');
  readonly abs = this.unary('Abs');
  readonly neg = this.unary('Neg');
  readonly erf = this.unary('Erf');
  /** LeakyRelu: x < 0 ? alpha·x : x (alpha default 0.01). */
  leakyRelu(x: Tensor, attrs: { alpha?: number } = {}): Tensor {
    return this.one('LeakyRelu', [x], attrs);
  }
  /** Gelu: exact (erf) by default, or approximate: 'tanh'. */
  gelu(x: Tensor, attrs: { approximate?: 'none' | 'tanh' } = {}): Tensor {
    return this.one('Gelu', [x], attrs);
  }
  /** Clip to [min, max] (either bound optional). */
  clip(x: Tensor, attrs: { min?: number; max?: number } = {}): Tensor {
    return this.one('Clip', [x], attrs);
  }

  /** numpy matmul with optional transposes, fused bias (broadcastable to [M, N]) and activation. */
  matmul(a: Tensor, b: Tensor, attrs: MatMulAttrs & { bias?: Tensor } = {}): Tensor {
    const { bias, ...rest } = attrs;
    return this.one('MatMul', bias ? [a, b, bias] : [a, b], rest);
  }

  /** ONNX Gemm: alpha · A' · B' + beta · C. */
  gemm(a: Tensor, b: Tensor, c?: Tensor, attrs: GemmAttrs = {}): Tensor {
    return this.one('Gemm', c ? [a, b, c] : [a, b], attrs);
  }

  softmax(x: Tensor, attrs: SoftmaxAttrs = {}): Tensor {
    return this.one('Softmax', [x], attrs);
  }

  memory(): MemoryInfo {
    const h = this.wasm.heap.stats();
    let gpuBytes = 0;
    for (const t of this.live.tensors) if (!t.isDisposed && t.device === 'webgpu') gpuBytes += t.byteLength;
    return { liveTensors: this.live.tensors.length, wasm: { heapBytes: h.heapBytes, inUse: h.inUse, highWater: h.highWater }, gpuBytes };
  }

  /** Dispose every live tensor, release the GPU device and terminate the workers this runtime owns. */
  dispose(): void {
    if (this.disposed) return;
    for (const t of this.live.tensors.slice()) t.dispose();
    this.disposed = true;
    this.gpu?.dispose();
    this.wasm.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** A runtime's live tensors: `tensors[t.ownerSlot] === t` for each. */
class LiveList implements TensorOwner {
  readonly tensors: Tensor[] = [];

  track(t: Tensor): void {
    t.ownerSlot = this.tensors.length;
    this.tensors.push(t);
  }

  untrack(t: Tensor): void {
    const k = t.ownerSlot;
    if (k < 0 || this.tensors[k] !== t) return;
    const last = this.tensors.pop()!;
    if (last !== t) {
      this.tensors[k] = last;
      last.ownerSlot = k;
    }
    t.ownerSlot = -1;
  }

  has(t: Tensor): boolean {
    const k = t.ownerSlot;
    return k >= 0 && this.tensors[k] === t;
  }
}

/** Create a runtime. `device: 'webgpu'` throws a DeviceError when no WebGPU adapter exists. */
export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const device = opts.device ?? 'wasm';
  if (device !== 'wasm' && device !== 'webgpu') throw new DeviceError('createRuntime', `unknown device '${String(device)}' (use 'wasm' or 'webgpu')`);
  const wasm = await WasmBackend.create({ threads: opts.threads, relaxedSimd: opts.relaxedSimd, pool: opts.pool, adaptiveSplit: opts.adaptiveSplit });
  let gpu: GpuBackend | undefined;
  if (device === 'webgpu') {
    const { GpuBackend } = await import('../webgpu-kernels/runtime/backend.js');
    gpu = await GpuBackend.create({ device: opts.gpuDevice });
    if (!gpu) {
      wasm.dispose();
      throw new DeviceError('createRuntime', 'no WebGPU adapter is available (in Node, the `webgpu` package needs a Vulkan driver such as SwiftShader)');
    }
  }
  return new Runtime(wasm, gpu, device, opts.registry ?? defaultRegistry);
}
