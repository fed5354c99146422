/**
 * Linear quantisation contracts (ONNX opsets 10–25): QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear. The integer GEMM ops are in quant-gemm.ts.
 *
 * Scale / zero-point layouts: per-tensor (a scalar or a one-element 1-D scale), per-axis (a 1-D
 * scale of x.shape[axis] entries) and blocked (blockSize > 0: a scale of x's rank whose axis dim is
 * ceil(x.shape[axis] / blockSize), every other dim equal to x's). The zero point, when given, has the
 * scale's shape; its dtype is the quantised type.
 */
import type { DType } from '../core/dtype.js';
import { AttributeError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { normalizeAxis, shapeSize } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/** The quantised element types (4-bit ones stored one per byte, see core/dtype.ts). */
export const QUANT_DTYPES: readonly DType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4'];
/** What DequantizeLinear reads: the quantised types and int32 (biases). */
export const DEQUANT_DTYPES: readonly DType[] = [...QUANT_DTYPES, 'int32'];
/** Scale dtypes. float16 scales are decoded on the host where a kernel reads scales there (QLinear*). */
export const SCALE_DTYPES: readonly DType[] = ['float32'];

export interface QuantizeAttrs {
  /** The per-axis / blocked axis (default 1, ONNX). Ignored for per-tensor scales. */
  axis?: number;
  /** > 0: blocked quantisation along `axis` (default 0). */
  blockSize?: number;
  /** The output dtype when no zero point is given (default uint8); must match the zero point's otherwise. */
  outputDtype?: DType;
}

/**
 * How the kernels walk X: rows of `inner` contiguous elements, row r = (o, c) with o = r / C and
 * c = r % C; element i of row r uses scale index o·so + floor(c / B)·sc + i·si (si is 0 or 1).
 */
export interface QuantLayout {
  rows: number;
  C: number;
  inner: number;
  B: number;
  so: number;
  sc: number;
  si: number;
  /** Number of scale (and zero point) elements. */
  scaleSize: number;
}

export interface QuantPlan extends Plan, QuantLayout {
  /** The quantised dtype (output of QuantizeLinear, input of DequantizeLinear). */
  qdtype: DType;
  hasZeroPoint: boolean;
}

/** Per-tensor work is cut into rows of this many elements so that it splits across threads. */
export const QUANT_ROW = 4096;

/** Check scale and zero point against x and derive the walk; errors name `op` and the shapes. */
export function quantLayout(op: string, x: TensorInfo, scale: TensorInfo, zp: TensorInfo | undefined, axisAttr: number | undefined, blockSize: number): QuantLayout {
  const xs = x.shape;
  const ss = scale.shape;
  const size = shapeSize(xs);
  const shapes = `x ${fmtShape(xs)}, scale ${fmtShape(ss)}${zp ? `, zero point ${fmtShape(zp.shape)}` : ''}`;
  const oneValue = (t: TensorInfo) => t.shape.length <= 1 && shapeSize(t.shape) === 1;
  // a per-tensor scale may pair a [] scale with a [1] zero point (ONNX's int4 cases do)
  if (zp && !(oneValue(zp) && oneValue(scale)) && (zp.shape.length !== ss.length || zp.shape.some((d, i) => d !== ss[i]))) {
    throw new ShapeError(op, `the zero point must have the scale's shape (${shapes})`);
  }
  if (!Number.isInteger(blockSize) || blockSize < 0) throw new AttributeError(op, `blockSize must be a non-negative integer, got ${blockSize}`);
  const scaleSize = shapeSize(ss);
  if (blockSize === 0 && ss.length <= 1 && scaleSize === 1) {
    // per-tensor: rows of QUANT_ROW elements (the launcher runs a short last row separately)
    const inner = Math.min(size, QUANT_ROW);
    return { rows: inner ? Math.floor(size / inner) : 0, C: 1, inner, B: 1, so: 0, sc: 0, si: 0, scaleSize };
  }
  const axis = normalizeAxis(op, axisAttr ?? 1, xs.length);
  const n = xs[axis]!;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= xs[i]!;
  for (let i = axis + 1; i < xs.length; i++) inner *= xs[i]!;
  if (blockSize === 0) {
    if (ss.length !== 1 || ss[0] !== n) {
      throw new ShapeError(op, `a per-axis scale must be 1-D with x.shape[${axis}] = ${n} entries (${shapes})`);
    }
    return inner === 1
      ? { rows: outer, C: 1, inner: n, B: 1, so: 0, sc: 0, si: 1, scaleSize }
      : { rows: outer * n, C: n, inner, B: 1, so: 0, sc: 1, si: 0, scaleSize };
  }
  const nb = Math.ceil(n / blockSize);
  if (ss.length !== xs.length || ss.some((d, i) => d !== (i === axis ? nb : xs[i]))) {
    const want = xs.map((d, i) => (i === axis ? nb : d));
    throw new ShapeError(op, `a blocked scale (blockSize ${blockSize}, axis ${axis}) must have shape ${fmtShape(want)} (${shapes})`);
  }
  return inner === 1
    ? { rows: outer * n, C: n, inner: 1, B: blockSize, so: nb, sc: 1, si: 0, scaleSize }
    : { rows: outer * n, C: n, inner, B: blockSize, so: nb * inner, sc: inner, si: 1, scaleSize };
}

export const quantizeLinearDef: OpDef<QuantizeAttrs, QuantPlan> = defineOp({
  name: 'QuantizeLinear',
  plan(inputs: readonly TensorInfo[], attrs: QuantizeAttrs): QuantPlan {
    const op = 'QuantizeLinear';
    expectArity(op, inputs, 2, 3);
    const [x, scale, zp] = inputs as [TensorInfo, TensorInfo, TensorInfo | undefined];
    expectDType(op, x, ['float32'], 'x');
    expectDType(op, scale, SCALE_DTYPES, 'y_scale');
    let qdtype: DType = attrs.outputDtype ?? 'uint8';
    if (!QUANT_DTYPES.includes(qdtype)) throw new DTypeError(op, `output dtype ${qdtype} is not supported; supported: ${QUANT_DTYPES.join(', ')}`);
    if (zp) {
      expectDType(op, zp, QUANT_DTYPES, 'y_zero_point');
      if (attrs.outputDtype !== undefined && attrs.outputDtype !== zp.dtype) {
        throw new DTypeError(op, `outputDtype ${attrs.outputDtype} differs from the zero point's dtype ${zp.dtype}${fmtShape(zp.shape)}`);
      }
      qdtype = zp.dtype;
    }
    const layout = quantLayout(op, x, scale, zp, attrs.axis, attrs.blockSize ?? 0);
    return { outputs: [{ shape: x.shape.slice(), dtype: qdtype }], dispatchDType: qdtype, qdtype, hasZeroPoint: !!zp, ...layout };
  },
});

export interface DequantizeAttrs {
  axis?: number;
  blockSize?: number;
}

export const dequantizeLinearDef: OpDef<DequantizeAttrs, QuantPlan> = defineOp({
  name: 'DequantizeLinear',
  plan(inputs: readonly TensorInfo[], attrs: DequantizeAttrs): QuantPlan {
    const op = 'DequantizeLinear';
    expectArity(op, inputs, 2, 3);
    const [x, scale, zp] = inputs as [TensorInfo, TensorInfo, TensorInfo | undefined];
    expectDType(op, x, DEQUANT_DTYPES, 'x');
    expectDType(op, scale, SCALE_DTYPES, 'x_scale');
    if (zp && zp.dtype !== x.dtype) {
      throw new DTypeError(op, `the zero point's dtype must be x's: x ${x.dtype}${fmtShape(x.shape)}, zero point ${zp.dtype}${fmtShape(zp.shape)}`);
    }
    const layout = quantLayout(op, x, scale, zp, attrs.axis, attrs.blockSize ?? 0);
    return { outputs: [{ shape: x.shape.slice(), dtype: 'float32' }], dispatchDType: x.dtype, qdtype: x.dtype, hasZeroPoint: !!zp, ...layout };
  },
});

export interface DynamicQuantizePlan extends Plan {
  size: number;
}

/** DynamicQuantizeLinear: uint8 y, float32 scalar scale, uint8 scalar zero point from x's range (0 included). */
export const dynamicQuantizeLinearDef: OpDef<object, DynamicQuantizePlan> = defineOp({
  name: 'DynamicQuantizeLinear',
  plan(inputs: readonly TensorInfo[]): DynamicQuantizePlan {
    const op = 'DynamicQuantizeLinear';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'x');
    return {
      outputs: [
        { shape: x.shape.slice(), dtype: 'uint8' },
        { shape: [], dtype: 'float32' },
        { shape: [], dtype: 'uint8' },
      ],
      dispatchDType: 'float32',
      size: shapeSize(x.shape),
    };
  },
});
