/**
 * The per-call-site plan cache (Runtime.runCached, core/call-cache.ts) and the ORT executor's
 * compiled fast path (adapters/ort/run-plan.ts): results are bit-identical to the uncached path, a
 * changed shape, dtype, device or attribute never reuses a stale plan, and bad inputs still get the
 * typed errors `run` gives. Exact comparisons throughout: the same kernels run on the same data.
 */
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { CallCache } from '../core/call-cache.js';
import { createRuntime, DeviceError, DisposedError, DTypeError, ShapeError, type Runtime, type Tensor, type TwinopsError } from '../index.js';
import { prng } from './arbitraries.js';
import { buildModel, T } from './ort/build-model.js';

registerOrtBackend(ortNode as unknown as OrtModule);
const OPTS = { executionProviders: ['twinops'], intraOpNumThreads: 1 };

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime({ threads: 1 });
});
afterAll(() => rt.dispose());

const rand = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 4 - 2);
};

/** The outputs' shapes and bytes, then dispose them. */
function take(outs: Tensor[]) {
  const r = outs.map((t) => ({ dtype: t.dtype, shape: [...t.shape], data: Array.from(t.dataSync() as ArrayLike<number>) }));
  for (const t of outs) t.dispose();
  return r;
}

/** The message and class of the error `f` throws. */
function errorOf(f: () => unknown): { name: string; message: string; code?: string } {
  try {
    f();
  } catch (e) {
    const err = e as TwinopsError;
    return { name: err.constructor.name, message: err.message, code: err.code };
  }
  throw new Error('expected an error');
}

