/**
 * float64 references for the `select` ops: TopK (a stable sort of each lane's indices),
 * UnsortedSegmentSum and ScatterNDSum (sums in float64).
 */

/** a ranks before b: largest a > b, smallest a < b; NaN ranks above every number in both. */
function ranksBefore(a: number, b: number, largest: boolean): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return largest ? Number.isNaN(a) && !Number.isNaN(b) : !Number.isNaN(a) && Number.isNaN(b);
  return largest ? a > b : a < b;
}

/** TopK along `axis`: values and indices, best first, ties by lower index. */
export function refTopK(x: ArrayLike<number>, shape: readonly number[], axis: number, k: number, largest: boolean): { values: number[]; indices: number[]; shape: number[] } {
  const n = shape[axis]!;
  const outer = shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const values = new Array<number>(outer * k * inner);
  const indices = new Array<number>(outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => x[(o * n + j) * inner + i]!;
      const order = Array.from({ length: n }, (_, j) => j);
      // Array.prototype.sort is stable: equal values keep index order
      order.sort((p, q) => (ranksBefore(at(p), at(q), largest) ? -1 : ranksBefore(at(q), at(p), largest) ? 1 : 0));
      for (let j = 0; j < k; j++) {
        values[(o * k + j) * inner + i] = at(order[j]!);
        indices[(o * k + j) * inner + i] = order[j]!;
      }
    }
  }
  const out = shape.slice();
  out[axis] = k;
  return { values, indices, shape: out };
}

/** out[s, c] = Σ data[r, c] over rows r with ids[r] = s (ids outside [0, segments) dropped); also Σ|data| per output for error bounds. */
export function refSegmentSum(data: ArrayLike<number>, ids: ArrayLike<number>, segments: number, inner: number): { sum: Float64Array; abs: Float64Array; count: Float64Array } {
  const sum = new Float64Array(segments * inner);
  const abs = new Float64Array(segments * inner);
  const count = new Float64Array(segments * inner);
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r]!;
    if (!(s >= 0 && s < segments)) continue;
    for (let c = 0; c < inner; c++) {
      const o = s * inner + c;
      sum[o] = sum[o]! + data[r * inner + c]!;
      abs[o] = abs[o]! + Math.abs(data[r * inner + c]!);
      count[o] = count[o]! + 1;
    }
  }
  return { sum, abs, count };
}

/** The row of `shape` (viewed as [prod(shape[:k]), rest]) that each k-tuple of indices names. */
export function refTupleRows(indices: ArrayLike<number>, k: number, shape: readonly number[]): number[] {
  const rows: number[] = [];
  for (let t = 0; t < indices.length / k; t++) {
    let row = 0;
    for (let i = 0; i < k; i++) row = row * shape[i]! + indices[t * k + i]!;
    rows.push(row);
  }
  return rows;
}

/** Bincount of x [b, n] (values ≥ size dropped): counts, weight sums, or 0/1 (binaryOutput), per row. */
export function refBincount(x: ArrayLike<number>, b: number, n: number, size: number, weights: ArrayLike<number> | undefined, binaryOutput: boolean): { sum: Float64Array; abs: Float64Array; count: Float64Array } {
  const sum = new Float64Array(b * size);
  const abs = new Float64Array(b * size);
  const count = new Float64Array(b * size);
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < n; j++) {
      const v = x[r * n + j]!;
      if (v >= size) continue;
      const o = r * size + v;
      const add = weights ? weights[r * n + j]! : 1;
      sum[o] = binaryOutput ? 1 : sum[o]! + add;
      abs[o] = abs[o]! + Math.abs(add);
      count[o] = count[o]! + 1;
    }
  }
  return { sum, abs, count };
}

/** SearchSorted on sorted rows: left counts the row's elements < v, right those ≤ v (a NaN value: 0). */
export function refSearchSorted(seq: ArrayLike<number>, vals: ArrayLike<number>, batch: number, n: number, m: number, right: boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < m; j++) {
      const v = vals[b * m + j]!;
      let c = 0;
      for (let i = 0; i < n; i++) if (right ? seq[b * n + i]! <= v : seq[b * n + i]! < v) c++;
      out.push(c);
    }
  }
  return out;
}
