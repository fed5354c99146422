/**
 * Attention (family `attention`, export attention_rows) against the float64 reference: 3-D and
 * 4-D layouts mixed per input, grouped-query heads, float and bool masks of every rank with short
 * widths, causal frontiers (fixed offset and per-batch nonpad), nonpad lengths, softcap, every
 * qk output mode, odd head sizes (SIMD tails), size-0/size-1 dims, NaN/Inf, fully masked rows,
 * 1 vs 2 threads bit-identical, typed errors; the WebGPU twin on the same cases (except nonpad
 * lengths: int64 has no WebGPU form).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { refAttention, type AttnInput } from './reference/attention.js';
import { expectClose } from './reference/compare.js';
import { halfToNumber, numberToHalf } from './reference/copy.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function rand(n: number, seed: number, scale: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

interface Dims {
  B: number;
  Hkv: number;
  group: number;
  Sq: number;
  Skv: number;
  Dk: number;
  Dv: number;
  q3: boolean;
  k3: boolean;
  v3: boolean;
}

function shapeOf(three: boolean, B: number, H: number, S: number, D: number): number[] {
  return three ? [B, S, H * D] : [B, H, S, D];
}

function build(d: Dims, seed: number, extra: Partial<AttnInput> = {}, range = 2): AttnInput {
  const Hq = d.Hkv * d.group;
  const qShape = shapeOf(d.q3, d.B, Hq, d.Sq, d.Dk);
  const kShape = shapeOf(d.k3, d.B, d.Hkv, d.Skv, d.Dk);
  const vShape = shapeOf(d.v3, d.B, d.Hkv, d.Skv, d.Dv);
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    q: rand(n(qShape), seed, range), k: rand(n(kShape), seed + 1, range), v: rand(n(vShape), seed + 2, range),
    qShape, kShape, vShape, qNumHeads: Hq, kvNumHeads: d.Hkv, ...extra,
  };
}

async function run(rt: Rt, a: AttnInput): Promise<{ y: Float32Array; yShape: number[]; qk?: Float32Array }> {
  const ts: Tensor[] = [rt.tensor(a.q, a.qShape), rt.tensor(a.k, a.kShape), rt.tensor(a.v, a.vShape)];
  if (a.mask) ts.push(a.mask.bool ? rt.tensor(a.mask.data, a.mask.shape, 'bool') : rt.tensor(a.mask.data, a.mask.shape));
  if (a.nonpad) ts.push(rt.tensor(a.nonpad, [a.nonpad.length], 'int64'));
  const attrs = {
    qNumHeads: a.qNumHeads, kvNumHeads: a.kvNumHeads, scale: a.scale, softcap: a.softcap, isCausal: a.isCausal,
    causalOffset: a.causalOffset, hasMask: !!a.mask, hasNonpad: !!a.nonpad, qkOutput: a.qkMode,
  };
  const outs = rt.run('Attention', ts, attrs);
  try {
    const y = (await outs[0]!.data()) as Float32Array;
    const qk = outs[1] ? ((await outs[1].data()) as Float32Array) : undefined;
    return { y, yShape: outs[0]!.shape.slice(), qk };
  } finally {
    for (const t of [...ts, ...outs]) t.dispose();
  }
}

async function check(rt: Rt, a: AttnInput, what: string): Promise<{ y: Float32Array; qk?: Float32Array }> {
  const ref = refAttention(a);
  const got = await run(rt, a);
  const op = `Attention ${rt.device} threads=${rt.info().threads} (${what})`;
  expect(got.yShape, op).toEqual(ref.yShape);
  expectClose(got.y, ref.y, { op, shapes: [a.qShape, a.kShape, a.vShape], outShape: ref.yShape, dtype: 'float32', atolPer: ref.yTol });
  if (a.qkMode !== undefined) {
    expect(got.qk, op).toBeDefined();
    expectClose(got.qk!, ref.qk!, { op: `${op} qk mode ${a.qkMode}`, dtype: 'float32', atolPer: ref.qkTol });
  }
  return got;
}

const dimsArb: fc.Arbitrary<Dims> = fc.record({
  B: fc.integer({ min: 1, max: 3 }),
  Hkv: fc.integer({ min: 1, max: 3 }),
  group: fc.constantFrom(1, 1, 2, 3),
  Sq: fc.integer({ min: 1, max: 9 }),
  Skv: fc.integer({ min: 1, max: 13 }),
  Dk: fc.constantFrom(1, 3, 4, 5, 8, 9, 16, 17),
  Dv: fc.constantFrom(1, 2, 4, 7, 8, 12),
  q3: fc.boolean(),
  k3: fc.boolean(),
  v3: fc.boolean(),
});

/** A mask of rank 2–4 broadcasting to [B, Hq, Sq, W ≤ Skv] with random size-1 dims. */
function maskFor(d: Dims, seed: number, bool: boolean, rank: number, short: boolean): AttnInput['mask'] {
  const r = prng(seed);
  const full = [d.B, d.Hkv * d.group, d.Sq, short ? Math.max(1, d.Skv - 2) : d.Skv];
  const shape = full.slice(4 - rank).map((x, i, s) => (i < s.length - 1 && r() < 0.4 ? 1 : x));
  const n = shape.reduce((a, b) => a * b, 1);
  const data = bool ? Uint8Array.from({ length: n }, () => (r() < 0.7 ? 1 : 0)) : Float32Array.from({ length: n }, () => (r() < 0.15 ? -Infinity : (r() * 2 - 1) * 3));
  return { data, shape, bool };
}

