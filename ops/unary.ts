import type { DType } from '../core/dtype.js';
import { AttributeError } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const UNARY_OPS = ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Gelu', 'Clip'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Ops that make sense on int32 (exact integer results). The rest are float32 only. */
export const INT_UNARY_OPS: readonly UnaryOp[] = ['Relu', 'Abs', 'Neg', 'Clip'];

export interface UnaryAttrs {
  /** LeakyRelu slope (default 0.01, as ONNX). */
  alpha?: number;
  /** Clip bounds (default -Infinity / +Infinity). */
  min?: number;
  max?: number;
  /** Gelu: 'none' (exact, erf) or 'tanh' (approximation), as ONNX Gelu-20. */
  approximate?: 'none' | 'tanh';
}

export interface UnaryPlan extends Plan {
  op: UnaryOp;
  size: number;
  alpha: number;
  min: number;
  max: number;
  approximate: 'none' | 'tanh';
}

export function unaryDef(op: UnaryOp): OpDef<UnaryAttrs, UnaryPlan> {
  const dtypes: readonly DType[] = INT_UNARY_OPS.includes(op) ? ['float32', 'int32'] : ['float32'];
  return {
    name: op,
    plan(inputs: readonly TensorInfo[], attrs: UnaryAttrs): UnaryPlan {
      expectArity(op, inputs, 1);
      const x = inputs[0]!;
      expectDType(op, x, dtypes, 'X');
      const alpha = attrs.alpha ?? 0.01;
      const min = attrs.min ?? -Infinity;
      const max = attrs.max ?? Infinity;
      const approximate = attrs.approximate ?? 'none';
      if (!Number.isFinite(alpha) && op === 'LeakyRelu') throw new AttributeError(op, `alpha must be finite, got ${alpha}`);
      if (Number.isNaN(min) || Number.isNaN(max)) throw new AttributeError(op, `min/max must not be NaN`);
      if (approximate !== 'none' && approximate !== 'tanh') throw new AttributeError(op, `approximate must be 'none' or 'tanh', got ${String(approximate)}`);
      let size = 1;
      for (const d of x.shape) size *= d;
      return { op, outputs: [{ shape: x.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, size, alpha, min, max, approximate };
    },
  };
}
