/**
 * onnxruntime-common's InferenceSessionHandler over the twinops engine: feeds are checked against
 * the graph inputs and uploaded, the executor runs the graph, and outputs come back as tensors of
 * the user's own `ort.Tensor` class (onnxruntime-web bundles its own copy of onnxruntime-common).
 */
import type { InferenceSession, InferenceSessionHandler, OnnxValue } from 'onnxruntime-common';
/// <reference types="@webgpu/types" />
import { ARRAY_CTOR, BYTES_PER_ELEMENT, type AnyTypedArray, type DType } from '../../core/dtype.js';
import { DeviceError, DTypeError, ShapeError } from '../../core/errors.js';
import { createRuntime, type Runtime } from '../../core/runtime.js';
import { Tensor, type Device } from '../../core/tensor.js';
import { MAP_READ, USAGE } from '../../webgpu-kernels/runtime/device.js';
import type { TensorInfo } from '../../ops/types.js';
import type { Registry } from '../../registry/registry.js';
import { OrtArgumentError, UnsupportedModelError } from './errors.js';
import { Executor } from './executor.js';
import { loadExternalData, type ExternalDataOption } from './external-data.js';
import { buildGraph, type SessionGraph } from './graph.js';
import { inferShapes } from './infer.js';
import { optimizeGraph } from './passes/index.js';
import { decodeModel, parseModel, type Dim, type ValueDecl } from './model.js';
import { Profiler } from './profiler.js';
import { dtypeOfOnnx, onnxTypeName, pack4, unpack4 } from './tensor-proto.js';
import { disposeValue, OptValue, SeqValue, type Value } from './values.js';

/** The parts of an onnxruntime module (web, node or common) the backend uses. */
export interface OrtModule {
  registerBackend(name: string, backend: unknown, priority: number): void;
  Tensor: new (type: string, data: AnyTypedArray, dims: readonly number[]) => OnnxValue;
}

/** onnxruntime-common's Tensor.fromGpuBuffer (every ort module's Tensor class has it). */
type FromGpuBuffer = (buffer: GPUBuffer, options: { dataType: string; dims: readonly number[]; download(): Promise<AnyTypedArray>; dispose(): void }) => OnnxValue;

/** The dtypes onnxruntime-common accepts in a 'gpu-buffer' tensor (Tensor.GpuBufferDataTypes). */
const GPU_BUFFER_DTYPES: readonly string[] = ['float32', 'float16', 'int32', 'int64', 'uint32', 'uint8', 'bool'];

type OutputLocation = 'cpu' | 'gpu-buffer';

/** An ort Tensor as a feed: read through its public fields. */
interface OrtTensorLike {
  type: string;
  dims: readonly number[];
  data: unknown;
  location?: string;
  gpuBuffer?: GPUBuffer;
}

const OPT_LEVELS = ['disabled', 'basic', 'extended', 'layout', 'all'];

export interface HandlerConfig {
  device: Device;
  registry: Registry;
  /** Where warnings go (default console.warn). */
  warn?: (msg: string) => void;
  /** Where endProfiling() prints its table (default console.log). */
  log?: (msg: string) => void;
  /** The folder of a model loaded from a path (Node): its external data files are read from there. */
  modelDir?: string;
  /** The GPUDevice a 'webgpu' session runs on (kept by the caller); default: a device of its own. */
  gpuDevice?: GPUDevice;
}

