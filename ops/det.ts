import { ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface DetPlan extends Plan {
  /** Matrices in the batch and their size. */
  batch: number;
  M: number;
}

/** Det (ONNX): X [*, M, M] → [*], the determinant of each matrix (float32; computed in float64, see wasm-kernels/det.wat.ts). */
export const detDef: OpDef<object, DetPlan> = defineOp({
  name: 'Det',
  plan(inputs: readonly TensorInfo[]): DetPlan {
    const op = 'Det';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    const r = x.shape.length;
    if (r < 2 || x.shape[r - 1] !== x.shape[r - 2]) throw new ShapeError(op, `X must be [*, M, M] (square matrices), got ${fmtShape(x.shape)}`, r < 2 ? 'RANK' : 'SHAPE_MISMATCH');
    const batchShape = x.shape.slice(0, r - 2);
    return { outputs: [{ shape: batchShape, dtype: 'float32' }], dispatchDType: 'float32', batch: batchShape.reduce((a, b) => a * b, 1), M: x.shape[r - 1]! };
  },
});
