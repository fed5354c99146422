/**
 * ONNX Resize (opset 11 on) → twinops Resize. The output shape comes from `sizes`, or from
 * `scales` as ONNX defines it (floor(input_dim · scale)); the spatial scales are passed on because
 * the coordinate transforms use the scale, not the size ratio. Cubic mode, tf_crop_and_resize,
 * antialias, `axes` and keep_aspect_ratio_policy are not mapped.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const CTMS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];

const resize: OnnxOpMapping = {
  op: 'Resize',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1, 4);
    const at = new Attrs(node, ['coordinate_transformation_mode', 'cubic_coeff_a', 'exclude_outside', 'extrapolation_value', 'mode', 'nearest_mode', 'antialias', 'keep_aspect_ratio_policy']);
    const mode = at.string('mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear') throw new UnsupportedNodeError(`mode '${mode}'`);
    const ctm = at.string('coordinate_transformation_mode', 'half_pixel');
    if (!CTMS.includes(ctm)) throw new UnsupportedNodeError(`coordinate_transformation_mode '${ctm}'`);
    if (at.int('exclude_outside', 0) !== 0) throw new UnsupportedNodeError('exclude_outside=1');
    if (at.int('antialias', 0) !== 0) throw new UnsupportedNodeError('antialias=1');
    if (at.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw new UnsupportedNodeError(`keep_aspect_ratio_policy '${at.string('keep_aspect_ratio_policy', '')}'`);
    const base = { mode, coordinateTransformationMode: ctm, nearestMode: at.string('nearest_mode', 'round_prefer_floor') };
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
        const v = (scales ?? sizes)!;
        if (v.length !== r) throw new UnsupportedNodeError(`${scales ? 'scales' : 'sizes'} has ${v.length} entries for a rank-${r} input`);
        const outputShape = sizes ?? input.shape.map((d, i) => Math.floor(d * scales![i]!));
        const attrs = scales ? { ...base, outputShape, scales: [scales[r - 2]!, scales[r - 1]!] } : { ...base, outputShape };
        return x.op('Resize', [input], attrs);
      },
    };
  },
};

export const RESIZE_MAPPINGS: OnnxOpMapping[] = [resize];
