/**
 * Integer matrix products (ONNX opset 10+): MatMulInteger and ConvInteger (int32 outputs), and
 * QLinearMatMul and QLinearConv (requantised uint8/int8 outputs). Each operand is uint8 or int8
 * independently. Zero points: A's (X's) per tensor, or for MatMulInteger per row of A ([M]); B's
 * per tensor or per column ([N]); W's per tensor or per output channel ([M]). Scales likewise, in
 * float32 or float16.
 */
import type { DType } from '../core/dtype.js';
import { DTypeError, ShapeError, TwinopsError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { convDef, type AutoPad, type ConvPlan } from './conv.js';
import { defineOp } from './index.js';
import { broadcastShapes, broadcastStrides, shapeSize } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const QGEMM_DTYPES: readonly DType[] = ['uint8', 'int8'];
const QSCALE_DTYPES: readonly DType[] = ['float32', 'float16'];

/** How a zero point or scale applies: one value, or one per row / column / output channel. */
export type QParamMode = 'tensor' | 'vector';

export interface QMatMulPlan extends Plan {
  M: number;
  N: number;
  K: number;
  batch: number;
  /** Element offsets of each output matrix's A and B. */
  aOffsets: number[];
  bOffsets: number[];
  /** A zero point per row (MatMulInteger only), B zero point / scale per column. */
  aZp: QParamMode;
  bZp: QParamMode;
  bScale: QParamMode;
  /**
   * QLinearMatMul (inputs a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp; requantised output) or
   * MatMulInteger (inputs a, b, a_zp?, b_zp?; int32 output).
   */
  requant: boolean;
}

/** A per-tensor parameter: a scalar or a one-element 1-D tensor. */
function isTensorParam(t: TensorInfo): boolean {
  return t.shape.length <= 1 && shapeSize(t.shape) === 1;
}

/** Check a zero point / scale: per tensor, or a 1-D vector of `n` entries when `vectorOk`. */
function paramMode(op: string, what: string, t: TensorInfo, n: number, vectorOk: boolean, ctx: string): QParamMode {
  if (isTensorParam(t)) return 'tensor';
  if (vectorOk && t.shape.length === 1 && t.shape[0] === n) return 'vector';
  throw new ShapeError(op, `${what} ${fmtShape(t.shape)} must be a scalar${vectorOk ? ` or 1-D with ${n} entries` : ''} (${ctx})`);
}

function matmulGeometry(op: string, a: TensorInfo, b: TensorInfo) {
  if (a.shape.length === 0 || b.shape.length === 0) throw new ShapeError(op, `inputs must be at least 1-D, got A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)}`, 'RANK');
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape.slice();
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape.slice();
  const M = as[as.length - 2]!;
  const K = as[as.length - 1]!;
  const N = bs[bs.length - 1]!;
  if (bs[bs.length - 2] !== K) throw new ShapeError(op, `inner dimensions differ: A ${fmtShape(a.shape)}, B ${fmtShape(b.shape)}`);
  const aB = as.slice(0, -2);
  const bB = bs.slice(0, -2);
  const outBatch = broadcastShapes(op, aB, bB);
  const batch = shapeSize(outBatch);
  const aStr = broadcastStrides(aB, outBatch);
  const bStr = broadcastStrides(bB, outBatch);
  const aOffsets: number[] = [];
  const bOffsets: number[] = [];
  const idx = new Array<number>(outBatch.length).fill(0);
  for (let i = 0; i < batch; i++) {
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < idx.length; d++) {
      ao += idx[d]! * aStr[d]!;
      bo += idx[d]! * bStr[d]!;
    }
    aOffsets.push(ao * M * K);
    bOffsets.push(bo * K * N);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < outBatch[d]!) break;
      idx[d] = 0;
    }
  }
  const shape = [...outBatch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return { M, N, K, batch, aOffsets, bOffsets, shape };
}

