/**
 * Float64 einsum by definition: every assignment of values to the labels, the product of the
 * operands' elements summed into the output element the output labels pick. Letters only (tests
 * spell ellipses out); a label repeated in one term walks a diagonal. Also returns, per output
 * element, the sum of |products| and the number of terms (for a float32 rounding bound).
 */
export function einsumRef(equation: string, inputs: { data: ArrayLike<number>; shape: readonly number[] }[]): { out: Float64Array; absSum: Float64Array; terms: number; shape: number[] } {
  const [lhs, rhs] = equation.split('->') as [string, string];
  const terms = lhs.split(',');
  const size = new Map<string, number>();
  terms.forEach((t, i) => [...t].forEach((c, ax) => size.set(c, inputs[i]!.shape[ax]!)));
  const labels = [...size.keys()];
  const shape = [...rhs].map((c) => size.get(c)!);
  const outSize = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(outSize);
  const absSum = new Float64Array(outSize);
  const strides = (s: readonly number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
  const inStrides = inputs.map((x) => strides(x.shape));
  const outStrides = strides(shape);
  const value = new Map<string, number>();
  const total = labels.reduce((a, l) => a * size.get(l)!, 1);
  const summed = labels.filter((l) => !rhs.includes(l)).reduce((a, l) => a * size.get(l)!, 1);
  for (let flat = 0; flat < total; flat++) {
    let r = flat;
    for (let k = labels.length - 1; k >= 0; k--) {
      const n = size.get(labels[k]!)!;
      value.set(labels[k]!, r % n);
      r = Math.floor(r / n);
    }
    let p = 1;
    terms.forEach((t, i) => {
      let off = 0;
      [...t].forEach((c, ax) => (off += value.get(c)! * inStrides[i]![ax]!));
      p *= inputs[i]!.data[off]!;
    });
    let o = 0;
    [...rhs].forEach((c, ax) => (o += value.get(c)! * outStrides[ax]!));
    out[o]! += p;
    absSum[o]! += Math.abs(p);
  }
  return { out, absSum, terms: summed, shape };
}
