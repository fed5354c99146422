/**
 * Einsum: the equation is parsed and checked here (typed errors naming the op, the equation and the
 * offending shapes), and evaluated as a sequence of existing twinops ops, so it needs no kernel of
 * its own:
 *
 *   - a label repeated within one operand (a diagonal, `ii->i`) → Transpose + Reshape + Gather of the
 *     flat positions k·(n+1);
 *   - a size-1 dimension meeting a larger one (ellipsis broadcasting) → Expand;
 *   - a label found in one operand only and not in the output → ReduceSum;
 *   - each pair of operands, left to right → Transpose + Reshape to [batch, M, K]·[batch, K, N] + MatMul;
 *   - the output order → Transpose.
 *
 * `runEinsum` runs over any executor offering those ops (a twinops Runtime, the tfjs backend, the
 * ONNX engine's Exec, which also infers shapes through it), so the adapters only translate.
 */
import { AttributeError, ShapeError } from '../core/errors.js';
import type { TensorInfo } from './types.js';

const OP = 'Einsum';

/** What Einsum needs from whoever runs it: twinops ops by name, reshape views, int32 index tensors. */
export interface EinsumExec<T extends TensorInfo> {
  op(name: string, inputs: readonly T[], attrs?: object): T[];
  reshape(t: T, shape: readonly number[]): T;
  /** A new int32 tensor holding `values` (the Gather positions of a diagonal). */
  int32(values: Int32Array, shape: readonly number[]): T;
}

export interface EinsumPlan {
  /** Per operand, its labels axis by axis (ellipsis axes get labels ≥ 1000). */
  inputs: number[][];
  /** The output's labels in order. */
  output: number[];
  /** The size of every label (after broadcasting). */
  sizes: Map<number, number>;
  outputShape: number[];
}

const ELLIPSIS = 1000;
const fmt = (s: readonly number[]) => `[${s.join(',')}]`;
const isLetter = (c: string) => /^[A-Za-z]$/.test(c);

/** Split a term into letter labels and the position of its ellipsis (or -1). */
function term(t: string, eq: string): { letters: number[]; ellipsisAt: number } {
  const letters: number[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < t.length; ) {
    if (t.startsWith('...', i)) {
      if (ellipsisAt >= 0) throw new AttributeError(OP, `equation '${eq}': term '${t}' has more than one ellipsis`);
      ellipsisAt = letters.length;
      i += 3;
    } else if (isLetter(t[i]!)) {
      letters.push(t.charCodeAt(i));
      i++;
    } else throw new AttributeError(OP, `equation '${eq}': '${t[i]}' in term '${t}' is not a letter or '...'`);
  }
  return { letters, ellipsisAt };
}

/** Parse and check `equation` against the operand shapes. */
export function planEinsum(equation: string, shapes: readonly (readonly number[])[]): EinsumPlan {
  const eq = equation.replace(/\s+/g, '');
  const arrows = eq.split('->').length - 1;
  if (arrows > 1) throw new AttributeError(OP, `equation '${equation}' must contain at most one '->'`);
  const [lhs, rhs] = arrows ? eq.split('->') as [string, string] : [eq, undefined];
  const terms = lhs.split(',');
  if (terms.length !== shapes.length) throw new AttributeError(OP, `equation '${equation}' has ${terms.length} input terms but ${shapes.length} inputs were given`);
  const parsed = terms.map((t) => term(t, equation));
  let ellRank = 0;
  const inputs = parsed.map(({ letters, ellipsisAt }, i) => {
    const rank = shapes[i]!.length;
    const e = rank - letters.length;
    if (ellipsisAt < 0 ? e !== 0 : e < 0) throw new ShapeError(OP, `equation '${equation}': term '${terms[i]}' does not match input ${i} of rank ${rank} ${fmt(shapes[i]!)}`, 'RANK');
    ellRank = Math.max(ellRank, e);
    return { letters, ellipsisAt, e };
  });
  const labels = inputs.map(({ letters, ellipsisAt, e }) => {
    if (ellipsisAt < 0) return letters;
    // ellipsis axes are aligned at the right, as broadcasting aligns them
    const ell = Array.from({ length: e }, (_, k) => ELLIPSIS + ellRank - e + k);
    return [...letters.slice(0, ellipsisAt), ...ell, ...letters.slice(ellipsisAt)];
  });
  const sizes = new Map<number, number>();
  labels.forEach((ls, i) =>
    ls.forEach((l, ax) => {
      const d = shapes[i]![ax]!;
      const had = sizes.get(l);
      if (had === undefined || had === 1) sizes.set(l, d);
      else if (d !== had && d !== 1) {
        const name = l >= ELLIPSIS ? `ellipsis axis ${l - ELLIPSIS}` : `'${String.fromCharCode(l)}'`;
        throw new ShapeError(OP, `equation '${equation}': label ${name} has size ${had} elsewhere but ${d} at axis ${ax} of input ${i} ${fmt(shapes[i]!)}`);
      }
    }),
  );
  const ellLabels = Array.from({ length: ellRank }, (_, k) => ELLIPSIS + k);
  let output: number[];
  if (rhs === undefined) {
    // implicit output: the ellipsis axes, then every letter used once, alphabetically
    const count = new Map<number, number>();
    for (const p of inputs) for (const l of p.letters) count.set(l, (count.get(l) ?? 0) + 1);
    output = [...ellLabels, ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort((a, b) => a - b)];
  } else {
    const o = term(rhs, equation);
    const seen = new Set<number>();
    for (const l of o.letters) {
      if (seen.has(l)) throw new AttributeError(OP, `equation '${equation}': output label '${String.fromCharCode(l)}' appears twice`);
      seen.add(l);
      if (!sizes.has(l)) throw new AttributeError(OP, `equation '${equation}': output label '${String.fromCharCode(l)}' is not in any input`);
    }
    output = o.ellipsisAt < 0 ? o.letters : [...o.letters.slice(0, o.ellipsisAt), ...ellLabels, ...o.letters.slice(o.ellipsisAt)];
  }
  return { inputs: labels, output, sizes, outputShape: output.map((l) => sizes.get(l)!) };
}