/** Session options → runtime threads and resolved free dimensions; anything contradictory is rejected. */
function readOptions(options: InferenceSession.SessionOptions, graph: SessionGraph, device: Device): { threads: number | undefined; overrides: Map<string, number>; locations: Map<string, OutputLocation> } {
  const level = options.graphOptimizationLevel;
  // 'disabled' runs the graph as written; every other level folds constants (no other pass yet).
  if (level !== undefined && !OPT_LEVELS.includes(level)) throw new OrtArgumentError(`graphOptimizationLevel '${String(level)}' is not one of ${OPT_LEVELS.join(', ')}`);
  const n = options.intraOpNumThreads;
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new OrtArgumentError(`intraOpNumThreads must be a non-negative integer (0 = default), got ${String(n)}`);
  const locations = outputLocations(options.preferredOutputLocation, graph, device);
  const overrides = new Map<string, number>();
  const symbols = new Set(graph.inputs.flatMap((v) => (v.dims ?? []).filter((d): d is string => typeof d === 'string')));
  for (const [name, v] of Object.entries(options.freeDimensionOverrides ?? {})) {
    if (!Number.isInteger(v) || v < 0) throw new OrtArgumentError(`freeDimensionOverrides['${name}'] must be a non-negative integer, got ${String(v)}`);
    if (!symbols.has(name)) throw new OrtArgumentError(`freeDimensionOverrides names '${name}', which no graph input uses (symbolic dimensions: ${[...symbols].join(', ') || 'none'})`);
    overrides.set(name, v);
  }
  return { threads: n ? n : undefined, overrides, locations };
}

/**
 * preferredOutputLocation (one location, or one per output name) → the outputs to return as GPU
 * buffers. 'cpu' and 'cpu-pinned' are the CPU; 'gpu-buffer' needs a 'twinops-webgpu' session and an
 * output dtype onnxruntime-common's GPU tensors hold; anything else is rejected.
 */
function outputLocations(loc: InferenceSession.SessionOptions['preferredOutputLocation'], graph: SessionGraph, device: Device): Map<string, OutputLocation> {
  const out = new Map<string, OutputLocation>();
  if (loc === undefined) return out;
  const names = graph.outputs.map((o) => o.name);
  const perOutput: [string, unknown][] = typeof loc === 'string' ? names.map((n) => [n, loc]) : typeof loc === 'object' && loc !== null ? Object.entries(loc) : [['', loc]];
  for (const [name, l] of perOutput) {
    const what = typeof loc === 'object' && loc !== null ? `preferredOutputLocation['${name}']` : 'preferredOutputLocation';
    const o = graph.outputs.find((v) => v.name === name);
    if (!o) throw new OrtArgumentError(`${what}: ${typeof loc === 'object' && loc !== null ? `the model has no output '${name}' (its outputs are ${names.join(', ')})` : `must be a location or a map from output names to locations, got ${JSON.stringify(loc)}`}`);
    if (l === 'cpu' || l === 'cpu-pinned') continue;
    if (l !== 'gpu-buffer') throw new OrtArgumentError(`${what}: location ${JSON.stringify(l)} is not supported by the twinops backend (use 'cpu' or, with 'twinops-webgpu', 'gpu-buffer')`);
    if (device !== 'webgpu') throw new OrtArgumentError(`${what}: 'gpu-buffer' outputs need the 'twinops-webgpu' execution provider (output '${name}'; this session runs on ${device})`);
    const dt = o.kind === 'tensor' ? dtypeOfOnnx(o.elemType) : undefined;
    if (o.kind !== 'tensor' || (dt && !GPU_BUFFER_DTYPES.includes(dt))) {
      throw new OrtArgumentError(`${what}: output '${name}' is ${o.kind === 'tensor' ? dt : `a ${o.kind}`}; 'gpu-buffer' outputs are tensors of ${GPU_BUFFER_DTYPES.join(', ')}`);
    }
    out.set(name, 'gpu-buffer');
  }
  return out;
}

/** Read `size` elements of `dtype` back from a GPUBuffer (of at least a whole number of words). */
async function downloadBuffer(device: GPUDevice, buffer: GPUBuffer, dtype: DType, size: number): Promise<AnyTypedArray> {
  const bytes = size * BYTES_PER_ELEMENT[dtype];
  if (bytes === 0) return new ARRAY_CTOR[dtype](0);
  const copyBytes = Math.ceil(bytes / 4) * 4;
  const staging = device.createBuffer({ size: copyBytes, usage: USAGE.MAP_READ | USAGE.COPY_DST, label: 'gpu-buffer download' });
  try {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, staging, 0, copyBytes);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_READ);
    return new ARRAY_CTOR[dtype](staging.getMappedRange(0, copyBytes).slice(0, bytes), 0, size);
  } finally {
    staging.destroy();
  }
}

