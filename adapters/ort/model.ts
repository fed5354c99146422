/**
 * ONNX model loading: bytes → a plain description of the main graph (nodes, initializers, typed
 * inputs/outputs with symbolic dimensions, opset imports). Protobuf decoding is onnx-proto's.
 */
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { OnnxModelError, UnsupportedModelError } from './errors.js';
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
  /** Subgraph-valued attributes are kept as protos (If/Loop/Scan are not mapped yet). */
  hasGraph: boolean;
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
  /** Local functions the model defines (domain::name); expanding them is not implemented yet. */
  functions: Set<string>;
}

const utf8 = new TextDecoder();

export function normalizeDomain(d: string | null | undefined): string {
  return !d || d === 'ai.onnx' ? '' : d;
}

function valueDecl(v: onnx.IValueInfoProto): ValueDecl {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) return { name, elemType: 0, dims: undefined, isTensor: !v.type || !!v.type.tensorType };
  const dims = tt.shape ? (tt.shape.dim ?? []).map((d): Dim => (d.dimParam ? d.dimParam : d.dimValue != null ? toInt(d.dimValue, `dimension of '${name}'`) : undefined)) : undefined;
  return { name, elemType: tt.elemType ?? 0, dims, isTensor: true };
}

function attribute(a: onnx.IAttributeProto, node: string): OnnxAttribute {
  const name = a.name ?? '';
  return {
    name,
    type: a.type ?? 0,
    f: a.f ?? 0,
    i: toInt(a.i, `attribute '${name}' of node '${node}'`),
    s: a.s ? utf8.decode(a.s) : '',
    t: a.t ? tensorFromProto(a.t, `attribute '${name}' of node '${node}'`) : undefined,
    floats: a.floats ?? [],
    ints: (a.ints ?? []).map((v, k) => toInt(v, `attribute '${name}'[${k}] of node '${node}'`)),
    strings: (a.strings ?? []).map((s) => utf8.decode(s)),
    hasGraph: !!a.g || (a.graphs?.length ?? 0) > 0,
  };
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
export function parseModel(bytes: Uint8Array): OnnxModel {
  const m = decodeModel(bytes);
  const g = m.graph;
  if (!g) throw new OnnxModelError('the model has no graph');
  const opsets = new Map<string, number>();
  for (const o of m.opsetImport ?? []) opsets.set(normalizeDomain(o.domain), toInt(o.version, 'opset version'));
  // IR version 3 and earlier models may omit the import of the default domain: ONNX then means opset 1
  if (!opsets.has('')) opsets.set('', 1);

  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer ?? []) {
    if (!t.name) throw new OnnxModelError('an initializer has no name');
    initializers.set(t.name, tensorFromProto(t, 'initializer'));
  }
  if ((g.sparseInitializer?.length ?? 0) > 0) throw new UnsupportedModelError('sparse initializers are not supported yet');

  const declared = new Map<string, ValueDecl>();
  const all = [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])];
  for (const v of all) if (v.name) declared.set(v.name, valueDecl(v));
  // IR < 4 models list their initializers as graph inputs too; those are weights, not feeds
  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueDecl);
  const outputs = (g.output ?? []).map(valueDecl);
  for (const v of [...inputs, ...outputs]) {
    if (!v.name) throw new OnnxModelError('a graph input or output has no name');
    if (!v.isTensor) throw new UnsupportedModelError(`graph value '${v.name}' is not a tensor (sequences, maps and optionals are not supported yet)`);
  }
  for (const [name, t] of initializers) {
    const d = declared.get(name);
    if (d?.dims && (d.dims.length !== t.dims.length || d.dims.some((x, k) => typeof x === 'number' && x !== t.dims[k]))) {
      throw new OnnxModelError(`initializer '${name}' has shape [${t.dims.join(',')}] but the graph declares [${d.dims.map((x) => x ?? '?').join(',')}]`);
    }
    if (d && d.elemType !== 0 && onnxTypeName(d.elemType) !== t.dtype) {
      throw new OnnxModelError(`initializer '${name}' holds ${t.dtype} but the graph declares ${onnxTypeName(d.elemType)}`);
    }
  }

  const nodes: OnnxNode[] = (g.node ?? []).map((n, k) => {
    const opType = n.opType ?? '';
    const name = n.name || `${opType}#${k}`;
    const attrs = new Map<string, OnnxAttribute>();
    for (const a of n.attribute ?? []) attrs.set(a.name ?? '', attribute(a, name));
    return { name, opType, domain: normalizeDomain(n.domain), inputs: n.input ?? [], outputs: n.output ?? [], attrs };
  });
  const functions = new Set((m.functions ?? []).map((f) => `${normalizeDomain(f.domain)}::${f.name}`));
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
