/**
 * The WebGPU twins of TopK and UnsortedSegmentSum: against the float64 references and bit for bit
 * against the wasm kernels (same selection order; same f32 summation order). Skipped only where
 * no WebGPU adapter exists.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { prng } from './arbitraries.js';
import { expectBitIdentical } from './reference/compare.js';
import { refSearchSorted, refSegmentSum, refTopK } from './reference/select.js';

let gpu: Runtime | undefined;
let cpu: Runtime;
beforeAll(async () => {
  cpu = await createRuntime({ device: 'wasm', threads: 1 });
  try {
    gpu = await createRuntime({ device: 'webgpu', threads: 1 });
  } catch {
    gpu = undefined; // no adapter: skipped below
  }
});
afterAll(() => {
  gpu?.dispose();
  cpu?.dispose();
});

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function data(n: number, seed: number, specials: boolean, distinct: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (specials && u < 0.05) return NaN;
    if (specials && u < 0.08) return Infinity;
    if (specials && u < 0.11) return -Infinity;
    return Math.fround(Math.floor(r() * distinct) - distinct / 2 + r());
  });
}

async function run(rt: Runtime, op: string, inputs: { d: Float32Array | Int32Array; s: number[] }[], attrs: object) {
  const ts = inputs.map(({ d, s }) => rt.tensor(d, s, d instanceof Int32Array ? 'int32' : 'float32'));
  const outs = rt.run(op, ts, attrs);
  const res = [];
  for (const o of outs) {
    expect(o.device).toBe(rt === gpu ? 'webgpu' : 'wasm');
    res.push({ data: (await o.data()) as Float32Array | Int32Array, shape: o.shape.slice() });
  }
  [...ts, ...outs].forEach((t) => t.dispose());
  return res;
}

describe('select family on WebGPU', () => {
  it('TopK matches the reference and wasm bit for bit', async (ctx) => {
    if (!gpu) return ctx.skip();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }), fc.nat(), fc.nat(), fc.boolean(), fc.boolean(), fc.boolean(),
        async (dims, axisSeed, seed, largest, specials, asInt) => {
          const shape = dims.map((d) => (d === 9 ? 70 : d));
          const axis = axisSeed % shape.length;
          const k = seed % (shape[axis]! + 1);
          const f = data(size(shape), seed, specials && !asInt, 7);
          const x = asInt ? Int32Array.from(f, (v) => (Number.isFinite(v) ? Math.round(v) : 0)) : f;
          const attrs = { k, axis, largest };
          const [gv, gi] = await run(gpu!, 'TopK', [{ d: x, s: shape }], attrs);
          const [cv, ci] = await run(cpu, 'TopK', [{ d: x, s: shape }], attrs);
          const ref = refTopK(x, shape, axis, k, largest);
          const what = `TopK webgpu shape [${shape}] axis ${axis} k ${k} largest ${largest}`;
          expect(gv!.shape, what).toEqual(ref.shape);
          expect(Array.from(gi!.data), what).toEqual(ref.indices);
          expectBitIdentical(gv!.data, cv!.data, `${what} vs wasm`);
          expectBitIdentical(gi!.data, ci!.data, `${what} vs wasm`);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('TopK with int64 indices names the problem', async (ctx) => {
    if (!gpu) return ctx.skip();
    const t = gpu.tensor(new Float32Array(4), [4]);
    expect(() => gpu!.run('TopK', [t], { k: 2, indexDType: 'int64' })).toThrow(/TopK: int64 indices cannot live on WebGPU/);
    t.dispose();
  });

  it('UnsortedSegmentSum matches the reference and wasm bit for bit', async (ctx) => {
    if (!gpu) return ctx.skip();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }), fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 2 }), fc.integer({ min: 0, max: 6 }), fc.nat(), fc.boolean(), fc.boolean(),
        async (rows, innerDims, segments, seed, specials, asInt) => {
          const innerShape = innerDims.map((d) => (d === 9 ? 37 : d));
          const inner = size(innerShape);
          const r = prng(seed);
          const ids = Int32Array.from({ length: rows }, () => Math.floor(r() * (segments + 3)) - 1);
          const f = data(rows * inner, seed + 1, specials && !asInt, 1000);
          const x = asInt ? Int32Array.from(f, (v) => (Number.isFinite(v) ? Math.round(v) : 0)) : f;
          const inputs = [{ d: x, s: [rows, ...innerShape] }, { d: ids, s: [rows] }];
          const [g] = await run(gpu!, 'UnsortedSegmentSum', inputs, { numSegments: segments });
          const [c] = await run(cpu, 'UnsortedSegmentSum', inputs, { numSegments: segments });
          const ref = refSegmentSum(x, ids, segments, inner);
          const what = `UnsortedSegmentSum webgpu rows ${rows} inner [${innerShape}] segments ${segments}`;
          expect(g!.shape, what).toEqual([segments, ...innerShape]);
          if (asInt) expect(Array.from(g!.data), what).toEqual(Array.from(ref.sum, (v) => v | 0));
          // the wasm kernel is checked against the float64 reference in select.test.ts; same order here
          expectBitIdentical(g!.data, c!.data, `${what} vs wasm`);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('SearchSorted matches the reference and wasm bit for bit (NaN/±Inf values, n = 0)', async (ctx) => {
    if (!gpu) return ctx.skip();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.boolean(), fc.boolean(),
        async (batch, n, m, seed, right, asInt) => {
          const seqF = data(batch * n, seed, false, 20);
          for (let b = 0; b < batch; b++) seqF.subarray(b * n, (b + 1) * n).sort();
          const valF = data(batch * m, seed + 1, !asInt, 24);
          const toInt = (f: Float32Array) => Int32Array.from(f, (v) => (Number.isFinite(v) ? Math.round(v) : 0));
          const seq = asInt ? toInt(seqF) : seqF;
          const vals = asInt ? toInt(valF) : valF;
          const inputs = [{ d: seq, s: [batch, n] }, { d: vals, s: [batch, m] }];
          const attrs = { side: right ? 'right' : 'left' };
          const [g] = await run(gpu!, 'SearchSorted', inputs, attrs);
          const [c] = await run(cpu, 'SearchSorted', inputs, attrs);
          const what = `SearchSorted webgpu [${batch},${n}] [${batch},${m}] ${attrs.side}`;
          expect(Array.from(g!.data), what).toEqual(refSearchSorted(seq, vals, batch, n, m, right));
          expectBitIdentical(g!.data, c!.data, `${what} vs wasm`);
        },
      ),
      { numRuns: 25 },
    );
  });
});