/** A declared input shape for messages: [1,3,?,?]. */
function fmtSpec(dims: readonly Dim[]): string {
  return `[${dims.map((d) => d ?? '?').join(',')}]`;
}

export class TwinopsSessionHandler implements InferenceSessionHandler {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  private profiler: Profiler | undefined;
  /** The profile of the last endProfiling() (per-node events, table and Chrome trace). */
  lastProfile: Profiler | undefined;
  /** Runs are serialised: the settlement of the last one queued, and how many are in flight. */
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private readonly settled = (): void => void this.inFlight--;
  private disposed = false;
  private readonly inputs: Map<string, { decl: ValueDecl; dtype: DType; dims: Dim[] | undefined }>;
  /** GPU-side copies of 'gpu-buffer' feeds started by the current run's feed(), awaited before it executes. */
  private readonly gpuCopies: Promise<void>[] = [];

  private constructor(
    private readonly ort: OrtModule,
    private readonly graph: SessionGraph,
    private readonly rt: Runtime,
    private readonly executor: Executor,
    overrides: Map<string, number>,
    private readonly log: (msg: string) => void,
    private readonly locations: Map<string, OutputLocation>,
  ) {
    const meta = (v: ValueDecl, dims: Dim[] | undefined): InferenceSession.ValueMetadata =>
      v.kind !== 'tensor'
        ? { name: v.name, isTensor: false }
        : {
            name: v.name,
            isTensor: true,
            type: onnxTypeName(v.elemType) as InferenceSession.TensorValueMetadata['type'],
            shape: (dims ?? []).map((d) => d ?? -1),
          };
    this.inputs = new Map(
      graph.inputs.map((v) => {
        const dims = v.dims?.map((d) => (typeof d === 'string' && overrides.has(d) ? overrides.get(d)! : d));
        return [v.name, { decl: v, dtype: dtypeOfOnnx(v.elemType)!, dims }] as const;
      }),
    );
    this.inputNames = graph.inputs.map((v) => v.name);
    this.outputNames = graph.outputs.map((v) => v.name);
    this.inputMetadata = graph.inputs.map((v) => meta(v, this.inputs.get(v.name)!.dims));
    this.outputMetadata = graph.outputs.map((v) => meta(v, v.dims));
  }

