import { ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType, intList } from './checks.js';
import { defineOp } from './index.js';
import type { Plan, TensorInfo } from './types.js';

/**
 * Grayscale morphological dilation (TensorFlow / tfjs Dilation2D) and its gradients, NHWC:
 *
 *   y[n, oh, ow, c] = max over taps (kh, kw) inside the input of x[n, oh·sH − pT + kh·dH, ow·sW − pL + kw·dW, c] + f[kh, kw, c]
 *
 * x [N, H, W, C], filter [KH, KW, C], explicit pads [top, left, bottom, right] (tfjs 'same' / 'valid'
 * made explicit by the adapter). The max starts from −2^53 (TensorFlow's lowest, as tfjs'
 * Number.MIN_SAFE_INTEGER) and a tap replaces it only when strictly greater, so ties keep the first
 * tap in (kh, kw) order and NaN sums are skipped; a window with no such tap gives −2^53.
 *
 * Dilation2DBackpropInput(x, filter, dy) → dx like x, and Dilation2DBackpropFilter(x, filter, dy) →
 * df like filter: each output's dy goes to its argmax tap (the input element, or the filter tap); a
 * window without one sends it to filter tap (0, 0) and to the input at the window's start clamped
 * into the input (TensorFlow's defaults, which clamp at 0 only: with tfjs' pads a window never starts past the end).
 */
export interface DilationAttrs {
  strides?: number[];
  dilations?: number[];
  /** [top, left, bottom, right] */
  pads?: number[];
}

export interface DilationPlan extends Plan {
  N: number;
  C: number;
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
  PT: number;
  PL: number;
}

function geometry(op: string, x: TensorInfo, f: TensorInfo, attrs: DilationAttrs): DilationPlan {
  expectDType(op, x, ['float32'], 'x');
  expectDType(op, f, ['float32'], 'filter');
  if (x.shape.length !== 4) throw new ShapeError(op, `x${fmtShape(x.shape)} must be [N, H, W, C]`, 'RANK');
  if (f.shape.length !== 3) throw new ShapeError(op, `filter${fmtShape(f.shape)} must be [KH, KW, C]`, 'RANK');
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [KH, KW, FC] = f.shape as [number, number, number];
  if (FC !== C) throw new ShapeError(op, `filter${fmtShape(f.shape)} must have x's ${C} channels (x${fmtShape(x.shape)})`);
  if (KH < 1 || KW < 1) throw new ShapeError(op, `filter${fmtShape(f.shape)} must have a window of at least 1×1`);
  const [SH, SW] = intList(op, 'strides', attrs.strides, 2, 1, 1) as [number, number];
  const [DH, DW] = intList(op, 'dilations', attrs.dilations, 2, 1, 1) as [number, number];
  const [PT, PL, PB, PR] = intList(op, 'pads', attrs.pads, 4, 0, 0) as [number, number, number, number];
  const out = (n: number, k: number, d: number, s: number, a: number, b: number) => {
    const span = n + a + b - ((k - 1) * d + 1);
    if (span < 0) throw new ShapeError(op, `the dilated window (${(k - 1) * d + 1}) is larger than the padded input (${n + a + b}) (x${fmtShape(x.shape)}, filter${fmtShape(f.shape)})`);
    return Math.floor(span / s) + 1;
  };
  const OH = out(H, KH, DH, SH, PT, PB);
  const OW = out(W, KW, DW, SW, PL, PR);
  return { outputs: [{ shape: [N, OH, OW, C], dtype: 'float32' }], dispatchDType: 'float32', N, C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL };
}

export const dilation2dDef = defineOp<DilationAttrs, DilationPlan>({
  name: 'Dilation2D',
  plan(inputs, attrs) {
    expectArity('Dilation2D', inputs, 2);
    return geometry('Dilation2D', inputs[0]!, inputs[1]!, attrs);
  },
});

function gradPlan(op: string, wrt: 'x' | 'filter') {
  return (inputs: readonly TensorInfo[], attrs: DilationAttrs): DilationPlan => {
    expectArity(op, inputs, 3);
    const [x, f, dy] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    const p = geometry(op, x, f, attrs);
    expectDType(op, dy, ['float32'], 'dy');
    const want = p.outputs[0]!.shape;
    if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== want[i])) throw new ShapeError(op, `dy${fmtShape(dy.shape)} must be the dilation's output ${fmtShape(want)}`);
    return { ...p, outputs: [{ shape: (wrt === 'x' ? x : f).shape.slice(), dtype: 'float32' }] };
  };
}

export const dilation2dBackpropInputDef = defineOp<DilationAttrs, DilationPlan>({ name: 'Dilation2DBackpropInput', plan: gradPlan('Dilation2DBackpropInput', 'x') });
export const dilation2dBackpropFilterDef = defineOp<DilationAttrs, DilationPlan>({ name: 'Dilation2DBackpropFilter', plan: gradPlan('Dilation2DBackpropFilter', 'filter') });

export const DILATION_OPS = ['Dilation2D', 'Dilation2DBackpropInput', 'Dilation2DBackpropFilter'] as const;
