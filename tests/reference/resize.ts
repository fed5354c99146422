/**
 * float64 references for resizing the two spatial axes:
 *  - refResizeOnnx: ONNX Resize-13 `nearest` / `linear` per output element, from the operator's
 *    coordinate_transformation_mode and nearest_mode formulas; linear clamps the source coordinate to
 *    [0, in − 1] and weighs the two neighbours (x0·(1 − w) + x1·w along x, then along y);
 *  - refResizeTf: tf.image.resizeBilinear / resizeNearestNeighbor on NHWC, from TensorFlow's kernels
 *    (scale = (in − 1)/(out − 1) with alignCorners, in/out otherwise; half-pixel centres; lerp of the
 *    floor and ceil neighbours; nearest by floor, or round with alignCorners).
 */
export interface RefResizeAttrs {
  outputShape: number[];
  scales?: number[];
  mode?: 'nearest' | 'linear';
  coordinateTransformationMode?: 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
  nearestMode?: 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
  layout?: 'NCHW' | 'NHWC';
}

/** Visit every output element: (plane, oy, ox, c) → flat output and the input's flat offset of (plane, iy, ix, c). */
function geometry(shape: readonly number[], out: readonly number[], layout: 'NCHW' | 'NHWC') {
  const r = shape.length;
  const [ha, wa] = layout === 'NCHW' ? [r - 2, r - 1] : [1, 2];
  const H = shape[ha]!;
  const W = shape[wa]!;
  const OH = out[ha]!;
  const OW = out[wa]!;
  const C = layout === 'NHWC' ? shape[3]! : 1;
  const planes = layout === 'NCHW' ? shape.slice(0, r - 2).reduce((a, b) => a * b, 1) : shape[0]!;
  const inAt = (p: number, iy: number, ix: number, c: number) => (((p * H + iy) * W + ix) * C + c);
  return { H, W, OH, OW, C, planes, inAt };
}

function each(g: ReturnType<typeof geometry>, f: (p: number, oy: number, ox: number, c: number) => number): Float64Array {
  const y = new Float64Array(g.planes * g.OH * g.OW * g.C);
  let k = 0;
  for (let p = 0; p < g.planes; p++) for (let oy = 0; oy < g.OH; oy++) for (let ox = 0; ox < g.OW; ox++) for (let c = 0; c < g.C; c++) y[k++] = f(p, oy, ox, c);
  return y;
}

/**
 * With `neighbourMax`, linear mode returns max |x| over the (up to 4) neighbours each output reads
 * instead of interpolating: the tests' tolerance for the weights' own rounding.
 */
export function refResizeOnnx(x: ArrayLike<number>, shape: readonly number[], a: RefResizeAttrs, neighbourMax = false): Float64Array {
  const layout = a.layout ?? 'NCHW';
  const g = geometry(shape, a.outputShape, layout);
  const mode = a.mode ?? 'nearest';
  const ctm = a.coordinateTransformationMode ?? 'half_pixel';
  const nm = a.nearestMode ?? 'round_prefer_floor';
  const scale = (i: 0 | 1) => a.scales?.[i] ?? (i === 0 ? g.OH / g.H : g.OW / g.W);
  // ONNX's length_resized: scale · in when scales were given (onnx/reference op_resize: output_width =
  // scale_factor · input_width), else the output size
  const coord = (o: number, inSize: number, outSize: number, s: number): number => {
    const len = a.scales ? s * inSize : outSize;
    if (ctm === 'half_pixel') return (o + 0.5) / s - 0.5;
    if (ctm === 'half_pixel_symmetric') return (inSize / 2) * (1 - outSize / len) + (o + 0.5) / s - 0.5;
    if (ctm === 'pytorch_half_pixel') return len > 1 ? (o + 0.5) / s - 0.5 : 0;
    if (ctm === 'align_corners') return len === 1 ? 0 : (o * (inSize - 1)) / (len - 1);
    if (ctm === 'asymmetric') return o / s;
    return (o + 0.5) / s;
  };
  const round = (v: number): number => {
    const frac = v - Math.floor(v);
    if (nm === 'floor') return Math.floor(v);
    if (nm === 'ceil') return Math.ceil(v);
    if (frac === 0.5) return nm === 'round_prefer_floor' ? Math.floor(v) : Math.ceil(v);
    return frac < 0.5 ? Math.floor(v) : Math.ceil(v);
  };
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  return each(g, (p, oy, ox, c) => {
    const sy = coord(oy, g.H, g.OH, scale(0));
    const sx = coord(ox, g.W, g.OW, scale(1));
    if (mode === 'nearest') return x[g.inAt(p, clamp(round(sy), g.H), clamp(round(sx), g.W), c)]!;
    const cy = clamp(sy, g.H);
    const cx = clamp(sx, g.W);
    const [y0, x0] = [Math.floor(cy), Math.floor(cx)];
    const [y1, x1] = [Math.min(y0 + 1, g.H - 1), Math.min(x0 + 1, g.W - 1)];
    const [wy, wx] = [cy - y0, cx - x0];
    const v = (iy: number, ix: number) => x[g.inAt(p, iy, ix, c)]!;
    if (neighbourMax) return Math.max(Math.abs(v(y0, x0)), Math.abs(v(y0, x1)), Math.abs(v(y1, x0)), Math.abs(v(y1, x1)));
    const top = v(y0, x0) * (1 - wx) + v(y0, x1) * wx;
    const bottom = v(y1, x0) * (1 - wx) + v(y1, x1) * wx;
    return top * (1 - wy) + bottom * wy;
  });
}

