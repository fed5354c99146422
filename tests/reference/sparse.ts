/** COO sparse references: reshape by linear position; fill-empty-rows by regrouping rows. */
export function sparseReshapeRef(idx: ArrayLike<number>, inShape: number[], outShape: number[]): number[] {
  const nnz = inShape.length ? idx.length / inShape.length : 0;
  const out: number[] = [];
  for (let i = 0; i < nnz; i++) {
    let pos = 0;
    inShape.forEach((d, k) => (pos = pos * d + idx[i * inShape.length + k]!));
    const coords: number[] = [];
    for (let k = outShape.length - 1; k >= 0; k--) {
      coords.unshift(pos % outShape[k]!);
      pos = Math.floor(pos / outShape[k]!);
    }
    out.push(...coords);
  }
  return out;
}

export function fillEmptyRowsRef(idx: ArrayLike<number>, vals: ArrayLike<number>, rank: number, rows: number, dflt: number) {
  const n = vals.length;
  const entries: { row: number; coords: number[]; v: number; i: number }[] = [];
  for (let i = 0; i < n; i++) entries.push({ row: idx[i * rank]!, coords: Array.from({ length: rank }, (_, k) => idx[i * rank + k]!), v: vals[i]!, i });
  const outIdx: number[] = [];
  const outVals: number[] = [];
  const rev = new Array<number>(n);
  const empty: number[] = [];
  for (let r = 0; r < rows; r++) {
    const mine = entries.filter((e) => e.row === r);
    empty.push(mine.length ? 0 : 1);
    if (!mine.length) {
      outIdx.push(r, ...new Array<number>(rank - 1).fill(0));
      outVals.push(dflt);
    }
    for (const e of mine) {
      rev[e.i] = outVals.length;
      outIdx.push(...e.coords);
      outVals.push(e.v);
    }
  }
  return { outIdx, outVals, empty, rev };
}
