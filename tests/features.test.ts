import { describe, expect, it } from 'vitest';
import { createRuntime } from '../index.js';
import { detectFeatures } from '../wasm-kernels/runtime/features.js';

// scripts/test.mjs runs this file with and without --experimental-wasm-relaxed-simd (TWINOPS_RELAXED).
const flag = process.execArgv.includes('--experimental-wasm-relaxed-simd');

describe('feature detection', () => {
  it('finds SIMD128 and threads, and relaxed SIMD exactly when Node has the flag', () => {
    const f = detectFeatures();
    expect(f.simd).toBe(true);
    expect(f.threads).toBe(true);
    expect(f.relaxedSimd).toBe(flag);
  });

  it('a runtime uses relaxed kernels only when detected and wanted', async () => {
    const on = await createRuntime({ threads: 1 });
    const off = await createRuntime({ threads: 1, relaxedSimd: false });
    expect(on.info().relaxedSimd).toBe(flag);
    expect(off.info().relaxedSimd).toBe(false);
    on.dispose();
    off.dispose();
  });
});
