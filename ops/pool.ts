import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType, intList } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Pooling contracts: MaxPool, AveragePool (ONNX semantics, 1-D, 2-D and 3-D windows) and
 * GlobalAveragePool, GlobalMaxPool (any spatial rank). `layout` NCHW is ONNX's [N, C, spatial...];
 * NHWC is tfjs' [N, spatial..., C]. tfjs padding 'same' is autoPad SAME_UPPER and 'valid' is VALID;
 * tfjs avgPool never counts padding (countIncludePad false, the default).
 *
 * NaN: a window holding a NaN gives NaN (numpy's max/mean). ONNX's reference MaxPool and
 * onnxruntime depend on where the NaN sits in the window (`if x > y: y = x` keeps a leading NaN and
 * skips the others), which no vectorised kernel can reproduce; we follow numpy, as float64 would.
 * A MaxPool window that holds no input element (possible only with dilations, or with outputSize)
 * gives -Infinity (INT32_MIN for int32, onnxruntime's "lowest"). MaxPool also takes int32.
 *
 * tfjs options (see PoolAttrs): outputSize (dimRoundingMode sizes, pads at or past the window),
 * MaxPool nanMode 'ignore' (NaN taps skipped, as tfjs' `v > max`), AveragePool emptyAverage 'zero'
 * (tfjs AvgPool3D's empty windows).
 */
export type PoolLayout = 'NCHW' | 'NHWC';
export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface PoolAttrs {
  kernelShape?: number[];
  strides?: number[];
  /** ONNX order: [begin_0, begin_1, ..., end_0, end_1, ...]. Ignored unless autoPad is NOTSET. */
  pads?: number[];
  autoPad?: AutoPad;
  /** MaxPool only (AveragePool before opset 19 has none). */
  dilations?: number[];
  ceilMode?: boolean | number;
  /** AveragePool only: divide by the window size including padding. */
  countIncludePad?: boolean | number;
  layout?: PoolLayout;
  /**
   * Explicit output spatial sizes (tfjs dimRoundingMode, whose sizes explicit pads cannot always
   * express). With it, pads may reach or pass the kernel size; a window holding no input element
   * gives -Infinity (MaxPool) or NaN (AveragePool without countIncludePad: 0 / 0), as tfjs.
   */
  outputSize?: number[];
  /**
   * MaxPool only. 'propagate' (default): a NaN tap gives NaN (numpy). 'ignore': NaN taps are skipped
   * (tfjs keeps the running max by `v > max`, which NaN never passes); an all-NaN window gives -Infinity.
   */
  nanMode?: 'propagate' | 'ignore';
  /**
   * AveragePool only: what a window holding no input element gives (possible with outputSize), 0 / 0
   * = NaN ('nan', default; tfjs AvgPool) or 0 ('zero'; tfjs AvgPool3D divides by max(count, 1)).
   */
  emptyAverage?: 'nan' | 'zero';
}

/**
 * Everything a kernel needs, with 1-D and 2-D windows viewed as 3-D (D = 1, and H = 1 for 1-D).
 * Global pools are windows of 1×1×W over the flattened spatial extent.
 */
export interface PoolPlan extends Plan {
  kind: 'max' | 'avg';
  /** int32 only for MaxPool. */
  dtype: 'float32' | 'int32';
  layout: PoolLayout;
  global: boolean;
  N: number;
  C: number;
  /** Depth (3-D windows): input and output size, kernel, stride, dilation, pads front and back. */
  D: number;
  OD: number;
  KD: number;
  SD: number;
  DD: number;
  PF: number;
  PK: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  DH: number;
  DW: number;
  /** Pads top, left, bottom, right. */
  PT: number;
  PL: number;
  PB: number;
  PR: number;
  countIncludePad: boolean;
  /** MaxPool float32: skip NaN taps (nanMode 'ignore'). */
  ignoreNaN: boolean;
  /** AveragePool: an empty window gives 0 (emptyAverage 'zero'), not NaN. */
  emptyZero: boolean;
}

const LAYOUTS: readonly PoolLayout[] = ['NCHW', 'NHWC'];
const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

function split(op: string, x: TensorInfo, layout: PoolLayout): { N: number; C: number; spatial: number[] } {
  const s = x.shape;
  if (s.length < 3) throw new ShapeError(op, `X${fmtShape(s)} must have rank >= 3 ([N, C, spatial...] or [N, spatial..., C])`, 'RANK');
  return layout === 'NCHW'
    ? { N: s[0]!, C: s[1]!, spatial: s.slice(2) }
    : { N: s[0]!, C: s[s.length - 1]!, spatial: s.slice(1, -1) };
}

function join(layout: PoolLayout, N: number, C: number, spatial: readonly number[]): number[] {
  return layout === 'NCHW' ? [N, C, ...spatial] : [N, ...spatial, C];
}


function layoutOf(op: string, attrs: PoolAttrs): PoolLayout {
  const layout = attrs.layout ?? 'NCHW';
  if (!LAYOUTS.includes(layout)) throw new AttributeError(op, `layout must be NCHW or NHWC, got ${String(layout)}`);
  return layout;
}

function windowPlan(kind: 'max' | 'avg') {
  const op = kind === 'max' ? 'MaxPool' : 'AveragePool';
  return (inputs: readonly TensorInfo[], attrs: PoolAttrs): PoolPlan => {
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, kind === 'max' ? ['float32', 'int32'] : ['float32'], 'X');
    const dtype = x.dtype as 'float32' | 'int32';
    const layout = layoutOf(op, attrs);
    const { N, C, spatial } = split(op, x, layout);
    const r = spatial.length;
    if (r > 3) throw new ShapeError(op, `X${fmtShape(x.shape)}: ${r}-D windows are not supported (1-D to 3-D are)`, 'RANK');
    if (!attrs.kernelShape) throw new AttributeError(op, 'kernelShape is required');
    const k = intList(op, 'kernelShape', attrs.kernelShape, r, 1, 1);
    const s = intList(op, 'strides', attrs.strides, r, 1, 1);
    const d = intList(op, 'dilations', attrs.dilations, r, 1, 1);
    const autoPad = attrs.autoPad ?? 'NOTSET';
    if (!AUTO_PADS.includes(autoPad)) throw new AttributeError(op, `autoPad must be one of ${AUTO_PADS.join(', ')}, got ${String(autoPad)}`);
    const ceil = Boolean(attrs.ceilMode);
    const out: number[] = [];
    const pb: number[] = [];
    const pe: number[] = [];
    const explicit = autoPad === 'NOTSET' ? intList(op, 'pads', attrs.pads, 2 * r, 0, 0) : new Array<number>(2 * r).fill(0);
    const given = attrs.outputSize === undefined ? undefined : intList(op, 'outputSize', attrs.outputSize, r, 0, 0);
    if (given && autoPad !== 'NOTSET') throw new AttributeError(op, `outputSize needs explicit pads (autoPad NOTSET), got autoPad ${autoPad}`);
    const nanMode = attrs.nanMode ?? 'propagate';
    if (nanMode !== 'propagate' && nanMode !== 'ignore') throw new AttributeError(op, `nanMode must be 'propagate' or 'ignore', got ${String(nanMode)}`);
    if (nanMode === 'ignore' && kind !== 'max') throw new AttributeError(op, `nanMode is a MaxPool attribute`);
    const emptyAverage = attrs.emptyAverage ?? 'nan';
    if (emptyAverage !== 'nan' && emptyAverage !== 'zero') throw new AttributeError(op, `emptyAverage must be 'nan' or 'zero', got ${String(emptyAverage)}`);
    for (let i = 0; i < r; i++) {
      const ext = (k[i]! - 1) * d[i]! + 1;
      const n = spatial[i]!;
      let o: number;
      let b = 0;
      let e = 0;
      if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        o = Math.ceil(n / s[i]!);
        const total = Math.max(0, (o - 1) * s[i]! + ext - n);
        b = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
        e = total - b;
      } else {
        b = explicit[i]!;
        e = explicit[i + r]!;
        if (given) {
          o = given[i]!;
          out.push(n === 0 ? 0 : o);
          pb.push(b);
          pe.push(e);
          continue;
        }
        if (b >= k[i]! || e >= k[i]!) {
          throw new AttributeError(op, `pads ${JSON.stringify(explicit)} must be smaller than kernelShape ${JSON.stringify(k)} (X${fmtShape(x.shape)})`);
        }
        const span = n + b + e - ext;
        if (span < 0 && n > 0) {
          throw new ShapeError(op, `X${fmtShape(x.shape)}: window extent ${ext} is larger than the padded input (${n + b + e}) along spatial axis ${i}`);
        }
        o = (ceil ? Math.ceil(span / s[i]!) : Math.floor(span / s[i]!)) + 1;
        // ceil_mode: the last window must start inside the input or the leading padding (ONNX, PyTorch).
        if (ceil && (o - 1) * s[i]! >= n + b) o--;
      }
      if (n === 0) o = 0;
      out.push(o);
      pb.push(b);
      pe.push(e);
    }
    const three = (a: number[], dflt: number): [number, number, number] => {
      const v = [...new Array<number>(3 - r).fill(dflt), ...a];
      return [v[0]!, v[1]!, v[2]!];
    };
    const [D, H, W] = three(spatial, 1);
    const [OD, OH, OW] = three(out, 1);
    const [KD, KH, KW] = three(k, 1);
    const [SD, SH, SW] = three(s, 1);
    const [DD, DH, DW] = three(d, 1);
    const [PF, PT, PL] = three(pb, 0);
    const [PK, PB, PR] = three(pe, 0);
    return {
      outputs: [{ shape: join(layout, N, C, out), dtype }],
      dispatchDType: dtype,
      kind, dtype, layout, global: false, N, C, D, OD, KD, SD, DD, PF, PK, H, W, OH, OW, KH, KW, SH, SW, DH, DW,
      PT, PL, PB, PR, countIncludePad: kind === 'avg' && Boolean(attrs.countIncludePad), ignoreNaN: nanMode === 'ignore' && dtype === 'float32',
      emptyZero: kind === 'avg' && emptyAverage === 'zero',
    };
  };
}

function globalPlan(kind: 'max' | 'avg') {
  const op = kind === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  return (inputs: readonly TensorInfo[], attrs: Pick<PoolAttrs, 'layout'>): PoolPlan => {
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    const layout = layoutOf(op, attrs);
    const { N, C, spatial } = split(op, x, layout);
    // Any spatial rank: the window is every spatial element, viewed as H = 1, W = product.
    const W = spatial.reduce((a, b) => a * b, 1);
    if (W === 0 && N * C > 0) throw new ShapeError(op, `X${fmtShape(x.shape)} has an empty spatial extent: the mean/max of nothing is undefined`);
    return {
      outputs: [{ shape: join(layout, N, C, spatial.map(() => 1)), dtype: 'float32' }],
      dispatchDType: 'float32',
      kind, dtype: 'float32', layout, global: true, N, C, D: 1, OD: 1, KD: 1, SD: 1, DD: 1, PF: 0, PK: 0, H: 1, W, OH: 1, OW: 1, KH: 1, KW: W, SH: 1, SW: 1, DH: 1, DW: 1,
      PT: 0, PL: 0, PB: 0, PR: 0, countIncludePad: false, ignoreNaN: false, emptyZero: false,
    };
  };
}

export const maxPoolDef: OpDef<PoolAttrs, PoolPlan> = defineOp({ name: 'MaxPool', plan: windowPlan('max') });
export const averagePoolDef: OpDef<PoolAttrs, PoolPlan> = defineOp({ name: 'AveragePool', plan: windowPlan('avg') });
export const globalMaxPoolDef: OpDef<Pick<PoolAttrs, 'layout'>, PoolPlan> = defineOp({ name: 'GlobalMaxPool', plan: globalPlan('max') });
export const globalAveragePoolDef: OpDef<Pick<PoolAttrs, 'layout'>, PoolPlan> = defineOp({ name: 'GlobalAveragePool', plan: globalPlan('avg') });

/** The pooling ops, for launchers. */
export const POOL_OPS = ['MaxPool', 'AveragePool', 'GlobalMaxPool', 'GlobalAveragePool'] as const;