  /** Parse, lower and check a model, upload its constants, and make the session's runtime. */
  static async create(ort: OrtModule, bytes: Uint8Array, options: InferenceSession.SessionOptions, config: HandlerConfig): Promise<TwinopsSessionHandler> {
    const proto = decodeModel(bytes);
    const externalData = await loadExternalData(proto, (options as { externalData?: readonly ExternalDataOption[] }).externalData, config.modelDir);
    const graph = buildGraph(parseModel(proto, { externalData, bytes }));
    for (const v of [...graph.inputs, ...graph.outputs]) {
      if (v.elemType !== 0 && !dtypeOfOnnx(v.elemType)) throw new UnsupportedModelError(`graph ${graph.inputs.includes(v) ? 'input' : 'output'} '${v.name}' has element type ${onnxTypeName(v.elemType)}, which twinops does not support`);
      if (v.elemType === 0 && v.kind === 'tensor' && graph.inputs.includes(v)) throw new DTypeError('InferenceSession', `graph input '${v.name}' declares no element type`);
    }
    const { threads, overrides, locations } = readOptions(options, graph, config.device);
    if (options.graphOptimizationLevel !== 'disabled') optimizeGraph(graph, options.graphOptimizationLevel); // fusion, weight folding, layout (passes/)
    // Infer whatever the declared input shapes fix now, so that unsupported dtypes, missing kernels
    // and shape contradictions surface at creation rather than at the first run.
    const known = new Map<string, TensorInfo>();
    for (const v of graph.inputs) {
      if (v.kind !== 'tensor') continue;
      const dims = v.dims?.map((d) => (typeof d === 'string' ? overrides.get(d) : d));
      if (dims && dims.every((d): d is number => typeof d === 'number')) known.set(v.name, { dtype: dtypeOfOnnx(v.elemType)!, shape: dims });
    }
    // (before the runtime exists: a model that cannot run costs no workers)
    inferShapes(graph, known, config.registry, config.device);
    const allKnown = known.size === graph.inputs.length;
    const rt = await createRuntime({ device: config.device, threads, registry: config.registry, gpuDevice: config.gpuDevice });
    try {
      const warn = config.warn ?? ((m: string) => console.warn(m));
      // every level but 'disabled' also folds constants
      const executor = new Executor(rt, graph, config.registry, warn, options.graphOptimizationLevel !== 'disabled');
      if (allKnown) executor.plan(known); // cached for the first run
      const h = new TwinopsSessionHandler(ort, graph, rt, executor, overrides, config.log ?? ((m: string) => console.log(m)), locations);
      if (options.enableProfiling) h.startProfiling();
      return h;
    } catch (e) {
      rt.dispose();
      throw e;
    }
  }

  /**
   * A feed as an engine value: an ort Tensor; for a sequence input an array of ort Tensors; for an
   * optional input null (empty), a Tensor or an array.
   */
  private feed(name: string, value: unknown): Value {
    const spec = this.inputs.get(name)!;
    const { kind } = spec.decl;
    if (kind === 'optional') {
      if (value === null || value === undefined) return new OptValue(undefined, spec.decl.optionalOf);
      return new OptValue(spec.decl.optionalOf === 'sequence' ? this.feedSeq(name, value) : this.feedTensor(name, value, spec.dims));
    }
    if (kind === 'sequence') return this.feedSeq(name, value);
    return this.feedTensor(name, value, spec.dims);
  }

  private feedSeq(name: string, value: unknown): SeqValue {
    if (!Array.isArray(value)) throw new OrtArgumentError(`feed '${name}' is a sequence: pass an array of ort Tensors`);
    const items: Tensor[] = [];
    try {
      value.forEach((v, k) => items.push(this.feedTensor(`${name}[${k}]`, v, undefined, name)));
    } catch (e) {
      for (const t of items) t.dispose();
      throw e;
    }
    return new SeqValue(this.inputs.get(name)!.dtype, items);
  }

  private feedTensor(name: string, value: unknown, specDims: Dim[] | undefined, input = name): Tensor {
    const spec = this.inputs.get(input)!;
    const t = value as OrtTensorLike;
    if (typeof t !== 'object' || t === null || typeof t.type !== 'string' || !Array.isArray(t.dims)) {
      throw new OrtArgumentError(`feed '${name}' is not an ort Tensor`);
    }
    const onGpu = t.location === 'gpu-buffer';
    if (t.location !== undefined && t.location !== 'cpu' && t.location !== 'cpu-pinned' && !onGpu) {
      throw new OrtArgumentError(`feed '${name}' is on '${t.location}'; the twinops backend takes CPU tensors and, on 'twinops-webgpu', GPU buffers`);
    }
    if (t.type !== spec.dtype) throw new DTypeError('InferenceSession', `input '${name}' must be ${spec.dtype}, got ${t.type}${JSON.stringify(t.dims)}`);
    const dims = t.dims;
    if (specDims) {
      if (dims.length !== specDims.length) throw new ShapeError('InferenceSession', `input '${name}' must have rank ${specDims.length} ${fmtSpec(specDims)}, got [${dims.join(',')}]`, 'RANK');
      for (let k = 0; k < specDims.length; k++) {
        const d = specDims[k];
        if (typeof d === 'number' && dims[k] !== d) throw new ShapeError('InferenceSession', `input '${name}' must have shape ${fmtSpec(specDims)}, got [${dims.join(',')}] (dimension ${k} is ${dims[k]}, expected ${d})`);
      }
    }
    if (onGpu) return this.feedGpuBuffer(name, t, spec.dtype);
    let data = t.data as AnyTypedArray;
    // onnxruntime-common stores float16 in a Float16Array where the engine has one; twinops takes the bits
    if (spec.dtype === 'float16' && !(data instanceof Uint16Array) && ArrayBuffer.isView(data)) data = new Uint16Array(data.buffer, data.byteOffset, (data as { length: number }).length);
    if (spec.dtype === 'bool' && !(data instanceof Uint8Array)) throw new DTypeError('InferenceSession', `input '${name}': bool data must be a Uint8Array`);
    // int4/uint4 arrive packed two per byte; twinops holds one element per byte
    if (spec.dtype === 'int4' || spec.dtype === 'uint4') data = unpack4(data as Uint8Array, dims.reduce((a, d) => a * d, 1), spec.dtype === 'int4');
    return this.rt.tensor(data, dims, spec.dtype);
  }

