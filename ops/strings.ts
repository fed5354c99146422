/**
 * String ops. twinops tensors hold numbers only, so string tensors stay host-side (each element a
 * UTF-8 `Uint8Array`, as tfjs stores them) and these ops are plain TypeScript functions over them:
 * per the project's rule, kernels that only move metadata or work on strings may stay in
 * TypeScript. They are not registry ops (there is no string dtype to dispatch on); adapters call
 * them directly. Errors are typed and name the op.
 */
import { AttributeError, ShapeError } from '../core/errors.js';

export type Bytes = Uint8Array;

const enc = new TextEncoder();

function concatBytes(parts: readonly Bytes[], sep: Bytes): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  n += parts.length > 0 ? sep.length * (parts.length - 1) : 0;
  const out = new Uint8Array(n);
  let o = 0;
  parts.forEach((p, i) => {
    if (i > 0) {
      out.set(sep, o);
      o += sep.length;
    }
    out.set(p, o);
    o += p.length;
  });
  return out;
}

// ---- StringNGrams -------------------------------------------------------------------------------

export interface StringNGramsAttrs {
  separator: string;
  nGramWidths: readonly number[];
  leftPad: string;
  rightPad: string;
  /** padding on each side; -1 means width - 1 (always at most width - 1) */
  padWidth: number;
  /** emit one n-gram of the whole (padded) sequence when no width yields any */
  preserveShortSequences: boolean;
}

/**
 * n-grams of a ragged string tensor (values `data`, row splits `splits`): per row and per width, the
 * padded windows joined by `separator`. Returns the n-gram values and their row splits.
 */
export function stringNGrams(data: readonly Bytes[], splits: ArrayLike<number>, attrs: StringNGramsAttrs): { nGrams: Bytes[]; splits: Int32Array } {
  const op = 'StringNGrams';
  const size = data.length;
  const rows = Math.max(splits.length - 1, 0);
  if (splits.length > 0) {
    if (splits[0] !== 0) throw new ShapeError(op, `First split value must be 0, got ${splits[0]}`);
    for (let i = 1; i < splits.length; i++) {
      const ok = splits[i]! >= splits[i - 1]! && splits[i]! <= size;
      if (!ok) throw new ShapeError(op, `Invalid split value ${splits[i]}, must be in [${splits[i - 1]}, ${size}]`);
    }
    if (splits[splits.length - 1] !== size) throw new ShapeError(op, `Last split value must be data size. Expected ${size}, got ${splits[splits.length - 1]}`);
  }
  for (const w of attrs.nGramWidths) if (!(Number.isInteger(w) && w > 0)) throw new AttributeError(op, `nGramWidths must be positive integers, got [${attrs.nGramWidths.join(',')}]`);
  const sep = enc.encode(attrs.separator);
  const lp = enc.encode(attrs.leftPad);
  const rp = enc.encode(attrs.rightPad);
  const padOf = (w: number) => Math.min(attrs.padWidth < 0 ? w - 1 : attrs.padWidth, w - 1);
  const countOf = (len: number, w: number) => Math.max(0, len + 2 * padOf(w) - w + 1);

  // the n-grams of one width over tokens[start, start + len), `count` of them
  const emit = (out: Bytes[], start: number, len: number, w: number, count: number) => {
    const pad = padOf(w);
    for (let g = 0; g < count; g++) {
      const left = Math.max(0, pad - g);
      const right = Math.max(0, pad - (count - 1 - g));
      const tokens = w - left - right;
      const first = left > 0 ? 0 : g - pad;
      const parts: Bytes[] = [];
      for (let k = 0; k < left; k++) parts.push(lp);
      for (let k = 0; k < tokens && first + k < len; k++) parts.push(data[start + first + k]!);
      for (let k = 0; k < right; k++) parts.push(rp);
      out.push(concatBytes(parts, sep));
    }
  };

  const nGrams: Bytes[] = [];
  const outSplits = new Int32Array(splits.length);
  for (let r = 0; r < rows; r++) {
    const start = splits[r]!;
    const len = splits[r + 1]! - start;
    const before = nGrams.length;
    for (const w of attrs.nGramWidths) emit(nGrams, start, len, w, countOf(len, w));
    if (attrs.preserveShortSequences && nGrams.length === before && len > 0) {
      // one n-gram spanning the whole row and its padding
      const pad = attrs.padWidth < 0 ? 0 : attrs.padWidth;
      emit(nGrams, start, len, len + 2 * pad, 1);
    }
    outSplits[r + 1] = nGrams.length;
  }
  return { nGrams, splits: outSplits };
}

// ---- StringSplit --------------------------------------------------------------------------------

/**
 * Split each string of `input` on any byte of `delimiter` (an empty delimiter splits into single
 * bytes); `skipEmpty` drops empty tokens. Returns a sparse [rows, maxTokens] result: indices
 * (row, position) pairs, token values and the dense shape.
 */
export function stringSplit(input: readonly Bytes[], delimiter: Bytes, skipEmpty: boolean): { indices: Int32Array; values: Bytes[]; shape: [number, number] } {
  const delims = new Set(delimiter);
  const rowOf: number[] = [];
  const posOf: number[] = [];
  const values: Bytes[] = [];
  let widest = 0;
  input.forEach((s, row) => {
    let n = 0;
    const push = (t: Bytes) => {
      if (skipEmpty && t.length === 0) return;
      rowOf.push(row);
      posOf.push(n++);
      values.push(t);
    };
    if (delimiter.length === 0) {
      for (let i = 0; i < s.length; i++) push(s.subarray(i, i + 1));
    } else if (s.length > 0) {
      let from = 0;
      for (let i = 0; i <= s.length; i++) {
        if (i === s.length || delims.has(s[i]!)) {
          push(s.slice(from, i));
          from = i + 1;
        }
      }
    }
    widest = Math.max(widest, n);
  });
  const indices = new Int32Array(2 * values.length);
  for (let i = 0; i < values.length; i++) {
    indices[2 * i] = rowOf[i]!;
    indices[2 * i + 1] = posOf[i]!;
  }
  return { indices, values, shape: [input.length, widest] };
}

