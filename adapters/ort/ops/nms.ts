/**
 * ONNX NonMaxSuppression (opset 11) → twinops NonMaxSuppression once per (batch, class): the boxes
 * of the batch and the scores of the class are sliced out, the selection count read on the host,
 * and the [batch, class, box] rows assembled (Slice, Reshape, Concat, Cast to int64). ONNX drops a
 * box whose IoU exceeds the threshold (strictIou) and keeps candidates scoring above
 * score_threshold (none when the input is absent); the scalar inputs are read on the host.
 */
import type { TensorInfo } from '../../../ops/types.js';
import type { OnnxNode } from '../model.js';
import { addMappings } from './table.js';
import { Attrs, ValueUnknown, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const nms: OnnxOpMapping = {
  op: 'NonMaxSuppression',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2, 5);
    const at = new Attrs(node, ['center_point_box']);
    const centerPointBox = at.int('center_point_box', 0) === 1;
    const constant = (i: number) => {
      const t = node.inputs[i] ? ctx.constant(i) : undefined;
      return t ? Number(t.data[0]) : undefined;
    };
    const consts = [2, 3, 4].map(constant);
    return {
      calls: ['NonMaxSuppression', 'Slice', 'Reshape', 'Concat', 'Cast'],
      hostInputs: [2, 3, 4],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const boxes = need(ins[0], 'boxes');
        const scores = need(ins[1], 'scores');
        const value = (i: number, dflt: number | undefined) => {
          const t = ins[i];
          if (!t) return dflt;
          const v = consts[i - 2] ?? x.scalar(t);
          if (v === undefined) throw new ValueUnknown();
          return v;
        };
        const maxOutputSize = Math.max(0, value(2, 0)!);
        const iouThreshold = value(3, 0)!;
        const scoreThreshold = value(4, undefined);
        const [B, N] = [boxes.shape[0]!, boxes.shape[1]!];
        const C = scores.shape[1]!;
        const rows: T[] = [];
        for (let b = 0; b < B; b++) {
          const bx = x.reshape(x.op('Slice', [boxes], { starts: [b], ends: [b + 1], axes: [0] })[0]!, [N, 4]);
          for (let c = 0; c < C; c++) {
            const sc = x.reshape(x.op('Slice', [scores], { starts: [b, c], ends: [b + 1, c + 1], axes: [0, 1] })[0]!, [N]);
            const [sel, , count] = x.op('NonMaxSuppression', [bx, sc], { maxOutputSize: Math.min(maxOutputSize, 2 ** 31 - 1), iouThreshold, scoreThreshold, centerPointBox, strictIou: true });
            const k = x.scalar(count!);
            if (k === undefined) throw new ValueUnknown();
            const idx = x.reshape(x.op('Slice', [sel!], { starts: [0], ends: [k] })[0]!, [k, 1]);
            const col = (v: number) => x.tensor({ dtype: 'int32', dims: [k, 1], data: new Int32Array(k).fill(v) });
            rows.push(x.op('Concat', [col(b), col(c), idx], { axis: 1 })[0]!);
          }
        }
        const all = rows.length ? x.op('Concat', rows, { axis: 0 })[0]! : x.tensor({ dtype: 'int32', dims: [0, 3], data: new Int32Array(0) });
        return [x.op('Cast', [all], { to: 'int64' })[0]!];
      },
    };
  },
};

addMappings([nms]);