  /**
   * A 'gpu-buffer' feed: a tensor of the session's runtime filled by a GPU-side copy of the caller's
   * buffer (queued in gpuCopies; a buffer of another GPUDevice fails there, naming the feed). bool
   * buffers must hold 0/1 bytes.
   */
  private feedGpuBuffer(name: string, t: OrtTensorLike, dtype: DType): Tensor {
    const gpu = this.rt.gpu;
    if (!gpu) throw new DeviceError('InferenceSession', `feed '${name}' is a GPU buffer, which only a 'twinops-webgpu' session takes (this session runs on wasm: pass a CPU tensor)`);
    if (!GPU_BUFFER_DTYPES.includes(dtype) || dtype === 'int64' || dtype === 'uint32') {
      throw new DTypeError('InferenceSession', `feed '${name}' is a GPU buffer of ${dtype}${JSON.stringify(t.dims)}; twinops takes GPU feeds of float32, float16, int32, uint8 and bool (pass ${dtype} on the CPU)`);
    }
    const src = t.gpuBuffer;
    if (!src || typeof src.size !== 'number') throw new OrtArgumentError(`feed '${name}' has location 'gpu-buffer' but no gpuBuffer`);
    const size = t.dims.reduce((a, d) => a * d, 1);
    const bytes = Math.ceil((size * BYTES_PER_ELEMENT[dtype]) / 4) * 4;
    if (src.size < bytes) throw new ShapeError('InferenceSession', `feed '${name}': a ${dtype}[${t.dims.join(',')}] GPU feed needs a buffer of at least ${bytes} bytes (a whole number of 4-byte words), got ${src.size}`);
    const out = this.rt.tensor(new ARRAY_CTOR[dtype](size), t.dims, dtype, 'webgpu');
    const copy = gpu.copyFromBuffer(src, out, `feed '${name}'`, 'InferenceSession');
    copy.catch(() => {}); // (a later feed may throw before the run awaits this one; the run still sees the rejection)
    this.gpuCopies.push(copy);
    return out;
  }

  /** An output as an ort 'gpu-buffer' Tensor whose buffer the caller owns (download() reads it, dispose() destroys it). */
  private tensorToGpuBuffer(t: Tensor, pre: OrtTensorLike | null, n: string): OnnxValue {
    if (pre) throw new OrtArgumentError(`output '${n}' has preferredOutputLocation 'gpu-buffer': pre-allocated fetches are not supported there (pass null)`);
    const gpu = this.rt.gpu!;
    const device = gpu.device;
    let buffer: GPUBuffer;
    if (t.device === 'webgpu') buffer = gpu.exportBuffer(t, 'InferenceSession');
    else {
      // an output computed on wasm (int64, or an op with no WebGPU twin) is uploaded
      const data = t.dataSync();
      const padded = new Uint8Array(Math.max(4, Math.ceil(data.byteLength / 4) * 4));
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      buffer = device.createBuffer({ size: padded.byteLength, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, label: `output ${n}` });
      device.queue.writeBuffer(buffer, 0, padded);
    }
    const { dtype, size } = t;
    const fromGpuBuffer = (this.ort.Tensor as unknown as { fromGpuBuffer: FromGpuBuffer }).fromGpuBuffer;
    return fromGpuBuffer(buffer, { dataType: dtype, dims: t.shape, download: () => downloadBuffer(device, buffer, dtype, size), dispose: () => buffer.destroy() });
  }

