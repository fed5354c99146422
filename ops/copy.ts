/**
 * Data-movement ops (family `copy`). Every op here moves elements without arithmetic, so it works
 * for every dtype by element size. Most are planned as a list of strided **moves**:
 *
 *   dst[dstOffset + Σ i_d·dstStrides_d] = src[srcOffset + Σ i_d·srcStrides_d]   for i over `shape`
 *
 * (offsets and strides in elements, strides may be 0 or negative), which one general strided-copy
 * kernel runs: Transpose, Slice, Expand, Tile, Reverse, Concat, Split, Pad. Gather, GatherElements,
 * GatherND, ScatterND, OneHot, Where and Cast have their own plans.
 */
import { BYTES_PER_ELEMENT, DTYPES, isDType, type DType } from '../core/dtype.js';
import { AttributeError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import { defineOp } from './index.js';
import { scatterReduction, type ScatterReduction } from './scatter-elements.js';
import { broadcastShapes, broadcastStrides, normalizeAxis, shapeSize, stridesOf } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface Move {
  /** Read from input `src` ('in') or from output `src` ('out', a region an earlier move already wrote). */
  from: 'in' | 'out';
  src: number;
  /** Output written. */
  dst: number;
  shape: number[];
  srcOffset: number;
  srcStrides: number[];
  dstOffset: number;
  dstStrides: number[];
}

export interface CopyPlan extends Plan {
  /** Element size in bytes (1, 2, 4 or 8). */
  elemBytes: number;
  /** Outputs filled with one value before the moves (Pad 'constant'). */
  fills: { dst: number; value: number }[];
  moves: Move[];
}

export interface StridedView {
  shape: number[];
  src: number[];
  dst: number[];
}

/**
 * Drop size-1 dimensions and merge neighbours that both sides walk contiguously (strides in any unit).
 * Returns undefined for an empty shape (nothing to copy); a scalar becomes [1].
 */
export function collapseMove(shape: readonly number[], src: readonly number[], dst: readonly number[]): StridedView | undefined {
  if (shape.some((d) => d === 0)) return undefined;
  const out: StridedView = { shape: [], src: [], dst: [] };
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const k = out.shape.length - 1;
    if (k >= 0 && out.src[k] === src[i]! * n && out.dst[k] === dst[i]! * n) {
      out.shape[k]! *= n;
      out.src[k] = src[i]!;
      out.dst[k] = dst[i]!;
    } else {
      out.shape.push(n);
      out.src.push(src[i]!);
      out.dst.push(dst[i]!);
    }
  }
  if (out.shape.length === 0) return { shape: [1], src: [1], dst: [1] };
  return out;
}

export const MOVE_OPS = ['Transpose', 'Slice', 'Expand', 'Tile', 'Reverse', 'Concat', 'Split', 'Pad'] as const;

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i]; default: reversed axes. */
  perm?: readonly number[];
}
export interface SliceAttrs {
  starts: readonly number[];
  ends: readonly number[];
  /** Axes the starts/ends/steps apply to (default 0..n-1; negative allowed). */
  axes?: readonly number[];
  /** Steps (default 1; negative walks backwards; 0 is an error). */
  steps?: readonly number[];
}
export interface ExpandAttrs {
  /** Target shape, broadcast with the input's shape both ways (ONNX Expand). */
  shape: readonly number[];
}
export interface TileAttrs {
  repeats: readonly number[];
}
export interface ReverseAttrs {
  axes: readonly number[];
}
export interface ConcatAttrs {
  axis: number;
}
export interface SplitAttrs {
  axis?: number;
  /** Sizes along the axis (sum = the axis size); or `outputs`: that many equal parts (the last may be smaller, ONNX 18). */
  split?: readonly number[];
  outputs?: number;
}
export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap' | 'symmetric';
export interface PadAttrs {
  /** ONNX layout: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; negative pads crop. */
  pads: readonly number[];
  mode?: PadMode;
  /** Fill value for 'constant' (default 0), converted as a typed-array store would (bool: value != 0; float16 via float32). */
  value?: number;
  /** Axes the pads apply to (default all; then pads has 2·axes.length entries). */
  axes?: readonly number[];
}

function single(x: TensorInfo, shape: number[], moves: Move[], fills: CopyPlan['fills'] = []): CopyPlan {
  return { outputs: [{ shape, dtype: x.dtype }], dispatchDType: x.dtype, elemBytes: BYTES_PER_ELEMENT[x.dtype], fills, moves };
}

