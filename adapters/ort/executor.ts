/**
 * Runs a session graph on a twinops Runtime. Constants are uploaded once; each run takes the fed
 * tensors, executes the steps a fetch needs in schedule order and disposes every intermediate right
 * after its last consumer, so the wasm heap reuses those bytes for later nodes (the heap's best-fit
 * free list is the buffer pool). WebGPU sessions move a value between devices only where a node
 * falls back to wasm.
 */
import { gpuStorable, scalarOf } from '../../core/dtype.js';
import { DeviceError } from '../../core/errors.js';
import type { Runtime } from '../../core/runtime.js';
import { Tensor, type Device } from '../../core/tensor.js';
import type { TensorInfo } from '../../ops/types.js';
import { OPS } from '../../ops/index.js';
import type { Registry } from '../../registry/registry.js';
import { isValueLowered, type ValueCtx } from './control-flow.js';
import { UnsupportedModelError } from './errors.js';
import { neededSteps, type SessionGraph, type Step } from './graph.js';
import { inferShapes, probeStep, type InfoValue, type ShapePlan, type StepInfo } from './infer.js';
import type { Exec } from './ops/index.js';
import type { Profiler } from './profiler.js';
import { describe, disposeValue, share, type Value } from './values.js';
import { compileRunPlan, PlannedExec, valueIds, type RunPlan } from './run-plan.js';

const PLAN_CACHE_SIZE = 8;
/** Wasm inputs up to this size give their values to a run-time probe (shapes, axes, scalars). */
const PROBE_VALUES_MAX = 64;

export class Executor {
  private readonly constants = new Map<string, Tensor>();
  private readonly movedConstants = new Map<string, Tensor>();
  /** Steps computed at session creation by constant folding. */
  private readonly folded = new Set<number>();
  private readonly plans = new Map<string, ShapePlan>();
  private readonly schedules = new Map<string, Schedule>();
  /** The last schedule used, checked before building a key (runs usually fetch the same outputs). */
  private lastSchedule: Schedule | undefined;
  /** The last shape plan used and the feed signature it was made for. */
  private lastPlan: { plan: ShapePlan; names: string[]; dtypes: string[]; shapes: number[][] } | undefined;
  /** Value ids and constants by id, for the fast path (made at first use, after folding). */
  private ids: Map<string, number> | undefined;
  private constById: (Tensor | undefined)[] = [];
  private exec: PlannedExec | undefined;
  private warned = false;
  /** One executor per subgraph (If branches, Loop/Scan bodies), made at first use. */
  private readonly subs = new Map<SessionGraph, Executor>();