describe('Runtime.runCached', () => {
  it('gives run()’s results, and follows changed shapes, dtypes and attributes', () => {
    const cache = new CallCache();
    const a = rt.tensor(rand(12, 1), [3, 4]);
    const b = rt.tensor(rand(4, 2), [4]);
    const c = rt.tensor(rand(3, 3), [3, 1]);
    const ai = rt.tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], 'int32');
    const bi = rt.tensor(Int32Array.from([7, 8, 9]), [3], 'int32');
    for (let rep = 0; rep < 3; rep++) {
      // same call site, alternating signatures: every call must plan for its own inputs
      expect(take(rt.runCached('Add', [a, b], undefined, cache))).toEqual(take(rt.run('Add', [a, b])));
      expect(take(rt.runCached('Add', [a, c], undefined, cache))).toEqual(take(rt.run('Add', [a, c])));
      expect(take(rt.runCached('Add', [ai, bi], undefined, cache))).toEqual(take(rt.run('Add', [ai, bi])));
      expect(take(rt.runCached('Mul', [a, b], undefined, cache))).toEqual(take(rt.run('Mul', [a, b])));
    }
    for (const t of [a, b, c, ai, bi]) t.dispose();
  });

  it('re-plans when the same attribute object is changed in place, or a fresh one differs', () => {
    const cache = new CallCache();
    const x = rt.tensor(rand(24, 4), [2, 3, 4]);
    const attrs: { axis: number } = { axis: -1 };
    const first = take(rt.runCached('Softmax', [x], attrs, cache));
    expect(first).toEqual(take(rt.run('Softmax', [x], { axis: -1 })));
    attrs.axis = 1; // mutated: the cached plan (axis -1) must not be reused
    const second = take(rt.runCached('Softmax', [x], attrs, cache));
    expect(second).toEqual(take(rt.run('Softmax', [x], { axis: 1 })));
    expect(second).not.toEqual(first);
    expect(take(rt.runCached('Softmax', [x], { axis: 0 }, cache))).toEqual(take(rt.run('Softmax', [x], { axis: 0 })));
    // an added key is a change too
    const clip: Record<string, number> = { min: -0.5 };
    expect(take(rt.runCached('Clip', [x], clip, cache))).toEqual(take(rt.run('Clip', [x], { min: -0.5 })));
    clip.max = 0.25;
    expect(take(rt.runCached('Clip', [x], clip, cache))).toEqual(take(rt.run('Clip', [x], { min: -0.5, max: 0.25 })));
    // nested arrays: a changed element re-plans
    const perm = { perm: [2, 0, 1] };
    expect(take(rt.runCached('Transpose', [x], perm, cache))).toEqual(take(rt.run('Transpose', [x], { perm: [2, 0, 1] })));
    perm.perm[0] = 1;
    perm.perm[1] = 2;
    perm.perm[2] = 0;
    expect(take(rt.runCached('Transpose', [x], perm, cache))).toEqual(take(rt.run('Transpose', [x], { perm: [1, 2, 0] })));
    // an attribute the contract rejects is rejected on every call (a failed plan is never cached)
    const nan = { min: Number.NaN };
    const rejected = errorOf(() => rt.run('Clip', [x], nan));
    expect(errorOf(() => rt.runCached('Clip', [x], nan, cache))).toEqual(rejected);
    expect(errorOf(() => rt.runCached('Clip', [x], nan, cache))).toEqual(rejected);
    x.dispose();
  });

  it('throws run()’s typed errors for bad inputs after a good call filled the cache', async () => {
    const cache = new CallCache();
    const a = rt.tensor(rand(12, 5), [3, 4]);
    const b = rt.tensor(rand(4, 6), [4]);
    take(rt.runCached('Add', [a, b], undefined, cache));
    const bad = rt.tensor(rand(5, 7), [5]);
    const cached = errorOf(() => rt.runCached('Add', [a, bad], undefined, cache));
    expect(cached).toEqual(errorOf(() => rt.run('Add', [a, bad])));
    expect(cached.name).toBe(ShapeError.name);
    expect(cached.message).toMatch(/Add/);
    expect(cached.message).toMatch(/\[3,4\]|3, ?4/);
    // the cache was not left holding the failed call: the good one still works
    expect(take(rt.runCached('Add', [a, b], undefined, cache))).toEqual(take(rt.run('Add', [a, b])));
    // a disposed input that matches the cached signature still fails as disposed
    const gone = rt.tensor(rand(4, 8), [4]);
    gone.dispose();
    const disposed = errorOf(() => rt.runCached('Add', [a, gone], undefined, cache));
    expect(disposed).toEqual(errorOf(() => rt.run('Add', [a, gone])));
    expect(disposed.name).toBe(DisposedError.name);
    // a tensor of another runtime with the cached signature
    const other = await createRuntime({ threads: 1 });
    try {
      const foreign = other.tensor(rand(4, 9), [4]);
      const e = errorOf(() => rt.runCached('Add', [a, foreign], undefined, cache));
      expect(e).toEqual(errorOf(() => rt.run('Add', [a, foreign])));
      expect(e.name).toBe(DeviceError.name);
    } finally {
      other.dispose();
    }
    // not a tensor; an unknown op; a wrong dtype mix
    const notTensor = errorOf(() => rt.runCached('Add', [a, { dtype: 'float32', shape: [4] } as unknown as Tensor], undefined, cache));
    expect(notTensor.name).toBe(DTypeError.name);
    expect(errorOf(() => rt.runCached('NoSuchOp', [a], undefined, cache)).code).toBe('UNSUPPORTED');
    const ai = rt.tensor(Int32Array.from([1, 2, 3, 4]), [4], 'int32');
    expect(errorOf(() => rt.runCached('Add', [a, ai], undefined, cache))).toEqual(errorOf(() => rt.run('Add', [a, ai])));
    // and after all that, the runtime holds only what this test still owns
    for (const t of [a, b, bad, ai]) t.dispose();
  });

  it('a disposed runtime refuses cached calls', async () => {
    const r = await createRuntime({ threads: 1 });
    const cache = new CallCache();
    const a = r.tensor(rand(4, 10), [4]);
    take(r.runCached('Relu', [a], undefined, cache));
    r.dispose();
    expect(errorOf(() => r.runCached('Relu', [a], undefined, cache)).name).toBe(DisposedError.name);
  });

  it('counts live tensors through creation, aliasing and disposal in any order', () => {
    const before = rt.memory().liveTensors;
    const ts = Array.from({ length: 9 }, (_, k) => rt.tensor(rand(6, 20 + k), [2, 3]));
    const views = ts.map((t) => rt.reshape(t, [3, 2]));
    expect(rt.memory().liveTensors).toBe(before + 18);
    for (const k of [4, 0, 8, 2, 6, 1, 7, 3, 5]) ts[k]!.dispose();
    expect(rt.memory().liveTensors).toBe(before + 9);
    // the views keep their storage: still readable after their sources went
    expect(Array.from(views[3]!.dataSync() as Float32Array)).toEqual(Array.from(rand(6, 23)));
    for (const v of views.reverse()) v.dispose();
    expect(rt.memory().liveTensors).toBe(before);
  });
});