function intList(op: string, name: string, v: unknown, len?: number): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw new AttributeError(op, `attribute ${name} must be an array of integers, got ${JSON.stringify(v)}`);
  if (len !== undefined && v.length !== len) throw new AttributeError(op, `attribute ${name} has ${v.length} entries, expected ${len}`);
  return v.slice() as number[];
}

function uniqueAxes(op: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new AttributeError(op, `axes [${axes.join(',')}] repeat an axis`);
  return out;
}

/** The identity move of a whole tensor of `shape` from input `src` to output `dst`. */
function whole(shape: readonly number[], src = 0, dst = 0): Move {
  const s = stridesOf(shape);
  return { from: 'in', src, dst, shape: shape.slice(), srcOffset: 0, srcStrides: s, dstOffset: 0, dstStrides: s.slice() };
}

export const transposeDef: OpDef<TransposeAttrs, CopyPlan> = defineOp({
  name: 'Transpose',
  plan(inputs, attrs = {}) {
    const op = 'Transpose';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = x.shape.length;
    const perm = attrs.perm ? intList(op, 'perm', attrs.perm, r) : [...Array(r).keys()].reverse();
    const seen = new Set(perm);
    if (seen.size !== r || perm.some((p) => p < 0 || p >= r)) throw new AttributeError(op, `perm [${perm.join(',')}] is not a permutation of 0..${r - 1} for input ${fmtShape(x.shape)}`);
    const st = stridesOf(x.shape);
    const shape = perm.map((p) => x.shape[p]!);
    return single(x, shape, [{ from: 'in', src: 0, dst: 0, shape, srcOffset: 0, srcStrides: perm.map((p) => st[p]!), dstOffset: 0, dstStrides: stridesOf(shape) }]);
  },
});

export const sliceDef: OpDef<SliceAttrs, CopyPlan> = defineOp({
  name: 'Slice',
  plan(inputs, attrs) {
    const op = 'Slice';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = x.shape.length;
    const starts = intList(op, 'starts', attrs?.starts);
    const ends = intList(op, 'ends', attrs?.ends, starts.length);
    const axes = attrs.axes ? uniqueAxes(op, intList(op, 'axes', attrs.axes, starts.length), r) : starts.map((_, i) => i);
    if (axes.some((a) => a >= r)) throw new AttributeError(op, `${starts.length} starts for input ${fmtShape(x.shape)} of rank ${r}`);
    const steps = attrs.steps ? intList(op, 'steps', attrs.steps, starts.length) : starts.map(() => 1);
    const st = stridesOf(x.shape);
    const shape = x.shape.slice();
    const srcStrides = st.slice();
    let srcOffset = 0;
    axes.forEach((a, i) => {
      const n = x.shape[a]!;
      const step = steps[i]!;
      if (step === 0) throw new AttributeError(op, `step 0 on axis ${a}`);
      let s = starts[i]!;
      let e = ends[i]!;
      s = s < 0 ? s + n : s;
      e = e < 0 ? e + n : e;
      let count: number;
      if (step > 0) {
        s = Math.min(Math.max(s, 0), n);
        e = Math.min(Math.max(e, 0), n);
        count = e > s ? Math.ceil((e - s) / step) : 0;
      } else {
        s = Math.min(Math.max(s, 0), n - 1);
        e = Math.min(Math.max(e, -1), n - 1);
        count = s > e ? Math.ceil((s - e) / -step) : 0;
      }
      shape[a] = count;
      if (count > 0) srcOffset += s * st[a]!;
      srcStrides[a] = step * st[a]!;
    });
    if (shapeSize(shape) === 0) srcOffset = 0;
    return single(x, shape, [{ from: 'in', src: 0, dst: 0, shape, srcOffset, srcStrides, dstOffset: 0, dstStrides: stridesOf(shape) }]);
  },
});

export const expandDef: OpDef<ExpandAttrs, CopyPlan> = defineOp({
  name: 'Expand',
  plan(inputs, attrs) {
    const op = 'Expand';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const target = intList(op, 'shape', attrs?.shape);
    if (target.some((d) => d < 0)) throw new AttributeError(op, `invalid target shape ${fmtShape(target)}`);
    const shape = broadcastShapes(op, x.shape, target);
    return single(x, shape, [{ from: 'in', src: 0, dst: 0, shape, srcOffset: 0, srcStrides: broadcastStrides(x.shape, shape), dstOffset: 0, dstStrides: stridesOf(shape) }]);
  },
});

