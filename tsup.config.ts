import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The kernels are embedded (base64) in the bundle; the same .wasm files are copied to dist/wasm for
// other engines. Run `npm run build` (it assembles the kernels first).
export default defineConfig({
  entry: { index: 'index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['webgpu', 'node:worker_threads', 'node:os'],
  onSuccess: async () => {
    cpSync('wasm-kernels/generated/wasm', 'dist/wasm', { recursive: true });
  },
});
