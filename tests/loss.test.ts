/**
 * NegativeLogLikelihoodLoss (family `loss`: nll_i32 / nll_i64, sum_f32, mean_f32) and
 * SoftmaxCrossEntropyLoss (the softmax family's log pass, then the same NLL) against the float64
 * reference: [N, C] and [N, C, d1, …] inputs, int32 and int64 targets, with and without weights,
 * ignoreIndex (negative and in range), the three reductions, out-of-range targets (NaN), NaN/Inf
 * inputs, size-0/size-1 dims, 1 vs 2 threads bit-identical, typed errors; the WebGPU twin with int32
 * targets (int64 has no WebGPU form) on the same cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refNll, refSce } from './reference/loss.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

type Red = 'none' | 'sum' | 'mean';

interface Case {
  shape: number[];
  x: Float32Array;
  t: BigInt64Array | Int32Array;
  w?: Float32Array;
  reduction: Red;
  ignoreIndex?: number;
}

function make(shape: number[], seed: number, o: { weight?: boolean; i32?: boolean; reduction?: Red; ignoreIndex?: number; bad?: boolean } = {}): Case {
  const r = prng(seed);
  const [N, C] = shape as [number, number];
  const D = shape.slice(2).reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: N * C * D }, () => -r() * 8);
  const cls = () => {
    if (o.ignoreIndex !== undefined && r() < 0.2) return o.ignoreIndex;
    if (o.bad && r() < 0.1) return r() < 0.5 ? -7 : C + 2;
    return Math.floor(r() * C);
  };
  const tv = Array.from({ length: N * D }, cls);
  const t = o.i32 ? Int32Array.from(tv) : BigInt64Array.from(tv, BigInt);
  const w = o.weight ? Float32Array.from({ length: C }, () => r() * 2) : undefined;
  return { shape, x, t, w, reduction: o.reduction ?? 'mean', ignoreIndex: o.ignoreIndex };
}

async function check(rt: Rt, c: Case, what: string): Promise<Float32Array> {
  const ts = [rt.tensor(c.x, c.shape), rt.tensor(c.t, [c.shape[0]!, ...c.shape.slice(2)], c.t instanceof Int32Array ? 'int32' : 'int64')];
  if (c.w) ts.push(rt.tensor(c.w, [c.w.length]));
  const [y] = rt.run('NegativeLogLikelihoodLoss', ts, { reduction: c.reduction, ignoreIndex: c.ignoreIndex });
  const got = (await y!.data()) as Float32Array;
  const shape = y!.shape.slice();
  for (const t of [...ts, y!]) t.dispose();
  const ref = refNll(c.x, c.shape, c.t, c.w, c.reduction, c.ignoreIndex);
  const op = `NegativeLogLikelihoodLoss ${c.reduction} threads=${rt.info().threads} (${what})`;
  expect(shape, op).toEqual(ref.shape);
  expectClose(got, ref.data, { op, shapes: [c.shape], outShape: ref.shape, dtype: 'float32', atolPer: ref.tol });
  return got;
}

async function randomCases(rt: Rt, numRuns: number): Promise<void> {
  const gpuOnly = rt.device === 'webgpu';
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 2, maxLength: 5 }),
      fc.record({ seed: fc.integer({ min: 1, max: 1e6 }), weight: fc.boolean(), i32: fc.boolean(), reduction: fc.constantFrom<Red>('none', 'sum', 'mean'), ii: fc.constantFrom(undefined, -1, 0, 2, -100) }),
      async (shape, o) => {
        await check(rt, make(shape, o.seed, { ...o, i32: o.i32 || gpuOnly, ignoreIndex: o.ii }), JSON.stringify({ shape, ...o }));
      },
    ),
    { numRuns, seed: 4242 },
  );
}

async function specials(rt: Rt): Promise<void> {
  const i32 = rt.device === 'webgpu';
  for (const reduction of ['none', 'sum', 'mean'] as const) await check(rt, make([5, 4, 3], 3, { bad: true, reduction, i32 }), 'bad targets');
  const c = make([3, 5], 4, { reduction: 'none', i32 });
  c.x[1] = NaN;
  c.x[7] = -Infinity;
  c.t = i32 ? Int32Array.from([1, 2, 3]) : BigInt64Array.from([1n, 2n, 3n]);
  await check(rt, c, 'NaN/Inf');
  const all = make([2, 3], 5, { reduction: 'mean', ignoreIndex: 1, i32 });
  all.t = i32 ? Int32Array.from([1, 1]) : BigInt64Array.from([1n, 1n]);
  expect(Number.isNaN((await check(rt, all, 'all ignored'))[0]!)).toBe(true);
  for (const reduction of ['none', 'sum', 'mean'] as const) {
    await check(rt, make([1, 1], 1, { reduction, i32 }), 'N=C=1');
    await check(rt, make([0, 3], 2, { reduction, i32 }), 'N=0');
    await check(rt, make([2, 3, 0], 2, { reduction, i32 }), 'd1=0');
  }
}

async function checkSce(rt: Rt, c: Case, logProb: boolean, what: string): Promise<Float32Array[]> {
  const ts = [rt.tensor(c.x, c.shape), rt.tensor(c.t, [c.shape[0]!, ...c.shape.slice(2)], c.t instanceof Int32Array ? 'int32' : 'int64')];
  if (c.w) ts.push(rt.tensor(c.w, [c.w.length]));
  const outs = rt.run('SoftmaxCrossEntropyLoss', ts, { reduction: c.reduction, ignoreIndex: c.ignoreIndex, logProb });
  expect(outs.length).toBe(logProb ? 2 : 1);
  const got = await Promise.all(outs.map(async (o) => (await o.data()) as Float32Array));
  const ref = refSce(c.x, c.shape, c.t, c.w, c.reduction, c.ignoreIndex);
  expect(outs[0]!.shape).toEqual(ref.lossShape);
  for (const t of [...ts, ...outs]) t.dispose();
  const op = `SoftmaxCrossEntropyLoss ${c.reduction} threads=${rt.info().threads} (${what})`;
  expectClose(got[0]!, ref.loss, { op, shapes: [c.shape], dtype: 'float32', atolPer: ref.lossTol });
  if (logProb) expectClose(got[1]!, ref.logp, { op: `${op} log_prob`, shapes: [c.shape], outShape: c.shape, dtype: 'float32', atolPer: ref.logpTol });
  return got;
}

describe('SoftmaxCrossEntropyLoss wasm (LogSoftmax over the class axis, then the NLL)', () => {
  it('matches the float64 reference (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }),
        fc.record({ seed: fc.integer({ min: 1, max: 1e6 }), weight: fc.boolean(), i32: fc.boolean(), reduction: fc.constantFrom<Red>('none', 'sum', 'mean'), ii: fc.constantFrom(undefined, -1, 0, 2), logProb: fc.boolean() }),
        async (shape, o) => {
          await checkSce(rt1, make(shape, o.seed, { ...o, ignoreIndex: o.ii }), o.logProb, JSON.stringify({ shape, ...o }));
        },
      ),
      { numRuns: 60, seed: 99 },
    );
  });

  it('handles NaN scores, size-0 dims, and 1 vs 2 threads bit-identically', async () => {
    const c = make([3, 5, 2], 4, { reduction: 'none' });
    c.x[3] = NaN;
    await checkSce(rt1, c, true, 'NaN');
    for (const reduction of ['none', 'sum', 'mean'] as const) await checkSce(rt1, make([0, 3, 2], 2, { reduction }), true, 'N=0');
    const big = make([8, 33, 20, 50], 5, { weight: true, reduction: 'mean', ignoreIndex: 1 });
    const a = await checkSce(rt1, big, true, 'split');
    const b = await checkSce(rt2, big, true, 'split');
    a.forEach((v, i) => expect(new Uint32Array(b[i]!.buffer)).toEqual(new Uint32Array(v.buffer)));
  });
});

describe('NegativeLogLikelihoodLoss wasm', () => {
  it('matches the float64 reference (fast-check)', async () => {
    await randomCases(rt1, 80);
  });

  it('out-of-range targets give NaN, NaN/Inf inputs propagate, every position ignored gives NaN mean; size-0/size-1 dims', async () => {
    await specials(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    for (const reduction of ['none', 'sum', 'mean'] as const) {
      const c = make([16, 7, 64, 70], 9, { weight: true, reduction, ignoreIndex: 3 });
      const a = await check(rt1, c, 'split');
      const b = await check(rt2, c, 'split');
      expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
    }
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const x = rt1.tensor(new Float32Array(12), [3, 4]);
    const t = rt1.tensor(new BigInt64Array(3), [3], 'int64');
    const bad = (ins: Parameters<typeof rt1.run>[1], attrs: object, re: RegExp) => {
      expect(() => rt1.run('NegativeLogLikelihoodLoss', ins, attrs)).toThrow(TwinopsError);
      expect(() => rt1.run('NegativeLogLikelihoodLoss', ins, attrs)).toThrow(re);
    };
    bad([x, rt1.tensor(new BigInt64Array(4), [4], 'int64')], {}, /NegativeLogLikelihoodLoss.*target\[4\] must be \[3\] for input\[3,4\]/);
    bad([x, t, rt1.tensor(new Float32Array(3), [3])], {}, /NegativeLogLikelihoodLoss.*weight\[3\] must be \[4\]/);
    bad([x, rt1.tensor(new Float32Array(3), [3])], {}, /NegativeLogLikelihoodLoss.*target has dtype float32/);
    bad([rt1.tensor(new Float32Array(3), [3]), t], {}, /NegativeLogLikelihoodLoss.*input\[3\] must have rank >= 2/);
    bad([x, t], { reduction: 'max' }, /NegativeLogLikelihoodLoss.*reduction/);
    bad([x, t], { ignoreIndex: 0.5 }, /NegativeLogLikelihoodLoss.*ignoreIndex/);
    bad([x], {}, /NegativeLogLikelihoodLoss/);
    expect(() => rt1.run('SoftmaxCrossEntropyLoss', [x, rt1.tensor(new BigInt64Array(4), [4], 'int64')], {})).toThrow(/SoftmaxCrossEntropyLoss.*target\[4\] must be \[3\]/);
  });
});

describe.skipIf(!hasGpu)('NegativeLogLikelihoodLoss webgpu twin', () => {
  it('matches the float64 reference (int32 targets)', async () => {
    if (!gpu) return;
    await randomCases(gpu, 40);
    await specials(gpu);
  });
});
