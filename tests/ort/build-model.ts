/** Small ONNX models for tests, built with onnx-proto (the same protobuf classes the engine decodes with). */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const T = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;

export interface ValueSpec {
  name: string;
  type: number;
  dims?: (number | string | null)[];
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  /** Integers become INT (use { f } for a float that happens to be whole), arrays INTS or FLOATS. */
  attrs?: Record<string, number | number[] | string | { f: number } | { floats: number[] } | { tensor: TensorSpec }>;
}

export interface TensorSpec {
  name?: string;
  type: number;
  dims: number[];
  /** Stored in raw_data unless `field` is set. */
  data: ArrayLike<number> | BigInt64Array;
  field?: boolean;
}

export function tensorProto(t: TensorSpec): InstanceType<typeof onnx.TensorProto> {
  const p = onnx.TensorProto.create({ name: t.name ?? '', dataType: t.type, dims: t.dims });
  if (t.field) {
    if (t.type === T.FLOAT) p.floatData = Array.from(t.data as ArrayLike<number>);
    else if (t.type === T.INT64) p.int64Data = Array.from(t.data as ArrayLike<number | bigint>, Number);
    else if (t.type === T.DOUBLE) p.doubleData = Array.from(t.data as ArrayLike<number>);
    else p.int32Data = Array.from(t.data as ArrayLike<number>);
  } else {
    let bytes: Uint8Array;
    if (t.data instanceof BigInt64Array) bytes = new Uint8Array(t.data.buffer.slice(0));
    else if (t.type === T.FLOAT) bytes = new Uint8Array(Float32Array.from(t.data as ArrayLike<number>).buffer);
    else if (t.type === T.INT32) bytes = new Uint8Array(Int32Array.from(t.data as ArrayLike<number>).buffer);
    else if (t.type === T.INT64) bytes = new Uint8Array(BigInt64Array.from(Array.from(t.data as ArrayLike<number>), (v) => BigInt(v)).buffer);
    else if (t.type === T.FLOAT16) bytes = new Uint8Array(Uint16Array.from(t.data as ArrayLike<number>).buffer);
    else if (t.type === T.DOUBLE) bytes = new Uint8Array(Float64Array.from(t.data as ArrayLike<number>).buffer);
    else bytes = Uint8Array.from(t.data as ArrayLike<number>);
    p.rawData = bytes;
  }
  return p;
}

function valueInfo(v: ValueSpec) {
  // type 0: no type at all (onnxruntime infers graph output types)
  if (v.type === 0) return onnx.ValueInfoProto.create({ name: v.name });
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: v.type,
        shape: v.dims === undefined ? undefined : { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  });
}

function attribute(name: string, v: NonNullable<NodeSpec['attrs']>[string]) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return v.every(Number.isInteger) ? onnx.AttributeProto.create({ name, type: A.INTS, ints: v }) : onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v });
  if (typeof v === 'number') return Number.isInteger(v) ? onnx.AttributeProto.create({ name, type: A.INT, i: v }) : onnx.AttributeProto.create({ name, type: A.FLOAT, f: v });
  if ('tensor' in v) return onnx.AttributeProto.create({ name, type: A.TENSOR, t: tensorProto(v.tensor) });
  if ('f' in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.f });
  return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v.floats });
}

export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  valueInfo?: ValueSpec[];
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
  irVersion?: number;
}

export function buildModel(m: ModelSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: m.irVersion ?? 8,
    producerName: 'twinops-tests',
    opsetImport: [{ domain: '', version: m.opset ?? 13 }, ...(m.extraOpsets ?? [])],
    graph: {
      name: 'g',
      node: m.nodes.map((n, k) =>
        onnx.NodeProto.create({
          name: n.name ?? `${n.op}_${k}`,
          opType: n.op,
          domain: n.domain ?? '',
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs ?? {}).map(([k2, v]) => attribute(k2, v)),
        }),
      ),
      input: m.inputs.map(valueInfo),
      output: m.outputs.map(valueInfo),
      valueInfo: (m.valueInfo ?? []).map(valueInfo),
      initializer: (m.initializers ?? []).map(tensorProto),
    },
  });
  // a plain Uint8Array (protobufjs hands out a Buffer in Node, whose slice() does not copy)
  return Uint8Array.from(onnx.ModelProto.encode(model).finish());
}

/** Parse a serialized TensorProto (.pb test data). */
export function decodeTensor(bytes: Uint8Array) {
  return onnx.TensorProto.decode(bytes);
}
