/**
 * ONNX Softmax → twinops Softmax. Before opset 13 Softmax views the input as 2-D
 * [prod(dims[:axis]), prod(dims[axis:])] (axis default 1) and normalises each row: expressed as
 * reshape → Softmax(axis -1) → reshape back. From 13 on it is a plain per-axis softmax (default -1).
 */
import type { TensorInfo } from '../../../ops/types.js';
import { AttributeError } from '../../../core/errors.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const softmax: OnnxOpMapping = {
  op: 'Softmax',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['axis']);
    if (ctx.opset >= 13) {
      const axis = at.int('axis', -1);
      return { calls: ['Softmax'], run: (x, ins) => x.op('Softmax', [need(ins[0], 'input')], { axis }) };
    }
    const axisAttr = at.int('axis', 1);
    return {
      calls: ['Softmax'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const input = need(ins[0], 'input');
        const rank = input.shape.length;
        const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
        if (axis < 0 || axis > rank || (rank > 0 && axis === rank)) throw new AttributeError('Softmax', `axis ${axisAttr} is out of range for a rank-${rank} input`);
        let outer = 1;
        let inner = 1;
        input.shape.forEach((d, i) => (i < axis ? (outer *= d) : (inner *= d)));
        const y = x.op('Softmax', [x.reshape(input, [outer, inner])], { axis: -1 })[0]!;
        return [x.reshape(y, input.shape)];
      },
    };
  },
};

export const SOFTMAX_MAPPINGS: OnnxOpMapping[] = [softmax];