  /** The GPUDevice a 'twinops-webgpu' session runs on (create 'gpu-buffer' feeds on it); undefined on wasm. */
  get gpuDevice(): GPUDevice | undefined {
    return this.rt.gpu?.device;
  }

  // run and runValues are not `async`: each would add a promise and microtask turns to every run;
  // errors still arrive as rejections
  run(feeds: Record<string, OnnxValue>, fetches: Record<string, OnnxValue | null>, _options: InferenceSession.RunOptions): Promise<Record<string, OnnxValue>> {
    // onnxruntime-common's InferenceSession.run turns every result into a Tensor: a sequence or an
    // optional output cannot pass through it
    for (const n in fetches) {
      const d = this.graph.outputs.find((o) => o.name === n);
      if (d && d.kind !== 'tensor') return Promise.reject(new UnsupportedModelError(`output '${n}' is a ${d.kind}; onnxruntime-common's InferenceSession.run returns tensors only: fetch it with runOnnxValues(session, feeds) from twinops/ort`));
    }
    return this.runValues(feeds, fetches) as Promise<Record<string, OnnxValue>>;
  }

  /**
   * Run with any graph values: sequence outputs come back as arrays of ort Tensors, optionals as
   * null (empty) or their value. `fetches` lists output names (default: all).
   */
  runValues(feeds: Record<string, unknown>, fetches: Record<string, unknown> | readonly string[] = this.outputNames): Promise<Record<string, unknown>> {
    const f: Record<string, OnnxValue | null> = {};
    if (Array.isArray(fetches)) for (const n of fetches as readonly string[]) f[n] = null;
    else Object.assign(f, fetches);
    // with nothing in flight the run starts now, without waiting a turn behind a settled promise
    const job = this.inFlight === 0 ? this.runNow(feeds as Record<string, OnnxValue>, f) : this.queue.then(() => this.runNow(feeds as Record<string, OnnxValue>, f));
    this.inFlight++;
    this.queue = job.then(this.settled, this.settled);
    return job;
  }

  /** An engine value as what the user gets: an ort Tensor, an array of them, or null. */
  private async toOrt(v: Value, pre: OrtTensorLike | null, n: string): Promise<unknown> {
    if (v instanceof SeqValue) return Promise.all(v.items.map((t) => this.toOrt(t, null, n)));
    if (v instanceof OptValue) return v.value === undefined ? null : this.toOrt(v.value, pre, n);
    return this.tensorToOrt(v, v.device === 'wasm' ? v.dataSync() : await v.data(), pre, n);
  }

  /** A tensor's data as an ort Tensor (or written into the pre-allocated one). */
  private tensorToOrt(t: Tensor, read: AnyTypedArray, pre: OrtTensorLike | null, n: string): unknown {
    if (pre && pre.location !== undefined && pre.location !== 'cpu' && pre.location !== 'cpu-pinned') throw new OrtArgumentError(`pre-allocated output '${n}' is on '${pre.location}'; twinops fills CPU tensors only (for GPU outputs set preferredOutputLocation 'gpu-buffer' and pass null)`);
    let data = read;
    // int4/uint4 leave packed two per byte, as onnxruntime-common holds them
    if (t.dtype === 'int4' || t.dtype === 'uint4') data = pack4(data as Int8Array | Uint8Array);
    if (pre) {
      if (pre.type !== t.dtype || pre.dims.length !== t.shape.length || pre.dims.some((d, k) => d !== t.shape[k])) {
        throw new ShapeError('InferenceSession', `pre-allocated output '${n}' is ${pre.type}[${pre.dims.join(',')}] but the model produced ${t.dtype}[${t.shape.join(',')}]`);
      }
      (pre.data as { set(a: ArrayLike<unknown>): void }).set(data as ArrayLike<unknown>);
      return pre;
    }
    return new this.ort.Tensor(t.dtype, data, t.shape);
  }

