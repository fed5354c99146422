/**
 * WebGPU in Node goes through the `webgpu` package (Dawn). Without a GPU, Vulkan can be pointed at
 * SwiftShader, a CPU emulator: the twinops webgpu row then runs, but its numbers say nothing about
 * GPUs, and the label says so.
 */
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Point Vulkan at SwiftShader when no ICD is configured and it is installed. Call before Dawn loads. */
export function defaultVulkanIcd(): void {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|warp|software/i;

/** Whether an adapter description names a software rasterizer. */
export function isEmulated(adapterName: string): boolean {
  return SOFTWARE.test(adapterName);
}

/** A short label for the table (the full adapter name goes to the JSON). */
export function adapterLabel(adapterName: string): string {
  const m = SOFTWARE.exec(adapterName);
  if (!m) return adapterName.length > 32 ? `${adapterName.slice(0, 31)}…` : adapterName;
  const name = m[0].toLowerCase() === 'swiftshader' ? 'SwiftShader' : m[0];
  return `${name}, CPU-emulated`;
}
