/**
 * Hardmax (family `softmax`, export `hardmax`, and the WebGPU twin) against the float64 reference:
 * contiguous and strided axes, ties (the first maximum wins), NaN (the first NaN wins), ±Inf,
 * size-0/size-1 dims, 1 vs 2 threads bit-identical, typed errors. Outputs are exactly 0 or 1.
 */
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { execOp } from './op-properties.js';
import { refHardmax } from './reference/hardmax.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Small integers, so ties are common. */
function data(n: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => Math.floor(r() * 7) - 3);
}

async function check(rt: Rt, x: Float32Array, shape: number[], axis: number): Promise<Float32Array> {
  const out = await execOp(rt, [{ data: x, shape, dtype: 'float32' }], (t) => rt.run('Hardmax', t, { axis })[0]!);
  expect(out.shape).toEqual(shape);
  // exact: the output is a 0/1 indicator
  expect(Array.from(out.data as Float32Array), `Hardmax ${shape.join('x')} axis ${axis} ${rt.device}`).toEqual(Array.from(refHardmax(x, shape, axis)));
  return out.data as Float32Array;
}

async function suite(rt: Rt): Promise<void> {
  for (const shape of [[3, 1], [3, 5], [4, 17], [2, 5, 3], [3, 7, 4], [1, 9, 9], [4, 3, 17], [2, 3, 4, 5]]) {
    for (let axis = -shape.length; axis < shape.length; axis++) await check(rt, data(size(shape), shape.length + axis + 3), shape, axis);
  }
  const N = NaN;
  const I = Infinity;
  const rows = [[1, N, 2, N], [N, 1, 2, 3], [-I, -I, -I, -I], [1, I, I, 0], [2, 2, 2, 2], [-I, -5, N, 9]];
  const x = new Float32Array(rows.flat());
  await check(rt, x, [6, 4], 1);
  await check(rt, x, [4, 6], 0);
  await check(rt, new Float32Array([5]), [], 0);
  await check(rt, new Float32Array(0), [3, 0], 1);
  await check(rt, new Float32Array(0), [0, 4], 1);
}

describe('Hardmax wasm', () => {
  it('matches the reference (threads=1)', async () => {
    await suite(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    for (const [shape, axis] of [[[500, 301], -1], [[40, 50, 60], 1]] as const) {
      const x = data(size(shape), 11);
      const a = await check(rt1, x, [...shape], axis);
      const b = await check(rt2, x, [...shape], axis);
      expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
    }
  });

  it('bad input throws typed errors naming the op', () => {
    const f = rt1.tensor(new Float32Array(6), [2, 3]);
    expect(() => rt1.run('Hardmax', [f], { axis: -3 })).toThrow(TwinopsError);
    expect(() => rt1.run('Hardmax', [f], { axis: -3 })).toThrow(/Hardmax/);
    expect(() => rt1.run('Hardmax', [rt1.tensor(new Int32Array(6), [2, 3], 'int32')])).toThrow(/Hardmax.*int32/);
  });
});

describe.skipIf(!hasGpu)('Hardmax webgpu twin', () => {
  it('matches the reference', async () => {
    if (!gpu) return;
    await suite(gpu);
  });
});
