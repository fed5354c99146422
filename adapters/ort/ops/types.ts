/**
 * How an ONNX node becomes twinops calls. A mapping validates the node's attributes once, at session
 * creation, and returns a `Lowered` node: a function over an `Exec`, so that one description serves
 * both shape inference (an Exec over TensorInfo that asks each op's contract for its plan) and
 * execution (an Exec over a twinops Runtime). Mappings translate calling conventions only: no math.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxAttribute, OnnxNode } from '../model.js';
import type { HostTensor } from '../tensor-proto.js';

export interface Exec<T extends TensorInfo> {
  /** Run a twinops op (by its registered name) and return its outputs. */
  op(name: string, inputs: readonly T[], attrs?: object): T[];
  /** The same data viewed with another shape (no copy). */
  reshape(t: T, shape: readonly number[]): T;
  /**
   * The value of a one-element tensor where it can be known: at session creation only for constants,
   * at run time always. Undefined when unknown.
   */
  scalar(t: T): number | undefined;
  /** The int64/int32 values of a small 1-D tensor (shapes, axes), same availability as scalar(). */
  ints(t: T): number[] | undefined;
  /** A tensor holding host data the graph's metadata determines (Shape, Size, ConstantOfShape): no arithmetic. */
  tensor(host: HostTensor): T;
}

export interface Lowered {
  /** Twinops ops this node calls (for the coverage report and device choice). */
  readonly calls: readonly string[];
  /** Outputs in node order; an output may be an input returned unchanged (Identity-like nodes). */
  run<T extends TensorInfo>(x: Exec<T>, inputs: readonly (T | undefined)[]): T[];
  /** Inputs whose values `run` reads on the host (Exec.scalar/ints): the executor hands them over on wasm. */
  readonly hostInputs?: readonly number[];
}

export interface LowerCtx {
  /** The opset of the node's domain. */
  readonly opset: number;
  /** The value of input i when it is an initializer or a Constant output (known at session creation). */
  constant(i: number): HostTensor | undefined;
  /** Whether output k is read by another node or is a graph output (a mapping may leave unread optional outputs out). */
  used(k: number): boolean;
}

export interface OnnxOpMapping {
  readonly op: string;
  /** '' is the default ONNX domain. */
  readonly domain: string;
  /** The oldest opset this mapping implements (older ones are reported unsupported). */
  readonly sinceOpset?: number;
  lower(node: OnnxNode, ctx: LowerCtx): Lowered;
}

/** Attribute access that rejects attributes a mapping does not translate (they would change semantics). */
export class Attrs {
  constructor(private readonly node: OnnxNode, allowed: readonly string[], ignored: readonly string[] = []) {
    for (const name of node.attrs.keys()) {
      if (!allowed.includes(name) && !ignored.includes(name)) throw new UnsupportedNodeError(`attribute '${name}' is not supported`);
    }
  }
  private get(name: string): OnnxAttribute | undefined {
    return this.node.attrs.get(name);
  }
  has(name: string): boolean {
    return this.node.attrs.has(name);
  }
  int(name: string, def: number): number {
    return this.get(name)?.i ?? def;
  }
  float(name: string, def: number): number {
    return this.get(name)?.f ?? def;
  }
  string(name: string, def: string): string {
    return this.get(name)?.s ?? def;
  }
  ints(name: string): number[] | undefined {
    return this.get(name)?.ints;
  }
}

/** Inputs `node.inputs[i]` present (ONNX marks an omitted optional input with ''). */
export function present(node: OnnxNode): boolean[] {
  return node.inputs.map((n) => n !== '');
}

export function arity(node: OnnxNode, min: number, max = min): void {
  const n = node.inputs.length;
  if (n < min || n > max) throw new UnsupportedNodeError(`${n} inputs (expected ${min === max ? min : `${min} to ${max}`})`);
  for (let i = 0; i < min; i++) if (node.inputs[i] === '') throw new UnsupportedNodeError(`required input ${i} is missing`);
}

/** A required input at run time (the schedule guarantees it is computed before the node). */
export function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new UnsupportedNodeError(`input ${what} is missing`);
  return v;
}

/**
 * Thrown by a lowering during shape inference when it needs the value of a tensor that is only
 * known at run time (a computed Reshape target, say): inference leaves that node's outputs unknown.
 */
export class ValueUnknown extends Error {
  constructor() {
    super('value known only at run time');
    this.name = 'ValueUnknown';
  }
}

/** The integer values of input `i`: a constant's now, otherwise read through the Exec (run time). */
export function intsOf<T extends TensorInfo>(x: Exec<T>, t: T, constant: number[] | undefined): number[] {
  if (constant) return constant;
  const v = x.ints(t);
  if (!v) throw new ValueUnknown();
  return v;
}

/** A constant input's values as integers (int64 shapes and axes), or undefined. */
export function constInts(ctx: LowerCtx, i: number): number[] | undefined {
  const t = ctx.constant(i);
  return t ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
}
