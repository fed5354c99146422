/**
 * ONNX ops whose results follow from shapes and types alone: Shape, Size, ConstantOfShape, and the
 * inference forms of CastLike (a Cast to the other input's dtype) and Dropout (the input itself).
 * Shape and Size values are known during inference, so shape subgraphs built on them resolve at
 * session creation.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import { TwinopsError } from '../../../core/errors.js';
import type { OnnxNode } from '../model.js';
import { ARRAY_CTOR } from '../../../core/dtype.js';
import type { HostTensor } from '../tensor-proto.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const int64 = (values: readonly number[], dims: number[]): HostTensor => ({ dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });

const shape: OnnxOpMapping = {
  op: 'Shape',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['start', 'end']);
    const start = at.has('start') ? at.int('start', 0) : undefined;
    const end = at.has('end') ? at.int('end', 0) : undefined;
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const dims = need(ins[0], 'data').shape.slice(start, end);
        return [x.tensor(int64(dims, [dims.length]))];
      },
    };
  },
};

const size: OnnxOpMapping = {
  op: 'Size',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    new Attrs(node, []);
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        return [x.tensor(int64([need(ins[0], 'data').shape.reduce((a, b) => a * b, 1)], []))];
      },
    };
  },
};

const constantOfShape: OnnxOpMapping = {
  op: 'ConstantOfShape',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    new Attrs(node, ['value']);
    const v = node.attrs.get('value')?.t;
    if (v && v.data.length !== 1) throw new UnsupportedNodeError(`value must hold one element, got [${v.dims.join(',')}]`);
    const fill: HostTensor = v ?? { dtype: 'float32', dims: [1], data: new Float32Array(1) };
    const constant = constInts(ctx, 0);
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const dims = intsOf(x, need(ins[0], 'input'), constant);
        const n = dims.reduce((a, b) => a * b, 1);
        const data = new ARRAY_CTOR[fill.dtype](n);
        (data as { fill(v: unknown): unknown }).fill(fill.data[0]);
        return [x.tensor({ dtype: fill.dtype, dims, data })];
      },
    };
  },
};

const castLike: OnnxOpMapping = {
  op: 'CastLike',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    new Attrs(node, ['saturate']);
    return { calls: ['Cast'], run: (x, ins) => x.op('Cast', [need(ins[0], 'input')], { to: need(ins[1], 'target_type').dtype }) };
  },
};

/**
 * Dropout as inference runs it: the output is the input and the mask is all true. Training mode with
 * a ratio of 0 is the same; training mode with a ratio above 0 draws random numbers, which twinops does
 * not reproduce: that is an UNSUPPORTED error (at session creation when both inputs are constants,
 * otherwise when run).
 */
const dropout: OnnxOpMapping = {
  op: 'Dropout',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1, 3);
    const at = new Attrs(node, ['ratio', 'seed'], ['is_test', 'consumed_inputs']);
    const mask = ctx.used(1);
    // before opset 10 the mask has the data's type and no defined inference value (onnxruntime gives zeros)
    if (mask && ctx.opset < 10) throw new UnsupportedNodeError('the mask output before opset 10');
    const hasRatio = node.inputs.length > 1 && node.inputs[1] !== '';
    const hasTraining = node.inputs.length > 2 && node.inputs[2] !== '';
    const cRatio = ctx.constant(1);
    const cTraining = ctx.constant(2);
    const random = (training: number | undefined, ratio: number | undefined) => training !== undefined && training !== 0 && ratio !== undefined && ratio !== 0;
    const ratioDefault = at.float('ratio', 0.5);
    if (hasTraining && cTraining && (!hasRatio || cRatio) && random(Number(cTraining.data[0]), hasRatio ? Number(cRatio!.data[0]) : ratioDefault)) {
      throw new UnsupportedNodeError('training_mode with a ratio above 0 (random)');
    }
    return {
      calls: [],
      hostInputs: hasTraining ? [1, 2].filter((i) => i === 2 || hasRatio) : [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const data = need(ins[0], 'data');
        if (hasTraining) {
          const training = cTraining ? Number(cTraining.data[0]) : x.scalar(need(ins[2], 'training_mode'));
          const ratio = !hasRatio ? ratioDefault : cRatio ? Number(cRatio.data[0]) : x.scalar(need(ins[1], 'ratio'));
          if (random(training, ratio)) throw new TwinopsError('UNSUPPORTED', 'Dropout', `training_mode with ratio ${ratio} draws random numbers, which twinops does not reproduce`);
        }
        if (!mask) return [data];
        const n = data.shape.reduce((a, b) => a * b, 1);
        return [data, x.tensor({ dtype: 'bool', dims: data.shape.slice(), data: new Uint8Array(n).fill(1) })];
      },
    };
  },
};

export const METADATA_MAPPINGS: OnnxOpMapping[] = [shape, size, constantOfShape, castLike, dropout];
