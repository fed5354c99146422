/**
 * What the graph passes share: a view of a session graph's consumers and constants, and the
 * rewrite of a chain of steps into one. A fused step takes the place of the chain's last step in
 * the schedule (the chain's other inputs are all computed before its first step, so before its
 * last too); `finish()` renumbers the steps, rebuilds `producer` and `read`, and drops the
 * constants nothing reads any more (weights a fold replaced).
 */
import type { SessionGraph, Step } from '../graph.js';
import type { OnnxNode } from '../model.js';
import { findMapping, type Exec, type Lowered, type LowerCtx } from '../ops/index.js';
import type { HostTensor } from '../tensor-proto.js';

export class GraphEdit {
  /** value → the steps reading it, once per input slot. */
  private readonly consumers = new Map<string, Step[]>();
  private readonly live: Set<Step>;
  private readonly outputs: Set<string>;
  private readonly replaced = new Set<string>();
  private counter = 0;

  constructor(readonly g: SessionGraph) {
    this.outputs = new Set(g.outputs.map((o) => o.name));
    this.live = new Set(g.steps);
    for (const s of g.steps) this.addReads(s);
  }

  private addReads(s: Step): void {
    for (const i of s.node.inputs) {
      if (i === '') continue;
      const list = this.consumers.get(i);
      if (list) list.push(s);
      else this.consumers.set(i, [s]);
    }
  }

  private dropReads(s: Step): void {
    for (const i of s.node.inputs) {
      const list = this.consumers.get(i);
      const k = list ? list.indexOf(s) : -1;
      if (k >= 0) list!.splice(k, 1);
    }
  }

  /** The live step writing `value`, if a step does. */
  producer(value: string): Step | undefined {
    for (const s of this.g.steps) if (s.node.outputs.includes(value)) return s;
    return undefined;
  }

  /** Whether a pass has not replaced `step` yet. */
  has(step: Step): boolean {
    return this.live.has(step);
  }

  /** The opset of the default domain. */
  get opset(): number {
    return this.g.model.opsets.get('') ?? 1;
  }

  /** The only step reading `value`, when exactly one does (by input slots) and it is not a graph output. */
  soleConsumer(value: string): Step | undefined {
    const list = this.consumers.get(value);
    return this.outputs.has(value) || !list || list.length !== 1 ? undefined : list[0];
  }

  /** A float32 constant's host value. */
  f32(name: string | undefined): HostTensor | undefined {
    const t = name ? this.g.constants.get(name) : undefined;
    return t && t.dtype === 'float32' ? t : undefined;
  }

  /** The value of a one-element float32 constant. */
  scalar(name: string | undefined): number | undefined {
    const t = this.f32(name);
    return t && t.data.length === 1 ? (t.data as Float32Array)[0] : undefined;
  }

  /** Add a constant a pass computed; returns its (fresh) name. */
  addConstant(base: string, t: HostTensor): string {
    let name: string;
    do name = `${base}::folded${this.counter++}`;
    while (this.g.constants.has(name));
    this.g.constants.set(name, t);
    return name;
  }

  /** Replace `chain` (in schedule order, each feeding the next) by `fused`, which takes the last one's place. */
  replace(chain: readonly Step[], fused: { node: OnnxNode; lowered: Lowered }): Step {
    const last = chain[chain.length - 1]!;
    for (const s of chain) {
      this.dropReads(s);
      this.live.delete(s);
      for (const i of s.node.inputs) if (this.g.constants.has(i)) this.replaced.add(i);
    }
    const step: Step = { index: last.index, node: fused.node, lowered: fused.lowered };
    this.addReads(step);
    this.live.add(step);
    const drop = new Set(chain.slice(0, -1));
    const at = this.g.steps.indexOf(last);
    this.g.steps[at] = step;
    for (let k = this.g.steps.length - 1; k >= 0; k--) if (drop.has(this.g.steps[k]!)) this.g.steps.splice(k, 1);
    return step;
  }

  /** Renumber, rebuild producer/read, drop replaced constants nothing reads. */
  finish(): void {
    const g = this.g;
    g.steps.forEach((s, k) => (s.index = k));
    g.producer.clear();
    for (const s of g.steps) for (const o of s.node.outputs) if (o !== '') g.producer.set(o, s.index);
    g.read.clear();
    for (const s of g.steps) for (const i of s.node.inputs) if (i !== '') g.read.add(i);
    for (const o of this.outputs) g.read.add(o);
    for (const c of this.replaced) if (!g.read.has(c)) g.constants.delete(c);
  }

  /** Lower `node` (a rewritten ONNX node) through the mapping table, with this graph's constants. */
  lower(node: OnnxNode): Lowered {
    const mapping = findMapping(node.domain, node.opType);
    if (!mapping) throw new Error(`graph pass: no mapping for ${node.opType}`);
    const ctx: LowerCtx = {
      opset: this.g.model.opsets.get(node.domain) ?? 1,
      constant: (i) => this.g.constants.get(node.inputs[i] ?? ''),
      used: (k) => this.g.read.has(node.outputs[k] ?? '') || this.outputs.has(node.outputs[k] ?? ''),
    };
    return mapping.lower(node, ctx);
  }
}

/**
 * An Exec that adds `extra` attributes (a fused activation) and trailing inputs (a fused bias) to
 * every call of twinops op `op`, and passes everything else through.
 */
export function injecting<T extends import('../../../ops/types.js').TensorInfo>(x: Exec<T>, op: string, extra: object, moreInputs: readonly T[] = [], merged = new WeakMap<object, object>()): Exec<T> {
  return new Injecting(x, op, extra, moreInputs, merged);
}

/**
 * An Exec that passes everything but `op` through to `x`; a pass's per-run wrapper extends it. A
 * class, so that making one per step and run allocates one object and no closures.
 */
export abstract class DelegatingExec<T extends import('../../../ops/types.js').TensorInfo> implements Exec<T> {
  constructor(protected readonly x: Exec<T>) {}
  abstract op(name: string, inputs: readonly T[], attrs?: object): T[];
  reshape(t: T, shape: readonly number[]): T {
    return this.x.reshape(t, shape);
  }
  scalar(t: T): number | undefined {
    return this.x.scalar(t);
  }
  ints(t: T): number[] | undefined {
    return this.x.ints(t);
  }
  tensor(h: HostTensor): T {
    return this.x.tensor(h);
  }
}

/** injecting()'s delegate. */
class Injecting<T extends import('../../../ops/types.js').TensorInfo> extends DelegatingExec<T> {
  constructor(
    x: Exec<T>,
    private readonly name: string,
    private readonly extra: object,
    private readonly moreInputs: readonly T[],
    private readonly merged: WeakMap<object, object>,
  ) {
    super(x);
  }

  op(name: string, inputs: readonly T[], attrs?: object): T[] {
    if (name !== this.name) return this.x.op(name, inputs, attrs);
    // a mapping passes the same attribute object every run: merge once (pass the same `merged` map)
    const key = attrs ?? this.extra;
    let m = this.merged.get(key);
    if (!m) this.merged.set(key, (m = { ...(attrs ?? {}), ...this.extra }));
    return this.x.op(name, this.moreInputs.length ? [...inputs, ...this.moreInputs] : inputs, m);
  }
}
