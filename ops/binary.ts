import type { DType } from '../core/dtype.js';
import { broadcastShapes, broadcastStrides, collapseBroadcast } from './shape.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const ARITHMETIC_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min'] as const;
export const COMPARISON_OPS = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp;

export const BINARY_DTYPES: readonly DType[] = ['float32', 'int32'];

export interface BinaryPlan extends Plan {
  op: BinaryOp;
  /** Broadcast output shape. */
  outShape: number[];
  /**
   * The problem collapsed to the fewest dimensions (size-1 dims dropped, contiguous runs merged).
   * `aStrides`/`bStrides` are in elements, 0 where broadcast. Empty `shape` means a single element.
   */
  shape: number[];
  aStrides: number[];
  bStrides: number[];
}

/**
 * Elementwise binary ops with numpy broadcasting. Arithmetic keeps the input dtype; comparisons give
 * bool. Integer Div truncates toward zero (ONNX), division by zero is left to the kernel's documented
 * behaviour (0 for int32). Pow on int32 computes exactly for non-negative exponents.
 */
export function binaryDef(op: BinaryOp): OpDef<Record<string, never>, BinaryPlan> {
  const comparison = (COMPARISON_OPS as readonly string[]).includes(op);
  return {
    name: op,
    plan(inputs: readonly TensorInfo[]): BinaryPlan {
      expectArity(op, inputs, 2);
      const [a, b] = inputs as [TensorInfo, TensorInfo];
      expectDType(op, a, BINARY_DTYPES, 'A');
      expectDType(op, b, BINARY_DTYPES, 'B');
      const dtype = expectSameDType(op, inputs);
      const outShape = broadcastShapes(op, a.shape, b.shape);
      const c = collapseBroadcast(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
      return {
        op,
        outputs: [{ shape: outShape, dtype: comparison ? 'bool' : dtype }],
        dispatchDType: dtype,
        outShape,
        shape: c.shape,
        aStrides: c.strides[0]!,
        bStrides: c.strides[1]!,
      };
    },
  };
}