async function randomCases(rt: Rt, numRuns: number): Promise<void> {
  const nonpadOk = rt.device === 'wasm';
  await fc.assert(
    fc.asyncProperty(
      dimsArb,
      fc.record({
        seed: fc.integer({ min: 1, max: 1e6 }),
        mask: fc.constantFrom('none', 'float', 'bool'),
        maskRank: fc.integer({ min: 2, max: 4 }),
        short: fc.boolean(),
        causal: fc.constantFrom('none', 'none', 'offset', 'nonpad'),
        nonpad: fc.boolean(),
        softcap: fc.constantFrom(0, 0, 1.5, 30),
        scale: fc.constantFrom(undefined, 0.1, 1.7),
        qkMode: fc.constantFrom(undefined, undefined, 0, 1, 2, 3),
      }),
      async (d, o) => {
        const r = prng(o.seed + 7);
        const nonpad = nonpadOk && (o.nonpad || o.causal === 'nonpad') ? BigInt64Array.from({ length: d.B }, () => BigInt(Math.floor(r() * (d.Skv + 1)))) : undefined;
        const a = build(d, o.seed, {
          mask: o.mask === 'none' ? undefined : maskFor(d, o.seed + 3, o.mask === 'bool', o.maskRank, o.short),
          nonpad,
          isCausal: o.causal !== 'none',
          causalOffset: o.causal === 'offset' || !nonpad ? Math.max(0, d.Skv - d.Sq) : undefined,
          softcap: o.softcap || undefined,
          scale: o.scale,
          qkMode: o.qkMode as AttnInput['qkMode'],
        });
        await check(rt, a, JSON.stringify({ ...d, ...o }));
      },
    ),
    { numRuns, seed: 20261122 },
  );
}

/** Fully masked rows, NaN/±Inf scores, -Inf in float masks (wasm and the WebGPU twin). */
async function specials(rt: Rt): Promise<void> {
  const d: Dims = { B: 1, Hkv: 1, group: 2, Sq: 3, Skv: 4, Dk: 4, Dv: 5, q3: false, k3: false, v3: false };
  const mask = { data: Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]), shape: [3, 4], bool: true };
  for (const qkMode of [undefined, 2, 3] as const) {
    const got = await check(rt, build(d, 3, { mask, qkMode }), `fully masked row, mode ${qkMode}`);
    expect(Array.from(got.y.slice(5, 10))).toEqual([0, 0, 0, 0, 0]);
  }
  // every key masked by the nonpad length 0 for batch 1; causal frontier before key 0 (offset -3)
  if (rt.device === 'wasm') await check(rt, build({ ...d, B: 2 }, 4, { nonpad: BigInt64Array.from([4n, 0n]) }), 'nonpad 0');
  await check(rt, build(d, 5, { isCausal: true, causalOffset: -2 }), 'negative causal offset');
  const a = build(d, 6);
  a.q[1] = NaN; // row 0 of head 0: every score NaN
  a.k[4 * 2 + 1] = Infinity; // key 2: +Inf or -Inf or NaN scores
  await check(rt, a, 'NaN/Inf');
  a.q[3] = Infinity;
  await check(rt, { ...a, mask, qkMode: 3 }, 'NaN/Inf, masked, probabilities');
  const fm = { data: Float32Array.from([0, -Infinity, 2, NaN]), shape: [1, 4], bool: false };
  await check(rt, build(d, 7, { mask: fm, softcap: 2 }), 'float mask with -Inf and NaN');
}

