/**
 * The layout pass: chains of 2-D convolutions run in NHWC, the layout the wasm implicit-GEMM convs,
 * depthwise convs and pools are fastest in, with transposes only at the edges of each chain.
 *
 * A region is a connected set of steps that can all run on [N, H, W, C] data:
 * - 2-D Conv (fused forms too: 'Conv+Relu', 'Mul+Conv', ...): X is NHWC and W becomes an HWIO
 *   constant ([kH, kW, C/group, M]; HWIM [kH, kW, C, mult] for depthwise: the same bytes);
 * - MaxPool (without Indices), AveragePool, GlobalAveragePool, GlobalMaxPool, and a
 *   BatchNormalization the earlier passes did not fold (constant parameters): `layout: 'NHWC'`;
 * - elementwise unary ops (and Clip with its constant bounds);
 * - elementwise binary ops (opset ≥ 7 broadcasting) whose operands are region values or
 *   constants: a constant of rank ≤ 4 is read as [1, …, C, H, W] and stored transposed once, so a
 *   per-channel [C, 1, 1] becomes [1, 1, C] and an SE block's Mul(feature map, gate) needs nothing;
 * - Concat and Split (axis remapped), Resize with constant scales that keep N and C.
 * Every region value is 4-D (a conv output or something computed from ones), so the rewrites above
 * keep broadcasting exact. A Conv's X from outside the region gets a Transpose [0, 2, 3, 1] before
 * the first region step that reads it; a region value read outside it (a graph output, a Reshape,
 * a MatMul, ...) gets a Transpose [0, 3, 1, 2] right after its producer. Region values are renamed
 * '<name>::nhwc'; values outside keep their names, and converted nodes keep their names with
 * ' [NHWC]' appended (the profiler shows them so). Edges next to a model's own 4-D Transpose
 * compose with it: a region input made by one (NHWC → NCHW, as exported TF models and PP-OCRv4
 * rec's neck have) is read around it, and a Transpose of a region value transposes the NHWC value
 * instead (an Identity where they cancel), so such regions need no transpose of their own there.
 *
 * A region is converted when it pays, scored in transposes: each group-1, non-pointwise Conv with
 * ≥ 8 input channels would otherwise transpose X in and Y out on every call (wasm-kernels/conv.ts
 * nchwViaNhwc): +2; each edge: −1; each depthwise conv −1 at horizontal stride 1 and +1 at stride
 * ≥ 2, as the wasm depthwise kernels compare (1 thread, one process, interleaved medians on the
 * loaded 2-core machine, with the unrolled NCHW depthwise kernels of family dwconv): NHWC is
 * 1.2–1.35× slower at stride 1 whatever the channel count (PP-OCRv4 rec: 128 ch 3×3 12×160, 240 ch
 * 5×5 12×80, 480 ch 5×5 6×80; without family dwconv only narrow ones were: 16 ch 3×3 160×160
 * 1.3–1.56×, while 192 ch 5×5 20×20 was 0.60×) and faster at stride 2 (128 ch 3×3 /2: 0.81×;
 * 32 ch 5×5 /2: 0.44×). Pointwise convs, pools and elementwise ops are about even.
 * A region converts when its score is > 0: not only pointwise convs (GEMMs on NCHW directly), not
 * a lone conv (its edge transposes are the ones it would make itself), not PP-OCR cls and rec
 * (mostly stride-1 depthwise convs: cls 1.04× CPU time when forced, rec 1.01–1.02×), but PP-OCRv4
 * det (0.82–0.84× CPU time at 1 and 2 threads) and tmp/small-cnn (0.84×).
 */
import type { TensorInfo } from '../../../ops/types.js';
import type { SessionGraph, Step } from '../graph.js';
import type { OnnxAttribute, OnnxNode } from '../model.js';
import type { Exec, Lowered } from '../ops/index.js';
import type { HostTensor } from '../tensor-proto.js';
import { DelegatingExec, GraphEdit } from './edit.js';

