/**
 * Reductions (ONNX opset 18 semantics), ArgMax/ArgMin and cumulative scans (CumSum, CumProd).
 *
 * A reduction over any set of axes is planned as a list of passes, each over a view
 * [outer, R, inner] of the previous pass's output: adjacent reduced axes merge into one group,
 * size-1 axes drop, and the largest remaining group is reduced first (it shrinks the data most).
 * The first pass applies the op's element transform (x², |x|, exp) and later passes only combine
 * partial results, so non-adjacent axes need no transpose. Reducing a set that contains a size-0
 * axis gives the identity: Sum/L1/L2/SumSquare 0, Prod 1, Max −Inf (INT32_MIN for int32),
 * Min +Inf (INT32_MAX), LogSum and LogSumExp −Inf, Mean NaN (0/0).
 */
import type { DType } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { normalizeAxis } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const REDUCE_OPS = [
  'ReduceSum',
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSumExp',
  'ReduceSumSquare',
  'ReduceLogSum',
] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Reductions that also run on int32 and int64 (wrapping like the C/ONNX runtime integer arithmetic; int64 on wasm only). */
export const INT_REDUCE_OPS: readonly ReduceOp[] = ['ReduceSum', 'ReduceProd', 'ReduceMax', 'ReduceMin'];

/** The kernel-level reduction a pass performs. */
export type ReduceMode = 'sum' | 'sumsq' | 'asum' | 'max' | 'min' | 'prod' | 'lse';
/** What runs over the output after the last pass. */
export type ReduceFinish = 'none' | 'mean' | 'sqrt' | 'log';

const MODES: Record<ReduceOp, { first: ReduceMode; combine: ReduceMode; finish: ReduceFinish }> = {
  ReduceSum: { first: 'sum', combine: 'sum', finish: 'none' },
  ReduceMean: { first: 'sum', combine: 'sum', finish: 'mean' },
  ReduceMax: { first: 'max', combine: 'max', finish: 'none' },
  ReduceMin: { first: 'min', combine: 'min', finish: 'none' },
  ReduceProd: { first: 'prod', combine: 'prod', finish: 'none' },
  ReduceL1: { first: 'asum', combine: 'sum', finish: 'none' },
  ReduceL2: { first: 'sumsq', combine: 'sum', finish: 'sqrt' },
  ReduceLogSumExp: { first: 'lse', combine: 'lse', finish: 'none' },
  ReduceSumSquare: { first: 'sumsq', combine: 'sum', finish: 'none' },
  ReduceLogSum: { first: 'sum', combine: 'sum', finish: 'log' },
};

export interface ReduceAttrs {
  /** Axes to reduce (negative counts from the end); absent or empty means all, unless noop_with_empty_axes. */
  axes?: readonly number[] | readonly bigint[] | Int32Array | BigInt64Array;
  /** Keep reduced axes as size 1 (default true, as ONNX). */
  keepdims?: boolean | number;
  /** With empty axes, reduce nothing (the op's element transform still applies, as the ONNX reference). */
  noop_with_empty_axes?: boolean | number;
}

export interface ReducePass {
  mode: ReduceMode;
  outer: number;
  R: number;
  inner: number;
}

export interface ReducePlan extends Plan {
  /** Passes in order; pass i reads pass i−1's output (the input for i = 0), the last writes the output. */
  passes: ReducePass[];
  finish: ReduceFinish;
  /** Number of input elements reduced into each output element (Mean divides by it). */
  count: number;
  outSize: number;
}

/** The reduced axes of a rank-`rank` tensor, sorted and deduplicated; null means "none" (noop). */
export function reducedAxes(op: string, shape: readonly number[], attrs: ReduceAttrs): number[] | null {
  const rank = shape.length;
  const given: unknown = attrs.axes ?? [];
  if (!Array.isArray(given) && !ArrayBuffer.isView(given)) throw new AttributeError(op, `axes must be an array of integers, got ${String(given)}`);
  // ONNX passes axes as an int64 tensor: bigints and typed arrays are accepted
  const axes = Array.from(given as ArrayLike<number | bigint>, Number);
  if (axes.length === 0) return attrs.noop_with_empty_axes ? null : Array.from({ length: rank }, (_, i) => i);
  const set = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new AttributeError(op, `axis ${a} is out of range for input shape ${fmtShape(shape)}`);
    }
    const n = a < 0 ? a + rank : a;
    if (set.has(n)) throw new AttributeError(op, `axis ${a} is listed twice in axes [${axes.join(',')}] for input shape ${fmtShape(shape)}`);
    set.add(n);
  }
  return [...set].sort((a, b) => a - b);
}

