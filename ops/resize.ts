import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Resize of the two spatial axes (float32): ONNX Resize-11/13 modes `nearest` and `linear`
 * (bilinear), given the output shape (the ONNX adapter turns the scales/sizes inputs into
 * `outputShape`, and passes `scales` too when the model gave scales: the coordinate transforms use
 * the scale, not the size ratio, and align_corners / pytorch_half_pixel use length_resized =
 * scale · in rather than the floored output size). Layout NCHW resizes the last two axes of a rank >= 2 tensor; NHWC
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
export type ResizeMode = 'nearest' | 'linear' | 'cubic';
export type CoordinateTransformationMode =
  | 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ResizeAttrs {
  outputShape: number[];
  /** Scales of the two spatial axes [height, width] when the model gave scales (default: out / in). */
  scales?: number[];
  mode?: ResizeMode;
  coordinateTransformationMode?: CoordinateTransformationMode;
  nearestMode?: NearestMode;
  layout?: 'NCHW' | 'NHWC';
  /** Cubic: the kernel's A (default −0.75, ONNX's cubic_coeff_a). */
  cubicCoeffA?: number;
  /** Zero the weights of taps outside the input and renormalise (ONNX exclude_outside). */
  excludeOutside?: boolean;
  /** Linear/cubic: widen the kernel by 1/scale when downsampling (ONNX antialias). */
  antialias?: boolean;
  /** tf_crop_and_resize: the crop box of the two spatial axes, normalised: [y0, x0, y1, x1]. */
  roi?: number[];
  /** tf_crop_and_resize: the value of outputs whose source lies outside the input (default 0). */
  extrapolationValue?: number;
}

/**
 * The general separable path (cubic, antialias, exclude_outside): per output coordinate o, K taps
 * idx[o·K + k] (source indices, clamped to [0, in − 1]: ONNX's edge padding) and weights w[o·K + k].
 */
export interface TapTable {
  K: number;
  idx: Int32Array;
  w: Float32Array;
  /** tf_crop_and_resize: 1 where the source coordinate lies outside [0, in − 1] (the output is the extrapolation value). */
  outside: Uint8Array;
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
  /** Set for cubic, antialias, exclude_outside and tf_crop_and_resize: kernels run the K-tap path instead of ys/xs. */
  taps?: { ys: TapTable; xs: TapTable; extrapolation: number };
}

const MODES: readonly ResizeMode[] = ['nearest', 'linear', 'cubic'];
const CTMS: readonly CoordinateTransformationMode[] = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST: readonly NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/**
 * The source coordinate of output coordinate `o` (ONNX coordinate_transformation_mode).
 * `lengthResized` is ONNX's length_resized: scale · inSize when the model gave scales (not the floored
 * output size; the ONNX reference computes output_width = scale_factor · input_width), the output
 * size when it gave sizes. align_corners and pytorch_half_pixel use it; half_pixel_symmetric
 * shifts half_pixel by in/2 · (1 − outSize / lengthResized), centring the output when the size was floored.
 */
