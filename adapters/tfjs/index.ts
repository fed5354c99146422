/**
 * twinops as a TensorFlow.js backend.
 *
 *   import * as tf from '@tensorflow/tfjs-core';
 *   import 'twinops/tfjs';            // registers the backends 'twinops' (wasm) and 'twinops-webgpu'
 *   await tf.setBackend('twinops');   // or 'twinops-webgpu' where WebGPU exists
 *
 * `@tensorflow/tfjs-core` is a peer dependency: the backend and its kernels are registered into the
 * application's own copy. For other options (threads, relaxed SIMD, a runtime shared with other
 * twinops users), call `registerTwinopsBackend({...})` under another name, or with `name: 'twinops'`
 * after `tf.removeBackend('twinops')`.
 */
import { registerBackend } from '@tensorflow/tfjs-core';
import { createRuntime, type Runtime } from '../../core/runtime.js';
import type { ThreadPool } from '../../wasm-kernels/runtime/backend.js';
import { TwinopsBackend } from './backend.js';
import { BACKEND_NAME, registerKernels } from './kernels/index.js';

export { TwinopsBackend, TfjsKernelError } from './backend.js';
export { KERNELS } from './kernels/index.js';
export { fileModel, ModelFileError } from './io.js';

export interface TwinopsBackendOptions {
  /** The backend's name in tfjs (default 'twinops', or 'twinops-webgpu' for device 'webgpu'). */
  name?: string;
  /**
   * Where tensors live and kernels run (default 'wasm'). 'webgpu' keeps tensors in GPU buffers:
   * read them with `await tensor.data()` (dataSync cannot wait for the GPU), and only tfjs kernels
   * whose twinops ops all have WebGPU kernels are registered.
   */
  device?: 'wasm' | 'webgpu';
  /** A GPUDevice to use for 'webgpu' (default: one acquired from the platform). */
  gpuDevice?: GPUDevice;
  /** tfjs backend priority, used when no backend is set explicitly (default 3 for wasm: above cpu (1) and wasm (2); 1 for webgpu). */
  priority?: number;
  /** wasm threads, the calling thread included (default: the machine's cores). */
  threads?: number;
  /** Use relaxed-SIMD (FMA) kernels where the engine has them (default true). */
  relaxedSimd?: boolean;
  /** A thread pool shared with other runtimes (see createThreadPool). */
  pool?: ThreadPool;
  /** Use this runtime instead of creating one; the backend then never disposes it. */
  runtime?: Runtime;
}

const registeredKernels = new Set<string>();

/**
 * Register a twinops backend into tfjs-core. The runtime is created when tfjs first initialises the
 * backend (`tf.setBackend(name)` or `tf.ready()`). Returns whether tfjs accepted the registration
 * (false when a backend of that name already exists).
 */
export function registerTwinopsBackend(opts: TwinopsBackendOptions = {}): boolean {
  const device = opts.runtime?.device ?? opts.device ?? 'wasm';
  const name = opts.name ?? (device === 'webgpu' ? `${BACKEND_NAME}-webgpu` : BACKEND_NAME);
  const ok = registerBackend(
    name,
    async () => {
      if (opts.runtime) return new TwinopsBackend(opts.runtime, false);
      // without a WebGPU adapter this throws, and tfjs reports the backend as failed to initialise
      const rt = await createRuntime({ device, threads: opts.threads, relaxedSimd: opts.relaxedSimd, pool: opts.pool, gpuDevice: opts.gpuDevice });
      return new TwinopsBackend(rt, true);
    },
    opts.priority ?? (device === 'webgpu' ? 1 : 3),
  );
  if (ok && !registeredKernels.has(name)) {
    registeredKernels.add(name);
    registerKernels(name, device);
  }
  return ok;
}

registerTwinopsBackend();
registerTwinopsBackend({ device: 'webgpu' });
