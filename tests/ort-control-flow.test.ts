/**
 * Control flow, sequences, optionals, model-local functions and external data through the ORT
 * backend, on small models built with onnx-proto and compared with onnxruntime-node (CPU).
 * Tolerance: the bodies run the same float32 ops in the same order as onnxruntime (adds, muls,
 * concatenations, slices), so results are compared to 1e-6 relative (a fused multiply-add or a
 * different summation order in one op may move the last bit), integers and shapes exactly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';
import * as ortCommon from 'onnxruntime-common';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../adapters/ort/graph.js';
import { inferShapes } from '../adapters/ort/infer.js';
import { registerOrtBackend, runOnnxValues, parseModel, type OrtModule } from '../adapters/ort/index.js';
import { createRuntime } from '../core/runtime.js';
import { registry } from '../registry/registry.js';
import { tensorProto, T, type TensorSpec } from './ort/build-model.js';

const { onnx } = onnxProto;
registerOrtBackend(ortCommon as unknown as OrtModule, { warn: () => undefined });

let gpu = true;
try {
  (await createRuntime({ device: 'webgpu', threads: 1 })).dispose();
} catch {
  gpu = false;
}

const A = onnx.AttributeProto.AttributeType;

type Ty = { t: number; dims?: (number | string)[] } | { seq: number } | { opt: number };
interface V {
  name: string;
  ty?: Ty;
}
interface N {
  op: string;
  in: string[];
  out: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, number | number[] | string | G | { f: number } | { tensor: TensorSpec } | { ref: string; type: number }>;
}
interface G {
  inputs: V[];
  outputs: V[];
  nodes: N[];
  inits?: TensorSpec[];
}

function typeProto(ty: Ty): object {
  const tensor = (t: number, dims?: (number | string)[]) => ({ tensorType: { elemType: t, shape: dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } });
  if ('t' in ty) return tensor(ty.t, ty.dims);
  if ('seq' in ty) return { sequenceType: { elemType: tensor(ty.seq) } };
  return { optionalType: { elemType: tensor(ty.opt) } };
}
const vi = (v: V) => onnx.ValueInfoProto.create(v.ty ? { name: v.name, type: typeProto(v.ty) } : { name: v.name });

function attr(name: string, v: NonNullable<N['attrs']>[string]): InstanceType<typeof onnx.AttributeProto> {
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: v });
  if (typeof v === 'number') return onnx.AttributeProto.create({ name, type: A.INT, i: v });
  if ('f' in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.f });
  if ('tensor' in v) return onnx.AttributeProto.create({ name, type: A.TENSOR, t: tensorProto(v.tensor) });
  if ('ref' in v) return onnx.AttributeProto.create({ name, type: v.type, refAttrName: v.ref });
  return onnx.AttributeProto.create({ name, type: A.GRAPH, g: graph(v, name) });
}

function node(n: N, k: number): InstanceType<typeof onnx.NodeProto> {
  return onnx.NodeProto.create({ name: n.name ?? `${n.op}_${k}`, opType: n.op, domain: n.domain ?? '', input: n.in, output: n.out, attribute: Object.entries(n.attrs ?? {}).map(([a, v]) => attr(a, v)) });
}

function graph(g: G, name = 'g'): InstanceType<typeof onnx.GraphProto> {
  return onnx.GraphProto.create({ name, node: g.nodes.map(node), input: g.inputs.map(vi), output: g.outputs.map(vi), initializer: (g.inits ?? []).map(tensorProto) });
}

interface Fn {
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes?: string[];
  nodes: N[];
}

function model(g: G, opset: number, fns: Fn[] = [], tweak?: (m: InstanceType<typeof onnx.ModelProto>) => void): Uint8Array {
  const domains = [...new Set(fns.map((f) => f.domain))];
  const m = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'twinops-tests',
    opsetImport: [{ domain: '', version: opset }, ...domains.map((d) => ({ domain: d, version: 1 }))],
    graph: graph(g),
    functions: fns.map((f) =>
      onnx.FunctionProto.create({ name: f.name, domain: f.domain, input: f.inputs, output: f.outputs, attribute: f.attributes ?? [], node: f.nodes.map(node), opsetImport: [{ domain: '', version: opset }, ...domains.map((d) => ({ domain: d, version: 1 }))] }),
    ),
  });
  tweak?.(m);
  return Uint8Array.from(onnx.ModelProto.encode(m).finish());
}

type Feed = { type: 'float32' | 'int64' | 'int32' | 'bool'; data: Float32Array | BigInt64Array | Int32Array | Uint8Array; dims: number[] };
const f32 = (data: number[], dims = [data.length]): Feed => ({ type: 'float32', data: Float32Array.from(data), dims });
const i64 = (v: number): Feed => ({ type: 'int64', data: BigInt64Array.from([BigInt(v)]), dims: [] });
const bool = (v: boolean): Feed => ({ type: 'bool', data: Uint8Array.from([v ? 1 : 0]), dims: [] });

type Out = Record<string, { type: string; dims: number[]; data: number[] }>;
const plain = (out: Record<string, ortCommon.Tensor>): Out =>
  Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>, Number) }]));

async function session(ort: typeof ortCommon, bytes: Uint8Array | string, options: object) {
  return ort.InferenceSession.create(bytes as Uint8Array, options);
}

async function runWith(ort: typeof ortCommon, bytes: Uint8Array | string, feeds: Record<string, Feed>, options: object): Promise<Out> {
  const s = await session(ort, bytes, options);
  try {
    const f: Record<string, ortCommon.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor(v.type, v.data as Float32Array, v.dims);
    return plain(await s.run(f));
  } finally {
    await s.release();
  }
}

const ours = (bytes: Uint8Array | string, feeds: Record<string, Feed>, threads = 1) => runWith(ortCommon, bytes, feeds, { executionProviders: ['twinops'], intraOpNumThreads: threads });
const reference = (bytes: Uint8Array | string, feeds: Record<string, Feed>) => runWith(ortNode as unknown as typeof ortCommon, bytes, feeds, { executionProviders: ['cpu'] });

function expectMatch(got: Out, want: Out): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [k, w] of Object.entries(want)) {
    const g = got[k]!;
    expect(g.type, k).toBe(w.type);
    expect(g.dims, k).toEqual(w.dims);
    w.data.forEach((v, i) => {
      if (Number.isNaN(v)) expect(g.data[i], `${k}[${i}]`).toBeNaN();
      else if (g.data[i] !== v) expect(Math.abs(g.data[i]! - v), `${k}[${i}]: ${g.data[i]} vs ${v}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v)));
    });
  }
}

/** Ours at 1 and 2 threads (bit-identical) against onnxruntime-node. */
async function check(bytes: Uint8Array, feeds: Record<string, Feed>): Promise<Out> {
  const want = await reference(bytes, feeds);
  const one = await ours(bytes, feeds, 1);
  expectMatch(one, want);
  expect(await ours(bytes, feeds, 2)).toEqual(one);
  return one;
}