describe('ORT executor fast path', () => {
  // y = Softmax(x · W + b, axis -1) then Reshape to [-1]: MatMul, Add, Softmax, Shape-free Reshape
  const W = rand(12, 30);
  const B = rand(4, 31);
  const model = buildModel({
    inputs: [{ name: 'x', type: T.FLOAT, dims: ['n', 3] }],
    outputs: [
      { name: 'y', type: T.FLOAT },
      { name: 'h', type: T.FLOAT },
    ],
    initializers: [
      { name: 'W', type: T.FLOAT, dims: [3, 4], data: W },
      { name: 'B', type: T.FLOAT, dims: [4], data: B },
      { name: 'flat', type: T.INT64, dims: [1], data: [-1] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'B'], outputs: ['h'] },
      { op: 'Softmax', inputs: ['h'], outputs: ['s'], attrs: { axis: -1 } },
      { op: 'Reshape', inputs: ['s', 'flat'], outputs: ['y'] },
      { op: 'Identity', inputs: ['h'], outputs: ['unused'] },
    ],
  });

  it('matches onnxruntime-node over changing batch sizes, fetch sets and back again', async () => {
    const tw = await ortNode.InferenceSession.create(model, OPTS);
    const cpu = await ortNode.InferenceSession.create(model, { executionProviders: ['cpu'] });
    try {
      for (const n of [2, 5, 1, 2, 0, 5, 2]) {
        const x = new ortNode.Tensor('float32', rand(n * 3, 40 + n), [n, 3]);
        const want = await cpu.run({ x });
        const got = await tw.run({ x });
        expect(got.y!.dims).toEqual(want.y!.dims);
        expect(got.h!.dims).toEqual(want.h!.dims);
        // float32 MatMul/Softmax against onnxruntime: summation order differs, so compare to 1e-5
        const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
          expect(a.length).toBe(b.length);
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(b[i]!));
        };
        close(got.y!.data as Float32Array, want.y!.data as Float32Array);
        close(got.h!.data as Float32Array, want.h!.data as Float32Array);
        // a different fetch set (its own compiled schedule) gives the same bytes for what it shares
        const onlyH = await tw.run({ x }, ['h']);
        expect(Object.keys(onlyH)).toEqual(['h']);
        expect(Array.from(onlyH.h!.data as Float32Array)).toEqual(Array.from(got.h!.data as Float32Array));
      }
    } finally {
      await tw.release();
      await cpu.release();
    }
  });

  it('keeps the typed feed errors and frees every intermediate', async () => {
    const tw = await ortNode.InferenceSession.create(model, OPTS);
    try {
      const h = (tw as unknown as { handler: { rt: Runtime } }).handler;
      const x = new ortNode.Tensor('float32', rand(6, 50), [2, 3]);
      await tw.run({ x });
      const live = h.rt.memory().liveTensors;
      const inUse = h.rt.memory().wasm.inUse;
      for (let i = 0; i < 5; i++) await tw.run({ x });
      expect(h.rt.memory().liveTensors).toBe(live);
      expect(h.rt.memory().wasm.inUse).toBe(inUse);
      await expect(tw.run({ x: new ortNode.Tensor('float32', rand(8, 51), [2, 4]) })).rejects.toThrow(/input 'x' must have shape \[n,3\], got \[2,4\] \(dimension 1 is 4, expected 3\)/);
      await expect(tw.run({ x: new ortNode.Tensor('float32', rand(3, 52), [3]) })).rejects.toThrow(/input 'x' must have rank 2 \[n,3\], got \[3\]/);
      await expect(tw.run({ x: new ortNode.Tensor('int32', Int32Array.from([1, 2, 3]), [1, 3]) })).rejects.toThrow(/input 'x' must be float32, got int32/);
      // a failed run leaves nothing behind either, and the next run is served as before
      expect(h.rt.memory().liveTensors).toBe(live);
      const again = await tw.run({ x });
      expect(again.y!.dims).toEqual([8]);
    } finally {
      await tw.release();
    }
  });

  it('serialises overlapping runs', async () => {
    const tw = await ortNode.InferenceSession.create(model, OPTS);
    try {
      const xs = [1, 2, 3, 4].map((n) => new ortNode.Tensor('float32', rand(n * 3, 60 + n), [n, 3]));
      const all = await Promise.all(xs.map((x) => tw.run({ x })));
      const one = [];
      for (const x of xs) one.push(await tw.run({ x }));
      expect(all.map((o) => Array.from(o.y!.data as Float32Array))).toEqual(one.map((o) => Array.from(o.y!.data as Float32Array)));
    } finally {
      await tw.release();
    }
  });
});
