/** tfjs elementwise binary kernels → twinops binary ops (numpy broadcasting on both sides). */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { complexMultiply } from './complex-mul.js';
import { defineKernel } from './register.js';

/** tfjs kernel name → twinops op. Inputs arrive with matching dtypes (tfjs-core upcasts first). */
const BINARY: Record<string, string> = {
  Add: 'Add',
  Sub: 'Sub',
  Multiply: 'Mul',
  RealDiv: 'Div',
  Pow: 'Pow',
  Maximum: 'Max',
  Minimum: 'Min',
  Equal: 'Equal',
  Greater: 'Greater',
  GreaterEqual: 'GreaterOrEqual',
  Less: 'Less',
  LessEqual: 'LessOrEqual',
  NotEqual: 'NotEqual',
  FloorDiv: 'FloorDiv',
  Mod: 'Mod',
  SquaredDifference: 'SquaredDifference',
  LogicalAnd: 'And',
  LogicalOr: 'Or',
  Atan2: 'Atan2',
};

/** Complex Add and Sub act on each part: the parts of a real operand are itself and zero. */
const PER_PART = new Set(['Add', 'Sub']);

/** Comparisons of string tensors, which stay in JS (as tfjs-backend-cpu: on the decoded strings). */
const STRING_COMPARE: Record<string, (a: string, b: string) => boolean> = {
  Equal: (a, b) => a === b,
  NotEqual: (a, b) => a !== b,
  Greater: (a, b) => a > b,
  GreaterEqual: (a, b) => a >= b,
  Less: (a, b) => a < b,
  LessEqual: (a, b) => a <= b,
};

/** Broadcasting comes from twinops Expand applied to each operand's element indices. */
function compareStrings(kernel: string, backend: TwinopsBackend, a: TensorInfo, b: TensorInfo, cmp: (a: string, b: string) => boolean): TensorInfo {
  if (a.dtype !== 'string' || b.dtype !== 'string') backend.unsupported(kernel, `cannot compare ${a.dtype} with ${b.dtype}`);
  const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const made: TensorInfo[] = [];
  const spread = (t: TensorInfo): { values: string[]; index: Int32Array } => {
    const values = backend_util.fromUint8ToStringArray(backend.readSync(t.dataId) as Uint8Array[]);
    const iota: TensorInfo = { dataId: backend.write(Int32Array.from(values, (_, i) => i), t.shape, 'int32'), shape: t.shape, dtype: 'int32' };
    made.push(iota);
    const e = backend.runOne(kernel, 'Expand', [iota], { shape });
    made.push(e);
    return { values, index: backend.readSync(e.dataId) as Int32Array };
  };
  try {
    const x = spread(a);
    const y = spread(b);
    const out = Uint8Array.from(x.index, (i, k) => (cmp(x.values[i]!, y.values[y.index[k]!]!) ? 1 : 0));
    return { dataId: backend.write(out, shape, 'bool'), shape, dtype: 'bool' };
  } finally {
    for (const t of made) backend.release(t);
  }
}

for (const [kernel, op] of Object.entries(BINARY)) {
  const strings = STRING_COMPARE[kernel];
  defineKernel(kernel, [op], ({ inputs, backend }) => {
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    if (strings && (a.dtype === 'string' || b.dtype === 'string')) return compareStrings(kernel, backend, a, b, strings);
    if (kernel === 'Multiply' && (a.dtype === 'complex64' || b.dtype === 'complex64')) return complexMultiply(backend, a, b);
    return backend.runOne(kernel, op, [a, b]);
  }, { complexParts: PER_PART.has(kernel) });
}

// PRelu: x < 0 ? alpha·x : x, with alpha broadcast to x's shape. tfjs-backend-cpu gives float32 for
// any input dtypes (tfjs-core does not match them): int32 operands are cast to float32 first.
defineKernel('Prelu', ['PRelu', 'Cast'], ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo;
  const alpha = inputs.alpha as TensorInfo;
  const fx = x.dtype === 'int32' ? backend.cast('Prelu', x, 'float32') : x;
  let fa = alpha;
  try {
    fa = alpha.dtype === 'int32' ? backend.cast('Prelu', alpha, 'float32') : alpha;
    return backend.runOne('Prelu', 'PRelu', [fx, fa]);
  } finally {
    backend.release(fx, [x]);
    backend.release(fa, [alpha]);
  }
});

// AddN: a chain of twinops Adds (inputs share one shape and dtype)
defineKernel('AddN', ['Add'], ({ inputs, backend }) => {
  const list = inputs as unknown as TensorInfo[];
  if (list.length === 1) return backend.alias(list[0]!);
  let acc = backend.runOne('AddN', 'Add', [list[0]!, list[1]!]);
  for (let i = 2; i < list.length; i++) {
    const next = backend.runOne('AddN', 'Add', [acc, list[i]!]);
    backend.release(acc);
    acc = next;
  }
  return acc;
});
