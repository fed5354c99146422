/**
 * The synthetic whole-model workloads of /work/shared/anchors/README.md, built as ONNX with
 * onnx-proto (weights as initializers, deterministic values):
 * - MLP 784-512-512-10, batch 64: Gemm(transB) + Relu, Gemm(transB) + Relu, Gemm; 1.07 MFLOP per row.
 * - small CNN on a 128x128 RGB image. The anchors give only "0.21 GFLOP"; this stack is ours:
 *   five 3x3 convolutions (pad 1) with bias and Relu, 2x2 max pools between them,
 *   3→16 @128², 16→32 @64², 32→64 @32², 64→64 @32², 64→128 @16², then a 1x1 128→128 @8², global
 *   average pool, and a 128→10 Gemm: 0.205 GFLOP (flopsOf counts 2 per multiply-add).
 * - tiny: one Add of two 4-element inputs, for the per-run overhead.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { prng } from '../workloads.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const A = onnx.AttributeProto.AttributeType;

export interface BuiltModel {
  bytes: Uint8Array;
  /** Feed name, shape and data (deterministic). */
  feeds: { name: string; dims: number[]; data: Float32Array }[];
  /** Multiply-adds × 2 of one run (0 where not meaningful). */
  flops: number;
}

function values(n: number, seed: number, scale: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

function tensor(name: string, dims: number[], data: Float32Array): Onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function vi(name: string, dims: number[]): Onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

const ints = (name: string, v: number[]): Onnx.IAttributeProto => ({ name, type: A.INTS, ints: v });
const int = (name: string, v: number): Onnx.IAttributeProto => ({ name, type: A.INT, i: v });

function encode(name: string, nodes: Onnx.INodeProto[], inits: Onnx.ITensorProto[], input: Onnx.IValueInfoProto[], output: Onnx.IValueInfoProto[]): Uint8Array {
  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'twinops-bench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name, node: nodes, initializer: inits, input, output },
  };
  return Uint8Array.from(onnx.ModelProto.encode(model).finish());
}

export function mlpModel(batch = 64, sizes: readonly number[] = [784, 512, 512, 10]): BuiltModel {
  const nodes: Onnx.INodeProto[] = [];
  const inits: Onnx.ITensorProto[] = [];
  let x = 'x';
  let flops = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [k, n] = [sizes[l]!, sizes[l + 1]!];
    // He-like scale keeps activations of order 1 through the layers
    inits.push(tensor(`w${l}`, [n, k], values(n * k, 100 + l, Math.sqrt(3 / k))), tensor(`b${l}`, [n], values(n, 200 + l, 0.1)));
    const last = l + 2 === sizes.length;
    const y = last ? 'y' : `h${l}`;
    nodes.push({ opType: 'Gemm', input: [x, `w${l}`, `b${l}`], output: [last ? y : `g${l}`], attribute: [int('transB', 1)] });
    if (!last) nodes.push({ opType: 'Relu', input: [`g${l}`], output: [y] });
    flops += 2 * batch * k * n;
    x = y;
  }
  const data = values(batch * sizes[0]!, 7, 1);
  return { bytes: encode('mlp', nodes, inits, [vi('x', [batch, sizes[0]!])], [vi('y', [batch, sizes[sizes.length - 1]!])]), feeds: [{ name: 'x', dims: [batch, sizes[0]!], data }], flops };
}

export function smallCnnModel(): BuiltModel {
  const nodes: Onnx.INodeProto[] = [];
  const inits: Onnx.ITensorProto[] = [];
  // [in, out, kernel, pool after]
  const layers: [number, number, number, boolean][] = [
    [3, 16, 3, true],
    [16, 32, 3, true],
    [32, 64, 3, false],
    [64, 64, 3, true],
    [64, 128, 3, true],
    [128, 128, 1, false],
  ];
  let x = 'x';
  let hw = 128;
  let flops = 0;
  layers.forEach(([c, m, k, pool], l) => {
    inits.push(tensor(`w${l}`, [m, c, k, k], values(m * c * k * k, 300 + l, Math.sqrt(6 / (c * k * k)))), tensor(`b${l}`, [m], values(m, 400 + l, 0.1)));
    const p = (k - 1) / 2;
    nodes.push({ opType: 'Conv', input: [x, `w${l}`, `b${l}`], output: [`c${l}`], attribute: [ints('kernel_shape', [k, k]), ints('pads', [p, p, p, p])] });
    nodes.push({ opType: 'Relu', input: [`c${l}`], output: [`r${l}`] });
    flops += 2 * m * c * k * k * hw * hw;
    x = `r${l}`;
    if (pool) {
      nodes.push({ opType: 'MaxPool', input: [x], output: [`p${l}`], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] });
      x = `p${l}`;
      hw /= 2;
    }
  });
  nodes.push({ opType: 'GlobalAveragePool', input: [x], output: ['gap'] });
  nodes.push({ opType: 'Flatten', input: ['gap'], output: ['flat'] });
  inits.push(tensor('fcw', [10, 128], values(1280, 500, Math.sqrt(3 / 128))), tensor('fcb', [10], values(10, 501, 0.1)));
  nodes.push({ opType: 'Gemm', input: ['flat', 'fcw', 'fcb'], output: ['y'], attribute: [int('transB', 1)] });
  flops += 2 * 128 * 10;
  const data = values(3 * 128 * 128, 8, 1);
  return { bytes: encode('small-cnn', nodes, inits, [vi('x', [1, 3, 128, 128])], [vi('y', [1, 10])]), feeds: [{ name: 'x', dims: [1, 3, 128, 128], data }], flops };
}

export function tinyAddModel(): BuiltModel {
  const nodes: Onnx.INodeProto[] = [{ opType: 'Add', input: ['a', 'b'], output: ['y'] }];
  return {
    bytes: encode('tiny-add', nodes, [], [vi('a', [4]), vi('b', [4])], [vi('y', [4])]),
    feeds: [
      { name: 'a', dims: [4], data: Float32Array.from([1, 2, 3, 4]) },
      { name: 'b', dims: [4], data: Float32Array.from([0.5, -1, 2, 8]) },
    ],
    flops: 0,
  };
}
