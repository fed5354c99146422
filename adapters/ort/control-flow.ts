/**
 * Nodes that work on whole values rather than through twinops ops alone: If, Loop, Scan (which run
 * subgraphs), and the sequence and optional ops. Their lowering carries a `value` op the executor
 * runs with a ValueCtx (the runtime and a way to run a subgraph); shape inference asks its `infer`,
 * which may leave outputs unknown (they are then found at run time).
 *
 * Outer-scope capture: a subgraph may read values of the graphs around it. Those names (its free
 * names, nested subgraphs included) are appended to the node's inputs, after its own
 * (`implicitInputs` counts them), so scheduling, liveness (disposal after the last reader) and
 * value lookup treat them like any other input.
 */
import type { Runtime } from '../../core/runtime.js';
import type { Tensor } from '../../core/tensor.js';
import { UnsupportedNodeError } from './errors.js';
import type { SessionGraph } from './graph.js';
import type { InfoValue } from './infer.js';
import type { OnnxGraph, OnnxNode } from './model.js';
import type { LowerCtx, Lowered } from './ops/index.js';
import type { Value } from './values.js';

/** What a value op gets at run time. */
export interface ValueCtx {
  rt: Runtime;
  node: OnnxNode;
  /**
   * Run a twinops op on the device that has its kernel (the session's, else wasm), moving inputs
   * there first; the outputs are the caller's.
   */
  op(name: string, inputs: readonly Tensor[], attrs?: object): Promise<Tensor[]>;
  /**
   * Run a subgraph. The feeds (its inputs and the outer values it reads, by name) become the
   * callee's and are disposed there; the outputs come back in the subgraph's output order, owned by
   * the caller.
   */
  runGraph(g: SessionGraph, feeds: Map<string, Value>): Promise<Value[]>;
}

export interface ValueOp {
  /** Inputs are borrowed; the outputs are fresh values the caller owns (shared handles, never the inputs themselves). */
  exec(ctx: ValueCtx, ins: readonly (Value | undefined)[]): Promise<(Value | undefined)[]>;
  /** Output infos where they are known without running (undefined entries: unknown until run time). */
  infer?(ins: readonly (InfoValue | undefined)[], ctx: InferCtx): (InfoValue | undefined)[];
}

/** What a value op's inference gets: shape inference of a subgraph from what is known of its feeds. */
export interface InferCtx {
  /** The subgraph's values that inference can tell (unsupported nodes throw, as in the main graph). */
  graph(g: SessionGraph, known: ReadonlyMap<string, InfoValue>): ReadonlyMap<string, InfoValue>;
}

export interface ValueLowered extends Lowered {
  readonly value: ValueOp;
}

export function isValueLowered(l: Lowered): l is ValueLowered {
  return (l as Partial<ValueLowered>).value !== undefined;
}

/** A value lowering: `run` is never called through an Exec (the executor and inference take `value`). */
export function valueLowered(calls: readonly string[], value: ValueOp): ValueLowered {
  return {
    calls,
    value,
    run(): never {
      throw new UnsupportedNodeError('this node works on sequences, optionals or subgraphs and runs through the executor only');
    },
  };
}

/** The lowering context of graph.ts, which can also build the session graph of a subgraph attribute. */
export interface ScopeLowerCtx extends LowerCtx {
  subgraph(g: OnnxGraph): SessionGraph;
}

export function subgraphOf(ctx: LowerCtx, node: OnnxNode, attr: string): { graph: SessionGraph; free: string[] } {
  const a = node.attrs.get(attr);
  if (!a?.g) throw new UnsupportedNodeError(`graph attribute '${attr}' is missing`);
  const build = (ctx as Partial<ScopeLowerCtx>).subgraph;
  if (!build) throw new UnsupportedNodeError('subgraphs are lowered only within a session graph');
  return { graph: build(a.g), free: freeNames(a.g) };
}

/** Values a graph reads that it does not define (outer-scope reads), in first-read order. */
export function freeNames(g: OnnxGraph): string[] {
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  const free: string[] = [];
  const add = (name: string) => {
    if (name !== '' && !defined.has(name) && !free.includes(name)) free.push(name);
  };
  for (const n of g.nodes) {
    for (const i of n.inputs) add(i);
    for (const a of n.attrs.values()) for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) for (const f of freeNames(sub)) add(f);
  }
  for (const o of g.outputs) add(o.name);
  return free;
}

/** The nodes with each subgraph's outer-scope reads appended to its inputs (see the file comment). */
export function withCaptures(nodes: readonly OnnxNode[]): OnnxNode[] {
  return nodes.map((n) => {
    const subs = [...n.attrs.values()].flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]);
    if (subs.length === 0) return n;
    const extra: string[] = [];
    for (const g of subs) for (const f of freeNames(g)) if (!extra.includes(f)) extra.push(f);
    return extra.length === 0 ? n : { ...n, inputs: [...n.inputs, ...extra], implicitInputs: extra.length };
  });
}

/** The node's own inputs (without the captured outer values). */
export function explicitInputs<T>(node: OnnxNode, ins: readonly T[]): T[] {
  return ins.slice(0, ins.length - (node.implicitInputs ?? 0));
}

/** The captured outer values by name. */
export function capturedValues<T>(node: OnnxNode, ins: readonly T[]): Map<string, T> {
  const k = node.implicitInputs ?? 0;
  const names = node.inputs.slice(node.inputs.length - k);
  const vals = ins.slice(ins.length - k);
  return new Map(names.map((n, i) => [n, vals[i]!]));
}
