/**
 * Plain-JS references for the data-movement ops (numpy / ONNX semantics), written element by element
 * from each op's definition: for every output multi-index, the input element it holds. They work on
 * any typed array, so every dtype is checked by its exact bytes.
 */
import { broadcastShape, broadcastSourceIndex, rowMajorStrides, sizeOf, unravel } from './broadcast.js';

export type Arr = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Float64Array | Uint32Array | BigUint64Array | Int16Array;

function make(like: Arr, n: number): Arr {
  return new (like.constructor as new (n: number) => Arr)(n);
}

/** out[i] = x[map(i)] for i over `outShape` (map gets the output multi-index). */
function pick(x: Arr, outShape: readonly number[], map: (idx: number[]) => number): Arr {
  const n = sizeOf(outShape);
  const out = make(x, n);
  for (let i = 0; i < n; i++) (out as unknown as unknown[])[i] = (x as unknown as unknown[])[map(unravel(i, outShape))];
  return out;
}

function flat(idx: readonly number[], shape: readonly number[]): number {
  const s = rowMajorStrides(shape);
  return idx.reduce((a, v, d) => a + v * s[d]!, 0);
}

export function refTranspose(x: Arr, shape: readonly number[], perm?: readonly number[]): { data: Arr; shape: number[] } {
  const p = perm ?? shape.map((_, i) => shape.length - 1 - i);
  const out = p.map((a) => shape[a]!);
  return { data: pick(x, out, (idx) => { const src = new Array<number>(shape.length); p.forEach((a, i) => (src[a] = idx[i]!)); return flat(src, shape); }), shape: out };
}

/**
 * The indices ONNX Slice visits on an axis of size n (onnxruntime's clamping): a negative start or
 * end counts from the end; with step > 0 both clamp to [0, n]; with step < 0 start clamps to
 * [0, n-1] and end to [-1, n-1]. This is Python's slice except that a start below -n with a negative
 * step clamps to 0 (Python: empty).
 */
export function sliceIndices(n: number, start: number, stop: number, step: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const out: number[] = [];
  if (step > 0) {
    for (let i = clamp(start, 0, n); i < clamp(stop, 0, n); i += step) out.push(i);
  } else {
    for (let i = clamp(start, 0, n - 1); i > clamp(stop, -1, n - 1); i += step) out.push(i);
  }
  return out;
}

export function refSlice(x: Arr, shape: readonly number[], starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): { data: Arr; shape: number[] } {
  const lists = shape.map((n) => [...Array(n).keys()]);
  starts.forEach((s, k) => {
    const a0 = axes ? axes[k]! : k;
    const a = a0 < 0 ? a0 + shape.length : a0;
    lists[a] = sliceIndices(shape[a]!, s, ends[k]!, steps ? steps[k]! : 1);
  });
  const out = lists.map((l) => l.length);
  return { data: pick(x, out, (idx) => flat(idx.map((v, d) => lists[d]![v]!), shape)), shape: out };
}

export function refExpand(x: Arr, shape: readonly number[], target: readonly number[]): { data: Arr; shape: number[] } {
  const out = broadcastShape(shape, target);
  return { data: pick(x, out, (idx) => broadcastSourceIndex(idx, shape)), shape: out };
}

export function refTile(x: Arr, shape: readonly number[], reps: readonly number[]): { data: Arr; shape: number[] } {
  const out = shape.map((d, i) => d * reps[i]!);
  return { data: pick(x, out, (idx) => flat(idx.map((v, d) => v % shape[d]!), shape)), shape: out };
}

export function refReverse(x: Arr, shape: readonly number[], axes: readonly number[]): { data: Arr; shape: number[] } {
  const ax = axes.map((a) => (a < 0 ? a + shape.length : a));
  return { data: pick(x, shape, (idx) => flat(idx.map((v, d) => (ax.includes(d) ? shape[d]! - 1 - v : v)), shape)), shape: shape.slice() };
}

export function refConcat(xs: readonly Arr[], shapes: readonly (readonly number[])[], axis0: number): { data: Arr; shape: number[] } {
  const axis = axis0 < 0 ? axis0 + shapes[0]!.length : axis0;
  const out = shapes[0]!.slice();
  out[axis] = shapes.reduce((a, s) => a + s[axis]!, 0);
  const n = sizeOf(out);
  const res = make(xs[0]!, n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, out);
    let k = 0;
    let j = idx[axis]!;
    while (j >= shapes[k]![axis]!) j -= shapes[k++]![axis]!;
    idx[axis] = j;
    (res as unknown as unknown[])[i] = (xs[k] as unknown as unknown[])[flat(idx, shapes[k]!)];
  }
  return { data: res, shape: out };
}

