/**
 * ONNX model loading: bytes → a plain description of the main graph (nodes, initializers, typed
 * inputs/outputs with symbolic dimensions, opset imports). Protobuf decoding is onnx-proto's.
 */
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { OnnxModelError, UnsupportedModelError } from './errors.js';
import { resolveExternal, type ExternalFiles } from './external-data.js';
import { expandFunctions, functionDefaultProtos, type OnnxFunction } from './functions.js';
import { onnxTypeName, tensorFromProto, toInt, type HostTensor } from './tensor-proto.js';

const { onnx: O } = onnxProto;

/** A dimension: a size, a symbolic name (dim_param), or undefined when the model says nothing. */
export type Dim = number | string | undefined;

export interface ValueDecl {
  name: string;
  /** ONNX element type number (0 when not a tensor or not declared). */
  elemType: number;
  /** Undefined when the model gives no shape (rank unknown). */
  dims: Dim[] | undefined;
  isTensor: boolean;
  /** What the value is: a tensor, a sequence of tensors, an optional, or a map (not supported). */
  kind: 'tensor' | 'sequence' | 'optional' | 'map';
  /** For an optional: what it holds. elemType/dims then describe the tensor (or the sequence's tensors). */
  optionalOf?: 'tensor' | 'sequence';
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f: number;
  i: number;
  s: string;
  t: HostTensor | undefined;
  floats: number[];
  ints: number[];
  strings: string[];
  /** Subgraph-valued attributes (If/Loop/Scan bodies). */
  hasGraph: boolean;
  g?: OnnxGraph;
  graphs?: OnnxGraph[];
  /** Inside a model-local function: the function attribute this one takes its value from. */
  refAttrName: string;
  /** A type-valued attribute (Optional's `type`), described like a graph value. */
  tp?: ValueDecl;
}

export interface OnnxNode {
  /** The node's name, or `<op>#<index>` when it has none. */
  name: string;
  opType: string;
  /** '' for the default ONNX domain ('ai.onnx' is normalised to ''). */
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxAttribute>;
  /** How many trailing inputs are outer-scope values its subgraphs read (see control-flow.ts). */
  implicitInputs?: number;
}

/** A graph: the model's main graph or a subgraph (an If branch, a Loop or Scan body). */
export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, HostTensor>;
  /** Graph inputs that are not initializers: what a user (or the enclosing node) feeds, in order. */
  inputs: ValueDecl[];
  outputs: ValueDecl[];
  declared: Map<string, ValueDecl>;
}

export interface OnnxModel {
  irVersion: number;
  producer: string;
  /** domain → opset version ('' is the default ONNX domain). */
  opsets: Map<string, number>;
  nodes: OnnxNode[];
  initializers: Map<string, HostTensor>;
  /** Graph inputs that are not initializers: what a user feeds, in model order. */
  inputs: ValueDecl[];
  outputs: ValueDecl[];
  /** Every typed value the model declares (inputs, outputs, value_info). */
  declared: Map<string, ValueDecl>;
  /** Local functions the model defines (domain::name); their calls are expanded at parse time. */
  functions: Set<string>;
}

export interface ParseOptions {
  /** External data files by location (see external-data.ts); a missing one is an OnnxModelError. */
  externalData?: ExternalFiles;
  /** The model's bytes when parseModel gets a decoded proto (function attribute defaults are read from them). */
  bytes?: Uint8Array;
}

const utf8 = new TextDecoder();

export function normalizeDomain(d: string | null | undefined): string {
  return !d || d === 'ai.onnx' ? '' : d;
}

function tensorDecl(name: string, tt: onnx.TypeProto.ITensor | null | undefined): { elemType: number; dims: Dim[] | undefined } {
  if (!tt) return { elemType: 0, dims: undefined };
  const dims = tt.shape ? (tt.shape.dim ?? []).map((d): Dim => (d.dimParam ? d.dimParam : d.dimValue != null ? toInt(d.dimValue, `dimension of '${name}'`) : undefined)) : undefined;
  return { elemType: tt.elemType ?? 0, dims };
}

function valueDecl(v: onnx.IValueInfoProto): ValueDecl {
  const name = v.name ?? '';
  const ty = v.type;
  if (!ty || ty.tensorType) return { name, ...tensorDecl(name, ty?.tensorType), isTensor: true, kind: 'tensor' };
  if (ty.sequenceType) return { name, ...tensorDecl(name, ty.sequenceType.elemType?.tensorType), isTensor: false, kind: 'sequence' };
  if (ty.optionalType) {
    const inner = ty.optionalType.elemType;
    const seq = !!inner?.sequenceType;
    return { name, ...tensorDecl(name, seq ? inner?.sequenceType?.elemType?.tensorType : inner?.tensorType), isTensor: false, kind: 'optional', optionalOf: seq ? 'sequence' : 'tensor' };
  }
  return { name, elemType: 0, dims: undefined, isTensor: false, kind: ty.mapType ? 'map' : 'tensor' };
}

function attribute(a: onnx.IAttributeProto, node: string, opts: ParseOptions): OnnxAttribute {
  const name = a.name ?? '';
  const sub = (g: onnx.IGraphProto, k?: number) => parseGraph(g, `${node}/${name}${k === undefined ? '' : k}`, opts);
  return {
    name,
    type: a.type ?? 0,
    f: a.f ?? 0,
    i: toInt(a.i, `attribute '${name}' of node '${node}'`),
    s: a.s ? utf8.decode(a.s) : '',
    t: a.t ? tensorFromProto(resolveExternal(a.t, opts.externalData), `attribute '${name}' of node '${node}'`) : undefined,
    floats: a.floats ?? [],
    ints: (a.ints ?? []).map((v, k) => toInt(v, `attribute '${name}'[${k}] of node '${node}'`)),
    strings: (a.strings ?? []).map((s) => utf8.decode(s)),
    hasGraph: !!a.g || (a.graphs?.length ?? 0) > 0,
    g: a.g ? sub(a.g) : undefined,
    graphs: a.graphs?.length ? a.graphs.map((g, k) => sub(g, k)) : undefined,
    refAttrName: a.refAttrName ?? '',
    tp: a.tp ? valueDecl({ name, type: a.tp }) : undefined,
  };
}

