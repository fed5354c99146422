/**
 * Property tests of every op × dtype on the wasm device, at threads 1 and 2, against the float64
 * references (tolerances and their reasons: tests/op-properties.ts). Plus: threads=2 must give
 * bit-identical results to threads=1 on inputs large enough that the work really is split.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { defineOpProperties, determinismCases, runRaw } from './op-properties.js';
import { expectBitIdentical } from './reference/compare.js';

describe('wasm: threads=2 is bit-identical to threads=1', () => {
  let rt1: Runtime;
  let rt2: Runtime;
  let splits = 0;
  let calls = 0;
  beforeAll(async () => {
    rt1 = await createRuntime({ device: 'wasm', threads: 1 });
    rt2 = await createRuntime({ device: 'wasm', threads: 2 });
    // Count the parallelFor calls that the backend really splits across threads (same rule as backend.ts:
    // a pool exists and the range is at least 2 × max(grain, minPerThread)).
    const w = rt2.wasm as unknown as { parallelFor: (family: string, fn: string, args: readonly number[], total: number, opts?: { grain?: number; minPerThread?: number }) => void };
    const orig = w.parallelFor.bind(w);
    w.parallelFor = (family, fn, args, total, opts = {}) => {
      calls++;
      const grain = Math.max(1, opts.grain ?? 1);
      const minPer = Math.max(grain, opts.minPerThread ?? grain);
      if (rt2.info().threads > 1 && total >= 2 * minPer) splits++;
      return orig(family, fn, args, total, opts);
    };
  });
  afterAll(() => {
    rt1?.dispose();
    rt2?.dispose();
  });

  it('the threads=2 runtime really has 2 threads on shared memory', () => {
    expect(rt2.info().threads, 'createRuntime({threads: 2}) did not get 2 threads (no SharedArrayBuffer/Atomics?)').toBe(2);
    expect(rt2.info().sharedMemory).toBe(true);
  });

  for (const c of determinismCases()) {
    it(c.name, async () => {
      splits = 0;
      calls = 0;
      const r1 = await runRaw(rt1, c);
      const r2 = await runRaw(rt2, c);
      expectBitIdentical(r1, r2, `${c.name}: threads=2 vs threads=1 (shapes ${c.inputs.map((t) => `[${t.shape.join(',')}]`).join(', ')})`);
      expect(splits, `${c.name}: the threads=2 runtime never split the work (${calls} parallelFor calls) — the inputs are too small to test thread determinism`).toBeGreaterThan(0);
    });
  }
});

// After the determinism suite, so that it meets the kernels cold (engine tiers differ in NaN bits).
defineOpProperties('wasm', 1);
defineOpProperties('wasm', 2);
