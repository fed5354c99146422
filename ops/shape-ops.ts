/**
 * Metadata ops: Reshape, Flatten, Squeeze, Unsqueeze, Identity. They only change the shape; the
 * output shares the input's storage (kernels are `kind: 'metadata'`, see wasm-kernels/shape-ops.ts).
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import { shapeSize } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const SHAPE_OPS = ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity'] as const;
export type ShapeOp = (typeof SHAPE_OPS)[number];

export interface ReshapeAttrs {
  /** Target shape (ONNX: the adapter reads the shape tensor). 0 copies the input dimension unless allowzero; one -1 is inferred. */
  shape: readonly number[];
  /** ONNX allowzero: a 0 means an empty dimension instead of "copy the input's". */
  allowzero?: boolean | number;
}
export interface FlattenAttrs {
  /** Output is [prod(dims[0:axis]), prod(dims[axis:])]; default 1, negative allowed. */
  axis?: number;
}
export interface AxesAttrs {
  /** Axes to remove (Squeeze; omitted: every size-1 axis) or insert (Unsqueeze, relative to the output rank). */
  axes?: readonly number[];
}

function plan(x: TensorInfo, shape: number[]): Plan {
  return { outputs: [{ shape, dtype: x.dtype }], dispatchDType: x.dtype };
}

function checkAxes(op: string, axes: readonly number[], rank: number): number[] {
  const seen = new Set<number>();
  return axes.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw new AttributeError(op, `axis ${a} is out of range for rank ${rank}`);
    const n = a < 0 ? a + rank : a;
    if (seen.has(n)) throw new AttributeError(op, `axis ${a} is repeated in axes [${axes.join(',')}]`);
    seen.add(n);
    return n;
  });
}

export const reshapeDef: OpDef<ReshapeAttrs, Plan> = defineOp({
  name: 'Reshape',
  plan(inputs, attrs) {
    const op = 'Reshape';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    if (!attrs || !Array.isArray(attrs.shape)) throw new AttributeError(op, 'attribute shape (an array of integers) is required');
    const allowzero = !!attrs.allowzero;
    const target = attrs.shape.slice();
    let infer = -1;
    for (let i = 0; i < target.length; i++) {
      const d = target[i]!;
      if (!Number.isInteger(d) || d < -1) throw new AttributeError(op, `invalid target shape ${fmtShape(target)}`);
      if (d === -1) {
        if (infer >= 0) throw new AttributeError(op, `target shape ${fmtShape(target)} has more than one -1`);
        infer = i;
      } else if (d === 0 && !allowzero) {
        if (i >= x.shape.length) throw new ShapeError(op, `target shape ${fmtShape(target)} copies dimension ${i} (0) but the input ${fmtShape(x.shape)} has rank ${x.shape.length}`);
        target[i] = x.shape[i]!;
      }
    }
    if (allowzero && infer >= 0 && target.includes(0)) throw new AttributeError(op, `with allowzero, target shape ${fmtShape(attrs.shape)} cannot hold both 0 and -1`);
    const size = shapeSize(x.shape);
    if (infer >= 0) {
      const rest = target.reduce((a, d, i) => (i === infer ? a : a * d), 1);
      if (rest === 0 || size % rest !== 0) throw new ShapeError(op, `cannot reshape ${fmtShape(x.shape)} (${size} elements) to ${fmtShape(attrs.shape)}`);
      target[infer] = size / rest;
    }
    if (shapeSize(target) !== size) throw new ShapeError(op, `cannot reshape ${fmtShape(x.shape)} (${size} elements) to ${fmtShape(attrs.shape)}`);
    return plan(x, target);
  },
});

export const flattenDef: OpDef<FlattenAttrs, Plan> = defineOp({
  name: 'Flatten',
  plan(inputs, attrs = {}) {
    const op = 'Flatten';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = x.shape.length;
    const a = attrs.axis ?? 1;
    if (!Number.isInteger(a) || a < -r || a > r) throw new AttributeError(op, `axis ${a} is out of range for rank ${r} (allowed: ${-r}..${r})`);
    const axis = a < 0 ? a + r : a;
    return plan(x, [shapeSize(x.shape.slice(0, axis)), shapeSize(x.shape.slice(axis))]);
  },
});

export const squeezeDef: OpDef<AxesAttrs, Plan> = defineOp({
  name: 'Squeeze',
  plan(inputs, attrs = {}) {
    const op = 'Squeeze';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    if (attrs.axes === undefined) return plan(x, x.shape.filter((d) => d !== 1));
    const axes = checkAxes(op, attrs.axes, x.shape.length);
    for (const a of axes) {
      if (x.shape[a] !== 1) throw new ShapeError(op, `cannot squeeze axis ${a} of ${fmtShape(x.shape)}: its size is ${x.shape[a]}, not 1`);
    }
    return plan(x, x.shape.filter((_, i) => !axes.includes(i)));
  },
});

export const unsqueezeDef: OpDef<AxesAttrs, Plan> = defineOp({
  name: 'Unsqueeze',
  plan(inputs, attrs = {}) {
    const op = 'Unsqueeze';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    if (!attrs.axes) throw new AttributeError(op, 'attribute axes is required');
    const rank = x.shape.length + attrs.axes.length;
    const axes = checkAxes(op, attrs.axes, rank);
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x.shape[k++]!);
    return plan(x, out);
  },
});

export const identityDef: OpDef<object, Plan> = defineOp({
  name: 'Identity',
  plan(inputs) {
    expectArity('Identity', inputs, 1);
    return plan(inputs[0]!, inputs[0]!.shape.slice());
  },
});
