/**
 * Differential tests: random single-op ONNX models (shapes, broadcasting, attributes, dtypes) built
 * with onnx-proto, run through onnxruntime-node's own CPU provider and through the twinops
 * provider in the same onnxruntime-node package, and compared.
 *
 * Tolerances, by what the op does:
 * - data movement, integer arithmetic, comparisons, casts, Max/Min/Abs/Neg/Relu/Floor/Ceil, ArgMax,
 *   MaxPool: exact (both sides compute the same IEEE result or only move values);
 * - float elementwise with transcendental functions: |d| ≤ 4e-6·|ref| + 1e-6 (both are within a few
 *   ulps of the true value; onnxruntime's MLAS uses its own polynomials);
 * - sums (MatMul, Gemm, Conv, AveragePool, reductions, Softmax): |d| ≤ 1e-5·(max|ref| + |ref|) ·
 *   √(terms)/4 floor 1e-5, since MLAS sums in blocked FMA order and twinops in its own order; each
 *   output element accumulates ~√terms ulps of difference.
 * NaN must match NaN. Every case has its seed in the test name, so a failure can be replayed.
 */
import * as ortNode from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerOrtBackend, TwinopsSessionHandler, type OrtModule } from '../adapters/ort/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T, type ModelSpec, type NodeSpec, type TensorSpec } from './ort/build-model.js';

type Tol = { kind: 'exact' } | { kind: 'ulps' } | { kind: 'sum'; terms: number };
type Dt = 'float32' | 'int32' | 'int64';
const ONNX_T: Record<Dt, number> = { float32: T.FLOAT, int32: T.INT32, int64: T.INT64 };

interface Case {
  name: string;
  spec: ModelSpec;
  feeds: Record<string, { dtype: Dt; data: Float32Array | Int32Array | BigInt64Array; dims: number[] }>;
  tol: Tol;
}

