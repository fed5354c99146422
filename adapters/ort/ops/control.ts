/**
 * ONNX If, Loop and Scan: each runs its body subgraph on the session's runtime (one executor per
 * subgraph, made at first use). The mapping checks the node against its bodies once; the loop
 * itself is host code. Values the bodies read from the enclosing graphs arrive as the node's
 * trailing (implicit) inputs and are handed to each body run as new handles.
 */
import { ARRAY_CTOR } from '../../../core/dtype.js';
import { AttributeError, DTypeError, ShapeError } from '../../../core/errors.js';
import type { Tensor } from '../../../core/tensor.js';
import { capturedValues, explicitInputs, subgraphOf, valueLowered, type ValueCtx } from '../control-flow.js';
import type { InfoValue } from '../infer.js';
import { OnnxModelError, UnsupportedModelError, UnsupportedNodeError } from '../errors.js';
import type { SessionGraph } from '../graph.js';
import type { OnnxNode } from '../model.js';
import { dtypeOfOnnx } from '../tensor-proto.js';
import { describe, disposeValue, isTensor, share, type Value } from '../values.js';
import { addMappings } from './table.js';
import type { Lowered, LowerCtx, OnnxOpMapping } from './types.js';

const label = (node: OnnxNode) => `${node.opType} '${node.name}'`;

/** Shape inference: what is known of the outer values a body reads. */
function knownOuter(node: OnnxNode, ins: readonly (InfoValue | undefined)[]): Map<string, InfoValue> {
  const known = new Map<string, InfoValue>();
  for (const [n, v] of capturedValues(node, ins)) if (v) known.set(n, v);
  return known;
}

const sameInfo = (a: InfoValue | undefined, b: InfoValue | undefined): boolean => !!a && !!b && a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
const info = (t: InfoValue | undefined): InfoValue | undefined => t && { dtype: t.dtype, shape: t.shape.slice() };

/** A one-element tensor's value, read on the host (moved from the GPU when needed). */
async function hostScalar(v: Value | undefined, node: OnnxNode, what: string, dtypes: readonly string[]): Promise<number> {
  const t = isTensor(v) ? v : undefined;
  if (!t || !dtypes.includes(t.dtype)) throw new DTypeError(label(node), `${what} must be a ${dtypes.join(' or ')} tensor, got ${describe(v)}`);
  if (t.size !== 1) throw new ShapeError(label(node), `${what} must hold one element, got ${describe(v)}`, 'RANK');
  const data = t.device === 'wasm' ? t.dataSync() : await t.data();
  return Number(data[0]);
}

/** The body's feeds: its declared inputs bound to `values`, plus new handles of the outer values it reads. */
function bodyFeeds(ctx: ValueCtx, body: { graph: SessionGraph; free: string[] }, values: readonly Value[], outer: ReadonlyMap<string, Value | undefined>): Map<string, Value> {
  const feeds = new Map<string, Value>();
  body.graph.inputs.forEach((d, k) => feeds.set(d.name, values[k]!));
  for (const name of body.free) {
    const v = outer.get(name);
    if (v !== undefined && !feeds.has(name)) feeds.set(name, share(ctx.rt, v));
  }
  return feeds;
}