async function sizes(rt: Rt): Promise<void> {
  const base: Dims = { B: 1, Hkv: 1, group: 1, Sq: 1, Skv: 1, Dk: 1, Dv: 1, q3: false, k3: false, v3: false };
  await check(rt, build(base, 1), 'all 1');
  await check(rt, build({ ...base, Sq: 0, Skv: 3, Dk: 4, Dv: 4 }, 2), 'Sq = 0');
  await check(rt, build({ ...base, B: 0, Skv: 3, Dk: 4, Dv: 4 }, 3), 'B = 0');
  await check(rt, build({ ...base, Sq: 2, Skv: 0, Dk: 4, Dv: 3 }, 4, { qkMode: 3 }), 'Skv = 0: every row masked');
  await check(rt, build({ ...base, Sq: 2, Skv: 3, Dk: 0, Dv: 3 }, 5, { scale: 1, qkMode: 0 }), 'Dk = 0: scores 0');
  await check(rt, build({ ...base, Sq: 2, Skv: 3, Dk: 4, Dv: 0 }, 6, { qkMode: 3 }), 'Dv = 0, qk output only');
}

/** float32 values rounded to float16, and their bits. */
function toHalf(x: Float32Array): { v: Float32Array; bits: Uint16Array } {
  const bits = Uint16Array.from(x, (a) => numberToHalf(a));
  return { v: Float32Array.from(bits, halfToNumber), bits };
}