const F = T.FLOAT;

// If: the branches read the outer X (then: X + 1, else: Concat(X, X·X), a different shape)
const ifModel = model(
  {
    inputs: [{ name: 'c', ty: { t: T.BOOL, dims: [] } }, { name: 'X', ty: { t: F, dims: ['n'] } }],
    outputs: [{ name: 'Y', ty: { t: F } }],
    nodes: [
      {
        op: 'If',
        in: ['c'],
        out: ['Y'],
        attrs: {
          then_branch: { inputs: [], outputs: [{ name: 'ty', ty: { t: F } }], inits: [{ name: 'one', type: F, dims: [1], data: [1] }], nodes: [{ op: 'Add', in: ['X', 'one'], out: ['ty'] }] },
          else_branch: {
            inputs: [],
            outputs: [{ name: 'ey', ty: { t: F } }],
            nodes: [
              { op: 'Mul', in: ['X', 'X'], out: ['sq'] },
              { op: 'Concat', in: ['X', 'sq'], out: ['ey'], attrs: { axis: 0 } },
            ],
          },
        },
      },
    ],
  },
  13,
);

// Loop: x ← x·a + b for M iterations while sum(x) < limit, scan output the per-iteration x; a, b and limit from the outer graph
const loopModel = model(
  {
    inputs: [{ name: 'M', ty: { t: T.INT64, dims: [] } }, { name: 'cond', ty: { t: T.BOOL, dims: [] } }, { name: 'x0', ty: { t: F, dims: [3] } }, { name: 'limit', ty: { t: F, dims: [] } }],
    outputs: [{ name: 'x', ty: { t: F } }, { name: 'xs', ty: { t: F } }, { name: 'iters', ty: { t: T.INT64 } }],
    nodes: [
      {
        op: 'Loop',
        in: ['M', 'cond', 'x0', 'zero'],
        out: ['x', 'iters', 'xs'],
        attrs: {
          body: {
            inputs: [{ name: 'i', ty: { t: T.INT64, dims: [] } }, { name: 'c_in', ty: { t: T.BOOL, dims: [] } }, { name: 'x_in', ty: { t: F } }, { name: 'n_in', ty: { t: T.INT64 } }],
            outputs: [{ name: 'c_out', ty: { t: T.BOOL } }, { name: 'x_out', ty: { t: F } }, { name: 'n_out', ty: { t: T.INT64 } }, { name: 'x_scan', ty: { t: F } }],
            nodes: [
              { op: 'Mul', in: ['x_in', 'a'], out: ['xa'] },
              { op: 'Add', in: ['xa', 'b'], out: ['x_out'] },
              { op: 'ReduceSum', in: ['x_out'], out: ['s'], attrs: { keepdims: 0 } },
              { op: 'Less', in: ['s', 'limit'], out: ['c_out'] },
              { op: 'Add', in: ['n_in', 'one64'], out: ['n_out'] },
              { op: 'Identity', in: ['x_out'], out: ['x_scan'] },
            ],
          },
        },
      },
    ],
  },
  13,
  [],
  (m) => {
    m.graph!.initializer = [{ name: 'a', type: F, dims: [3], data: [1.5, -0.5, 2] }, { name: 'b', type: F, dims: [1], data: [0.25] }, { name: 'zero', type: T.INT64, dims: [], data: [0] }, { name: 'one64', type: T.INT64, dims: [], data: [1] }].map((t) => tensorProto(t));
  },
);

