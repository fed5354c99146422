/**
 * Multinomial (ops/multinomial.ts, wasm family `multinomial`): seeded sampling checked
 * statistically — with 200k draws a frequency's standard deviation is ≤ sqrt(0.25/200k) ≈ 1.1e-3,
 * so 6e-3 (> 5σ) bounds the deviation from each outcome's probability — plus exact properties:
 * zero-weight outcomes never drawn, the same seed giving the same samples at 1 and 2 threads,
 * different seeds giving different samples.
 */
import { describe, expect, it } from 'vitest';
import { AttributeError, ShapeError } from '../core/errors.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function draw(rt: Rt, probs: number[][], numSamples: number, seed: number): Int32Array {
  const p = rt.tensor(Float32Array.from(probs.flat()), [probs.length, probs[0]?.length ?? 0], 'float32');
  const [y] = rt.run('Multinomial', [p], { numSamples, seed });
  const out = (y!.dataSync() as Int32Array).slice();
  p.dispose();
  y!.dispose();
  return out;
}

describe('Multinomial', () => {
  it('frequencies match the (unnormalised) weights', () => {
    const w = [1, 0, 3, 6, 0.5];
    const total = w.reduce((a, b) => a + b, 0);
    const n = 200_000;
    const s = draw(rt1, [w], n, 42);
    const freq = w.map((_, i) => s.filter((v) => v === i).length / n);
    w.forEach((x, i) => expect(Math.abs(freq[i]! - x / total), `outcome ${i}`).toBeLessThan(6e-3));
    expect(freq[1]).toBe(0);
  });

  it('same seed: same samples on any thread count; rows independent; other seeds differ', () => {
    const probs = Array.from({ length: 64 }, (_, r) => [r % 3, 1, 2, (r * 7) % 5]);
    const a = draw(rt1, probs, 3000, 7);
    const b = draw(rt2, probs, 3000, 7);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(draw(rt1, probs, 3000, 8))).not.toEqual(Array.from(a));
    for (let r = 0; r < 64; r++) if (probs[r]![0] === 0) expect(a.subarray(r * 3000, (r + 1) * 3000).includes(0)).toBe(false);
  });

  it('edge cases: one outcome, no positive weight, zero samples', () => {
    expect(Array.from(draw(rt1, [[0, 0, 5]], 5, 1))).toEqual([2, 2, 2, 2, 2]);
    expect(Array.from(draw(rt1, [[0, 0]], 3, 1))).toEqual([0, 0, 0]);
    expect(draw(rt1, [[1, 1]], 0, 1).length).toBe(0);
  });

  it('typed errors', () => {
    const p = rt1.tensor(new Float32Array(4), [4], 'float32');
    const q = rt1.tensor(new Float32Array(4), [2, 2], 'float32');
    expect(() => rt1.run('Multinomial', [p], { numSamples: 2, seed: 1 })).toThrow(ShapeError);
    expect(() => rt1.run('Multinomial', [q], { numSamples: -1, seed: 1 })).toThrow(AttributeError);
    expect(() => rt1.run('Multinomial', [q], { numSamples: 2, seed: 0.5 })).toThrow(/Multinomial: seed must be an integer/);
    p.dispose();
    q.dispose();
  });
});

describe('Multinomial on WebGPU', () => {
  it.skipIf(!hasGpu)('same hash stream: nearly every sample equals the wasm one; frequencies match; zero weights never drawn', async () => {
    const probs = Array.from({ length: 16 }, (_, r) => [r % 3, 1.5, 2, 0, (r * 7) % 5]);
    const want = draw(rt1, probs, 4000, 99);
    const p = gpu!.tensor(Float32Array.from(probs.flat()), [16, 5], 'float32');
    const [y] = gpu!.run('Multinomial', [p], { numSamples: 4000, seed: 99 });
    const got = (await y!.data()) as Int32Array;
    let differ = 0;
    got.forEach((v, i) => (differ += v === want[i] ? 0 : 1));
    // only draws within float32 rounding of a cumulative boundary may differ
    expect(differ).toBeLessThan(got.length * 1e-3);
    expect(got.includes(3)).toBe(false);
    for (let r = 0; r < 16; r++) if (probs[r]![0] === 0) expect(got.subarray(r * 4000, (r + 1) * 4000).includes(0)).toBe(false);
    p.dispose();
    y!.dispose();
  });
});
