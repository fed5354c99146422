import { BYTES_PER_ELEMENT, type DType } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import { defineOp } from './index.js';
import { normalizeAxis } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export type ScatterReduction = 'none' | 'add' | 'mul' | 'max' | 'min';
export const SCATTER_REDUCTIONS: readonly ScatterReduction[] = ['none', 'add', 'mul', 'max', 'min'];
/** The dtypes the reductions other than 'none' take (replacing moves bytes, so it takes every dtype). */
export const SCATTER_REDUCE_DTYPES: readonly DType[] = ['float32', 'int32', 'int64'];

export interface ScatterElementsAttrs {
  axis?: number;
  /**
   * How an update meets the element it lands on (default 'none': it replaces it). Repeated indices
   * apply in the order of the indices, so with 'none' the last update wins. max/min propagate NaN.
   */
  reduction?: ScatterReduction;
}

export interface ScatterElementsPlan extends Plan {
  elemBytes: number;
  axis: number;
  reduction: ScatterReduction;
  dataShape: number[];
  indicesShape: number[];
}

/** The reduction attribute, checked against the dtype (shared with ScatterND's reductions). */
export function scatterReduction(op: string, r: unknown, x: TensorInfo): ScatterReduction {
  const red = (r ?? 'none') as ScatterReduction;
  if (!SCATTER_REDUCTIONS.includes(red)) throw new AttributeError(op, `reduction must be one of ${SCATTER_REDUCTIONS.join(', ')}, got ${String(r)}`);
  if (red !== 'none') expectDType(op, x, SCATTER_REDUCE_DTYPES, `data (reduction '${red}')`);
  return red;
}

/**
 * ScatterElements (ONNX; also Scatter-9/10): a copy of data where, for every position p of indices,
 * out[p with axis replaced by indices[p]] = updates[p] (or combined by `reduction`). Negative indices
 * count from the end; anything else out of range is a ShapeError naming the index.
 */
export const scatterElementsDef: OpDef<ScatterElementsAttrs, ScatterElementsPlan> = defineOp({
  name: 'ScatterElements',
  plan(inputs: readonly TensorInfo[], attrs: ScatterElementsAttrs = {}): ScatterElementsPlan {
    const op = 'ScatterElements';
    expectArity(op, inputs, 3);
    const [x, idx, upd] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    const dtype = expectSameDType(op, [x, upd]);
    const reduction = scatterReduction(op, attrs.reduction, x);
    const r = x.shape.length;
    const shapes = `data ${fmtShape(x.shape)}, indices ${fmtShape(idx.shape)}, updates ${fmtShape(upd.shape)}`;
    if (r === 0 || idx.shape.length !== r) throw new ShapeError(op, `data and indices must have one rank >= 1 (${shapes})`, 'RANK');
    if (upd.shape.length !== r || upd.shape.some((d, i) => d !== idx.shape[i])) throw new ShapeError(op, `updates must have the indices' shape (${shapes})`);
    const axis = normalizeAxis(op, attrs.axis ?? 0, r);
    if (idx.shape.some((d, i) => i !== axis && d > x.shape[i]!)) throw new ShapeError(op, `indices exceed data outside axis ${axis} (${shapes})`);
    return {
      outputs: [{ shape: x.shape.slice(), dtype }],
      dispatchDType: dtype,
      elemBytes: BYTES_PER_ELEMENT[dtype],
      axis,
      reduction,
      dataShape: x.shape.slice(),
      indicesShape: idx.shape.slice(),
    };
  },
});
