/**
 * Range and int64 arithmetic through the ORT backend: a shape subgraph (Shape → Gather → int64 Mul,
 * Sub, Div, Mod, Max → Range, and int64 comparisons) whose Range inputs are computed scalars, read at
 * run time for each fed shape, and a float32 Range on fed scalars. Compared with onnxruntime-node
 * CPU; every output is an integer or an exactly representable float32, so the comparison is exact.
 */
import * as ortCommon from 'onnxruntime-common';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { createRuntime } from '../core/runtime.js';
import { buildModel, T } from './ort/build-model.js';

registerOrtBackend(ortCommon as unknown as OrtModule, { warn: () => undefined });

// twinops-webgpu too where an adapter exists: its float32 scalars live on the GPU and Range reads them on the host
let gpu = true;
try {
  (await createRuntime({ device: 'webgpu', threads: 1 })).dispose();
} catch {
  gpu = false;
}
const EPS = gpu ? ['twinops', 'twinops-webgpu'] : ['twinops'];

type Feed = { type: 'float32' | 'int64' | 'int32'; data: Float32Array | BigInt64Array | Int32Array; dims: number[] };

async function run(ort: typeof ortCommon, bytes: Uint8Array, feeds: Record<string, Feed>, options: object) {
  const s = await ort.InferenceSession.create(bytes, options);
  try {
    const f: Record<string, ortCommon.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor(v.type, v.data as Float32Array, v.dims);
    const out = await s.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>) }]));
  } finally {
    await s.release();
  }
}

const i64 = (name: string, v: number) => ({ name, type: T.INT64, dims: [], data: BigInt64Array.from([BigInt(v)]) });

// n = X.shape[1]; limit = max(n·3 − 1, 4); r = Range(0, limit, 2); q = limit / 2; m = limit mod 3;
// eq = Equal(r, q), lt = Less(r, n)
const shapeModel = buildModel({
  opset: 13,
  inputs: [{ name: 'X', type: T.FLOAT, dims: ['a', 'b'] }],
  outputs: ['r', 'q', 'm', 'eq', 'lt', 'neg'].map((name) => ({ name, type: 0 })),
  initializers: [i64('one_idx', 1), i64('three', 3), i64('one', 1), i64('four', 4), i64('zero', 0), i64('two', 2)],
  nodes: [
    { op: 'Shape', inputs: ['X'], outputs: ['s'] },
    { op: 'Gather', inputs: ['s', 'one_idx'], outputs: ['n'], attrs: { axis: 0 } },
    { op: 'Mul', inputs: ['n', 'three'], outputs: ['n3'] },
    { op: 'Sub', inputs: ['n3', 'one'], outputs: ['n31'] },
    { op: 'Max', inputs: ['n31', 'four'], outputs: ['limit'] },
    { op: 'Range', inputs: ['zero', 'limit', 'two'], outputs: ['r'] },
    { op: 'Div', inputs: ['limit', 'two'], outputs: ['q'] },
    { op: 'Mod', inputs: ['limit', 'three'], outputs: ['m'] },
    { op: 'Equal', inputs: ['r', 'q'], outputs: ['eq'] },
    { op: 'Less', inputs: ['r', 'n'], outputs: ['lt'] },
    { op: 'Neg', inputs: ['r'], outputs: ['neg'] },
  ],
});

const floatModel = buildModel({
  opset: 13,
  inputs: ['start', 'limit', 'delta'].map((name) => ({ name, type: T.FLOAT, dims: [] })),
  outputs: [{ name: 'y', type: 0 }],
  nodes: [{ op: 'Range', inputs: ['start', 'limit', 'delta'], outputs: ['y'] }],
});

// y = Sqrt(Cast(Range(0, |X|, 1)) + X) and z = Clip(X, lo, hi): nodes after a computed Range and a
// Clip with fed bounds are unseen by the shape plan (WebGPU sessions place them at run time)
const downstreamModel = buildModel({
  opset: 13,
  inputs: [{ name: 'X', type: T.FLOAT, dims: ['n'] }, { name: 'lo', type: T.FLOAT, dims: [] }, { name: 'hi', type: T.FLOAT, dims: [] }],
  outputs: [{ name: 'y', type: 0 }, { name: 'z', type: 0 }],
  initializers: [i64('zero', 0), i64('one', 1), i64('idx0', 0)],
  nodes: [
    { op: 'Shape', inputs: ['X'], outputs: ['s'] },
    { op: 'Gather', inputs: ['s', 'idx0'], outputs: ['n'], attrs: { axis: 0 } },
    { op: 'Range', inputs: ['zero', 'n', 'one'], outputs: ['r'] },
    { op: 'Cast', inputs: ['r'], outputs: ['rf'], attrs: { to: T.FLOAT } },
    { op: 'Add', inputs: ['rf', 'X'], outputs: ['sum'] },
    { op: 'Sqrt', inputs: ['sum'], outputs: ['y'] },
    { op: 'Clip', inputs: ['X', 'lo', 'hi'], outputs: ['z'] },
  ],
});

describe.each(EPS)('Range and int64 shape arithmetic through the ORT backend (%s)', (ep) => {
  const TWINOPS = { executionProviders: [ep], intraOpNumThreads: 1 };
  it('a shape subgraph computes its Range inputs per fed shape', async () => {
    for (const dims of [[2, 1], [1, 5], [3, 8], [1, 0]]) {
      const feeds = { X: { type: 'float32' as const, data: new Float32Array(dims[0]! * dims[1]!), dims } };
      const got = await run(ortCommon, shapeModel, feeds, TWINOPS);
      const want = await run(ortNode as unknown as typeof ortCommon, shapeModel, feeds, {});
      expect(got, `X ${JSON.stringify(dims)}`).toEqual(want);
    }
  });

  it('nodes after a computed Range, and Clip with fed bounds', async () => {
    for (const n of [1, 6, 33]) {
      const f = (v: number) => ({ type: 'float32' as const, data: Float32Array.of(v), dims: [] });
      const feeds = { X: { type: 'float32' as const, data: Float32Array.from({ length: n }, (_, i) => i * 0.5), dims: [n] }, lo: f(1), hi: f(4.25) };
      expect(await run(ortCommon, downstreamModel, feeds, TWINOPS)).toEqual(await run(ortNode as unknown as typeof ortCommon, downstreamModel, feeds, {}));
    }
  });

  it('float32 Range on fed scalars', async () => {
    for (const [s, l, d] of [[1, 5, 2], [10, 6, -3], [-2.5, 3.75, 0.25], [0, 0.3, 0.1], [5, 1, 1]]) {
      const f = (v: number) => ({ type: 'float32' as const, data: Float32Array.of(v), dims: [] });
      const feeds = { start: f(s!), limit: f(l!), delta: f(d!) };
      expect(await run(ortCommon, floatModel, feeds, TWINOPS)).toEqual(await run(ortNode as unknown as typeof ortCommon, floatModel, feeds, {}));
    }
  });
});
