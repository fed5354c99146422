import { ShapeError, fmtShape } from '../core/errors.js';
import { AttributeError } from '../core/errors.js';

export { shapeSize } from '../core/tensor.js';

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** numpy broadcasting of two or more shapes; throws a ShapeError naming `op` when they do not fit. */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const v = k >= 0 ? s[k]! : 1;
      if (v === 1) continue;
      if (d === 1) d = v;
      else if (v !== d) {
        throw new ShapeError(op, `shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast (dimension ${i - rank} is ${d} vs ${v})`);
      }
    }
    // a size-0 dimension broadcasts against 1 and against 0, never against n > 1 (numpy rule)
    out[i] = d;
  }
  return out;
}

/** Strides (in elements) of `shape` viewed inside the broadcast `outShape`: 0 where a dimension is broadcast. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const r = outShape.length;
  const res = new Array<number>(r).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const k = r - shape.length + i;
    res[k] = shape[i] === 1 && outShape[k] !== 1 ? 0 : own[i]!;
  }
  return res;
}

/** Resolve a possibly negative axis against `rank`, with a clear error when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new AttributeError(op, `axis ${axis} is out of range for a rank-${rank} tensor`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function assertValidShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(op, `invalid shape ${fmtShape(shape)}: dimensions must be non-negative integers`);
  }
}

/**
 * Collapse a broadcast elementwise problem to the fewest dimensions: adjacent output dimensions merge
 * when every operand is contiguous across them (or broadcast across both). Dimensions of size 1 drop.
 * Returns the collapsed output shape and each operand's strides in it.
 */
export function collapseBroadcast(outShape: readonly number[], operandStrides: (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const shape: number[] = [];
  const strides: number[][] = operandStrides.map(() => []);
  for (let i = 0; i < outShape.length; i++) {
    const d = outShape[i]!;
    if (d === 1) continue;
    const last = shape.length - 1;
    const canMerge =
      last >= 0 &&
      operandStrides.every((st, j) => {
        const prev = strides[j]![last]!;
        const cur = st[i]!;
        return prev === cur * d;
      });
    if (canMerge) {
      shape[last] = shape[last]! * d;
      operandStrides.forEach((st, j) => {
        strides[j]![last] = st[i]!;
      });
    } else {
      shape.push(d);
      operandStrides.forEach((st, j) => strides[j]!.push(st[i]!));
    }
  }
  return { shape, strides };
}