export function refSplit(x: Arr, shape: readonly number[], axis0: number, sizes: readonly number[]): { data: Arr; shape: number[] }[] {
  const axis = axis0 < 0 ? axis0 + shape.length : axis0;
  let at = 0;
  return sizes.map((s) => {
    const lo = at;
    at += s;
    return refSlice(x, shape, [lo], [lo + s], [axis]);
  });
}

/** numpy.pad index of output coordinate j on an axis of size n with `before` padding (n > 0). */
function padIndex(mode: 'reflect' | 'edge' | 'wrap', j: number, before: number, n: number): number {
  let v = j - before;
  if (v >= 0 && v < n) return v;
  if (mode === 'edge') return Math.min(Math.max(v, 0), n - 1);
  if (mode === 'wrap') return ((v % n) + n) % n;
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  v = ((v % period) + period) % period;
  return v < n ? v : period - v;
}

/** ONNX Pad; negative pads crop first. `fill` is the constant already in the array's element type. */
export function refPad(x: Arr, shape: readonly number[], pads: readonly number[], mode: 'constant' | 'reflect' | 'edge' | 'wrap', fill: number | bigint): { data: Arr; shape: number[] } {
  const r = shape.length;
  const crop = refSlice(x, shape, shape.map((_, d) => Math.max(0, -pads[d]!)), shape.map((n, d) => n - Math.max(0, -pads[d + r]!)));
  const inner = crop.shape;
  const pb = pads.slice(0, r).map((p) => Math.max(0, p));
  const pe = pads.slice(r).map((p) => Math.max(0, p));
  const out = inner.map((n, d) => n + pb[d]! + pe[d]!);
  const n = sizeOf(out);
  const res = make(x, n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, out);
    let inside = true;
    const src = idx.map((j, d) => {
      if (mode === 'constant') {
        const v = j - pb[d]!;
        if (v < 0 || v >= inner[d]!) inside = false;
        return v;
      }
      return padIndex(mode, j, pb[d]!, inner[d]!);
    });
    (res as unknown as unknown[])[i] = inside ? (crop.data as unknown as unknown[])[flat(src, inner)] : fill;
  }
  return { data: res, shape: out };
}

export function refGather(x: Arr, shape: readonly number[], indices: ArrayLike<number | bigint>, idxShape: readonly number[], axis0: number): { data: Arr; shape: number[] } {
  const axis = axis0 < 0 ? axis0 + shape.length : axis0;
  const out = [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)];
  const k = idxShape.length;
  return {
    data: pick(x, out, (idx) => {
      const j = flat(idx.slice(axis, axis + k), idxShape);
      let v = Number(indices[j]!);
      if (v < 0) v += shape[axis]!;
      return flat([...idx.slice(0, axis), v, ...idx.slice(axis + k)], shape);
    }),
    shape: out,
  };
}

export function refWhere(c: Uint8Array, cs: readonly number[], x: Arr, xs: readonly number[], y: Arr, ys: readonly number[]): { data: Arr; shape: number[] } {
  const out = broadcastShape(cs, xs, ys);
  const n = sizeOf(out);
  const res = make(x, n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, out);
    const take = c[broadcastSourceIndex(idx, cs)] !== 0;
    (res as unknown as unknown[])[i] = take ? (x as unknown as unknown[])[broadcastSourceIndex(idx, xs)] : (y as unknown as unknown[])[broadcastSourceIndex(idx, ys)];
  }
  return { data: res, shape: out };
}

// ---------------------------------------------------------------- Cast

/** float16 bits → number, exactly. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 31) return m ? NaN : s * Infinity;
  if (e === 0) return s * m * 2 ** -24;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** A number (float64) → float16 bits, rounding to nearest even; NaN → a quiet NaN with the input's sign. */
export function numberToHalf(v: number, nanSign = 0): number {
  if (Number.isNaN(v)) return nanSign | 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a / 2 ** -24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  return sign | ((e + 15) << 10) | m;
}

/** int64 → float32, one correct rounding (to nearest even). */
export function int64ToFloat32(v: bigint): number {
  const neg = v < 0n;
  let a = neg ? -v : v;
  const bits = a.toString(2).length;
  if (bits > 24) {
    const drop = BigInt(bits - 24);
    const q = a >> drop;
    const rem = a - (q << drop);
    const half = 1n << (drop - 1n);
    let r = q;
    if (rem > half || (rem === half && (q & 1n) === 1n)) r = q + 1n;
    a = r << drop;
  }
  const f = Number(a);
  return neg ? -f : f;
}

