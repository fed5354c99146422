/**
 * Model-local functions (ModelProto.functions), expanded at session creation: each call becomes the
 * function's body with formal inputs/outputs bound to the call's values, every name the body
 * defines made unique per call (`<call node>::<name>`), and attributes that refer to the call's
 * attributes (`ref_attr_name`) given the call's values. Calls inside subgraphs and inside other
 * functions are expanded too; a function that calls itself is an OnnxModelError.
 */
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';
import { OnnxModelError, UnsupportedModelError } from './errors.js';
import type { OnnxAttribute, OnnxGraph, OnnxNode } from './model.js';

export interface OnnxFunction {
  /** `domain::name` ('' is the default domain). */
  key: string;
  inputs: string[];
  outputs: string[];
  /** Attribute names the function declares. */
  attributes: string[];
  /** Declared attributes with default values (FunctionProto.attribute_proto), by name. */
  defaults: Map<string, OnnxAttribute>;
  nodes: OnnxNode[];
}

/**
 * FunctionProto.attribute_proto (field 11: attributes with default values) of each function in the
 * model bytes (ModelProto field 25), keyed `domain::name` with the domain as written. onnx-proto 8
 * does not decode that field, so it is read here with protobufjs' reader.
 */
export function functionDefaultProtos(model: Uint8Array): Map<string, onnx.AttributeProto[]> {
  const out = new Map<string, onnx.AttributeProto[]>();
  const r = protobuf.Reader.create(model);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 25 || (tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const f = protobuf.Reader.create(r.bytes());
    let name = '';
    let domain = '';
    const attrs: onnx.AttributeProto[] = [];
    while (f.pos < f.len) {
      const t = f.uint32();
      const field = t >>> 3;
      if (field === 1 && (t & 7) === 2) name = f.string();
      else if (field === 10 && (t & 7) === 2) domain = f.string();
      else if (field === 11 && (t & 7) === 2) attrs.push(onnxProto.onnx.AttributeProto.decode(f.bytes()));
      else f.skipType(t & 7);
    }
    if (attrs.length > 0) out.set(`${domain}::${name}`, attrs);
  }
  return out;
}

const MAX_DEPTH = 32;

/** Rename the values of a subgraph that refer to the enclosing function's names (outer-scope reads). */
function renameGraph(g: OnnxGraph, rename: (n: string) => string, attrs: (a: Map<string, OnnxAttribute>, where: string) => Map<string, OnnxAttribute>): OnnxGraph {
  const local = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys(), ...g.nodes.flatMap((n) => n.outputs)]);
  const r = (n: string) => (n === '' || local.has(n) ? n : rename(n));
  const nodes = g.nodes.map((n) => ({ ...n, inputs: n.inputs.map(r), attrs: attrs(n.attrs, n.name) }));
  return { ...g, nodes, outputs: g.outputs.map((o) => ({ ...o, name: r(o.name) })) };
}

function expandCall(call: OnnxNode, f: OnnxFunction, defs: ReadonlyMap<string, OnnxFunction>, depth: number): OnnxNode[] {
  if (depth > MAX_DEPTH) throw new OnnxModelError(`model-local function ${f.key} expands more than ${MAX_DEPTH} levels deep (a recursive function?) at node '${call.name}'`);
  if (call.inputs.length > f.inputs.length) throw new OnnxModelError(`node '${call.name}' passes ${call.inputs.length} inputs to function ${f.key}, which takes ${f.inputs.length}`);
  if (call.outputs.length > f.outputs.length) throw new OnnxModelError(`node '${call.name}' reads ${call.outputs.length} outputs of function ${f.key}, which has ${f.outputs.length}`);
  const prefix = `${call.name}::`;
  const bound = new Map<string, string>();
  f.inputs.forEach((name, k) => bound.set(name, call.inputs[k] ?? ''));
  f.outputs.forEach((name, k) => bound.set(name, call.outputs[k] ?? ''));
  const rename = (n: string) => (n === '' ? '' : (bound.get(n) ?? `${prefix}${n}`));
  // attributes: plain ones kept, references take the call's attribute (left out when the call has none)
  const attrs = (a: Map<string, OnnxAttribute>, where: string): Map<string, OnnxAttribute> => {
    const out = new Map<string, OnnxAttribute>();
    for (const [name, at] of a) {
      if (at.refAttrName) {
        if (!f.attributes.includes(at.refAttrName)) throw new OnnxModelError(`function ${f.key}: node '${where}' refers to attribute '${at.refAttrName}', which the function does not declare`);
        const given = call.attrs.get(at.refAttrName) ?? f.defaults.get(at.refAttrName);
        if (given) out.set(name, { ...given, name, refAttrName: '' });
        continue;
      }
      const copy = { ...at };
      if (at.g) copy.g = renameGraph(at.g, rename, attrs);
      if (at.graphs) copy.graphs = at.graphs.map((g) => renameGraph(g, rename, attrs));
      out.set(name, copy);
    }
    return out;
  };
  for (const name of call.attrs.keys()) {
    if (!f.attributes.includes(name)) throw new OnnxModelError(`node '${call.name}' gives attribute '${name}' to function ${f.key}, which declares ${f.attributes.join(', ') || 'none'}`);
  }
  const body = f.nodes.map((n): OnnxNode => ({
    name: `${call.name}/${n.name}`,
    opType: n.opType,
    domain: n.domain,
    inputs: n.inputs.map(rename),
    outputs: n.outputs.map(rename),
    attrs: attrs(n.attrs, n.name),
  }));
  return expandNodes(body, defs, depth + 1);
}

function expandNodes(nodes: readonly OnnxNode[], defs: ReadonlyMap<string, OnnxFunction>, depth: number): OnnxNode[] {
  const out: OnnxNode[] = [];
  for (const n of nodes) {
    const f = defs.get(`${n.domain}::${n.opType}`);
    if (f) {
      out.push(...expandCall(n, f, defs, depth));
      continue;
    }
    for (const a of n.attrs.values()) {
      if (a.refAttrName) throw new UnsupportedModelError(`node '${n.name}': attribute '${a.name}' refers to '${a.refAttrName}' outside a function`);
      if (a.g) a.g.nodes = expandNodes(a.g.nodes, defs, depth);
      if (a.graphs) for (const g of a.graphs) g.nodes = expandNodes(g.nodes, defs, depth);
    }
    out.push(n);
  }
  return out;
}

/** The nodes with every call of a model-local function replaced by its expanded body. */
export function expandFunctions(nodes: readonly OnnxNode[], defs: ReadonlyMap<string, OnnxFunction>): OnnxNode[] {
  return defs.size === 0 ? nodes.slice() : expandNodes(nodes, defs, 0);
}
