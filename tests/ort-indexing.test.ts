/**
 * The ONNX mappings of adapters/ort/ops/indexing.ts (and the Pow, Dropout, ReduceMax/Min and MaxPool
 * Indices variants mapped beside them) through the ORT backend on wasm, against onnxruntime-node CPU on the same
 * random inputs. Moves, integers and bools must match exactly. Float results of arithmetic compare
 * with rtol 1e-5 (GridSample, LpPool, Col2Im, AffineGrid, Mean: both sides round float32 operations
 * in different orders, a few ulps apart) or exactly where nothing is computed.
 */
import * as ortCommon from 'onnxruntime-common';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T, type NodeSpec, type TensorSpec } from './ort/build-model.js';

registerOrtBackend(ortCommon as unknown as OrtModule, { warn: () => undefined });
const TWINOPS = { executionProviders: ['twinops'], intraOpNumThreads: 2 };

type Data = Float32Array | Int32Array | BigInt64Array | Uint8Array;
interface Feed {
  name: string;
  type: number;
  dims: number[];
  data: Data;
}
interface Case {
  name: string;
  opset: number;
  nodes: NodeSpec[];
  feeds: Feed[];
  outputs: string[];
  initializers?: TensorSpec[];
  /** Relative tolerance for float outputs (0: exact). */
  rtol?: number;
}

const ORT_TYPE: Record<number, string> = { [T.FLOAT]: 'float32', [T.INT32]: 'int32', [T.INT64]: 'int64', [T.UINT8]: 'uint8', [T.BOOL]: 'bool', [T.FLOAT16]: 'float16' };

const r = prng(2024);
const floats = (n: number, scale = 4) => Float32Array.from({ length: n }, () => (r() - 0.5) * scale);
const ints = (n: number, lo: number, hi: number) => Int32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo)));
const int64 = (v: ArrayLike<number>) => BigInt64Array.from(Array.from(v), BigInt);
const size = (d: number[]) => d.reduce((a, b) => a * b, 1);

async function run(ort: typeof ortCommon, c: Case, options: object) {
  const bytes = buildModel({
    opset: c.opset,
    irVersion: c.opset >= 21 ? 10 : 8,
    inputs: c.feeds.map((f) => ({ name: f.name, type: f.type, dims: f.dims })),
    outputs: c.outputs.map((name) => ({ name, type: 0 })),
    initializers: c.initializers,
    nodes: c.nodes,
  });
  const s = await ort.InferenceSession.create(bytes, options);
  try {
    const feeds = Object.fromEntries(c.feeds.map((f) => [f.name, new ort.Tensor(ORT_TYPE[f.type] as 'float32', f.data as Float32Array, f.dims)]));
    const out = await s.run(feeds);
    return c.outputs.map((n) => ({ type: out[n]!.type, dims: [...out[n]!.dims], data: Array.from(out[n]!.data as ArrayLike<number | bigint | boolean>, Number) }));
  } finally {
    await s.release();
  }
}

