/**
 * The executor's fast path: a schedule compiled once per fetch set into arrays indexed by value id
 * (every value name of the graph gets a small integer), with each step's input and output slots and
 * the values to release after it precomputed. A run then walks plain arrays: no Map/Set/closure per
 * step, one Exec for the whole executor, and each op call site keeps a CallCache so that a repeated
 * run skips the op contract's plan() and the registry lookup (core/call-cache.ts says when).
 * Used for wasm sessions whose schedule has no value nodes (If, Loop, sequences): everything else
 * takes the executor's general path.
 */
import { scalarOf } from '../../core/dtype.js';
import { CallCache, type Runtime } from '../../core/runtime.js';
import { Tensor } from '../../core/tensor.js';
import { isValueLowered } from './control-flow.js';
import { UnsupportedModelError } from './errors.js';
import type { SessionGraph, Step } from './graph.js';
import type { Exec } from './ops/types.js';
import type { HostTensor } from './tensor-proto.js';
import { describe, type Value } from './values.js';

export interface PlannedStep {
  readonly step: Step;
  /** Value id per node input, -1 for an absent ('') input. */
  readonly ins: Int32Array;
  /** Value id per node output, -1 for an absent ('') output. */
  readonly outs: Int32Array;
  /** Whether output k is read by some node or is a graph output (an unread optional output may be missing). */
  readonly outRead: readonly boolean[];
  /** Values this run no longer needs after the step (inputs at their last use, outputs nobody reads). */
  readonly release: Int32Array;
  /** One per twinops op call the node makes, in call order. */
  readonly caches: CallCache[];
  /** The node's inputs, filled before the step and cleared after it (reused across runs). */
  readonly args: (Tensor | undefined)[];
}

export interface RunPlan {
  readonly steps: readonly PlannedStep[];
  /** Value ids read by some step or fetched: a feed outside them is released at once. */
  readonly used: Uint8Array;
  /** Value id per fetch (-1: a name the graph does not have). */
  readonly fetches: Int32Array;
}

/** Value ids for every name a graph uses (inputs, constants, node inputs and outputs, outputs). */
export function valueIds(graph: SessionGraph): Map<string, number> {
  const ids = new Map<string, number>();
  const add = (n: string) => {
    if (n !== '' && !ids.has(n)) ids.set(n, ids.size);
  };
  for (const v of graph.inputs) add(v.name);
  for (const n of graph.constants.keys()) add(n);
  for (const s of graph.steps) {
    for (const n of s.node.inputs) add(n);
    for (const n of s.node.outputs) add(n);
  }
  for (const v of graph.outputs) add(v.name);
  return ids;
}

/**
 * Compile `steps` (the schedule for `fetches`, folded steps left out) into a RunPlan, or undefined
 * when a step is a value node (the general path runs those).
 */
export function compileRunPlan(graph: SessionGraph, ids: ReadonlyMap<string, number>, steps: readonly Step[], fetches: readonly string[]): RunPlan | undefined {
  if (steps.some((s) => isValueLowered(s.lowered))) return undefined;
  const id = (n: string) => (n === '' ? -1 : (ids.get(n) ?? -1));
  const lastUse = new Int32Array(ids.size).fill(-1);
  const fetched = new Uint8Array(ids.size);
  steps.forEach((s, k) => {
    for (const n of s.node.inputs) if (n !== '') lastUse[id(n)] = k;
  });
  for (const f of fetches) if (ids.has(f)) fetched[id(f)] = 1;
  const used = new Uint8Array(ids.size);
  for (let v = 0; v < ids.size; v++) used[v] = lastUse[v]! >= 0 || fetched[v] ? 1 : 0;
  const planned = steps.map((step, k): PlannedStep => {
    const { node } = step;
    const release = new Set<number>();
    for (const n of node.inputs) if (n !== '' && lastUse[id(n)] === k && !fetched[id(n)]) release.add(id(n));
    for (const n of node.outputs) if (n !== '' && !used[id(n)]) release.add(id(n));
    return {
      step,
      ins: Int32Array.from(node.inputs, id),
      outs: Int32Array.from(node.outputs, id),
      outRead: node.outputs.map((n) => graph.read.has(n)),
      release: Int32Array.from(release),
      caches: [],
      args: node.inputs.map(() => undefined),
    };
  });
  return { steps: planned, used, fetches: Int32Array.from(fetches, id) };
}

/**
 * The Exec of the fast path: one per executor. `begin` points it at a step (its call caches); every
 * tensor it makes for the step is listed in `made` so that the executor frees what the node leaves behind.
 */
export class PlannedExec implements Exec<Tensor> {
  /** made[0 .. count) are this step's tensors (the array is reused: its length never shrinks). */
  readonly made: (Tensor | undefined)[] = [];
  count = 0;
  private caches: CallCache[] = [];
  private call = 0;

  constructor(private readonly rt: Runtime) {}

  begin(step: PlannedStep): void {
    this.caches = step.caches;
    this.call = 0;
    this.count = 0;
  }

  /** Whether `v` is one of this step's tensors. */
  madeHere(v: unknown): boolean {
    for (let i = 0; i < this.count; i++) if (this.made[i] === v) return true;
    return false;
  }

  private keep(t: Tensor): void {
    this.made[this.count++] = t;
  }

  op(name: string, inputs: readonly Tensor[], attrs?: object): Tensor[] {
    for (let i = 0; i < inputs.length; i++) {
      if (!(inputs[i] instanceof Tensor)) throw new UnsupportedModelError(`${name}: input ${i} is ${describe(inputs[i] as unknown as Value)} where a tensor is needed`);
    }
    const k = this.call++;
    const cache = this.caches[k] ?? (this.caches[k] = new CallCache());
    const outs = this.rt.runCached(name, inputs, attrs, cache);
    for (let i = 0; i < outs.length; i++) this.keep(outs[i]!);
    return outs;
  }

  reshape(t: Tensor, shape: readonly number[]): Tensor {
    const r = this.rt.reshape(t, shape);
    this.keep(r);
    return r;
  }

  scalar(t: Tensor): number | undefined {
    if (t.size !== 1) return undefined;
    return scalarOf(t.dtype, t.dataSync() as ArrayLike<number | bigint>);
  }

  ints(t: Tensor): number[] {
    return Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);
  }

  tensor(host: HostTensor): Tensor {
    const t = this.rt.tensor(host.data, host.dims, host.dtype);
    this.keep(t);
    return t;
  }
}
