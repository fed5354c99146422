/**
 * ONNX Softmax / LogSoftmax / Hardmax → the twinops ops of the same names. Before opset 13 they view the input as 2-D
 * [prod(dims[:axis]), prod(dims[axis:])] (axis default 1) and normalise each row: expressed as
 * reshape → Softmax(axis -1) → reshape back (LogSoftmax, Hardmax likewise). From 13 on it is a plain per-axis softmax (default -1).
 */
import type { TensorInfo } from '../../../ops/types.js';
import { AttributeError } from '../../../core/errors.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

/** Softmax, LogSoftmax and Hardmax share the calling convention (ONNX changed all three at opset 13). */
function softmaxLike(op: 'Softmax' | 'LogSoftmax' | 'Hardmax'): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      arity(node, 1);
      const at = new Attrs(node, ['axis']);
      if (ctx.opset >= 13) {
        const axis = at.int('axis', -1);
        return { calls: [op], run: (x, ins) => x.op(op, [need(ins[0], 'input')], { axis }) };
      }
      const axisAttr = at.int('axis', 1);
      return {
        calls: [op],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const input = need(ins[0], 'input');
          const rank = input.shape.length;
          const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
          if (axis < 0 || axis > rank || (rank > 0 && axis === rank)) throw new AttributeError(op, `axis ${axisAttr} is out of range for a rank-${rank} input`);
          let outer = 1;
          let inner = 1;
          input.shape.forEach((d, i) => (i < axis ? (outer *= d) : (inner *= d)));
          const y = x.op(op, [x.reshape(input, [outer, inner])], { axis: -1 })[0]!;
          return [x.reshape(y, input.shape)];
        },
      };
    },
  };
}

export const SOFTMAX_MAPPINGS: OnnxOpMapping[] = [softmaxLike('Softmax'), softmaxLike('LogSoftmax'), softmaxLike('Hardmax')];
