/** Element types a twinops tensor can hold. */
export type DType = 'float32' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8' | 'float16';

export const DTYPES: readonly DType[] = ['float32', 'int32', 'int64', 'bool', 'uint8', 'int8', 'float16'];

/** The typed array that carries each dtype at the API boundary. float16 is carried as raw Uint16 bits. */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int32'
    ? Int32Array
    : D extends 'int64'
      ? BigInt64Array
      : D extends 'bool' | 'uint8'
        ? Uint8Array
        : D extends 'int8'
          ? Int8Array
          : Uint16Array;

export type AnyTypedArray =
  | Float32Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Uint16Array;

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
  int8: 1,
  float16: 2,
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
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/** The dtype a typed array maps to when none is given (Uint8Array maps to uint8, not bool). */
export function dtypeOfArray(a: ArrayLike<unknown>): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'float16';
  return undefined;
}