export function refResizeTf(kind: 'bilinear' | 'nearest', x: ArrayLike<number>, shape: readonly number[], size: [number, number], alignCorners: boolean, halfPixelCenters: boolean): Float64Array {
  const g = geometry(shape, [shape[0]!, size[0], size[1], shape[3]!], 'NHWC');
  const ratio = (i: number, o: number) => (alignCorners && o > 1 ? (i - 1) / (o - 1) : i / o);
  const [ry, rx] = [ratio(g.H, g.OH), ratio(g.W, g.OW)];
  return each(g, (p, oy, ox, c) => {
    const v = (iy: number, ix: number) => x[g.inAt(p, iy, ix, c)]!;
    if (kind === 'nearest') {
      const pick = (o: number, r: number, n: number) => {
        const f = halfPixelCenters ? (o + 0.5) * r : o * r;
        const i = Math.min(n - 1, alignCorners ? Math.round(f) : Math.floor(f));
        return halfPixelCenters ? Math.max(0, i) : i;
      };
      return v(pick(oy, ry, g.H), pick(ox, rx, g.W));
    }
    const src = (o: number, r: number) => (halfPixelCenters ? (o + 0.5) * r - 0.5 : o * r);
    const [fy, fx] = [src(oy, ry), src(ox, rx)];
    const [y0, x0] = [Math.max(Math.floor(fy), 0), Math.max(Math.floor(fx), 0)];
    const [y1, x1] = [Math.min(Math.ceil(fy), g.H - 1), Math.min(Math.ceil(fx), g.W - 1)];
    const [ly, lx] = [fy - Math.floor(fy), fx - Math.floor(fx)];
    const top = v(y0, x0) + (v(y0, x1) - v(y0, x0)) * lx;
    const bottom = v(y1, x0) + (v(y1, x1) - v(y1, x0)) * lx;
    return top + (bottom - top) * ly;
  });
}

export interface RefTapAttrs {
  outputShape: number[];
  scales?: number[];
  mode: 'linear' | 'cubic';
  coordinateTransformationMode?: 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
  cubicCoeffA?: number;
  excludeOutside?: boolean;
  antialias?: boolean;
  layout?: 'NCHW' | 'NHWC';
  roi?: number[];
  extrapolationValue?: number;
}

/**
 * ONNX Resize linear/cubic with antialias and exclude_outside, written after the operator's reference
 * (onnx/reference/ops/op_resize.py) in float64: per axis, x_original from the coordinate transform,
 * ratio = x − floor(x) (1 for an integer x), the coefficients, the n nearest entries of the
 * edge-padded axis (ties to the smaller index), exclude_outside zeroing and renormalising; 1-D along
 * W for every input row, then along H. Also returns the same sums over |w|·|x| (for tolerances).
 */
