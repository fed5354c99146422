/**
 * ONNX Resize (opset 11 on) → twinops Resize. The output shape comes from `sizes`, or from
 * `scales` as ONNX defines it (floor(input_dim · scale)); the spatial scales are passed on because
 * the coordinate transforms use the scale, not the size ratio. `axes` (opset 18) lists the axes the
 * scales/sizes are for (the others keep their size); keep_aspect_ratio_policy not_larger/not_smaller
 * turns sizes into one scale for those axes (round half up for the sizes, and that scale for the
 * coordinates). cubic (cubic_coeff_a), exclude_outside and antialias map onto the contract's K-tap
 * path; tf_crop_and_resize passes the spatial part of `roi` and extrapolation_value.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const CTMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];

const resize: OnnxOpMapping = {
  op: 'Resize',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1, 4);
    const at = new Attrs(node, ['axes', 'coordinate_transformation_mode', 'cubic_coeff_a', 'exclude_outside', 'extrapolation_value', 'mode', 'nearest_mode', 'antialias', 'keep_aspect_ratio_policy']);
    const mode = at.string('mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') throw new UnsupportedNodeError(`mode '${mode}'`);
    const ctm = at.string('coordinate_transformation_mode', 'half_pixel');
    if (!CTMS.includes(ctm)) throw new UnsupportedNodeError(`coordinate_transformation_mode '${ctm}'`);
    const antialias = at.int('antialias', 0) !== 0;
    if (antialias && mode === 'nearest') throw new UnsupportedNodeError('antialias=1 with mode nearest');
    const policy = at.string('keep_aspect_ratio_policy', 'stretch');
    if (!['stretch', 'not_larger', 'not_smaller'].includes(policy)) throw new UnsupportedNodeError(`keep_aspect_ratio_policy '${policy}'`);
    const axesAttr = at.ints('axes');
    const base = {
      mode, coordinateTransformationMode: ctm, nearestMode: at.string('nearest_mode', 'round_prefer_floor'),
      cubicCoeffA: at.float('cubic_coeff_a', -0.75), excludeOutside: at.int('exclude_outside', 0) !== 0, antialias,
      extrapolationValue: at.float('extrapolation_value', 0),
    };
    const crop = ctm === 'tf_crop_and_resize';
    const cRoi = constInts(ctx, 1);
    const present = (i: number) => node.inputs.length > i && node.inputs[i] !== '';
    const cScales = constInts(ctx, 2);
    const cSizes = constInts(ctx, 3);
    return {
      calls: ['Resize'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const input = need(ins[0], 'X');
        const r = input.shape.length;
        // an empty scales (or sizes) tensor stands for an absent input (opset 11 needs placeholders)
        const scales = present(2) && need(ins[2], 'scales').shape.some((d) => d > 0) ? intsOf(x, ins[2]!, cScales) : undefined;
        const sizes = present(3) && need(ins[3], 'sizes').shape.some((d) => d > 0) ? intsOf(x, ins[3]!, cSizes) : undefined;
        if (!!scales === !!sizes) throw new UnsupportedNodeError('Resize needs exactly one of scales and sizes');
        const axes = (axesAttr ?? input.shape.map((_, i) => i)).map((a) => (a < 0 ? a + r : a));
        if (axes.some((a, i) => a < 0 || a >= r || axes.indexOf(a) !== i)) throw new UnsupportedNodeError(`axes [${axesAttr?.join(', ')}] for a rank-${r} input`);
        const v = (scales ?? sizes)!;
        if (v.length !== axes.length) throw new UnsupportedNodeError(`${scales ? 'scales' : 'sizes'} has ${v.length} entries for ${axes.length} axes`);
        // per axis of the input: the scale (1 off `axes`) and the output size
        let full: number[] | undefined;
        let outputShape = input.shape.slice();
        if (scales) {
          full = input.shape.map(() => 1);
          axes.forEach((a, i) => (full![a] = scales[i]!));
          outputShape = input.shape.map((d, i) => Math.floor(d * full![i]!));
        } else if (policy === 'stretch') {
          axes.forEach((a, i) => (outputShape[a] = sizes![i]!));
        } else {
          // one scale for every listed axis (the smallest or largest size ratio); sizes round half up
          const ratios = axes.map((a, i) => sizes![i]! / input.shape[a]!);
          const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
          full = input.shape.map((_, i) => (axes.includes(i) ? scale : 1));
          outputShape = input.shape.map((d, i) => (axes.includes(i) ? Math.floor(scale * d + 0.5) : d));
        }
        // tf_crop_and_resize: roi = [starts..., ends...] over `axes` (all axes without it); the contract takes the spatial two
        let roi: number[] | undefined;
        if (crop) {
          if (!present(1)) throw new UnsupportedNodeError('tf_crop_and_resize needs the roi input');
          const rv = intsOf(x, need(ins[1], 'roi'), cRoi);
          if (rv.length !== 2 * axes.length) throw new UnsupportedNodeError(`roi has ${rv.length} entries for ${axes.length} axes`);
          const [st, en] = [input.shape.map(() => 0), input.shape.map(() => 1)];
          axes.forEach((a, i) => ((st[a] = rv[i]!), (en[a] = rv[axes.length + i]!)));
          roi = [st[r - 2]!, st[r - 1]!, en[r - 2]!, en[r - 1]!];
        }
        const attrs = { ...base, outputShape, ...(full ? { scales: [full[r - 2]!, full[r - 1]!] } : {}), ...(roi ? { roi } : {}) };
        return x.op('Resize', [input], attrs);
      },
    };
  },
};

export const RESIZE_MAPPINGS: OnnxOpMapping[] = [resize];