// Scan 11: running sum over axis 1 of X [2, L, 3], the input scanned backwards, the scan output stacked on axis 1 in reverse
const scanModel = model(
  {
    inputs: [{ name: 'init', ty: { t: F, dims: [2, 3] } }, { name: 'X', ty: { t: F, dims: [2, 'L', 3] } }],
    outputs: [{ name: 'final', ty: { t: F } }, { name: 'partial', ty: { t: F } }],
    nodes: [
      {
        op: 'Scan',
        in: ['init', 'X'],
        out: ['final', 'partial'],
        attrs: {
          num_scan_inputs: 1,
          scan_input_axes: [1],
          scan_input_directions: [1],
          scan_output_axes: [-1],
          scan_output_directions: [1],
          body: {
            inputs: [{ name: 's_in', ty: { t: F, dims: [2, 3] } }, { name: 'x_t', ty: { t: F, dims: [2, 3] } }],
            outputs: [{ name: 's_out', ty: { t: F } }, { name: 'y_t', ty: { t: F } }],
            nodes: [
              { op: 'Add', in: ['s_in', 'x_t'], out: ['s_out'] },
              { op: 'Mul', in: ['s_out', 'w'], out: ['y_t'] },
            ],
          },
        },
      },
    ],
  },
  11,
  [],
  (m) => {
    m.graph!.initializer = [tensorProto({ name: 'w', type: F, dims: [3], data: [1, -2, 0.5] })];
  },
);

// sequences: SplitToSequence → SequenceInsert (front) → SequenceErase (last) → SequenceAt / Length → ConcatFromSequence (new axis)
const seqModel = model(
  {
    inputs: [{ name: 'X', ty: { t: F, dims: [4, 'n'] } }, { name: 'Z', ty: { t: F, dims: [1, 'n'] } }],
    outputs: [{ name: 'stacked', ty: { t: F } }, { name: 'at1', ty: { t: F } }, { name: 'len', ty: { t: T.INT64 } }, { name: 'cat', ty: { t: F } }],
    nodes: [
      { op: 'SplitToSequence', in: ['X'], out: ['s'], attrs: { axis: 0 } },
      { op: 'SequenceInsert', in: ['s', 'Z', 'zero'], out: ['s2'] },
      { op: 'SequenceErase', in: ['s2'], out: ['s3'] },
      { op: 'SequenceAt', in: ['s3', 'minus3'], out: ['at1'] },
      { op: 'SequenceLength', in: ['s3'], out: ['len'] },
      { op: 'ConcatFromSequence', in: ['s3'], out: ['stacked'], attrs: { axis: 1, new_axis: 1 } },
      { op: 'ConcatFromSequence', in: ['s3'], out: ['cat'], attrs: { axis: -1 } },
    ],
  },
  13,
  [],
  (m) => {
    m.graph!.initializer = [tensorProto({ name: 'zero', type: T.INT64, dims: [], data: [0] }), tensorProto({ name: 'minus3', type: T.INT32, dims: [], data: [-3] })];
  },
);

// optionals: Optional(X) → OptionalHasElement / OptionalGetElement; an If on the has-element flag
const optModel = model(
  {
    inputs: [{ name: 'X', ty: { t: F, dims: [3] } }],
    outputs: [{ name: 'has', ty: { t: T.BOOL } }, { name: 'got', ty: { t: F } }, { name: 'none', ty: { t: T.BOOL } }],
    nodes: [
      { op: 'Optional', in: ['X'], out: ['o'] },
      { op: 'OptionalHasElement', in: ['o'], out: ['has'] },
      { op: 'OptionalGetElement', in: ['o'], out: ['g'] },
      { op: 'Neg', in: ['g'], out: ['got'] },
      { op: 'OptionalHasElement', in: [''], out: ['none'] },
    ],
  },
  18,
);

// model-local functions: Lin(x, y; alpha) = x·alpha + Sq(y), Sq(v) = v·v, called twice (names made unique per call)
const fnModel = model(
  {
    inputs: [{ name: 'A', ty: { t: F, dims: [4] } }, { name: 'B', ty: { t: F, dims: [4] } }],
    outputs: [{ name: 'Y', ty: { t: F } }, { name: 'Z', ty: { t: F } }],
    nodes: [
      { op: 'Lin', domain: 'local.fn', in: ['A', 'B'], out: ['Y'], attrs: { alpha: { f: 2.5 } } },
      { op: 'Lin', domain: 'local.fn', in: ['Y', 'A'], out: ['Z'], attrs: { alpha: { f: -1 } } },
    ],
  },
  18,
  [
    {
      name: 'Lin',
      domain: 'local.fn',
      inputs: ['x', 'y'],
      outputs: ['out'],
      attributes: ['alpha'],
      nodes: [
        { op: 'Constant', in: [], out: ['al'], attrs: { value_float: { ref: 'alpha', type: A.FLOAT } } },
        { op: 'Mul', in: ['x', 'al'], out: ['t'] },
        { op: 'Sq', domain: 'local.fn', in: ['y'], out: ['yy'] },
        { op: 'Add', in: ['t', 'yy'], out: ['out'] },
      ],
    },
    { name: 'Sq', domain: 'local.fn', inputs: ['v'], outputs: ['w'], nodes: [{ op: 'Mul', in: ['v', 'v'], out: ['w'] }] },
  ],
);

