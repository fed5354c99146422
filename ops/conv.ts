import type { DType } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { normalizeActivation } from './activation.js';
import { expectArity, expectDType, expectSameDType, intList } from './checks.js';
import { defineOp } from './index.js';
import type { Activation, OpDef, Plan, TensorInfo } from './types.js';

export const CONV_DTYPES: readonly DType[] = ['float32'];

export type ConvLayout = 'NCHW' | 'NHWC';
/** OIHW: [M, C/group, ...k] (ONNX). HWIO: [...k, C/group, M] (tfjs Conv2D). HWIM: [...k, C, mult] (tfjs depthwise, group = C). */
export type ConvFilterLayout = 'OIHW' | 'HWIO' | 'HWIM';
export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface ConvAttrs {
  /** Data layout of X and Y (default NCHW). 1-D and 3-D convs: NCW / NWC, NCDHW / NDHWC. */
  layout?: ConvLayout;
  /** Filter layout: OIHW with NCHW (default there), HWIO or HWIM with NHWC (HWIO default there). */
  filterLayout?: ConvFilterLayout;
  group?: number;
  strides?: readonly number[];
  dilations?: readonly number[];
  /** ONNX order: [begin_0, begin_1, ..., end_0, end_1, ...]; used when autoPad is NOTSET. */
  pads?: readonly number[];
  /** tfjs 'same' is SAME_UPPER, 'valid' is VALID. */
  autoPad?: AutoPad;
  /** Optional check of the filter's spatial shape (ONNX kernel_shape). */
  kernelShape?: readonly number[];
  /** Fused epilogue, applied after the optional bias. */
  activation?: Activation;
}

/**
 * A planned convolution. Every problem is carried as a 3-D one (a 2-D conv has D = kD = oD = 1, a
 * 1-D one also H = kH = oH = 1), so kernels see one geometry: output (od, oh, ow) reads input
 * (od·sD − padF + kd·dD, oh·sH − padT + kh·dH, ow·sW − padL + kw·dW).
 */
export interface ConvPlan extends Plan {
  layout: ConvLayout;
  filterLayout: ConvFilterLayout;
  spatialRank: 1 | 2 | 3;
  N: number;
  C: number;
  D: number;
  H: number;
  W: number;
  /** Output channels. */
  M: number;
  group: number;
  /** Input channels per group, output channels per group. */
  Cg: number;
  Mg: number;
  kD: number;
  kH: number;
  kW: number;
  sD: number;
  sH: number;
  sW: number;
  dD: number;
  dH: number;
  dW: number;
  padF: number;
  padT: number;
  padL: number;
  oD: number;
  oH: number;
  oW: number;
  hasBias: boolean;
  activation: Activation;
}

const LAYOUTS: readonly ConvLayout[] = ['NCHW', 'NHWC'];
const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];


