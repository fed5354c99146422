/**
 * RaggedTensorToTensor: a ragged tensor (values and one row partition per ragged level) written
 * into a dense tensor of a given shape, cut where rows are longer than the shape and filled with a
 * default value where they are shorter.
 *
 *   RaggedOutputIndex (op, wasm family `ragged`): one level's output positions — where each of
 *     the level's items starts in the dense output, or −1 when the shape cuts it off. type 'first'
 *     (FIRST_DIM_SIZE: n rows of which nOut fit), 'splits' (ROW_SPLITS of the parent level's rows)
 *     or 'rowids' (VALUE_ROWIDS, ascending; a row id past the parent rows is a ShapeError).
 *   runRaggedToDense: the levels' positions, outermost first, then the values scattered into the
 *     default value broadcast over [positions + 1, ...value dims] (Expand, ScatterND), cut items
 *     sent to the extra last slot (Less, Where), which is sliced away before the final Reshape.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { RaggedExec } from './ragged-gather.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export type RowPartitionType = 'FIRST_DIM_SIZE' | 'ROW_SPLITS' | 'VALUE_ROWIDS';

export interface RaggedOutputIndexAttrs {
  type: 'first' | 'splits' | 'rowids';
  /** the output size of this level's dimension */
  dim: number;
  /** product of the output dims after this level's */
  mult: number;
  /** 'first': the number of rows; 'splits': the number of items (the last split) */
  items?: number;
}

export interface RaggedOutputIndexPlan extends Plan {
  type: RaggedOutputIndexAttrs['type'];
  dim: number;
  mult: number;
  items: number;
}

export const raggedOutputIndexDef: OpDef<RaggedOutputIndexAttrs, RaggedOutputIndexPlan> = defineOp({
  name: 'RaggedOutputIndex',
  plan(inputs, attrs): RaggedOutputIndexPlan {
    const op = 'RaggedOutputIndex';
    const { type, dim, mult } = attrs;
    if (!['first', 'splits', 'rowids'].includes(type)) throw new AttributeError(op, `type must be 'first', 'splits' or 'rowids', got ${JSON.stringify(type)}`);
    if (!Number.isInteger(dim) || dim < 0 || !Number.isInteger(mult) || mult < 0) throw new AttributeError(op, `dim ${dim} and mult ${mult} must be non-negative integers`);
    let items: number;
    if (type === 'first') {
      expectArity(op, inputs, 0);
      items = attrs.items ?? -1;
    } else {
      expectArity(op, inputs, 2);
      for (const [t, name] of [[inputs[0]!, 'parent'], [inputs[1]!, type === 'splits' ? 'row splits' : 'row ids']] as const) {
        expectDType(op, t, ['int32'], name);
        if (t.shape.length !== 1) throw new ShapeError(op, `${name} must be a vector, got ${fmtShape(t.shape)}`, 'RANK');
      }
      if (type === 'splits' && inputs[1]!.shape[0] !== inputs[0]!.shape[0]! + 1) throw new ShapeError(op, `row splits ${fmtShape(inputs[1]!.shape)} must hold one more value than the parent rows ${fmtShape(inputs[0]!.shape)}`);
      items = type === 'splits' ? (attrs.items ?? -1) : inputs[1]!.shape[0]!;
    }
    if (!Number.isInteger(items) || items < 0) throw new AttributeError(op, `items must be a non-negative integer for type '${type}', got ${attrs.items}`);
    return { outputs: [{ shape: [items], dtype: 'int32' }], dispatchDType: 'int32', type, dim, mult, items };
  },
});

export interface RaggedToDenseArgs<T> {
  /** the dense output shape (fully known): ragged rank + value rank − 1 dims */
  shape: readonly number[];
  values: T;
  defaultValue: T;
  partitions: readonly { type: RowPartitionType; tensor: T }[];
}

export function runRaggedToDense<T extends TensorInfo>(x: RaggedExec<T>, a: RaggedToDenseArgs<T>): T {
  const op = 'RaggedTensorToTensor';
  const one = (name: string, ins: readonly T[], attrs: object = {}) => x.op(name, ins, attrs)[0]!;
  const { shape, values, partitions } = a;
  const parts = partitions[0]?.type === 'FIRST_DIM_SIZE' ? partitions.slice(1) : partitions;
  const raggedRank = parts.length;
  if (raggedRank < 1) throw new AttributeError(op, 'needs at least one ROW_SPLITS or VALUE_ROWIDS partition');
  const inner = values.shape.slice(1);
  if (shape.length !== raggedRank + 1 + inner.length) throw new ShapeError(op, `shape ${fmtShape(shape)} must have ${raggedRank + 1 + inner.length} dims for ragged rank ${raggedRank} and values ${fmtShape(values.shape)}`);
  const mults = shape.slice(0, raggedRank + 1).map((_, i) => shape.slice(i + 1, raggedRank + 1).reduce((p, d) => p * d, 1));
  // the outermost rows: FIRST_DIM_SIZE's value, or the first partition's row count
  let rows: number;
  if (partitions[0]!.type === 'FIRST_DIM_SIZE') rows = x.read(partitions[0]!.tensor)[0]!;
  else if (parts[0]!.type === 'ROW_SPLITS') rows = parts[0]!.tensor.shape[0]! - 1;
  else throw new AttributeError(op, 'VALUE_ROWIDS in the first dimension needs a FIRST_DIM_SIZE partition before it');
  let index = one('RaggedOutputIndex', [], { type: 'first', dim: shape[0]!, mult: mults[0]!, items: rows });
  parts.forEach((p, level) => {
    const items = level + 1 < parts.length ? (parts[level + 1]!.type === 'ROW_SPLITS' ? parts[level + 1]!.tensor.shape[0]! - 1 : -1) : values.shape[0]!;
    const attrs = { dim: shape[level + 1]!, mult: mults[level + 1]! };
    if (p.type === 'ROW_SPLITS') {
      const s = x.read(p.tensor);
      const n = s[s.length - 1] ?? 0;
      if (items >= 0 && n !== items) throw new ShapeError(op, `row splits of level ${level + 1} end at ${n} but the next level has ${items} items`);
      index = one('RaggedOutputIndex', [index, p.tensor], { type: 'splits', items: n, ...attrs });
    } else index = one('RaggedOutputIndex', [index, p.tensor], { type: 'rowids', ...attrs });
  });
  if (index.shape[0] !== values.shape[0]) throw new ShapeError(op, `the partitions give ${index.shape[0]} values but values is ${fmtShape(values.shape)}`);
  const total = mults[0]! * shape[0]!;
  // cut items go to slot `total`, sliced away below
  const slot = one('Where', [one('Less', [index, x.int32(Int32Array.of(0), [])]), x.int32(Int32Array.of(total), []), index]);
  const base = one('Expand', [a.defaultValue], { shape: [total + 1, ...inner] });
  const filled = one('ScatterND', [base, x.reshape(slot, [slot.shape[0]!, 1]), values]);
  return x.reshape(one('Slice', [filled], { starts: [0], ends: [total], axes: [0] }), shape);
}