class Gen {
  readonly r: () => number;
  constructor(readonly seed: number) {
    this.r = prng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<X>(xs: readonly X[]): X {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  bool(p = 0.5): boolean {
    return this.r() < p;
  }
  shape(rank = this.int(1, 4), max = 6): number[] {
    return Array.from({ length: rank }, () => this.int(1, max));
  }
  /** A shape that broadcasts against `s` (dims dropped from the front, some set to 1). */
  broadcastOf(s: number[]): number[] {
    const drop = this.int(0, s.length - 1);
    return s.slice(drop).map((d) => (this.bool(0.3) ? 1 : d));
  }
  data(dtype: Dt, n: number, opts: { lo?: number; hi?: number; nonzero?: boolean } = {}): Float32Array | Int32Array | BigInt64Array {
    const lo = opts.lo ?? -3;
    const hi = opts.hi ?? 3;
    if (dtype === 'float32') return Float32Array.from({ length: n }, () => lo + this.r() * (hi - lo));
    const ints = Array.from({ length: n }, () => {
      let v = this.int(Math.ceil(lo * 10), Math.floor(hi * 10));
      if (opts.nonzero && v === 0) v = 1;
      return v;
    });
    return dtype === 'int32' ? Int32Array.from(ints) : BigInt64Array.from(ints, (v) => BigInt(v));
  }
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const ints64 = (name: string, v: number[]): TensorSpec => ({ name, type: T.INT64, dims: [v.length], data: v });

function single(g: Gen, label: string, node: NodeSpec, inputs: { name: string; dtype: Dt; dims: number[]; data: Float32Array | Int32Array | BigInt64Array }[], outDtype: number | number[], tol: Tol, inits: TensorSpec[] = [], opset = 13): Case {
  const outs = node.outputs.map((name, i) => ({ name, type: Array.isArray(outDtype) ? outDtype[i]! : outDtype }));
  return {
    name: `${label} (seed ${g.seed})`,
    spec: { opset, inputs: inputs.map((x) => ({ name: x.name, type: ONNX_T[x.dtype], dims: x.dims })), outputs: outs.map((o) => ({ name: o.name, type: o.type })), nodes: [node], initializers: inits },
    feeds: Object.fromEntries(inputs.map((x) => [x.name, { dtype: x.dtype, data: x.data, dims: x.dims }])),
    tol,
  };
}

const GENERATORS: Record<string, (g: Gen) => Case> = {
  binary(g) {
    const op = g.pick(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Equal', 'Greater', 'Less']);
    const dtype = g.pick<Dt>(['float32', 'int32', 'int64']);
    const a = g.shape();
    const b = g.bool() ? g.broadcastOf(a) : a.slice();
    const [x, y] = g.bool() ? [a, b] : [b, a];
    const cmp = ['Equal', 'Greater', 'Less'].includes(op);
    const outType = cmp ? T.BOOL : ONNX_T[dtype];
    const tol: Tol = dtype !== 'float32' || ['Max', 'Min', 'Equal', 'Greater', 'Less', 'Add', 'Sub', 'Mul'].includes(op) ? { kind: 'exact' } : { kind: 'ulps' };
    return single(g, `${op} ${dtype} [${x}] ∘ [${y}]`, { op, inputs: ['x', 'y'], outputs: ['z'] }, [
      { name: 'x', dtype, dims: x, data: g.data(dtype, size(x)) },
      { name: 'y', dtype, dims: y, data: g.data(dtype, size(y), { nonzero: op === 'Div' }) },
    ], outType, tol);
  },
  unary(g) {
    const [op, attrs, lo, hi, exact] = g.pick<[string, NodeSpec['attrs'], number, number, boolean]>([
      ['Relu', {}, -3, 3, true], ['Abs', {}, -3, 3, true], ['Neg', {}, -3, 3, true], ['Floor', {}, -3, 3, true], ['Ceil', {}, -3, 3, true],
      ['Sigmoid', {}, -8, 8, false], ['Tanh', {}, -5, 5, false], ['Exp', {}, -10, 10, false], ['Log', {}, 0.01, 50, false], ['Sqrt', {}, 0, 50, false],
      ['Erf', {}, -3, 3, false], ['Softplus', {}, -10, 10, false], ['LeakyRelu', { alpha: { f: 0.13 } }, -3, 3, false], ['Elu', { alpha: { f: 0.7 } }, -3, 3, false],
      ['HardSigmoid', { alpha: { f: 0.3 }, beta: { f: 0.4 } }, -4, 4, false], ['Selu', {}, -3, 3, false], ['Reciprocal', {}, 0.1, 9, false], ['Sin', {}, -6, 6, false], ['Cos', {}, -6, 6, false],
    ]);
    const s = g.shape();
    return single(g, `${op} [${s}]`, { op, inputs: ['x'], outputs: ['y'], attrs }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s), { lo, hi }) }], T.FLOAT, exact ? { kind: 'exact' } : { kind: 'ulps' });
  },
  matmul(g) {
    const M = g.int(1, 9);
    const K = g.int(1, 40);
    const N = g.int(1, 11);
    const batch = g.bool() ? [g.int(1, 3)] : [];
    const bBatch = batch.length && g.bool() ? [] : batch;
    const a = [...batch, M, K];
    const b = [...bBatch, K, N];
    return single(g, `MatMul [${a}]·[${b}]`, { op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }, [
      { name: 'a', dtype: 'float32', dims: a, data: g.data('float32', size(a)) },
      { name: 'b', dtype: 'float32', dims: b, data: g.data('float32', size(b)) },
    ], T.FLOAT, { kind: 'sum', terms: K });
  },
  gemm(g) {
    const M = g.int(1, 9);
    const K = g.int(1, 30);
    const N = g.int(1, 12);
    const transA = g.int(0, 1);
    const transB = g.int(0, 1);
    const a = transA ? [K, M] : [M, K];
    const b = transB ? [N, K] : [K, N];
    const c = g.pick([[N], [M, N], [1, N], [M, 1], [1]]);
    const attrs = { transA, transB, alpha: { f: g.pick([1, 0.5, -1.25]) }, beta: { f: g.pick([1, 0, 2.5]) } };
    return single(g, `Gemm tA${transA} tB${transB} [${a}]·[${b}]+[${c}]`, { op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attrs }, [
      { name: 'a', dtype: 'float32', dims: a, data: g.data('float32', size(a)) },
      { name: 'b', dtype: 'float32', dims: b, data: g.data('float32', size(b)) },
      { name: 'c', dtype: 'float32', dims: c, data: g.data('float32', size(c)) },
    ], T.FLOAT, { kind: 'sum', terms: K + 1 });
  },
  conv(g) {
    const group = g.pick([1, 1, 2, 3]);
    const depthwise = g.bool(0.25);
    const C = depthwise ? g.int(1, 6) : group * g.int(1, 4);
    const G = depthwise ? C : group;
    const M = G * g.int(1, 3);
    const k = [g.int(1, 3), g.int(1, 3)];
    const dil = [g.int(1, 2), g.int(1, 2)];
    const strides = [g.int(1, 2), g.int(1, 2)];
    const pads = [g.int(0, 1), g.int(0, 1), g.int(0, 1), g.int(0, 1)];
    const H = g.int(dil[0]! * (k[0]! - 1) + 1, 11);
    const W = g.int(dil[1]! * (k[1]! - 1) + 1, 11);
    const x = [g.int(1, 2), C, H, W];
    const w = [M, C / G, k[0]!, k[1]!];
    const bias = g.bool();
    const inputs = [
      { name: 'x', dtype: 'float32' as Dt, dims: x, data: g.data('float32', size(x)) },
      { name: 'w', dtype: 'float32' as Dt, dims: w, data: g.data('float32', size(w)) },
      ...(bias ? [{ name: 'b', dtype: 'float32' as Dt, dims: [M], data: g.data('float32', M) }] : []),
    ];
    const attrs = { group: G, kernel_shape: k, dilations: dil, strides, pads };
    return single(g, `Conv x[${x}] w[${w}] g${G} s[${strides}] d[${dil}] p[${pads}]`, { op: 'Conv', inputs: inputs.map((i) => i.name), outputs: ['y'], attrs }, inputs, T.FLOAT, { kind: 'sum', terms: (C / G) * k[0]! * k[1]! + 1 });
  },
  pool(g) {
    const op = g.pick(['MaxPool', 'AveragePool']);
    const k = [g.int(1, 3), g.int(1, 3)];
    const strides = [g.int(1, 2), g.int(1, 2)];
    const pads = [g.int(0, k[0]! - 1), g.int(0, k[1]! - 1), g.int(0, k[0]! - 1), g.int(0, k[1]! - 1)];
    const x = [g.int(1, 2), g.int(1, 4), g.int(k[0]!, 9), g.int(k[1]!, 9)];
    const attrs: NodeSpec['attrs'] = { kernel_shape: k, strides, pads, ceil_mode: g.int(0, 1), ...(op === 'AveragePool' ? { count_include_pad: g.int(0, 1) } : {}) };
    return single(g, `${op} x[${x}] k[${k}] s[${strides}] p[${pads}] ${JSON.stringify(attrs)}`, { op, inputs: ['x'], outputs: ['y'], attrs }, [{ name: 'x', dtype: 'float32', dims: x, data: g.data('float32', size(x)) }], T.FLOAT, op === 'MaxPool' ? { kind: 'exact' } : { kind: 'sum', terms: k[0]! * k[1]! });
  },
  softmax(g) {
    const op = g.pick(['Softmax', 'LogSoftmax']);
    const s = g.shape(g.int(1, 4), 9);
    const axis = g.int(-s.length, s.length - 1);
    return single(g, `${op} [${s}] axis ${axis}`, { op, inputs: ['x'], outputs: ['y'], attrs: { axis } }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s), { lo: -6, hi: 6 }) }], T.FLOAT, { kind: 'sum', terms: s[(axis + s.length) % s.length]! });
  },
  reduce(g) {
    const op = g.pick(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare']);
    const s = g.shape(g.int(1, 4), 6);
    const axes = [...new Set(Array.from({ length: g.int(1, s.length) }, () => g.int(-s.length, s.length - 1)).map((a) => (a + s.length) % s.length))];
    const keepdims = g.int(0, 1);
    const terms = axes.reduce((p, a) => p * s[a]!, 1);
    const exact = op === 'ReduceMax' || op === 'ReduceMin';
    // opset 13: ReduceSum takes axes as an input, the others as an attribute
    const node: NodeSpec = op === 'ReduceSum' ? { op, inputs: ['x', 'axes'], outputs: ['y'], attrs: { keepdims } } : { op, inputs: ['x'], outputs: ['y'], attrs: { keepdims, axes } };
    const data = g.data('float32', size(s), op === 'ReduceProd' ? { lo: 0.5, hi: 1.5 } : {});
    return single(g, `${op} [${s}] axes [${axes}] keepdims ${keepdims}`, node, [{ name: 'x', dtype: 'float32', dims: s, data }], T.FLOAT, exact ? { kind: 'exact' } : { kind: 'sum', terms }, op === 'ReduceSum' ? [ints64('axes', axes)] : []);
  },
  transpose(g) {
    const dtype = g.pick<Dt>(['float32', 'int32', 'int64']);
    const s = g.shape(g.int(1, 5), 5);
    const perm = s.map((_, i) => i).sort(() => g.r() - 0.5);
    return single(g, `Transpose ${dtype} [${s}] perm [${perm}]`, { op: 'Transpose', inputs: ['x'], outputs: ['y'], attrs: { perm } }, [{ name: 'x', dtype, dims: s, data: g.data(dtype, size(s)) }], ONNX_T[dtype], { kind: 'exact' });
  },
  slice(g) {
    const s = g.shape(g.int(1, 4), 8);
    const axes = [...new Set(Array.from({ length: g.int(1, s.length) }, () => g.int(0, s.length - 1)))];
    const starts: number[] = [];
    const ends: number[] = [];
    const steps: number[] = [];
    for (const a of axes) {
      const step = g.pick([1, 1, 2, -1, -2]);
      steps.push(step);
      starts.push(g.int(-s[a]! - 2, s[a]! + 1));
      ends.push(g.pick([g.int(-s[a]! - 2, s[a]! + 1), step > 0 ? 2 ** 31 - 1 : -(2 ** 31)]));
    }
    return single(g, `Slice [${s}] starts [${starts}] ends [${ends}] axes [${axes}] steps [${steps}]`, { op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) }], T.FLOAT, { kind: 'exact' }, [ints64('starts', starts), ints64('ends', ends), ints64('axes', axes), ints64('steps', steps)]);
  },
  gather(g) {
    const s = g.shape(g.int(1, 4), 6);
    const axis = g.int(-s.length, s.length - 1);
    const n = s[(axis + s.length) % s.length]!;
    const idxShape = g.shape(g.int(0, 2), 4);
    const idx = Array.from({ length: size(idxShape) }, () => g.int(-n, n - 1));
    return single(g, `Gather [${s}] axis ${axis} indices [${idxShape}]`, { op: 'Gather', inputs: ['x', 'i'], outputs: ['y'], attrs: { axis } }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) }], T.FLOAT, { kind: 'exact' }, [{ name: 'i', type: T.INT64, dims: idxShape, data: idx }]);
  },
  concat(g) {
    const s = g.shape(g.int(1, 4), 5);
    const axis = g.int(-s.length, s.length - 1);
    const a = (axis + s.length) % s.length;
    const count = g.int(1, 4);
    const inputs = Array.from({ length: count }, (_, k) => {
      const dims = s.slice();
      dims[a] = g.int(0, 4);
      return { name: `x${k}`, dtype: 'int32' as Dt, dims, data: g.data('int32', size(dims)) };
    });
    return single(g, `Concat axis ${axis} of ${inputs.map((i) => `[${i.dims}]`).join(' ')}`, { op: 'Concat', inputs: inputs.map((i) => i.name), outputs: ['y'], attrs: { axis } }, inputs, T.INT32, { kind: 'exact' });
  },
  pad(g) {
    const mode = g.pick(['constant', 'reflect', 'edge']);
    const s = g.shape(g.int(1, 4), 6).map((d) => Math.max(d, 3));
    const pads = [...s.map(() => g.int(0, 2)), ...s.map(() => g.int(0, 2))];
    return single(g, `Pad ${mode} [${s}] pads [${pads}]`, { op: 'Pad', inputs: ['x', 'pads', 'v'], outputs: ['y'], attrs: { mode } }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) }], T.FLOAT, { kind: 'exact' }, [ints64('pads', pads), { name: 'v', type: T.FLOAT, dims: [], data: [1.5] }]);
  },
  expandTile(g) {
    const op = g.pick(['Expand', 'Tile']);
    const s = g.shape(g.int(1, 3), 4);
    if (op === 'Tile') {
      const reps = s.map(() => g.int(1, 3));
      return single(g, `Tile [${s}] reps [${reps}]`, { op, inputs: ['x', 'r'], outputs: ['y'] }, [{ name: 'x', dtype: 'int64', dims: s, data: g.data('int64', size(s)) }], T.INT64, { kind: 'exact' }, [ints64('r', reps)]);
    }
    const small = g.broadcastOf(s);
    return single(g, `Expand [${small}] to [${s}]`, { op, inputs: ['x', 's'], outputs: ['y'] }, [{ name: 'x', dtype: 'float32', dims: small, data: g.data('float32', size(small)) }], T.FLOAT, { kind: 'exact' }, [ints64('s', s)]);
  },
  argmax(g) {
    const op = g.pick(['ArgMax', 'ArgMin']);
    const s = g.shape(g.int(1, 4), 6);
    const axis = g.int(-s.length, s.length - 1);
    const attrs = { axis, keepdims: g.int(0, 1), select_last_index: g.int(0, 1) };
    // few distinct values so ties (and select_last_index) matter
    const data = Float32Array.from({ length: size(s) }, () => g.int(-2, 2));
    return single(g, `${op} [${s}] ${JSON.stringify(attrs)}`, { op, inputs: ['x'], outputs: ['y'], attrs }, [{ name: 'x', dtype: 'float32', dims: s, data }], T.INT64, { kind: 'exact' });
  },
  cumsum(g) {
    const s = g.shape(g.int(1, 3), 7);
    const axis = g.int(-s.length, s.length - 1);
    const attrs = { exclusive: g.int(0, 1), reverse: g.int(0, 1) };
    const dtype = g.pick<Dt>(['float32', 'int32']);
    return single(g, `CumSum ${dtype} [${s}] axis ${axis} ${JSON.stringify(attrs)}`, { op: 'CumSum', inputs: ['x', 'a'], outputs: ['y'], attrs }, [{ name: 'x', dtype, dims: s, data: g.data(dtype, size(s)) }], ONNX_T[dtype], dtype === 'int32' ? { kind: 'exact' } : { kind: 'sum', terms: s[(axis + s.length) % s.length]! }, [{ name: 'a', type: T.INT32, dims: [], data: [axis] }]);
  },
  cast(g) {
    const from = g.pick<Dt>(['float32', 'int32', 'int64']);
    const to = g.pick([T.FLOAT, T.INT32, T.INT64, T.BOOL, T.UINT8, T.INT8]);
    const s = g.shape();
    // floats in range of every target (uint8 wraps differently by implementation outside it)
    const data = g.data(from, size(s), { lo: 0, hi: 12 });
    return single(g, `Cast ${from} → type ${to} [${s}]`, { op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to } }, [{ name: 'x', dtype: from, dims: s, data }], to, { kind: 'exact' });
  },
  where(g) {
    const s = g.shape();
    const c = g.broadcastOf(s);
    const b = g.bool() ? g.broadcastOf(s) : s;
    const cond = Array.from({ length: size(c) }, () => (g.bool() ? 1 : 0));
    return single(g, `Where c[${c}] x[${s}] y[${b}]`, { op: 'Where', inputs: ['c', 'x', 'y'], outputs: ['z'] }, [
      { name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) },
      { name: 'y', dtype: 'float32', dims: b, data: g.data('float32', size(b)) },
    ], T.FLOAT, { kind: 'exact' }, [{ name: 'c', type: T.BOOL, dims: c, data: cond }]);
  },
  norm(g) {
    const op = g.pick(['LayerNormalization', 'InstanceNormalization', 'BatchNormalization']);
    const s = [g.int(1, 3), g.int(1, 5), g.int(1, 6), g.int(1, 6)];
    const C = s[1]!;
    const eps = { f: g.pick([1e-5, 1e-3]) };
    if (op === 'LayerNormalization') {
      const axis = g.int(1, 3);
      const ns = s.slice(axis);
      return single(g, `LayerNormalization [${s}] axis ${axis}`, { op, inputs: ['x', 'sc', 'b'], outputs: ['y'], attrs: { axis, epsilon: eps } }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) }], T.FLOAT, { kind: 'sum', terms: size(ns) }, [
        { name: 'sc', type: T.FLOAT, dims: ns, data: g.data('float32', size(ns)) },
        { name: 'b', type: T.FLOAT, dims: ns, data: g.data('float32', size(ns)) },
      ], 17);
    }
    const per = (name: string, lo = -2, hi = 2): TensorSpec => ({ name, type: T.FLOAT, dims: [C], data: g.data('float32', C, { lo, hi }) });
    if (op === 'InstanceNormalization') {
      return single(g, `InstanceNormalization [${s}]`, { op, inputs: ['x', 'sc', 'b'], outputs: ['y'], attrs: { epsilon: eps } }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) }], T.FLOAT, { kind: 'sum', terms: s[2]! * s[3]! }, [per('sc'), per('b')]);
    }
    return single(g, `BatchNormalization [${s}]`, { op, inputs: ['x', 'sc', 'b', 'm', 'v'], outputs: ['y'], attrs: { epsilon: eps } }, [{ name: 'x', dtype: 'float32', dims: s, data: g.data('float32', size(s)) }], T.FLOAT, { kind: 'ulps' }, [per('sc'), per('b'), per('m'), per('v', 0.1, 3)]);
  },
};