export interface LayoutReport {
  /** Regions converted to NHWC. */
  regions: number;
  /** Steps converted. */
  converted: number;
  /** Transposes inserted at region inputs and outputs. */
  transposes: number;
  /** Regions found but left in NCHW (they would not pay). */
  skipped: number;
  /** Model Transposes of region inputs the region reads around (removed when nothing else reads them). */
  bypassed: number;
  /** Model Transposes of region values that now transpose the NHWC value (Identity where the two cancel). */
  absorbed: number;
}

const UNARY = new Set([
  'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Floor', 'Ceil', 'Reciprocal', 'Softplus', 'Softsign',
  'Round', 'Sign', 'HardSwish', 'Mish', 'Sin', 'Cos', 'Elu', 'Celu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'ThresholdedRelu', 'Gelu', 'Clip',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'PRelu']);
/** Ops whose twinops contract takes `layout: 'NHWC'` (the pools and inference BatchNormalization). */
const LAYOUT_ATTR = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization']);
/** NCHW axis → NHWC axis. */
const AXIS = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

type Kind = 'conv' | 'layout' | 'unary' | 'binary' | 'axis' | 'resize';

interface Candidate {
  step: Step;
  kind: Kind;
  /** Input slots holding activations (the others are constants or scalars, left as they are). */
  data: number[];
  /** Conv: group 1, not pointwise, ≥ 8 input channels (it would transpose X and Y itself in NCHW). */
  viaNhwc?: boolean;
  /** Depthwise conv: +1 where NHWC is the faster kernel, −1 where NCHW is (see the header). */
  depthwise?: number;
}

const ints = (n: OnnxNode, name: string) => n.attrs.get(name)?.ints;
const int = (n: OnnxNode, name: string, def: number) => {
  const a = n.attrs.get(name);
  return a ? a.i : def;
};

/** The perm of a 4-D Transpose step (perm given), or undefined. */
function perm4(step: Step | undefined): number[] | undefined {
  const n = step?.node;
  const perm = n && n.domain === '' && n.opType === 'Transpose' && n.inputs.length === 1 && n.outputs.length === 1 ? ints(n, 'perm') : undefined;
  return perm && perm.length === 4 ? perm : undefined;
}

const isIdentity = (p: readonly number[]) => p.every((v, i) => v === i);

/** What `step` is to the pass, judged on the step alone (its neighbours are checked later). */
function classify(e: GraphEdit, step: Step): Candidate | undefined {
  const n = step.node;
  if (n.domain !== '' || n.implicitInputs) return undefined;
  const ops = n.opType.split('+');
  const calls = step.lowered.calls;
  const isConst = (i: string) => i === '' || e.g.constants.has(i);
  if (ops.includes('Conv') && calls.length === 1 && calls[0] === 'Conv') {
    const w = e.f32(n.inputs[1]);
    const bias = n.inputs[2];
    if (!w || w.dims.length !== 4 || n.outputs.length !== 1 || (bias && !e.f32(bias)) || n.inputs.length > 3) return undefined;
    const [, Cg, kH, kW] = w.dims as [number, number, number, number];
    const group = int(n, 'group', 1);
    const pads = ints(n, 'pads') ?? [];
    const strides = ints(n, 'strides') ?? [1, 1];
    const pointwise = kH * kW === 1 && strides.every((s) => s === 1) && pads.every((p) => p === 0);
    const viaNhwc = group === 1 && !pointwise && Cg >= 8;
    const depthwise = group > 1 && Cg === 1 ? ((strides[1] ?? 1) > 1 ? 1 : -1) : 0;
    return { step, kind: 'conv', data: [0], viaNhwc, depthwise };
  }
  if (ops.length !== 1) return undefined;
  const op = n.opType;
  if (LAYOUT_ATTR.has(op)) {
    // MaxPool's Indices and BatchNormalization's training outputs must be unread
    if (n.outputs.slice(1).some((o) => o !== '' && e.g.read.has(o))) return undefined;
    if (op === 'BatchNormalization') return n.inputs.slice(1).every((i) => i !== '' && e.g.constants.has(i)) ? { step, kind: 'layout', data: [0] } : undefined;
    if ((ints(n, 'kernel_shape') && ints(n, 'kernel_shape')!.length !== 2) || n.inputs.length !== 1) return undefined;
    return { step, kind: 'layout', data: [0] };
  }
  if (UNARY.has(op)) return n.inputs.slice(1).every(isConst) && n.outputs.length === 1 ? unaryCand(step) : undefined;
  if (BINARY.has(op)) {
    if (e.opset < 7 || n.attrs.has('broadcast') || n.outputs.length !== 1) return undefined;
    // every operand an activation or a float32 constant of rank ≤ 4 (rewritten below)
    const data = n.inputs.map((_, k) => k).filter((k) => !e.g.constants.has(n.inputs[k]!));
    if (n.inputs.some((i) => i === '' || (e.g.constants.has(i) && (!e.f32(i) || e.f32(i)!.dims.length > 4)))) return undefined;
    return data.length > 0 ? { step, kind: 'binary', data } : undefined;
  }
  if (op === 'Concat') return n.inputs.every((i) => !e.g.constants.has(i) && i !== '') ? { step, kind: 'axis', data: n.inputs.map((_, k) => k) } : undefined;
  if (op === 'Split') return { step, kind: 'axis', data: [0] };
  if (op === 'Resize') {
    if (n.attrs.has('axes') || (n.attrs.get('coordinate_transformation_mode')?.s ?? '') === 'tf_crop_and_resize' || n.inputs.length < 3 || (n.inputs[3] ?? '') !== '') return undefined;
    const s = e.f32(n.inputs[2]);
    if (!s || s.dims.length !== 1 || s.data.length !== 4 || s.data[0] !== 1 || s.data[1] !== 1) return undefined;
    return { step, kind: 'resize', data: [0] };
  }
  return undefined;
}

function unaryCand(step: Step): Candidate {
  return { step, kind: 'unary', data: [0] };
}

/** A constant of rank ≤ 4 broadcast against NCHW values, as the same broadcast against NHWC ones. */
function toNhwcConstant(t: HostTensor): HostTensor {
  const d = [...new Array<number>(4 - t.dims.length).fill(1), ...t.dims] as [number, number, number, number];
  const [N, C, H, W] = d;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[((n * H + h) * W + w) * C + c] = src[((n * C + c) * H + h) * W + w]!;
  return { dtype: 'float32', dims: [N, H, W, C], data: out };
}

/** OIHW [M, Cg, kH, kW] → HWIO [kH, kW, Cg, M] (for depthwise, HWIM [kH, kW, C, mult] holds the same bytes). */
function toHwio(t: HostTensor, depthwise: boolean, group: number): HostTensor {
  const [M, Cg, kH, kW] = t.dims as [number, number, number, number];
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  const taps = kH * kW;
  for (let m = 0; m < M; m++) for (let c = 0; c < Cg; c++) for (let k = 0; k < taps; k++) out[(k * Cg + c) * M + m] = src[(m * Cg + c) * taps + k]!;
  return { dtype: 'float32', dims: depthwise ? [kH, kW, group, M / group] : [kH, kW, Cg, M], data: out };
}

function attr(name: string, value: number[]): OnnxAttribute {
  return { name, type: 7, f: 0, i: 0, s: '', t: undefined, floats: [], ints: value, strings: [], hasGraph: false, refAttrName: '' };
}

type CallMap = <T extends TensorInfo>(x: Exec<T>, name: string, inputs: readonly T[], attrs: object | undefined) => T[] | undefined;

/**
 * An Exec whose twinops calls `map` may rewrite (attributes, inputs), everything else passed
 * through: a class, so that the one made per step and run allocates one object and no closures.
 */
class Rewriting<T extends TensorInfo> extends DelegatingExec<T> {
  constructor(
    x: Exec<T>,
    private readonly map: (x: Exec<T>, name: string, inputs: readonly T[], attrs: object | undefined) => T[] | undefined,
  ) {
    super(x);
  }
  op(name: string, inputs: readonly T[], attrs?: object): T[] {
    return this.map(this.x, name, inputs, attrs) ?? this.x.op(name, inputs, attrs);
  }
}

/** Memoise one derived attribute object per source object (mappings pass the same object every run). */
function memo(f: (a: Record<string, unknown>) => object): (a: object | undefined) => object {
  const cache = new WeakMap<object, object>();
  const none = {};
  return (a) => {
    const key = a ?? none;
    let m = cache.get(key);
    if (!m) cache.set(key, (m = f(key as Record<string, unknown>)));
    return m;
  };
}

const axisOf = (a: unknown) => {
  const ax = typeof a === 'number' ? a : 0;
  return AXIS[ax < 0 ? ax + 4 : ax]!;
};

/** The lowered form of a converted step: its own lowering, with the twinops calls made NHWC. */
function nhwcLowered(c: Candidate, depthwise: boolean): Lowered {
  const inner = c.step.lowered;
  let map: CallMap;
  if (c.kind === 'conv') {
    const m = memo((a) => ({ ...a, layout: 'NHWC', filterLayout: depthwise ? 'HWIM' : 'HWIO' }));
    map = (x, name, inputs, attrs) => (name === 'Conv' ? x.op(name, inputs, m(attrs)) : undefined);
  } else if (c.kind === 'layout') {
    const m = memo((a) => ({ ...a, layout: 'NHWC' }));
    map = (x, name, inputs, attrs) => (LAYOUT_ATTR.has(name) ? x.op(name, inputs, m(attrs)) : undefined);
  } else if (c.kind === 'axis') {
    const m = memo((a) => ({ ...a, axis: axisOf(a.axis) }));
    map = (x, name, inputs, attrs) => (name === 'Concat' || name === 'Split' ? x.op(name, inputs, m(attrs)) : undefined);
  } else if (c.kind === 'resize') {
    // the mapping sees an NCHW-shaped view of X (no copy) and computes the NCHW output shape
    const m = memo((a) => {
      const [N, C, H, W] = a.outputShape as [number, number, number, number];
      return { ...a, outputShape: [N, H, W, C], layout: 'NHWC' };
    });
    return {
      calls: inner.calls,
      ...(inner.hostInputs ? { hostInputs: inner.hostInputs } : {}),
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const X = ins[0]!;
        const [N, H, W, C] = X.shape as [number, number, number, number];
        const view = x.reshape(X, [N, C, H, W]);
        const ex = new Rewriting(x, (xx, name, inputs, attrs) => (name === 'Resize' ? xx.op(name, [X, ...inputs.slice(1)], m(attrs)) : undefined));
        return inner.run(ex, [view, ...ins.slice(1)]);
      },
    };
  } else return inner;
  return {
    calls: inner.calls,
    ...(inner.hostInputs ? { hostInputs: inner.hostInputs } : {}),
    run: <T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] => inner.run(new Rewriting(x, map), ins),
  };
}

