import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The kernels are embedded (base64) in the bundle; the same .wasm files are copied to dist/wasm for
// other engines. Run `npm run build` (it assembles the kernels first). The frameworks are peers:
// the adapters register into the user's own copy of tfjs-core / onnxruntime, never a bundled one.
export default defineConfig({
  entry: { index: 'index.ts', tfjs: 'adapters/tfjs/index.ts', ort: 'adapters/ort/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['webgpu', 'node:worker_threads', 'node:os', 'node:fs/promises', '@tensorflow/tfjs-core', 'onnxruntime-common'],
  onSuccess: async () => {
    cpSync('wasm-kernels/generated/wasm', 'dist/wasm', { recursive: true });
  },
});
