/**
 * Typed errors. Every error names the operator (or kernel) and the offending shapes or dtypes,
 * so a user can tell from the message alone what went wrong and where.
 */
export type ErrorCode =
  | 'SHAPE_MISMATCH'
  | 'RANK'
  | 'DTYPE'
  | 'ATTRIBUTE'
  | 'DISPOSED'
  | 'NO_KERNEL'
  | 'DEVICE'
  | 'OUT_OF_MEMORY'
  | 'UNSUPPORTED'
  | 'WORKER'
  /** An ONNX model that cannot be parsed or is inconsistent (adapters/ort). */
  | 'INVALID_MODEL'
  /** A bad argument at an adapter boundary: missing or extra feeds, unknown options (adapters/). */
  | 'INVALID_ARGUMENT';

export class TwinopsError extends Error {
  readonly code: ErrorCode;
  readonly op: string | undefined;
  constructor(code: ErrorCode, op: string | undefined, message: string) {
    super(op ? `${op}: ${message}` : message);
    this.name = 'TwinopsError';
    this.code = code;
    this.op = op;
  }
}

/** Input shapes that do not fit together (broadcasting, inner dimensions, ...). */
export class ShapeError extends TwinopsError {
  constructor(op: string, message: string, code: 'SHAPE_MISMATCH' | 'RANK' = 'SHAPE_MISMATCH') {
    super(code, op, message);
    this.name = 'ShapeError';
  }
}

/** A dtype the op does not accept, or inputs whose dtypes disagree. */
export class DTypeError extends TwinopsError {
  constructor(op: string, message: string) {
    super('DTYPE', op, message);
    this.name = 'DTypeError';
  }
}

/** An attribute outside its domain (axis out of range, bad activation name, ...). */
export class AttributeError extends TwinopsError {
  constructor(op: string, message: string) {
    super('ATTRIBUTE', op, message);
    this.name = 'AttributeError';
  }
}

/** A tensor or runtime used after dispose(). */
export class DisposedError extends TwinopsError {
  constructor(op: string | undefined, message: string) {
    super('DISPOSED', op, message);
    this.name = 'DisposedError';
  }
}

/** No kernel is registered for (op, dtype) on any device allowed by the fallback order. */
export class NoKernelError extends TwinopsError {
  constructor(op: string, message: string) {
    super('NO_KERNEL', op, message);
    this.name = 'NoKernelError';
  }
}

/** A tensor on the wrong device, or a device that cannot be acquired. */
export class DeviceError extends TwinopsError {
  constructor(op: string | undefined, message: string) {
    super('DEVICE', op, message);
    this.name = 'DeviceError';
  }
}

/** The wasm32 heap would pass 4 GiB, or a GPU buffer exceeds the device's limit. */
export class OutOfMemoryError extends TwinopsError {
  constructor(op: string | undefined, message: string) {
    super('OUT_OF_MEMORY', op, message);
    this.name = 'OutOfMemoryError';
  }
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