export const tileDef: OpDef<TileAttrs, CopyPlan> = defineOp({
  name: 'Tile',
  plan(inputs, attrs) {
    const op = 'Tile';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = x.shape.length;
    const reps = intList(op, 'repeats', attrs?.repeats, r);
    if (reps.some((k) => k < 0)) throw new AttributeError(op, `repeats [${reps.join(',')}] must be non-negative`);
    const shape = x.shape.map((d, i) => d * reps[i]!);
    const ist = stridesOf(x.shape);
    const ost = stridesOf(shape);
    // out index (k_d, i_d) for k_d < repeats_d, i_d < n_d: two move axes per input axis
    const mshape: number[] = [];
    const ss: number[] = [];
    const ds: number[] = [];
    for (let d = 0; d < r; d++) {
      mshape.push(reps[d]!, x.shape[d]!);
      ss.push(0, ist[d]!);
      ds.push(x.shape[d]! * ost[d]!, ost[d]!);
    }
    return single(x, shape, [{ from: 'in', src: 0, dst: 0, shape: mshape, srcOffset: 0, srcStrides: ss, dstOffset: 0, dstStrides: ds }]);
  },
});

export const reverseDef: OpDef<ReverseAttrs, CopyPlan> = defineOp({
  name: 'Reverse',
  plan(inputs, attrs) {
    const op = 'Reverse';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const axes = uniqueAxes(op, intList(op, 'axes', attrs?.axes), x.shape.length);
    const m = whole(x.shape);
    if (shapeSize(x.shape) > 0) {
      for (const a of axes) {
        m.srcOffset += (x.shape[a]! - 1) * m.srcStrides[a]!;
        m.srcStrides[a] = -m.srcStrides[a]!;
      }
    }
    return single(x, x.shape.slice(), [m]);
  },
});

export const concatDef: OpDef<ConcatAttrs, CopyPlan> = defineOp({
  name: 'Concat',
  plan(inputs, attrs) {
    const op = 'Concat';
    if (inputs.length < 1) throw new ShapeError(op, 'expects at least 1 input, got 0', 'RANK');
    const dtype = expectSameDType(op, inputs);
    const x = inputs[0]!;
    const r = x.shape.length;
    if (r === 0) throw new ShapeError(op, 'cannot concatenate rank-0 tensors', 'RANK');
    if (typeof attrs?.axis !== 'number') throw new AttributeError(op, 'attribute axis is required');
    const axis = normalizeAxis(op, attrs.axis, r);
    let total = 0;
    for (const t of inputs) {
      const ok = t.shape.length === r && t.shape.every((d, i) => i === axis || d === x.shape[i]);
      if (!ok) throw new ShapeError(op, `inputs ${inputs.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${axis}`);
      total += t.shape[axis]!;
    }
    const shape = x.shape.slice();
    shape[axis] = total;
    const ost = stridesOf(shape);
    let at = 0;
    const moves = inputs.map((t, k): Move => {
      const m: Move = { from: 'in', src: k, dst: 0, shape: t.shape.slice(), srcOffset: 0, srcStrides: stridesOf(t.shape), dstOffset: at * ost[axis]!, dstStrides: ost };
      at += t.shape[axis]!;
      return m;
    });
    return { outputs: [{ shape, dtype }], dispatchDType: dtype, elemBytes: BYTES_PER_ELEMENT[dtype], fills: [], moves };
  },
});

export const splitDef: OpDef<SplitAttrs, CopyPlan> = defineOp({
  name: 'Split',
  plan(inputs, attrs = {}) {
    const op = 'Split';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const axis = normalizeAxis(op, attrs.axis ?? 0, x.shape.length);
    const n = x.shape[axis]!;
    let sizes: number[];
    if (attrs.split) {
      sizes = intList(op, 'split', attrs.split);
      if (sizes.length === 0 || sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
        throw new AttributeError(op, `split [${sizes.join(',')}] must be non-negative sizes summing to ${n} (axis ${axis} of ${fmtShape(x.shape)})`);
      }
    } else {
      const k = attrs.outputs ?? 0;
      if (!Number.isInteger(k) || k < 1) throw new AttributeError(op, 'give split (sizes) or outputs (a count ≥ 1)');
      const part = Math.ceil(n / k);
      sizes = Array.from({ length: k }, (_, i) => Math.max(0, Math.min(part, n - i * part)));
    }
    const ist = stridesOf(x.shape);
    let at = 0;
    const outputs = sizes.map((s) => {
      const shape = x.shape.slice();
      shape[axis] = s;
      return { shape, dtype: x.dtype };
    });
    const moves = outputs.map((o, k): Move => {
      const m: Move = { from: 'in', src: 0, dst: k, shape: o.shape, srcOffset: at * ist[axis]!, srcStrides: ist, dstOffset: 0, dstStrides: stridesOf(o.shape) };
      at += sizes[k]!;
      return m;
    });
    return { outputs, dispatchDType: x.dtype, elemBytes: BYTES_PER_ELEMENT[x.dtype], fills: [], moves };
  },
});

