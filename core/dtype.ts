/**
 * Element types a twinops tensor can hold.
 *
 * int4 and uint4 are stored unpacked, one element per byte (int4 sign-extended in an Int8Array,
 * uint4 in a Uint8Array holding 0..15): every kernel then sees whole bytes. The packed form (two
 * elements per byte, low nibble first) exists only at the ONNX boundary (adapters/ort), which packs
 * and unpacks.
 */
export type DType =
  | 'float32'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'float16'
  | 'float64'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int16'
  | 'int4'
  | 'uint4';

export const DTYPES: readonly DType[] = ['float32', 'int32', 'int64', 'bool', 'uint8', 'int8', 'float16', 'float64', 'uint16', 'uint32', 'uint64', 'int16', 'int4', 'uint4'];

/**
 * The dtypes a tensor may hold on WebGPU. WGSL has no 64-bit types and no kernel for the 16-bit and
 * 32-bit unsigned/short integers or the 4-bit ones, so those tensors always live on wasm (a WebGPU
 * runtime keeps them there, and the GPU backend refuses to upload them).
 */
export const GPU_DTYPES: readonly DType[] = ['float32', 'int32', 'bool', 'uint8', 'int8', 'float16'];

export function gpuStorable(d: DType): boolean {
  return GPU_DTYPES.includes(d);
}

/** The typed array that carries each dtype at the API boundary. float16 is carried as raw Uint16 bits. */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int32'
    ? Int32Array
    : D extends 'int64'
      ? BigInt64Array
      : D extends 'bool' | 'uint8' | 'uint4'
        ? Uint8Array
        : D extends 'int8' | 'int4'
          ? Int8Array
          : D extends 'float64'
            ? Float64Array
            : D extends 'uint32'
              ? Uint32Array
              : D extends 'uint64'
                ? BigUint64Array
                : D extends 'int16'
                  ? Int16Array
                  : Uint16Array;

export type AnyTypedArray =
  | Float32Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Float64Array
  | Uint32Array
  | BigUint64Array
  | Int16Array;

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
  int8: 1,
  float16: 2,
  float64: 8,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  int16: 2,
  int4: 1,
  uint4: 1,
};

type Ctor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): AnyTypedArray; new (length: number): AnyTypedArray };

export const ARRAY_CTOR: Record<DType, Ctor> = {
  float32: Float32Array as unknown as Ctor,
  int32: Int32Array as unknown as Ctor,
  int64: BigInt64Array as unknown as Ctor,
  bool: Uint8Array as unknown as Ctor,
  uint8: Uint8Array as unknown as Ctor,
  int8: Int8Array as unknown as Ctor,
  float16: Uint16Array as unknown as Ctor,
  float64: Float64Array as unknown as Ctor,
  uint16: Uint16Array as unknown as Ctor,
  uint32: Uint32Array as unknown as Ctor,
  uint64: BigUint64Array as unknown as Ctor,
  int16: Int16Array as unknown as Ctor,
  int4: Int8Array as unknown as Ctor,
  uint4: Uint8Array as unknown as Ctor,
};

/** The 64-bit integer dtypes, carried as bigints. */
export function isBigIntDType(d: DType): d is 'int64' | 'uint64' {
  return d === 'int64' || d === 'uint64';
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/**
 * The dtype a typed array maps to when none is given (Uint8Array maps to uint8, not bool; Int8Array
 * to int8, not int4). A Uint16Array maps to float16 (raw half bits, the historical meaning): uint16
 * data needs an explicit dtype.
 */
export function dtypeOfArray(a: ArrayLike<unknown>): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'float16';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigUint64Array) return 'uint64';
  if (a instanceof Int16Array) return 'int16';
  return undefined;
}

/** IEEE half-precision bits (how twinops holds float16) → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A one-element tensor's data as a number (float16 bits decoded, bigints converted). */
export function scalarOf(dtype: DType, data: ArrayLike<number | bigint>): number {
  const v = Number(data[0]);
  return dtype === 'float16' ? halfToFloat(v) : v;
}