const CASES: Case[] = [
  {
    name: 'GatherElements (negative indices)',
    opset: 13,
    nodes: [{ op: 'GatherElements', inputs: ['X', 'I'], outputs: ['Y'], attrs: { axis: 1 } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [3, 4], data: floats(12) }, { name: 'I', type: T.INT64, dims: [3, 5], data: int64(ints(15, -4, 4)) }],
    outputs: ['Y'],
  },
  ...(['add', 'mul', 'max', 'min', 'none'] as const).map((reduction): Case => ({
    name: `ScatterElements reduction ${reduction} (repeated indices)`,
    opset: 18,
    nodes: [{ op: 'ScatterElements', inputs: ['X', 'I', 'U'], outputs: ['Y'], attrs: { axis: 0, reduction } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [4, 3], data: floats(12) }, { name: 'I', type: T.INT64, dims: [6, 3], data: int64(ints(18, -4, 4)) }, { name: 'U', type: T.FLOAT, dims: [6, 3], data: floats(18) }],
    outputs: ['Y'],
    rtol: reduction === 'none' ? 0 : 1e-6,
  })),
  {
    name: 'ScatterND reduction add on int32',
    opset: 18,
    nodes: [{ op: 'ScatterND', inputs: ['X', 'I', 'U'], outputs: ['Y'], attrs: { reduction: 'add' } }],
    feeds: [{ name: 'X', type: T.INT32, dims: [4, 5], data: ints(20, -9, 9) }, { name: 'I', type: T.INT64, dims: [3, 1], data: int64([1, 3, 1]) }, { name: 'U', type: T.INT32, dims: [3, 5], data: ints(15, -9, 9) }],
    outputs: ['Y'],
  },
  {
    name: 'Trilu lower, k = -1 (int64)',
    opset: 14,
    nodes: [{ op: 'Trilu', inputs: ['X', 'k'], outputs: ['Y'], attrs: { upper: 0 } }],
    feeds: [{ name: 'X', type: T.INT64, dims: [2, 4, 5], data: int64(ints(40, -50, 50)) }],
    initializers: [{ name: 'k', type: T.INT64, dims: [], data: int64([-1]) }],
    outputs: ['Y'],
  },
  // bicubic with border padding is left out: the ONNX reference (and so twinops and the ONNX node tests)
  // clamps an outside coordinate to the edge before taking the 4 taps, onnxruntime clamps each tap
  ...(['bilinear', 'nearest', 'bicubic'] as const).flatMap((mode) =>
    (['zeros', 'border', 'reflection'] as const).filter((p) => mode !== 'bicubic' || p !== 'border').map((padding_mode): Case => ({
      name: `GridSample-16 ${mode} ${padding_mode}`,
      opset: 16,
      nodes: [{ op: 'GridSample', inputs: ['X', 'G'], outputs: ['Y'], attrs: { mode, padding_mode, align_corners: mode === 'nearest' ? 0 : 1 } }],
      feeds: [{ name: 'X', type: T.FLOAT, dims: [2, 3, 5, 6], data: floats(180) }, { name: 'G', type: T.FLOAT, dims: [2, 4, 7, 2], data: floats(112, 3) }],
      outputs: ['Y'],
      rtol: 1e-5,
    })),
  ),
  {
    name: 'BitwiseXor broadcast (int32), BitwiseNot (uint8), BitwiseAnd (uint8)',
    opset: 18,
    nodes: [
      { op: 'BitwiseXor', inputs: ['A', 'B'], outputs: ['Y'] },
      { op: 'BitwiseNot', inputs: ['C'], outputs: ['Z'] },
      { op: 'BitwiseAnd', inputs: ['C', 'D'], outputs: ['W'] },
    ],
    feeds: [
      { name: 'A', type: T.INT32, dims: [3, 1, 5], data: ints(15, -1e9, 1e9) },
      { name: 'B', type: T.INT32, dims: [4, 1], data: ints(4, -1e9, 1e9) },
      { name: 'C', type: T.UINT8, dims: [19], data: Uint8Array.from(ints(19, 0, 256)) },
      { name: 'D', type: T.UINT8, dims: [1], data: Uint8Array.of(0x5a) },
    ],
    outputs: ['Y', 'Z', 'W'],
  },
  {
    name: 'OneHot-11 axis 1, negative and out-of-range indices',
    opset: 11,
    nodes: [{ op: 'OneHot', inputs: ['I', 'depth', 'values'], outputs: ['Y'], attrs: { axis: 1 } }],
    feeds: [{ name: 'I', type: T.INT64, dims: [2, 3], data: int64([0, -1, 6, -7, 3, 2]) }],
    initializers: [{ name: 'depth', type: T.INT64, dims: [], data: int64([6]) }, { name: 'values', type: T.FLOAT, dims: [2], data: Float32Array.of(-2, 5) }],
    outputs: ['Y'],
  },
  {
    name: 'Compress along axis 1, and flattened',
    opset: 11,
    nodes: [
      { op: 'Compress', inputs: ['X', 'c'], outputs: ['Y'], attrs: { axis: 1 } },
      { op: 'Compress', inputs: ['X', 'c2'], outputs: ['Z'] },
    ],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [2, 4], data: floats(8) }],
    initializers: [{ name: 'c', type: T.BOOL, dims: [3], data: Uint8Array.of(1, 0, 1) }, { name: 'c2', type: T.BOOL, dims: [6], data: Uint8Array.of(0, 1, 1, 0, 0, 1) }],
    outputs: ['Y', 'Z'],
  },
  {
    name: 'CenterCropPad with axes (crop one, pad the other)',
    opset: 18,
    nodes: [{ op: 'CenterCropPad', inputs: ['X', 's'], outputs: ['Y'], attrs: { axes: [-3, -2] } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [9, 4, 2], data: floats(72) }],
    initializers: [{ name: 's', type: T.INT64, dims: [2], data: int64([4, 7]) }],
    outputs: ['Y'],
  },
  {
    name: 'DepthToSpace DCR and CRD, SpaceToDepth',
    opset: 13,
    nodes: [
      { op: 'DepthToSpace', inputs: ['X'], outputs: ['A'], attrs: { blocksize: 2 } },
      { op: 'DepthToSpace', inputs: ['X'], outputs: ['B'], attrs: { blocksize: 2, mode: 'CRD' } },
      { op: 'SpaceToDepth', inputs: ['A'], outputs: ['C'], attrs: { blocksize: 2 } },
    ],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [2, 8, 3, 2], data: floats(96) }],
    outputs: ['A', 'B', 'C'],
  },
  {
    name: 'ReverseSequence batch axis 0',
    opset: 10,
    nodes: [{ op: 'ReverseSequence', inputs: ['X', 'L'], outputs: ['Y'], attrs: { batch_axis: 0, time_axis: 1 } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [3, 5, 2], data: floats(30) }, { name: 'L', type: T.INT64, dims: [3], data: int64([5, 0, 3]) }],
    outputs: ['Y'],
  },
  {
    name: 'Mean of three broadcast inputs',
    opset: 13,
    nodes: [{ op: 'Mean', inputs: ['A', 'B', 'C'], outputs: ['Y'] }],
    feeds: [{ name: 'A', type: T.FLOAT, dims: [2, 3], data: floats(6) }, { name: 'B', type: T.FLOAT, dims: [3], data: floats(3) }, { name: 'C', type: T.FLOAT, dims: [2, 1], data: floats(2) }],
    outputs: ['Y'],
    rtol: 1e-6,
  },
  {
    name: 'LpPool p = 3 with pads and strides',
    opset: 18,
    nodes: [{ op: 'LpPool', inputs: ['X'], outputs: ['Y'], attrs: { kernel_shape: [3, 2], p: 3, pads: [1, 0, 1, 1], strides: [2, 1] } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [1, 2, 7, 6], data: floats(84) }],
    outputs: ['Y'],
    rtol: 1e-5,
  },
  {
    name: 'Col2Im with strides, pads and dilations',
    opset: 18,
    nodes: [{ op: 'Col2Im', inputs: ['X', 'img', 'blk'], outputs: ['Y'], attrs: { strides: [2, 1], pads: [1, 0, 1, 1], dilations: [1, 2] } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [1, 12, 9], data: floats(108) }],
    initializers: [{ name: 'img', type: T.INT64, dims: [2], data: int64([5, 6]) }, { name: 'blk', type: T.INT64, dims: [2], data: int64([2, 3]) }],
    outputs: ['Y'],
    rtol: 1e-6,
  },
  ...[0, 1].map((align_corners): Case => ({
    name: `AffineGrid 2-D align_corners ${align_corners}`,
    opset: 20,
    nodes: [{ op: 'AffineGrid', inputs: ['theta', 'size'], outputs: ['Y'], attrs: { align_corners } }],
    feeds: [{ name: 'theta', type: T.FLOAT, dims: [2, 2, 3], data: floats(12) }],
    initializers: [{ name: 'size', type: T.INT64, dims: [4], data: int64([2, 3, 4, 5]) }],
    outputs: ['Y'],
    rtol: 1e-5,
  })),
  // (with output_shape the two differ: twinops pads the default-shaped result at the end of each axis,
  // as the ONNX node test test_maxunpool_export_with_output_shape expects; onnxruntime indexes the larger output)
  {
    name: 'MaxUnpool',
    opset: 11,
    nodes: [{ op: 'MaxUnpool', inputs: ['X', 'I'], outputs: ['Y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [1, 2, 2, 2], data: floats(8) }, { name: 'I', type: T.INT64, dims: [1, 2, 2, 2], data: int64([0, 3, 9, 14, 17, 18, 27, 31]) }],
    outputs: ['Y'],
  },
  ...(['avg', 'max'] as const).map((mode): Case => ({
    name: `RoiAlign ${mode}, adaptive sampling, rois partly outside`,
    opset: 16,
    nodes: [{ op: 'RoiAlign', inputs: ['X', 'rois', 'bi'], outputs: ['Y'], attrs: { mode, output_height: 3, output_width: 4, sampling_ratio: 0, spatial_scale: { f: 0.5 } } }],
    feeds: [
      { name: 'X', type: T.FLOAT, dims: [2, 3, 9, 11], data: floats(594) },
      { name: 'rois', type: T.FLOAT, dims: [4, 4], data: Float32Array.of(0, 0, 10, 12, -6, 2, 30, 9, 4, 4, 5, 5, 20, 16, 24, 22) },
      { name: 'bi', type: T.INT64, dims: [4], data: int64([0, 1, 1, 0]) },
    ],
    outputs: ['Y'],
    rtol: 1e-5,
  })),
  {
    name: 'Det of a batch of 5×5 matrices',
    opset: 11,
    nodes: [{ op: 'Det', inputs: ['X'], outputs: ['Y'] }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [3, 5, 5], data: floats(75) }],
    outputs: ['Y'],
    rtol: 1e-5,
  },
  ...[0, 1].map((storage_order): Case => ({
    name: `MaxPool with the Indices output, storage_order ${storage_order}`,
    opset: 12,
    nodes: [{ op: 'MaxPool', inputs: ['X'], outputs: ['Y', 'I'], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], storage_order } }],
    feeds: [{ name: 'X', type: T.FLOAT, dims: [2, 3, 7, 6], data: floats(252) }],
    outputs: ['Y', 'I'],
  })),
  {
    name: 'MaxPool on uint8 (pooled as int32), with Indices',
    opset: 12,
    nodes: [{ op: 'MaxPool', inputs: ['X'], outputs: ['Y', 'I'], attrs: { kernel_shape: [2, 3], strides: [1, 2], pads: [0, 1, 1, 1] } }],
    feeds: [{ name: 'X', type: T.UINT8, dims: [1, 2, 5, 6], data: Uint8Array.from(ints(60, 0, 256)) }],
    outputs: ['Y', 'I'],
  },
  {
    name: 'IsInf (positive only, negative only), IsNaN and Max on float16',
    opset: 20,
    nodes: [
      { op: 'IsInf', inputs: ['H'], outputs: ['A'], attrs: { detect_negative: 0 } },
      { op: 'IsInf', inputs: ['H'], outputs: ['B'], attrs: { detect_positive: 0 } },
      { op: 'IsNaN', inputs: ['H'], outputs: ['C'] },
      { op: 'Max', inputs: ['H', 'H2'], outputs: ['D'] },
    ],
    feeds: [
      { name: 'H', type: T.FLOAT16, dims: [6], data: Uint16Array.of(0x7c00, 0xfc00, 0x7e00, 0x3c00, 0x8000, 0xbc00) as unknown as Uint8Array },
      { name: 'H2', type: T.FLOAT16, dims: [6], data: Uint16Array.of(0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000) as unknown as Uint8Array },
    ],
    outputs: ['A', 'B', 'C', 'D'],
  },
  {
    name: 'NonZero, EyeLike (k = 1, to float), Upsample-9 nearest',
    opset: 9,
    nodes: [
      { op: 'NonZero', inputs: ['X'], outputs: ['A'] },
      { op: 'EyeLike', inputs: ['X'], outputs: ['B'], attrs: { k: 1, dtype: T.FLOAT } },
      { op: 'Upsample', inputs: ['F', 'sc'], outputs: ['C'], attrs: { mode: 'nearest' } },
    ],
    feeds: [{ name: 'X', type: T.INT32, dims: [3, 4], data: Int32Array.of(0, 1, 0, 2, 3, 0, 0, 0, 0, 4, 5, 0) }, { name: 'F', type: T.FLOAT, dims: [1, 1, 2, 3], data: floats(6) }],
    initializers: [{ name: 'sc', type: T.FLOAT, dims: [4], data: Float32Array.of(1, 1, 2, 3) }],
    outputs: ['A', 'B', 'C'],
  },
  {
    name: 'Pow with an int32 exponent and with an int32 base; Dropout mask',
    opset: 18,
    nodes: [
      { op: 'Pow', inputs: ['X', 'E'], outputs: ['A'] },
      { op: 'Pow', inputs: ['E', 'X2'], outputs: ['B'] },
      { op: 'Dropout', inputs: ['X'], outputs: ['C', 'M'] },
    ],
    feeds: [
      { name: 'X', type: T.FLOAT, dims: [5], data: Float32Array.of(1.5, -2, 0.5, 3, -1) },
      { name: 'E', type: T.INT32, dims: [5], data: Int32Array.of(2, 3, -1, 0, 5) },
      { name: 'X2', type: T.FLOAT, dims: [5], data: Float32Array.of(2, 2, 0.5, 1.5, 3) },
    ],
    outputs: ['A', 'B', 'C', 'M'],
    rtol: 1e-6,
  },
  {
    name: 'ReduceMax and ReduceMin on bool (opset 20)',
    opset: 20,
    nodes: [
      { op: 'ReduceMax', inputs: ['Bo', 'ax'], outputs: ['D'], attrs: { keepdims: 0 } },
      { op: 'ReduceMin', inputs: ['Bo'], outputs: ['E'], attrs: { keepdims: 1 } },
    ],
    feeds: [{ name: 'Bo', type: T.BOOL, dims: [3, 2], data: Uint8Array.of(0, 1, 0, 0, 1, 1) }],
    initializers: [{ name: 'ax', type: T.INT64, dims: [1], data: int64([1]) }],
    outputs: ['D', 'E'],
  },
];

describe('ONNX indexing and miscellaneous mappings through the ORT backend', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const got = await run(ortCommon, c, TWINOPS);
      const want = await run(ortNode as unknown as typeof ortCommon, c, {});
      got.forEach((g, k) => {
        const w = want[k]!;
        const what = `${c.name}: output ${c.outputs[k]}`;
        expect(g.type, what).toBe(w.type);
        expect(g.dims, what).toEqual(w.dims);
        expect(g.data.length, what).toBe(size(w.dims));
        g.data.forEach((v, i) => {
          const e = w.data[i]!;
          const ok = !c.rtol || g.type !== 'float32' ? Object.is(v, e) || (Number.isNaN(v) && Number.isNaN(e)) || v === e : Math.abs(v - e) <= c.rtol * Math.abs(e) + 1e-6;
          if (!ok) throw new Error(`${what}: element ${i} is ${v}, onnxruntime gives ${e}`);
        });
      });
    });
  }
});
