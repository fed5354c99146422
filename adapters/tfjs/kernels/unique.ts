/**
 * Unique → twinops Unique (first occurrences, inverse, count; outputs sized for the worst case),
 * then Slice of the first u entries and Gather of the unique slices along the axis. String tensors
 * are numbered by content first (equal strings, one number), and the gathered numbers are looked up.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Unique', ['Unique', 'Slice', 'Gather'], ({ inputs, attrs, backend }) => {
  const x0 = inputs.x as TensorInfo;
  const axis = (attrs.axis as number | undefined) ?? 0;
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t);
  try {
    let x = x0;
    let table: Uint8Array[] | undefined;
    if (x0.dtype === 'string') {
      const values = backend.readSync(x0.dataId) as Uint8Array[];
      const byContent = new Map<string, number>();
      table = [];
      const ids = Int32Array.from(values, (v) => {
        const key = Array.from(v).join(',');
        let id = byContent.get(key);
        if (id === undefined) byContent.set(key, (id = table!.push(v) - 1));
        return id;
      });
      x = keep({ dataId: backend.write(ids, x0.shape.slice(), 'int32'), shape: x0.shape.slice(), dtype: 'int32' });
    }
    const [first, inverse, , count] = backend.runOp('Unique', 'Unique', [x], { axis }).map(keep) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
    const u = (backend.readSync(count.dataId) as Int32Array)[0]!;
    const firstU = keep(backend.runOne('Unique', 'Slice', [first], { starts: [0], ends: [u] }));
    let values = backend.runOne('Unique', 'Gather', [x, firstU], { axis });
    if (table) {
      keep(values);
      const picked = Array.from(backend.readSync(values.dataId) as Int32Array, (i) => table![i]!);
      values = { dataId: backend.write(picked, values.shape.slice(), 'string'), shape: values.shape.slice(), dtype: 'string' };
    }
    made.splice(made.indexOf(inverse), 1);
    return [values, inverse];
  } finally {
    for (const t of made) backend.release(t);
  }
});