/** Stack per-iteration tensors along a new axis (`reverse`: last iteration first). An empty list gives a [0, ...] tensor of the body's declared type. */
async function stack(ctx: ValueCtx, node: OnnxNode, items: Value[], axis: number, reverse: boolean, decl: SessionGraph['outputs'][number]): Promise<Tensor> {
  const parts: Tensor[] = [];
  try {
    if (items.length === 0) {
      const dtype = dtypeOfOnnx(decl.elemType) ?? 'float32';
      const dims = (decl.dims ?? []).map((d) => (typeof d === 'number' ? d : 0));
      dims.splice(Math.min(Math.max(axis, 0), dims.length), 0, 0);
      return ctx.rt.tensor(new ARRAY_CTOR[dtype](0), dims, dtype);
    }
    const ts = items.map((v, k) => {
      if (!isTensor(v)) throw new UnsupportedModelError(`${label(node)}: scan output ${k} is ${describe(v)}; only tensors can be stacked`);
      return v;
    });
    const first = ts[0]!;
    const r = first.shape.length;
    if (axis < -(r + 1) || axis > r) throw new ShapeError(label(node), `scan output axis ${axis} is out of range for per-iteration outputs of rank ${r}`, 'RANK');
    const a = axis < 0 ? axis + r + 1 : axis;
    for (const t of ts) if (t.shape.length !== r || t.shape.some((d, i) => d !== first.shape[i]) || t.dtype !== first.dtype) throw new ShapeError(label(node), `per-iteration scan outputs differ: ${describe(first)} and ${describe(t)}`);
    const order = reverse ? ts.slice().reverse() : ts;
    for (const t of order) parts.push(ctx.rt.reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]));
    return (await ctx.op('Concat', parts, { axis: a }))[0]!;
  } finally {
    for (const t of parts) t.dispose();
  }
}

/** Entry `i` along `axis`, with that axis removed. */
async function sliceAt(ctx: ValueCtx, t: Tensor, axis: number, i: number): Promise<Tensor> {
  const s = (await ctx.op('Slice', [t], { starts: [i], ends: [i + 1], axes: [axis] }))[0]!;
  try {
    return ctx.rt.reshape(s, [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)]);
  } finally {
    s.dispose();
  }
}

const ifOp: OnnxOpMapping = {
  op: 'If',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    for (const name of node.attrs.keys()) if (name !== 'then_branch' && name !== 'else_branch') throw new UnsupportedNodeError(`attribute '${name}' is not supported`);
    if (explicitInputs(node, node.inputs).length !== 1 || node.inputs[0] === '') throw new OnnxModelError(`${label(node)} takes one input (cond), got ${explicitInputs(node, node.inputs).length}`);
    const branches = [subgraphOf(ctx, node, 'then_branch'), subgraphOf(ctx, node, 'else_branch')] as const;
    for (const [k, b] of branches.entries()) {
      if (b.graph.inputs.length !== 0) throw new OnnxModelError(`${label(node)}: the ${k ? 'else' : 'then'} branch declares ${b.graph.inputs.length} inputs (a branch takes none)`);
      if (b.graph.outputs.length !== node.outputs.length) throw new OnnxModelError(`${label(node)} has ${node.outputs.length} outputs but its ${k ? 'else' : 'then'} branch has ${b.graph.outputs.length}`);
    }
    return valueLowered([], {
      // with a constant cond the taken branch is inferred (its refusals are the node's); otherwise
      // each branch is tried, and a branch that cannot take these inputs (it may be the one a model
      // never takes for them) leaves its outputs unknown; an output is known where both agree
      infer(ins, c) {
        const known = knownOuter(node, ins);
        const outputsOf = (b: (typeof branches)[number]) => {
          const vals = c.graph(b.graph, known);
          return b.graph.outputs.map((o) => vals.get(o.name));
        };
        const cond = ins[0]?.value;
        if (cond && cond.data.length === 1) return outputsOf(branches[Number(cond.data[0]) ? 0 : 1]);
        const outs = branches.map((b) => {
          try {
            return outputsOf(b);
          } catch {
            return [];
          }
        });
        return node.outputs.map((_, k) => (sameInfo(outs[0]![k], outs[1]![k]) ? info(outs[0]![k]) : undefined));
      },
      async exec(x, ins) {
        const cond = await hostScalar(ins[0], node, 'cond', ['bool']);
        const branch = branches[cond ? 0 : 1];
        return x.runGraph(branch.graph, bodyFeeds(x, branch, [], capturedValues(node, ins)));
      },
    });
  },
};

