import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface RoiAlignAttrs {
  /** 'avg' (default) or 'max' (onnxruntime's: the largest weighted corner value). */
  mode?: 'avg' | 'max';
  outputHeight?: number;
  outputWidth?: number;
  /** Sample points per bin along each axis; 0 (default): ceil(roi size / output size). */
  samplingRatio?: number;
  spatialScale?: number;
  /** 'half_pixel' (default, opset 16) shifts the roi by -0.5 pixel; 'output_half_pixel' (legacy) does not, and makes rois at least 1×1. */
  coordinateTransformationMode?: 'half_pixel' | 'output_half_pixel';
}

export interface RoiAlignPlan extends Plan {
  mode: 'avg' | 'max';
  N: number;
  C: number;
  H: number;
  W: number;
  R: number;
  OH: number;
  OW: number;
  samplingRatio: number;
  spatialScale: number;
  halfPixel: boolean;
}

/**
 * RoiAlign (ONNX): X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2 in input pixels before spatialScale),
 * batch_indices [R] (int32/int64, each in [0, N)) → [R, C, outputHeight, outputWidth]. float32.
 */
export const roiAlignDef: OpDef<RoiAlignAttrs, RoiAlignPlan> = defineOp({
  name: 'RoiAlign',
  plan(inputs: readonly TensorInfo[], attrs: RoiAlignAttrs = {}): RoiAlignPlan {
    const op = 'RoiAlign';
    expectArity(op, inputs, 3);
    const [x, rois, bi] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    expectDType(op, x, ['float32'], 'X');
    expectDType(op, rois, ['float32'], 'rois');
    expectDType(op, bi, ['int32', 'int64'], 'batch_indices');
    const shapes = `X ${fmtShape(x.shape)}, rois ${fmtShape(rois.shape)}, batch_indices ${fmtShape(bi.shape)}`;
    if (x.shape.length !== 4) throw new ShapeError(op, `X must be [N, C, H, W] (${shapes})`, 'RANK');
    if (rois.shape.length !== 2 || rois.shape[1] !== 4) throw new ShapeError(op, `rois must be [R, 4] (${shapes})`);
    if (bi.shape.length !== 1 || bi.shape[0] !== rois.shape[0]) throw new ShapeError(op, `batch_indices must be [R] with rois' R (${shapes})`);
    const mode = attrs.mode ?? 'avg';
    if (mode !== 'avg' && mode !== 'max') throw new AttributeError(op, `mode must be avg or max, got ${String(mode)}`);
    const ctm = attrs.coordinateTransformationMode ?? 'half_pixel';
    if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel') throw new AttributeError(op, `coordinateTransformationMode must be half_pixel or output_half_pixel, got ${String(ctm)}`);
    const OH = attrs.outputHeight ?? 1;
    const OW = attrs.outputWidth ?? 1;
    const sr = attrs.samplingRatio ?? 0;
    if (![OH, OW].every((v) => Number.isInteger(v) && v >= 1)) throw new AttributeError(op, `outputHeight and outputWidth must be positive integers, got ${OH} and ${OW}`);
    if (!Number.isInteger(sr) || sr < 0) throw new AttributeError(op, `samplingRatio must be a non-negative integer, got ${sr}`);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const R = rois.shape[0]!;
    if ((H === 0 || W === 0) && R * C > 0) throw new ShapeError(op, `cannot sample an empty image (${shapes})`);
    return {
      outputs: [{ shape: [R, C, OH, OW], dtype: 'float32' }],
      dispatchDType: 'float32',
      mode, N, C, H, W, R, OH, OW, samplingRatio: sr, spatialScale: attrs.spatialScale ?? 1, halfPixel: ctm === 'half_pixel',
    };
  },
});
