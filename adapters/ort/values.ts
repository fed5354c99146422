/**
 * The values that flow through an ONNX graph: a tensor, a sequence of tensors, or an optional (a
 * tensor, a sequence, or nothing). Tensors are twinops Tensors; sequences and optionals are small
 * host objects holding tensor handles. Every holder owns its handles: sharing a value between two
 * holders makes new handles on the same (reference-counted) storage, never a copy of the bytes.
 */
import type { DType } from '../../core/dtype.js';
import type { Runtime } from '../../core/runtime.js';
import { Tensor } from '../../core/tensor.js';
import { OnnxModelError } from './errors.js';

/** A sequence of tensors of one element type (the type is known even when the sequence is empty). */
export class SeqValue {
  readonly kind = 'sequence';
  constructor(
    readonly elemType: DType | undefined,
    readonly items: readonly Tensor[],
  ) {}
}

/** An optional: holds a tensor or a sequence, or nothing (`value` undefined). */
export class OptValue {
  readonly kind = 'optional';
  constructor(
    readonly value: Tensor | SeqValue | undefined,
    /** What an empty optional would hold ('tensor' or 'sequence'), for OptionalHasElement and fetches. */
    readonly elemKind: 'tensor' | 'sequence' = value instanceof SeqValue ? 'sequence' : 'tensor',
  ) {}
}

export type Value = Tensor | SeqValue | OptValue;

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

export function describe(v: Value | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof Tensor) return `${v.dtype}[${v.shape.join(',')}]`;
  if (v instanceof SeqValue) return `sequence of ${v.items.length} ${v.elemType ?? '?'} tensor${v.items.length === 1 ? '' : 's'}`;
  return v.value === undefined ? `empty optional ${v.elemKind}` : `optional ${describe(v.value)}`;
}

/** A new holder of the same value: new tensor handles on the same storage. */
export function share(rt: Runtime, v: Value): Value {
  if (v instanceof Tensor) return rt.reshape(v, v.shape);
  if (v instanceof SeqValue) return new SeqValue(v.elemType, v.items.map((t) => rt.reshape(t, t.shape)));
  return new OptValue(v.value === undefined ? undefined : (share(rt, v.value) as Tensor | SeqValue), v.elemKind);
}

export function disposeValue(v: Value | undefined): void {
  if (v === undefined) return;
  if (v instanceof Tensor) v.dispose();
  else if (v instanceof SeqValue) for (const t of v.items) t.dispose();
  else disposeValue(v.value);
}

/** The sequence a node input must be; anything else is an error naming the node. */
export function expectSeq(v: Value | undefined, node: string, what: string): SeqValue {
  if (v instanceof SeqValue) return v;
  throw new OnnxModelError(`node '${node}': ${what} must be a sequence, got ${describe(v)}`);
}