export const padDef: OpDef<PadAttrs, CopyPlan> = defineOp({
  name: 'Pad',
  plan(inputs, attrs) {
    const op = 'Pad';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = x.shape.length;
    const mode = attrs?.mode ?? 'constant';
    if (!['constant', 'reflect', 'edge', 'wrap', 'symmetric'].includes(mode)) throw new AttributeError(op, `unknown mode '${String(mode)}' (constant, reflect, edge, wrap, symmetric)`);
    const axes = attrs.axes ? uniqueAxes(op, intList(op, 'axes', attrs.axes), r) : [...Array(r).keys()];
    const raw = intList(op, 'pads', attrs.pads, 2 * axes.length);
    const begin = new Array<number>(r).fill(0);
    const end = new Array<number>(r).fill(0);
    axes.forEach((a, i) => {
      begin[a] = raw[i]!;
      end[a] = raw[i + axes.length]!;
    });
    // negative pads crop: the source is the input window [crop_b, n - crop_e) on each axis
    const ist = stridesOf(x.shape);
    let srcOffset = 0;
    const inner = x.shape.map((n, d) => {
      const cb = Math.max(0, -begin[d]!);
      const ce = Math.max(0, -end[d]!);
      if (cb + ce > n) throw new AttributeError(op, `pads [${raw.join(',')}] crop more than axis ${d} of ${fmtShape(x.shape)} holds`);
      srcOffset += cb * ist[d]!;
      return n - cb - ce;
    });
    const pb = begin.map((b) => Math.max(0, b));
    const pe = end.map((e) => Math.max(0, e));
    const shape = inner.map((n, d) => n + pb[d]! + pe[d]!);
    const ost = stridesOf(shape);
    const size = shapeSize(shape);
    const fills: CopyPlan['fills'] = [];
    const moves: Move[] = [];
    if (size === 0) return single(x, shape, moves);
    const padded = pb.some((p) => p > 0) || pe.some((p) => p > 0);
    if (mode === 'constant' && padded) fills.push({ dst: 0, value: attrs.value ?? 0 });
    const interior = ost.reduce((o, s, d) => o + pb[d]! * s, 0);
    if (shapeSize(inner) > 0) moves.push({ from: 'in', src: 0, dst: 0, shape: inner, srcOffset, srcStrides: ist, dstOffset: interior, dstStrides: ost });
    if (mode === 'constant' || !padded) return single(x, shape, moves, fills);
    // reflect/edge/wrap: axis by axis, fill the pad slabs of axis d from the output itself; the slab
    // spans every axis < d fully (padded already) and only the interior of axes > d.
    for (let d = 0; d < r; d++) {
      const n = inner[d]!;
      if (pb[d] === 0 && pe[d] === 0) continue;
      if (n === 0) throw new AttributeError(op, `mode '${mode}' cannot pad axis ${d} of ${fmtShape(x.shape)}: it is empty`);
      if (mode === 'reflect' && (pb[d]! > n - 1 || pe[d]! > n - 1)) {
        throw new AttributeError(op, `mode 'reflect' pads axis ${d} (size ${n}) by ${pb[d]}/${pe[d]}; at most ${n - 1} each`);
      }
      if (mode === 'symmetric' && (pb[d]! > n || pe[d]! > n)) {
        throw new AttributeError(op, `mode 'symmetric' pads axis ${d} (size ${n}) by ${pb[d]}/${pe[d]}; at most ${n} each`);
      }
      const slab = shape.map((s, k) => (k < d ? s : inner[k]!));
      const base = ost.reduce((o, s, k) => o + (k > d ? pb[k]! * s : 0), 0);
      const piece = (outStart: number, count: number, srcStart: number, srcStep: number) => {
        const shp = slab.slice();
        shp[d] = count;
        const ss = ost.slice();
        ss[d] = srcStep * ost[d]!;
        moves.push({ from: 'out', src: 0, dst: 0, shape: shp, srcOffset: base + srcStart * ost[d]!, srcStrides: ss, dstOffset: base + outStart * ost[d]!, dstStrides: ost });
      };
      const b = pb[d]!;
      const e = pe[d]!;
      if (mode === 'reflect') {
        if (b) piece(0, b, 2 * b, -1);
        if (e) piece(b + n, e, b + n - 2, -1);
      } else if (mode === 'symmetric') {
        // the mirror image including the edge (tfjs / TensorFlow MirrorPad 'symmetric', numpy 'symmetric')
        if (b) piece(0, b, 2 * b - 1, -1);
        if (e) piece(b + n, e, b + n - 1, -1);
      } else if (mode === 'edge') {
        if (b) piece(0, b, b, 0);
        if (e) piece(b + n, e, b + n - 1, 0);
      } else {
        // wrap: output position j holds interior element (j - b) mod n; copy in runs of at most n
        for (let j = 0; j < b; ) {
          const q = (((j - b) % n) + n) % n;
          const c = Math.min(n - q, b - j);
          piece(j, c, b + q, 1);
          j += c;
        }
        for (let j = b + n; j < b + n + e; ) {
          const q = (j - b) % n;
          const c = Math.min(n - q, b + n + e - j);
          piece(j, c, b + q, 1);
          j += c;
        }
      }
    }
    return single(x, shape, moves, fills);
  },
});

