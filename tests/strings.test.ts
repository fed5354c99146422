/**
 * Host-side string ops (ops/strings.ts). Fingerprint64 is checked against FarmHash's published
 * incremental test vectors (over a buffer of bytes from the Park–Miller generator seeded with 10);
 * the others against hand-worked TensorFlow examples and a small independent n-gram reference.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeError, ShapeError } from '../core/errors.js';
import { fingerprint64, staticRegexReplace, stringNGrams, stringSplit, stringToHashBucketFast } from '../ops/strings.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (xs: string[]) => xs.map((s) => enc.encode(s));
const s = (xs: Uint8Array[]) => xs.map((x) => dec.decode(x));

describe('fingerprint64', () => {
  it('matches the FarmHash incremental vectors (every length class)', () => {
    let seed = 10;
    const next = () => (seed = (seed * 16807) % 2147483647);
    const buf = Uint8Array.from({ length: 1000 }, () => (next() >> 1) & 0xff);
    const want: [number, string][] = [
      [0, '9ae16a3b2f90404f'], [1, '49d8a5e3fa93c327'], [2, 'fd259abb0ff2bf12'], [3, '781f1c6437096ac2'],
      [4, '0f1369d6c0b45716'], [5, '02d8cec6394de09a'], [7, '1faf6c6d43626c48'], [9, 'c93efd6dbe139be8'],
      [12, '65abbc967c87d515'], [16, '3f61450a03cff5af'], [20, '5d2fe297e45fed1a'], [26, 'eb665983aeb9ab94'],
      [33, '3a5f3890b124b4a3'], [42, 'f0c1cd66d7d9f246'], [53, 'cf7e3e4b1efeba6d'], [67, '0ced753b45740875'],
      [84, 'a585e0be01846ff4'], [105, 'fb6496deb356cdda'], [132, 'f2e4c5b6db6c154a'], [166, '4498451c3bca85a0'],
      [208, 'd604355fa4d0b14e'], [261, 'bb165e6b84ba9cdf'], [327, '9ebfab4519b1348c'], [409, '5921974ba2e9a5c2'],
      [512, 'a86a96e7a44282e3'], [640, 'dd731dfee500aa3c'], [800, 'a69f3400e6c98357'], [1000, '5c63b66443990bec'],
    ];
    for (const [len, hex] of want) expect(fingerprint64(buf.subarray(0, len)).toString(16).padStart(16, '0'), `length ${len}`).toBe(hex);
  });

  it('buckets: mod numBuckets, and typed errors for < 1', () => {
    expect([...stringToHashBucketFast(b(['a', 'b', 'c', 'd']), 10)]).toEqual([9, 2, 2, 5]);
    expect([...stringToHashBucketFast(b(['a', 'b']), 1)]).toEqual([0, 0]);
    expect(stringToHashBucketFast([], 5).length).toBe(0);
    expect(() => stringToHashBucketFast(b(['a']), 0)).toThrow(AttributeError);
    expect(() => stringToHashBucketFast(b(['a']), -1)).toThrow(/StringToHashBucketFast: .*must be at least 1/);
  });
});

/** n-grams by the definition: pad each row with `pad` pads a side, slide a window of width w. */
function ngramsRef(tokens: string[], w: number, padWidth: number, sep: string): string[] {
  const pad = Math.min(padWidth < 0 ? w - 1 : padWidth, w - 1);
  const row = [...Array(pad).fill('<'), ...tokens, ...Array(pad).fill('>')];
  const out: string[] = [];
  for (let i = 0; i + w <= row.length; i++) out.push(row.slice(i, i + w).join(sep));
  return out;
}

