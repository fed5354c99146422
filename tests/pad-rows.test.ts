/**
 * Constant Pad through the one-pass row kernel (wasm-kernels/copy.wat.ts `pad_rows_x*`, chosen by
 * wasm-kernels/copy.ts `padRows` when the interior collapses to contiguous rows): NHWC channel pads,
 * pads of the last axes, 1-D views, pads before/after whole rows, crops (negative pads) mixed in,
 * every dtype (1-, 2-, 4- and 8-byte elements), row lengths around the 16-byte vector fill, and
 * 1 vs 2 threads. Data movement is exact: compared byte for byte with the element-by-element
 * reference (tests/reference/copy.ts refPad).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARRAY_CTOR, BYTES_PER_ELEMENT, DTYPES, type DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import { refPad, type Arr } from './reference/copy.js';
import { rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

function randomData(dtype: DType, n: number, seed: number): Arr {
  const r = prng(seed);
  const bytes = new Uint8Array(Math.ceil(n * BYTES_PER_ELEMENT[dtype]));
  for (let i = 0; i < bytes.length; i++) bytes[i] = (r() * 256) | 0;
  return new ARRAY_CTOR[dtype](bytes.buffer, 0, n) as Arr;
}

/** float32/float64 compared as their bits (a JS number read from a float array may quiet a signalling NaN). */
const bits = (a: Arr): Arr =>
  a instanceof Float32Array ? (new Uint32Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a instanceof Float64Array ? (new BigUint64Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a;

/** The fill value 2.5 as each dtype stores it (integers truncate to 2; bool: non-zero → 1). */
function fillOf(dtype: DType): number | bigint {
  switch (dtype) {
    case 'float32': return 0x40200000;
    case 'float64': return 0x4004000000000000n;
    case 'float16': return 0x4100;
    case 'int64': case 'uint64': return 2n;
    case 'bool': return 1;
    default: return 2;
  }
}

function check(dtype: DType, shape: number[], pads: number[], seed: number, threads: 1 | 2 = 1): void {
  const x = randomData(dtype, sizeOf(shape), seed);
  const want = refPad(bits(x), shape, pads, 'constant', fillOf(dtype));
  const rt = threads === 1 ? rt1 : rt2;
  const t = rt.tensor(x, shape, dtype);
  const [y] = rt.run('Pad', [t], { pads, mode: 'constant', value: 2.5 }) as Tensor[];
  const what = `Pad ${dtype} ${JSON.stringify(shape)} pads ${pads} threads ${threads}`;
  expect(y!.shape, what).toEqual(want.shape);
  const got = y!.dataSync();
  const a = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
  const b = new Uint8Array(want.data.buffer, want.data.byteOffset, want.data.byteLength);
  const i = a.findIndex((v, k) => v !== b[k]);
  expect(a.length === b.length && i < 0 ? 'same bytes' : `bytes differ at byte ${i} of ${a.length}/${b.length}`, what).toBe('same bytes');
  t.dispose();
  y!.dispose();
}

const FIXED: [number[], number[]][] = [
  // NHWC channel pads (the tfjs models' channel_padding)
  [[1, 6, 5, 16], [0, 0, 0, 0, 0, 0, 0, 16]],
  [[1, 3, 3, 3], [0, 0, 0, 0, 0, 0, 0, 5]],
  [[2, 4, 3, 7], [0, 0, 0, 2, 0, 0, 0, 1]],
  // the last two axes, both sides (spatial pad of NCHW)
  [[2, 3, 5, 6], [0, 0, 1, 2, 0, 0, 3, 1]],
  // leading/trailing rows only: a 1-D view after collapsing
  [[4, 9], [2, 0, 3, 0]],
  [[17], [5, 11]],
  // pads of outer axes with a padded last axis: whole padded rows between interior rows
  [[3, 4, 5], [1, 1, 0, 2, 0, 1]],
  // crops mixed with pads
  [[5, 8], [-1, 2, 1, -3]],
  [[3, 5, 6], [0, -2, 1, 1, 0, -1]],
  // nothing padded on the inner axis, rows of one element
  [[7, 1], [1, 0, 2, 0]],
];

describe('constant Pad, one pass over the output', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: channel pads, last-axes pads, 1-D views, crops`, () => {
      FIXED.forEach(([shape, pads], k) => check(dtype, shape, pads, 10 + k));
    });
  }

  it('random shapes and pads (fast-check)', () => {
    const dim = fc.integer({ min: 1, max: 9 });
    fc.assert(
      fc.property(
        fc.array(dim, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: -2, max: 6 }), { minLength: 8, maxLength: 8 }),
        fc.constantFrom<DType>('float32', 'int32', 'uint8', 'float16', 'float64', 'int64'),
        fc.integer({ min: 1, max: 1e6 }),
        (shape, raw, dtype, seed) => {
          const r = shape.length;
          const pads = [...raw.slice(0, r), ...raw.slice(4, 4 + r)];
          // crops may not empty an axis
          if (shape.some((n, d) => n + Math.min(0, pads[d]!) + Math.min(0, pads[d + r]!) <= 0)) return;
          check(dtype, shape, pads, seed);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it('1 and 2 threads: the same bytes on images large enough to split', () => {
    check('float32', [1, 96, 96, 32], [0, 0, 0, 0, 0, 0, 0, 32], 3, 2);
    check('float32', [1, 96, 96, 32], [0, 0, 0, 0, 0, 0, 0, 32], 3, 1);
    check('int32', [2, 3, 200, 211], [0, 0, 2, 3, 0, 0, 1, 5], 4, 2);
    check('uint8', [2000, 700], [3, 0, 1, 9], 5, 2);
  });
});
