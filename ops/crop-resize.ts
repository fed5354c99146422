/**
 * CropAndResize (TensorFlow image.crop_and_resize): for each box (y1, x1, y2, x2, normalised
 * coordinates; flipped boxes flip the crop) and its image index, a cropH × cropW resampling of that
 * image region, bilinear or nearest; samples outside the image take `extrapolationValue`, boxes
 * whose index is outside [0, batch) give zeros. image [B, H, W, C] float32, boxes [N, 4] float32,
 * boxInd [N] int32 → [N, cropH, cropW, C] float32. See wasm-kernels/crop-resize.wat.ts.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface CropAndResizeAttrs {
  cropSize: readonly number[];
  method?: 'bilinear' | 'nearest';
  extrapolationValue?: number;
}

export interface CropAndResizePlan extends Plan {
  B: number;
  H: number;
  W: number;
  C: number;
  N: number;
  cropH: number;
  cropW: number;
  nearest: boolean;
  extrapolationValue: number;
}

export const cropAndResizeDef: OpDef<CropAndResizeAttrs, CropAndResizePlan> = defineOp({
  name: 'CropAndResize',
  plan(inputs, attrs): CropAndResizePlan {
    const op = 'CropAndResize';
    expectArity(op, inputs, 3);
    const [image, boxes, ind] = [inputs[0]!, inputs[1]!, inputs[2]!];
    expectDType(op, image, ['float32'], 'image');
    expectDType(op, boxes, ['float32'], 'boxes');
    expectDType(op, ind, ['int32'], 'boxInd');
    if (image.shape.length !== 4) throw new ShapeError(op, `image must be [batch, height, width, channels], got ${fmtShape(image.shape)}`, 'RANK');
    if (boxes.shape.length !== 2 || boxes.shape[1] !== 4) throw new ShapeError(op, `boxes must be [n, 4], got ${fmtShape(boxes.shape)}`, 'RANK');
    const N = boxes.shape[0]!;
    if (ind.shape.length !== 1 || ind.shape[0] !== N) throw new ShapeError(op, `boxInd must be [${N}] for boxes ${fmtShape(boxes.shape)}, got ${fmtShape(ind.shape)}`);
    const cs = attrs.cropSize;
    if (!Array.isArray(cs) || cs.length !== 2 || !cs.every((d) => Number.isInteger(d) && d >= 1)) throw new AttributeError(op, `cropSize must be two integers >= 1, got ${JSON.stringify(cs)}`);
    const method = attrs.method ?? 'bilinear';
    if (method !== 'bilinear' && method !== 'nearest') throw new AttributeError(op, `method must be 'bilinear' or 'nearest', got ${JSON.stringify(method)}`);
    const [B, H, W, C] = image.shape as [number, number, number, number];
    return {
      outputs: [{ shape: [N, cs[0]!, cs[1]!, C], dtype: 'float32' }],
      dispatchDType: 'float32',
      B, H, W, C, N,
      cropH: cs[0]!,
      cropW: cs[1]!,
      nearest: method === 'nearest',
      extrapolationValue: attrs.extrapolationValue ?? 0,
    };
  },
});