export function sourceCoord(
  ctm: CoordinateTransformationMode, o: number, inSize: number, lengthResized: number, scale: number, outSize = lengthResized, roi: readonly [number, number] = [0, 1],
): number {
  switch (ctm) {
    case 'tf_crop_and_resize': {
      // the crop [roi0, roi1]·(in − 1) sampled at length_resized points, corners aligned
      const span = (roi[1] - roi[0]) * (inSize - 1);
      return (lengthResized === 1 ? span / 2 : (o * span) / (lengthResized - 1)) + roi[0] * (inSize - 1);
    }
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric':
      return (inSize / 2) * (1 - outSize / lengthResized) + (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return lengthResized > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return lengthResized === 1 ? 0 : (o * (inSize - 1)) / (lengthResized - 1);
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

export function resizeAxis(
  mode: ResizeMode, ctm: CoordinateTransformationMode, nearest: NearestMode, inSize: number, outSize: number, scale: number, lengthResized = outSize,
): AxisTable {
  const t: AxisTable = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), w: new Float32Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    const s = sourceCoord(ctm, o, inSize, lengthResized, scale, outSize);
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

function cubicWeights(t: number, A: number): number[] {
  const u = 1 - t;
  return [
    ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A,
    ((A + 2) * t - (A + 3)) * t * t + 1,
    ((A + 2) * u - (A + 3)) * u * u + 1,
    ((A * (u + 1) - 5 * A) * (u + 1) + 8 * A) * (u + 1) - 4 * A,
  ];
}

/** The cubic convolution kernel at distance d (Keys, parameter A), for antialiased cubic. */
function cubicAt(d: number, A: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/**
 * K-tap table of one axis, following the ONNX reference (onnx/reference/ops/op_resize.py): with
 * x = sourceCoord(o), the taps sit at fl − K/2 + 1 … fl + K/2 where fl = floor(x) (x − 1 when x is
 * an integer, with ratio 1), ratio = x − fl. Linear: [1 − ratio, ratio]; cubic: Keys' weights for
 * ratio. Antialias (scale < 1) stretches the kernel by 1/scale over K = 2·⌈1/scale⌉ (linear) or
 * 2·⌈2/scale⌉ (cubic) taps and normalises; exclude_outside zeroes taps outside [0, in) and normalises.
 */
export function tapAxis(
  kind: ResizeMode, ctm: CoordinateTransformationMode, inSize: number, outSize: number, scale: number, lengthResized: number,
  A: number, excludeOutside: boolean, antialias: boolean, nearest: NearestMode = 'round_prefer_floor', roi: readonly [number, number] = [0, 1],
): TapTable {
  const s = antialias ? Math.min(scale, 1) : 1;
  const reach = kind === 'linear' ? 1 : 2;
  const start = antialias ? Math.floor(-reach / s) + 1 : 1 - reach;
  const K = kind === 'nearest' ? 1 : 2 - 2 * start;
  const t: TapTable = { K, idx: new Int32Array(outSize * K), w: new Float32Array(outSize * K), outside: new Uint8Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    const x = sourceCoord(ctm, o, inSize, lengthResized, scale, outSize, roi);
    if (ctm === 'tf_crop_and_resize' && !(x >= 0 && x <= inSize - 1)) {
      t.outside[o] = 1;
      continue;
    }
    if (kind === 'nearest') {
      t.idx[o] = Math.min(inSize - 1, Math.max(0, roundNearest(nearest, x)));
      t.w[o] = 1;
      continue;
    }
    const fl = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const ratio = x - fl;
    let w: number[];
    if (!antialias) w = kind === 'linear' ? [1 - ratio, ratio] : cubicWeights(ratio, A);
    else {
      w = Array.from({ length: K }, (_, k) => (start + k - ratio) * s).map((d) => (kind === 'linear' ? Math.min(1, Math.max(0, 1 - Math.abs(d))) : cubicAt(d, A)));
      const sum = w.reduce((a, b) => a + b, 0);
      w = w.map((v) => v / sum);
    }
    if (excludeOutside) {
      w = w.map((v, k) => (fl + start + k < 0 || fl + start + k >= inSize ? 0 : v));
      const sum = w.reduce((a, b) => a + b, 0);
      w = w.map((v) => v / sum);
    }
    for (let k = 0; k < K; k++) {
      t.idx[o * K + k] = Math.min(inSize - 1, Math.max(0, fl + start + k));
      t.w[o * K + k] = w[k]!;
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
    const A = attrs.cubicCoeffA ?? -0.75;
    if (!Number.isFinite(A)) throw new AttributeError(op, `cubicCoeffA must be a finite number, got ${String(A)}`);
    const [excl, aa] = [attrs.excludeOutside ?? false, attrs.antialias ?? false];
    if (typeof excl !== 'boolean' || typeof aa !== 'boolean') throw new AttributeError(op, `excludeOutside and antialias must be booleans`);
    if (mode === 'nearest' && aa) throw new AttributeError(op, 'antialias applies to linear and cubic modes, not nearest');
    const lenY = attrs.scales ? scales[0]! * H : OH;
    const lenX = attrs.scales ? scales[1]! * W : OW;
    const crop = ctm === 'tf_crop_and_resize';
    const roi = attrs.roi ?? [0, 0, 1, 1];
    if (!Array.isArray(roi) || roi.length !== 4 || !roi.every((v) => Number.isFinite(v))) throw new AttributeError(op, `roi must be 4 finite numbers [y0, x0, y1, x1], got ${JSON.stringify(attrs.roi)}`);
    const extrapolation = attrs.extrapolationValue ?? 0;
    if (typeof extrapolation !== 'number') throw new AttributeError(op, `extrapolationValue must be a number, got ${String(extrapolation)}`);
    const general = crop || mode === 'cubic' || (mode === 'linear' && (excl || aa));
    return {
      outputs: [{ shape: out.slice(), dtype: 'float32' }],
      dispatchDType: 'float32',
      mode, layout, planes, C: layout === 'NHWC' ? s[3]! : 1, H, W, OH, OW,
      // with given scales, length_resized = scale · in (e.g. 4 · 0.6 = 2.4 → align_corners divides by 1.4, not 1)
      ys: resizeAxis(mode, ctm, nearest, H, OH, scales[0]!, lenY),
      xs: resizeAxis(mode, ctm, nearest, W, OW, scales[1]!, lenX),
      ...(general
        ? {
            taps: {
              ys: tapAxis(mode, ctm, H, OH, scales[0]!, lenY, A, excl, aa, nearest, [roi[0]!, roi[2]!]),
              xs: tapAxis(mode, ctm, W, OW, scales[1]!, lenX, A, excl, aa, nearest, [roi[1]!, roi[3]!]),
              extrapolation,
            },
          }
        : {}),
    };
  },
});