const identity = (p: readonly number[]) => p.every((v, i) => v === i);
const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** An operand during evaluation: a tensor and the label of each of its axes. */
interface Term<T> {
  t: T;
  labels: number[];
}

/** Evaluate `equation` over `inputs` with `x`'s ops; returns the output tensor. */
export function runEinsum<T extends TensorInfo>(x: EinsumExec<T>, equation: string, inputs: readonly T[]): T {
  const plan = planEinsum(equation, inputs.map((t) => t.shape));
  const { sizes, output } = plan;
  const one = (name: string, ins: readonly T[], attrs: object) => x.op(name, ins, attrs)[0]!;
  const transpose = (a: Term<T>, order: number[]): Term<T> => {
    const perm = order.map((l) => a.labels.indexOf(l));
    return identity(perm) ? { t: a.t, labels: order } : { t: one('Transpose', [a.t], { perm }), labels: order };
  };
  const reduce = (a: Term<T>, keep: Set<number>): Term<T> => {
    const axes = a.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
    if (!axes.length) return a;
    return { t: one('ReduceSum', [a.t], { axes, keepdims: false }), labels: a.labels.filter((l) => keep.has(l)) };
  };

  let terms: Term<T>[] = inputs.map((t, i) => ({ t, labels: plan.inputs[i]! }));
  terms = terms.map((a) => {
    // diagonals: a label on two axes keeps the positions where both indices agree
    for (;;) {
      const q = a.labels.findIndex((l, i) => a.labels.indexOf(l) !== i);
      if (q < 0) break;
      const l = a.labels[q]!;
      const p = a.labels.indexOf(l);
      const n = a.t.shape[p]!;
      if (a.t.shape[q] !== n) throw new ShapeError(OP, `equation '${equation}': label '${String.fromCharCode(l)}' takes a diagonal of axes ${p} and ${q} with sizes ${a.t.shape[p]} and ${a.t.shape[q]}`);
      const rest = a.labels.filter((_, i) => i !== p && i !== q);
      const perm = [...a.labels.map((_, i) => i).filter((i) => i !== p && i !== q), p, q];
      const tr = identity(perm) ? a.t : one('Transpose', [a.t], { perm });
      const lead = rest.map((r) => a.t.shape[a.labels.indexOf(r)]!);
      const flat = x.reshape(tr, [...lead, n * n]);
      const pos = x.int32(Int32Array.from({ length: n }, (_, k) => k * (n + 1)), [n]);
      a = { t: one('Gather', [flat, pos], { axis: lead.length }), labels: [...rest, l] };
    }
    // broadcasting: size-1 axes of a label that is larger elsewhere
    const full = a.labels.map((l) => sizes.get(l)!);
    if (full.some((d, i) => d !== a.t.shape[i])) a = { t: one('Expand', [a.t], { shape: full }), labels: a.labels };
    return a;
  });

  const needed = (from: number) => {
    const s = new Set(output);
    for (const b of terms.slice(from)) for (const l of b.labels) s.add(l);
    return s;
  };
  let acc = reduce(terms[0]!, needed(1));
  for (let j = 1; j < terms.length; j++) {
    const keep = needed(j + 1);
    const b0 = terms[j]!;
    const a = reduce(acc, new Set([...keep, ...b0.labels]));
    const b = reduce(b0, new Set([...keep, ...a.labels]));
    const inB = new Set(b.labels);
    const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
    const contract = a.labels.filter((l) => inB.has(l) && !keep.has(l));
    const aOnly = a.labels.filter((l) => !inB.has(l));
    const inA = new Set(a.labels);
    const bOnly = b.labels.filter((l) => !inA.has(l));
    const dims = (ls: number[]) => ls.map((l) => sizes.get(l)!);
    const [nb, m, k, n] = [prod(dims(batch)), prod(dims(aOnly)), prod(dims(contract)), prod(dims(bOnly))];
    const at = transpose(a, [...batch, ...aOnly, ...contract]);
    const bt = transpose(b, [...batch, ...contract, ...bOnly]);
    const y = one('MatMul', [x.reshape(at.t, [nb, m, k]), x.reshape(bt.t, [nb, k, n])], {});
    const labels = [...batch, ...aOnly, ...bOnly];
    acc = { t: x.reshape(y, dims(labels)), labels };
  }
  acc = reduce(acc, new Set(output));
  return x.reshape(transpose(acc, output).t, plan.outputShape);
}
