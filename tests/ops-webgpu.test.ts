/**
 * The same op properties as tests/ops-wasm.test.ts on the WebGPU device (in Node: the `webgpu` npm
 * package, Dawn; on CI it runs on SwiftShader with VK_ICD_FILENAMES set by vitest.config.ts). Fewer
 * runs and smaller sizes, since SwiftShader is slow. Skipped, with the reason, when no adapter exists.
 */
import { createRuntime } from '../core/runtime.js';
import { DeviceError } from '../core/errors.js';
import { WEBGPU_CONFIG, defineOpProperties } from './op-properties.js';

let skipReason: string | undefined;
try {
  const rt = await createRuntime({ device: 'webgpu', threads: 1 });
  rt.dispose();
} catch (e) {
  // Only "no adapter" skips; any other failure to start is a bug and fails the suite below.
  if (e instanceof DeviceError) {
    skipReason = `no WebGPU adapter (${e.message}); set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json to run on SwiftShader`;
    console.warn(`[ops-webgpu] skipping: ${skipReason}`);
  } else {
    throw e;
  }
}

defineOpProperties('webgpu', 1, WEBGPU_CONFIG, skipReason);
