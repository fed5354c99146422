/**
 * The quantised ONNX ops through the ORT backend (twinops wasm, 2 threads) against onnxruntime-node
 * CPU on random single-node models built with onnx-proto (uint8/int8 combinations, per-axis scales),
 * and a small QuantizeLinear → QLinearConv → QLinearMatMul → DequantizeLinear model. Tolerance: none.
 * Outputs are integers (or float32 products of integers and scales computed the same way), and both
 * engines compute x / scale, a·b/y and f32(acc)·multiplier in float32 with round-half-to-even, so they
 * must agree exactly. Combinations onnxruntime has no CPU kernel for are not compared.
 */
import * as ortCommon from 'onnxruntime-common';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T, type NodeSpec, type TensorSpec } from './ort/build-model.js';

registerOrtBackend(ortCommon as unknown as OrtModule, { warn: () => undefined });
const TWINOPS = { executionProviders: ['twinops'], intraOpNumThreads: 2 };

type Feed = { type: 'float32' | 'uint8' | 'int8'; data: ArrayLike<number>; dims: number[] };
const ONNX_TYPE = { float32: T.FLOAT, uint8: T.UINT8, int8: T.INT8 } as const;

async function run(ort: typeof ortCommon, bytes: Uint8Array, feeds: Record<string, Feed>, options: object) {
  const s = await ort.InferenceSession.create(bytes, options);
  try {
    const f: Record<string, ortCommon.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) {
      const arr = v.type === 'float32' ? Float32Array.from(v.data) : v.type === 'uint8' ? Uint8Array.from(v.data) : Int8Array.from(v.data);
      f[k] = new ort.Tensor(v.type, arr, v.dims);
    }
    const out = await s.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<number>, Number) }]));
  } finally {
    await s.release();
  }
}

/** Run a one-graph model on both engines; undefined when onnxruntime cannot create the session (no CPU kernel). */
async function compare(model: Uint8Array, feeds: Record<string, Feed>, what: string): Promise<boolean> {
  let want;
  try {
    want = await run(ortNode as unknown as typeof ortCommon, model, feeds, {});
  } catch (e) {
    if (/NOT_IMPLEMENTED|Could not find an implementation/i.test(String(e))) return false;
    throw e;
  }
  const got = await run(ortCommon, model, feeds, TWINOPS);
  expect(got, what).toEqual(want);
  return true;
}

function ints(n: number, seed: number, type: 'uint8' | 'int8'): number[] {
  const r = prng(seed);
  const lo = type === 'uint8' ? 0 : -128;
  return Array.from({ length: n }, () => lo + Math.floor(r() * 256));
}

function floats(n: number, seed: number, scale: number): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * scale));
}

const init = (name: string, type: 'float32' | 'uint8' | 'int8', dims: number[], data: ArrayLike<number>): TensorSpec => ({ name, type: ONNX_TYPE[type], dims, data });

function single(node: NodeSpec, inputs: Record<string, Feed>, inits: TensorSpec[], opset: number): Uint8Array {
  return buildModel({
    opset,
    inputs: Object.entries(inputs).map(([name, f]) => ({ name, type: ONNX_TYPE[f.type], dims: f.dims })),
    outputs: node.outputs.map((name) => ({ name, type: 0 })),
    initializers: inits,
    nodes: [node],
  });
}

const Q8 = ['uint8', 'int8'] as const;