describe('ORT backend: If, Loop, Scan', () => {
  it('If runs the chosen branch with outer-scope values; branch shapes may differ', async () => {
    const X = f32([0.5, -2, 3, Number.NaN, 1e30]);
    expect((await check(ifModel, { c: bool(true), X })).Y!.dims).toEqual([5]);
    expect((await check(ifModel, { c: bool(false), X })).Y!.dims).toEqual([10]);
    await check(ifModel, { c: bool(false), X: f32([]) });
  });

  it('If: a branch that cannot take the fed shapes (the one not taken) does not fail inference', async () => {
    const m = model(
      {
        inputs: [{ name: 'c', ty: { t: T.BOOL, dims: [] } }, { name: 'X', ty: { t: F, dims: [1, 'k'] } }],
        outputs: [{ name: 'Y', ty: { t: F } }],
        nodes: [
          {
            op: 'If',
            in: ['c'],
            out: ['Y'],
            attrs: {
              then_branch: { inputs: [], outputs: [{ name: 'a', ty: { t: F } }], inits: [{ name: 'W2', type: F, dims: [2, 2], data: [1, 2, 3, 4] }], nodes: [{ op: 'MatMul', in: ['X', 'W2'], out: ['a'] }] },
              else_branch: { inputs: [], outputs: [{ name: 'b', ty: { t: F } }], inits: [{ name: 'W3', type: F, dims: [3, 1], data: [1, -1, 2] }], nodes: [{ op: 'MatMul', in: ['X', 'W3'], out: ['b'] }] },
            },
          },
        ],
      },
      13,
    );
    await check(m, { c: bool(false), X: f32([1, 2, 3], [1, 3]) });
    await check(m, { c: bool(true), X: f32([1, 2], [1, 2]) });
  });

  it('Loop: trip count, condition from the body, loop-carried values and stacked scan outputs', async () => {
    for (const [m, cond, limit] of [[5, true, 1e9], [6, true, 8], [4, false, 1e9], [0, true, 1e9]] as const) {
      const out = await check(loopModel, { M: i64(m), cond: bool(cond), x0: f32([1, 2, -1]), limit: f32([limit], []) });
      if (m === 0 || !cond) expect(out.iters!.data).toEqual([0]);
    }
  });

  it('Scan 11: axes, directions and a state, over lengths 1 and 5', async () => {
    const x = (l: number) => f32(Array.from({ length: 2 * l * 3 }, (_, i) => Math.sin(i) * 3), [2, l, 3]);
    for (const l of [1, 5]) await check(scanModel, { init: f32([1, 2, 3, 4, 5, 6], [2, 3]), X: x(l) });
  });

  it('disposes every subgraph intermediate: the live tensor count returns to the constants after each run', async () => {
    const s = await session(ortCommon, loopModel, { executionProviders: ['twinops'] });
    try {
      const rt = (s as unknown as { handler: { rt: { memory(): { liveTensors: number } } } }).handler.rt;
      const feeds = { M: new ortCommon.Tensor('int64', BigInt64Array.from([3n]), []), cond: new ortCommon.Tensor('bool', Uint8Array.from([1]), []), x0: new ortCommon.Tensor('float32', Float32Array.from([1, 2, 3]), [3]), limit: new ortCommon.Tensor('float32', Float32Array.from([1e9]), []) };
      await s.run(feeds);
      const after1 = rt.memory().liveTensors;
      await s.run(feeds);
      await s.run({ ...feeds, M: new ortCommon.Tensor('int64', BigInt64Array.from([7n]), []) });
      expect(rt.memory().liveTensors).toBe(after1);
    } finally {
      await s.release();
    }
  });
});

// nested scopes: a Loop body holds an If whose branches read the main graph's `k` (two levels out) and the body's `x_in`
const nestedModel = model(
  {
    inputs: [{ name: 'M', ty: { t: T.INT64, dims: [] } }, { name: 'x0', ty: { t: F, dims: [2] } }, { name: 'k', ty: { t: F, dims: [2] } }],
    outputs: [{ name: 'x', ty: { t: F } }],
    nodes: [
      {
        op: 'Loop',
        in: ['M', '', 'x0'],
        out: ['x'],
        attrs: {
          body: {
            inputs: [{ name: 'i', ty: { t: T.INT64, dims: [] } }, { name: 'c', ty: { t: T.BOOL, dims: [] } }, { name: 'x_in', ty: { t: F } }],
            outputs: [{ name: 'c_out', ty: { t: T.BOOL } }, { name: 'x_out', ty: { t: F } }],
            nodes: [
              { op: 'Identity', in: ['c'], out: ['c_out'] },
              { op: 'Mod', in: ['i', 'two'], out: ['r'] },
              { op: 'Equal', in: ['r', 'zero'], out: ['even'] },
              {
                op: 'If',
                in: ['even'],
                out: ['x_out'],
                attrs: {
                  then_branch: { inputs: [], outputs: [{ name: 'a', ty: { t: F } }], nodes: [{ op: 'Add', in: ['x_in', 'k'], out: ['a'] }] },
                  else_branch: { inputs: [], outputs: [{ name: 'b', ty: { t: F } }], nodes: [{ op: 'Mul', in: ['x_in', 'k'], out: ['b'] }] },
                },
              },
            ],
          },
        },
      },
    ],
  },
  13,
  [],
  (m) => {
    m.graph!.initializer = [tensorProto({ name: 'two', type: T.INT64, dims: [], data: [2] }), tensorProto({ name: 'zero', type: T.INT64, dims: [], data: [0] })];
  },
);