export interface GatherAttrs {
  axis?: number;
}
export interface GatherPlan extends Plan {
  elemBytes: number;
  /** data viewed as [outer, axisDim, inner]; indices (any shape, nIdx elements) pick along axisDim. */
  outer: number;
  axisDim: number;
  inner: number;
  nIdx: number;
  dataShape: number[];
  indicesShape: number[];
}

/** Gather (ONNX): out[o..., j..., i...] = data[o..., indices[j...], i...]; negative indices wrap once, anything else out of range is an error. */
export const gatherDef: OpDef<GatherAttrs, GatherPlan> = defineOp({
  name: 'Gather',
  plan(inputs, attrs = {}) {
    const op = 'Gather';
    expectArity(op, inputs, 2);
    const [x, idx] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    const r = x.shape.length;
    if (r === 0) throw new ShapeError(op, `data must have rank ≥ 1, got ${fmtShape(x.shape)}`, 'RANK');
    const axis = normalizeAxis(op, attrs.axis ?? 0, r);
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    return {
      outputs: [{ shape, dtype: x.dtype }],
      dispatchDType: x.dtype,
      elemBytes: BYTES_PER_ELEMENT[x.dtype],
      outer: shapeSize(x.shape.slice(0, axis)),
      axisDim: x.shape[axis]!,
      inner: shapeSize(x.shape.slice(axis + 1)),
      nIdx: shapeSize(idx.shape),
      dataShape: x.shape.slice(),
      indicesShape: idx.shape.slice(),
    };
  },
});

export interface WherePlan extends Plan {
  elemBytes: number;
  /** Each of condition, X, Y as a move onto the output shape (identity when its shape already is the output's). */
  expand: Move[];
  sameShape: boolean[];
}

/** Where(condition: bool, X, Y): condition ? X : Y, the three broadcast together (numpy). */
export const whereDef: OpDef<object, WherePlan> = defineOp({
  name: 'Where',
  plan(inputs) {
    const op = 'Where';
    expectArity(op, inputs, 3);
    const [c, x, y] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    expectDType(op, c, ['bool'], 'condition');
    const dtype = expectSameDType(op, [x, y]);
    const shape = broadcastShapes(op, c.shape, x.shape, y.shape);
    const ost = stridesOf(shape);
    const expand = [c, x, y].map((t, k): Move => ({ from: 'in', src: k, dst: 0, shape, srcOffset: 0, srcStrides: broadcastStrides(t.shape, shape), dstOffset: 0, dstStrides: ost }));
    const sameShape = [c, x, y].map((t) => t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]));
    return { outputs: [{ shape, dtype }], dispatchDType: dtype, elemBytes: BYTES_PER_ELEMENT[dtype], expand, sameShape };
  },
});

