/**
 * References for family `index-ops`, element by element from the ONNX definitions: Trilu, and
 * ScatterElements / ScatterND with reductions. Moves are exact. The reductions apply updates in index
 * order, one at a time, each step rounded as the dtype rounds it (float32: Math.fround of the
 * float64 result, which is the correctly rounded float32 add/mul; int32: wrapping; int64:
 * BigInt.asIntN), so the reference is the exact result of that order. max/min propagate NaN.
 */
import { rowMajorStrides, sizeOf, unravel } from './broadcast.js';

export type Arr = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Float64Array | Uint32Array | BigUint64Array | Int16Array;
export type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/** Trilu: element (.., i, j) kept when j - i >= k (upper) or j - i <= k (lower), else zero. */
export function refTrilu(x: Arr, shape: readonly number[], upper: boolean, k: number): Arr {
  const r = shape.length;
  const out = x.slice() as Arr;
  const zero = out instanceof BigInt64Array || out instanceof BigUint64Array ? 0n : 0;
  for (let e = 0; e < out.length; e++) {
    const idx = unravel(e, shape);
    const d = idx[r - 1]! - idx[r - 2]!;
    if (upper ? d < k : d > k) (out as unknown as unknown[])[e] = zero;
  }
  return out;
}

function combine(red: Reduction, a: number | bigint, b: number | bigint, dtype: 'float32' | 'int32' | 'int64' | 'other'): number | bigint {
  if (red === 'none') return b;
  if (dtype === 'int64') {
    const [x, y] = [a as bigint, b as bigint];
    if (red === 'add') return BigInt.asIntN(64, x + y);
    if (red === 'mul') return BigInt.asIntN(64, x * y);
    return red === 'max' ? (x > y ? x : y) : x < y ? x : y;
  }
  const [x, y] = [a as number, b as number];
  if (dtype === 'int32') {
    if (red === 'add') return (x + y) | 0;
    if (red === 'mul') return Math.imul(x, y);
    return red === 'max' ? Math.max(x, y) : Math.min(x, y);
  }
  if (red === 'add') return Math.fround(x + y);
  if (red === 'mul') return Math.fround(x * y);
  return red === 'max' ? Math.max(x, y) : Math.min(x, y);
}

const kindOf = (a: Arr) => (a instanceof Float32Array ? 'float32' : a instanceof Int32Array ? 'int32' : a instanceof BigInt64Array ? 'int64' : 'other');
const wrap = (v: number, dim: number) => (v < 0 ? v + dim : v);

/** ScatterElements: updates[p] meets out[p with axis replaced by indices[p]], in index order. */
export function refScatterElements(x: Arr, shape: readonly number[], indices: ArrayLike<number | bigint>, idxShape: readonly number[], upd: Arr, axis: number, red: Reduction): Arr {
  const out = x.slice() as Arr;
  const o = out as unknown as (number | bigint)[];
  const s = rowMajorStrides(shape);
  const kind = kindOf(x);
  for (let p = 0; p < sizeOf(idxShape); p++) {
    const idx = unravel(p, idxShape);
    idx[axis] = wrap(Number(indices[p]!), shape[axis]!);
    const at = idx.reduce((a, v, d) => a + v * s[d]!, 0);
    o[at] = combine(red, o[at]!, (upd as unknown as (number | bigint)[])[p]!, kind);
  }
  return out;
}

/** ScatterND: the slab each index tuple names meets its updates slab, tuple by tuple, in order. */
export function refScatterNDReduce(x: Arr, shape: readonly number[], indices: ArrayLike<number | bigint>, idxShape: readonly number[], upd: Arr, red: Reduction): Arr {
  const out = x.slice() as Arr;
  const o = out as unknown as (number | bigint)[];
  const s = rowMajorStrides(shape);
  const k = idxShape[idxShape.length - 1]!;
  const inner = sizeOf(shape.slice(k));
  const kind = kindOf(x);
  for (let t = 0; t < sizeOf(idxShape.slice(0, -1)); t++) {
    let base = 0;
    for (let i = 0; i < k; i++) base += wrap(Number(indices[t * k + i]!), shape[i]!) * s[i]!;
    for (let e = 0; e < inner; e++) o[base + e] = combine(red, o[base + e]!, (upd as unknown as (number | bigint)[])[t * inner + e]!, kind);
  }
  return out;
}