describe('ORT backend: nested scopes, shape inference, WebGPU', () => {
  it('a branch inside a loop body reads values two scopes out', async () => {
    for (const m of [0, 1, 4]) await check(nestedModel, { M: i64(m), x0: f32([1, -2]), k: f32([0.5, 3]) });
  });

  it('inference: If outputs are known where the branches agree, Scan outputs gain the scan length, Loop keeps carried shapes', () => {
    const infer = (bytes: Uint8Array, known: Record<string, { dtype: 'float32' | 'bool' | 'int64'; shape: number[] }>) => inferShapes(buildGraph(parseModel(bytes)), new Map(Object.entries(known)), registry, 'wasm').values;
    // branch shapes differ ([n] vs [2n]): unknown until run time
    expect(infer(ifModel, { c: { dtype: 'bool', shape: [] }, X: { dtype: 'float32', shape: [5] } }).get('Y')).toBeUndefined();
    const scan = infer(scanModel, { init: { dtype: 'float32', shape: [2, 3] }, X: { dtype: 'float32', shape: [2, 7, 3] } });
    expect(scan.get('final')).toEqual({ dtype: 'float32', shape: [2, 3] });
    expect(scan.get('partial')).toEqual({ dtype: 'float32', shape: [2, 3, 7] });
    const loop = infer(loopModel, { M: { dtype: 'int64', shape: [] }, cond: { dtype: 'bool', shape: [] }, x0: { dtype: 'float32', shape: [3] }, limit: { dtype: 'float32', shape: [] } });
    expect(loop.get('x')).toEqual({ dtype: 'float32', shape: [3] });
    expect(loop.get('xs')).toBeUndefined();
  });

  it.runIf(gpu)('twinops-webgpu runs the bodies, moving values where a node falls back to wasm', async () => {
    const cases: [Uint8Array, Record<string, Feed>][] = [
      [loopModel, { M: i64(5), cond: bool(true), x0: f32([1, 2, -1]), limit: f32([1e9], []) }],
      [scanModel, { init: f32([1, 2, 3, 4, 5, 6], [2, 3]), X: f32(Array.from({ length: 24 }, (_, i) => i / 4), [2, 4, 3]) }],
      [seqModel, { X: f32([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]), Z: f32([-1, -2], [1, 2]) }],
      [nestedModel, { M: i64(3), x0: f32([1, -2]), k: f32([0.5, 3]) }],
    ];
    for (const [bytes, feeds] of cases) expectMatch(await runWith(ortCommon, bytes, feeds, { executionProviders: ['twinops-webgpu'] }), await reference(bytes, feeds));
  });
});