/** Convolution (ONNX Conv; tfjs Conv2D, DepthwiseConv2dNative, FusedConv2D, FusedDepthwiseConv2D). */
export const convDef: OpDef<ConvAttrs, ConvPlan> = defineOp({
  name: 'Conv',
  plan(inputs: readonly TensorInfo[], attrs: ConvAttrs): ConvPlan {
    const op = 'Conv';
    expectArity(op, inputs, 2, 3);
    const [x, w] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, x, CONV_DTYPES, 'X');
    const dtype = expectSameDType(op, inputs);
    const layout = attrs.layout ?? 'NCHW';
    if (!LAYOUTS.includes(layout)) throw new AttributeError(op, `layout must be NCHW or NHWC, got ${String(layout)}`);
    const filterLayout = attrs.filterLayout ?? (layout === 'NCHW' ? 'OIHW' : 'HWIO');
    if ((layout === 'NCHW') !== (filterLayout === 'OIHW')) {
      throw new AttributeError(op, `filterLayout ${String(filterLayout)} does not go with layout ${layout} (NCHW takes OIHW; NHWC takes HWIO or HWIM)`);
    }
    const rank = x.shape.length;
    if (rank < 3 || rank > 5) throw new ShapeError(op, `X must be 3-D, 4-D or 5-D (1-D, 2-D or 3-D convolution), got ${fmtShape(x.shape)}`, 'RANK');
    if (w.shape.length !== rank) throw new ShapeError(op, `filter rank must equal X's: X ${fmtShape(x.shape)}, filter ${fmtShape(w.shape)}`, 'RANK');
    const sr = (rank - 2) as 1 | 2 | 3;
    const nchw = layout === 'NCHW';
    const N = x.shape[0]!;
    const C = nchw ? x.shape[1]! : x.shape[rank - 1]!;
    const inDims = nchw ? x.shape.slice(2) : x.shape.slice(1, rank - 1);
    const kDims = filterLayout === 'OIHW' ? w.shape.slice(2) : w.shape.slice(0, sr);
    const wIn = filterLayout === 'OIHW' ? w.shape[1]! : w.shape[sr]!;
    const wOut = filterLayout === 'OIHW' ? w.shape[0]! : w.shape[sr + 1]!;
    let group: number;
    let M: number;
    let Cg: number;
    // built only when an error needs it: formatting shapes on every plan cost ~1 µs per call
    const shapes = () => `X ${fmtShape(x.shape)}, filter ${fmtShape(w.shape)}`;
    if (filterLayout === 'HWIM') {
      if (attrs.group !== undefined && attrs.group !== C) throw new AttributeError(op, `HWIM (depthwise) filters imply group = C = ${C}, got group ${attrs.group}`);
      if (wIn !== C) throw new ShapeError(op, `depthwise filter input channels ${wIn} differ from X's ${C} (${shapes()})`);
      group = C;
      Cg = 1;
      M = C * wOut;
    } else {
      group = attrs.group ?? 1;
      if (!Number.isInteger(group) || group < 1) throw new AttributeError(op, `group must be a positive integer, got ${group}`);
      M = wOut;
      Cg = wIn;
      if (C % group !== 0 || Cg * group !== C) throw new ShapeError(op, `filter has ${Cg} input channels per group but X has ${C} channels in ${group} group(s) (${shapes()})`);
      if (M % group !== 0) throw new ShapeError(op, `output channels ${M} are not divisible by group ${group} (${shapes()})`);
    }
    if (kDims.some((k) => k < 1)) throw new ShapeError(op, `filter spatial dims must be >= 1 (${shapes()})`);
    if (attrs.kernelShape) {
      if (attrs.kernelShape.length !== sr || attrs.kernelShape.some((k, i) => k !== kDims[i])) {
        throw new ShapeError(op, `kernelShape [${attrs.kernelShape.join(',')}] differs from the filter's spatial dims [${kDims.join(',')}] (${shapes()})`);
      }
    }
    const strides = intList(op, 'strides', attrs.strides, sr, 1, 1);
    const dilations = intList(op, 'dilations', attrs.dilations, sr, 1, 1);
    const autoPad = attrs.autoPad ?? 'NOTSET';
    if (!AUTO_PADS.includes(autoPad)) throw new AttributeError(op, `autoPad must be one of ${AUTO_PADS.join(', ')}, got ${String(autoPad)}`);
    const begin: number[] = [];
    const out: number[] = [];
    const pads = autoPad === 'NOTSET' ? intList(op, 'pads', attrs.pads, 2 * sr, 0, 0) : undefined;
    for (let d = 0; d < sr; d++) {
      const ek = dilations[d]! * (kDims[d]! - 1) + 1;
      const s = strides[d]!;
      const n = inDims[d]!;
      if (autoPad === 'NOTSET' || autoPad === 'VALID') {
        const pb = pads ? pads[d]! : 0;
        const pe = pads ? pads[d + sr]! : 0;
        const span = n + pb + pe - ek;
        if (span < 0) throw new ShapeError(op, `the dilated filter (${ek}) is larger than the padded input (${n + pb + pe}) along spatial dim ${d} (${shapes()}, pads [${pads?.join(',') ?? ''}])`);
        begin.push(pb);
        out.push(Math.floor(span / s) + 1);
      } else {
        const o = Math.ceil(n / s);
        const total = Math.max(0, (o - 1) * s + ek - n);
        begin.push(autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2));
        out.push(o);
      }
    }
    // every geometry as 3-D: missing leading spatial dims are 1 (stride 1, dilation 1, pad 0)
    const to3 = (a: readonly number[], fill: number) => [...new Array<number>(3 - sr).fill(fill), ...a];
    const [D, H, W] = to3(inDims, 1) as [number, number, number];
    const [kD, kH, kW] = to3(kDims, 1) as [number, number, number];
    const [sD, sH, sW] = to3(strides, 1) as [number, number, number];
    const [dD, dH, dW] = to3(dilations, 1) as [number, number, number];
    const [padF, padT, padL] = to3(begin, 0) as [number, number, number];
    const [oD, oH, oW] = to3(out, 1) as [number, number, number];
    const bias = inputs[2];
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== M)) throw new ShapeError(op, `bias must be [${M}] (one per output channel), got ${fmtShape(bias.shape)}`);
    const activation = normalizeActivation(op, attrs.activation);
    const outShape = nchw ? [N, M, ...out] : [N, ...out, M];
    return {
      outputs: [{ shape: outShape, dtype }],
      dispatchDType: dtype,
      layout,
      filterLayout,
      spatialRank: sr,
      N,
      C,
      D,
      H,
      W,
      M,
      group,
      Cg,
      Mg: M / group,
      kD,
      kH,
      kW,
      sD,
      sH,
      sW,
      dD,
      dH,
      dW,
      padF,
      padT,
      padL,
      oD,
      oH,
      oW,
      hasBias: !!bias,
      activation,
    };
  },
});