const CASES_PER_GENERATOR = 14;

function close(tol: Tol, got: number, want: number, range: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (tol.kind === 'exact') return Object.is(got, want) || got === want;
  if (tol.kind === 'ulps') return Math.abs(got - want) <= 4e-6 * Math.abs(want) + 1e-6;
  return Math.abs(got - want) <= Math.max(1e-5, 1e-5 * (range + Math.abs(want)) * Math.max(1, Math.sqrt(tol.terms) / 4));
}

async function runOn(ep: string, c: Case, bytes: Uint8Array) {
  const s = await ortNode.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  // the twinops side really is the twinops session handler, not a silent fallback to the CPU provider
  expect((s as unknown as { handler: object }).handler instanceof TwinopsSessionHandler).toBe(ep === 'twinops');
  try {
    const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, v]) => [k, new ortNode.Tensor(v.dtype, v.data, v.dims)]));
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

beforeAll(() => {
  registerOrtBackend(ortNode as unknown as OrtModule, { warn: () => undefined });
});

describe('random single-op models: twinops vs onnxruntime-node (CPU provider)', () => {
  for (const [family, gen] of Object.entries(GENERATORS)) {
    it(`${family}: ${CASES_PER_GENERATOR} random models`, async () => {
      for (let k = 0; k < CASES_PER_GENERATOR; k++) {
        const seed = 1000 * (Object.keys(GENERATORS).indexOf(family) + 1) + k;
        const c = gen(new Gen(seed));
        const bytes = buildModel(c.spec);
        const want = await runOn('cpu', c, bytes);
        const got = await runOn('twinops', c, bytes);
        for (const name of Object.keys(want)) {
          const w = want[name]!;
          const o = got[name]!;
          expect(o.dims, `${c.name}: output dims`).toEqual(w.dims);
          expect(o.type, `${c.name}: output type`).toBe(w.type);
          const wd = Array.from(w.data as ArrayLike<number | bigint>, Number);
          const od = Array.from(o.data as ArrayLike<number | bigint>, Number);
          const range = wd.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
          for (let i = 0; i < wd.length; i++) {
            if (!close(c.tol, od[i]!, wd[i]!, range)) expect.fail(`${c.name}: element ${i} twinops ${od[i]} vs onnxruntime-node ${wd[i]}`);
          }
        }
      }
    }, 60_000);
  }
});
