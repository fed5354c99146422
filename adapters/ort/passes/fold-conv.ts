/**
 * Per-channel affine maps after a Conv (or a group-1 ConvTranspose) folded into its weights at
 * session creation: inference BatchNormalization (y = (x − mean)·scale/√(var + ε) + B) and
 * Mul/Div/Add/Sub by a constant that is one value per output channel (or one value). W'[m] = W[m]·s[m], b'[m] = b[m]·s[m] + t[m],
 * computed in float64 and rounded once per fold. Only a Conv without a fused activation, whose
 * output only the folded node reads.
 */
import type { Step } from '../graph.js';
import type { HostTensor } from '../tensor-proto.js';
import type { Fusion } from './fused.js';

/** A constant as one value per channel of an [N, M, ...spatial] (rank R) output, or undefined. */
function perChannel(t: HostTensor | undefined, R: number, M: number): Float64Array | undefined {
  if (!t || t.dims.length > R) return undefined;
  const d = [...new Array<number>(R - t.dims.length).fill(1), ...t.dims];
  if (d[0] !== 1 || d.slice(2).some((x) => x !== 1) || (d[1] !== 1 && d[1] !== M)) return undefined;
  const v = t.data as Float32Array;
  return Float64Array.from({ length: M }, (_, m) => v[v.length === 1 ? 0 : m]!);
}

/** The (scale, shift) a node applies per channel to the value `x`, or undefined when it is not such a map. */
function affineOf(f: Fusion, step: Step, x: string, R: number, M: number): { s: Float64Array; t: Float64Array } | undefined {
  const n = step.node;
  const e = f.edit;
  if (n.domain !== '') return undefined;
  const ones = () => new Float64Array(M).fill(1);
  const zeros = () => new Float64Array(M);
  if (n.opType === 'BatchNormalization') {
    // training outputs (running statistics) must be unread
    if (n.inputs[0] !== x || n.inputs.length !== 5 || n.outputs.slice(1).some((o) => o !== '' && e.g.read.has(o))) return undefined;
    const [scale, bias, mean, variance] = n.inputs.slice(1).map((i) => {
      const p = e.f32(i);
      return p && p.dims.length === 1 && p.dims[0] === M ? Float64Array.from(p.data as Float32Array) : undefined;
    });
    if (!scale || !bias || !mean || !variance) return undefined;
    const eps = n.attrs.get('epsilon')?.f ?? 1e-5;
    const s = scale.map((g, m) => g / Math.sqrt(variance[m]! + Math.fround(eps)));
    return { s, t: bias.map((b, m) => b - mean[m]! * s[m]!) };
  }
  if (!['Mul', 'Div', 'Add', 'Sub'].includes(n.opType) || n.inputs.length !== 2 || n.outputs.length !== 1) return undefined;
  const k = n.inputs.indexOf(x);
  if (k < 0 || n.inputs[1 - k] === x) return undefined;
  const c = perChannel(e.f32(n.inputs[1 - k]), R, M);
  if (!c) return undefined;
  switch (n.opType) {
    case 'Mul':
      return { s: c, t: zeros() };
    case 'Div':
      return k === 0 ? { s: c.map((v) => 1 / v), t: zeros() } : undefined;
    case 'Add':
      return { s: ones(), t: c };
    default:
      return k === 0 ? { s: ones(), t: c.map((v) => -v) } : undefined;
  }
}

/** W[m, ...] · s[m] for each output channel m (rows of W). */
function scaleRows(w: Float32Array, s: Float64Array): Float32Array {
  const out = new Float32Array(w.length);
  const per = w.length / s.length;
  for (let m = 0; m < s.length; m++) {
    const k = s[m]!;
    const row = w.subarray(m * per, (m + 1) * per);
    const dst = out.subarray(m * per, (m + 1) * per);
    for (let j = 0; j < per; j++) dst[j] = row[j]! * k;
  }
  return out;
}