export interface CastAttrs {
  to: DType;
}
export interface CastPlan extends Plan {
  from: DType;
  to: DType;
}

/**
 * Cast between any two of the 14 dtypes. float→int truncates toward zero; NaN, ±Inf and values out
 * of the int32/int64 range give the integer minimum (what onnxruntime gives on x86-64, where the
 * conversion is cvttss2si); to int16/int8/int4 and their unsigned forms a float first converts that
 * way to int32 and then wraps (so NaN → 0); to uint32 it goes through int64 (so [2^31, 2^32) is
 * exact); to uint64 below 2^63 through int64 (negatives wrap), [2^63, 2^64) exactly, NaN and larger
 * → 2^63 (the x86-64 compiler sequence). Integers wrap (two's complement; int4/uint4 to 4 bits,
 * as the ONNX reference); to bool is x != 0 (NaN → true); float16 converts exactly both ways,
 * rounding to nearest even once, float64 → float16 included (onnxruntime rounds that one twice,
 * through float32); integers to floats round to nearest even.
 */
export const castDef: OpDef<CastAttrs, CastPlan> = defineOp({
  name: 'Cast',
  plan(inputs, attrs) {
    const op = 'Cast';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    if (!isDType(attrs?.to)) throw new DTypeError(op, `attribute to must be one of ${DTYPES.join(', ')}, got ${String(attrs?.to)}`);
    return { outputs: [{ shape: x.shape.slice(), dtype: attrs.to }], dispatchDType: x.dtype, from: x.dtype, to: attrs.to };
  },
});

export interface GatherElementsAttrs {
  axis?: number;
}
export interface IndexedPlan extends Plan {
  elemBytes: number;
  /** GatherElements: axis (normalised); GatherND/ScatterND: batch_dims. */
  axis: number;
  dataShape: number[];
  indicesShape: number[];
  /** Elements per moved row (GatherND/ScatterND: the slab one index tuple selects; GatherElements: 1). */
  inner: number;
  /** ScatterND: how updates meet the data (absent: replace). */
  reduction?: ScatterReduction;
}