describe('ORT backend: sequences and optionals', () => {
  it('sequence ops inside the graph match onnxruntime-node', async () => {
    await check(seqModel, { X: f32([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]), Z: f32([-1, -2], [1, 2]) });
    await check(seqModel, { X: f32(Array.from({ length: 12 }, (_, i) => i / 3), [4, 3]), Z: f32([9, 8, 7], [1, 3]) });
  });

  it('bad positions and empty sequences are typed errors naming the node; an empty optional feed is null', async () => {
    const m = model(
      {
        inputs: [{ name: 'X', ty: { t: F, dims: [2, 3] } }, { name: 'p', ty: { t: T.INT64, dims: [] } }, { name: 'o', ty: { opt: F } }],
        outputs: [{ name: 'at', ty: { t: F } }, { name: 'has', ty: { t: T.BOOL } }],
        nodes: [
          { op: 'SplitToSequence', in: ['X'], out: ['s'], attrs: { axis: 1, keepdims: 0 } },
          { op: 'SequenceAt', name: 'pick', in: ['s', 'p'], out: ['at'] },
          { op: 'OptionalHasElement', in: ['o'], out: ['has'] },
        ],
      },
      18,
    );
    const s = await session(ortCommon, m, { executionProviders: ['twinops'] });
    try {
      const X = new ortCommon.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
      const p = (v: number) => new ortCommon.Tensor('int64', BigInt64Array.from([BigInt(v)]), []);
      // an empty optional is fed as null (onnxruntime-common wants every input named)
      const out = await s.run({ X, p: p(-1), o: null as unknown as ortCommon.Tensor });
      expect([...out.at!.dims]).toEqual([2]);
      expect(Array.from(out.at!.data as Float32Array)).toEqual([3, 6]);
      expect(Array.from(out.has!.data as Uint8Array)).toEqual([0]);
      expect(Array.from((await s.run({ X, p: p(0), o: new ortCommon.Tensor('float32', Float32Array.from([1]), [1]) })).has!.data as Uint8Array)).toEqual([1]);
      await expect(s.run({ X, p: p(3), o: null as unknown as ortCommon.Tensor })).rejects.toThrow(/SequenceAt 'pick'.*position 3 is out of range \[-3, 2\] for a sequence of 3/);
    } finally {
      await s.release();
    }
    const empty = model({ inputs: [{ name: 'X', ty: { t: F, dims: [1] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'SequenceEmpty', in: [], out: ['e'] }, { op: 'ConcatFromSequence', name: 'join', in: ['e'], out: ['c'], attrs: { axis: 0 } }, { op: 'Add', in: ['c', 'X'], out: ['Y'] }] }, 13);
    const s2 = await session(ortCommon, empty, { executionProviders: ['twinops'] });
    try {
      await expect(s2.run({ X: new ortCommon.Tensor('float32', Float32Array.from([1]), [1]) })).rejects.toThrow(/ConcatFromSequence 'join'.*cannot concatenate an empty sequence/);
    } finally {
      await s2.release();
    }
  });

  it('optional ops match onnxruntime-node', async () => {
    await check(optModel, { X: f32([1, -2, 3]) });
  });

  it('sequence feeds and fetches go through runOnnxValues; InferenceSession.run refuses a sequence output with a typed error', async () => {
    const m = model(
      {
        inputs: [{ name: 'S', ty: { seq: F } }, { name: 'X', ty: { t: F, dims: [2] } }],
        outputs: [{ name: 'out', ty: { seq: F } }, { name: 'n', ty: { t: T.INT64 } }],
        nodes: [
          { op: 'SequenceInsert', in: ['S', 'X'], out: ['out'] },
          { op: 'SequenceLength', in: ['out'], out: ['n'] },
        ],
      },
      13,
    );
    const s = await session(ortCommon, m, { executionProviders: ['twinops'] });
    try {
      const S = [new ortCommon.Tensor('float32', Float32Array.from([1, 2, 3]), [3])];
      const X = new ortCommon.Tensor('float32', Float32Array.from([4, 5]), [2]);
      await expect(s.run({ S: S as unknown as ortCommon.Tensor, X })).rejects.toThrow(/output 'out' is a sequence.*runOnnxValues/);
      const out = await runOnnxValues(s, { S, X });
      const seq = out.out as ortCommon.Tensor[];
      expect(seq.map((t) => [...t.dims])).toEqual([[3], [2]]);
      expect(Array.from(seq[1]!.data as Float32Array)).toEqual([4, 5]);
      expect(Number((out.n as ortCommon.Tensor).data[0])).toBe(2);
      expect(s.inputMetadata[0]).toEqual({ name: 'S', isTensor: false });
      await expect(runOnnxValues(s, { S: X, X })).rejects.toThrow(/feed 'S' is a sequence/);
    } finally {
      await s.release();
    }
  });
});

describe('ORT backend: model-local functions', () => {
  it('expands function calls (attribute references, nested calls, two calls of one function)', async () => {
    await check(fnModel, { A: f32([1, 2, -3, 0.5]), B: f32([0, -1, 4, 2]) });
  });

  it('a function body holding an If whose branches read the function inputs (renamed per call)', async () => {
    const m = model(
      {
        inputs: [{ name: 'c', ty: { t: T.BOOL, dims: [] } }, { name: 'A', ty: { t: F, dims: [3] } }, { name: 'B', ty: { t: F, dims: [3] } }],
        outputs: [{ name: 'Y', ty: { t: F } }, { name: 'Z', ty: { t: F } }],
        nodes: [
          { op: 'Pick', domain: 'local.fn', in: ['c', 'A', 'B'], out: ['Y'] },
          { op: 'Pick', domain: 'local.fn', in: ['c', 'B', 'Y'], out: ['Z'] },
        ],
      },
      18,
      [
        {
          name: 'Pick',
          domain: 'local.fn',
          inputs: ['cond', 'x', 'y'],
          outputs: ['out'],
          nodes: [
            { op: 'Add', in: ['x', 'y'], out: ['s'] },
            {
              op: 'If',
              in: ['cond'],
              out: ['out'],
              attrs: {
                then_branch: { inputs: [], outputs: [{ name: 't', ty: { t: F } }], nodes: [{ op: 'Mul', in: ['s', 'x'], out: ['t'] }] },
                else_branch: { inputs: [], outputs: [{ name: 'e', ty: { t: F } }], nodes: [{ op: 'Sub', in: ['s', 'y'], out: ['e'] }] },
              },
            },
          ],
        },
      ],
    );
    for (const c of [true, false]) await check(m, { c: bool(c), A: f32([1, 2, 3]), B: f32([-1, 0.5, 4]) });
  });

  it('a declared attribute default (FunctionProto.attribute_proto) applies where the call gives none', async () => {
    const base = model(
      {
        inputs: [{ name: 'A', ty: { t: F, dims: [3] } }],
        outputs: [{ name: 'Y', ty: { t: F } }, { name: 'Z', ty: { t: F } }],
        nodes: [
          { op: 'Scale', domain: 'local.fn', in: ['A'], out: ['Y'] },
          { op: 'Scale', domain: 'local.fn', in: ['A'], out: ['Z'], attrs: { alpha: { f: -2 } } },
        ],
      },
      18,
      [],
      (m) => {
        m.opsetImport.push(onnx.OperatorSetIdProto.create({ domain: 'local.fn', version: 1 }));
      },
    );
    // onnx-proto 8 cannot write attribute_proto (field 11): append it to the encoded FunctionProto, and that to the model (field 25)
    const fn = onnx.FunctionProto.encode(
      onnx.FunctionProto.create({
        name: 'Scale',
        domain: 'local.fn',
        input: ['x'],
        output: ['y'],
        opsetImport: [{ domain: '', version: 18 }],
        node: [node({ op: 'Constant', in: [], out: ['al'], attrs: { value_float: { ref: 'alpha', type: A.FLOAT } } }, 0), node({ op: 'Mul', in: ['x', 'al'], out: ['y'] }, 1)],
      }),
    ).finish();
    const def = onnx.AttributeProto.encode(onnx.AttributeProto.create({ name: 'alpha', type: A.FLOAT, f: 3 })).finish();
    const fnBytes = protobuf.Writer.create().uint32(90).bytes(def).finish();
    const withFn = protobuf.Writer.create().uint32(202).bytes(Uint8Array.from([...fn, ...fnBytes])).finish();
    const bytes = Uint8Array.from([...base, ...withFn]);
    const out = await check(bytes, { A: f32([1, -2, 0.5]) });
    expect(out.Y!.data).toEqual([3, -6, 1.5]);
    expect(out.Z!.data).toEqual([-2, 4, -1]);
  });

  it('a call giving an attribute the function does not declare is an OnnxModelError naming the node', async () => {
    const bad = model({ ...{ inputs: [{ name: 'A', ty: { t: F, dims: [1] } }], outputs: [{ name: 'Y', ty: { t: F } }] }, nodes: [{ op: 'Sq', domain: 'local.fn', in: ['A'], out: ['Y'], name: 'callSq', attrs: { beta: 1 } }] }, 18, [
      { name: 'Sq', domain: 'local.fn', inputs: ['v'], outputs: ['w'], nodes: [{ op: 'Mul', in: ['v', 'v'], out: ['w'] }] },
    ]);
    await expect(session(ortCommon, bad, { executionProviders: ['twinops'] })).rejects.toThrow(/node 'callSq' gives attribute 'beta' to function local.fn::Sq/);
  });
});

describe('ORT backend: external data', () => {
  const weights = Float32Array.from([0.5, -1, 2, 4]);
  const file = new Uint8Array(16 + weights.byteLength);
  file.set(new Uint8Array(weights.buffer), 16);
  const ext = (location: string, offset: number, length: number) =>
    model({ inputs: [{ name: 'X', ty: { t: F, dims: [4] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'Mul', in: ['X', 'W'], out: ['Y'] }] }, 13, [], (m) => {
      m.graph!.initializer = [
        onnx.TensorProto.create({ name: 'W', dataType: F, dims: [4], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }] }),
      ];
    });
  const X = f32([1, 2, 3, 4]);

  it('loads initializers from the externalData option and from files next to a model path', async () => {
    const bytes = ext('weights.bin', 16, 16);
    const dir = mkdtempSync(join(tmpdir(), 'twinops-ext-'));
    writeFileSync(join(dir, 'model.onnx'), bytes);
    writeFileSync(join(dir, 'weights.bin'), file);
    const want = await reference(join(dir, 'model.onnx'), { X });
    expect(want.Y!.data).toEqual([0.5, -2, 6, 16]);
    expectMatch(await runWith(ortCommon, bytes, { X }, { executionProviders: ['twinops'], externalData: [{ path: 'weights.bin', data: file }] }), want);
    expectMatch(await runWith(ortCommon, bytes, { X }, { executionProviders: ['twinops'], externalData: [{ path: './weights.bin', data: file.buffer }] }), want);
    expectMatch(await ours(join(dir, 'model.onnx'), { X }), want);
  });

  it('resolves external tensors inside subgraphs (an If branch initializer)', async () => {
    const m = model({ inputs: [{ name: 'c', ty: { t: T.BOOL, dims: [] } }, { name: 'X', ty: { t: F, dims: [4] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'If', in: ['c'], out: ['Y'], attrs: { then_branch: { inputs: [], outputs: [{ name: 'a', ty: { t: F } }], nodes: [{ op: 'Mul', in: ['X', 'W'], out: ['a'] }] }, else_branch: { inputs: [], outputs: [{ name: 'b', ty: { t: F } }], nodes: [{ op: 'Neg', in: ['X'], out: ['b'] }] } } }] }, 13, [], (mp) => {
      const branch = mp.graph!.node![0]!.attribute![0]!.g as InstanceType<typeof onnx.GraphProto>;
      branch.initializer = [onnx.TensorProto.create({ name: 'W', dataType: F, dims: [4], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: '16' }] })];
    });
    const dir = mkdtempSync(join(tmpdir(), 'twinops-ext-'));
    writeFileSync(join(dir, 'model.onnx'), m);
    writeFileSync(join(dir, 'w.bin'), file);
    const feeds = { c: bool(true), X };
    expectMatch(await runWith(ortCommon, m, feeds, { executionProviders: ['twinops'], externalData: [{ path: 'w.bin', data: new Blob([file]) }] }), await reference(join(dir, 'model.onnx'), feeds));
  });

  it('a missing file or a range outside the file is an OnnxModelError naming the tensor', async () => {
    await expect(session(ortCommon, ext('weights.bin', 16, 16), { executionProviders: ['twinops'] })).rejects.toThrow(/tensor 'W' stores its data in 'weights.bin', which was not provided/);
    await expect(session(ortCommon, ext('weights.bin', 24, 16), { executionProviders: ['twinops'], externalData: [{ path: 'weights.bin', data: file }] })).rejects.toThrow(/tensor 'W': external data range offset 24, length 16 is outside 'weights.bin' \(32 bytes\)/);
    const dir = mkdtempSync(join(tmpdir(), 'twinops-ext-'));
    writeFileSync(join(dir, 'model.onnx'), ext('../weights.bin', 0, 16));
    await expect(session(ortCommon, join(dir, 'model.onnx'), { executionProviders: ['twinops'] })).rejects.toThrow(/external data location '..\/weights.bin' is outside the model's folder/);
  });
});

