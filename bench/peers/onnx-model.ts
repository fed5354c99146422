/**
 * One-node ONNX models for the ORT peers, built with onnx-proto. MatMul carries B as an initializer
 * (weights baked into the model, as a real model would; no Gemm), Add feeds both inputs, Softmax
 * uses axis -1 at opset 13.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { inputsOf, type Input, type Workload } from '../workloads.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function valueInfo(name: string, shape: readonly number[]): Onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  };
}

function initializer(input: Input): Onnx.ITensorProto {
  const d = input.data;
  return {
    name: input.name,
    dims: input.shape,
    dataType: FLOAT,
    rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength),
  };
}

export interface OnnxModel {
  bytes: Uint8Array;
  /** The inputs to feed at run time (initializers excluded). */
  feeds: Input[];
  outputName: string;
}

export function buildModel(w: Workload): OnnxModel {
  const inputs = inputsOf(w);
  let node: Onnx.INodeProto;
  let feeds = inputs;
  let inits: Input[] = [];
  let outShape: number[];
  switch (w.kind) {
    case 'matmul':
      node = { opType: 'MatMul', input: ['A', 'B'], output: ['Y'] };
      feeds = inputs.slice(0, 1);
      inits = inputs.slice(1);
      outShape = [w.M, w.N];
      break;
    case 'add':
      node = { opType: 'Add', input: ['A', 'B'], output: ['Y'] };
      outShape = w.shape;
      break;
    case 'softmax':
      node = {
        opType: 'Softmax',
        input: ['X'],
        output: ['Y'],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
      };
      outShape = w.shape;
      break;
  }
  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'twinops-bench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: w.id,
      node: [node],
      input: feeds.map((f) => valueInfo(f.name, f.shape)),
      initializer: inits.map(initializer),
      output: [valueInfo('Y', outShape)],
    },
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), feeds, outputName: 'Y' };
}