export const matMulIntegerDef: OpDef<object, QMatMulPlan> = defineOp({
  name: 'MatMulInteger',
  plan(inputs: readonly (TensorInfo | undefined)[]): QMatMulPlan {
    const op = 'MatMulInteger';
    expectArity(op, inputs as TensorInfo[], 2, 4);
    const [a, b, az, bz] = inputs as [TensorInfo, TensorInfo, TensorInfo | undefined, TensorInfo | undefined];
    expectDType(op, a, QGEMM_DTYPES, 'A');
    expectDType(op, b, QGEMM_DTYPES, 'B');
    const g = matmulGeometry(op, a, b);
    const ctx = `A ${fmtShape(a.shape)}, B ${fmtShape(b.shape)}`;
    const zpDType = (z: TensorInfo | undefined, of: TensorInfo, what: string) => {
      if (z && z.dtype !== of.dtype) throw new DTypeError(op, `${what} has dtype ${z.dtype} but its operand is ${of.dtype}${fmtShape(of.shape)}`);
    };
    zpDType(az, a, 'a_zero_point');
    zpDType(bz, b, 'b_zero_point');
    return {
      outputs: [{ shape: g.shape, dtype: 'int32' }],
      dispatchDType: a.dtype,
      ...g,
      aZp: az ? paramMode(op, 'a_zero_point', az, g.M, a.shape.length >= 2, ctx) : 'tensor',
      bZp: bz ? paramMode(op, 'b_zero_point', bz, g.N, b.shape.length >= 2, ctx) : 'tensor',
      bScale: 'tensor',
      requant: false,
    };
  },
});

export const qLinearMatMulDef: OpDef<object, QMatMulPlan> = defineOp({
  name: 'QLinearMatMul',
  plan(inputs: readonly TensorInfo[]): QMatMulPlan {
    const op = 'QLinearMatMul';
    expectArity(op, inputs, 8);
    const [a, as, az, b, bs, bz, ys, yz] = inputs as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
    expectDType(op, a, QGEMM_DTYPES, 'a');
    expectDType(op, b, QGEMM_DTYPES, 'b');
    expectDType(op, yz, QGEMM_DTYPES, 'y_zero_point');
    for (const [t, what] of [[as, 'a_scale'], [bs, 'b_scale'], [ys, 'y_scale']] as const) expectDType(op, t, QSCALE_DTYPES, what);
    if (az.dtype !== a.dtype || bz.dtype !== b.dtype) {
      throw new DTypeError(op, `zero points must have their operands' dtypes: a ${a.dtype}, a_zero_point ${az.dtype}, b ${b.dtype}, b_zero_point ${bz.dtype}`);
    }
    const g = matmulGeometry(op, a, b);
    const ctx = `a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}`;
    paramMode(op, 'a_scale', as, 0, false, ctx);
    paramMode(op, 'a_zero_point', az, 0, false, ctx);
    paramMode(op, 'y_scale', ys, 0, false, ctx);
    paramMode(op, 'y_zero_point', yz, 0, false, ctx);
    const bScale = paramMode(op, 'b_scale', bs, g.N, b.shape.length >= 2, ctx);
    const bZp = paramMode(op, 'b_zero_point', bz, g.N, b.shape.length >= 2, ctx);
    return { outputs: [{ shape: g.shape, dtype: yz.dtype }], dispatchDType: a.dtype, ...g, aZp: 'tensor', bZp, bScale, requant: true };
  },
});

export interface QConvAttrs {
  group?: number;
  strides?: readonly number[];
  dilations?: readonly number[];
  pads?: readonly number[];
  autoPad?: AutoPad;
  kernelShape?: readonly number[];
}

export interface QConvPlan extends Plan {
  conv: ConvPlan;
  /** W's zero point and scale: per tensor or per output channel. */
  wZp: QParamMode;
  wScale: QParamMode;
  requant: boolean;
  hasBias: boolean;
}

/** Conv geometry from the float Conv contract (NCHW / OIHW), its errors renamed to `op`. */
function convGeometry(op: string, x: TensorInfo, w: TensorInfo, attrs: QConvAttrs): ConvPlan {
  try {
    return convDef.plan([{ dtype: 'float32', shape: x.shape }, { dtype: 'float32', shape: w.shape }], { ...attrs, layout: 'NCHW' });
  } catch (e) {
    if (e instanceof TwinopsError && e.op === 'Conv') {
      const msg = e.message.replace(/^Conv: /, '');
      throw e instanceof ShapeError ? new ShapeError(op, msg, e.code as 'SHAPE_MISMATCH' | 'RANK') : new TwinopsError(e.code, op, msg);
    }
    throw e;
  }
}