/** Split a reduction into [outer, R, inner] passes (see the file comment). */
export function planPasses(shape: readonly number[], axes: readonly number[] | null, first: ReduceMode, combine: ReduceMode): ReducePass[] {
  const size = shape.reduce((a, b) => a * b, 1);
  if (axes === null) return [{ mode: first, outer: size, R: 1, inner: 1 }];
  const red = new Set(axes);
  let outSize = 1;
  for (let i = 0; i < shape.length; i++) if (!red.has(i)) outSize *= shape[i]!;
  if (axes.some((a) => shape[a] === 0)) return [{ mode: first, outer: outSize, R: 0, inner: 1 }];
  // groups of adjacent same-kind axes, size-1 axes dropped
  const groups: { n: number; red: boolean }[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const last = groups[groups.length - 1];
    if (last && last.red === red.has(i)) last.n *= n;
    else groups.push({ n, red: red.has(i) });
  }
  const passes: ReducePass[] = [];
  for (;;) {
    let best = -1;
    for (let g = 0; g < groups.length; g++) if (groups[g]!.red && (best < 0 || groups[g]!.n > groups[best]!.n)) best = g;
    if (best < 0) break;
    let outer = 1;
    let inner = 1;
    for (let g = 0; g < best; g++) outer *= groups[g]!.n;
    for (let g = best + 1; g < groups.length; g++) inner *= groups[g]!.n;
    passes.push({ mode: passes.length ? combine : first, outer, R: groups[best]!.n, inner });
    groups.splice(best, 1);
    // the kept neighbours of the removed group are now adjacent
    if (best > 0 && best < groups.length && !groups[best - 1]!.red && !groups[best]!.red) {
      groups[best - 1]!.n *= groups[best]!.n;
      groups.splice(best, 1);
    }
  }
  if (passes.length === 0) passes.push({ mode: first, outer: size, R: 1, inner: 1 });
  return passes;
}

/** The input dtypes of a reduction: float32 and float64 (wasm only) for all, int32 and int64 for INT_REDUCE_OPS. */
export function reduceDTypes(op: ReduceOp): DType[] {
  return INT_REDUCE_OPS.includes(op) ? ['float32', 'int32', 'int64', 'float64'] : ['float32', 'float64'];
}

export function reduceDef(op: ReduceOp): OpDef<ReduceAttrs, ReducePlan> {
  const dtypes = reduceDTypes(op);
  return {
    name: op,
    plan(inputs: readonly TensorInfo[], attrs: ReduceAttrs = {}): ReducePlan {
      expectArity(op, inputs, 1);
      const x = inputs[0]!;
      expectDType(op, x, dtypes, 'data');
      const axes = reducedAxes(op, x.shape, attrs);
      const keep = attrs.keepdims === undefined ? true : !!attrs.keepdims;
      const red = new Set(axes ?? []);
      const shape: number[] = [];
      let count = 1;
      for (let i = 0; i < x.shape.length; i++) {
        if (!red.has(i)) shape.push(x.shape[i]!);
        else {
          count *= x.shape[i]!;
          if (keep) shape.push(1);
        }
      }
      const m = MODES[op];
      const passes = planPasses(x.shape, axes, m.first, m.combine);
      const outSize = shape.reduce((a, b) => a * b, 1);
      return { outputs: [{ shape, dtype: x.dtype }], dispatchDType: x.dtype, passes, finish: m.finish, count, outSize };
    },
  };
}

export interface ArgReduceAttrs {
  axis?: number;
  keepdims?: boolean | number;
  select_last_index?: boolean | number;
  /** Index dtype: 'int64' as ONNX (default), 'int32' as tfjs. */
  outputDtype?: 'int32' | 'int64';
  /**
   * float32 NaN: 'propagate' (default, numpy: the first NaN wins). 'ignore' (tfjs): the first element
   * starts the scan and a later one replaces it only when strictly greater (ArgMax) / less (ArgMin),
   * which NaN never is; so NaN is skipped unless it leads. Not with select_last_index.
   */
  nanMode?: 'propagate' | 'ignore';
}