export type CastDType = 'float32' | 'float16' | 'int32' | 'int64' | 'int8' | 'uint8' | 'bool';

/** The value an element of `from` holds, as a number (or a bigint for int64). */
function valueOf(from: CastDType, raw: number | bigint): number | bigint {
  return from === 'float16' ? halfToNumber(raw as number) : raw;
}

/** float → int32 as x86-64 cvttss2si (onnxruntime): truncation; NaN, ±Inf, out of range → INT32_MIN. */
function floatToI32(v: number): number {
  return Number.isNaN(v) || Math.abs(v) >= 2 ** 31 ? -(2 ** 31) : Math.trunc(v) | 0;
}

export function refCastElement(from: CastDType, to: CastDType, raw: number | bigint, nanSign = 0): number | bigint {
  const v = valueOf(from, raw);
  const isFloat = from === 'float32' || from === 'float16';
  switch (to) {
    case 'float32':
      return typeof v === 'bigint' ? int64ToFloat32(v) : Math.fround(v);
    case 'float16':
      if (typeof v === 'bigint') return v >= 65520n || v <= -65520n ? (v < 0n ? 0xfc00 : 0x7c00) : numberToHalf(Number(v));
      return numberToHalf(v, nanSign);
    case 'int32':
      return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : isFloat ? floatToI32(v) : v;
    case 'int8':
      return typeof v === 'bigint' ? Number(BigInt.asIntN(8, v)) : ((isFloat ? floatToI32(v) : v) << 24) >> 24;
    case 'uint8':
      return typeof v === 'bigint' ? Number(BigInt.asUintN(8, v)) : (isFloat ? floatToI32(v) : v) & 0xff;
    case 'int64':
      if (typeof v === 'bigint') return v;
      if (isFloat) return Number.isNaN(v) || Math.abs(v) >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(v));
      return BigInt(v);
    case 'bool':
      return typeof v === 'bigint' ? (v !== 0n ? 1 : 0) : v !== 0 ? 1 : 0;
  }
}

// ---------------------------------------------------------------- GatherElements, GatherND, ScatterND

const wrap = (v: number, n: number) => (v < 0 ? v + n : v);

export function refGatherElements(x: Arr, shape: readonly number[], indices: ArrayLike<number | bigint>, idxShape: readonly number[], axis: number): { data: Arr; shape: number[] } {
  return {
    data: pick(x, idxShape, (idx) => {
      const src = idx.slice();
      src[axis] = wrap(Number(indices[flat(idx, idxShape)]!), shape[axis]!);
      return flat(src, shape);
    }),
    shape: idxShape.slice(),
  };
}

export function refGatherND(x: Arr, shape: readonly number[], indices: ArrayLike<number | bigint>, idxShape: readonly number[], b: number): { data: Arr; shape: number[] } {
  const q = idxShape.length;
  const k = idxShape[q - 1]!;
  const out = [...idxShape.slice(0, -1), ...shape.slice(b + k)];
  return {
    data: pick(x, out, (idx) => {
      const lead = idx.slice(0, q - 1);
      const tuple = Array.from({ length: k }, (_, i) => wrap(Number(indices[flat([...lead, i], idxShape)]!), shape[b + i]!));
      return flat([...idx.slice(0, b), ...tuple, ...idx.slice(q - 1)], shape);
    }),
    shape: out,
  };
}

/** ScatterND, reduction 'none', updates applied in order (the last of repeated tuples wins). */
export function refScatterND(x: Arr, shape: readonly number[], indices: ArrayLike<number | bigint>, idxShape: readonly number[], upd: Arr): Arr {
  const out = x.slice() as Arr;
  const k = idxShape[idxShape.length - 1]!;
  const tuples = sizeOf(idxShape.slice(0, -1));
  const slab = shape.slice(k);
  const inner = sizeOf(slab);
  for (let t = 0; t < tuples; t++) {
    const tuple = Array.from({ length: k }, (_, i) => wrap(Number(indices[t * k + i]!), shape[i]!));
    for (let e = 0; e < inner; e++) {
      (out as unknown as unknown[])[flat([...tuple, ...unravel(e, slab)], shape)] = (upd as unknown as unknown[])[t * inner + e];
    }
  }
  return out;
}