export const convIntegerDef: OpDef<QConvAttrs, QConvPlan> = defineOp({
  name: 'ConvInteger',
  plan(inputs: readonly (TensorInfo | undefined)[], attrs: QConvAttrs): QConvPlan {
    const op = 'ConvInteger';
    expectArity(op, inputs as TensorInfo[], 2, 4);
    const [x, w, xz, wz] = inputs as [TensorInfo, TensorInfo, TensorInfo | undefined, TensorInfo | undefined];
    expectDType(op, x, QGEMM_DTYPES, 'x');
    expectDType(op, w, QGEMM_DTYPES, 'w');
    const conv = convGeometry(op, x, w, attrs);
    const ctx = `x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)}`;
    if (xz && xz.dtype !== x.dtype) throw new DTypeError(op, `x_zero_point has dtype ${xz.dtype} but x is ${x.dtype}${fmtShape(x.shape)}`);
    if (wz && wz.dtype !== w.dtype) throw new DTypeError(op, `w_zero_point has dtype ${wz.dtype} but w is ${w.dtype}${fmtShape(w.shape)}`);
    if (xz) paramMode(op, 'x_zero_point', xz, 0, false, ctx);
    const wZp = wz ? paramMode(op, 'w_zero_point', wz, conv.M, true, ctx) : 'tensor';
    return { outputs: [{ shape: conv.outputs[0]!.shape, dtype: 'int32' }], dispatchDType: x.dtype, conv, wZp, wScale: 'tensor', requant: false, hasBias: false };
  },
});

export const qLinearConvDef: OpDef<QConvAttrs, QConvPlan> = defineOp({
  name: 'QLinearConv',
  plan(inputs: readonly (TensorInfo | undefined)[], attrs: QConvAttrs): QConvPlan {
    const op = 'QLinearConv';
    expectArity(op, inputs as TensorInfo[], 8, 9);
    const [x, xs, xz, w, ws, wz, ys, yz, bias] = inputs as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo | undefined];
    expectDType(op, x, QGEMM_DTYPES, 'x');
    expectDType(op, w, QGEMM_DTYPES, 'w');
    expectDType(op, yz, QGEMM_DTYPES, 'y_zero_point');
    for (const [t, what] of [[xs, 'x_scale'], [ws, 'w_scale'], [ys, 'y_scale']] as const) expectDType(op, t, QSCALE_DTYPES, what);
    if (xz.dtype !== x.dtype || wz.dtype !== w.dtype) {
      throw new DTypeError(op, `zero points must have their operands' dtypes: x ${x.dtype}, x_zero_point ${xz.dtype}, w ${w.dtype}, w_zero_point ${wz.dtype}`);
    }
    const conv = convGeometry(op, x, w, attrs);
    const ctx = `x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)}`;
    paramMode(op, 'x_scale', xs, 0, false, ctx);
    paramMode(op, 'x_zero_point', xz, 0, false, ctx);
    paramMode(op, 'y_scale', ys, 0, false, ctx);
    paramMode(op, 'y_zero_point', yz, 0, false, ctx);
    const wScale = paramMode(op, 'w_scale', ws, conv.M, true, ctx);
    const wZp = paramMode(op, 'w_zero_point', wz, conv.M, true, ctx);
    if (bias) {
      expectDType(op, bias, ['int32'], 'B');
      if (bias.shape.length !== 1 || bias.shape[0] !== conv.M) throw new ShapeError(op, `B must be int32 [${conv.M}] (one per output channel), got ${fmtShape(bias.shape)} (${ctx})`);
    }
    return { outputs: [{ shape: conv.outputs[0]!.shape, dtype: yz.dtype }], dispatchDType: x.dtype, conv, wZp, wScale, requant: true, hasBias: !!bias };
  },
});
