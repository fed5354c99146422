/**
 * The ORT layout pass (adapters/ort/passes/layout.ts): convolution chains run in NHWC with
 * transposes only at the region's edges. Each model runs with the pass (level 'all', and the
 * default), without it ('extended': every other pass), and on onnxruntime-node's CPU provider.
 *
 * Tolerances: against onnxruntime-node rtol 1e-4 / atol 1e-4 — the models stack up to seven convs
 * with up to 144-term float32 sums on values of order 1, each rounding ~1e-6 relative in an order
 * of its own, and HardSigmoid/HardSwish/Relu kinks can turn a rounding difference into a
 * slightly larger one; against the same twinops graph without the pass rtol 1e-5 / atol 1e-5:
 * NHWC depthwise, pooling and pointwise kernels sum the same terms in a different order (≈ 2 ulp
 * per op), the group-1 convs with ≥ 8 channels run the very same GEMM either way.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule, type TwinopsSessionHandler } from '../adapters/ort/index.js';
import { buildGraph } from '../adapters/ort/graph.js';
import { parseModel } from '../adapters/ort/model.js';
import { optimizeGraph } from '../adapters/ort/passes/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T, type ModelSpec, type NodeSpec, type TensorSpec } from './ort/build-model.js';
import { expectClose, expectBitIdentical } from './reference/compare.js';
import { hasGpu } from './runtimes.js';

registerOrtBackend(ort as unknown as OrtModule);

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
let seed = 100;
/** A float32 initializer with values in ±scale (scaled by fan-in for filters, keeping activations of order 1). */
const f32 = (name: string, dims: number[], scale = 1): TensorSpec => ({ name, type: T.FLOAT, dims, data: rand(size(dims), seed++, -scale, scale) });
const filter = (name: string, dims: [number, number, number, number]) => f32(name, dims, 1.5 / Math.sqrt(dims[1] * dims[2] * dims[3]));

interface Run {
  outputs: Record<string, Float32Array>;
  profile: { node: string; op: string }[];
}