describe('quantised ops against onnxruntime-node', () => {
  it('QuantizeLinear / DequantizeLinear: per-tensor and per-axis, uint8 and int8', async () => {
    for (const t of Q8) {
      for (const [k, perAxis] of [false, true].entries()) {
        const dims = [2, 5, 7, 3];
        const x: Feed = { type: 'float32', data: floats(2 * 5 * 7 * 3, k, 40), dims };
        const sd = perAxis ? [5] : [];
        const n = perAxis ? 5 : 1;
        const inits = [init('s', 'float32', sd, floats(n, 10 + k, 0.5).map((v) => Math.abs(v) + 0.05)), init('z', t, sd, ints(n, 20 + k, t).map((v) => Math.trunc(v / 4)))];
        const q = single({ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attrs: { axis: 1 } }, { x }, inits, 13);
        expect(await compare(q, { x }, `QuantizeLinear ${t} perAxis ${perAxis}`)).toBe(true);
        const xq: Feed = { type: t, data: ints(2 * 5 * 7 * 3, 30 + k, t), dims };
        const d = single({ op: 'DequantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attrs: { axis: -3 } }, { x: xq }, inits, 13);
        expect(await compare(d, { x: xq }, `DequantizeLinear ${t} perAxis ${perAxis}`)).toBe(true);
      }
    }
  });

  it('DynamicQuantizeLinear', async () => {
    for (const [k, dims] of [[6], [3, 17, 5], [100, 130]].entries()) {
      const x: Feed = { type: 'float32', data: floats(dims.reduce((a, b) => a * b, 1), 40 + k, 7).map((v) => v + k), dims };
      const m = single({ op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['y', 's', 'z'] }, { x }, [], 11);
      expect(await compare(m, { x }, `DynamicQuantizeLinear ${JSON.stringify(dims)}`)).toBe(true);
    }
  });

  it('MatMulInteger and QLinearMatMul: every operand type combination onnxruntime has, batch broadcasting', async () => {
    let compared = 0;
    for (const at of Q8) {
      for (const bt of Q8) {
        const a: Feed = { type: at, data: ints(3 * 5 * 37, 1, at), dims: [3, 5, 37] };
        const b = init('b', bt, [37, 19], ints(37 * 19, 2, bt));
        const mi = single({ op: 'MatMulInteger', inputs: ['a', 'b', 'az', 'bz'], outputs: ['y'] }, { a }, [b, init('az', at, [], [at === 'uint8' ? 128 : -3]), init('bz', bt, [], [bt === 'uint8' ? 120 : 5])], 10);
        if (await compare(mi, { a }, `MatMulInteger ${at} ${bt}`)) compared++;
        for (const yt of Q8) {
          for (const perCol of [false, true]) {
            const inits = [
              init('as', 'float32', [], [0.013]),
              init('az', at, [], [at === 'uint8' ? 131 : 2]),
              b,
              init('bs', 'float32', perCol ? [19] : [], perCol ? floats(19, 3, 0.02).map((v) => Math.abs(v) + 0.001) : [0.011]),
              init('bz', bt, perCol ? [19] : [], perCol ? new Array<number>(19).fill(bt === 'uint8' ? 128 : 0) : [bt === 'uint8' ? 125 : -1]),
              init('ys', 'float32', [], [0.7]),
              init('yz', yt, [], [yt === 'uint8' ? 100 : -7]),
            ];
            const m = single({ op: 'QLinearMatMul', inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'] }, { a }, inits, 10);
            if (await compare(m, { a }, `QLinearMatMul ${at} ${bt} → ${yt} perCol ${perCol}`)) compared++;
          }
        }
      }
    }
    expect(compared).toBe(10); // 4 MatMulInteger + 6 QLinearMatMul (u8·u8→u8, u8·i8→u8, i8·i8→i8; onnxruntime 1.30 has no others)
  });

  it('ConvInteger and QLinearConv: groups, depthwise, strides, pads, dilations, per-channel weights, bias', async () => {
    let compared = 0;
    const x8 = (t: 'uint8' | 'int8'): Feed => ({ type: t, data: ints(2 * 4 * 9 * 20, 5, t), dims: [2, 4, 9, 20] });
    const geometries = [
      { w: [6, 2, 3, 3], attrs: { group: 2, strides: [2, 1], pads: [1, 0, 1, 2], dilations: [1, 2] } },
      // depthwise with a depth multiplier of 2 (the direct kernel, 8-wide interior)
      { w: [8, 1, 3, 3], attrs: { group: 4, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] } },
    ];
    for (const { w: wDims, attrs } of geometries) {
      const M = wDims[0]!;
      for (const xt of Q8) {
        for (const wt of Q8) {
          const x = x8(xt);
          const w = init('w', wt, wDims, ints(wDims.reduce((p, q) => p * q, 1), 6, wt));
          const ci = single({ op: 'ConvInteger', inputs: ['x', 'w', 'xz', 'wz'], outputs: ['y'], attrs }, { x }, [w, init('xz', xt, [], [xt === 'uint8' ? 128 : 1]), init('wz', wt, [], [wt === 'uint8' ? 127 : 0])], 10);
          if (await compare(ci, { x }, `ConvInteger ${xt} ${wt} ${JSON.stringify(attrs)}`)) compared++;
          for (const perCh of [false, true]) {
            const inits = [
              init('xs', 'float32', [], [0.02]),
              init('xz', xt, [], [xt === 'uint8' ? 128 : 1]),
              w,
              init('ws', 'float32', perCh ? [M] : [], perCh ? floats(M, 7, 0.05).map((v) => Math.abs(v) + 0.001) : [0.03]),
              init('wz', wt, perCh ? [M] : [], perCh ? new Array<number>(M).fill(wt === 'uint8' ? 128 : 0) : [wt === 'uint8' ? 126 : 0]),
              init('ys', 'float32', [], [0.4]),
              init('yz', xt, [], [xt === 'uint8' ? 120 : -4]),
              { name: 'B', type: T.INT32, dims: [M], data: [100, -200, 300, -4000, 5, 0, 77, -1].slice(0, M) },
            ];
            const m = single({ op: 'QLinearConv', inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'B'], outputs: ['y'], attrs }, { x }, inits, 10);
            if (await compare(m, { x }, `QLinearConv ${xt} ${wt} perCh ${perCh} ${JSON.stringify(attrs)}`)) compared++;
          }
        }
      }
    }
    expect(compared).toBe(20); // per geometry: 4 ConvInteger + 6 QLinearConv (onnxruntime 1.30 has no int8 x with uint8 w)
  });

  it('1-D and 3-D ConvInteger / QLinearConv (GEMM path and the 1-D depthwise kernel)', async () => {
    const cases: { x: number[]; w: number[]; attrs: Record<string, number | number[]> }[] = [
      { x: [2, 3, 30], w: [4, 3, 5], attrs: { strides: [2], pads: [2, 1], dilations: [1] } },
      { x: [1, 4, 40], w: [4, 1, 3], attrs: { group: 4, strides: [1], pads: [1, 1], dilations: [2] } },
      { x: [1, 2, 5, 6, 7], w: [3, 2, 2, 3, 2], attrs: { strides: [1, 2, 1], pads: [1, 0, 1, 0, 1, 1], dilations: [1, 1, 2] } },
    ];
    for (const [k, c] of cases.entries()) {
      const n = (d: number[]) => d.reduce((p, q) => p * q, 1);
      const M = c.w[0]!;
      const x: Feed = { type: 'uint8', data: ints(n(c.x), 60 + k, 'uint8'), dims: c.x };
      const w = init('w', 'uint8', c.w, ints(n(c.w), 70 + k, 'uint8'));
      const ci = single({ op: 'ConvInteger', inputs: ['x', 'w', 'xz', 'wz'], outputs: ['y'], attrs: c.attrs }, { x }, [w, init('xz', 'uint8', [], [128]), init('wz', 'uint8', [], [127])], 10);
      expect(await compare(ci, { x }, `ConvInteger ${JSON.stringify(c)}`)).toBe(true);
      const inits = [
        init('xs', 'float32', [], [0.02]),
        init('xz', 'uint8', [], [128]),
        init('w', 'int8', c.w, ints(n(c.w), 80 + k, 'int8')),
        init('ws', 'float32', [M], floats(M, 7, 0.05).map((v) => Math.abs(v) + 0.001)),
        init('wz', 'int8', [M], new Array<number>(M).fill(0)),
        init('ys', 'float32', [], [0.3]),
        init('yz', 'uint8', [], [100]),
      ];
      const m = single({ op: 'QLinearConv', inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], outputs: ['y'], attrs: c.attrs }, { x }, inits, 10);
      expect(await compare(m, { x }, `QLinearConv ${JSON.stringify(c)}`)).toBe(true);
    }
  });

  it('a small quantised network: QuantizeLinear → QLinearConv → QLinearMatMul → DequantizeLinear', async () => {
    const x: Feed = { type: 'float32', data: floats(1 * 3 * 12 * 12, 11, 2), dims: [1, 3, 12, 12] };
    const m = buildModel({
      opset: 13,
      inputs: [{ name: 'x', type: T.FLOAT, dims: [1, 3, 12, 12] }],
      outputs: [{ name: 'out', type: 0 }],
      initializers: [
        init('xs', 'float32', [], [0.016]),
        init('xz', 'uint8', [], [128]),
        init('w', 'int8', [8, 3, 3, 3], ints(8 * 3 * 3 * 3, 12, 'int8')),
        init('ws', 'float32', [8], floats(8, 13, 0.004).map((v) => Math.abs(v) + 0.001)),
        init('wz', 'int8', [8], new Array<number>(8).fill(0)),
        init('cs', 'float32', [], [0.05]),
        init('cz', 'uint8', [], [10]),
        { name: 'cb', type: T.INT32, dims: [8], data: ints(8, 14, 'int8').map((v) => v * 20) },
        { name: 'shape', type: T.INT64, dims: [2], data: BigInt64Array.from([1n, -1n]) },
        init('m', 'uint8', [8 * 6 * 6, 10], ints(8 * 6 * 6 * 10, 15, 'uint8')),
        init('ms', 'float32', [], [0.002]),
        init('mz', 'uint8', [], [128]),
        init('os', 'float32', [], [0.3]),
        init('oz', 'uint8', [], [128]),
      ],
      nodes: [
        { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'] },
        { op: 'QLinearConv', inputs: ['xq', 'xs', 'xz', 'w', 'ws', 'wz', 'cs', 'cz', 'cb'], outputs: ['c'], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
        { op: 'Reshape', inputs: ['c', 'shape'], outputs: ['flat'] },
        { op: 'QLinearMatMul', inputs: ['flat', 'cs', 'cz', 'm', 'ms', 'mz', 'os', 'oz'], outputs: ['q'] },
        { op: 'DequantizeLinear', inputs: ['q', 'os', 'oz'], outputs: ['out'] },
      ],
    });
    expect(await compare(m, { x }, 'quantised network')).toBe(true);
  });
});