export interface ArgReducePlan extends Plan {
  outer: number;
  R: number;
  inner: number;
  selectLast: boolean;
  outputDtype: 'int32' | 'int64';
  /** nanMode 'ignore' (float32 only; see ArgReduceAttrs). */
  ignoreNaN: boolean;
}

/**
 * ArgMax/ArgMin along one axis. NaN follows the ONNX reference (numpy argmax): NaN counts as the
 * extreme value, so the first NaN wins, or the last one with select_last_index. Ties pick the first
 * (or last) index. An empty axis has no answer and throws.
 */
export function argReduceDef(op: 'ArgMax' | 'ArgMin'): OpDef<ArgReduceAttrs, ArgReducePlan> {
  return {
    name: op,
    plan(inputs: readonly TensorInfo[], attrs: ArgReduceAttrs = {}): ArgReducePlan {
      expectArity(op, inputs, 1);
      const x = inputs[0]!;
      expectDType(op, x, ['float32', 'int32', 'int64'], 'data');
      const rank = x.shape.length;
      const axis = rank === 0 ? 0 : normalizeAxis(op, attrs.axis ?? 0, rank);
      const outputDtype = attrs.outputDtype ?? 'int64';
      if (outputDtype !== 'int32' && outputDtype !== 'int64') throw new AttributeError(op, `outputDtype must be 'int32' or 'int64', got ${String(outputDtype)}`);
      const keep = attrs.keepdims === undefined ? true : !!attrs.keepdims;
      let outer = 1;
      let inner = 1;
      for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
      for (let i = axis + 1; i < rank; i++) inner *= x.shape[i]!;
      const R = rank === 0 ? 1 : x.shape[axis]!;
      if (R === 0 && outer * inner > 0) throw new ShapeError(op, `cannot take the ${op} of an empty axis ${axis} of shape ${fmtShape(x.shape)}`);
      const shape = rank === 0 ? [] : x.shape.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : []));
      const nanMode = attrs.nanMode ?? 'propagate';
      if (nanMode !== 'propagate' && nanMode !== 'ignore') throw new AttributeError(op, `nanMode must be 'propagate' or 'ignore', got ${String(nanMode)}`);
      if (nanMode === 'ignore' && attrs.select_last_index) throw new AttributeError(op, `nanMode 'ignore' does not go with select_last_index`);
      const ignoreNaN = nanMode === 'ignore' && x.dtype === 'float32';
      return { outputs: [{ shape, dtype: outputDtype }], dispatchDType: x.dtype, outer, R, inner, selectLast: !!attrs.select_last_index, outputDtype, ignoreNaN };
    },
  };
}

export interface CumAttrs {
  /** Axis to scan along (default 0; ONNX passes it as an input, here it is an attribute). */
  axis?: number;
  /** Element i excludes x[i] (starts from the identity). */
  exclusive?: boolean | number;
  /** Scan from the end. */
  reverse?: boolean | number;
}

export interface CumPlan extends Plan {
  outer: number;
  R: number;
  inner: number;
  exclusive: boolean;
  reverse: boolean;
}

/** CumSum / CumProd: a sequential scan along one axis (float32 sums accumulate left to right, as numpy). */
export function cumDef(op: 'CumSum' | 'CumProd'): OpDef<CumAttrs, CumPlan> {
  return {
    name: op,
    plan(inputs: readonly TensorInfo[], attrs: CumAttrs = {}): CumPlan {
      expectArity(op, inputs, 1);
      const x = inputs[0]!;
      expectDType(op, x, ['float32', 'int32', 'float64'], 'x');
      const rank = x.shape.length;
      const axis = rank === 0 ? 0 : normalizeAxis(op, attrs.axis ?? 0, rank);
      let outer = 1;
      let inner = 1;
      for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
      for (let i = axis + 1; i < rank; i++) inner *= x.shape[i]!;
      const R = rank === 0 ? 1 : x.shape[axis]!;
      return { outputs: [{ shape: x.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, outer, R, inner, exclusive: !!attrs.exclusive, reverse: !!attrs.reverse };
    },
  };
}

export const REDUCE_DEFS = REDUCE_OPS.map((op) => defineOp(reduceDef(op)));
export const ARGMAX_DEF = defineOp(argReduceDef('ArgMax'));
export const ARGMIN_DEF = defineOp(argReduceDef('ArgMin'));
export const CUMSUM_DEF = defineOp(cumDef('CumSum'));
export const CUMPROD_DEF = defineOp(cumDef('CumProd'));
