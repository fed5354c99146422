import { defineConfig } from 'vitest/config';

// TWINOPS_RELAXED=0 runs the suite without --experimental-wasm-relaxed-simd (plain SIMD128 kernels);
// scripts/test.mjs runs both ways.
const relaxed = process.env.TWINOPS_RELAXED !== '0';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    exclude: ['tests/browser/**', 'node_modules/**'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: relaxed ? ['--experimental-wasm-relaxed-simd'] : [] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
    env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json' },
  },
});