async function run(bytes: Uint8Array, x: Float32Array, xDims: number[], options: ort.InferenceSession.SessionOptions): Promise<Run> {
  const twin = options.executionProviders?.[0] !== 'cpu';
  const s = await ort.InferenceSession.create(bytes, { ...options, enableProfiling: twin });
  try {
    const out = await s.run({ X: new ort.Tensor('float32', x, xDims) });
    const outputs = Object.fromEntries(s.outputNames.map((n) => [n, out[n]!.data as Float32Array]));
    let profile: Run['profile'] = [];
    if (twin) {
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

const model = (xDims: number[], nodes: NodeSpec[], inits: TensorSpec[], outputs: string[], opset = 14): ModelSpec => ({
  opset,
  inputs: [{ name: 'X', type: T.FLOAT, dims: xDims }],
  outputs: outputs.map((name) => ({ name, type: T.FLOAT })),
  nodes,
  initializers: inits,
});

/** The pass's report on `spec` (undefined when it converted nothing). */
function layoutReport(spec: ModelSpec) {
  const g = buildGraph(parseModel(buildModel(spec)));
  return optimizeGraph(g, 'all').layout;
}

/**
 * Runs `spec` with the pass (threads 1 and 2, bit-identical), without it and on onnxruntime-node,
 * compares, and returns the profile of the run with the pass.
 */
async function check(spec: ModelSpec, xDims: number[], opts: { x?: Float32Array; device?: 'twinops' | 'twinops-webgpu' } = {}): Promise<Run> {
  const bytes = buildModel(spec);
  const x = opts.x ?? rand(size(xDims), 7, -2, 2);
  const ep = opts.device ?? 'twinops';
  const on = await run(bytes, x, xDims, { executionProviders: [ep], intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const off = await run(bytes, x, xDims, { executionProviders: [ep], intraOpNumThreads: 1, graphOptimizationLevel: 'extended' });
  const ref = await run(bytes, x, xDims, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const two = ep === 'twinops' ? await run(bytes, x, xDims, { executionProviders: [ep], intraOpNumThreads: 2 }) : undefined;
  for (const name of Object.keys(ref.outputs)) {
    expectClose(on.outputs[name]!, ref.outputs[name]!, { dtype: 'float32', rtol: 1e-4, atol: 1e-4, op: `${name}: layout pass vs onnxruntime-node` });
    expectClose(on.outputs[name]!, off.outputs[name]!, { dtype: 'float32', rtol: 1e-5, atol: 1e-5, op: `${name}: layout pass on vs off` });
    if (two) expectBitIdentical(two.outputs[name]!, on.outputs[name]!, `${name}: threads 2 vs 1`);
  }
  expect(off.profile.some((e) => e.node.endsWith('[NHWC]'))).toBe(false);
  return on;
}

const transposes = (r: Run) => r.profile.filter((e) => e.op === 'Transpose').map((e) => e.node);

const conv = (inputs: string[], out: string, attrs: NodeSpec['attrs'] = { pads: [1, 1, 1, 1] }): NodeSpec => ({ op: 'Conv', inputs, outputs: [out], attrs });

/**
 * A backbone of MobileNet/PP-LCNet blocks: conv chains (BatchNormalization folded, Relu fused), a
 * residual Add, MaxPool, a depthwise conv with HardSwish, an SE block (GlobalAveragePool → 1×1
 * Conv → Relu → 1×1 Conv → HardSigmoid → Mul with the feature map), per-channel Mul/Add of
 * constants, a Concat on channels, a grouped conv, AveragePool, Split, Resize, and graph outputs
 * in the middle (`mid`) and at the end after a Flatten.
 */
function backbone(N: number, H: number, W: number): { spec: ModelSpec; dims: number[] } {
  const C = 8;
  const nodes: NodeSpec[] = [
    conv(['X', 'W1', 'B1'], 'c1'),
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    conv(['r1', 'W2'], 'c2'),
    { op: 'BatchNormalization', inputs: ['c2', 'bns', 'bnb', 'bnm', 'bnv'], outputs: ['n2'] },
    { op: 'Add', inputs: ['r1', 'n2'], outputs: ['mid'] },
    { op: 'MaxPool', inputs: ['mid'], outputs: ['p1'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
    conv(['p1', 'Wd', 'Bd'], 'dw', { pads: [1, 1, 1, 1], group: 16 }),
    { op: 'HardSwish', inputs: ['dw'], outputs: ['hs'] },
    { op: 'GlobalAveragePool', inputs: ['hs'], outputs: ['g'] },
    conv(['g', 'Ws1', 'Bs1'], 's1', {}),
    { op: 'Relu', inputs: ['s1'], outputs: ['s1r'] },
    conv(['s1r', 'Ws2', 'Bs2'], 's2', {}),
    { op: 'HardSigmoid', inputs: ['s2'], outputs: ['gate'], attrs: { alpha: { f: 0.2 }, beta: { f: 0.5 } } },
    { op: 'Mul', inputs: ['hs', 'gate'], outputs: ['se'] },
    { op: 'Mul', inputs: ['se', 'scale'], outputs: ['sc'] },
    { op: 'Add', inputs: ['shift', 'sc'], outputs: ['sh'] },
    conv(['sh', 'W3', 'B3'], 'c3'),
    { op: 'LeakyRelu', inputs: ['c3'], outputs: ['l3'], attrs: { alpha: { f: 0.1 } } },
    { op: 'Concat', inputs: ['l3', 'sh'], outputs: ['cat'], attrs: { axis: 1 } },
    conv(['cat', 'Wg', 'Bg'], 'gc', { pads: [1, 1, 1, 1], group: 4 }),
    { op: 'Sigmoid', inputs: ['gc'], outputs: ['gs'] },
    { op: 'AveragePool', inputs: ['gs'], outputs: ['ap'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Split', inputs: ['ap', 'parts'], outputs: ['sa', 'sb'], attrs: { axis: -3 } },
    { op: 'Sub', inputs: ['sa', 'sb'], outputs: ['d'] },
    { op: 'Resize', inputs: ['d', '', 'rs'], outputs: ['up'], attrs: { mode: 'nearest' } },
    conv(['up', 'W4', 'B4'], 'c4'),
    { op: 'GlobalMaxPool', inputs: ['c4'], outputs: ['gm'] },
    { op: 'Flatten', inputs: ['gm'], outputs: ['Y'] },
  ];
  const inits: TensorSpec[] = [
    filter('W1', [16, C, 3, 3]), f32('B1', [16]),
    filter('W2', [16, 16, 3, 3]),
    { ...f32('bns', [16]), data: rand(16, 50, 0.5, 1.5) }, f32('bnb', [16]), f32('bnm', [16]), { ...f32('bnv', [16]), data: rand(16, 51, 0.2, 2) },
    filter('Wd', [16, 1, 3, 3]), f32('Bd', [16]),
    filter('Ws1', [4, 16, 1, 1]), f32('Bs1', [4]),
    filter('Ws2', [16, 4, 1, 1]), f32('Bs2', [16]),
    f32('scale', [16, 1, 1]), f32('shift', [1, 16, 1, 1]),
    filter('W3', [16, 16, 3, 3]), f32('B3', [16]),
    filter('Wg', [16, 8, 3, 3]), f32('Bg', [16]),
    { name: 'parts', type: T.INT64, dims: [2], data: [8, 8] },
    { name: 'rs', type: T.FLOAT, dims: [4], data: [1, 1, 2, 2] },
    filter('W4', [12, 8, 3, 3]), f32('B4', [12]),
  ];
  return { spec: model([N, C, H, W], nodes, inits, ['mid', 'Y']), dims: [N, C, H, W] };
}

describe('ORT layout pass: NHWC regions', () => {
  it('a backbone (conv chains, residual Add, pools, depthwise, SE block, Concat, grouped conv, Split, Resize) becomes one NHWC region with 3 transposes', async () => {
    const { spec, dims } = backbone(1, 13, 11);
    const report = layoutReport(spec);
    // one region: X in; `mid` (a graph output read inside too) and gm (before Flatten) out
    expect(report).toEqual({ regions: 1, converted: 21, transposes: 3, skipped: 0, bypassed: 0, absorbed: 0 });
    const on = await check(spec, dims);
    expect(transposes(on).sort()).toEqual(['X [to NHWC]', 'gm [to NCHW]', 'mid [to NCHW]']);
    // converted nodes keep their names, marked; the Flatten stays NCHW
    expect(on.profile.find((e) => e.op.startsWith('Conv+Relu'))!.node).toBe('Conv_0+Relu_1 [NHWC]');
    expect(on.profile.find((e) => e.op === 'Flatten')!.node).toBe('Flatten_27');
  });

  it('batch 2, odd sizes, a 1-row image; inputs with NaN and ±Inf agree with the pass off', async () => {
    const a = backbone(2, 9, 15);
    await check(a.spec, a.dims);
    const b = backbone(1, 1, 7);
    await check(b.spec, b.dims);
    // NaN and infinities flow through the same ops on both paths (no comparison with onnxruntime,
    // whose MaxPool keeps or skips a NaN depending on its position in the window: ops/pool.ts)
    const x = rand(size(a.dims), 9, -2, 2);
    x[5] = NaN;
    x[40] = Infinity;
    x[77] = -Infinity;
    const bytes = buildModel(a.spec);
    const on = await run(bytes, x, a.dims, { executionProviders: ['twinops'], graphOptimizationLevel: 'all' });
    const off = await run(bytes, x, a.dims, { executionProviders: ['twinops'], graphOptimizationLevel: 'extended' });
    for (const name of ['mid', 'Y']) expectClose(on.outputs[name]!, off.outputs[name]!, { dtype: 'float32', rtol: 1e-5, atol: 1e-5, op: `${name}: NaN/Inf, pass on vs off` });
    expect(on.outputs.Y!.some(Number.isNaN)).toBe(true);
  });

  it('runs at the default level, and not at basic/extended', async () => {
    const { spec, dims } = backbone(1, 8, 8);
    const bytes = buildModel(spec);
    const x = rand(size(dims), 11);
    for (const [level, want] of [[undefined, 3], ['layout', 3], ['basic', 0], ['extended', 0]] as const) {
      const r = await run(bytes, x, dims, { executionProviders: ['twinops'], ...(level ? { graphOptimizationLevel: level } : {}) });
      expect(transposes(r).length).toBe(want);
    }
  });

  it('depthwise with channel multiplier 2, opset-11 Clip with bound inputs, dilated and strided convs, outputs read in and out of the region', async () => {
    const nodes: NodeSpec[] = [
      conv(['X', 'W0'], 'c0'),
      conv(['c0', 'W1'], 'c1', { pads: [2, 2, 2, 2], dilations: [2, 2] }),
      { op: 'Clip', inputs: ['c1', 'lo', 'hi'], outputs: ['k1'] },
      conv(['k1', 'Wd', 'Bd'], 'dw', { pads: [1, 0, 1, 0], group: 12, kernel_shape: [3, 3], strides: [2, 1] }),
      conv(['dw', 'W2', 'B2'], 'c2', { auto_pad: 'SAME_UPPER' }),
      { op: 'Relu', inputs: ['k1'], outputs: ['side'] },
      { op: 'Tanh', inputs: ['c2'], outputs: ['t'] },
      { op: 'Mul', inputs: ['t', 'half'], outputs: ['Y'] },
      { op: 'Reshape', inputs: ['dw', 'shape'], outputs: ['Z'] },
    ];
    const inits = [filter('W0', [9, 9, 3, 3]), filter('W1', [12, 9, 3, 3]), f32('lo', [], 0), { ...f32('hi', []), data: [0.8] }, filter('Wd', [24, 1, 3, 3]), f32('Bd', [24]), filter('W2', [10, 24, 3, 3]), f32('B2', [10]), { ...f32('half', []), data: [0.5] }, { name: 'shape', type: T.INT64, dims: [2], data: [0, -1] }];
    const spec = model([1, 9, 10, 7], nodes, inits, ['Y', 'Z', 'side'], 11);
    const on = await check(spec, [1, 9, 10, 7]);
    // X in; dw out for the Reshape; side (a graph output) and Y
    expect(transposes(on).sort()).toEqual(['X [to NHWC]', 'Y [to NCHW]', 'dw [to NCHW]', 'side [to NCHW]']);
  });

  it('leaves regions that do not pay in NCHW: a lone conv, pointwise-only chains, few channels', async () => {
    const lone = model([1, 16, 6, 6], [conv(['X', 'W'], 'c'), { op: 'Relu', inputs: ['c'], outputs: ['Y'] }], [filter('W', [8, 16, 3, 3])], ['Y']);
    expect(layoutReport(lone)).toBeUndefined();
    expect(transposes(await check(lone, [1, 16, 6, 6]))).toEqual([]);
    const pointwise = model([1, 16, 6, 6], [conv(['X', 'W1'], 'a', {}), conv(['a', 'W2'], 'b', {}), { op: 'MaxPool', inputs: ['b'], outputs: ['Y'], attrs: { kernel_shape: [2, 2] } }], [filter('W1', [16, 16, 1, 1]), filter('W2', [8, 16, 1, 1])], ['Y']);
    expect(layoutReport(pointwise)).toBeUndefined();
    const few = model([1, 3, 9, 9], [conv(['X', 'W1'], 'a'), conv(['a', 'W2'], 'Y')], [filter('W1', [4, 3, 3, 3]), filter('W2', [4, 4, 3, 3])], ['Y']);
    expect(layoutReport(few)).toBeUndefined();
    // two 3×3 convs with 16 channels: 4 transposes saved, 2 inserted
    const two = model([1, 16, 6, 6], [conv(['X', 'W1'], 'a'), conv(['a', 'W2'], 'Y')], [filter('W1', [16, 16, 3, 3]), filter('W2', [16, 16, 3, 3])], ['Y']);
    expect(layoutReport(two)).toEqual({ regions: 1, converted: 2, transposes: 2, skipped: 0, bypassed: 0, absorbed: 0 });
    expect(transposes(await check(two, [1, 16, 6, 6])).length).toBe(2);
  });

  it('a BatchNormalization the folding pass leaves (after a residual Add) runs in NHWC inside the region', async () => {
    const nodes: NodeSpec[] = [
      conv(['X', 'W1', 'B1'], 'a'),
      { op: 'Relu', inputs: ['a'], outputs: ['r'] },
      conv(['r', 'W2'], 'b'),
      { op: 'Add', inputs: ['r', 'b'], outputs: ['s'] },
      { op: 'BatchNormalization', inputs: ['s', 'bns', 'bnb', 'bnm', 'bnv'], outputs: ['n'], attrs: { epsilon: { f: 1e-3 } } },
      conv(['n', 'W3'], 'Y', { pads: [0, 1, 2, 1], strides: [2, 2] }),
    ];
    const inits = [filter('W1', [16, 16, 3, 3]), f32('B1', [16]), filter('W2', [16, 16, 3, 3]), { ...f32('bns', [16]), data: rand(16, 60, 0.5, 1.5) }, f32('bnb', [16]), f32('bnm', [16]), { ...f32('bnv', [16]), data: rand(16, 61, 0.2, 2) }, filter('W3', [8, 16, 3, 3])];
    const spec = model([2, 16, 7, 6], nodes, inits, ['Y']);
    const on = await check(spec, [2, 16, 7, 6]);
    expect(on.profile.find((e) => e.op === 'BatchNormalization')!.node).toBe('BatchNormalization_4 [NHWC]');
    expect(transposes(on).sort()).toEqual(['X [to NHWC]', 'Y [to NCHW]']);
  });

  it("composes edges with the model's own transposes: an NHWC model (tf2onnx style) needs none, other perms compose", async () => {
    // X is NHWC [N, H, W, C]; the model transposes it to NCHW, convolves, and transposes back
    const nhwcModel = (outPerm: number[], extra: NodeSpec[] = [], outputs = ['Y']) =>
      model([2, 7, 6, 16], [
        { op: 'Transpose', inputs: ['X'], outputs: ['xt'], attrs: { perm: [0, 3, 1, 2] } },
        conv(['xt', 'W1', 'B1'], 'a'),
        { op: 'Relu', inputs: ['a'], outputs: ['r'] },
        conv(['r', 'W2'], 'b'),
        { op: 'Transpose', inputs: ['b'], outputs: ['Y'], attrs: { perm: outPerm } },
        ...extra,
      ], [filter('W1', [16, 16, 3, 3]), f32('B1', [16]), filter('W2', [12, 16, 3, 3])], outputs);
    const tf = nhwcModel([0, 2, 3, 1]);
    expect(layoutReport(tf)).toEqual({ regions: 1, converted: 2, transposes: 0, skipped: 0, bypassed: 1, absorbed: 1 });
    const on = await check(tf, [2, 7, 6, 16]);
    expect(transposes(on)).toEqual([]);
    expect(on.profile.map((e) => e.op)).toEqual(['Conv+Relu', 'Conv', 'Identity']);
    // another output perm composes into one transpose; a second reader of the input transpose keeps it
    const other = nhwcModel([0, 3, 2, 1], [{ op: 'Sigmoid', inputs: ['xt'], outputs: ['Z'] }], ['Y', 'Z']);
    expect(layoutReport(other)).toEqual({ regions: 1, converted: 2, transposes: 0, skipped: 0, bypassed: 0, absorbed: 1 });
    const o2 = await check(other, [2, 7, 6, 16]);
    expect(o2.profile.map((e) => e.node)).toEqual(['Transpose_0', 'Conv_1+Relu_2 [NHWC]', 'Conv_3 [NHWC]', 'Transpose_4 [NHWC]', 'Sigmoid_5']);
  });

  it('a size-0 batch runs through the converted region', async () => {
    const two = model([0, 16, 5, 5], [conv(['X', 'W1'], 'a'), { op: 'Relu', inputs: ['a'], outputs: ['r'] }, conv(['r', 'W2'], 'Y')], [filter('W1', [16, 16, 3, 3]), filter('W2', [16, 16, 3, 3])], ['Y']);
    const bytes = buildModel(two);
    const r = await run(bytes, new Float32Array(0), [0, 16, 5, 5], { executionProviders: ['twinops'] });
    expect(r.outputs.Y!.length).toBe(0);
    expect(transposes(r).length).toBe(2);
  });

  it.skipIf(!hasGpu)('the converted backbone runs on twinops-webgpu', async () => {
    const { spec, dims } = backbone(1, 9, 7);
    const on = await check(spec, dims, { device: 'twinops-webgpu' });
    expect(transposes(on).length).toBe(3);
  });
});
