import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Gated activations (ONNX Swish-24, SwiGLU-28), float32 or float16 (computed in float32):
 *   Swish(X) = X · sigmoid(alpha · X);  SwiGLU(A, B) = Swish(A) · B, A and B of one shape and dtype.
 * alpha defaults to 1.
 */
export interface SwishAttrs {
  alpha?: number;
}

export interface SwishPlan extends Plan {
  n: number;
  alpha: number;
}

function plan(op: 'Swish' | 'SwiGLU', inputs: readonly TensorInfo[], attrs: SwishAttrs): SwishPlan {
  const glu = op === 'SwiGLU';
  expectArity(op, inputs, glu ? 2 : 1);
  const x = inputs[0]!;
  expectDType(op, x, ['float32', 'float16'], glu ? 'A' : 'X');
  if (glu) {
    const b = inputs[1]!;
    expectDType(op, b, [x.dtype], 'B');
    if (b.shape.length !== x.shape.length || b.shape.some((d, i) => d !== x.shape[i])) throw new ShapeError(op, `A${fmtShape(x.shape)} and B${fmtShape(b.shape)} must have the same shape`);
  }
  const alpha = attrs.alpha ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new AttributeError(op, `alpha must be a finite number, got ${String(attrs.alpha)}`);
  return { outputs: [{ shape: x.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, n: x.shape.reduce((a, b) => a * b, 1), alpha };
}

export const swishDef: OpDef<SwishAttrs, SwishPlan> = defineOp({ name: 'Swish', plan: (inputs, attrs) => plan('Swish', inputs, attrs) });
export const swigluDef: OpDef<SwishAttrs, SwishPlan> = defineOp({ name: 'SwiGLU', plan: (inputs, attrs) => plan('SwiGLU', inputs, attrs) });
