/**
 * Moves that collapse to one contiguous run go through a single `copy_contig` call
 * (wasm-kernels/copy.ts runMove, below 2 MiB) instead of the strided row walk: Concat along the
 * first non-unit axis, Slice / Split of whole leading blocks, Reshape-like copies. Byte-exact
 * against the element-by-element references (tests/reference/copy.ts) for every element size,
 * run lengths of 1 element to just under and over the 2 MiB cut, and 1 vs 2 threads.
 */
import { describe, expect, it } from 'vitest';
import { ARRAY_CTOR, BYTES_PER_ELEMENT, type DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import { refConcat, refSlice, refSplit, type Arr } from './reference/copy.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function randomData(dtype: DType, n: number, seed: number): Arr {
  const r = prng(seed);
  const bytes = new Uint8Array(n * BYTES_PER_ELEMENT[dtype]);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (r() * 256) | 0;
  return new ARRAY_CTOR[dtype](bytes.buffer, 0, n) as Arr;
}

const bits = (a: Arr): Arr =>
  a instanceof Float32Array ? (new Uint32Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a instanceof Float64Array ? (new BigUint64Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a;

function expectBytes(got: Tensor, want: { data: Arr; shape: number[] }, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const g = got.dataSync();
  const a = new Uint8Array(g.buffer, g.byteOffset, g.byteLength);
  const b = new Uint8Array(want.data.buffer, want.data.byteOffset, want.data.byteLength);
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  expect(a.length === b.length && i === a.length ? 'same bytes' : `differ at byte ${i} of ${a.length}/${b.length}`, what).toBe('same bytes');
}

function concat(rt: Rt, dtype: DType, shapes: number[][], axis: number, seed: number): void {
  const xs = shapes.map((s, k) => randomData(dtype, sizeOf(s), seed + k));
  const ts = xs.map((x, k) => rt.tensor(x, shapes[k]!, dtype));
  const [y] = rt.run('Concat', ts, { axis });
  expectBytes(y!, refConcat(xs.map(bits), shapes, axis), `Concat ${dtype} ${JSON.stringify(shapes)} axis ${axis} threads ${rt.info().threads}`);
  [...ts, y!].forEach((t) => t.dispose());
}

const DTYPES: DType[] = ['float32', 'int32', 'uint8', 'float16', 'float64', 'int64', 'bool'];

describe('contiguous moves as one copy', () => {
  it('Concat of [1,1,1,n] pieces and of leading blocks, every element size', () => {
    let seed = 1;
    for (const dtype of DTYPES) {
      concat(rt1, dtype, [[1, 1, 1, 213], [1, 1, 1, 15]], 3, seed++);
      concat(rt1, dtype, [[1, 1, 1, 1], [1, 1, 1, 2], [1, 1, 1, 1]], 3, seed++);
      concat(rt1, dtype, [[2, 3, 5], [1, 3, 5], [4, 3, 5]], 0, seed++);
      concat(rt1, dtype, [[1, 7], [1, 9]], -1, seed++);
      // not contiguous on the output side: the strided walk
      concat(rt1, dtype, [[3, 2], [3, 5]], 1, seed++);
    }
  });

  it('Slice and Split of whole leading blocks', () => {
    let seed = 50;
    for (const dtype of DTYPES) {
      const shape = [6, 4, 3];
      const x = randomData(dtype, sizeOf(shape), seed++);
      const t = rt1.tensor(x, shape, dtype);
      const [s] = rt1.run('Slice', [t], { starts: [1], ends: [5], axes: [0] });
      expectBytes(s!, refSlice(bits(x), shape, [1], [5], [0]), `Slice ${dtype}`);
      const parts = rt1.run('Split', [t], { axis: 0, split: [1, 2, 3] });
      refSplit(bits(x), shape, 0, [1, 2, 3]).forEach((want, k) => expectBytes(parts[k]!, want, `Split ${dtype} part ${k}`));
      [t, s!, ...parts].forEach((u) => u.dispose());
    }
  });

  it('runs just under and over the 2 MiB direct-copy cut, on 1 and 2 threads', () => {
    // float32: 2 MiB = 524288 elements; halves of a Concat along axis 0
    for (const n of [262143, 262144, 262145, 600000]) {
      for (const rt of [rt1, rt2]) concat(rt, 'float32', [[n], [n + 3]], 0, n);
    }
    concat(rt2, 'uint8', [[1 << 21, 1], [5, 1]], 0, 9);
  });
});