  constructor(
    private readonly rt: Runtime,
    private readonly graph: SessionGraph,
    private readonly registry: Registry,
    private readonly warn: (msg: string) => void,
    private readonly fold = true,
  ) {
    try {
      for (const [name, t] of graph.constants) {
        // int64 constants stay on wasm (WebGPU has no 64-bit integers); rt.tensor handles that
        this.constants.set(name, rt.tensor(t.data, t.dims, t.dtype));
      }
      if (fold) this.foldConstants();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * Constant folding: a node whose inputs are all constants runs once, here, on the session's
   * runtime, and its outputs become constants (reshaped or transposed weights, shape arithmetic).
   * A node that cannot run now is left to run time, where its error surfaces with the run.
   */
  private foldConstants(): void {
    for (const step of this.graph.steps) {
      const { node } = step;
      if (isValueLowered(step.lowered)) continue; // subgraphs and sequences run at run time
      if (!node.inputs.some((n) => n !== '') || !node.inputs.every((n) => n === '' || this.constants.has(n))) continue;
      const scratch: Tensor[] = [];
      const claimed = new Map<string, Tensor>();
      try {
        const outs = step.lowered.run(runtimeExec(this.rt, scratch), node.inputs.map((n) => (n === '' ? undefined : this.constants.get(n))));
        node.outputs.forEach((name, k) => {
          if (name === '') return;
          let o = outs[k];
          if (!o && !this.graph.read.has(name)) return;
          if (!o) throw new DeviceError(node.name, `produced no output ${k} ('${name}')`);
          if (!scratch.includes(o) || [...claimed.values()].includes(o)) o = this.rt.reshape(o, o.shape);
          claimed.set(name, o);
        });
        for (const [name, t] of claimed) this.constants.set(name, t);
        this.folded.add(step.index);
      } catch {
        for (const t of claimed.values()) if (!scratch.includes(t)) t.dispose();
        claimed.clear();
      } finally {
        const kept = new Set(claimed.values());
        for (const t of scratch) if (!kept.has(t)) t.dispose();
      }
    }
  }

  /** A constant's copy on another device, made once per session. */
  private async constantOn(name: string, t: Tensor, device: Device): Promise<Tensor> {
    const key = `${name}@${device}`;
    let c = this.movedConstants.get(key);
    if (!c) {
      c = await this.rt.to(t, device);
      this.movedConstants.set(key, c);
    }
    return c;
  }

  /** The shape plan for these fed shapes (cached per shape signature). */
  plan(feeds: ReadonlyMap<string, TensorInfo>): ShapePlan {
    let key = '';
    for (const [n, t] of feeds) key += `${n}:${t.dtype}[${t.shape.join(',')}];`;
    let p = this.plans.get(key);
    if (!p) {
      p = inferShapes(this.graph, new Map(feeds), this.registry, this.rt.device);
      if (this.plans.size >= PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, p);
      if (p.fallbacks.length > 0 && !this.warned) {
        this.warned = true;
        this.warn(`twinops-webgpu: ${p.fallbacks.length} node(s) have no WebGPU kernel and run on wasm: ${p.fallbacks.join(', ')}`);
      }
    }
    return p;
  }

  private schedule(fetches: readonly string[]): Schedule {
    const last = this.lastSchedule;
    if (last && sameNames(last.fetches, fetches)) return last;
    const key = fetches.join('\u0000');
    let s = this.schedules.get(key);
    if (!s) {
      const steps = neededSteps(this.graph, fetches).filter((st) => !this.folded.has(st.index));
      const lastUse = new Map<string, number>();
      for (const st of steps) for (const i of st.node.inputs) if (i !== '') lastUse.set(i, st.index);
      for (const f of fetches) lastUse.set(f, Infinity);
      let fast: RunPlan | undefined;
      if (this.rt.device === 'wasm') {
        if (!this.ids) {
          this.ids = valueIds(this.graph);
          for (const [n, t] of this.constants) this.constById[this.ids.get(n)!] = t;
        }
        fast = compileRunPlan(this.graph, this.ids, steps, fetches);
      }
      s = { fetches: fetches.slice(), steps, lastUse, fast };
      this.schedules.set(key, s);
    }
    this.lastSchedule = s;
    return s;
  }

  /** The shape plan for the tensor feeds of a run: the last one while the feeds' names, dtypes and shapes repeat. */
  private planFor(feeds: ReadonlyMap<string, Value>): ShapePlan {
    const last = this.lastPlan;
    if (last) {
      let k = 0;
      let hit = true;
      for (const [n, v] of feeds) {
        if (!(v instanceof Tensor)) continue;
        if (k >= last.names.length || last.names[k] !== n || last.dtypes[k] !== v.dtype || !sameDims(last.shapes[k]!, v.shape)) {
          hit = false;
          break;
        }
        k++;
      }
      if (hit && k === last.names.length) return last.plan;
    }
    const tensorFeeds = new Map<string, Tensor>();
    for (const [n, v] of feeds) if (v instanceof Tensor) tensorFeeds.set(n, v);
    const plan = this.plan(tensorFeeds);
    const ts = [...tensorFeeds.values()];
    this.lastPlan = { plan, names: [...tensorFeeds.keys()], dtypes: ts.map((t) => t.dtype), shapes: ts.map((t) => t.shape.slice()) };
    return plan;
  }

  /**
   * Run the graph. `feeds` are values (tensors, sequences, optionals) the caller made for this run:
   * they are disposed here (at their last use or at the end). Returns one fresh value per fetch; the
   * caller disposes them. Subgraphs run through here too, with their outer-scope reads among the feeds.
   * A compiled schedule (wasm, no value nodes) runs synchronously and returns the Map itself, which
   * saves the caller a promise and a microtask per run; callers await the result either way.
   */
  run(feeds: Map<string, Value>, fetches: readonly string[], profiler?: Profiler): Map<string, Value> | Promise<Map<string, Value>> {
    // (errors here leave the feeds to the caller, as before any step ran)
    const plan = this.planFor(feeds);
    const sched = this.schedule(fetches);
    if (sched.fast) return this.runPlanned(sched.fast, feeds, fetches, profiler);
    return this.runSteps(plan, sched, feeds, fetches, profiler);
  }

  private async runSteps(plan: ShapePlan, sched: ReturnType<Executor['schedule']>, feeds: Map<string, Value>, fetches: readonly string[], profiler?: Profiler): Promise<Map<string, Value>> {
    const rt = this.rt;
    const { steps, lastUse } = sched;
    const env = new Map<string, Value>(feeds);
    const owned = new Set<Value>(feeds.values());
    const release = (name: string) => {
      const t = env.get(name);
      if (t && owned.has(t)) {
        owned.delete(t);
        disposeValue(t);
      }
      env.delete(name);
    };
    const runId = profiler?.nextRun() ?? 0;
    try {
      for (const f of feeds.keys()) if (!lastUse.has(f)) release(f);
      for (const step of steps) {
        const { node } = step;
        if (isValueLowered(step.lowered)) {
          await this.runValueStep(step, env, owned, profiler, runId);
          for (const name of node.inputs) if (name !== '' && lastUse.get(name) === step.index) release(name);
          for (const name of node.outputs) if (name !== '' && !lastUse.has(name)) release(name);
          continue;
        }
        let info = plan.steps.get(step.index);
        const t0 = profiler ? performance.now() : 0;
        const scratch: Tensor[] = [];
        const ins: (Tensor | undefined)[] = [];
        // host-read inputs: declared by the mapping, or found by probing a node the shape plan could not see
        const hostReads = new Set(step.lowered.hostInputs ?? []);
        const onWasm = new Map<number, Tensor>();
        if (!info && rt.device !== 'wasm') info = await this.probe(step, env, hostReads, onWasm, scratch);
        for (const k of info?.hostReads ?? []) hostReads.add(k);
        for (const [k, name] of node.inputs.entries()) {
          if (name === '') {
            ins.push(undefined);
            continue;
          }
          const v = onWasm.get(k) ?? env.get(name) ?? this.constants.get(name);
          if (!v) throw new DeviceError(node.name, `value '${name}' is not available (internal scheduling error)`);
          if (!(v instanceof Tensor)) {
            // a sequence or optional: only a node passing it through (Identity) accepts it; Exec.op refuses it
            ins.push(v as unknown as Tensor);
            continue;
          }
          let t = v;
          // int64 values (shapes, axes) and other dtypes outside GPU_DTYPES stay on wasm: WebGPU cannot hold them
          if (info?.device && t.device !== info.device && !(info.device === 'webgpu' && !gpuStorable(t.dtype)) && !hostReads.has(k)) {
            if (env.has(name)) {
              t = await rt.to(t, info.device);
              scratch.push(t);
            } else {
              t = await this.constantOn(name, t, info.device);
            }
          }
          // values the node reads on the host (Range's scalars, a fed Clip bound) must be readable synchronously
          if (t.device !== 'wasm' && hostReads.has(k)) {
            t = await rt.to(t, 'wasm');
            scratch.push(t);
          }
          ins.push(t);
        }
        const claimed = new Set<Tensor>();
        try {
          const outs = step.lowered.run(runtimeExec(rt, scratch, info?.device), ins);
          const created = new Set(scratch);
          node.outputs.forEach((name, k) => {
            if (name === '') return;
            let o = outs[k];
            if (!o && !this.graph.read.has(name)) return; // an optional output nobody reads
            if (!o) throw new DeviceError(node.name, `produced no output ${k} ('${name}')`);
            // an input passed through (Identity), or one tensor returned twice, gets its own handle
            if (!created.has(o) || claimed.has(o)) o = share(rt, o) as Tensor;
            claimed.add(o);
            env.set(name, o);
            owned.add(o);
          });
        } finally {
          for (const t of scratch) if (!claimed.has(t)) t.dispose();
        }
        if (profiler) {
          const outDesc = node.outputs.map((n) => { const t = env.get(n); return t ? describe(t) : '-'; }).join(' ');
          profiler.record(runId, node.name, node.opType, info?.device ?? ins.find((t) => t instanceof Tensor)?.device ?? rt.device, t0, performance.now(), outDesc);
        }
        for (const name of node.inputs) if (name !== '' && lastUse.get(name) === step.index) release(name);
        for (const name of node.outputs) if (name !== '' && !lastUse.has(name)) release(name);
      }
      const result = new Map<string, Value>();
      for (const f of fetches) {
        const t = env.get(f) ?? this.constants.get(f);
        if (!t) throw new DeviceError('InferenceSession', `output '${f}' was not computed`);
        if (!result.has(f)) result.set(f, share(rt, t));
      }
      return result;
    } finally {
      for (const t of owned) disposeValue(t);
    }
  }

  /**
   * The fast path (see run-plan.ts): the same steps, releases and errors as the general path below,
   * over arrays indexed by value id. Synchronous: on wasm nothing waits.
   */
  private runPlanned(rp: RunPlan, feeds: Map<string, Value>, fetches: readonly string[], profiler?: Profiler): Map<string, Value> {
    const rt = this.rt;
    const ids = this.ids!;
    const consts = this.constById;
    const vals: (Value | undefined)[] = new Array(ids.size);
    const exec = (this.exec ??= new PlannedExec(rt));
    const made = exec.made;
    // outputs the step keeps (claimed[0 .. nClaimed)), reused across steps
    const claimed: Value[] = [];
    let nClaimed = 0;
    const runId = profiler?.nextRun() ?? 0;
    let result: Map<string, Value> | undefined;
    try {
      for (const [n, v] of feeds) {
        const id = ids.get(n);
        if (id === undefined || !rp.used[id]) disposeValue(v);
        else vals[id] = v;
      }
      const steps = rp.steps;
      for (let s = 0; s < steps.length; s++) {
        const ps = steps[s]!;
        const node = ps.step.node;
        const t0 = profiler ? performance.now() : 0;
        const args = ps.args;
        for (let k = 0; k < ps.ins.length; k++) {
          const id = ps.ins[k]!;
          if (id < 0) {
            args[k] = undefined;
            continue;
          }
          const v = vals[id] ?? consts[id];
          if (!v) throw new DeviceError(node.name, `value '${node.inputs[k]}' is not available (internal scheduling error)`);
          // a sequence or optional passes as is: only a node passing it through (Identity) accepts it
          args[k] = v as Tensor;
        }
        exec.begin(ps);
        nClaimed = 0;
        try {
          const outs: readonly (Value | undefined)[] = ps.step.lowered.run(exec, args);
          for (let k = 0; k < ps.outs.length; k++) {
            const id = ps.outs[k]!;
            if (id < 0) continue;
            let o = outs[k];
            if (!o && !ps.outRead[k]) continue; // an optional output nobody reads
            if (!o) throw new DeviceError(node.name, `produced no output ${k} ('${node.outputs[k]}')`);
            // an input passed through (Identity), or one tensor returned twice, gets its own handle
            if (!exec.madeHere(o) || among(claimed, nClaimed, o)) o = share(rt, o);
            claimed[nClaimed++] = o;
            vals[id] = o;
          }
        } finally {
          for (let i = 0; i < exec.count; i++) {
            const t = made[i]!;
            made[i] = undefined;
            if (!among(claimed, nClaimed, t)) t.dispose();
          }
          exec.count = 0;
          for (let i = 0; i < nClaimed; i++) claimed[i] = undefined!;
          for (let k = 0; k < args.length; k++) args[k] = undefined;
        }
        if (profiler) {
          const outDesc = node.outputs.map((n, k) => (ps.outs[k]! >= 0 && vals[ps.outs[k]!] ? describe(vals[ps.outs[k]!]) : '-')).join(' ');
          profiler.record(runId, node.name, node.opType, rt.device, t0, performance.now(), outDesc);
        }
        const rel = ps.release;
        for (let i = 0; i < rel.length; i++) {
          const v = vals[rel[i]!];
          if (v !== undefined) {
            vals[rel[i]!] = undefined;
            disposeValue(v);
          }
        }
      }
      result = new Map<string, Value>();
      for (let i = 0; i < fetches.length; i++) {
        const f = fetches[i]!;
        if (result.has(f)) continue;
        const id = rp.fetches[i]!;
        const own = id >= 0 ? vals[id] : undefined;
        if (own !== undefined) {
          // the run's own value: handed over rather than shared and released
          vals[id] = undefined;
          result.set(f, own);
          continue;
        }
        const c = id >= 0 ? consts[id] : undefined;
        if (!c) throw new DeviceError('InferenceSession', `output '${f}' was not computed`);
        result.set(f, share(rt, c));
      }
      const done = result;
      result = undefined;
      return done;
    } finally {
      for (let i = 0; i < vals.length; i++) if (vals[i] !== undefined) disposeValue(vals[i]);
      if (result) for (const v of result.values()) disposeValue(v);
    }
  }

  /** A node over whole values (If, Loop, Scan, sequences, optionals): its outputs join `env`, owned by the run. */
  private async runValueStep(step: Step, env: Map<string, Value>, owned: Set<Value>, profiler: Profiler | undefined, runId: number): Promise<void> {
    const { node } = step;
    if (!isValueLowered(step.lowered)) return;
    const t0 = profiler ? performance.now() : 0;
    const ins = node.inputs.map((name) => {
      if (name === '') return undefined;
      const v = env.get(name) ?? this.constants.get(name);
      if (!v) throw new DeviceError(node.name, `value '${name}' is not available (internal scheduling error)`);
      return v;
    });
    const ctx: ValueCtx = {
      rt: this.rt,
      node,
      op: (name, inputs, attrs) => this.runOnKernelDevice(name, inputs, attrs),
      runGraph: (g, feeds) => this.runGraph(g, feeds),
    };
    const outs = await step.lowered.value.exec(ctx, ins);
    const unclaimed = new Set(outs);
    node.outputs.forEach((name, k) => {
      const o = outs[k];
      if (name === '' || o === undefined) return;
      unclaimed.delete(o);
      env.set(name, o);
      owned.add(o);
    });
    for (const o of unclaimed) disposeValue(o);
    for (const [k, name] of node.outputs.entries()) {
      if (name !== '' && outs[k] === undefined && this.graph.read.has(name)) throw new DeviceError(node.name, `produced no output ${k} ('${name}')`);
    }
    profiler?.record(runId, node.name, node.opType, this.rt.device, t0, performance.now(), node.outputs.map((n) => describe(env.get(n))).join(' '));
  }

  /** A twinops op for a value node, on the session's device where it has a kernel there, else on wasm. */
  private async runOnKernelDevice(name: string, inputs: readonly Tensor[], attrs: object = {}): Promise<Tensor[]> {
    const def = OPS.get(name);
    if (!def) throw new DeviceError(name, `twinops has no ${name} op`);
    const plan = def.plan(inputs, attrs);
    const storable = this.rt.device !== 'webgpu' || plan.outputs.every((o) => gpuStorable(o.dtype));
    const device: Device = this.rt.device !== 'wasm' && storable && this.registry.get(name, plan.dispatchDType, this.rt.device) ? this.rt.device : 'wasm';
    const moved: Tensor[] = [];
    try {
      const ins: Tensor[] = [];
      for (const t of inputs) {
        if (t.device === device) ins.push(t);
        else {
          const m = await this.rt.to(t, device);
          moved.push(m);
          ins.push(m);
        }
      }
      return this.rt.run(name, ins, attrs);
    } finally {
      for (const m of moved) m.dispose();
    }
  }

  /** Run a subgraph on this session's runtime (its executor is made once); the feeds become the callee's. */
  private async runGraph(g: SessionGraph, feeds: Map<string, Value>): Promise<Value[]> {
    let ex = this.subs.get(g);
    if (!ex) {
      ex = new Executor(this.rt, g, this.registry, this.warn, this.fold);
      this.subs.set(g, ex);
    }
    const names = g.outputs.map((o) => o.name);
    const out = await ex.run(feeds, names);
    const seen = new Set<string>();
    return names.map((n) => {
      const v = out.get(n)!;
      if (!seen.has(n)) {
        seen.add(n);
        return v;
      }
      return share(this.rt, v);
    });
  }

  /**
   * The device of a node the shape plan could not see (its inputs depend on values known only at run
   * time), found by running its lowering over the actual inputs' shapes and small wasm values. Inputs
   * it must read on the host are added to `hostReads`, moved to wasm (`onWasm`, by input index, the
   * copies in `scratch`) and the probe runs again (at most three rounds).
   */
  private async probe(step: Step, env: ReadonlyMap<string, Value>, hostReads: Set<number>, onWasm: Map<number, Tensor>, scratch: Tensor[]): Promise<StepInfo | undefined> {
    const values = step.node.inputs.map((n) => (n === '' ? undefined : (env.get(n) ?? this.constants.get(n))));
    if (values.some((v) => v !== undefined && !(v instanceof Tensor))) return undefined; // a sequence passed through: no device to pick
    const tensors = values as (Tensor | undefined)[];
    for (let attempt = 0; attempt < 3; attempt++) {
      const infos = tensors.map((t, k): InfoValue | undefined => {
        if (!t) return undefined;
        const readable = t.device === 'wasm' && (hostReads.has(k) || t.size <= PROBE_VALUES_MAX);
        return { dtype: t.dtype, shape: t.shape, value: readable ? { dtype: t.dtype, dims: t.shape.slice(), data: t.dataSync() } : undefined };
      });
      let r: ReturnType<typeof probeStep>;
      try {
        r = probeStep(step, infos, this.registry, this.rt.device);
      } catch {
        return undefined; // the node itself reports its error when it runs
      }
      if ('info' in r) return r.info;
      for (const k of r.reads) {
        hostReads.add(k);
        const t = tensors[k]!;
        if (t.device !== 'wasm') {
          const moved = await this.rt.to(t, 'wasm');
          scratch.push(moved);
          tensors[k] = moved;
          onWasm.set(k, moved);
        }
      }
    }
    return undefined;
  }

  /** The device tensors of a session live on when created (the runtime's). */
  get device(): Device {
    return this.rt.device;
  }

  dispose(): void {
    for (const s of this.subs.values()) s.dispose();
    this.subs.clear();
    for (const t of [...this.constants.values(), ...this.movedConstants.values()]) t.dispose();
    this.constants.clear();
    this.movedConstants.clear();
  }
}

/** An Exec over the runtime that records every tensor it makes, so the executor can free what a node leaves behind; `device` is where the node runs, so tensors it makes from host data go there. */
function runtimeExec(rt: Runtime, made: Tensor[], device?: Device): Exec<Tensor> {
  return {
    op(name, inputs, attrs) {
      const bad = inputs.findIndex((t) => !(t instanceof Tensor));
      if (bad >= 0) throw new UnsupportedModelError(`${name}: input ${bad} is ${describe(inputs[bad] as unknown as Value)} where a tensor is needed`);
      const outs = rt.run(name, inputs, attrs);
      made.push(...outs);
      return outs;
    },
    reshape(t, shape) {
      const r = rt.reshape(t, shape);
      made.push(r);
      return r;
    },
    scalar(t) {
      if (t.size !== 1) return undefined;
      return scalarOf(t.dtype, readSync(t) as ArrayLike<number | bigint>);
    },
    ints(t) {
      return Array.from(readSync(t) as ArrayLike<number | bigint>, Number);
    },
    tensor(host) {
      // a node running on wasm (a fallback) makes its index/shape tensors on wasm too
      const t = rt.tensor(host.data, host.dims, host.dtype, device === 'wasm' ? 'wasm' : undefined);
      made.push(t);
      return t;
    },
  };
}

function readSync(t: Tensor) {
  if (t.device !== 'wasm') throw new DeviceError('InferenceSession', `${t.toString()}: a value this node reads on the host lives on ${t.device}`);
  return t.dataSync();
}


interface Schedule {
  fetches: readonly string[];
  steps: Step[];
  lastUse: Map<string, number>;
  /** The compiled fast path (wasm sessions without value nodes). */
  fast: RunPlan | undefined;
}

/** Whether `v` is one of list[0 .. n) (a plain function: a closure per run would cost a name definition under tsx). */
function among(list: readonly unknown[], n: number, v: unknown): boolean {
  for (let i = 0; i < n; i++) if (list[i] === v) return true;
  return false;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
