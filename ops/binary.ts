import type { DType } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { broadcastShapes, broadcastStrides, collapseBroadcast } from './shape.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const ARITHMETIC_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'FloorDiv', 'SquaredDifference', 'PRelu', 'Atan2'] as const;
export const COMPARISON_OPS = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'NotEqual'] as const;
/** bool × bool → bool, and int32 bit shifts: defined by ops/logical.ts. */
export const LOGICAL_OPS = ['And', 'Or', 'Xor'] as const;
export const BITWISE_OPS = ['BitShift'] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export type LogicalOp = (typeof LOGICAL_OPS)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp | (typeof BITWISE_OPS)[number];

export const BINARY_DTYPES: readonly DType[] = ['float32', 'int32'];
/** Ops that also take int64 (wasm only: WebGPU has no 64-bit integers). */
const INT64_OPS: readonly string[] = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', ...COMPARISON_OPS];
/** Ops that also take int8 and uint8 (wasm only). */
const BYTE_OPS: readonly string[] = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Mod', ...COMPARISON_OPS];
/** Ops that also take int16, uint16, uint32, uint64 and float64 (wasm only), as int8/uint8. */
const WIDE_OPS: readonly string[] = BYTE_OPS;
/** BitShift's dtypes: ONNX defines it on unsigned integers; int32 is taken as uint32 bits. */
const BITSHIFT_DTYPES: readonly DType[] = ['int32', 'uint8', 'uint16', 'uint32', 'uint64'];

/** The input dtypes each binary op's kernels take. */
export function binaryDTypes(op: BinaryOp): readonly DType[] {
  if ((LOGICAL_OPS as readonly string[]).includes(op)) return ['bool'];
  if (op === 'BitShift') return BITSHIFT_DTYPES;
  if (op === 'Atan2') return ['float32'];
  const out = [...BINARY_DTYPES];
  if (INT64_OPS.includes(op)) out.push('int64');
  if (BYTE_OPS.includes(op)) out.push('int8', 'uint8');
  if (WIDE_OPS.includes(op)) out.push('int16', 'uint16', 'uint32', 'uint64', 'float64');
  return out;
}

/** Whether the op's output is bool. */
export function binaryGivesBool(op: BinaryOp): boolean {
  return (COMPARISON_OPS as readonly string[]).includes(op) || (LOGICAL_OPS as readonly string[]).includes(op);
}

export interface BinaryAttrs {
  /** Mod: 0 (default) = floored, the result has the divisor's sign (Python, tfjs); 1 = C fmod (the dividend's sign). */
  fmod?: number;
  /** BitShift: 'LEFT' or 'RIGHT' (required, as ONNX). */
  direction?: 'LEFT' | 'RIGHT';
}

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
  /** Mod: C fmod (true) or floored (false). */
  fmod: boolean;
  /** BitShift direction. */
  left: boolean;
}

/**
 * Elementwise binary ops with numpy broadcasting. Arithmetic keeps the input dtype; comparisons and
 * logical ops give bool. Integer Div truncates toward zero (ONNX), division by zero is left to the
 * kernel's documented behaviour (0 for int32 and int64; also for integer Mod and FloorDiv). Pow on int32
 * and int64 computes exactly (wrapping) for non-negative exponents. int64 (wasm only) takes Add Sub Mul
 * Div Pow Max Min Mod and the comparisons, with the int32 semantics at 64 bits; int8 and uint8 (wasm
 * only) take the same ops but Pow, computed on the extended values and wrapped to the byte; so do
 * int16, uint16, uint32 and uint64 (unsigned Div/Mod/Max/Min/comparisons, wrapping arithmetic, x/0 = 0)
 * and float64 (IEEE, Max/Min propagate NaN, Mod exact in double). Mod follows ONNX: fmod=0 takes the divisor's sign (for float32,
 * where ONNX requires fmod=1, it is numpy/tfjs floored mod), fmod=1 the dividend's (C fmod).
 * FloorDiv (tfjs) is floor(a / b), with the float32 quotient rounded first. PRelu broadcasts the slope
 * to X's shape (unidirectional, ONNX). BitShift takes uint8/16/32/64 and treats int32 as uint32 bits
 * (ONNX's unsigned semantics): RIGHT is a logical shift, LEFT wraps to the width, and shift amounts of
 * the bit width or more give 0. Atan2(y, x) (tfjs,
 * float32) follows C99 atan2, signed zeros and infinities included.
 */
export function binaryDef(op: BinaryOp): OpDef<BinaryAttrs, BinaryPlan> {
  const dtypes = binaryDTypes(op);
  return {
    name: op,
    plan(inputs: readonly TensorInfo[], attrs: BinaryAttrs = {}): BinaryPlan {
      expectArity(op, inputs, 2);
      const [a, b] = inputs as [TensorInfo, TensorInfo];
      expectDType(op, a, dtypes, 'A');
      expectDType(op, b, dtypes, 'B');
      const dtype = expectSameDType(op, inputs);
      const outShape = broadcastShapes(op, a.shape, b.shape);
      if (op === 'PRelu' && (outShape.length !== a.shape.length || outShape.some((d, i) => d !== a.shape[i]))) {
        throw new ShapeError(op, `slope ${fmtShape(b.shape)} must broadcast to X ${fmtShape(a.shape)} (unidirectional)`);
      }
      const fmod = attrs.fmod ?? 0;
      if (op === 'Mod' && fmod !== 0 && fmod !== 1) throw new AttributeError(op, `fmod must be 0 or 1, got ${String(fmod)}`);
      if (op === 'BitShift' && attrs.direction !== 'LEFT' && attrs.direction !== 'RIGHT') {
        throw new AttributeError(op, `direction must be 'LEFT' or 'RIGHT', got ${String(attrs.direction)}`);
      }
      const c = collapseBroadcast(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
      return {
        op,
        outputs: [{ shape: outShape, dtype: binaryGivesBool(op) ? 'bool' : dtype }],
        dispatchDType: dtype,
        outShape,
        shape: c.shape,
        aStrides: c.strides[0]!,
        bStrides: c.strides[1]!,
        fmod: fmod === 1,
        left: attrs.direction === 'LEFT',
      };
    },
  };
}
