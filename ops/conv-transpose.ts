import type { DType } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { normalizeActivation } from './activation.js';
import { expectArity, expectDType, expectSameDType, intList } from './checks.js';
import type { AutoPad, ConvLayout } from './conv.js';
import { defineOp } from './index.js';
import type { Activation, OpDef, Plan, TensorInfo } from './types.js';

export const CONV_TRANSPOSE_DTYPES: readonly DType[] = ['float32'];

/** IOHW: [C, M/group, ...k] (ONNX ConvTranspose). HWOI: [...k, M, C] (tfjs conv2dTranspose / Conv2DBackpropInput). */
export type ConvTransposeFilterLayout = 'IOHW' | 'HWOI';

export interface ConvTransposeAttrs {
  /** Data layout of X and Y (default NCHW). NHWC takes group 1 only (as tfjs). */
  layout?: ConvLayout;
  /** IOHW with NCHW (default there), HWOI with NHWC (default there). */
  filterLayout?: ConvTransposeFilterLayout;
  group?: number;
  strides?: readonly number[];
  dilations?: readonly number[];
  /** ONNX order [begin..., end...]; used when neither outputShape nor a SAME autoPad sets them. */
  pads?: readonly number[];
  /** Extra output size at the end of each spatial dim (< max(stride, dilation)). */
  outputPadding?: readonly number[];
  /** Spatial output size (ONNX output_shape; tfjs outputShape without N and C): the pads follow from it. */
  outputShape?: readonly number[];
  /** SAME_UPPER puts the odd pad at the end (tfjs 'same'), SAME_LOWER (and NOTSET with outputShape) at the start. */
  autoPad?: AutoPad;
  activation?: Activation;
}

/**
 * A planned transposed convolution, carried as 3-D like ConvPlan. Input (id, ih, iw) scatters to
 * output (id·sD − padF + kd·dD, ...); kernels gather: output (od, oh, ow) takes every tap with
 * od + padF − kd·dD = id·sD for an input row id in range.
 */
