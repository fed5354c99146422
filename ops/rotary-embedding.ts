import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * RotaryEmbedding (ONNX opset 23), float32 or float16 (computed in float32). X is [B, H, S, D] or, 3-D, [B, S, H·D] (then `numHeads`
 * gives H). The first rd = `rotaryEmbeddingDim` (default, or 0: D; even, ≤ D) elements of each head
 * row are rotated by the angle of the row's position: with position_ids (int64 [B, S], the fourth
 * input) the caches are [maxPos, rd/2] and row position_ids[b, s] is used (a position outside the
 * caches gives NaN); without, the caches are [B, S, rd/2]. `interleaved` pairs elements (2i, 2i+1),
 * otherwise (i, i + rd/2): (x1, x2) → (c·x1 − s·x2, s·x1 + c·x2). Elements from rd on are copied.
 */
export interface RotaryAttrs {
  interleaved?: boolean;
  rotaryEmbeddingDim?: number;
  numHeads?: number;
}

export interface RotaryPlan extends Plan {
  B: number;
  S: number;
  H: number;
  D: number;
  rd: number;
  interleaved: boolean;
  three: boolean;
  maxPos: number;
}

const OP = 'RotaryEmbedding';

export const rotaryDef: OpDef<RotaryAttrs, RotaryPlan> = defineOp({
  name: OP,
  plan(inputs: readonly TensorInfo[], attrs: RotaryAttrs): RotaryPlan {
    expectArity(OP, inputs, 3, 4);
    const [x, cos, sin] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    expectDType(OP, x, ['float32', 'float16'], 'X');
    expectDType(OP, cos, [x.dtype], 'cos_cache');
    expectDType(OP, sin, [x.dtype], 'sin_cache');
    let B: number, S: number, H: number, D: number;
    if (x.shape.length === 4) [B, H, S, D] = x.shape as [number, number, number, number];
    else if (x.shape.length === 3) {
      const heads = attrs.numHeads;
      if (heads === undefined || !Number.isInteger(heads) || heads < 1) throw new AttributeError(OP, `X${fmtShape(x.shape)} is 3-D, so numHeads must be a positive integer, got ${String(heads)}`);
      [B, S] = x.shape as [number, number];
      if (x.shape[2]! % heads !== 0) throw new ShapeError(OP, `X${fmtShape(x.shape)}: hidden size ${x.shape[2]} is not a multiple of numHeads ${heads}`);
      H = heads;
      D = x.shape[2]! / heads;
    } else throw new ShapeError(OP, `X${fmtShape(x.shape)} must be 4-D [batch, heads, seq, size] or 3-D [batch, seq, hidden]`, 'RANK');
    const rd = attrs.rotaryEmbeddingDim || D;
    if (!Number.isInteger(rd) || rd < 0 || rd > D || rd % 2 !== 0) throw new AttributeError(OP, `rotaryEmbeddingDim must be an even integer ≤ the head size ${D}, got ${String(attrs.rotaryEmbeddingDim)}`);
    const half = rd / 2;
    let maxPos = 0;
    if (inputs.length === 4) {
      const pid = inputs[3]!;
      expectDType(OP, pid, ['int64'], 'position_ids');
      if (pid.shape.length !== 2 || pid.shape[0] !== B || pid.shape[1] !== S) throw new ShapeError(OP, `position_ids${fmtShape(pid.shape)} must be [${B}, ${S}] for X${fmtShape(x.shape)}`);
      for (const [t, what] of [[cos, 'cos_cache'], [sin, 'sin_cache']] as const) {
        if (t.shape.length !== 2 || t.shape[1] !== half) throw new ShapeError(OP, `${what}${fmtShape(t.shape)} must be [max_position, ${half}] (rotary dim ${rd} / 2)`);
      }
      if (sin.shape[0] !== cos.shape[0]) throw new ShapeError(OP, `cos_cache${fmtShape(cos.shape)} and sin_cache${fmtShape(sin.shape)} differ`);
      maxPos = cos.shape[0]!;
    } else {
      for (const [t, what] of [[cos, 'cos_cache'], [sin, 'sin_cache']] as const) {
        if (t.shape.length !== 3 || t.shape[0] !== B || t.shape[1] !== S || t.shape[2] !== half) throw new ShapeError(OP, `${what}${fmtShape(t.shape)} must be [${B}, ${S}, ${half}] without position_ids`);
      }
    }
    return {
      outputs: [{ shape: x.shape.slice(), dtype: x.dtype }],
      // with position_ids the registry dispatches on their dtype (int64): that form has a wasm kernel
      // only, since WebGPU cannot hold int64
      dispatchDType: inputs.length === 4 ? 'int64' : x.dtype,
      B, S, H, D, rd, interleaved: !!attrs.interleaved, three: x.shape.length === 3, maxPos,
    };
  },
});
