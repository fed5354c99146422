/**
 * The ORT backend's graph passes (adapters/ort/passes): each pattern runs as a model with
 * graphOptimizationLevel 'all' (passes on) and 'disabled' (the graph as written) and against
 * onnxruntime-node's CPU EP, and the pass is seen to fire (or, for the near-misses, not to fire)
 * in the graph the session runs: its node count and the profile's fused node names.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule, type TwinopsSessionHandler } from '../adapters/ort/index.js';
import { buildGraph } from '../adapters/ort/graph.js';
import { parseModel } from '../adapters/ort/model.js';
import { optimizeGraph } from '../adapters/ort/passes/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T, type ModelSpec, type NodeSpec, type TensorSpec } from './ort/build-model.js';
import { expectClose } from './reference/compare.js';
import { hasGpu } from './runtimes.js';

registerOrtBackend(ort as unknown as OrtModule);

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
const f32 = (name: string, dims: number[], data: ArrayLike<number>): TensorSpec => ({ name, type: T.FLOAT, dims, data });

/** A float32 model: one input X of shape `xDims`, output Y, the given nodes and initializers. */
function model(xDims: number[], nodes: NodeSpec[], inits: TensorSpec[], opts: { opset?: number; outputs?: string[] } = {}): ModelSpec {
  return {
    opset: opts.opset ?? 13,
    inputs: [{ name: 'X', type: T.FLOAT, dims: xDims }],
    outputs: (opts.outputs ?? ['Y']).map((name) => ({ name, type: T.FLOAT })),
    nodes,
    initializers: inits,
  };
}

async function run(spec: ModelSpec, x: Float32Array, xDims: number[], options: ort.InferenceSession.SessionOptions) {
  const s = await ort.InferenceSession.create(buildModel(spec), { ...options, enableProfiling: options.executionProviders?.[0] !== 'cpu' });
  try {
    const out = await s.run({ X: new ort.Tensor('float32', x, xDims) });
    const outputs = Object.fromEntries(s.outputNames.map((n) => [n, out[n]!.data as Float32Array]));
    let profile: { node: string; op: string }[] = [];
    if (options.executionProviders?.[0] !== 'cpu') {
      const h = (s as unknown as { handler: TwinopsSessionHandler }).handler;
      (h as unknown as { log: (m: string) => void }).log = () => {};
      h.endProfiling();
      profile = h.lastProfile!.events.map((e) => ({ node: e.node, op: e.op }));
    }
    return { outputs, profile };
  } finally {
    await s.release();
  }
}

/**
 * Runs the model three ways and compares. Folding a scale into the weights rounds W·s once where
 * the unfused graph rounds the convolution's sum and then its product with s: about 2 ulp per
 * folded map on values of order 1, so rtol 1e-5 / atol 1e-5 against onnxruntime (which folds
 * too, in its own order) and against the unfused twinops graph.
 */
