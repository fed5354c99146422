import { DeviceError } from '../../core/errors.js';
import type { KernelContext } from '../../registry/registry.js';
import type { GpuBackend } from './backend.js';

/** The runtime's GpuBackend, or a DeviceError naming `op` when the runtime has none. */
export function gpuOf(ctx: KernelContext, op: string): GpuBackend {
  if (!ctx.gpu) throw new DeviceError(op, 'a WebGPU kernel was called, but this runtime has no WebGPU backend');
  return ctx.gpu;
}

/** Memoise a per-key value (shader layouts, sources) for the life of the process. */
export function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = make(key)));
    return v;
  };
}
