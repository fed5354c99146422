/**
 * What the convolution tests share: the per-element tolerance of a float32 dot product against the
 * float64 reference, and a spy on which kernels a call launched.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { createRuntime, type Runtime } from '../../core/runtime.js';
import { WasmBackend } from '../../wasm-kernels/runtime/backend.js';

/**
 * Tolerance per element: a float32 sum of K products plus the bias, in any order, is within
 * (K + 2)·2^-23·Σ|terms| of the exact sum (relaxed FMA only rounds less); the activation scales that
 * by its slope (`slope`: the largest slope among the activations a test uses, e.g. gelu ≤ 1.13, elu
 * with alpha ≤ 1.5) and the exp-based ones add a few ulp (2e-6 relative). Non-finite references must
 * match exactly (NaN for NaN).
 */
export function checkConv(got: ArrayLike<number>, ref: { out: Float64Array; mag: Float64Array }, K: number, what: string, slope: number): void {
  expect(got.length, what).toBe(ref.out.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const r = ref.out[i]!;
    if (!Number.isFinite(r)) {
      if (!(Object.is(g, r) || (Number.isNaN(g) && Number.isNaN(r)))) throw new Error(`${what}: [${i}] got ${g}, want ${r}`);
      continue;
    }
    const tol = slope * (K + 2) * 1.2e-7 * ref.mag[i]! + 2e-6 * Math.abs(r) + 1e-30;
    if (!(Math.abs(g - r) <= tol)) throw new Error(`${what}: [${i}] got ${g}, want ${r} (tol ${tol})`);
  }
}

/** The `family:export` of every kernel range launched (parallelFor) while `fn` runs. */
export function launchesDuring(fn: () => void): Set<string> {
  const seen = new Set<string>();
  const orig = WasmBackend.prototype.parallelFor;
  WasmBackend.prototype.parallelFor = function (this: WasmBackend, family, name, ...rest) {
    seen.add(`${family}:${name}`);
    return orig.call(this, family, name, ...rest);
  };
  try {
    fn();
  } finally {
    WasmBackend.prototype.parallelFor = orig;
  }
  return seen;
}

/** The families launched while `fn` runs. */
export function familiesDuring(fn: () => void): Set<string> {
  return new Set([...launchesDuring(fn)].map((k) => k.slice(0, k.indexOf(':'))));
}

/** A 1-thread and a 2-thread wasm runtime with relaxed SIMD and without, made before the file's tests and disposed after. */
export function runtimePairs(): { name: string; rt1: Runtime; rt2: Runtime }[] {
  const runtimes: { name: string; rt1: Runtime; rt2: Runtime }[] = [];
  beforeAll(async () => {
    for (const relaxedSimd of [true, false]) {
      runtimes.push({
        name: relaxedSimd ? 'relaxed' : 'plain',
        rt1: await createRuntime({ device: 'wasm', threads: 1, relaxedSimd }),
        rt2: await createRuntime({ device: 'wasm', threads: 2, relaxedSimd }),
      });
    }
  });
  afterAll(() => {
    for (const r of runtimes) {
      r.rt1.dispose();
      r.rt2.dispose();
    }
  });
  return runtimes;
}
