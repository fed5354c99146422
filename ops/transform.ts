/**
 * Transform (TensorFlow ImageProjectiveTransformV3, tfjs image.transform): image [B, H, W, C]
 * float32 and transforms [B or 1, 8] float32 (a0 a1 a2 b0 b1 b2 c0 c1, mapping output to input
 * points) → [B, outH, outW, C]; nearest or bilinear reads; points outside the image per fillMode
 * (constant: fillValue; reflect, wrap, nearest: folded or clamped into it). See
 * wasm-kernels/transform.wat.ts.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export const FILL_MODES = ['constant', 'reflect', 'wrap', 'nearest'] as const;

export interface TransformAttrs {
  interpolation?: 'nearest' | 'bilinear';
  fillMode?: (typeof FILL_MODES)[number];
  fillValue?: number;
  /** [outH, outW]; default the image's */
  outputShape?: readonly number[] | null;
}

export interface TransformPlan extends Plan {
  B: number;
  H: number;
  W: number;
  C: number;
  outH: number;
  outW: number;
  shared: boolean;
  nearest: boolean;
  mode: number;
  fillValue: number;
}

export const transformDef: OpDef<TransformAttrs, TransformPlan> = defineOp({
  name: 'Transform',
  plan(inputs, attrs): TransformPlan {
    const op = 'Transform';
    expectArity(op, inputs, 2);
    const [image, tr] = [inputs[0]!, inputs[1]!];
    expectDType(op, image, ['float32'], 'image');
    expectDType(op, tr, ['float32'], 'transforms');
    if (image.shape.length !== 4) throw new ShapeError(op, `image must be [batch, height, width, channels], got ${fmtShape(image.shape)}`, 'RANK');
    const [B, H, W, C] = image.shape as [number, number, number, number];
    if (tr.shape.length !== 2 || tr.shape[1] !== 8 || (tr.shape[0] !== 1 && tr.shape[0] !== B)) throw new ShapeError(op, `transforms must be [1, 8] or [${B}, 8] for image ${fmtShape(image.shape)}, got ${fmtShape(tr.shape)}`);
    const interpolation = attrs.interpolation ?? 'nearest';
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw new AttributeError(op, `interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(interpolation)}`);
    const mode = FILL_MODES.indexOf(attrs.fillMode ?? 'constant');
    if (mode < 0) throw new AttributeError(op, `fillMode must be one of ${FILL_MODES.join(', ')}, got ${JSON.stringify(attrs.fillMode)}`);
    const os = attrs.outputShape ?? [H, W];
    if (os.length !== 2 || !os.every((d) => Number.isInteger(d) && d >= 0)) throw new AttributeError(op, `outputShape must be two non-negative integers, got ${JSON.stringify(os)}`);
    return {
      outputs: [{ shape: [B, os[0]!, os[1]!, C], dtype: 'float32' }],
      dispatchDType: 'float32',
      B, H, W, C,
      outH: os[0]!,
      outW: os[1]!,
      shared: tr.shape[0] === 1,
      nearest: interpolation === 'nearest',
      mode,
      fillValue: attrs.fillValue ?? 0,
    };
  },
});
