/**
 * ONNX Reduce*, ArgMax/ArgMin and CumSum → the twinops reductions. Reduce axes are an attribute
 * before opset 18 (ReduceSum: 13) and an optional input after; CumSum's axis is an input.
 */
import type { TensorInfo } from '../../../ops/types.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const REDUCE = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare', 'ReduceLogSum'] as const;

function reduce(op: (typeof REDUCE)[number]): OnnxOpMapping {
  const inputSince = op === 'ReduceSum' ? 13 : 18;
  return {
    op,
    domain: '',
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      const axesInput = ctx.opset >= inputSince;
      arity(node, 1, axesInput ? 2 : 1);
      const at = new Attrs(node, axesInput ? ['keepdims', 'noop_with_empty_axes'] : ['axes', 'keepdims']);
      const keepdims = at.int('keepdims', 1);
      const noop = at.int('noop_with_empty_axes', 0);
      const attrAxes = at.ints('axes');
      const hasAxes = axesInput && node.inputs.length > 1 && node.inputs[1] !== '';
      const constant = constInts(ctx, 1);
      return {
        calls: op === 'ReduceMax' || op === 'ReduceMin' ? [op, 'Cast'] : [op],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const axes = hasAxes ? intsOf(x, need(ins[1], 'axes'), constant) : attrAxes;
          const attrs = { keepdims, noop_with_empty_axes: noop, ...(axes ? { axes } : {}) };
          const data = need(ins[0], 'data');
          // ReduceMax/Min-20 take bool (any/all): the same reduction over 0/1 as int32
          if (data.dtype === 'bool' && (op === 'ReduceMax' || op === 'ReduceMin')) {
            const [r] = x.op(op, [x.op('Cast', [data], { to: 'int32' })[0]!], attrs);
            return x.op('Cast', [r!], { to: 'bool' });
          }
          return x.op(op, [data], attrs);
        },
      };
    },
  };
}

function argReduce(op: 'ArgMax' | 'ArgMin'): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode): Lowered {
      arity(node, 1);
      const at = new Attrs(node, ['axis', 'keepdims', 'select_last_index']);
      const attrs = { axis: at.int('axis', 0), keepdims: at.int('keepdims', 1), select_last_index: at.int('select_last_index', 0), outputDtype: 'int64' };
      return { calls: [op], run: (x, ins) => x.op(op, [need(ins[0], 'data')], attrs) };
    },
  };
}

const cumSum: OnnxOpMapping = {
  op: 'CumSum',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['exclusive', 'reverse']);
    const flags = { exclusive: at.int('exclusive', 0), reverse: at.int('reverse', 0) };
    const constant = constInts(ctx, 1);
    return {
      calls: ['CumSum'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const axis = intsOf(x, need(ins[1], 'axis'), constant)[0];
        return x.op('CumSum', [need(ins[0], 'x')], { ...flags, axis });
      },
    };
  },
};

export const REDUCE_MAPPINGS: OnnxOpMapping[] = [...REDUCE.map(reduce), argReduce('ArgMax'), argReduce('ArgMin'), cumSum];
