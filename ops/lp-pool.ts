import { AttributeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { maxPoolDef, type PoolAttrs, type PoolPlan } from './pool.js';
import type { OpDef, TensorInfo } from './types.js';

export interface LpPoolAttrs extends Pick<PoolAttrs, 'kernelShape' | 'strides' | 'pads' | 'autoPad' | 'dilations' | 'ceilMode'> {
  /** The norm's exponent, a positive integer (default 2, as ONNX). */
  p?: number;
}

export interface LpPoolPlan extends PoolPlan {
  p: number;
}

/**
 * LpPool (ONNX): y = (Σ |x|^p)^(1/p) over each window, NCHW, 1-D to 3-D. The window geometry (kernel,
 * strides, pads, auto_pad, dilations, ceil_mode) is MaxPool's, from its contract; padding adds 0.
 */
export const lpPoolDef: OpDef<LpPoolAttrs, LpPoolPlan> = defineOp({
  name: 'LpPool',
  plan(inputs: readonly TensorInfo[], attrs: LpPoolAttrs): LpPoolPlan {
    const op = 'LpPool';
    expectArity(op, inputs, 1);
    expectDType(op, inputs[0]!, ['float32'], 'X');
    const p = attrs?.p ?? 2;
    if (!Number.isInteger(p) || p < 1) throw new AttributeError(op, `p must be a positive integer, got ${String(p)} (X ${fmtShape(inputs[0]!.shape)})`);
    const { kernelShape, strides, pads, autoPad, dilations, ceilMode } = attrs;
    try {
      return { ...maxPoolDef.plan(inputs, { kernelShape, strides, pads, autoPad, dilations, ceilMode }), p };
    } catch (e) {
      // the geometry's errors name MaxPool: they are LpPool's here
      if (e instanceof Error && e.message.startsWith('MaxPool: ')) e.message = `${op}: ${e.message.slice(9)}`;
      if (e && typeof e === 'object' && 'op' in e) (e as { op: string }).op = op;
      throw e;
    }
  },
});

export interface MaxPoolWithIndicesAttrs extends Pick<PoolAttrs, 'kernelShape' | 'strides' | 'pads' | 'autoPad' | 'dilations' | 'ceilMode'> {
  /** 0 (default): row-major indices; 1: column-major within each image (h + w·H, 2-D only), as ONNX storage_order. */
  storageOrder?: number;
}

/**
 * MaxPoolWithIndices: ONNX MaxPool with its Indices output, as onnxruntime computes it. For each
 * MaxPool window (same geometry, NCHW float32): the maximum (float32) and the int64 index, in the whole
 * flattened input, of its first occurrence. Unlike MaxPool (NaN propagates, numpy), NaN taps are
 * skipped and the maximum starts from the lowest finite float: a window of only -Inf/NaN gives -FLT_MAX
 * and index -1 (onnxruntime's rule). Lives beside LpPool: both walk MaxPool's windows.
 */
export const maxPoolWithIndicesDef: OpDef<MaxPoolWithIndicesAttrs, PoolPlan & { storageOrder: number }> = defineOp({
  name: 'MaxPoolWithIndices',
  plan(inputs: readonly TensorInfo[], attrs: MaxPoolWithIndicesAttrs) {
    const op = 'MaxPoolWithIndices';
    expectArity(op, inputs, 1);
    expectDType(op, inputs[0]!, ['float32'], 'X');
    const storageOrder = attrs?.storageOrder ?? 0;
    if (storageOrder !== 0 && storageOrder !== 1) throw new AttributeError(op, `storageOrder must be 0 or 1, got ${String(storageOrder)}`);
    if (storageOrder === 1 && inputs[0]!.shape.length !== 4) throw new AttributeError(op, `storageOrder 1 takes 2-D windows only (X ${fmtShape(inputs[0]!.shape)})`);
    const { kernelShape, strides, pads, autoPad, dilations, ceilMode } = attrs;
    try {
      const plan = maxPoolDef.plan(inputs, { kernelShape, strides, pads, autoPad, dilations, ceilMode });
      return { ...plan, outputs: [plan.outputs[0]!, { ...plan.outputs[0]!, dtype: 'int64' as const }], storageOrder };
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('MaxPool: ')) e.message = `${op}: ${e.message.slice(9)}`;
      if (e && typeof e === 'object' && 'op' in e) (e as { op: string }).op = op;
      throw e;
    }
  },
});
