/**
 * ONNX TensorProto ↔ host arrays, and the dtype vocabularies of ONNX (enum numbers), onnxruntime
 * (type strings) and twinops. Decoding is done by onnx-proto (protobufjs); this file only moves the
 * already-decoded fields into typed arrays of the right type.
 */
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import type { AnyTypedArray, DType } from '../../core/dtype.js';
import { OnnxModelError, UnsupportedModelError } from './errors.js';

/** ONNX TensorProto.DataType numbers. */
export const ONNX_TYPE = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
  UINT4: 21, INT4: 22,
} as const;

const ONNX_TYPE_NAME: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

/** Readable name of an ONNX element type (the onnxruntime-style name where one exists). */
export function onnxTypeName(t: number): string {
  return ONNX_TYPE_NAME[t] ?? `type #${t}`;
}

const TO_DTYPE: Partial<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64', 21: 'uint4', 22: 'int4',
};

/** The twinops dtype for an ONNX element type, or undefined when twinops has no such dtype. */
export function dtypeOfOnnx(t: number): DType | undefined {
  return TO_DTYPE[t];
}

/** onnxruntime-common Tensor.Type of a twinops dtype (the names coincide). */
export function ortTypeOf(d: DType): string {
  return d;
}

/** Decode a serialized TensorProto (.pb test data, external tensors). */
export function decodeTensorProto(bytes: Uint8Array): onnx.TensorProto {
  try {
    return onnxProto.onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new OnnxModelError(`bytes are not a valid TensorProto (${(e as Error).message})`);
  }
}

/** A tensor held on the host: decoded initializers, Constant values, test data. */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: AnyTypedArray;
}

type Long = { toString(): string; toNumber(): number };
type IntLike = number | Long;

/** A protobuf int64 (a Long object when the `long` package is present) as a safe JS number. */
export function toInt(v: IntLike | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v.toString());
  if (!Number.isSafeInteger(n)) throw new OnnxModelError(`${what} is not a safe integer (${String(v)})`);
  return n;
}

export function toBigInt(v: IntLike): bigint {
  return typeof v === 'number' ? BigInt(v) : BigInt(v.toString());
}

/**
 * Unpack 4-bit elements (two per byte, the first in the low nibble, as ONNX and onnxruntime store
 * int4/uint4) into one element per byte: int4 sign-extended into an Int8Array, uint4 into a Uint8Array.
 */
export function unpack4(packed: ArrayLike<number>, count: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const nib = ((packed[i >> 1]! & 0xff) >> ((i & 1) * 4)) & 0xf;
    out[i] = signed ? (nib << 28) >> 28 : nib;
  }
  return out;
}

/** Pack one element per byte (int4/uint4, only the low nibble of each is kept) two per byte, low nibble first (onnxruntime-common's Uint8Array form). */
export function pack4(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array((values.length + 1) >> 1);
  for (let i = 0; i < values.length; i++) out[i >> 1]! |= (values[i]! & 0xf) << ((i & 1) * 4);
  return out;
}

function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Copy little-endian bytes into a fresh, aligned typed array (raw_data may be an unaligned view into the model). */
function fromRaw<T extends AnyTypedArray>(raw: Uint8Array, Ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, count: number, name: string): T {
  if (raw.byteLength !== count * Ctor.BYTES_PER_ELEMENT) {
    throw new OnnxModelError(`tensor '${name}': raw_data has ${raw.byteLength} bytes but its shape needs ${count} × ${Ctor.BYTES_PER_ELEMENT}`);
  }
  const buf = new ArrayBuffer(raw.byteLength);
  new Uint8Array(buf).set(raw);
  return new Ctor(buf);
}

function fromField<T extends AnyTypedArray>(field: ArrayLike<number> | null | undefined, make: (n: number) => T, count: number, name: string, conv: (v: number) => number = (v) => v): T {
  const src = field ?? [];
  if (src.length !== count) throw new OnnxModelError(`tensor '${name}': ${src.length} values in its typed field but its shape needs ${count}`);
  const out = make(count);
  for (let i = 0; i < count; i++) (out as unknown as number[])[i] = conv(src[i]!);
  return out;
}

/**
 * Decode a TensorProto into a host tensor. Handles raw_data and the typed fields for every dtype
 * twinops has (float16 in int32_data holds the raw bits; int64 becomes a BigInt64Array, uint64 a
 * BigUint64Array; int4/uint4 are unpacked to one element per byte).
 * External data is resolved by the caller (see model.ts) before this is called.
 */
