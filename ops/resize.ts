import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Resize of the two spatial axes (float32): ONNX Resize-11/13 modes `nearest` and `linear`
 * (bilinear), given the output shape (the ONNX adapter turns the scales/sizes inputs into
 * `outputShape`, and passes `scales` too when the model gave scales: the coordinate transforms use
 * the scale, not the size ratio). Layout NCHW resizes the last two axes of a rank >= 2 tensor; NHWC
 * resizes axes 1 and 2 of [N, H, W, C]. Every other axis must keep its size.
 *
 * tfjs maps onto the same attributes:
 *  - resizeBilinear(alignCorners) → linear, align_corners; (halfPixelCenters) → linear, half_pixel;
 *    neither → linear, asymmetric;
 *  - resizeNearestNeighbor(alignCorners) → nearest, align_corners, round_prefer_ceil;
 *    (halfPixelCenters) → nearest, tf_half_pixel_for_nn, floor; neither → nearest, asymmetric, floor.
 *
 * Coordinates are computed in float64 once per output row and column (resizeAxis): linear clamps the
 * source coordinate to [0, in − 1] (onnxruntime; the same as ONNX's edge padding) and weighs the two
 * neighbours; nearest rounds by nearestMode and clamps the index. Linear computes
 * (x00·(1 − wx) + x01·wx)·(1 − wy) + (x10·(1 − wx) + x11·wx)·wy, so an infinite neighbour with weight 0
 * gives NaN, as onnxruntime's weighted sum does.
 */
export type ResizeMode = 'nearest' | 'linear';
export type CoordinateTransformationMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ResizeAttrs {
  outputShape: number[];
  /** Scales of the two spatial axes [height, width] when the model gave scales (default: out / in). */
  scales?: number[];
  mode?: ResizeMode;
  coordinateTransformationMode?: CoordinateTransformationMode;
  nearestMode?: NearestMode;
  layout?: 'NCHW' | 'NHWC';
}

/** Per output coordinate: source indices i0, i1 and the weight w of i1 (nearest: i0 only, w = 0). */
export interface AxisTable {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

export interface ResizePlan extends Plan {
  mode: ResizeMode;
  layout: 'NCHW' | 'NHWC';
  /** NCHW: the number of H×W planes; NHWC: N. */
  planes: number;
  /** NHWC channels (1 for NCHW). */
  C: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  ys: AxisTable;
  xs: AxisTable;
}

const MODES: readonly ResizeMode[] = ['nearest', 'linear'];
const CTMS: readonly CoordinateTransformationMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
const NEAREST: readonly NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** The source coordinate of output coordinate `o` (ONNX coordinate_transformation_mode). */
export function sourceCoord(ctm: CoordinateTransformationMode, o: number, inSize: number, outSize: number, scale: number): number {
  switch (ctm) {
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outSize > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outSize === 1 ? 0 : (o * (inSize - 1)) / (outSize - 1);
    case 'asymmetric':
      return o / scale;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
  }
}

function roundNearest(mode: NearestMode, x: number): number {
  switch (mode) {
    case 'round_prefer_floor':
      return x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
    case 'round_prefer_ceil':
      return x - Math.floor(x) === 0.5 ? Math.ceil(x) : Math.round(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
  }
}

export function resizeAxis(mode: ResizeMode, ctm: CoordinateTransformationMode, nearest: NearestMode, inSize: number, outSize: number, scale: number): AxisTable {
  const t: AxisTable = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), w: new Float32Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    const s = sourceCoord(ctm, o, inSize, outSize, scale);
    if (mode === 'nearest') {
      const i = Math.min(inSize - 1, Math.max(0, roundNearest(nearest, s)));
      t.i0[o] = i;
      t.i1[o] = i;
    } else {
      const c = Math.min(inSize - 1, Math.max(0, s));
      const i0 = Math.floor(c);
      t.i0[o] = i0;
      t.i1[o] = Math.min(i0 + 1, inSize - 1);
      t.w[o] = c - i0;
    }
  }
  return t;
}

function pick<T extends string>(op: string, name: string, v: T | undefined, allowed: readonly T[], dflt: T): T {
  const x = v ?? dflt;
  if (!allowed.includes(x)) throw new AttributeError(op, `${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  return x;
}

export const resizeDef: OpDef<ResizeAttrs, ResizePlan> = defineOp({
  name: 'Resize',
  plan(inputs: readonly TensorInfo[], attrs: ResizeAttrs): ResizePlan {
    const op = 'Resize';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    const mode = pick(op, 'mode', attrs.mode, MODES, 'nearest');
    const ctm = pick(op, 'coordinateTransformationMode', attrs.coordinateTransformationMode, CTMS, 'half_pixel');
    const nearest = pick(op, 'nearestMode', attrs.nearestMode, NEAREST, 'round_prefer_floor');
    const layout = pick(op, 'layout', attrs.layout, ['NCHW', 'NHWC'] as const, 'NCHW');
    const s = x.shape;
    const r = s.length;
    if (layout === 'NCHW' ? r < 2 : r !== 4) {
      throw new ShapeError(op, `X${fmtShape(s)} must have ${layout === 'NCHW' ? 'rank >= 2' : 'rank 4 ([N, H, W, C])'} for layout ${layout}`, 'RANK');
    }
    const out = attrs.outputShape;
    if (!Array.isArray(out) || out.length !== r || !out.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new AttributeError(op, `outputShape must be ${r} non-negative integers (X${fmtShape(s)}), got ${JSON.stringify(out)}`);
    }
    const [ha, wa] = layout === 'NCHW' ? [r - 2, r - 1] : [1, 2];
    for (let i = 0; i < r; i++) {
      if (i !== ha && i !== wa && out[i] !== s[i]) {
        throw new ShapeError(op, `only the two spatial axes can be resized: X${fmtShape(s)} -> ${fmtShape(out)} changes axis ${i}`);
      }
    }
    const [H, W, OH, OW] = [s[ha]!, s[wa]!, out[ha]!, out[wa]!];
    if ((H === 0 && OH > 0) || (W === 0 && OW > 0)) throw new ShapeError(op, `cannot resize an empty axis: X${fmtShape(s)} -> ${fmtShape(out)}`);
    const scales = attrs.scales ?? [OH > 0 ? OH / H : 1, OW > 0 ? OW / W : 1];
    if (!Array.isArray(scales) || scales.length !== 2 || !scales.every((v) => Number.isFinite(v) && v > 0)) {
      throw new AttributeError(op, `scales must be 2 positive numbers (height, width), got ${JSON.stringify(attrs.scales)}`);
    }
    const planes = layout === 'NCHW' ? s.slice(0, r - 2).reduce((a, b) => a * b, 1) : s[0]!;
    return {
      outputs: [{ shape: out.slice(), dtype: 'float32' }],
      dispatchDType: 'float32',
      mode, layout, planes, C: layout === 'NHWC' ? s[3]! : 1, H, W, OH, OW,
      ys: resizeAxis(mode, ctm, nearest, H, OH, scales[0]!),
      xs: resizeAxis(mode, ctm, nearest, W, OW, scales[1]!),
    };
  },
});