export interface ConvTransposePlan extends Plan {
  layout: ConvLayout;
  filterLayout: ConvTransposeFilterLayout;
  spatialRank: 1 | 2 | 3;
  N: number;
  /** Input channels, output channels, per group. */
  C: number;
  M: number;
  group: number;
  Cg: number;
  Mg: number;
  D: number;
  H: number;
  W: number;
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


/** ConvTranspose (ONNX ConvTranspose; tfjs Conv2DBackpropInput / conv2dTranspose / conv1dTranspose-style NWC). */
export const convTransposeDef: OpDef<ConvTransposeAttrs, ConvTransposePlan> = defineOp({
  name: 'ConvTranspose',
  plan(inputs: readonly TensorInfo[], attrs: ConvTransposeAttrs): ConvTransposePlan {
    const op = 'ConvTranspose';
    expectArity(op, inputs, 2, 3);
    const [x, w] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, x, CONV_TRANSPOSE_DTYPES, 'X');
    const dtype = expectSameDType(op, inputs);
    const layout = attrs.layout ?? 'NCHW';
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new AttributeError(op, `layout must be NCHW or NHWC, got ${String(layout)}`);
    const nchw = layout === 'NCHW';
    const filterLayout = attrs.filterLayout ?? (nchw ? 'IOHW' : 'HWOI');
    if (nchw !== (filterLayout === 'IOHW')) throw new AttributeError(op, `filterLayout ${String(filterLayout)} does not go with layout ${layout} (NCHW takes IOHW; NHWC takes HWOI)`);
    const rank = x.shape.length;
    if (rank < 3 || rank > 5) throw new ShapeError(op, `X must be 3-D, 4-D or 5-D (1-D, 2-D or 3-D), got ${fmtShape(x.shape)}`, 'RANK');
    if (w.shape.length !== rank) throw new ShapeError(op, `filter rank must equal X's: X ${fmtShape(x.shape)}, filter ${fmtShape(w.shape)}`, 'RANK');
    const sr = (rank - 2) as 1 | 2 | 3;
    const shapes = `X ${fmtShape(x.shape)}, filter ${fmtShape(w.shape)}`;
    const N = x.shape[0]!;
    const C = nchw ? x.shape[1]! : x.shape[rank - 1]!;
    const inDims = nchw ? x.shape.slice(2) : x.shape.slice(1, rank - 1);
    const kDims = nchw ? w.shape.slice(2) : w.shape.slice(0, sr);
    const group = attrs.group ?? 1;
    if (!Number.isInteger(group) || group < 1) throw new AttributeError(op, `group must be a positive integer, got ${group}`);
    if (!nchw && group !== 1) throw new AttributeError(op, `NHWC ConvTranspose takes group 1 only, got group ${group}`);
    const wIn = nchw ? w.shape[0]! : w.shape[sr + 1]!;
    const Mg = nchw ? w.shape[1]! : w.shape[sr]!;
    if (wIn !== C) throw new ShapeError(op, `filter has ${wIn} input channels but X has ${C} (${shapes})`);
    if (C % group !== 0) throw new ShapeError(op, `input channels ${C} are not divisible by group ${group} (${shapes})`);
    if (kDims.some((k) => k < 1)) throw new ShapeError(op, `filter spatial dims must be >= 1 (${shapes})`);
    const M = Mg * group;
    const strides = intList(op, 'strides', attrs.strides, sr, 1, 1);
    const dilations = intList(op, 'dilations', attrs.dilations, sr, 1, 1);
    const outPad = intList(op, 'outputPadding', attrs.outputPadding, sr, 0, 0);
    outPad.forEach((p, d) => {
      if (p >= Math.max(strides[d]!, dilations[d]!)) throw new AttributeError(op, `outputPadding [${outPad.join(',')}] must be below max(stride, dilation) per dim`);
    });
    const autoPad = attrs.autoPad ?? 'NOTSET';
    if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) throw new AttributeError(op, `autoPad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got ${String(autoPad)}`);
    const given = attrs.outputShape ? intList(op, 'outputShape', attrs.outputShape, sr, 0, 0) : undefined;
    const pads = autoPad === 'NOTSET' && !given ? intList(op, 'pads', attrs.pads, 2 * sr, 0, 0) : undefined;
    const begin: number[] = [];
    const out: number[] = [];
    for (let d = 0; d < sr; d++) {
      const ek = dilations[d]! * (kDims[d]! - 1) + 1;
      const full = strides[d]! * (inDims[d]! - 1) + outPad[d]! + ek;
      if (pads) {
        const o = full - pads[d]! - pads[d + sr]!;
        if (o < 0) throw new ShapeError(op, `pads [${pads.join(',')}] exceed the output size ${full} along spatial dim ${d} (${shapes})`);
        begin.push(pads[d]!);
        out.push(o);
      } else if (autoPad === 'VALID' && !given) {
        begin.push(0);
        out.push(full);
      } else {
        const o = given ? given[d]! : inDims[d]! * strides[d]!;
        const total = full - o;
        if (total < 0) throw new ShapeError(op, `output size ${o} along spatial dim ${d} is larger than the ${full} the input can produce (${shapes})`);
        begin.push(autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
        out.push(o);
      }
    }
    const bias = inputs[2];
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== M)) throw new ShapeError(op, `bias must be [${M}] (one per output channel), got ${fmtShape(bias.shape)}`);
    const activation = normalizeActivation(op, attrs.activation);
    const to3 = (a: readonly number[], fill: number) => [...new Array<number>(3 - sr).fill(fill), ...a] as [number, number, number];
    const [D, H, W] = to3(inDims, 1);
    const [kD, kH, kW] = to3(kDims, 1);
    const [sD, sH, sW] = to3(strides, 1);
    const [dD, dH, dW] = to3(dilations, 1);
    const [padF, padT, padL] = to3(begin, 0);
    const [oD, oH, oW] = to3(out, 1);
    return {
      outputs: [{ shape: nchw ? [N, M, ...out] : [N, ...out, M], dtype }],
      dispatchDType: dtype,
      layout,
      filterLayout,
      spatialRank: sr,
      N,
      C,
      M,
      group,
      Cg: C / group,
      Mg,
      D,
      H,
      W,
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