describe('ORT backend: control-flow errors name the node', () => {
  const cfg = { executionProviders: ['twinops'] };
  it('If with a non-bool or non-scalar cond', async () => {
    const m = model({ inputs: [{ name: 'c', ty: { t: T.INT32, dims: ['k'] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'If', name: 'pick', in: ['c'], out: ['Y'], attrs: { then_branch: { inputs: [], outputs: [{ name: 'one' }], nodes: [{ op: 'Constant', in: [], out: ['one'], attrs: { value_float: { f: 1 } } }] }, else_branch: { inputs: [], outputs: [{ name: 'two' }], nodes: [{ op: 'Constant', in: [], out: ['two'], attrs: { value_float: { f: 2 } } }] } } }] }, 13);
    const s = await session(ortCommon, m, cfg);
    try {
      await expect(s.run({ c: new ortCommon.Tensor('int32', Int32Array.from([1]), [1]) })).rejects.toThrow(/If 'pick'.*cond must be a bool tensor, got int32\[1\]/);
    } finally {
      await s.release();
    }
    const m2 = model({ inputs: [{ name: 'c', ty: { t: T.BOOL, dims: ['k'] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'If', name: 'pick', in: ['c'], out: ['Y'], attrs: { then_branch: { inputs: [], outputs: [{ name: 'one' }], nodes: [{ op: 'Constant', in: [], out: ['one'], attrs: { value_float: { f: 1 } } }] }, else_branch: { inputs: [], outputs: [{ name: 'one2' }], nodes: [{ op: 'Constant', in: [], out: ['one2'], attrs: { value_float: { f: 2 } } }] } } }] }, 13);
    const s2 = await session(ortCommon, m2, cfg);
    try {
      await expect(s2.run({ c: new ortCommon.Tensor('bool', Uint8Array.from([1, 0]), [2]) })).rejects.toThrow(/If 'pick'.*cond must hold one element, got bool\[2\]/);
    } finally {
      await s2.release();
    }
  });

  it('Loop with a float trip count, and a body of the wrong arity', async () => {
    const body = { inputs: [{ name: 'i', ty: { t: T.INT64, dims: [] } }, { name: 'ci', ty: { t: T.BOOL, dims: [] } }], outputs: [{ name: 'co' }], nodes: [{ op: 'Identity', in: ['ci'], out: ['co'] }] };
    const body3 = { inputs: [...body.inputs, { name: 'xi', ty: { t: F } }], outputs: [{ name: 'co' }, { name: 'xo' }], nodes: [{ op: 'Identity', in: ['ci'], out: ['co'] }, { op: 'Neg', in: ['xi'], out: ['xo'] }] };
    const m = model({ inputs: [{ name: 'M', ty: { t: F, dims: [] } }, { name: 'x', ty: { t: F, dims: [1] } }], outputs: [{ name: 'o', ty: { t: F } }], nodes: [{ op: 'Loop', name: 'spin', in: ['M', '', 'x'], out: ['o'], attrs: { body: body3 } }] }, 13);
    const s = await session(ortCommon, m, cfg);
    try {
      await expect(s.run({ M: new ortCommon.Tensor('float32', Float32Array.from([2]), []), x: new ortCommon.Tensor('float32', Float32Array.from([2]), [1]) })).rejects.toThrow(/Loop 'spin'.*M \(trip count\) must be a int64 tensor, got float32\[\]/);
    } finally {
      await s.release();
    }
    const bad = model({ inputs: [{ name: 'M', ty: { t: T.INT64, dims: [] } }, { name: 'x', ty: { t: F, dims: [1] } }], outputs: [{ name: 'o', ty: { t: F } }], nodes: [{ op: 'Loop', name: 'spin', in: ['M', '', 'x'], out: ['o'], attrs: { body } }] }, 13);
    await expect(session(ortCommon, bad, cfg)).rejects.toThrow(/Loop 'spin': the body takes 2 inputs, expected 3/);
  });

  it('Scan with an axis out of range', async () => {
    const m = model({ inputs: [{ name: 'X', ty: { t: F, dims: [2, 3] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'Scan', name: 'walk', in: ['X'], out: ['Y'], attrs: { num_scan_inputs: 1, scan_input_axes: [2], body: { inputs: [{ name: 'x', ty: { t: F } }], outputs: [{ name: 'y', ty: { t: F } }], nodes: [{ op: 'Neg', in: ['x'], out: ['y'] }] } } }] }, 11);
    const s = await session(ortCommon, m, cfg);
    try {
      await expect(s.run({ X: new ortCommon.Tensor('float32', new Float32Array(6), [2, 3]) })).rejects.toThrow(/Scan 'walk'.*scan_input_axes\[0\] = 2 is out of range for scan input 0 float32\[2,3\]/);
    } finally {
      await s.release();
    }
  });

  it('an unsupported op inside a branch is reported at session creation with the outer ones', async () => {
    const m = model({ inputs: [{ name: 'c', ty: { t: T.BOOL, dims: [] } }], outputs: [{ name: 'Y', ty: { t: F } }], nodes: [{ op: 'If', in: ['c'], out: ['Y'], attrs: { then_branch: { inputs: [], outputs: [{ name: 'a' }], nodes: [{ op: 'NoSuchOp', in: [], out: ['a'] }] }, else_branch: { inputs: [], outputs: [{ name: 'b' }], nodes: [{ op: 'Constant', in: [], out: ['b'], attrs: { value_float: { f: 2 } } }] } } }] }, 13);
    await expect(session(ortCommon, m, cfg)).rejects.toThrow(/NoSuchOp/);
  });
});