  private async runNow(feeds: Record<string, OnnxValue>, fetches: Record<string, OnnxValue | null>): Promise<Record<string, OnnxValue>> {
    if (this.disposed) throw new OrtArgumentError('the session was released');
    let ok = true;
    for (const k in feeds) if (!this.inputs.has(k)) ok = false;
    for (const n of this.inputNames) if (feeds[n] === undefined) ok = false;
    if (!ok) this.badFeeds(feeds); // (an optional input left out passes)
    const names = Object.keys(fetches);
    for (const n of names) if (!this.outputNames.includes(n)) throw new OrtArgumentError(`unknown output '${n}'; the model's outputs are ${this.outputNames.join(', ')}`);
    const ins = new Map<string, Value>();
    let outs: Map<string, Value> | undefined;
    try {
      this.gpuCopies.length = 0;
      for (const n of this.inputNames) ins.set(n, this.feed(n, feeds[n]));
      if (this.gpuCopies.length > 0) await Promise.all(this.gpuCopies.splice(0));
      const ran = this.executor.run(ins, names, this.profiler);
      outs = ran instanceof Map ? ran : await ran;
      ins.clear(); // the executor disposed them
      const result: Record<string, OnnxValue> = {};
      for (const n of names) {
        const v = outs.get(n)!;
        const pre = fetches[n] as OrtTensorLike | null;
        // a wasm tensor converts synchronously (no await per output)
        if (this.locations.size > 0 && v instanceof Tensor && this.locations.get(n) === 'gpu-buffer') result[n] = this.tensorToGpuBuffer(v, pre, n);
        else result[n] = (v instanceof Tensor && v.device === 'wasm' ? this.tensorToOrt(v, v.dataSync(), pre, n) : await this.toOrt(v, pre, n)) as OnnxValue;
      }
      return result;
    } finally {
      for (const t of ins.values()) disposeValue(t);
      if (outs) for (const t of outs.values()) disposeValue(t);
    }
  }

  /** Throws for feeds the model has no input for, or a missing required input. */
  private badFeeds(feeds: Record<string, OnnxValue>): void {
    const extra = Object.keys(feeds).filter((k) => !this.inputs.has(k));
    if (extra.length > 0) {
      const init = extra.filter((k) => this.graph.constants.has(k));
      throw new OrtArgumentError(`unknown feed${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}${init.length ? ` (${init.join(', ')} ${init.length > 1 ? 'are initializers' : 'is an initializer'}, which cannot be overridden)` : ''}; the model's inputs are ${this.inputNames.join(', ')}`);
    }
    // an optional input may be left out: it is then empty
    const missing = this.inputNames.filter((n) => feeds[n] === undefined && this.inputs.get(n)!.decl.kind !== 'optional');
    if (missing.length > 0) throw new OrtArgumentError(`missing feed${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}`);
  }

  startProfiling(): void {
    this.profiler ??= new Profiler();
  }

  /** Stop profiling, print the per-node table, and keep the profile (table and Chrome trace) in `lastProfile`. */
  endProfiling(): void {
    const p = this.profiler;
    if (!p) return;
    this.profiler = undefined;
    this.lastProfile = p;
    this.log(`twinops profile (${p.events.length} node executions)\n${p.table()}`);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    this.executor.dispose();
    this.rt.dispose();
  }
}
