/**
 * MaxPoolGrad, AveragePoolGrad, MaxPoolWithArgmax (family `pool-grad`) against the float64 reference
 * (tests/reference/pool-grad.ts): channels last, 1-D to 3-D windows, strides, dilations (max),
 * explicit pads, explicit output sizes with pads at or past the window (tfjs dimRoundingMode), odd
 * channel counts (4-lane tails), size-0 dims, NaN/±Inf with both nanModes, 1 vs 2 threads
 * bit-identical, and typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refArgmax, refAvgPool, refAvgPoolGrad, refMaxPoolGrad, type RefWindow } from './reference/pool-grad.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function data(n: number, seed: number, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity, 0, -0];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * sp.length)]! : Math.round((r() * 2 - 1) * 40) / 4));
}

interface Case {
  shape: number[];
  w: Required<RefWindow>;
  /** pass outputSize (else the contract computes floor sizes from the pads) */
  explicitOut: boolean;
}

function attrsOf(c: Case, extra: object = {}): object {
  return {
    kernelShape: c.w.k,
    strides: c.w.s,
    dilations: c.w.d,
    pads: c.w.pads,
    layout: 'NHWC',
    ...(c.explicitOut ? { outputSize: c.w.out } : {}),
    ...extra,
  };
}

const caseArb = (withDilation: boolean): fc.Arbitrary<Case> =>
  fc.integer({ min: 1, max: 3 }).chain((r) =>
    fc
      .record({
        N: fc.integer({ min: 1, max: 2 }),
        C: fc.constantFrom(1, 3, 4, 5, 9),
        ins: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: r, maxLength: r }),
        k: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
        s: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
        d: fc.array(fc.integer({ min: 1, max: withDilation ? 2 : 1 }), { minLength: r, maxLength: r }),
        pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2 * r, maxLength: 2 * r }),
        extra: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: r, maxLength: r }),
        explicitOut: fc.boolean(),
      })
      .map(({ N, C, ins, k, s, d, pad, extra, explicitOut }) => {
        // without outputSize the contract wants pads < kernel and a window that fits
        const pads = pad.map((p, i) => (explicitOut ? p : Math.min(p, k[i % r]! - 1)));
        const out = ins.map((n, i) => {
          const ext = (k[i]! - 1) * d[i]! + 1;
          const o = Math.floor((n + pads[i]! + pads[i + r]! - ext) / s[i]!) + 1;
          return explicitOut ? Math.max(1, o + extra[i]!) : o;
        });
        return { shape: [N, ...ins, C], w: { k, s, d, pads, out }, explicitOut };
      })
      .filter((c) => c.w.out.every((o) => o >= 1)),
  );