/** W[c, m, ...] · s[m] (a ConvTranspose filter, C leading blocks of M rows). */
function scaleInner(w: Float32Array, s: Float64Array, C: number): Float32Array {
  const out = new Float32Array(w.length);
  const block = w.length / C;
  for (let c = 0; c < C; c++) out.set(scaleRows(w.subarray(c * block, (c + 1) * block), s), c * block);
  return out;
}

/** Fold every foldable chain after a Conv or a group-1 ConvTranspose. Returns the number of nodes folded away. */
export function foldIntoConv(f: Fusion): number {
  const e = f.edit;
  let folded = 0;
  for (const start of [...e.g.steps]) {
    if (!e.has(start)) continue;
    const info = f.infoOf(start);
    if (!info || (info.op !== 'Conv' && info.op !== 'ConvTranspose') || info.activation) continue;
    const transposed = info.op === 'ConvTranspose';
    const w = e.f32(info.base.inputs[1]);
    const bName = info.base.inputs[2];
    const b = bName ? e.f32(bName) : undefined;
    // ConvTranspose filters are [C, M/group, ...k]: only group 1 has one output channel per dim-1 index
    if (!w || (bName && !b) || (transposed && (info.base.attrs.get('group')?.i ?? 1) !== 1)) continue;
    const R = w.dims.length;
    const M = transposed ? w.dims[1]! : w.dims[0]!;
    let s = new Float64Array(M).fill(1);
    let t = b ? Float64Array.from(b.data as Float32Array) : new Float64Array(M);
    const chain: Step[] = [start];
    const names: string[] = [];
    const ops: string[] = [];
    let out = info.output;
    for (;;) {
      const next = e.soleConsumer(out);
      const a = next && affineOf(f, next, out, R, M);
      // a zero divisor or an infinite constant keeps its node (folded weights would turn ±Inf into NaN)
      if (!next || !a || !a.s.every(Number.isFinite) || !a.t.every(Number.isFinite)) break;
      s = s.map((v, m) => v * a.s[m]!);
      t = t.map((v, m) => v * a.s[m]! + a.t[m]!);
      chain.push(next);
      names.push(next.node.name);
      ops.push(next.node.opType);
      out = next.node.outputs[0]!;
      if (next.node.opType === 'BatchNormalization') continue;
    }
    if (chain.length === 1) continue;
    const wName = e.addConstant(info.base.inputs[1]!, { dtype: 'float32', dims: w.dims.slice(), data: transposed ? scaleInner(w.data as Float32Array, s, w.dims[0]!) : scaleRows(w.data as Float32Array, s) });
    const bNew = e.addConstant(bName || `${info.base.name}.bias`, { dtype: 'float32', dims: [M], data: Float32Array.from(t) });
    const base = { ...info.base, inputs: [info.base.inputs[0]!, wName, bNew] };
    f.commit(chain, { ...info, base, names: [...info.names, ...names], merged: [...info.merged, ...ops], output: out });
    folded += chain.length - 1;
  }
  return folded;
}

/** A Mul/Div (`scale`) or Add/Sub (`shift`) of `step`'s variable input by a per-input-channel constant. */
function inputMap(f: Fusion, step: Step, R: number, C: number): { kind: 'scale' | 'shift'; v: Float64Array; x: string } | undefined {
  const n = step.node;
  if (n.domain !== '' || n.inputs.length !== 2 || n.outputs.length !== 1 || !['Mul', 'Div', 'Add', 'Sub'].includes(n.opType)) return undefined;
  const k = f.edit.f32(n.inputs[1]) ? 0 : f.edit.f32(n.inputs[0]) ? 1 : -1;
  if (k < 0 || f.edit.f32(n.inputs[k])) return undefined;
  const c = perChannel(f.edit.f32(n.inputs[1 - k]), R, C);
  if (!c || ((n.opType === 'Div' || n.opType === 'Sub') && k !== 0)) return undefined;
  const x = n.inputs[k]!;
  if (n.opType === 'Mul') return { kind: 'scale', v: c, x };
  if (n.opType === 'Div') return { kind: 'scale', v: c.map((v) => 1 / v), x };
  return { kind: 'shift', v: n.opType === 'Add' ? c : c.map((v) => -v), x };
}