export function tensorFromProto(t: onnx.ITensorProto, what = 'tensor'): HostTensor {
  const name = t.name || what;
  const dims = (t.dims ?? []).map((d, i) => {
    const n = toInt(d as IntLike, `tensor '${name}' dimension ${i}`);
    if (n < 0) throw new OnnxModelError(`tensor '${name}' has a negative dimension ${n}`);
    return n;
  });
  const type = t.dataType ?? 0;
  const dtype = dtypeOfOnnx(type);
  if (!dtype) throw new UnsupportedModelError(`tensor '${name}' has element type ${onnxTypeName(type)}, which twinops does not support`);
  if (t.dataLocation === 1) throw new UnsupportedModelError(`tensor '${name}' stores its data externally; external data is not supported yet`);
  const count = elementCount(dims);
  const raw = t.rawData && t.rawData.byteLength > 0 ? t.rawData : undefined;
  let data: AnyTypedArray;
  switch (dtype) {
    case 'float32':
      data = raw ? fromRaw(raw, Float32Array, count, name) : fromField(t.floatData, (n) => new Float32Array(n), count, name);
      break;
    case 'int32':
      data = raw ? fromRaw(raw, Int32Array, count, name) : fromField(t.int32Data, (n) => new Int32Array(n), count, name);
      break;
    case 'int8':
      data = raw ? fromRaw(raw, Int8Array, count, name) : fromField(t.int32Data, (n) => new Int8Array(n), count, name);
      break;
    case 'uint8':
      data = raw ? fromRaw(raw, Uint8Array, count, name) : fromField(t.int32Data, (n) => new Uint8Array(n), count, name);
      break;
    case 'bool':
      data = raw ? fromRaw(raw, Uint8Array, count, name) : fromField(t.int32Data, (n) => new Uint8Array(n), count, name, (v) => (v ? 1 : 0));
      break;
    case 'float16':
      data = raw ? fromRaw(raw, Uint16Array, count, name) : fromField(t.int32Data, (n) => new Uint16Array(n), count, name);
      break;
    case 'int64': {
      if (raw) data = fromRaw(raw, BigInt64Array, count, name);
      else {
        const src = t.int64Data ?? [];
        if (src.length !== count) throw new OnnxModelError(`tensor '${name}': ${src.length} values in int64_data but its shape needs ${count}`);
        const out = new BigInt64Array(count);
        for (let i = 0; i < count; i++) out[i] = toBigInt(src[i] as IntLike);
        data = out;
      }
      break;
    }
    case 'float64':
      data = raw ? fromRaw(raw, Float64Array, count, name) : fromField(t.doubleData, (n) => new Float64Array(n), count, name);
      break;
    case 'uint16':
      data = raw ? fromRaw(raw, Uint16Array, count, name) : fromField(t.int32Data, (n) => new Uint16Array(n), count, name);
      break;
    case 'int16':
      data = raw ? fromRaw(raw, Int16Array, count, name) : fromField(t.int32Data, (n) => new Int16Array(n), count, name);
      break;
    case 'uint32':
      // the typed field of uint32 is uint64_data
      data = raw ? fromRaw(raw, Uint32Array, count, name) : fromField((t.uint64Data ?? []).map((v) => Number(toBigInt(v as IntLike))), (n) => new Uint32Array(n), count, name);
      break;
    case 'uint64': {
      if (raw) data = fromRaw(raw, BigUint64Array, count, name);
      else {
        const src = t.uint64Data ?? [];
        if (src.length !== count) throw new OnnxModelError(`tensor '${name}': ${src.length} values in uint64_data but its shape needs ${count}`);
        const out = new BigUint64Array(count);
        for (let i = 0; i < count; i++) out[i] = BigInt.asUintN(64, toBigInt(src[i] as IntLike));
        data = out;
      }
      break;
    }
    case 'int4':
    case 'uint4': {
      // packed two per byte in raw_data, and two per int32_data entry's low byte likewise
      const bytes = raw ?? Uint8Array.from(t.int32Data ?? [], (v) => v & 0xff);
      const need = (count + 1) >> 1;
      if (bytes.length !== need) throw new OnnxModelError(`tensor '${name}': ${bytes.length} packed bytes of ${dtype} but its shape needs ${need}`);
      data = unpack4(bytes, count, dtype === 'int4');
      break;
    }
  }
  return { dtype, dims, data };
}
