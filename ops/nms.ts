/**
 * NonMaxSuppression over one class: boxes [n, 4] float32 and scores [n] float32 → the selected box
 * indices in selection order, their (soft-NMS adjusted) scores, and how many were selected. The
 * count depends on the data, so the outputs are sized for the most that can be selected
 * (min(maxOutputSize, n)) and callers keep the first count[0] entries.
 *
 * Greedy NMS as TensorFlow defines it (see wasm-kernels/nms.wat.ts): candidates score above
 * scoreThreshold; the best remaining one is dropped when its IoU with a selected box is ≥
 * iouThreshold (> with `strictIou`, ONNX's rule); with softNmsSigma > 0 each overlap instead
 * scales its score by exp(−IoU²/(2σ)) (Bodla et al.), and a reduced candidate competes again.
 * Boxes are corners [y1, x1, y2, x2] in any order, or [x_center, y_center, width, height] with
 * `centerPointBox`.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface NMSAttrs {
  maxOutputSize: number;
  iouThreshold?: number;
  scoreThreshold?: number;
  softNmsSigma?: number;
  centerPointBox?: boolean;
  strictIou?: boolean;
}

export interface NMSPlan extends Plan {
  n: number;
  maxOut: number;
  iouThreshold: number;
  scoreThreshold: number;
  /** −0.5/σ, or 0 for plain NMS */
  softScale: number;
  flags: number;
}

export const nmsDef: OpDef<NMSAttrs, NMSPlan> = defineOp({
  name: 'NonMaxSuppression',
  plan(inputs, attrs): NMSPlan {
    const op = 'NonMaxSuppression';
    expectArity(op, inputs, 2);
    const boxes = inputs[0]!;
    const scores = inputs[1]!;
    expectDType(op, boxes, ['float32'], 'boxes');
    expectDType(op, scores, ['float32'], 'scores');
    if (boxes.shape.length !== 2 || boxes.shape[1] !== 4) throw new ShapeError(op, `boxes must be [n, 4], got ${fmtShape(boxes.shape)}`, 'RANK');
    const n = boxes.shape[0]!;
    if (scores.shape.length !== 1 || scores.shape[0] !== n) throw new ShapeError(op, `scores must be [${n}] for boxes ${fmtShape(boxes.shape)}, got ${fmtShape(scores.shape)}`);
    const { maxOutputSize } = attrs;
    if (!Number.isInteger(maxOutputSize) || maxOutputSize < 0) throw new AttributeError(op, `maxOutputSize must be a non-negative integer, got ${maxOutputSize}`);
    const iou = attrs.iouThreshold ?? 0.5;
    if (!(iou >= 0 && iou <= 1)) throw new AttributeError(op, `iouThreshold must be in [0, 1], got ${iou}`);
    const sigma = attrs.softNmsSigma ?? 0;
    if (!(sigma >= 0)) throw new AttributeError(op, `softNmsSigma must be >= 0, got ${sigma}`);
    const maxOut = Math.min(maxOutputSize, n);
    return {
      outputs: [{ shape: [maxOut], dtype: 'int32' }, { shape: [maxOut], dtype: 'float32' }, { shape: [1], dtype: 'int32' }],
      dispatchDType: 'float32',
      n,
      maxOut,
      iouThreshold: iou,
      scoreThreshold: attrs.scoreThreshold ?? -Infinity,
      softScale: sigma > 0 ? -0.5 / sigma : 0,
      flags: (attrs.strictIou ? 1 : 0) | (attrs.centerPointBox ? 2 : 0),
    };
  },
});