/** W[m, ci, k]·a[c] with c the input channel of (m, ci); adds Σ W[m, ci, k]·β[c] to bias[m]. */
function foldInputWeights(wd: Float32Array, M: number, Cg: number, group: number, a: Float64Array | undefined, beta: Float64Array | undefined, bias: Float64Array): Float32Array {
  const taps = wd.length / (M * Cg);
  const Mg = M / group;
  const w2 = new Float32Array(wd.length);
  for (let m = 0; m < M; m++) {
    const g = Math.floor(m / Mg);
    for (let ci = 0; ci < Cg; ci++) {
      const c = g * Cg + ci;
      const base = (m * Cg + ci) * taps;
      const s = a ? a[c]! : 1;
      let sum = 0;
      for (let k = base; k < base + taps; k++) {
        const v = wd[k]!;
        sum += v;
        w2[k] = v * s;
      }
      if (beta) bias[m] = bias[m]! + sum * beta[c]!;
    }
  }
  return w2;
}

/**
 * An affine map of a Conv's input, y = a·x + β per input channel (Mul/Div then Add/Sub by
 * constants, as PP-LCNet's learnable affine blocks after each activation), folded into the Conv:
 * W'[m, c, k] = W[m, c, k]·a[c], b'[m] = b[m] + Σ W[m, c, k]·β[c]. The shift is exact only where
 * every tap reads a real pixel, so a Conv with padding takes the scale alone. Returns the nodes folded.
 */
export function foldInputAffine(f: Fusion): number {
  const e = f.edit;
  let folded = 0;
  for (const start of [...e.g.steps]) {
    if (!e.has(start)) continue;
    const info = f.infoOf(start);
    if (!info || info.op !== 'Conv') continue;
    const w = e.f32(info.base.inputs[1]);
    const bName = info.base.inputs[2];
    const b = bName ? e.f32(bName) : undefined;
    if (!w || (bName && !b)) continue;
    const at = info.base.attrs;
    const padded = (at.get('pads')?.ints ?? []).some((p) => p !== 0) || !['', 'NOTSET', 'VALID'].includes(at.get('auto_pad')?.s ?? '');
    const [M, Cg] = w.dims as [number, number];
    const group = at.get('group')?.i ?? 1;
    const C = Cg * group;
    const R = w.dims.length;
    // walk back: an optional shift, then an optional scale, each read only by the next
    const chain: Step[] = [];
    let a: Float64Array | undefined;
    let beta: Float64Array | undefined;
    let x = info.base.inputs[0]!;
    for (const want of ['shift', 'scale'] as const) {
      const p = e.soleConsumer(x) === start || (chain.length > 0 && e.soleConsumer(x) === chain[0]) ? e.producer(x) : undefined;
      const m = p && inputMap(f, p, R, C);
      if (!p || !m || !m.v.every(Number.isFinite)) break;
      if (m.kind === 'shift' && (want !== 'shift' || padded)) break;
      if (m.kind === 'scale') a = m.v;
      else beta = m.v;
      chain.unshift(p);
      x = m.x;
      if (m.kind === 'scale') break;
    }
    if (chain.length === 0) continue;
    const bias = b ? Float64Array.from(b.data as Float32Array) : new Float64Array(M);
    const w2 = foldInputWeights(w.data as Float32Array, M, Cg, group, a, beta, bias);
    const wName = e.addConstant(info.base.inputs[1]!, { dtype: 'float32', dims: w.dims.slice(), data: w2 });
    const bNew = e.addConstant(bName || `${info.base.name}.bias`, { dtype: 'float32', dims: [M], data: Float32Array.from(bias) });
    const base = { ...info.base, inputs: [x, wName, bNew] };
    f.commit([...chain, start], { ...info, base, names: [...chain.map((s) => s.node.name), ...info.names], before: [...chain.map((s) => s.node.opType), ...(info.before ?? [])] });
    folded += chain.length;
  }
  return folded;
}