/** Convert the graph's NHWC-friendly regions (main graph only). */
export function layoutPass(g: SessionGraph): LayoutReport {
  const e = new GraphEdit(g);
  const report: LayoutReport = { regions: 0, converted: 0, transposes: 0, skipped: 0, bypassed: 0, absorbed: 0 };
  const cands = new Map<Step, Candidate>();
  for (const s of g.steps) {
    const c = classify(e, s);
    if (c) cands.set(s, c);
  }
  const producerOf = new Map<string, Step>();
  for (const s of g.steps) for (const o of s.node.outputs) if (o !== '') producerOf.set(o, s);
  const inRegion = (v: string) => {
    const p = producerOf.get(v);
    return !!p && cands.has(p);
  };
  // only a Conv may read an activation from outside (its X is 4-D by its filter); every other op
  // needs all its activations from region steps. Drop those that do not, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [s, c] of cands) {
      if (c.kind !== 'conv' && !c.data.every((k) => inRegion(s.node.inputs[k]!))) {
        cands.delete(s);
        changed = true;
      }
    }
  }
  // connected components (through values flowing between candidates)
  const root = new Map<Step, Step>();
  const find = (s: Step): Step => {
    let r = s;
    while (root.get(r) !== r) r = root.get(r)!;
    root.set(s, r);
    return r;
  };
  for (const s of cands.keys()) root.set(s, s);
  for (const [s, c] of cands) {
    for (const k of c.data) {
      const p = producerOf.get(s.node.inputs[k]!);
      if (p && cands.has(p)) root.set(find(p), find(s));
    }
  }
  const regions = new Map<Step, Candidate[]>();
  for (const [s, c] of cands) {
    const r = find(s);
    const list = regions.get(r);
    if (list) list.push(c);
    else regions.set(r, [c]);
  }
  const outputs = new Set(g.outputs.map((o) => o.name));
  const readers = new Map<string, Step[]>();
  for (const s of g.steps) for (const i of s.node.inputs) if (i !== '') (readers.get(i) ?? readers.set(i, []).get(i)!).push(s);
  /**
   * A region input a model Transpose makes (an NHWC → NCHW one, typically): the region reads the
   * Transpose's input through one composed transpose (none when the two cancel). Its source must
   * not be a region value (that would need the composition the other way round too).
   */
  const entryFrom = (v: string): { src: string; perm: number[] } | undefined => {
    const p = producerOf.get(v);
    const P = perm4(p);
    if (!P) return undefined;
    const src = p!.node.inputs[0]!;
    const sp = producerOf.get(src);
    return sp && cands.has(sp) ? undefined : { src, perm: TO_NHWC.map((i) => P[i]!) };
  };
  /** Outside readers of region value `o` that are 4-D Transposes: they read the NHWC value with a composed perm instead. */
  const absorbs = (r: Step, o: string) => r.node.inputs[0] === o && !!perm4(r);
  /** Whether region value `o` needs its exit transpose (a graph output, or a reader that needs NCHW). */
  const exitNeeded = (o: string, inside: (s: Step) => boolean) =>
    outputs.has(o) || (readers.get(o) ?? []).some((r) => (inside(r) ? !cands.get(r)!.data.some((k) => r.node.inputs[k] === o) : !absorbs(r, o)));
  const chosen = new Set<Step>();
  for (const members of regions.values()) {
    const set = new Set(members.map((c) => c.step));
    const entries = new Set<string>();
    const exits = new Set<string>();
    for (const c of members) {
      for (const k of c.data) {
        const v = c.step.node.inputs[k]!;
        const p = producerOf.get(v);
        const from = p && !set.has(p) ? entryFrom(v) : undefined;
        if ((!p || !set.has(p)) && !(from && isIdentity(from.perm))) entries.add(v);
      }
      for (const o of c.step.node.outputs) if (o !== '' && exitNeeded(o, (r) => set.has(r))) exits.add(o);
    }
    const score = members.reduce((a, c) => a + (c.viaNhwc ? 2 : 0) + (c.depthwise ?? 0), 0) - entries.size - exits.size;
    if (score <= 0) {
      report.skipped++;
      continue;
    }
    report.regions++;
    for (const s of set) chosen.add(s);
  }
  if (chosen.size === 0) return report;
  // rewrite: region values renamed, constants converted, transposes at the edges
  const taken = new Set<string>([...g.constants.keys(), ...producerOf.keys(), ...g.inputs.map((v) => v.name)]);
  const fresh = (base: string) => {
    let name = `${base}::nhwc`;
    for (let k = 1; taken.has(name); k++) name = `${base}::nhwc${k}`;
    taken.add(name);
    return name;
  };
  const renamed = new Map<string, string>();
  for (const s of chosen) for (const o of s.node.outputs) if (o !== '') renamed.set(o, fresh(o));
  const entryName = new Map<string, string>();
  const transpose = (from: string, to: string, perm: number[], name: string): Step => {
    const node: OnnxNode = { name, opType: 'Transpose', domain: '', inputs: [from], outputs: [to], attrs: new Map([['perm', attr('perm', perm)]]) };
    report.transposes++;
    return { index: 0, node, lowered: e.lower(node) };
  };
  const convertedConst = new Map<string, string>();
  const replaced = new Set<string>();
  const constOf = (name: string, make: (t: HostTensor) => HostTensor, key: string) => {
    const k = `${key}|${name}`;
    let c = convertedConst.get(k);
    if (!c) {
      c = e.addConstant(name, make(g.constants.get(name)!));
      convertedConst.set(k, c);
      replaced.add(name);
    }
    return c;
  };
  const steps: Step[] = [];
  const bypassed = new Set<Step>();
  for (const s of g.steps) {
    if (!chosen.has(s)) {
      const o = s.node.inputs[0] ?? '';
      const r = renamed.get(o);
      const P = r ? perm4(s) : undefined;
      if (r && P) {
        // a model Transpose of a region value: the same transpose of the NHWC value, perm composed
        // (an Identity where they cancel: an NCHW → NHWC Transpose at the end of an exported TF model)
        const perm = P.map((i) => TO_NCHW[i]!);
        const id = isIdentity(perm);
        const node: OnnxNode = { ...s.node, name: `${s.node.name} [NHWC]`, inputs: [r], ...(id ? { opType: 'Identity', attrs: new Map() } : { attrs: new Map([['perm', attr('perm', perm)]]) }) };
        steps.push({ index: 0, node, lowered: e.lower(node) });
        report.absorbed++;
      } else steps.push(s);
      continue;
    }
    const c = cands.get(s)!;
    const n = s.node;
    const inputs = n.inputs.slice();
    for (const k of c.data) {
      const v = inputs[k]!;
      const r = renamed.get(v);
      if (r) inputs[k] = r;
      else {
        let t = entryName.get(v);
        if (!t) {
          const from = entryFrom(v);
          if (from) bypassed.add(producerOf.get(v)!);
          if (from && isIdentity(from.perm)) t = from.src;
          else {
            t = fresh(v);
            steps.push(from ? transpose(from.src, t, from.perm, `${v} [to NHWC, composed]`) : transpose(v, t, TO_NHWC, `${v} [to NHWC]`));
          }
          entryName.set(v, t);
        }
        inputs[k] = t;
      }
    }
    let depthwise = false;
    if (c.kind === 'conv') {
      const group = int(n, 'group', 1);
      const w = g.constants.get(n.inputs[1]!)!;
      depthwise = group > 1 && w.dims[1] === 1;
      inputs[1] = constOf(n.inputs[1]!, (t) => toHwio(t, depthwise, group), depthwise ? `hwim${group}` : 'hwio');
    } else if (c.kind === 'binary') {
      inputs.forEach((i, k) => {
        if (!c.data.includes(k) && e.f32(i) && e.f32(i)!.data.length > 1) inputs[k] = constOf(i, toNhwcConstant, 'nhwc');
      });
    }
    const outs = n.outputs.map((o) => (o === '' ? o : renamed.get(o)!));
    const node: OnnxNode = { ...n, name: `${n.name} [NHWC]`, inputs, outputs: outs };
    steps.push({ index: 0, node, lowered: nhwcLowered(c, depthwise) });
    report.converted++;
    for (const o of n.outputs) if (o !== '' && exitNeeded(o, (r) => chosen.has(r))) steps.push(transpose(renamed.get(o)!, o, TO_NCHW, `${o} [to NCHW]`));
  }
  // outside readers of region values keep the NCHW names (the exit transposes write them); a model
  // Transpose the region now reads around goes when nothing else reads its output
  const read = new Set(steps.flatMap((s) => s.node.inputs));
  const keep = steps.filter((s) => !bypassed.has(s) || outputs.has(s.node.outputs[0]!) || read.has(s.node.outputs[0]!));
  report.bypassed = steps.length - keep.length;
  g.steps.length = 0;
  g.steps.push(...keep);
  e.finish();
  for (const name of replaced) if (!g.read.has(name)) g.constants.delete(name);
  return report;
}
