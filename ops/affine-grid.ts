import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface AffineGridAttrs {
  /** The output image size [N, C, H, W] or [N, C, D, H, W] (ONNX passes it as an input). */
  size: readonly number[];
  /** -1 and 1 name the centres of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean | number;
}

export interface AffineGridPlan extends Plan {
  dims: 2 | 3;
  N: number;
  D: number;
  H: number;
  W: number;
  alignCorners: boolean;
}

/**
 * AffineGrid (ONNX opset 20): theta [N, 2, 3] (or [N, 3, 4]) applied to the normalised pixel grid of
 * an image of `size` → grid [N, H, W, 2] (or [N, D, H, W, 3]) in (x, y[, z]) order, GridSample's input.
 */
export const affineGridDef: OpDef<AffineGridAttrs, AffineGridPlan> = defineOp({
  name: 'AffineGrid',
  plan(inputs: readonly TensorInfo[], attrs: AffineGridAttrs): AffineGridPlan {
    const op = 'AffineGrid';
    expectArity(op, inputs, 1);
    const theta = inputs[0]!;
    expectDType(op, theta, ['float32'], 'theta');
    const size = attrs?.size;
    if (!Array.isArray(size) || (size.length !== 4 && size.length !== 5) || !size.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new AttributeError(op, `size must be [N, C, H, W] or [N, C, D, H, W] of non-negative integers, got ${JSON.stringify(size)}`);
    }
    const dims = (size.length - 2) as 2 | 3;
    const N = size[0]!;
    if (theta.shape.length !== 3 || theta.shape[0] !== N || theta.shape[1] !== dims || theta.shape[2] !== dims + 1) {
      throw new ShapeError(op, `theta must be [${N}, ${dims}, ${dims + 1}] for size [${size.join(',')}], got ${fmtShape(theta.shape)}`);
    }
    const [D, H, W] = dims === 3 ? [size[2]!, size[3]!, size[4]!] : [1, size[2]!, size[3]!];
    return {
      outputs: [{ shape: dims === 3 ? [N, D, H, W, 3] : [N, H, W, 2], dtype: 'float32' }],
      dispatchDType: 'float32',
      dims,
      N,
      D,
      H,
      W,
      alignCorners: !!attrs.alignCorners,
    };
  },
});
