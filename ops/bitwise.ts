import { BYTES_PER_ELEMENT, type DType } from '../core/dtype.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import { defineOp } from './index.js';
import { broadcastShapes, broadcastStrides, collapseBroadcast } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/** The integer dtypes the bitwise ops take (bits, so signedness does not matter). */
export const BITWISE_DTYPES: readonly DType[] = ['int32', 'int64', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'uint64'];
export const BITWISE_BINARY = ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'] as const;
export type BitwiseBinaryOp = (typeof BITWISE_BINARY)[number];

export interface BitwisePlan extends Plan {
  elemBytes: number;
  /** The broadcast collapsed to the fewest dimensions (see collapseBroadcast): the last dimension is a row. */
  shape: number[];
  /** Element strides of A and B in `shape` (0 where broadcast; a row's stride is 0 or 1). BitwiseNot: X's, B's empty. */
  aStrides: number[];
  bStrides: number[];
}

/** BitwiseAnd / BitwiseOr / BitwiseXor (ONNX): the bits of A and B combined, numpy broadcasting, one integer dtype. */
export function bitwiseBinaryDef(op: BitwiseBinaryOp): OpDef<object, BitwisePlan> {
  return {
    name: op,
    plan(inputs: readonly TensorInfo[]): BitwisePlan {
      expectArity(op, inputs, 2);
      const [a, b] = inputs as [TensorInfo, TensorInfo];
      expectDType(op, a, BITWISE_DTYPES, 'A');
      expectDType(op, b, BITWISE_DTYPES, 'B');
      const dtype = expectSameDType(op, inputs);
      const outShape = broadcastShapes(op, a.shape, b.shape);
      const c = collapseBroadcast(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
      return { outputs: [{ shape: outShape, dtype }], dispatchDType: dtype, elemBytes: BYTES_PER_ELEMENT[dtype], shape: c.shape, aStrides: c.strides[0]!, bStrides: c.strides[1]! };
    },
  };
}

/** BitwiseNot (ONNX): every bit of X flipped. */
export const bitwiseNotDef: OpDef<object, BitwisePlan> = defineOp({
  name: 'BitwiseNot',
  plan(inputs: readonly TensorInfo[]): BitwisePlan {
    const op = 'BitwiseNot';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, BITWISE_DTYPES, 'X');
    const n = x.shape.reduce((p, d) => p * d, 1);
    return { outputs: [{ shape: x.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, elemBytes: BYTES_PER_ELEMENT[x.dtype], shape: n === 1 ? [] : [n], aStrides: n === 1 ? [] : [1], bStrides: [] };
  },
});

export const BITWISE_DEFS = BITWISE_BINARY.map((op) => defineOp(bitwiseBinaryDef(op)));
