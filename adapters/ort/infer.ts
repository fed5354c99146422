/**
 * Shape and dtype inference through the op contracts: every lowered node runs over an Exec whose
 * values are TensorInfo, and each twinops call asks `OPS.get(op).plan(...)` for its outputs. Values
 * whose shapes are not known yet (symbolic dimensions before the first run) are left out, and nodes
 * that read them are skipped; at run time the same pass runs with the fed shapes (cached per shape
 * signature) and also picks each node's device.
 */
import { gpuStorable, type DType, scalarOf } from '../../core/dtype.js';
import { ShapeError, TwinopsError } from '../../core/errors.js';
import type { Device } from '../../core/tensor.js';
import { OPS } from '../../ops/index.js';
import type { TensorInfo } from '../../ops/types.js';
import type { Registry } from '../../registry/registry.js';
import { isValueLowered } from './control-flow.js';
import { OnnxModelError, UnsupportedNodeError, UnsupportedOpsError, type UnsupportedNode } from './errors.js';
import type { SessionGraph, Step } from './graph.js';
import { ValueUnknown, type Exec } from './ops/index.js';
import type { HostTensor } from './tensor-proto.js';

/** What inference knows about a value: dtype and shape, plus the data of constants. */
export interface InfoValue extends TensorInfo {
  readonly value?: HostTensor;
}

export interface Call {
  op: string;
  dtype: DType;
}

export interface StepInfo {
  /** Twinops calls the node made, with the dtype each dispatches on. */
  calls: Call[];
  /**
   * Where the node runs: the runtime's device when every call has a kernel there, else wasm.
   * Undefined for nodes that make no call (Identity), which run wherever their input is.
   */
  device: Device | undefined;
  /** Inputs the node reads on the host whose values were unknown here (fed or computed scalars): the executor hands them over on wasm. */
  hostReads?: number[];
}

export interface ShapePlan {
  values: Map<string, InfoValue>;
  steps: Map<number, StepInfo>;
  /** Nodes that a WebGPU session runs on wasm because a kernel is missing on WebGPU. */
  fallbacks: string[];
}

function infoExec(calls: Call[], unknownRead?: (t: InfoValue) => void): Exec<InfoValue> {
  return {
    op(name, inputs, attrs = {}) {
      const def = OPS.get(name);
      if (!def) throw new UnsupportedNodeError(`twinops has no ${name} op`);
      const plan = def.plan(inputs, attrs);
      calls.push({ op: name, dtype: plan.dispatchDType });
      return plan.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape }));
    },
    reshape(t, shape) {
      let n = 1;
      for (const d of shape) n *= d;
      let m = 1;
      for (const d of t.shape) m *= d;
      if (n !== m) throw new ShapeError('Reshape', `cannot view [${t.shape.join(',')}] as [${shape.join(',')}]`);
      return { dtype: t.dtype, shape: shape.slice(), value: t.value && { ...t.value, dims: shape.slice() } };
    },
    scalar: (t) => {
      if (!t.value) unknownRead?.(t);
      return t.value && t.value.data.length === 1 ? scalarOf(t.dtype, t.value.data as ArrayLike<number | bigint>) : undefined;
    },
    ints: (t) => {
      if (!t.value) unknownRead?.(t);
      return t.value ? Array.from(t.value.data as ArrayLike<number | bigint>, Number) : undefined;
    },
    tensor: (host) => ({ dtype: host.dtype, shape: host.dims.slice(), value: host }),
  };
}

/**
 * Infer every value reachable from `known` (graph inputs with concrete shapes, and the constants).
 * Contract errors are sorted: inputs that cannot fit together mean the model contradicts itself
 * (OnnxModelError); any other refusal makes the node unsupported (all collected into one
 * UnsupportedOpsError).
 */