async function check(spec: ModelSpec, xDims: number[], expectOps: string[], opts: { seed?: number; device?: 'twinops' | 'twinops-webgpu' } = {}) {
  const x = rand(size(xDims), opts.seed ?? 1, -3, 3);
  const ep = opts.device ?? 'twinops';
  const on = await run(spec, x, xDims, { executionProviders: [ep], intraOpNumThreads: 1 });
  const off = await run(spec, x, xDims, { executionProviders: [ep], intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const ref = await run(spec, x, xDims, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  for (const name of Object.keys(ref.outputs)) {
    const tol = { dtype: 'float32' as const, rtol: 1e-5, atol: 1e-5 };
    expectClose(on.outputs[name]!, ref.outputs[name]!, { ...tol, op: `${name}: passes on vs onnxruntime-node` });
    expectClose(on.outputs[name]!, off.outputs[name]!, { ...tol, op: `${name}: passes on vs off` });
  }
  expect(on.profile.map((e) => e.op)).toEqual(expectOps);
  expect(off.profile.length).toBe(spec.nodes.length);
  return on;
}

const C = 5;
const M = 6;
const convW = f32('W', [M, C, 3, 3], rand(M * C * 9, 2, -0.3, 0.3));
const convB = f32('B', [M], rand(M, 3));
const bn = (prefix: string, n: number, seed: number): TensorSpec[] => [
  f32(`${prefix}s`, [n], rand(n, seed, 0.5, 1.5)),
  f32(`${prefix}b`, [n], rand(n, seed + 1)),
  f32(`${prefix}m`, [n], rand(n, seed + 2)),
  f32(`${prefix}v`, [n], rand(n, seed + 3, 0.1, 2)),
];
const conv = (inputs: string[], out: string, attrs: NodeSpec['attrs'] = { pads: [1, 1, 1, 1] }): NodeSpec => ({ op: 'Conv', inputs, outputs: [out], attrs });

describe('graph passes: folding into Conv weights', () => {
  it('Conv + BatchNormalization + Relu → one Conv with folded weights and a fused relu', async () => {
    const spec = model([2, C, 7, 9], [conv(['X', 'W'], 'c'), { op: 'BatchNormalization', inputs: ['c', 'bns', 'bnb', 'bnm', 'bnv'], outputs: ['n'], attrs: { epsilon: { f: 1e-3 } } }, { op: 'Relu', inputs: ['n'], outputs: ['Y'] }], [convW, ...bn('bn', M, 10)]);
    const on = await check(spec, [2, C, 7, 9], ['Conv+BatchNormalization+Relu']);
    expect(on.profile[0]!.node).toBe('Conv_0+BatchNormalization_1+Relu_2');
  });

  it('Conv with bias + per-channel Mul, Add, Div, Sub of constants + Clip(0, 6) → one Conv (relu6)', async () => {
    const nodes: NodeSpec[] = [
      conv(['X', 'W', 'B'], 'c'),
      { op: 'Mul', inputs: ['s', 'c'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 't'], outputs: ['a'] },
      { op: 'Div', inputs: ['a', 'd'], outputs: ['q'] },
      { op: 'Sub', inputs: ['q', 'u'], outputs: ['z'] },
      { op: 'Clip', inputs: ['z', 'lo', 'hi'], outputs: ['Y'] },
    ];
    const inits = [convW, convB, f32('s', [1, M, 1, 1], rand(M, 20, 0.5, 2)), f32('t', [M, 1, 1], rand(M, 21)), f32('d', [1], [1.5]), f32('u', [], [0.25]), f32('lo', [], [0]), f32('hi', [], [6])];
    await check(spec(nodes, inits), [1, C, 6, 6], ['Conv+Mul+Add+Div+Sub+Clip']);
    function spec(n: NodeSpec[], i: TensorSpec[]) {
      return model([1, C, 6, 6], n, i);
    }
  });

  it('ConvTranspose (group 1) + per-channel Add + BatchNormalization + Relu → one node; the kernel form folds too', async () => {
    const mt = 4;
    const wt = f32('Wt', [C, mt, 2, 2], rand(C * mt * 4, 80));
    const nodes: NodeSpec[] = [
      { op: 'ConvTranspose', inputs: ['X', 'Wt'], outputs: ['t'], attrs: { strides: [2, 2] } },
      { op: 'Add', inputs: ['t', 'c'], outputs: ['a'] },
      { op: 'BatchNormalization', inputs: ['a', 'bns', 'bnb', 'bnm', 'bnv'], outputs: ['n'] },
      { op: 'Relu', inputs: ['n'], outputs: ['Y'] },
    ];
    const inits = [wt, f32('c', [1, mt, 1, 1], rand(mt, 81)), ...bn('bn', mt, 82)];
    await check(model([1, C, 3, 5], nodes, inits), [1, C, 3, 5], ['ConvTranspose(GEMM)+Add+BatchNormalization+Relu']);
    // stride 1 keeps the ConvTranspose kernel, with the affine folded into its weights
    const k1 = [{ ...nodes[0]!, attrs: { strides: [1, 1] } }, ...nodes.slice(1)];
    await check(model([1, C, 3, 5], k1, inits), [1, C, 3, 5], ['ConvTranspose+Add+BatchNormalization+Relu']);
  });

  it("a per-channel scale and shift of a Conv's input fold into it (the shift only without padding)", async () => {
    const dims = [1, C, 5, 6];
    const a = f32('a', [1, C, 1, 1], rand(C, 90, 0.5, 2));
    const beta = f32('beta', [C, 1, 1], rand(C, 91));
    const w1 = f32('W1', [M, C, 1, 1], rand(M * C, 92));
    const affine = (conv2: NodeSpec): NodeSpec[] => [{ op: 'Mul', inputs: ['X', 'a'], outputs: ['m'] }, { op: 'Add', inputs: ['beta', 'm'], outputs: ['s'] }, conv2];
    await check(model(dims, affine(conv(['s', 'W1', 'B'], 'Y', {})), [a, beta, w1, convB]), dims, ['Mul+Add+Conv']);
    await check(model(dims, affine(conv(['s', 'W1'], 'Y', { strides: [2, 2] })), [a, beta, w1]), dims, ['Mul+Add+Conv']);
    // padding: the shift would be wrong at the border, so neither folds; a scale alone does
    await check(model(dims, affine(conv(['s', 'W', 'B'], 'Y')), [a, beta, convW, convB]), dims, ['Mul', 'Add', 'Conv']);
    await check(model(dims, [{ op: 'Div', inputs: ['X', 'a'], outputs: ['s'] }, conv(['s', 'W', 'B'], 'Y')], [a, convW, convB]), dims, ['Div+Conv']);
    // depthwise (group = C, multiplier 2): per input channel of each output channel
    const dw = f32('Wd', [2 * C, 1, 3, 3], rand(2 * C * 9, 93));
    await check(model(dims, [{ op: 'Mul', inputs: ['a', 'X'], outputs: ['s'] }, conv(['s', 'Wd'], 'Y', { pads: [1, 1, 1, 1], group: C })], [a, dw]), dims, ['Mul+Conv']);
  });

  it('leaves a Conv alone when its output has another reader, is a graph output, or the constant is not per channel', async () => {
    // another reader
    await check(model([1, C, 5, 5], [conv(['X', 'W'], 'c'), { op: 'Mul', inputs: ['c', 's'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'c'], outputs: ['Y'] }], [convW, f32('s', [M, 1, 1], rand(M, 30))]), [1, C, 5, 5], ['Conv', 'Mul', 'Add']);
    // a graph output
    await check(model([1, C, 5, 5], [conv(['X', 'W'], 'c'), { op: 'Mul', inputs: ['c', 's'], outputs: ['Y'] }], [convW, f32('s', [M, 1, 1], rand(M, 31))], { outputs: ['Y', 'c'] }), [1, C, 5, 5], ['Conv', 'Mul']);
    // a per-pixel constant, and a constant minus the conv
    await check(model([1, C, 5, 5], [conv(['X', 'W'], 'c'), { op: 'Mul', inputs: ['c', 's'], outputs: ['Y'] }], [convW, f32('s', [1, 1, 5, 5], rand(25, 32))]), [1, C, 5, 5], ['Conv', 'Mul']);
    await check(model([1, C, 5, 5], [conv(['X', 'W'], 'c'), { op: 'Sub', inputs: ['s', 'c'], outputs: ['Y'] }], [convW, f32('s', [M, 1, 1], rand(M, 33))]), [1, C, 5, 5], ['Conv', 'Sub']);
  });
});

describe('graph passes: HardSwish', () => {
  const dims = [2, 3, 4, 5];
  it('Mul(x, Clip(x + 3, 0, 6)) / 6 → HardSwish (opset 11 Clip inputs), and Mul by 1/6 too', async () => {
    const nodes = (last: NodeSpec): NodeSpec[] => [
      { op: 'Add', inputs: ['X', 'three'], outputs: ['a'] },
      { op: 'Clip', inputs: ['a', 'zero', 'six'], outputs: ['c'] },
      { op: 'Mul', inputs: ['X', 'c'], outputs: ['m'] },
      last,
    ];
    const inits = [f32('three', [], [3]), f32('zero', [], [0]), f32('six', [], [6]), f32('sixth', [1], [1 / 6])];
    await check(model(dims, nodes({ op: 'Div', inputs: ['m', 'six'], outputs: ['Y'] }), inits, { opset: 11 }), dims, ['HardSwish']);
    await check(model(dims, nodes({ op: 'Mul', inputs: ['sixth', 'm'], outputs: ['Y'] }), inits, { opset: 11 }), dims, ['HardSwish']);
  });

  it('Clip with attributes (opset 10) and x · HardSigmoid(x; 1/6, 1/2) are HardSwish too; other slopes are not', async () => {
    const clip6: NodeSpec[] = [
      { op: 'Add', inputs: ['X', 'three'], outputs: ['a'] },
      { op: 'Clip', inputs: ['a'], outputs: ['c'], attrs: { min: { f: 0 }, max: { f: 6 } } },
      { op: 'Mul', inputs: ['c', 'X'], outputs: ['m'] },
      { op: 'Div', inputs: ['m', 'six'], outputs: ['Y'] },
    ];
    await check(model(dims, clip6, [f32('three', [], [3]), f32('six', [], [6])], { opset: 10 }), dims, ['HardSwish']);
    const hs = (alpha: number): NodeSpec[] => [
      { op: 'HardSigmoid', inputs: ['X'], outputs: ['h'], attrs: { alpha: { f: alpha }, beta: { f: 0.5 } } },
      { op: 'Mul', inputs: ['X', 'h'], outputs: ['Y'] },
    ];
    await check(model(dims, hs(1 / 6), []), dims, ['HardSwish']);
    await check(model(dims, hs(0.2), []), dims, ['HardSigmoid', 'Mul']);
  });

  it('is left alone when an intermediate has another reader', async () => {
    const nodes: NodeSpec[] = [
      { op: 'Add', inputs: ['X', 'three'], outputs: ['a'] },
      { op: 'Clip', inputs: ['a', 'zero', 'six'], outputs: ['c'] },
      { op: 'Mul', inputs: ['X', 'c'], outputs: ['m'] },
      { op: 'Div', inputs: ['m', 'six'], outputs: ['d'] },
      { op: 'Add', inputs: ['d', 'c'], outputs: ['Y'] },
    ];
    await check(model(dims, nodes, [f32('three', [], [3]), f32('zero', [], [0]), f32('six', [], [6])]), dims, ['Add', 'Clip', 'Mul', 'Div', 'Add']);
  });
});

describe('graph passes: bias and activation fusion', () => {
  it('MatMul (batched A) + bias Add + Sigmoid → one MatMul with bias and sigmoid', async () => {
    const nodes: NodeSpec[] = [{ op: 'MatMul', inputs: ['X', 'B'], outputs: ['p'] }, { op: 'Add', inputs: ['bias', 'p'], outputs: ['q'] }, { op: 'Sigmoid', inputs: ['q'], outputs: ['Y'] }];
    await check(model([2, 3, 7], nodes, [f32('B', [7, 5], rand(35, 40)), f32('bias', [5], rand(5, 41))]), [2, 3, 7], ['MatMul+Add+Sigmoid']);
    // a bias that is not one per column stays an Add
    await check(model([2, 3, 7], nodes, [f32('B', [7, 5], rand(35, 40)), f32('bias', [3, 5], rand(15, 41))]), [2, 3, 7], ['MatMul', 'Add', 'Sigmoid']);
  });

  it('Gemm + LeakyRelu, ConvTranspose + Tanh, Conv + HardSigmoid, Conv + Elu', async () => {
    await check(model([4, 6], [{ op: 'Gemm', inputs: ['X', 'B', 'c'], outputs: ['g'], attrs: { transB: 1, alpha: { f: 0.5 } } }, { op: 'LeakyRelu', inputs: ['g'], outputs: ['Y'], attrs: { alpha: { f: 0.1 } } }], [f32('B', [3, 6], rand(18, 50)), f32('c', [3], rand(3, 51))]), [4, 6], ['Gemm+LeakyRelu']);
    const wt = f32('Wt', [C, 2, 2, 2], rand(C * 8, 52));
    await check(model([1, C, 4, 3], [{ op: 'ConvTranspose', inputs: ['X', 'Wt'], outputs: ['t'], attrs: { strides: [2, 2] } }, { op: 'Tanh', inputs: ['t'], outputs: ['Y'] }], [wt]), [1, C, 4, 3], ['ConvTranspose(GEMM)+Tanh']);
    await check(model([1, C, 4, 4], [conv(['X', 'W', 'B'], 'c'), { op: 'HardSigmoid', inputs: ['c'], outputs: ['Y'] }], [convW, convB]), [1, C, 4, 4], ['Conv+HardSigmoid']);
    await check(model([1, C, 4, 4], [conv(['X', 'W', 'B'], 'c'), { op: 'Elu', inputs: ['c'], outputs: ['Y'], attrs: { alpha: { f: 0.7 } } }], [convW, convB]), [1, C, 4, 4], ['Conv+Elu']);
  });

  it('ConvTranspose with stride = kernel → MatMul + Transpose (with bias, batch 2, odd sizes); other strides keep the kernel', async () => {
    const mt = 3;
    const wt = (kh: number, kw: number) => f32('Wt', [C, mt, kh, kw], rand(C * mt * kh * kw, 53));
    const ct = (attrs: NodeSpec['attrs'], inputs = ['X', 'Wt', 'bt']): NodeSpec => ({ op: 'ConvTranspose', inputs, outputs: ['Y'], attrs });
    const bt = f32('bt', [mt], rand(mt, 54));
    await check(model([2, C, 5, 3], [ct({ strides: [2, 3], kernel_shape: [2, 3] })], [wt(2, 3), bt]), [2, C, 5, 3], ['ConvTranspose(GEMM)']);
    await check(model([1, C, 4, 4], [ct({ strides: [2, 2] }, ['X', 'Wt'])], [wt(2, 2)]), [1, C, 4, 4], ['ConvTranspose(GEMM)']);
    await check(model([1, C, 4, 4], [ct({ strides: [2, 2], pads: [1, 1, 0, 0] })], [wt(3, 3), bt]), [1, C, 4, 4], ['ConvTranspose']);
    await check(model([1, C, 4, 4], [ct({ strides: [2, 2], output_padding: [1, 1] })], [wt(2, 2), bt]), [1, C, 4, 4], ['ConvTranspose']);
  });

  it.skipIf(!hasGpu)('fused Conv and the GEMM form of ConvTranspose run on twinops-webgpu', async () => {
    const spec = model([1, C, 6, 6], [conv(['X', 'W'], 'c'), { op: 'BatchNormalization', inputs: ['c', 'bns', 'bnb', 'bnm', 'bnv'], outputs: ['n'] }, { op: 'Clip', inputs: ['n', 'lo', 'hi'], outputs: ['Y'] }], [convW, ...bn('bn', M, 60), f32('lo', [], [-0.5]), f32('hi', [], [0.5])]);
    await check(spec, [1, C, 6, 6], ['Conv+BatchNormalization+Clip'], { device: 'twinops-webgpu' });
    const ct: NodeSpec[] = [{ op: 'ConvTranspose', inputs: ['X', 'Wt', 'bt'], outputs: ['t'], attrs: { strides: [2, 2] } }, { op: 'Sigmoid', inputs: ['t'], outputs: ['Y'] }];
    await check(model([2, C, 3, 5], ct, [f32('Wt', [C, 3, 2, 2], rand(C * 12, 61)), f32('bt', [3], rand(3, 62))]), [2, C, 3, 5], ['ConvTranspose(GEMM)+Sigmoid'], { device: 'twinops-webgpu' });
  });
});

describe('graph passes: report and level', () => {
  it('optimizeGraph reports what it did and keeps the graph consistent', () => {
    const spec = model([1, C, 5, 5], [conv(['X', 'W'], 'c'), { op: 'BatchNormalization', inputs: ['c', 'bns', 'bnb', 'bnm', 'bnv'], outputs: ['n'] }, { op: 'Relu', inputs: ['n'], outputs: ['Y'] }], [convW, ...bn('bn', M, 70)]);
    const g = buildGraph(parseModel(buildModel(spec)));
    const r = optimizeGraph(g);
    expect(r).toEqual({ foldedIntoConv: 1, hardSwish: 0, foldedInputAffine: 0, fusedBiasActivation: 1, convTransposeAsGemm: 0, nodesBefore: 3, nodesAfter: 1 });
    expect(g.steps.map((s) => s.index)).toEqual([0]);
    expect(g.producer.get('Y')).toBe(0);
    // the original weight and the BatchNormalization parameters are gone; the folded W and bias remain
    expect([...g.constants.keys()].some((k) => k === 'W' || k.startsWith('bn'))).toBe(false);
    expect(g.constants.size).toBe(2);
  });
});