// ---- StringToHashBucketFast (Fingerprint64) -----------------------------------------------------

const M64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const u64 = (x: bigint) => x & M64;
const mul = (a: bigint, b: bigint) => (a * b) & M64;
const add = (...xs: bigint[]) => xs.reduce((a, b) => a + b, 0n) & M64;
const rot = (v: bigint, s: bigint) => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & M64);
const shiftMix = (v: bigint) => v ^ (v >> 47n);

function fetch64(s: Bytes, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(s[i + k]!);
  return v;
}
function fetch32(s: Bytes, i: number): bigint {
  return BigInt((s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0);
}

function hash16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function len0to16(s: Bytes, len: number): bigint {
  const n = BigInt(len);
  if (len >= 8) {
    const m = add(K2, n * 2n);
    const a = add(fetch64(s, 0), K2);
    const b = fetch64(s, len - 8);
    const c = add(mul(rot(b, 37n), m), a);
    const d = mul(add(rot(a, 25n), b), m);
    return hash16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, n * 2n);
    return hash16(add(n, fetch32(s, 0) << 3n), fetch32(s, len - 4), m);
  }
  if (len > 0) {
    const y = BigInt((s[0]! + (s[len >> 1]! << 8)) >>> 0);
    const z = BigInt((len + (s[len - 1]! << 2)) >>> 0);
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function len17to32(s: Bytes, len: number): bigint {
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(s, 0), K1);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  return hash16(add(rot(add(a, b), 43n), rot(c, 30n), d), add(a, rot(add(b, K2), 18n), c), m);
}

function len33to64(s: Bytes, len: number): bigint {
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(s, 0), K2);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  const y = add(rot(add(a, b), 43n), rot(c, 30n), d);
  const z = hash16(y, add(a, rot(add(b, K2), 18n), c), m);
  const e = mul(fetch64(s, 16), m);
  const f = fetch64(s, 24);
  const g = mul(add(y, fetch64(s, len - 32)), m);
  const h = mul(add(z, fetch64(s, len - 24)), m);
  return hash16(add(rot(add(e, f), 43n), rot(g, 30n), h), add(e, rot(add(f, a), 18n), g), m);
}

/** Two 64-bit lanes mixed from 32 bytes at `i` and two seeds. */
function weak32(s: Bytes, i: number, a0: bigint, b0: bigint): [bigint, bigint] {
  const w = fetch64(s, i);
  const x = fetch64(s, i + 8);
  const y = fetch64(s, i + 16);
  const z = fetch64(s, i + 24);
  let a = add(a0, w);
  let b = rot(add(b0, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rot(a, 44n));
  return [add(a, z), add(b, c)];
}

/** Fingerprint64 (FarmHash "na" Hash64) of a byte string, as an unsigned 64-bit BigInt. */
export function fingerprint64(s: Bytes): bigint {
  const len = s.length;
  if (len <= 16) return len0to16(s, len);
  if (len <= 32) return len17to32(s, len);
  if (len <= 64) return len33to64(s, len);
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  let p = 0;
  do {
    x = mul(rot(add(x, y, v[0], fetch64(s, p + 8)), 37n), K1);
    y = mul(rot(add(y, v[1], fetch64(s, p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(s, p + 40));
    z = mul(rot(add(z, w[0]), 33n), K1);
    v = weak32(s, p, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rot(add(x, y, v[0], fetch64(s, p + 8)), 37n), m);
  y = mul(rot(add(y, v[1], fetch64(s, p + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(s, p + 40));
  z = mul(rot(add(z, w[0]), 33n), m);
  v = weak32(s, p, mul(v[1], m), add(x, w[0]));
  w = weak32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
  [z, x] = [x, z];
  return hash16(add(hash16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hash16(v[1], w[1], m), x), m);
}

/** Each string's Fingerprint64 modulo `numBuckets` (int32 output, as TensorFlow). */
export function stringToHashBucketFast(input: readonly Bytes[], numBuckets: number): Int32Array {
  if (!(Number.isInteger(numBuckets) && numBuckets >= 1)) throw new AttributeError('StringToHashBucketFast', `Number of buckets must be at least 1, got ${numBuckets}`);
  const n = BigInt(numBuckets);
  return Int32Array.from(input, (s) => Number(u64(fingerprint64(s)) % n));
}

// ---- StaticRegexReplace -------------------------------------------------------------------------

/**
 * Replace matches of `pattern` (a regular expression; RE2 syntax is mostly JavaScript's) with
 * `rewrite` (RE2 style: `\1`...`\9` name groups, `\0` the whole match) in each string; only the first
 * match when `replaceGlobal` is false.
 */
export function staticRegexReplace(input: readonly Bytes[], pattern: string, rewrite: string, replaceGlobal: boolean): Bytes[] {
  let re: RegExp;
  try {
    re = new RegExp(pattern, replaceGlobal ? 'gu' : 'u');
  } catch (e) {
    throw new AttributeError('StaticRegexReplace', `invalid pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
  const js = rewrite.replace(/\$/g, '$$$$').replace(/\\(\d)/g, (_, d: string) => (d === '0' ? '$&' : `$${d}`)).replace(/\\\\/g, '\\');
  const dec = new TextDecoder();
  return input.map((s) => enc.encode(dec.decode(s).replace(re, js)));
}
