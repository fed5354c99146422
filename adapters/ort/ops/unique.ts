/**
 * ONNX Unique (opset 11) → twinops Unique (sorted by default, as ONNX), whose outputs are sized for
 * the worst case with the actual count u in a fourth output: u is read on the host, the first u
 * entries kept (Slice), the unique values gathered (Gather along the axis, or over x flattened), and
 * the index outputs cast to int64.
 */
import type { TensorInfo } from '../../../ops/types.js';
import type { OnnxNode } from '../model.js';
import { addMappings } from './table.js';
import { Attrs, ValueUnknown, arity, need, type Exec, type Lowered, type OnnxOpMapping } from './types.js';

const unique: OnnxOpMapping = {
  op: 'Unique',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['axis', 'sorted']);
    const axis = at.has('axis') ? at.int('axis', 0) : undefined;
    const sorted = at.int('sorted', 1) === 1;
    return {
      calls: ['Unique', 'Slice', 'Gather', 'Reshape', 'Cast'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        let input = need(ins[0], 'X');
        const [first, inverse, counts, count] = x.op('Unique', [input], { axis, sorted }) as [T, T, T, T];
        const u = x.scalar(count);
        if (u === undefined) throw new ValueUnknown();
        const cut = (t: T) => x.op('Slice', [t], { starts: [0], ends: [u] })[0]!;
        const firstU = cut(first);
        if (axis === undefined) input = x.reshape(input, [input.shape.reduce((a, b) => a * b, 1)]);
        const y = x.op('Gather', [input, firstU], { axis: axis ?? 0 })[0]!;
        const i64 = (t: T) => x.op('Cast', [t], { to: 'int64' })[0]!;
        return [y, i64(firstU), i64(inverse), i64(cut(counts))];
      },
    };
  },
};

addMappings([unique]);