async function run(rt: Rt, op: string, inputs: { data: Float32Array; shape: number[] }[], attrs: object): Promise<{ shape: number[]; data: Float32Array | Int32Array }[]> {
  const ts = inputs.map((i) => rt.tensor(i.data, i.shape, 'float32'));
  try {
    const ys = rt.run(op, ts, attrs);
    const out = [];
    for (const y of ys) {
      out.push({ shape: y.shape.slice(), data: (await y.data()) as Float32Array | Int32Array });
      y.dispose();
    }
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

/** Windows overlapping one input element, at most: the bound on how many terms its sum has. */
const overlap = (w: RefWindow) => size(w.k.map((k, i) => Math.ceil(k / w.s[i]!)));

/**
 * MaxPoolGrad sums at most `overlap` dy values in float32 (in window order): within
 * (m − 1)·2^-24·Σ|dy| of the exact sum. AveragePoolGrad's terms are dy·(1/count), two roundings
 * each, then the sum: (m + 2)·2^-24·Σ|terms|. Σ|·| comes from the reference on |dy|.
 */
async function checkGrad(rt: Rt, kind: 'max' | 'avg', c: Case, seed: number, nanMode: 'propagate' | 'ignore', specials: number): Promise<void> {
  const outShape = [c.shape[0]!, ...c.w.out, c.shape[c.shape.length - 1]!];
  const dy = data(size(outShape), seed);
  const x = data(size(c.shape), seed + 1, specials);
  const m = overlap(c.w);
  const ctx = `${JSON.stringify(c)} seed ${seed} nanMode ${nanMode}`;
  if (kind === 'max') {
    const [got] = await run(rt, 'MaxPoolGrad', [{ data: dy, shape: outShape }, { data: x, shape: c.shape }], attrsOf(c, { nanMode }));
    expect(got!.shape).toEqual(c.shape);
    const ref = refMaxPoolGrad(dy, x, c.shape, c.w, nanMode === 'ignore');
    const abs = refMaxPoolGrad(dy.map(Math.abs), x, c.shape, c.w, nanMode === 'ignore');
    expectClose(got!.data as Float32Array, ref, {
      op: `MaxPoolGrad threads=${rt.info().threads}`, shapes: [outShape, c.shape], outShape: c.shape, dtype: 'float32', rtol: 0,
      atolPer: abs.map((a) => a * Math.max(0, m - 1) * 2 ** -24), context: ctx,
    });
  } else {
    const [got] = await run(rt, 'AveragePoolGrad', [{ data: dy, shape: outShape }], attrsOf(c, { inputShape: c.shape, countIncludePad: seed % 2 === 0 }));
    expect(got!.shape).toEqual(c.shape);
    const cip = seed % 2 === 0;
    const ref = refAvgPoolGrad(dy, c.shape, c.w, cip);
    const abs = refAvgPoolGrad(dy.map(Math.abs), c.shape, c.w, cip);
    expectClose(got!.data as Float32Array, ref, {
      op: `AveragePoolGrad threads=${rt.info().threads}`, shapes: [outShape], outShape: c.shape, dtype: 'float32', rtol: 0,
      atolPer: abs.map((a) => a * (m + 2) * 2 ** -24), context: ctx,
    });
  }
}

describe('MaxPoolGrad / AveragePoolGrad', () => {
  it('MaxPoolGrad matches the float64 reference (1-D to 3-D, dilations, outputSize, NaN both modes)', async () => {
    let seed = 1;
    await fc.assert(
      fc.asyncProperty(caseArb(true), fc.constantFrom<'propagate' | 'ignore'>('propagate', 'ignore'), async (c, mode) => {
        await checkGrad(rt1, 'max', c, seed++, mode, 0.15);
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('AveragePoolGrad matches the float64 reference (both divisors, outputSize with large pads)', async () => {
    let seed = 2;
    await fc.assert(
      fc.asyncProperty(caseArb(false), async (c) => {
        await checkGrad(rt1, 'avg', c, seed++, 'propagate', 0);
      }),
      { numRuns: 60, seed: 12 },
    );
  });

  it('ties go to the first tap; an empty window and an all-NaN window (ignore) give no gradient; a NaN wins when propagating', async () => {
    // [1, 1, 4, 1], window 2, stride 1, pads [0, 0] [0, 2], outputSize 5: windows 3 and 4 are partly / wholly padding
    const x = Float32Array.from([5, 5, NaN, NaN]);
    const dy = Float32Array.from([1, 10, 100, 1000, 10000]);
    const attrs = { kernelShape: [1, 2], strides: [1, 1], pads: [0, 0, 0, 2], outputSize: [1, 5], layout: 'NHWC' };
    const [ign] = await run(rt1, 'MaxPoolGrad', [{ data: dy, shape: [1, 1, 5, 1] }, { data: x, shape: [1, 1, 4, 1] }], { ...attrs, nanMode: 'ignore' });
    expect(Array.from(ign!.data)).toEqual([1, 10, 0, 0]);
    const [prop] = await run(rt1, 'MaxPoolGrad', [{ data: dy, shape: [1, 1, 5, 1] }, { data: x, shape: [1, 1, 4, 1] }], attrs);
    // propagate: window 1's NaN beats 5, windows 2 and 3 take their first NaN
    expect(Array.from(prop!.data)).toEqual([1, 0, 10 + 100, 1000]);
  });

  it('1 and 2 threads give bit-identical results (sizes that split)', async () => {
    const c: Case = { shape: [2, 31, 29, 17], w: { k: [3, 3], s: [1, 2], d: [1, 1], pads: [1, 1, 1, 1], out: [31, 15] }, explicitOut: false };
    const outShape = [2, 31, 15, 17];
    const dy = data(size(outShape), 5);
    const x = data(size(c.shape), 6, 0.01);
    for (const [op, inputs, extra] of [
      ['MaxPoolGrad', [{ data: dy, shape: outShape }, { data: x, shape: c.shape }], {}],
      ['AveragePoolGrad', [{ data: dy, shape: outShape }], { inputShape: c.shape }],
      ['MaxPoolWithArgmax', [{ data: x, shape: c.shape }], {}],
    ] as const) {
      const a = await run(rt1, op, inputs as never, attrsOf(c, extra));
      const b = await run(rt2, op, inputs as never, attrsOf(c, extra));
      for (let i = 0; i < a.length; i++) expect(Array.from(b[i]!.data), op).toEqual(Array.from(a[i]!.data));
    }
  });

  it('size-0 dims give empty or zero gradients', async () => {
    const w = { kernelShape: [2, 2], strides: [1, 1], layout: 'NHWC' };
    const [a] = await run(rt1, 'MaxPoolGrad', [{ data: new Float32Array(0), shape: [0, 2, 2, 3] }, { data: new Float32Array(0), shape: [0, 3, 3, 3] }], w);
    expect(a!.shape).toEqual([0, 3, 3, 3]);
    const [b] = await run(rt1, 'AveragePoolGrad', [{ data: new Float32Array(0), shape: [1, 2, 2, 0] }], { ...w, inputShape: [1, 3, 3, 0] });
    expect(b!.shape).toEqual([1, 3, 3, 0]);
    const [y, idx] = await run(rt1, 'MaxPoolWithArgmax', [{ data: new Float32Array(0), shape: [1, 0, 3, 2] }], w);
    expect(y!.shape).toEqual([1, 0, 2, 2]);
    expect(idx!.shape).toEqual([1, 0, 2, 2]);
  });
});

describe('pool gradients on WebGPU', () => {
  it.skipIf(!hasGpu)('the twins match the float64 references (gather form, same rules)', async () => {
    let seed = 60;
    await fc.assert(
      fc.asyncProperty(caseArb(true), fc.constantFrom<'propagate' | 'ignore'>('propagate', 'ignore'), async (c, mode) => {
        await checkGrad(gpu!, 'max', c, seed++, mode, 0.15);
        const avg = { ...c, w: { ...c.w, d: c.w.k.map(() => 1) } };
        if (avg.w.out.every((o, i) => o >= 1 && (c.explicitOut || o === Math.floor((c.shape[i + 1]! + c.w.pads[i]! + c.w.pads[i + c.w.k.length]! - c.w.k[i]!) / c.w.s[i]!) + 1))) {
          await checkGrad(gpu!, 'avg', avg, seed++, 'propagate', 0);
        }
        const x = data(size(c.shape), seed++, 0.1);
        const [y, idx] = await run(gpu!, 'MaxPoolWithArgmax', [{ data: x, shape: c.shape }], attrsOf(c, { includeBatchInIndex: true, nanMode: mode }));
        const ref = refArgmax(x, c.shape, c.w, mode === 'ignore');
        const perImage = size(c.shape.slice(1));
        const outPerImage = size(c.w.out) * c.shape[c.shape.length - 1]!;
        expect(Array.from(idx!.data)).toEqual(Array.from(ref.index, (v, i) => (v >= 0 ? v + Math.floor(i / outPerImage) * perImage : v)));
        expectClose(y!.data as Float32Array, ref.values, { op: 'MaxPoolWithArgmax webgpu', dtype: 'float32', rtol: 0, atol: 0 });
      }),
      { numRuns: 40, seed: 16 },
    );
  });
});

describe('MaxPoolWithArgmax', () => {
  it('matches the reference values and flat indices, with and without the batch offset', async () => {
    let seed = 3;
    await fc.assert(
      fc.asyncProperty(caseArb(true), fc.boolean(), async (c, withBatch) => {
        const x = data(size(c.shape), seed++, 0.1);
        const [y, idx] = await run(rt1, 'MaxPoolWithArgmax', [{ data: x, shape: c.shape }], attrsOf(c, { includeBatchInIndex: withBatch, nanMode: 'ignore' }));
        const ref = refArgmax(x, c.shape, c.w, true);
        const perImage = size(c.shape.slice(1));
        const outPerImage = size(c.w.out) * c.shape[c.shape.length - 1]!;
        const want = Array.from(ref.index, (v, i) => (v >= 0 && withBatch ? v + Math.floor(i / outPerImage) * perImage : v));
        expect(Array.from(idx!.data), JSON.stringify(c)).toEqual(want);
        // the max is one of the inputs: exact
        expectClose(y!.data as Float32Array, ref.values, { op: 'MaxPoolWithArgmax', dtype: 'float32', rtol: 0, atol: 0, context: JSON.stringify(c) });
      }),
      { numRuns: 40, seed: 13 },
    );
  });
});

describe('MaxPool nanMode / outputSize, AveragePool outputSize / emptyAverage (tfjs semantics)', () => {
  const devices = () => [rt1, ...(hasGpu && gpu ? [gpu] : [])];
  it('MaxPool with nanMode ignore skips NaN; outputSize windows past the input give -Infinity', async () => {
    let seed = 40;
    await fc.assert(
      fc.asyncProperty(caseArb(true), async (c) => {
        const x = data(size(c.shape), seed++, 0.3);
        const ref = refArgmax(x, c.shape, c.w, true).values;
        for (const rt of devices()) {
          const [y] = await run(rt, 'MaxPool', [{ data: x, shape: c.shape }], attrsOf(c, { nanMode: 'ignore' }));
          expect(y!.shape).toEqual([c.shape[0], ...c.w.out, c.shape[c.shape.length - 1]]);
          expectClose(y!.data as Float32Array, ref, { op: `MaxPool ignore ${rt.device}`, dtype: 'float32', rtol: 0, atol: 0, context: JSON.stringify(c) });
        }
      }),
      { numRuns: 30, seed: 14 },
    );
  });

  it('AveragePool with outputSize: empty windows give NaN, or 0 with emptyAverage zero', async () => {
    let seed = 50;
    await fc.assert(
      fc.asyncProperty(caseArb(false), fc.boolean(), async (c, zero) => {
        const x = data(size(c.shape), seed++);
        const ref = refAvgPool(x, c.shape, c.w, zero);
        // the sum of m taps in order then one division (3-D: two passes, KD + 1 more roundings)
        const m = size(c.w.k) + c.w.k[0]! + 2;
        for (const rt of devices()) {
          const [y] = await run(rt, 'AveragePool', [{ data: x, shape: c.shape }], attrsOf(c, { emptyAverage: zero ? 'zero' : 'nan' }));
          expectClose(y!.data as Float32Array, ref, { op: `AveragePool ${rt.device}`, dtype: 'float32', rtol: m * 2 ** -24, atol: m * 2 ** -24 * 10, context: JSON.stringify(c) });
        }
      }),
      { numRuns: 30, seed: 15 },
    );
  });
});

describe('pool gradient errors', () => {
  const t = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)), shape, 'float32');
  const expectError = (f: () => unknown, op: string, what: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(TwinopsError);
      expect((e as Error).message).toMatch(new RegExp(`^${op}: `));
      expect((e as Error).message).toMatch(what);
      return;
    }
    throw new Error('expected an error');
  };

  it('names the op and the shapes', () => {
    const base = { kernelShape: [2, 2], layout: 'NHWC' };
    expectError(() => rt1.run('MaxPoolGrad', [t([1, 3, 3, 1]), t([1, 5, 5, 1])], base), 'MaxPoolGrad', /dy\[1,3,3,1\].*\[1,4,4,1\]/);
    expectError(() => rt1.run('MaxPoolGrad', [t([1, 2, 2, 1]), t([1, 3, 3, 1])], { ...base, layout: 'NCHW' }), 'MaxPoolGrad', /layout must be NHWC/);
    expectError(() => rt1.run('AveragePoolGrad', [t([1, 2, 2, 1])], { ...base, inputShape: [1, 4, 4, 1] }), 'AveragePoolGrad', /dy\[1,2,2,1\].*\[1,3,3,1\]/);
    expectError(() => rt1.run('AveragePoolGrad', [t([1, 2, 2, 1])], base), 'AveragePoolGrad', /inputShape/);
    expectError(() => rt1.run('AveragePoolGrad', [t([1, 2, 2, 1])], { ...base, inputShape: [1, 3, 3, 1], dilations: [2, 1] }), 'AveragePoolGrad', /dilations/);
    expectError(() => rt1.run('MaxPoolWithArgmax', [t([1, 3, 3, 1])], { ...base, kernelShape: [2, 2, 2] }), 'MaxPoolWithArgmax', /kernelShape/);
    expectError(() => rt1.run('MaxPool', [t([1, 3, 3, 1])], { ...base, outputSize: [2, 2], autoPad: 'SAME_UPPER' }), 'MaxPool', /outputSize needs explicit pads/);
    expectError(() => rt1.run('AveragePool', [t([1, 3, 3, 1])], { ...base, nanMode: 'ignore' }), 'AveragePool', /nanMode/);
  });
});
