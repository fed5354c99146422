/**
 * LinearAttention (family `linear-attention`) against the float64 step-by-step reference: the four
 * update rules, per-head and per-key-dim decay, per-head and shared beta, erase gates, past state,
 * grouped-query heads, head sizes across the SIMD tails, size-0/size-1 dims, NaN propagation,
 * 1 vs 2 threads bit-identical, typed errors; the WebGPU twin on the same cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { LinearAttentionRule } from '../ops/linear-attention.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { halfToNumber, numberToHalf } from './reference/copy.js';
import { refLinearAttention, type LaInput } from './reference/linear-attention.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const rand = (n: number, seed: number, lo = -1, hi = 1) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => lo + r() * (hi - lo));
};

interface Opts {
  B: number;
  T: number;
  Hkv: number;
  group: number;
  Dk: number;
  Dv: number;
  rule: LinearAttentionRule;
  perDim: boolean;
  betaShared: boolean;
  erase: boolean;
  past: boolean;
  scale?: number;
}

function build(o: Opts, seed: number): { a: LaInput; rule: LinearAttentionRule } {
  const { B, T, Hkv, Dk, Dv } = o;
  const Hq = Hkv * o.group;
  const gating = o.rule === 'gated' || o.rule === 'gated_delta';
  const delta = o.rule === 'delta' || o.rule === 'gated_delta';
  const a: LaInput = {
    B, T, Hq, Hkv, Dk, Dv, scale: o.scale,
    q: rand(B * T * Hq * Dk, seed), k: rand(B * T * Hkv * Dk, seed + 1, -0.5, 0.5), v: rand(B * T * Hkv * Dv, seed + 2),
    past: o.past ? rand(B * Hkv * Dk * Dv, seed + 3) : undefined,
    decay: gating ? { data: rand(B * T * Hkv * (o.perDim ? Dk : 1), seed + 4, -1, 0), perDim: o.perDim } : undefined,
    beta: delta ? { data: rand(B * T * (o.betaShared ? 1 : Hkv), seed + 5, 0, 1), w: o.betaShared ? 1 : Hkv } : undefined,
    erase: delta && o.erase ? rand(B * T * Hkv * Dk, seed + 6, 0, 1) : undefined,
  };
  return { a, rule: o.rule };
}

async function check(rt: Rt, a: LaInput, rule: LinearAttentionRule, what: string): Promise<Float32Array[]> {
  const { B, T, Hq, Hkv, Dk, Dv } = a;
  const ts: Tensor[] = [rt.tensor(a.q, [B, T, Hq * Dk]), rt.tensor(a.k, [B, T, Hkv * Dk]), rt.tensor(a.v, [B, T, Hkv * Dv])];
  if (a.past) ts.push(rt.tensor(a.past, [B, Hkv, Dk, Dv]));
  if (a.decay) ts.push(rt.tensor(a.decay.data, [B, T, a.decay.perDim ? Hkv * Dk : Hkv]));
  if (a.beta) ts.push(rt.tensor(a.beta.data, [B, T, a.beta.w]));
  if (a.erase) ts.push(rt.tensor(a.erase, [B, T, Hkv * Dk]));
  const outs = rt.run('LinearAttention', ts, { qNumHeads: Hq, kvNumHeads: Hkv, scale: a.scale, updateRule: rule, hasPast: !!a.past, hasErase: !!a.erase });
  expect(outs[0]!.shape).toEqual([B, T, Hq * Dv]);
  expect(outs[1]!.shape).toEqual([B, Hkv, Dk, Dv]);
  const got = [(await outs[0]!.data()) as Float32Array, (await outs[1]!.data()) as Float32Array];
  for (const t of [...ts, ...outs]) t.dispose();
  const ref = refLinearAttention(a);
  const op = `LinearAttention ${rule} threads=${rt.info().threads} (${what})`;
  expectClose(got[0]!, ref.y, { op: `${op} output`, dtype: 'float32', atolPer: ref.yTol });
  expectClose(got[1]!, ref.state, { op: `${op} present_state`, dtype: 'float32', atolPer: ref.stateTol });
  return got;
}

const optsArb: fc.Arbitrary<Opts> = fc.record({
  B: fc.integer({ min: 1, max: 2 }),
  T: fc.integer({ min: 1, max: 6 }),
  Hkv: fc.integer({ min: 1, max: 3 }),
  group: fc.constantFrom(1, 2, 4),
  Dk: fc.constantFrom(1, 3, 4, 5, 8),
  Dv: fc.constantFrom(1, 2, 4, 7, 8, 9),
  rule: fc.constantFrom<LinearAttentionRule>('linear', 'gated', 'delta', 'gated_delta'),
  perDim: fc.boolean(),
  betaShared: fc.boolean(),
  erase: fc.boolean(),
  past: fc.boolean(),
  scale: fc.constantFrom(undefined, 0, 0.5),
});

async function randomCases(rt: Rt, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(optsArb, fc.integer({ min: 1, max: 1e6 }), async (o, seed) => {
      const { a, rule } = build(o, seed);
      await check(rt, a, rule, JSON.stringify(o));
    }),
    { numRuns, seed: 31337 },
  );
}

async function specials(rt: Rt): Promise<void> {
  const base: Opts = { B: 1, T: 1, Hkv: 1, group: 1, Dk: 1, Dv: 1, rule: 'gated_delta', perDim: false, betaShared: false, erase: false, past: false };
  await check(rt, build(base, 1).a, 'gated_delta', 'all 1');
  for (const z of [{ T: 0, past: true }, { B: 0 }, { Dk: 0 }, { Dv: 0 }] as Partial<Opts>[]) {
    const { a } = build({ ...base, Dk: 3, Dv: 5, ...z }, 2);
    await check(rt, a, 'gated_delta', JSON.stringify(z));
  }
  const { a } = build({ ...base, T: 3, Dk: 4, Dv: 4 }, 3);
  a.k[1] = NaN;
  const [y] = await check(rt, a, 'gated_delta', 'NaN key');
  expect(Number.isNaN(y![0]!)).toBe(true);
}

describe('LinearAttention wasm', () => {
  it('takes float16 (computed in float32, results rounded to float16)', async () => {
    const { a } = build({ B: 2, T: 5, Hkv: 2, group: 2, Dk: 4, Dv: 6, rule: 'gated_delta', perDim: true, betaShared: false, erase: true, past: true }, 23);
    const bitsOf = (x: Float32Array) => Uint16Array.from(x, (v) => numberToHalf(v));
    const round = (x: Float32Array) => Float32Array.from(bitsOf(x), halfToNumber);
    const h: LaInput = { ...a, q: round(a.q), k: round(a.k), v: round(a.v), past: round(a.past!), decay: { ...a.decay!, data: round(a.decay!.data) }, beta: { ...a.beta!, data: round(a.beta!.data) }, erase: round(a.erase!) };
    const { B, T, Hq, Hkv, Dk, Dv } = h;
    const ts = [
      rt1.tensor(bitsOf(h.q), [B, T, Hq * Dk], 'float16'), rt1.tensor(bitsOf(h.k), [B, T, Hkv * Dk], 'float16'), rt1.tensor(bitsOf(h.v), [B, T, Hkv * Dv], 'float16'),
      rt1.tensor(bitsOf(h.past!), [B, Hkv, Dk, Dv], 'float16'), rt1.tensor(bitsOf(h.decay!.data), [B, T, Hkv * Dk], 'float16'),
      rt1.tensor(bitsOf(h.beta!.data), [B, T, Hkv], 'float16'), rt1.tensor(bitsOf(h.erase!), [B, T, Hkv * Dk], 'float16'),
    ];
    const outs = rt1.run('LinearAttention', ts, { qNumHeads: Hq, kvNumHeads: Hkv, updateRule: 'gated_delta', hasPast: true, hasErase: true });
    expect(outs.map((o) => o.dtype)).toEqual(['float16', 'float16']);
    const got = await Promise.all(outs.map(async (o) => Float64Array.from((await o.data()) as Uint16Array, halfToNumber)));
    for (const t of [...ts, ...outs]) t.dispose();
    const ref = refLinearAttention(h);
    // rounding the float32 results to float16: half an ulp, 2^-11 relative (2^-25 absolute below the normal range)
    const half = (r: ArrayLike<number>, tol: ArrayLike<number>) => Float64Array.from(r, (x, i) => tol[i]! + Math.abs(x) * 2 ** -11 + 2 ** -25);
    expectClose(got[0]!, ref.y, { op: 'LinearAttention float16 output', dtype: 'float32', atolPer: half(ref.y, ref.yTol) });
    expectClose(got[1]!, ref.state, { op: 'LinearAttention float16 present_state', dtype: 'float32', atolPer: half(ref.state, ref.stateTol) });
  });


  it('matches the float64 reference (fast-check)', async () => {
    await randomCases(rt1, 60);
  });

  it('handles size-0/size-1 dims and propagates NaN', async () => {
    await specials(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    const { a, rule } = build({ B: 3, T: 17, Hkv: 4, group: 2, Dk: 16, Dv: 33, rule: 'gated_delta', perDim: true, betaShared: false, erase: true, past: true }, 9);
    const x = await check(rt1, a, rule, 'split');
    const y = await check(rt2, a, rule, 'split');
    x.forEach((v, i) => expect(new Uint32Array(y[i]!.buffer)).toEqual(new Uint32Array(v.buffer)));
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const t = (s: number[]) => rt1.tensor(new Float32Array(s.reduce((a, b) => a * b, 1)), s);
    const [q, k, v] = [t([1, 2, 8]), t([1, 2, 8]), t([1, 2, 6])];
    const bad = (ins: Tensor[], attrs: object, re: RegExp) => {
      expect(() => rt1.run('LinearAttention', ins, attrs)).toThrow(TwinopsError);
      expect(() => rt1.run('LinearAttention', ins, attrs)).toThrow(re);
    };
    const h = { qNumHeads: 2, kvNumHeads: 2, updateRule: 'linear' };
    bad([q, k, v], { ...h, qNumHeads: 3 }, /LinearAttention.*multiple of kvNumHeads/);
    bad([q, t([1, 2, 6]), v], h, /LinearAttention.*query and key head sizes differ/);
    bad([q, k, t([1, 3, 6])], h, /LinearAttention.*step counts differ.*value\[1,3,6\]/);
    bad([q, k, v], { ...h, updateRule: 'gated' }, /LinearAttention/);
    bad([q, k, v, t([1, 2, 3])], { ...h, updateRule: 'gated' }, /LinearAttention.*decay\[1,2,3\] must be \[1,2,2\] or \[1,2,8\]/);
    bad([q, k, v, t([1, 2, 3, 4])], { ...h, hasPast: true }, /LinearAttention.*past_state\[1,2,3,4\] must be \[1,2,4,3\]/);
    bad([q, k, v], { ...h, updateRule: 'fast' }, /LinearAttention.*updateRule/);
    bad([q, k, v, t([1, 2, 8])], { ...h, hasErase: true }, /LinearAttention.*erase_gate/);
    bad([t([2, 8]), k, v], h, /LinearAttention.*3-D/);
  });
});

describe.skipIf(!hasGpu)('LinearAttention webgpu twin', () => {
  it('matches the float64 reference', async () => {
    if (!gpu) return;
    await randomCases(gpu, 40);
    await specials(gpu);
  });
});
