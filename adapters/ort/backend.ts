/**
 * The onnxruntime Backend objects. Registration goes through the `ort` module the user passes in:
 * onnxruntime-web's bundles carry their own onnxruntime-common, so registering into another copy
 * would be invisible to the user's InferenceSession.
 */
/// <reference types="@webgpu/types" />
import type { Backend, InferenceSession } from 'onnxruntime-common';
import { DeviceError } from '../../core/errors.js';
import { createRuntime } from '../../core/runtime.js';
import type { Device } from '../../core/tensor.js';
import { registry as defaultRegistry, type Registry } from '../../registry/registry.js';
import { OrtArgumentError } from './errors.js';
import { TwinopsSessionHandler, type OrtModule } from './session-handler.js';

export interface OrtBackendOptions {
  /**
   * onnxruntime backend priority. Default -1: twinops runs only when named in `executionProviders`,
   * never as a silent fallback.
   */
  priority?: number;
  /** Kernel registry (default: twinops' own). */
  registry?: Registry;
  /** Where warnings go (default console.warn). */
  warn?: (msg: string) => void;
  /**
   * The GPUDevice every 'twinops-webgpu' session runs on (the caller keeps it alive and destroys it).
   * 'gpu-buffer' feeds must be buffers of this device, and 'gpu-buffer' outputs stay valid after the
   * session is released. Default: each session acquires a device of its own (its `handler.gpuDevice`),
   * destroyed by session.release().
   */
  gpuDevice?: GPUDevice;
}

/** A model given as a path (Node) or URL → bytes. */
async function loadBytes(uriOrBuffer: string | Uint8Array): Promise<Uint8Array> {
  if (uriOrBuffer instanceof Uint8Array) return uriOrBuffer;
  if (typeof uriOrBuffer !== 'string') throw new OrtArgumentError(`a model must be a Uint8Array, an ArrayBuffer, a path or a URL, got ${Object.prototype.toString.call(uriOrBuffer)}`);
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const isUrl = /^(https?|blob|data):/i.test(uriOrBuffer);
  if (isNode && !isUrl) {
    const { readFile } = await import('node:fs/promises');
    const path = uriOrBuffer.startsWith('file:') ? new URL(uriOrBuffer) : uriOrBuffer;
    try {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      throw new OrtArgumentError(`cannot read model '${uriOrBuffer}': ${(e as Error).message}`);
    }
  }
  const res = await fetch(uriOrBuffer);
  if (!res.ok) throw new OrtArgumentError(`cannot fetch model '${uriOrBuffer}': HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The folder of a model given by path in Node (where its external data files are), else undefined. */
async function modelDirOf(uriOrBuffer: string | Uint8Array): Promise<string | undefined> {
  if (typeof uriOrBuffer !== 'string' || /^(https?|blob|data):/i.test(uriOrBuffer)) return undefined;
  if (typeof process === 'undefined' || !process.versions?.node) return undefined;
  const { dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  return dirname(uriOrBuffer.startsWith('file:') ? fileURLToPath(uriOrBuffer) : uriOrBuffer);
}

export class TwinopsOrtBackend implements Backend {
  constructor(
    private readonly ort: OrtModule,
    readonly device: Device,
    private readonly options: OrtBackendOptions = {},
  ) {}

  async init(_backendName: string): Promise<void> {
    // A WebGPU backend is only available where an adapter exists: probe once, so that onnxruntime can
    // fall back to the next execution provider the user listed.
    if (this.device === 'webgpu') {
      const rt = await createRuntime({ device: 'webgpu', threads: 1, gpuDevice: this.options.gpuDevice });
      rt.dispose();
    }
  }

  async createInferenceSessionHandler(uriOrBuffer: string | Uint8Array, options: InferenceSession.SessionOptions = {}): Promise<TwinopsSessionHandler> {
    const bytes = await loadBytes(uriOrBuffer);
    return TwinopsSessionHandler.create(this.ort, bytes, options, {
      device: this.device,
      registry: this.options.registry ?? defaultRegistry,
      warn: this.options.warn,
      modelDir: await modelDirOf(uriOrBuffer),
      gpuDevice: this.device === 'webgpu' ? this.options.gpuDevice : undefined,
    });
  }
}

/**
 * Keyed by the module's registerBackend function: onnxruntime-node re-exports onnxruntime-common's,
 * so both modules share one backend table (and one Tensor class) and must get the same backends.
 */
const registered = new WeakMap<object, { wasm: TwinopsOrtBackend; webgpu: TwinopsOrtBackend }>();

/**
 * Register 'twinops' (wasm) and 'twinops-webgpu' with an onnxruntime module (onnxruntime-web,
 * onnxruntime-node or onnxruntime-common). Calling it again for the same backend table is a no-op.
 */
export function registerOrtBackend(ort: OrtModule, options: OrtBackendOptions = {}): { wasm: TwinopsOrtBackend; webgpu: TwinopsOrtBackend } {
  if (!ort || typeof ort.registerBackend !== 'function' || typeof ort.Tensor !== 'function') {
    throw new OrtArgumentError('registerOrtBackend(ort) needs the onnxruntime module itself (import * as ort from "onnxruntime-web"), with registerBackend and Tensor');
  }
  const have = registered.get(ort.registerBackend);
  if (have) return have;
  const priority = options.priority ?? -1;
  if (!Number.isInteger(priority)) throw new DeviceError('registerOrtBackend', `priority must be an integer, got ${String(priority)}`);
  const pair = { wasm: new TwinopsOrtBackend(ort, 'wasm', options), webgpu: new TwinopsOrtBackend(ort, 'webgpu', options) };
  ort.registerBackend('twinops', pair.wasm, priority);
  ort.registerBackend('twinops-webgpu', pair.webgpu, priority);
  registered.set(ort.registerBackend, pair);
  return pair;
}