/** Nodes of a graph or a function body; `scope` prefixes generated names so they stay unique across subgraphs. */
export function parseNodes(list: readonly onnx.INodeProto[], scope: string, opts: ParseOptions): OnnxNode[] {
  return list.map((n, k) => {
    const opType = n.opType ?? '';
    const name = n.name || `${scope}${opType}#${k}`;
    const attrs = new Map<string, OnnxAttribute>();
    for (const a of n.attribute ?? []) attrs.set(a.name ?? '', attribute(a, name, opts));
    return { name, opType, domain: normalizeDomain(n.domain), inputs: n.input ?? [], outputs: n.output ?? [], attrs };
  });
}

/** A graph's nodes, initializers and typed values (a subgraph's `scope` is its node and attribute). */
function parseGraph(g: onnx.IGraphProto, scope: string, opts: ParseOptions): OnnxGraph {
  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer ?? []) {
    if (!t.name) throw new OnnxModelError(`an initializer${scope ? ` of ${scope}` : ''} has no name`);
    initializers.set(t.name, tensorFromProto(resolveExternal(t, opts.externalData), 'initializer'));
  }
  if ((g.sparseInitializer?.length ?? 0) > 0) throw new UnsupportedModelError('sparse initializers are not supported yet');
  const declared = new Map<string, ValueDecl>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) if (v.name) declared.set(v.name, valueDecl(v));
  // IR < 4 models list their initializers as graph inputs too; those are weights, not feeds
  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueDecl);
  const outputs = (g.output ?? []).map(valueDecl);
  for (const v of [...inputs, ...outputs]) {
    if (!v.name) throw new OnnxModelError(`a graph input or output${scope ? ` of ${scope}` : ''} has no name`);
    if (v.kind === 'map') throw new UnsupportedModelError(`graph value '${v.name}' is a map (maps are not supported)`);
  }
  return { nodes: parseNodes(g.node ?? [], scope ? `${scope}/` : '', opts), initializers, inputs, outputs, declared };
}

/** Decode model bytes. Truncated or corrupted bytes give an OnnxModelError, never a crash. */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new OnnxModelError(`model must be a Uint8Array, an ArrayBuffer or a path, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.byteLength === 0) throw new OnnxModelError('model bytes are empty');
  try {
    return O.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxModelError(`model bytes are not a valid ONNX protobuf (${(e as Error).message})`);
  }
}

/** Parse an ONNX model into the engine's description of its main graph. */
export function parseModel(bytes: Uint8Array | onnx.ModelProto, opts: ParseOptions = {}): OnnxModel {
  const m = bytes instanceof Uint8Array ? decodeModel(bytes) : bytes;
  const g = m.graph;
  if (!g) throw new OnnxModelError('the model has no graph');
  const opsets = new Map<string, number>();
  for (const o of m.opsetImport ?? []) opsets.set(normalizeDomain(o.domain), toInt(o.version, 'opset version'));
  // IR version 3 and earlier models may omit the import of the default domain: ONNX then means opset 1
  if (!opsets.has('')) opsets.set('', 1);

  const { initializers, declared, inputs, outputs, nodes: parsed } = parseGraph(g, '', opts);
  for (const [name, t] of initializers) {
    const d = declared.get(name);
    if (d?.dims && (d.dims.length !== t.dims.length || d.dims.some((x, k) => typeof x === 'number' && x !== t.dims[k]))) {
      throw new OnnxModelError(`initializer '${name}' has shape [${t.dims.join(',')}] but the graph declares [${d.dims.map((x) => x ?? '?').join(',')}]`);
    }
    if (d && d.elemType !== 0 && onnxTypeName(d.elemType) !== t.dtype) {
      throw new OnnxModelError(`initializer '${name}' holds ${t.dtype} but the graph declares ${onnxTypeName(d.elemType)}`);
    }
  }

  const defs = new Map<string, OnnxFunction>();
  const raw = bytes instanceof Uint8Array ? bytes : opts.bytes;
  const defaultProtos = raw && (m.functions?.length ?? 0) > 0 ? functionDefaultProtos(raw) : new Map<string, onnx.AttributeProto[]>();
  for (const f of m.functions ?? []) {
    const key = `${normalizeDomain(f.domain)}::${f.name}`;
    const defaults = new Map((defaultProtos.get(`${f.domain ?? ''}::${f.name}`) ?? []).map((a) => [a.name, attribute(a, key, opts)] as const));
    const attributes = [...(f.attribute ?? []), ...defaults.keys()];
    defs.set(key, { key, inputs: f.input ?? [], outputs: f.output ?? [], attributes, defaults, nodes: parseNodes(f.node ?? [], `${key}/`, opts) });
    for (const o of f.opsetImport ?? []) {
      const d = normalizeDomain(o.domain);
      if (!opsets.has(d)) opsets.set(d, toInt(o.version, 'opset version'));
    }
  }
  const nodes = expandFunctions(parsed, defs);
  const functions = new Set(defs.keys());
  return {
    irVersion: toInt(m.irVersion, 'ir_version'),
    producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
    opsets,
    nodes,
    initializers,
    inputs,
    outputs,
    declared,
    functions,
  };
}
