/**
 * RotateWithOffset (tf.image.rotateWithOffset): image [B, H, W, C] float32 or int32 → same shape,
 * rotated counter-clockwise by `radians` about `center` (fractions of width and height). Output
 * pixel (x, y) reads the input pixel nearest (round half up, as Math.round) to
 * ((x − cx)·cos − (y − cy)·sin + cx, (x − cx)·sin + (y − cy)·cos + cy), all in float64; outside the
 * image it takes the fill: a number for every channel, or [r, g, b] for channels 0–2 with 255 in
 * channel 3 (and NaN beyond, as tfjs-backend-cpu reads past the array). See wasm-kernels/rotate.wat.ts.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface RotateWithOffsetAttrs {
  radians?: number;
  /** one value for every channel, or [r, g, b] */
  fillValue?: number | readonly number[];
  /** fraction of width and height for both axes, or [x, y]; default 0.5 */
  center?: number | readonly number[];
}

export interface RotateWithOffsetPlan extends Plan {
  B: number;
  H: number;
  W: number;
  C: number;
  /** center in pixels */
  cx: number;
  cy: number;
  sin: number;
  cos: number;
  /** the C fill values, in the image's dtype when written */
  fill: number[];
}

const OP = 'RotateWithOffset';

function finiteList(name: string, v: unknown, len: number): readonly number[] | number {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === len && v.every((e) => typeof e === 'number')) return v as number[];
  throw new AttributeError(OP, `${name} must be a number or ${len} numbers, got ${JSON.stringify(v)}`);
}

export const rotateWithOffsetDef: OpDef<RotateWithOffsetAttrs, RotateWithOffsetPlan> = defineOp({
  name: OP,
  plan(inputs, attrs): RotateWithOffsetPlan {
    expectArity(OP, inputs, 1);
    const image = inputs[0]!;
    expectDType(OP, image, ['float32', 'int32'], 'image');
    if (image.shape.length !== 4) throw new ShapeError(OP, `image must be [batch, height, width, channels], got ${fmtShape(image.shape)}`, 'RANK');
    const [B, H, W, C] = image.shape as [number, number, number, number];
    const radians = attrs.radians ?? 0;
    if (typeof radians !== 'number') throw new AttributeError(OP, `radians must be a number, got ${JSON.stringify(radians)}`);
    const fv = finiteList('fillValue', attrs.fillValue ?? 0, 3);
    const ctr = finiteList('center', attrs.center ?? 0.5, 2);
    const fill = Array.from({ length: C }, (_, c) => (typeof fv === 'number' ? fv : c === 3 ? 255 : c < 3 ? fv[c]! : NaN));
    return {
      outputs: [{ shape: [B, H, W, C], dtype: image.dtype }],
      dispatchDType: image.dtype,
      B, H, W, C,
      cx: W * (typeof ctr === 'number' ? ctr : ctr[0]!),
      cy: H * (typeof ctr === 'number' ? ctr : ctr[1]!),
      sin: Math.sin(radians),
      cos: Math.cos(radians),
      fill,
    };
  },
});