export function refResizeTaps(x: ArrayLike<number>, shape: readonly number[], a: RefTapAttrs): { y: Float64Array; mag: Float64Array } {
  const layout = a.layout ?? 'NCHW';
  const g = geometry(shape, a.outputShape, layout);
  const ctm = a.coordinateTransformationMode ?? 'half_pixel';
  const A = a.cubicCoeffA ?? -0.75;
  const scale = (i: 0 | 1) => a.scales?.[i] ?? (i === 0 ? g.OH / g.H : g.OW / g.W);
  const cubic = (d: number) => {
    const t = Math.abs(d);
    return t <= 1 ? (A + 2) * t ** 3 - (A + 3) * t ** 2 + 1 : t < 2 ? A * t ** 3 - 5 * A * t ** 2 + 8 * A * t - 4 * A : 0;
  };
  /** Per output coordinate: [source index (clamped), weight] pairs; undefined outside a tf_crop_and_resize crop. */
  const axis = (o: number, inSize: number, outSize: number, s: number, r0: number, r1: number): [number, number][] | undefined => {
    const len = a.scales ? s * inSize : outSize;
    let xo: number;
    if (ctm === 'tf_crop_and_resize') {
      xo = (len === 1 ? ((r1 - r0) * (inSize - 1)) / 2 : (o * (r1 - r0) * (inSize - 1)) / (len - 1)) + r0 * (inSize - 1);
      if (xo < 0 || xo > inSize - 1) return undefined;
    } else if (ctm === 'align_corners') xo = len === 1 ? 0 : (o * (inSize - 1)) / (len - 1);
    else if (ctm === 'asymmetric') xo = o / s;
    else if (ctm === 'pytorch_half_pixel') xo = len === 1 ? -0.5 : (o + 0.5) / s - 0.5;
    else if (ctm === 'half_pixel_symmetric') xo = (inSize / 2) * (1 - outSize / len) + (o + 0.5) / s - 0.5;
    else if (ctm === 'tf_half_pixel_for_nn') xo = (o + 0.5) / s;
    else xo = (o + 0.5) / s - 0.5;
    const ratio = Number.isInteger(xo) ? 1 : xo - Math.floor(xo);
    let coeffs: number[];
    if (a.antialias) {
      const sc = Math.min(s, 1);
      const reach = a.mode === 'linear' ? 1 : 2;
      const start = Math.floor(-reach / sc) + 1;
      const args = Array.from({ length: 2 - 2 * start }, (_, i) => (start + i - ratio) * sc);
      coeffs = args.map((d) => (a.mode === 'linear' ? Math.min(1, Math.max(0, 1 - Math.abs(d))) : cubic(d)));
      const sum = coeffs.reduce((p, q) => p + q, 0);
      coeffs = coeffs.map((c) => c / sum);
    } else if (a.mode === 'linear') coeffs = [1 - ratio, ratio];
    else coeffs = [cubic(ratio + 1), cubic(ratio), cubic(1 - ratio), cubic(2 - ratio)];
    const n = coeffs.length;
    const pad = Math.ceil(n / 2);
    // the n nearest indices of the padded axis [−pad, in + pad) to xo, ties to the smaller index
    // (distances taken from xo itself: onnx's xo + pad can round a near-integer xo onto the integer)
    const padded = Array.from({ length: inSize + 2 * pad }, (_, i) => i - pad);
    const near = padded
      .sort((p, q) => Math.abs(xo - p) - Math.abs(xo - q) || p - q)
      .slice(0, n)
      .sort((p, q) => p - q);
    if (a.excludeOutside) {
      coeffs = coeffs.map((c, i) => (near[i]! < 0 || near[i]! >= inSize ? 0 : c));
      const sum = coeffs.reduce((p, q) => p + q, 0);
      coeffs = coeffs.map((c) => c / sum);
    }
    return near.map((i, k) => [Math.min(inSize - 1, Math.max(0, i)), coeffs[k]!]);
  };
  const roi = a.roi ?? [0, 0, 1, 1];
  const ys = Array.from({ length: g.OH }, (_, o) => axis(o, g.H, g.OH, scale(0), roi[0]!, roi[2]!));
  const xs = Array.from({ length: g.OW }, (_, o) => axis(o, g.W, g.OW, scale(1), roi[1]!, roi[3]!));
  const ex = a.extrapolationValue ?? 0;
  const mag = each(g, (p, oy, ox, c) => !ys[oy] || !xs[ox] ? 0 : ys[oy]!.reduce((s, [iy, wy]) => s + Math.abs(wy) * xs[ox]!.reduce((t, [ix, wx]) => t + Math.abs(wx * x[g.inAt(p, iy, ix, c)]!), 0), 0));
  const y = each(g, (p, oy, ox, c) => !ys[oy] || !xs[ox] ? ex : ys[oy]!.reduce((s, [iy, wy]) => s + wy * xs[ox]!.reduce((t, [ix, wx]) => t + wx * x[g.inAt(p, iy, ix, c)]!, 0), 0));
  return { y, mag };
}
