import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType, intList } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface Col2ImAttrs {
  /** Spatial size of the image (1 to 3 axes; ONNX passes it as an input). */
  imageShape: readonly number[];
  /** Spatial size of a block (ONNX's block_shape input). */
  blockShape: readonly number[];
  dilations?: readonly number[];
  /** [begin..., end...] (default 0). */
  pads?: readonly number[];
  strides?: readonly number[];
}

export interface Col2ImPlan extends Plan {
  /** Spatial rank 1 to 3, carried as 3-D: leading sizes 1, kernels 1, strides 1, pads 0. */
  spatialRank: number;
  NC: number;
  D: number; H: number; W: number;
  KD: number; KH: number; KW: number;
  SD: number; SH: number; SW: number;
  DD: number; DH: number; DW: number;
  PF: number; PT: number; PL: number;
  /** Blocks along each axis. */
  BD: number; BH: number; BW: number;
}

/**
 * Col2Im (ONNX opset 18): input [N, C·Π(block), L] of image columns (im2col's layout) summed back
 * into an image [N, C, ...imageShape]; L must be the number of block positions the image, pads,
 * dilations and strides give. float32.
 */
export const col2ImDef: OpDef<Col2ImAttrs, Col2ImPlan> = defineOp({
  name: 'Col2Im',
  plan(inputs: readonly TensorInfo[], attrs: Col2ImAttrs): Col2ImPlan {
    const op = 'Col2Im';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'input');
    const r = attrs?.imageShape?.length ?? 0;
    if (r < 1 || r > 3) throw new AttributeError(op, `imageShape must have 1 to 3 dims, got ${JSON.stringify(attrs?.imageShape)}`);
    const img = intList(op, 'imageShape', attrs.imageShape, r, 1, 1);
    const blk = intList(op, 'blockShape', attrs.blockShape, r, 1, 1);
    const s = intList(op, 'strides', attrs.strides, r, 1, 1);
    const dl = intList(op, 'dilations', attrs.dilations, r, 1, 1);
    const p = intList(op, 'pads', attrs.pads, 2 * r, 0, 0);
    if (x.shape.length !== 3) throw new ShapeError(op, `input must be [N, C·Π(block), L], got ${fmtShape(x.shape)}`, 'RANK');
    const K = blk.reduce((a, b) => a * b, 1);
    const [N, CK, L] = x.shape as [number, number, number];
    if (CK % K !== 0) throw new ShapeError(op, `input ${fmtShape(x.shape)}: dim 1 is not a multiple of the block size ${K} (block [${blk.join(',')}])`);
    const blocks = img.map((n, i) => {
      const span = n + p[i]! + p[i + r]! - (dl[i]! * (blk[i]! - 1) + 1);
      if (span < 0) throw new ShapeError(op, `block [${blk.join(',')}] (dilations [${dl.join(',')}]) does not fit the padded image [${img.join(',')}]`);
      return Math.floor(span / s[i]!) + 1;
    });
    const want = blocks.reduce((a, b) => a * b, 1);
    if (L !== want) throw new ShapeError(op, `input ${fmtShape(x.shape)} has ${L} blocks, but image [${img.join(',')}] with block [${blk.join(',')}] gives ${want}`);
    const C = CK / K;
    const three = (a: number[], fill: number) => [...new Array<number>(3 - r).fill(fill), ...a] as [number, number, number];
    const [D, H, W] = three(img, 1);
    const [KD, KH, KW] = three(blk, 1);
    const [SD, SH, SW] = three(s, 1);
    const [DD, DH, DW] = three(dl, 1);
    const [PF, PT, PL] = three(p.slice(0, r), 0);
    const [BD, BH, BW] = three(blocks, 1);
    return {
      outputs: [{ shape: [N, C, ...img], dtype: 'float32' }],
      dispatchDType: 'float32',
      spatialRank: r, NC: N * C, D, H, W, KD, KH, KW, SD, SH, SW, DD, DH, DW, PF, PT, PL, BD, BH, BW,
    };
  },
});
