/** Unique by definition: slices keyed by their values (NaN one key, −0 as 0), numbered by first occurrence or sorted. */
export function uniqueRef(data: ArrayLike<number | bigint>, shape: readonly number[], axis: number | undefined, sorted: boolean) {
  const size = shape.reduce((a, b) => a * b, 1);
  const a = axis === undefined ? 0 : axis < 0 ? axis + shape.length : axis;
  const n = axis === undefined ? size : shape[a]!;
  const outer = axis === undefined ? 1 : shape.slice(0, a).reduce((x, y) => x * y, 1);
  const inner = axis === undefined ? 1 : shape.slice(a + 1).reduce((x, y) => x * y, 1);
  const slice = (i: number) => {
    const out: (number | bigint)[] = [];
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) out.push(data[(o * n + i) * inner + j]!);
    return out;
  };
  const key = (s: (number | bigint)[]) => s.map((v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : String(v === 0 ? 0 : v))).join('|');
  const firstOf = new Map<string, number>();
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = key(slice(i));
    if (!firstOf.has(k)) {
      firstOf.set(k, order.length);
      order.push(i);
    }
  }
  let first = order.slice();
  if (sorted) {
    const cmp = (x: (number | bigint)[], y: (number | bigint)[]) => {
      for (let e = 0; e < x.length; e++) {
        const p = x[e]!;
        const q = y[e]!;
        const pn = typeof p === 'number' && Number.isNaN(p);
        const qn = typeof q === 'number' && Number.isNaN(q);
        if (pn && qn) continue;
        if (pn) return 1;
        if (qn) return -1;
        if (p < q) return -1;
        if (p > q) return 1;
      }
      return 0;
    };
    first = first.sort((i, j) => cmp(slice(i), slice(j)));
  }
  const number = new Map(first.map((i, k) => [key(slice(i)), k]));
  const inverse = Array.from({ length: n }, (_, i) => number.get(key(slice(i)))!);
  const counts = first.map((_, k) => inverse.filter((v) => v === k).length);
  return { first, inverse, counts };
}