describe('stringNGrams', () => {
  const attrs = { separator: '|', leftPad: 'LP', rightPad: 'RP', padWidth: -1, preserveShortSequences: false };
  it('padded bigrams and trigrams (TensorFlow example)', () => {
    const r = stringNGrams(b(['a', 'b', 'c', 'd', 'e', 'f']), [0, 4, 6], { ...attrs, nGramWidths: [2, 3] });
    expect(s(r.nGrams)).toEqual(['LP|a', 'a|b', 'b|c', 'c|d', 'd|RP', 'LP|LP|a', 'LP|a|b', 'a|b|c', 'b|c|d', 'c|d|RP', 'd|RP|RP', 'LP|e', 'e|f', 'f|RP', 'LP|LP|e', 'LP|e|f', 'e|f|RP', 'f|RP|RP']);
    expect([...r.splits]).toEqual([0, 11, 18]);
  });

  it('preserveShortSequences gives one n-gram of a short row with its padding', () => {
    const r = stringNGrams(b(['a', 'b', 'c', 'd', 'e', 'f']), [0, 4, 6], { ...attrs, nGramWidths: [5], padWidth: 1, preserveShortSequences: true });
    expect(s(r.nGrams)).toEqual(['LP|a|b|c|d', 'a|b|c|d|RP', 'LP|e|f|RP']);
    const empty = stringNGrams(b(['a', 'b']), [0, 0, 2], { ...attrs, leftPad: '', rightPad: '', padWidth: 0, nGramWidths: [3], preserveShortSequences: true });
    expect(s(empty.nGrams)).toEqual(['a|b']);
    expect([...empty.splits]).toEqual([0, 0, 1]);
  });

  it('agrees with the sliding-window definition (random rows, widths, pads; size-0 rows)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(4), { minLength: 0, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: -1, max: 3 }), (lens, w, padWidth) => {
        const rows = lens.map((n, r) => Array.from({ length: n }, (_, i) => `t${r}${i}`));
        const splits = [0];
        for (const row of rows) splits.push(splits[splits.length - 1]! + row.length);
        const r = stringNGrams(b(rows.flat()), splits, { separator: '|', leftPad: '<', rightPad: '>', padWidth, preserveShortSequences: false, nGramWidths: [w] });
        const want = rows.map((row) => ngramsRef(row, w, padWidth, '|'));
        expect(s(r.nGrams)).toEqual(want.flat());
        expect([...r.splits].slice(1)).toEqual(want.map((_, i) => want.slice(0, i + 1).flat().length));
      }),
      { numRuns: 100 },
    );
  });

  it('typed errors for bad splits', () => {
    const a = { ...attrs, nGramWidths: [3] };
    expect(() => stringNGrams(b(['a']), [1, 1, 1], a)).toThrow(/StringNGrams: First split value must be 0/);
    expect(() => stringNGrams(b(['a']), [0, 1, 0], a)).toThrow(/must be in \[1, 1\]/);
    expect(() => stringNGrams(b(['a']), [0, 2, 1], a)).toThrow(/must be in \[0, 1\]/);
    expect(() => stringNGrams(b(['a']), [0, 0], a)).toThrow(ShapeError);
    expect(() => stringNGrams(b(['a']), [0, 1], { ...attrs, nGramWidths: [0] })).toThrow(AttributeError);
  });
});

describe('stringSplit', () => {
  it('splits on any delimiter byte, skips empty tokens, dense shape [rows, widest]', () => {
    const r = stringSplit(b(['hello.cruel,world', 'hello cruel world', '']), enc.encode('.,'), true);
    expect(s(r.values)).toEqual(['hello', 'cruel', 'world', 'hello cruel world']);
    expect([...r.indices]).toEqual([0, 0, 0, 1, 0, 2, 1, 0]);
    expect(r.shape).toEqual([3, 3]);
  });
  it('keeps empty tokens when asked; an empty delimiter splits into bytes', () => {
    const r = stringSplit(b(['#a', 'b#', '#c#']), enc.encode('#'), false);
    expect(s(r.values)).toEqual(['', 'a', 'b', '', '', 'c', '']);
    expect(r.shape).toEqual([3, 3]);
    const c = stringSplit(b(['hi', '', 'abc']), new Uint8Array(0), true);
    expect(s(c.values)).toEqual(['h', 'i', 'a', 'b', 'c']);
    expect([...c.indices]).toEqual([0, 0, 0, 1, 2, 0, 2, 1, 2, 2]);
    expect(c.shape).toEqual([3, 3]);
  });
});

describe('staticRegexReplace', () => {
  it('global and first-only replacement, RE2-style group references', () => {
    expect(s(staticRegexReplace(b(['test test', 'x']), 'test', 'result', true))).toEqual(['result result', 'x']);
    expect(s(staticRegexReplace(b(['test test']), 'test', 'result', false))).toEqual(['result test']);
    expect(s(staticRegexReplace(b(['a   b  c']), ' +', ' ', true))).toEqual(['a b c']);
    expect(s(staticRegexReplace(b(['ab-cd']), '(\\w+)-(\\w+)', '\\2-\\1 $', true))).toEqual(['cd-ab $']);
    expect(() => staticRegexReplace(b(['a']), '(', '', true)).toThrow(/StaticRegexReplace: invalid pattern/);
  });
});