export function inferShapes(g: SessionGraph, known: Map<string, TensorInfo>, registry: Registry, device: Device, steps: readonly Step[] = g.steps): ShapePlan {
  const values = new Map<string, InfoValue>();
  for (const [name, t] of g.constants) values.set(name, { dtype: t.dtype, shape: t.dims, value: t });
  for (const [name, t] of known) values.set(name, t);
  const infos = new Map<number, StepInfo>();
  const unsupported: UnsupportedNode[] = [];
  const fallbacks: string[] = [];
  for (const step of steps) {
    const { node } = step;
    const ins = node.inputs.map((n) => (n === '' ? undefined : values.get(n)));
    if (isValueLowered(step.lowered)) {
      // subgraphs, sequences, optionals: outputs the op can tell without running, the rest found at run time
      const outs = step.lowered.value.infer?.(ins, { graph: (sub, known) => inferShapes(sub, new Map(known), registry, device).values }) ?? [];
      node.outputs.forEach((name, k) => {
        const o = outs[k];
        if (name !== '' && o) values.set(name, o);
      });
      continue;
    }
    if (node.inputs.some((n, k) => n !== '' && ins[k] === undefined)) continue;
    const calls: Call[] = [];
    const reads = new Set<number>();
    let outs: InfoValue[];
    try {
      outs = step.lowered.run(infoExec(calls, (t) => ins.includes(t) && reads.add(ins.indexOf(t))), ins);
    } catch (e) {
      if (e instanceof ValueUnknown) continue;
      const reason = (e as Error).message;
      // Inputs that cannot fit together (broadcasting, inner dimensions) mean the model contradicts
      // itself. Every other contract refusal (dtype, rank, attribute value, missing kernel) is a
      // limit of twinops for a node onnxruntime would run: the node is unsupported.
      if (e instanceof ShapeError && e.code === 'SHAPE_MISMATCH') {
        throw new OnnxModelError(`node '${node.name}' (${node.opType}) with inputs ${ins.map((t) => (t ? `${t.dtype}[${t.shape.join(',')}]` : '-')).join(', ')}: ${reason}`);
      }
      if (e instanceof UnsupportedNodeError || e instanceof TwinopsError) {
        unsupported.push({ node: node.name, op: node.opType, domain: node.domain, opset: g.model.opsets.get(node.domain) ?? 0, reason });
        continue;
      }
      throw e;
    }
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const o = outs[k];
      if (!o && !g.read.has(name)) return; // an optional output nobody reads
      if (!o) throw new OnnxModelError(`node '${node.name}' (${node.opType}) has output '${name}' at position ${k}, which the twinops mapping does not produce`);
      values.set(name, o);
    });
    const missing = calls.filter((c) => !registry.get(c.op, c.dtype, 'wasm') && !registry.get(c.op, c.dtype, device));
    if (missing.length > 0) {
      unsupported.push({ node: node.name, op: node.opType, domain: node.domain, opset: g.model.opsets.get(node.domain) ?? 0, reason: `no twinops kernel for ${missing.map((c) => `${c.op}(${c.dtype})`).join(', ')}` });
      continue;
    }
    let dev: Device | undefined;
    if (calls.length > 0) {
      // a kernel registered under the input dtype may still make an output that cannot live on the device (Cast int32→int64 on WebGPU)
      const storable = device !== 'webgpu' || outs.every((o) => !o || gpuStorable(o.dtype));
      dev = storable && calls.every((c) => registry.get(c.op, c.dtype, device)) ? device : 'wasm';
      if (dev !== device) fallbacks.push(`${node.name} (${node.opType})`);
    }
    infos.set(step.index, reads.size > 0 ? { calls, device: dev, hostReads: [...reads] } : { calls, device: dev });
  }
  if (unsupported.length > 0) throw new UnsupportedOpsError(unsupported);
  return { values, steps: infos, fallbacks };
}


/**
 * At run time, for a node the shape plan could not see (it reads values known only then): which
 * device it runs on, given its actual inputs (`values` where readable on the host), or which inputs
 * it needs to read on the host first (`reads`, input indices) when those values are missing.
 */
export function probeStep(step: Step, ins: readonly (InfoValue | undefined)[], registry: Registry, device: Device): { info: StepInfo } | { reads: number[] } {
  const calls: Call[] = [];
  const reads = new Set<number>();
  let outs: (InfoValue | undefined)[];
  try {
    outs = step.lowered.run(infoExec(calls, (t) => reads.add(ins.indexOf(t))), ins);
  } catch (e) {
    if (e instanceof ValueUnknown && reads.size > 0 && !reads.has(-1)) return { reads: [...reads] };
    // the lowering reads a value it computed (NonMaxSuppression's or Unique's count) on the host:
    // only wasm tensors read synchronously, so the whole node runs on wasm
    if (e instanceof ValueUnknown && reads.has(-1)) return { info: { calls, device: 'wasm' } };
    throw e;
  }
  // reads of missing values the lowering tolerates (a fed Clip bound, Pad's constant_value) go to the host too
  const hostReads = reads.has(-1) ? {} : { hostReads: [...reads] };
  if (calls.length === 0) return { info: { calls, device: undefined, ...hostReads } };
  const storable = device !== 'webgpu' || outs.every((o) => !o || gpuStorable(o.dtype));
  return { info: { calls, device: storable && calls.every((c) => registry.get(c.op, c.dtype, device)) ? device : 'wasm', ...hostReads } };
}
