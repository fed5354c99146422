/**
 * numpy broadcasting, written from the numpy definition (not from ops/shape.ts): shapes are aligned
 * at their trailing dimensions, missing leading dimensions count as 1, and two dimensions fit when
 * they are equal or one of them is 1. A size-0 dimension therefore fits 0 and 1 only.
 */

/** Number of elements of a shape (1 for a scalar, 0 if any dimension is 0). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides in elements. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The broadcast shape of `shapes`, or undefined when they are incompatible. */
export function tryBroadcastShape(...shapes: (readonly number[])[]): number[] | undefined {
  const rank = shapes.reduce((r, s) => Math.max(r, s.length), 0);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const v = k < 0 ? 1 : s[k]!;
      if (v === 1) continue;
      if (d === 1) d = v;
      else if (d !== v) return undefined;
    }
    out.push(d);
  }
  return out;
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const r = tryBroadcastShape(...shapes);
  if (!r) throw new Error(`reference: shapes ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')} do not broadcast`);
  return r;
}

/** Multi-index of flat position `flat` in `shape` (row-major). */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

/**
 * Flat index into an operand of shape `inShape` for the output multi-index `outIdx` (output rank >=
 * input rank): leading output dims are dropped, and a size-1 input dim always reads index 0.
 */
export function broadcastSourceIndex(outIdx: readonly number[], inShape: readonly number[]): number {
  const off = outIdx.length - inShape.length;
  let flat = 0;
  for (let i = 0; i < inShape.length; i++) {
    const d = inShape[i]!;
    const j = d === 1 ? 0 : outIdx[off + i]!;
    flat = flat * d + j;
  }
  return flat;
}

/** For each output element (row-major), the flat source index into each operand. */
export function broadcastIndexMaps(outShape: readonly number[], ...inShapes: (readonly number[])[]): Int32Array[] {
  const n = sizeOf(outShape);
  const maps = inShapes.map(() => new Int32Array(n));
  for (let f = 0; f < n; f++) {
    const idx = unravel(f, outShape);
    inShapes.forEach((s, k) => {
      maps[k]![f] = broadcastSourceIndex(idx, s);
    });
  }
  return maps;
}

export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