const loopOp: OnnxOpMapping = {
  op: 'Loop',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    for (const name of node.attrs.keys()) if (name !== 'body') throw new UnsupportedNodeError(`attribute '${name}' is not supported`);
    const own = explicitInputs(node, node.inputs);
    if (own.length < 2) throw new OnnxModelError(`${label(node)} needs at least 2 inputs (M, cond), got ${own.length}`);
    if (own[0] === '' && own[1] === '') throw new UnsupportedNodeError('neither a trip count nor a condition: the loop would never end');
    const n = own.length - 2;
    const body = subgraphOf(ctx, node, 'body');
    const bi = body.graph.inputs.length;
    const bo = body.graph.outputs.length;
    if (bi !== n + 2) throw new OnnxModelError(`${label(node)}: the body takes ${bi} inputs, expected ${n + 2} (iteration number, condition and ${n} loop-carried values)`);
    if (bo < n + 1) throw new OnnxModelError(`${label(node)}: the body has ${bo} outputs, expected at least ${n + 1} (condition and ${n} loop-carried values)`);
    const k = bo - 1 - n;
    if (node.outputs.length > n + k) throw new OnnxModelError(`${label(node)} has ${node.outputs.length} outputs; its body gives ${n} loop-carried and ${k} scan outputs`);
    return valueLowered([], {
      // the body is inferred for its first iteration; a loop-carried value is known where the body keeps its type and shape
      infer(ins, c) {
        const known = knownOuter(node, ins);
        const bodyIns = body.graph.inputs;
        known.set(bodyIns[0]!.name, { dtype: 'int64', shape: [] });
        known.set(bodyIns[1]!.name, { dtype: 'bool', shape: [] });
        const carried = explicitInputs(node, ins).slice(2);
        carried.forEach((v, j) => v && known.set(bodyIns[2 + j]!.name, info(v)!));
        const vals = c.graph(body.graph, known);
        return carried.map((v, j) => (sameInfo(v, vals.get(body.graph.outputs[1 + j]!.name)) ? info(v) : undefined));
      },
      async exec(x, ins) {
        const explicit = explicitInputs(node, ins);
        const outer = capturedValues(node, ins);
        const trip = explicit[0] ? await hostScalar(explicit[0], node, 'M (trip count)', ['int64']) : Infinity;
        let cond = explicit[1] ? (await hostScalar(explicit[1], node, 'cond', ['bool'])) !== 0 : true;
        let carried: Value[] = explicit.slice(2).map((v, j) => {
          if (v === undefined) throw new OnnxModelError(`${label(node)}: loop-carried input ${j} is missing`);
          return share(x.rt, v);
        });
        const scans: Value[][] = Array.from({ length: k }, () => []);
        try {
          for (let i = 0; i < trip && cond; i++) {
            const iter = x.rt.tensor(new BigInt64Array([BigInt(i)]), [], 'int64');
            const c = x.rt.tensor(new Uint8Array([cond ? 1 : 0]), [], 'bool');
            const feeds = bodyFeeds(x, body, [iter, c, ...carried], outer);
            carried = [];
            const outs = await x.runGraph(body.graph, feeds);
            try {
              cond = (await hostScalar(outs[0], node, 'the body\'s condition output', ['bool'])) !== 0;
            } catch (e) {
              for (const o of outs) disposeValue(o);
              throw e;
            }
            disposeValue(outs[0]);
            carried = outs.slice(1, 1 + n);
            outs.slice(1 + n).forEach((o, j) => scans[j]!.push(o));
          }
          const result = [...carried];
          carried = [];
          for (const [j, items] of scans.entries()) {
            try {
              result.push(await stack(x, node, items, 0, false, body.graph.outputs[1 + n + j]!));
            } catch (e) {
              for (const v of result) disposeValue(v);
              throw e;
            }
          }
          carried = [];
          return result;
        } finally {
          for (const v of carried) disposeValue(v);
          for (const s of scans) for (const v of s) disposeValue(v);
        }
      },
    });
  },
};

