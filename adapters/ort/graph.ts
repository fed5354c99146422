/**
 * The session graph: Constant nodes folded into host tensors, every other node lowered through the
 * mapping table (all unsupported nodes collected into one error), and a topological schedule.
 */
import { withCaptures, type ScopeLowerCtx } from './control-flow.js';
import { OnnxModelError, UnsupportedNodeError, UnsupportedOpsError, type UnsupportedNode } from './errors.js';
import type { OnnxGraph, OnnxModel, OnnxNode, ValueDecl } from './model.js';
import { constantValue, findMapping, type Lowered } from './ops/index.js';
import type { HostTensor } from './tensor-proto.js';

export interface Step {
  /** Position in the schedule. */
  index: number;
  node: OnnxNode;
  lowered: Lowered;
}

export interface SessionGraph {
  model: OnnxModel;
  /** Initializers and Constant outputs: uploaded once per session. */
  constants: Map<string, HostTensor>;
  /** Nodes in a topological order (ties keep the model's order). */
  steps: Step[];
  inputs: ValueDecl[];
  outputs: ValueDecl[];
  /** value name → index of the step that produces it. */
  producer: Map<string, number>;
  /** Values some node reads, and the graph outputs: a node output outside it may be left out. */
  read: Set<string>;
}

/** Order nodes so each runs after the producers of its inputs; reject undefined values and cycles. */
function schedule(nodes: readonly OnnxNode[], available: ReadonlySet<string>): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, k) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o) || available.has(o)) throw new OnnxModelError(`value '${o}' is defined twice (node '${n.name}' writes an existing value)`);
      producer.set(o, k);
    }
  });
  const pending = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, k) => {
    for (const i of n.inputs) {
      if (i === '' || available.has(i)) continue;
      const p = producer.get(i);
      if (p === undefined) throw new OnnxModelError(`node '${n.name}' (${n.opType}) reads '${i}', which no node, graph input or initializer defines`);
      pending[k]!++;
      consumers[p]!.push(k);
    }
  });
  // Kahn's algorithm over a min-ordered ready list, so independent nodes keep the model's order
  const ready = nodes.map((_, k) => k).filter((k) => pending[k] === 0);
  const order: OnnxNode[] = [];
  while (ready.length > 0) {
    let best = 0;
    for (let r = 1; r < ready.length; r++) if (ready[r]! < ready[best]!) best = r;
    const k = ready.splice(best, 1)[0]!;
    order.push(nodes[k]!);
    for (const c of consumers[k]!) if (--pending[c]! === 0) ready.push(c);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, k) => pending[k]! > 0).map((n) => `'${n.name}'`);
    throw new OnnxModelError(`the graph has a cycle through node${stuck.length > 1 ? 's' : ''} ${stuck.slice(0, 10).join(', ')}${stuck.length > 10 ? ', ...' : ''}`);
  }
  return order;
}

/**
 * Build the session graph; throws UnsupportedOpsError listing every node that cannot be lowered.
 * `outer`: for a subgraph, the names of the enclosing graphs' values it may read.
 */
export function buildGraph(model: OnnxModel, outer: ReadonlySet<string> = new Set()): SessionGraph {
  const constants = new Map(model.initializers);
  const nodes = withCaptures(model.nodes);
  // a subgraph's own definitions shadow the enclosing graphs' values of the same name
  const local = new Set(nodes.flatMap((n) => n.outputs));
  const available = new Set<string>([...[...outer].filter((n) => !local.has(n)), ...model.inputs.map((v) => v.name), ...constants.keys()]);
  const ordered = schedule(nodes, available);
  const read = new Set<string>([...nodes.flatMap((n) => n.inputs), ...model.outputs.map((o) => o.name)]);
  // what a subgraph of this graph may read: every value here and around it
  const scope = new Set<string>([...available, ...nodes.flatMap((n) => n.outputs)]);
  const subgraph = (g: OnnxGraph) => buildGraph({ ...model, ...g }, scope);
  read.delete('');
  const unsupported: UnsupportedNode[] = [];
  const steps: Step[] = [];
  for (const node of ordered) {
    const opset = model.opsets.get(node.domain);
    const report = (reason: string) => unsupported.push({ node: node.name, op: node.opType, domain: node.domain, opset: opset ?? 0, reason });
    if (opset === undefined) {
      report(`domain '${node.domain}' is not imported by the model`);
      continue;
    }
    if (node.domain === '' && node.opType === 'Constant') {
      try {
        const out = node.outputs[0];
        if (node.outputs.length !== 1 || !out) throw new UnsupportedNodeError('Constant must have exactly one output');
        constants.set(out, constantValue(node));
      } catch (e) {
        if (!(e instanceof UnsupportedNodeError)) throw e;
        report(e.message);
      }
      continue;
    }
    if (model.functions.has(`${node.domain}::${node.opType}`)) {
      report('model-local functions are not expanded yet');
      continue;
    }
    const mapping = findMapping(node.domain, node.opType);
    if (!mapping) {
      report('no twinops mapping');
      continue;
    }
    if (mapping.sinceOpset !== undefined && opset < mapping.sinceOpset) {
      report(`mapped from opset ${mapping.sinceOpset} on`);
      continue;
    }
    try {
      const ctx: ScopeLowerCtx = { opset, constant: (i) => constants.get(node.inputs[i] ?? ''), used: (k) => read.has(node.outputs[k] ?? ''), subgraph };
      const lowered = mapping.lower(node, ctx);
      steps.push({ index: steps.length, node, lowered });
    } catch (e) {
      // a subgraph's unsupported nodes join this graph's list
      if (e instanceof UnsupportedOpsError) unsupported.push(...e.nodes);
      else if (!(e instanceof UnsupportedNodeError)) throw e;
      else report(e.message);
    }
  }
  if (unsupported.length > 0) throw new UnsupportedOpsError(unsupported);
  const producer = new Map<string, number>();
  for (const s of steps) for (const o of s.node.outputs) if (o !== '') producer.set(o, s.index);
  for (const o of model.outputs) {
    if (!producer.has(o.name) && !constants.has(o.name) && !model.inputs.some((i) => i.name === o.name) && !outer.has(o.name)) {
      throw new OnnxModelError(`graph output '${o.name}' is not produced by any node`);
    }
  }
  return { model, constants, steps, inputs: model.inputs, outputs: model.outputs, producer, read };
}

/** The steps needed to compute `fetches`, in schedule order. */
export function neededSteps(g: SessionGraph, fetches: readonly string[]): Step[] {
  const need = new Set<number>();
  const stack = [...fetches];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const p = g.producer.get(v);
    if (p === undefined || need.has(p)) continue;
    need.add(p);
    for (const i of g.steps[p]!.node.inputs) if (i !== '') stack.push(i);
  }
  return g.steps.filter((s) => need.has(s.index));
}
