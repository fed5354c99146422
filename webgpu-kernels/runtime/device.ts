/// <reference types="@webgpu/types" />
/**
 * Acquiring a GPUDevice: `navigator.gpu` in browsers (and Deno), the `webgpu` package (Dawn) in Node.
 *
 * The GPU object (in Dawn, the native instance) must stay reachable for as long as the device is used:
 * Dawn's Node binding polls the instance for events while a map or a work-done promise is pending, and
 * a collected instance crashes the process there (seen as futex/mutex aborts or segfaults).
 */

/** GPUBufferUsage / GPUMapMode flags, spelled out so no WebGPU globals have to be installed in Node. */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_READ = 0x1;

export interface AcquiredDevice {
  device: GPUDevice;
  /** What must outlive the device (GPU instance, adapter). */
  keepAlive: unknown[];
  /** Human-readable adapter description, for stats and error messages. */
  adapterName: string;
}

/**
 * Node: one Dawn instance for the whole process, never released. A collected instance crashes the
 * process if any promise of one of its devices (device.lost, a map) is still being polled, and
 * devices outlive their backends in ways a library cannot track (a caller's `device.lost` handler).
 */
let nodeGpu: Promise<GPU | undefined> | undefined;

function nodeEntryPoint(): Promise<GPU | undefined> {
  nodeGpu ??= (async () => {
    try {
      // A computed specifier keeps browser bundlers from trying to resolve the native package.
      const name = 'webgpu';
      const mod = (await import(/* @vite-ignore */ name)) as { create(flags: string[]): GPU };
      return mod.create([]);
    } catch {
      return undefined;
    }
  })();
  return nodeGpu;
}

async function gpuEntryPoint(): Promise<GPU | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node;
  return isNode ? nodeEntryPoint() : undefined;
}

/** A device on the best adapter available, or undefined when there is no adapter (no WebGPU here). */
export async function acquireDevice(): Promise<AcquiredDevice | undefined> {
  const gpu = await gpuEntryPoint();
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return undefined;
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    },
  });
  // GPUAdapter.info is newer than some type packages; read it defensively.
  const info = (adapter as { info?: { vendor?: string; architecture?: string; description?: string } }).info;
  const adapterName = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ') || 'unknown adapter';
  return { device, keepAlive: [gpu, adapter], adapterName };
}
