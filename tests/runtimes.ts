/**
 * The runtimes most kernel test files compare: wasm at 1 and 2 threads, and WebGPU where an adapter
 * exists. Call useRuntimes() once at a file's top level; rt1, rt2 and gpu are live bindings filled in
 * by its beforeAll (vitest isolates each test file, so every file gets its own).
 */
import { afterAll, beforeAll } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { GpuBackend } from '../webgpu-kernels/runtime/backend.js';

export type Rt = Runtime;

const probe = await GpuBackend.create();
/** A WebGPU adapter exists (in Node: Dawn on SwiftShader or a real GPU). */
export const hasGpu = probe !== undefined;
probe?.dispose();

export let rt1: Rt;
export let rt2: Rt;
export let gpu: Rt | undefined;

export function useRuntimes(): void {
  beforeAll(async () => {
    rt1 = await createRuntime({ device: 'wasm', threads: 1 });
    rt2 = await createRuntime({ device: 'wasm', threads: 2 });
    if (hasGpu) gpu = await createRuntime({ device: 'webgpu', threads: 1 });
  });
  afterAll(() => {
    rt1?.dispose();
    rt2?.dispose();
    gpu?.dispose();
  });
}
