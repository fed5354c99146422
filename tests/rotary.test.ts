/**
 * RotaryEmbedding (family `rotary`) against the float64 reference: 4-D and 3-D inputs, halves and
 * interleaved pairs, partial rotary dims, with and without position ids (out-of-range positions give
 * NaN rows), head sizes across the SIMD tails, size-0/size-1 dims, 1 vs 2 threads bit-identical,
 * typed errors; the WebGPU twin (without position ids: int64 has no WebGPU form) on random cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { halfToNumber, numberToHalf } from './reference/copy.js';
import { refRotary, type RopeInput } from './reference/rotary.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const rand = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

function build(o: { B: number; H: number; S: number; D: number; rd: number; three: boolean; pid: boolean; interleaved: boolean; maxPos: number }, seed: number, badPos = false): RopeInput {
  const half = (o.rd || o.D) / 2;
  const r = prng(seed + 9);
  return {
    x: rand(o.B * o.H * o.S * o.D, seed),
    shape: o.three ? [o.B, o.S, o.H * o.D] : [o.B, o.H, o.S, o.D],
    numHeads: o.H,
    rd: o.rd,
    interleaved: o.interleaved,
    cos: rand((o.pid ? o.maxPos : o.B * o.S) * half, seed + 1),
    sin: rand((o.pid ? o.maxPos : o.B * o.S) * half, seed + 2),
    pid: o.pid ? BigInt64Array.from({ length: o.B * o.S }, () => BigInt(badPos && r() < 0.2 ? (r() < 0.5 ? -1 : o.maxPos) : Math.floor(r() * o.maxPos))) : undefined,
  };
}

async function check(rt: Rt, a: RopeInput, what: string): Promise<Float32Array> {
  const half = (a.rd || (a.shape.length === 3 ? a.shape[2]! / a.numHeads! : a.shape[3]!)) / 2;
  const B = a.shape[0]!;
  const S = a.shape.length === 3 ? a.shape[1]! : a.shape[2]!;
  const cacheShape = a.pid ? [a.cos.length / half, half] : [B, S, half];
  const ts: Tensor[] = [rt.tensor(a.x, a.shape), rt.tensor(a.cos, cacheShape), rt.tensor(a.sin, cacheShape)];
  if (a.pid) ts.push(rt.tensor(a.pid, [B, S], 'int64'));
  const [y] = rt.run('RotaryEmbedding', ts, { interleaved: a.interleaved, rotaryEmbeddingDim: a.rd, numHeads: a.shape.length === 3 ? a.numHeads : undefined });
  expect(y!.shape).toEqual(a.shape);
  const got = (await y!.data()) as Float32Array;
  for (const t of [...ts, y!]) t.dispose();
  const ref = refRotary(a);
  expectClose(got, ref.y, { op: `RotaryEmbedding threads=${rt.info().threads} (${what})`, shapes: [a.shape], outShape: a.shape, dtype: 'float32', atolPer: ref.tol });
  return got;
}

const optsArb = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 4 }),
    S: fc.integer({ min: 1, max: 6 }),
    D: fc.constantFrom(2, 4, 6, 8, 10, 16, 18, 34),
    rdFrac: fc.constantFrom(0, 0.5, 1),
    three: fc.boolean(),
    pid: fc.boolean(),
    interleaved: fc.boolean(),
    maxPos: fc.integer({ min: 1, max: 20 }),
  })
  .map((o) => ({ ...o, rd: o.rdFrac === 0 ? 0 : Math.max(2, 2 * Math.floor((o.D * o.rdFrac) / 2)) }));

async function randomCases(rt: Rt, numRuns: number): Promise<void> {
  const pidOk = rt.device === 'wasm';
  await fc.assert(
    fc.asyncProperty(optsArb, fc.integer({ min: 1, max: 1e6 }), async (o, seed) => {
      await check(rt, build({ ...o, pid: o.pid && pidOk }, seed), JSON.stringify(o));
    }),
    { numRuns, seed: 2323 },
  );
}

describe('RotaryEmbedding wasm', () => {
  it('matches the float64 reference (fast-check)', async () => {
    await randomCases(rt1, 80);
  });

  it('gives NaN rows for out-of-range positions, propagates NaN, handles size-0/size-1 dims', async () => {
    const o = { B: 2, H: 2, S: 5, D: 8, rd: 0, three: false, pid: true, interleaved: false, maxPos: 7 };
    await check(rt1, build(o, 1, true), 'bad positions');
    const a = build({ ...o, interleaved: true }, 2);
    a.x[3] = NaN;
    await check(rt1, a, 'NaN');
    await check(rt1, build({ ...o, B: 1, H: 1, S: 1, D: 2 }, 3), 'all 1');
    await check(rt1, build({ ...o, S: 0 }, 4), 'S = 0');
    await check(rt1, build({ ...o, pid: false, B: 0 }, 5), 'B = 0');
  });

  it('takes float16 (computed in float32, Y rounded to float16)', async () => {
    const a = build({ B: 2, H: 3, S: 4, D: 10, rd: 8, three: false, pid: true, interleaved: true, maxPos: 9 }, 31);
    const bits = (x: Float32Array) => Uint16Array.from(x, (v) => numberToHalf(v));
    const [xb, cb, sb] = [bits(a.x), bits(a.cos), bits(a.sin)];
    const h: RopeInput = { ...a, x: Float32Array.from(xb, halfToNumber), cos: Float32Array.from(cb, halfToNumber), sin: Float32Array.from(sb, halfToNumber) };
    const ts = [rt1.tensor(xb, a.shape, 'float16'), rt1.tensor(cb, [9, 4], 'float16'), rt1.tensor(sb, [9, 4], 'float16'), rt1.tensor(a.pid!, [2, 4], 'int64')];
    const [y] = rt1.run('RotaryEmbedding', ts, { interleaved: true, rotaryEmbeddingDim: 8 });
    expect(y!.dtype).toBe('float16');
    const got = Float64Array.from((await y!.data()) as Uint16Array, halfToNumber);
    for (const t of [...ts, y!]) t.dispose();
    const ref = refRotary(h);
    // rounding to float16: half an ulp, 2^-11 relative (2^-25 absolute below the normal range)
    expectClose(got, ref.y, { op: 'RotaryEmbedding float16', dtype: 'float32', atolPer: ref.tol.map((t, i) => t + Math.abs(ref.y[i]!) * 2 ** -11 + 2 ** -25) });
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    for (const interleaved of [false, true]) {
      const a = build({ B: 2, H: 8, S: 64, D: 66, rd: 48, three: true, pid: true, interleaved, maxPos: 100 }, 7);
      const x = await check(rt1, a, 'split');
      const y = await check(rt2, a, 'split');
      expect(new Uint32Array(y.buffer)).toEqual(new Uint32Array(x.buffer));
    }
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const t = (s: number[]) => rt1.tensor(new Float32Array(s.reduce((a, b) => a * b, 1)), s);
    const x = t([1, 2, 3, 8]);
    const bad = (ins: Tensor[], attrs: object, re: RegExp) => {
      expect(() => rt1.run('RotaryEmbedding', ins, attrs)).toThrow(TwinopsError);
      expect(() => rt1.run('RotaryEmbedding', ins, attrs)).toThrow(re);
    };
    bad([x, t([1, 3, 3]), t([1, 3, 3])], {}, /RotaryEmbedding.*cos_cache\[1,3,3\] must be \[1, 3, 4\]/);
    bad([x, t([9, 4]), t([9, 4]), rt1.tensor(new BigInt64Array(4), [1, 4], 'int64')], {}, /RotaryEmbedding.*position_ids\[1,4\] must be \[1, 3\]/);
    bad([x, t([1, 3, 4]), t([1, 3, 4])], { rotaryEmbeddingDim: 5 }, /RotaryEmbedding.*rotaryEmbeddingDim/);
    bad([t([1, 3, 16]), t([1, 3, 4]), t([1, 3, 4])], {}, /RotaryEmbedding.*numHeads/);
    bad([t([3, 16]), t([1, 3, 4]), t([1, 3, 4])], {}, /RotaryEmbedding.*X\[3,16\] must be 4-D/);
  });
});

describe.skipIf(!hasGpu)('RotaryEmbedding webgpu twin', () => {
  it('matches the float64 reference (no position ids)', async () => {
    if (!gpu) return;
    await randomCases(gpu, 40);
  });
});
