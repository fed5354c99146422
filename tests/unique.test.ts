/**
 * Unique (ops/unique.ts, wasm family `unique`) against tests/reference/unique.ts: exact integer
 * outputs (first occurrences, inverse, counts, count), first-occurrence and sorted numbering, every
 * element type, axes, NaN/−0, size-0 and size-1 dims; wasm at 1 and 2 threads (the kernel is
 * sequential, so both give the same result).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DType } from '../core/dtype.js';
import { AttributeError, DTypeError } from '../core/errors.js';
import { uniqueRef } from './reference/unique.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function run(rt: Rt, data: Float32Array | Int32Array | BigInt64Array | Uint8Array, shape: number[], dtype: DType, axis: number | undefined, sorted: boolean) {
  const x = rt.tensor(data, shape, dtype);
  const outs = rt.run('Unique', [x], { axis, sorted });
  const [first, inverse, counts, count] = outs.map((t) => Array.from(t.dataSync() as Int32Array));
  for (const t of [x, ...outs]) t.dispose();
  const u = count![0]!;
  return { first: first!.slice(0, u), inverse: inverse!, counts: counts!.slice(0, u) };
}

function check(data: Float32Array | Int32Array | BigInt64Array | Uint8Array, shape: number[], dtype: DType, axis: number | undefined, sorted: boolean) {
  const want = uniqueRef(data, shape, axis, sorted);
  for (const rt of [rt1, rt2]) expect(run(rt, data, shape, dtype, axis, sorted), `${dtype} [${shape}] axis ${axis} sorted ${sorted}`).toEqual(want);
}

describe('Unique', () => {
  it('first-occurrence and sorted numbering, flattened and along each axis', () => {
    const data = Int32Array.from([1, 1, 2, 4, 4, 4, 7, 8, 8, 3, 1, 2]);
    for (const sorted of [false, true]) {
      check(data, [12], 'int32', undefined, sorted);
      check(data, [3, 4], 'int32', undefined, sorted);
      for (const axis of [0, 1, -1]) check(data, [3, 4], 'int32', axis, sorted);
      for (const axis of [0, 1, 2]) check(data, [2, 3, 2], 'int32', axis, sorted);
    }
  });

  it('float32: NaN equals NaN and sorts last, -0 equals 0, Inf', () => {
    const data = Float32Array.from([NaN, Infinity, -0, 0, NaN, -Infinity, 1.5, Infinity, 0]);
    for (const sorted of [false, true]) check(data, [9], 'float32', undefined, sorted);
    check(Float32Array.from([1, NaN, 1, NaN, 2, 0]), [3, 2], 'float32', 0, true);
  });

  it('int64, bool and uint8', () => {
    check(BigInt64Array.from([5n, -(2n ** 40n), 5n, 2n ** 40n, 0n]), [5], 'int64', undefined, true);
    check(Uint8Array.from([1, 0, 1, 1, 0]), [5], 'bool', undefined, false);
    check(Uint8Array.from([200, 3, 200, 7]), [2, 2], 'uint8', 1, true);
  });

  it('size-0 and size-1 dims', () => {
    check(new Float32Array(0), [0], 'float32', undefined, true);
    check(new Float32Array(0), [3, 0], 'float32', 0, false);
    check(new Float32Array(0), [0, 3], 'float32', 1, true);
    check(Float32Array.of(4), [1], 'float32', undefined, true);
    check(Float32Array.of(4, 4, 5), [1, 3], 'float32', 1, false);
  });

  it('random data, shapes and axes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.nat(5), fc.boolean(), fc.nat(1000), (shape, ax, sorted, seed) => {
        const size = shape.reduce((a, b) => a * b, 1);
        let s = seed;
        const data = Int32Array.from({ length: size }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 3);
        const axis = ax >= shape.length ? undefined : ax;
        check(data, shape, 'int32', axis, sorted);
      }),
      { numRuns: 60 },
    );
  });

  it('typed errors', () => {
    const x = rt1.tensor(new Float32Array(4), [2, 2], 'float32');
    const h = rt1.tensor(new Uint16Array(4), [4], 'float16');
    expect(() => rt1.run('Unique', [x], { axis: 2 })).toThrow(AttributeError);
    expect(() => rt1.run('Unique', [x], { axis: 2 })).toThrow(/Unique: axis 2 is out of range for x \[2,2\]/);
    expect(() => rt1.run('Unique', [h])).toThrow(DTypeError);
    x.dispose();
    h.dispose();
  });
});