/** GatherElements (ONNX): out has the indices' shape; out[i] = data[i with axis replaced by indices[i]] (negative indices wrap). */
export const gatherElementsDef: OpDef<GatherElementsAttrs, IndexedPlan> = defineOp({
  name: 'GatherElements',
  plan(inputs, attrs = {}) {
    const op = 'GatherElements';
    expectArity(op, inputs, 2);
    const [x, idx] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    const r = x.shape.length;
    if (r === 0 || idx.shape.length !== r) throw new ShapeError(op, `data ${fmtShape(x.shape)} and indices ${fmtShape(idx.shape)} must have one rank ≥ 1`, 'RANK');
    const axis = normalizeAxis(op, attrs.axis ?? 0, r);
    if (idx.shape.some((d, i) => i !== axis && d > x.shape[i]!)) throw new ShapeError(op, `indices ${fmtShape(idx.shape)} exceed data ${fmtShape(x.shape)} outside axis ${axis}`);
    return { outputs: [{ shape: idx.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, elemBytes: BYTES_PER_ELEMENT[x.dtype], axis, dataShape: x.shape.slice(), indicesShape: idx.shape.slice(), inner: 1 };
  },
});

export interface GatherNDAttrs {
  batch_dims?: number;
}

function ndCheck(op: string, x: TensorInfo, idx: TensorInfo, b: number): number {
  const r = x.shape.length;
  const q = idx.shape.length;
  if (!Number.isInteger(b) || b < 0 || b >= Math.min(r, q)) throw new AttributeError(op, `batch_dims ${b} must be in [0, ${Math.min(r, q) - 1}] for data ${fmtShape(x.shape)} and indices ${fmtShape(idx.shape)}`);
  const k = idx.shape[q - 1]!;
  if (k < 1 || k > r - b) throw new ShapeError(op, `the last dimension of indices ${fmtShape(idx.shape)} must be in [1, ${r - b}] for data ${fmtShape(x.shape)} with batch_dims ${b}`);
  for (let i = 0; i < b; i++) {
    if (idx.shape[i] !== x.shape[i]) throw new ShapeError(op, `batch dimensions of data ${fmtShape(x.shape)} and indices ${fmtShape(idx.shape)} differ`);
  }
  return k;
}

/** GatherND (ONNX): each k-tuple of the indices' last axis picks a slab data[b..., i_1..i_k, ...]. */
export const gatherNDDef: OpDef<GatherNDAttrs, IndexedPlan> = defineOp({
  name: 'GatherND',
  plan(inputs, attrs = {}) {
    const op = 'GatherND';
    expectArity(op, inputs, 2);
    const [x, idx] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    const b = attrs.batch_dims ?? 0;
    const k = ndCheck(op, x, idx, b);
    const shape = [...idx.shape.slice(0, -1), ...x.shape.slice(b + k)];
    return { outputs: [{ shape, dtype: x.dtype }], dispatchDType: x.dtype, elemBytes: BYTES_PER_ELEMENT[x.dtype], axis: b, dataShape: x.shape.slice(), indicesShape: idx.shape.slice(), inner: shapeSize(x.shape.slice(b + k)) };
  },
});

export interface ScatterNDAttrs {
  /** 'none' (default) replaces: with repeated index tuples the last update wins. add/mul/max/min (float32, int32, int64) combine in index order. */
  reduction?: ScatterReduction;
}

/** ScatterND (ONNX, reduction 'none'): a copy of data with the slabs the index tuples name replaced by updates. */
export const scatterNDDef: OpDef<ScatterNDAttrs, IndexedPlan> = defineOp({
  name: 'ScatterND',
  plan(inputs, attrs = {}) {
    const op = 'ScatterND';
    expectArity(op, inputs, 3);
    const [x, idx, upd] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    expectSameDType(op, [x, upd]);
    const reduction = scatterReduction(op, attrs.reduction, x);
    if (x.shape.length === 0 || idx.shape.length === 0) throw new ShapeError(op, `data ${fmtShape(x.shape)} and indices ${fmtShape(idx.shape)} must have rank ≥ 1`, 'RANK');
    const k = idx.shape[idx.shape.length - 1]!;
    if (k < 1 || k > x.shape.length) throw new ShapeError(op, `the last dimension of indices ${fmtShape(idx.shape)} must be in [1, ${x.shape.length}] for data ${fmtShape(x.shape)}`);
    const want = [...idx.shape.slice(0, -1), ...x.shape.slice(k)];
    if (want.length !== upd.shape.length || want.some((d, i) => d !== upd.shape[i])) throw new ShapeError(op, `updates ${fmtShape(upd.shape)} must have shape ${fmtShape(want)} for data ${fmtShape(x.shape)} and indices ${fmtShape(idx.shape)}`);
    return { outputs: [{ shape: x.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, elemBytes: BYTES_PER_ELEMENT[x.dtype], axis: 0, dataShape: x.shape.slice(), indicesShape: idx.shape.slice(), inner: shapeSize(x.shape.slice(k)), reduction };
  },
});

export interface OneHotAttrs {
  depth: number;
  /** Values at and away from the index (default 1 and 0). */
  onValue?: number;
  offValue?: number;
  /** Output dtype (default int32, as tfjs). */
  dtype?: DType;
  /** Where the new axis goes in the output (default -1: last, as tfjs; ONNX's axis). */
  axis?: number;
}
export interface OneHotPlan extends Plan {
  depth: number;
  onValue: number;
  offValue: number;
  /** Elements of indices after the new axis: index element i lands at ((i / inner)·depth + v)·inner + i % inner. */
  inner: number;
}

/** OneHot (tfjs; ONNX's axis): out[..., j, ...] = indices[...] == j ? onValue : offValue over a new axis of `depth` (last by default); indices outside [0, depth) give a row of offValue. */
export const oneHotDef: OpDef<OneHotAttrs, OneHotPlan> = defineOp({
  name: 'OneHot',
  plan(inputs, attrs) {
    const op = 'OneHot';
    expectArity(op, inputs, 1);
    const idx = inputs[0]!;
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    const depth = attrs?.depth;
    if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0) throw new AttributeError(op, `depth must be a non-negative integer, got ${String(depth)}`);
    const dtype = attrs.dtype ?? 'int32';
    if (!isDType(dtype)) throw new DTypeError(op, `dtype must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
    const axis = normalizeAxis(op, attrs.axis ?? -1, idx.shape.length + 1);
    const shape = [...idx.shape.slice(0, axis), depth, ...idx.shape.slice(axis)];
    return { outputs: [{ shape, dtype }], dispatchDType: idx.dtype, depth, onValue: attrs.onValue ?? 1, offValue: attrs.offValue ?? 0, inner: shapeSize(idx.shape.slice(axis)) };
  },
});