describe('Attention wasm', () => {
  it('takes float16 (computed in float32, results rounded to float16)', async () => {
    const d: Dims = { B: 2, Hkv: 2, group: 2, Sq: 3, Skv: 7, Dk: 9, Dv: 6, q3: true, k3: false, v3: false };
    const base = build(d, 17, { mask: maskFor(d, 18, false, 3, true), isCausal: true, causalOffset: 2, qkMode: 3 });
    const [q, k, v, m] = [base.q, base.k, base.v, base.mask!.data as Float32Array].map(toHalf) as [ReturnType<typeof toHalf>, ReturnType<typeof toHalf>, ReturnType<typeof toHalf>, ReturnType<typeof toHalf>];
    const a: AttnInput = { ...base, q: q.v, k: k.v, v: v.v, mask: { ...base.mask!, data: m.v } };
    const ref = refAttention(a);
    const ts = [rt1.tensor(q.bits, a.qShape, 'float16'), rt1.tensor(k.bits, a.kShape, 'float16'), rt1.tensor(v.bits, a.vShape, 'float16'), rt1.tensor(m.bits, a.mask!.shape, 'float16')];
    const outs = rt1.run('Attention', ts, { qNumHeads: 4, kvNumHeads: 2, isCausal: true, causalOffset: 2, hasMask: true, qkOutput: 3 });
    expect(outs.map((o) => o.dtype)).toEqual(['float16', 'float16']);
    const got = await Promise.all(outs.map(async (o) => Float64Array.from((await o.data()) as Uint16Array, halfToNumber)));
    for (const t of [...ts, ...outs]) t.dispose();
    // rounding the float32 result to float16 adds half an ulp: 2^-11 relative (2^-25 absolute below the normal range)
    const half = (r: ArrayLike<number>, tol: ArrayLike<number>) => Float64Array.from(r, (x, i) => tol[i]! + Math.abs(x) * 2 ** -11 + 2 ** -25);
    expectClose(got[0]!, ref.y, { op: 'Attention float16', dtype: 'float32', atolPer: half(ref.y, ref.yTol) });
    expectClose(got[1]!, ref.qk!, { op: 'Attention float16 qk', dtype: 'float32', atolPer: half(ref.qk!, ref.qkTol!) });
  });


  it('matches the float64 reference over random shapes and options (fast-check)', async () => {
    await randomCases(rt1, 60);
  });

  it('handles head-size tails, wide ranges, and the ONNX-suite shapes', async () => {
    for (const Dk of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 64]) {
      await check(rt1, build({ B: 1, Hkv: 2, group: 2, Sq: 3, Skv: 11, Dk, Dv: Dk + 1, q3: false, k3: false, v3: false }, Dk), `Dk=${Dk}`);
    }
    // scores spanning ±100: the online max rescales many times, exp underflows for far keys
    await check(rt1, build({ B: 1, Hkv: 1, group: 1, Sq: 5, Skv: 40, Dk: 8, Dv: 8, q3: false, k3: false, v3: false }, 5, { scale: 1 }, 6), 'wide range');
    await check(rt1, build({ B: 2, Hkv: 3, group: 3, Sq: 4, Skv: 6, Dk: 8, Dv: 8, q3: true, k3: true, v3: true }, 9), 'gqa 3-D');
  });

  it('gives 0 for fully masked rows, NaN where a score is NaN or +Inf', async () => {
    await specials(rt1);
  });

  it('handles size-0 and size-1 dims', async () => {
    await sizes(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    const d: Dims = { B: 2, Hkv: 2, group: 2, Sq: 33, Skv: 64, Dk: 32, Dv: 29, q3: true, k3: false, v3: true };
    const a = build(d, 11, { mask: maskFor(d, 12, false, 3, true), isCausal: true, causalOffset: 31, softcap: 5, qkMode: 3 });
    const x = await check(rt1, a, 'split');
    const y = await check(rt2, a, 'split');
    expect(new Uint32Array(y.y.buffer)).toEqual(new Uint32Array(x.y.buffer));
    expect(new Uint32Array(y.qk!.buffer)).toEqual(new Uint32Array(x.qk!.buffer));
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const t = (s: number[], dtype?: 'int64' | 'bool' | 'int32') => rt1.tensor(dtype === 'int64' ? new BigInt64Array(s.reduce((a, b) => a * b, 1)) : dtype ? new (dtype === 'bool' ? Uint8Array : Int32Array)(s.reduce((a, b) => a * b, 1)) : new Float32Array(s.reduce((a, b) => a * b, 1)), s, dtype);
    const q = t([1, 4, 3, 8]);
    const k = t([1, 2, 5, 8]);
    const v = t([1, 2, 5, 6]);
    const bad = (ins: Tensor[], attrs: object, re: RegExp) => {
      expect(() => rt1.run('Attention', ins, attrs)).toThrow(TwinopsError);
      expect(() => rt1.run('Attention', ins, attrs)).toThrow(re);
    };
    bad([q, t([1, 3, 5, 8]), t([1, 3, 5, 6])], {}, /Attention.*multiple of key\/value heads 3/);
    bad([q, t([1, 2, 5, 7]), v], {}, /Attention.*head sizes differ.*K\[1,2,5,7\]/);
    bad([q, k, t([1, 2, 4, 6])], {}, /Attention.*same heads and sequence length/);
    bad([t([1, 3, 32]), k, v], {}, /Attention.*Q\[1,3,32\] is 3-D, so qNumHeads/);
    bad([t([1, 3, 30]), k, v], { qNumHeads: 4 }, /Attention.*not a multiple of qNumHeads 4/);
    bad([q, k, v, t([3, 6])], { hasMask: true }, /Attention.*attn_mask\[3,6\] does not broadcast/);
    bad([q, k, v, t([5])], { hasMask: true }, /Attention.*attn_mask\[5\] must have rank 2 to 4/);
    bad([q, k, v, t([3, 5], 'int32')], { hasMask: true }, /Attention.*attn_mask has dtype int32/);
    bad([q, k, v, t([2], 'int64')], { hasNonpad: true }, /Attention.*nonpad_kv_seqlen\[2\] must be \[1\]/);
    bad([q, k, v], { softcap: -1 }, /Attention.*softcap/);
    bad([q, k, v], { qkOutput: 4 }, /Attention.*qkOutput/);
    bad([q, k], {}, /Attention/);
    bad([t([1, 4, 3, 8], 'int32'), k, v], {}, /Attention.*Q has dtype int32/);
  });
});

describe.skipIf(!hasGpu)('Attention webgpu twin', () => {
  it('matches the float64 reference (random cases, specials, sizes)', async () => {
    if (!gpu) return;
    await randomCases(gpu, 40);
    await specials(gpu);
    await sizes(gpu);
  });
});