/** Scan 9+: the body runs once per slice along each scan input's axis; opset 8 adds a batch axis 0 and sequence_lens. */
const scanOp: OnnxOpMapping = {
  op: 'Scan',
  domain: '',
  sinceOpset: 8,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const legacy = ctx.opset < 9;
    const allowed = legacy ? ['body', 'num_scan_inputs', 'directions'] : ['body', 'num_scan_inputs', 'scan_input_directions', 'scan_output_directions', 'scan_input_axes', 'scan_output_axes'];
    for (const name of node.attrs.keys()) if (!allowed.includes(name)) throw new UnsupportedNodeError(`attribute '${name}' is not supported`);
    const own = explicitInputs(node, node.inputs);
    const ins0 = legacy ? 1 : 0; // opset 8: sequence_lens comes first
    const m = node.attrs.get('num_scan_inputs')?.i ?? 0;
    const n = own.length - ins0 - m;
    if (m < 1 || n < 0) throw new OnnxModelError(`${label(node)}: num_scan_inputs ${m} does not fit its ${own.length - ins0} state and scan inputs`);
    const body = subgraphOf(ctx, node, 'body');
    if (body.graph.inputs.length !== n + m) throw new OnnxModelError(`${label(node)}: the body takes ${body.graph.inputs.length} inputs, expected ${n + m} (${n} states and ${m} scan slices)`);
    const k = body.graph.outputs.length - n;
    if (k < 0 || node.outputs.length > n + k) throw new OnnxModelError(`${label(node)} has ${node.outputs.length} outputs; its body gives ${n} states and ${Math.max(k, 0)} scan outputs`);
    const list = (name: string, len: number, def: number) => {
      const v = node.attrs.get(name)?.ints ?? Array.from({ length: len }, () => def);
      if (v.length !== len) throw new OnnxModelError(`${label(node)}: attribute ${name} has ${v.length} entries, expected ${len}`);
      return v;
    };
    const inDirs = list(legacy ? 'directions' : 'scan_input_directions', m, 0);
    const outDirs = legacy ? Array.from({ length: k }, () => 0) : list('scan_output_directions', k, 0);
    const inAxes = legacy ? Array.from({ length: m }, () => 0) : list('scan_input_axes', m, 0);
    const outAxes = legacy ? Array.from({ length: k }, () => 0) : list('scan_output_axes', k, 0);

    /** One scan over unbatched states and scan inputs: the final states, then the stacked scan outputs. */
    async function scan(x: ValueCtx, states: Tensor[], xs: Tensor[], outer: ReadonlyMap<string, Value | undefined>): Promise<Value[]> {
      const axes = xs.map((t, j) => {
        const r = t.shape.length;
        const a = inAxes[j]!;
        if (a < -r || a >= r) throw new AttributeError(label(node), `scan_input_axes[${j}] = ${a} is out of range for scan input ${j} ${describe(t)}`);
        return a < 0 ? a + r : a;
      });
      const len = xs[0]!.shape[axes[0]!]!;
      xs.forEach((t, j) => {
        if (t.shape[axes[j]!] !== len) throw new ShapeError(label(node), `scan inputs have different lengths along their scan axes: ${describe(xs[0])} (axis ${axes[0]}) and ${describe(t)} (axis ${axes[j]})`);
      });
      let carried: Value[] = states.map((s) => share(x.rt, s));
      const outs: Value[][] = Array.from({ length: k }, () => []);
      try {
        for (let t = 0; t < len; t++) {
          const slices: Tensor[] = [];
          for (const [j, xj] of xs.entries()) slices.push(await sliceAt(x, xj, axes[j]!, inDirs[j] ? len - 1 - t : t));
          const feeds = bodyFeeds(x, body, [...carried, ...slices], outer);
          carried = [];
          const res = await x.runGraph(body.graph, feeds);
          carried = res.slice(0, n);
          res.slice(n).forEach((o, j) => outs[j]!.push(o));
        }
        const result = [...carried];
        carried = [];
        for (const [j, items] of outs.entries()) {
          try {
            result.push(await stack(x, node, items, outAxes[j]!, outDirs[j] !== 0, body.graph.outputs[n + j]!));
          } catch (e) {
            for (const v of result) disposeValue(v);
            throw e;
          }
        }
        carried = [];
        return result;
      } finally {
        for (const v of carried) disposeValue(v);
        for (const o of outs) for (const v of o) disposeValue(v);
      }
    }

    return valueLowered([], {
      // the body is inferred on one slice; states keep their info when the body keeps it, scan outputs gain the scan length
      infer(ins, c) {
        if (legacy) return [];
        const explicit = explicitInputs(node, ins);
        const known = knownOuter(node, ins);
        const xs = explicit.slice(n);
        let len: number | undefined;
        explicit.forEach((v, j) => {
          if (!v) return;
          if (j < n) {
            known.set(body.graph.inputs[j]!.name, info(v)!);
            return;
          }
          const r = v.shape.length;
          const a0 = inAxes[j - n]!;
          if (a0 < -r || a0 >= r) return; // reported when it runs, with the actual input
          const a = a0 < 0 ? a0 + r : a0;
          len ??= v.shape[a];
          known.set(body.graph.inputs[j]!.name, { dtype: v.dtype, shape: [...v.shape.slice(0, a), ...v.shape.slice(a + 1)] });
        });
        const vals = c.graph(body.graph, known);
        const outs: (InfoValue | undefined)[] = explicit.slice(0, n).map((v, j) => (sameInfo(v, vals.get(body.graph.outputs[j]!.name)) ? info(v) : undefined));
        for (let j = 0; j < k; j++) {
          const o = vals.get(body.graph.outputs[n + j]!.name);
          const r = (o?.shape.length ?? 0) + 1;
          const a0 = outAxes[j]!;
          if (!o || len === undefined || xs.some((v) => !v) || len === 0 || a0 < -r || a0 >= r) {
            outs.push(undefined);
            continue;
          }
          const a = a0 < 0 ? a0 + r : a0;
          outs.push({ dtype: o.dtype, shape: [...o.shape.slice(0, a), len, ...o.shape.slice(a)] });
        }
        return outs;
      },
      async exec(x, ins) {
        const explicit = explicitInputs(node, ins);
        const outer = capturedValues(node, ins);
        const tensors = explicit.slice(ins0).map((v, j) => {
          if (!isTensor(v)) throw new DTypeError(label(node), `input ${ins0 + j} must be a tensor, got ${describe(v)}`);
          return v;
        });
        const states = tensors.slice(0, n);
        const xs = tensors.slice(n);
        if (!legacy) return scan(x, states, xs, outer);
        // opset 8: every input has a batch axis 0, scanned per batch entry and stacked back
        const batch = tensors[0]!.shape[0];
        for (const t of tensors) if (t.shape.length === 0 || t.shape[0] !== batch) throw new ShapeError(label(node), `inputs must share the batch axis 0: ${tensors.map(describe).join(', ')}`);
        if (explicit[0]) {
          const lens = explicit[0] as Tensor;
          const data = Array.from((lens.device === 'wasm' ? lens.dataSync() : await lens.data()) as ArrayLike<number | bigint>, Number);
          const full = xs[0]!.shape[1];
          if (data.some((l) => l !== full)) throw new UnsupportedModelError(`${label(node)}: sequence_lens [${data.join(',')}] shorter than the scan length ${full} are not supported`);
        }
        const per: Value[][] = [];
        try {
          for (let b = 0; b < batch!; b++) {
            const st: Tensor[] = [];
            const sx: Tensor[] = [];
            for (const t of states) st.push(await sliceAt(x, t, 0, b));
            for (const t of xs) sx.push(await sliceAt(x, t, 0, b));
            try {
              per.push(await scan(x, st, sx, outer));
            } finally {
              for (const t of [...st, ...sx]) t.dispose();
            }
          }
          const result: Value[] = [];
          try {
            for (let j = 0; j < n + k; j++) result.push(await stack(x, node, per.map((p) => p[j]!), 0, false, body.graph.outputs[j]!));
          } catch (e) {
            for (const v of result) disposeValue(v);
            throw e;
          }
          return result;
        } finally {
          for (const p of per) for (const v of p) disposeValue(v);
        }
      },
    });
  },
};

addMappings([ifOp, loopOp, scanOp]);
