/**
 * float64 direct convolution (ONNX Conv semantics) for any number of spatial dims, channels-first or
 * channels-last data, OIHW / HWIO / HWIM filters, groups, strides, dilations, explicit pads or
 * auto_pad, optional bias and a fused activation. Also returns mag = Σ|terms| per output (the scale
 * of the float32 rounding error of the sum).
 */
import type { Activation } from '../../ops/types.js';
import { erfc } from './unary.js';

export interface RefConvAttrs {
  layout?: 'NCHW' | 'NHWC';
  filterLayout?: 'OIHW' | 'HWIO' | 'HWIM';
  group?: number;
  strides?: number[];
  dilations?: number[];
  pads?: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  activation?: Activation;
}

export function refActivation(a: Activation, x: number): number {
  switch (a.kind) {
    case 'linear': return x;
    case 'relu': return Number.isNaN(x) ? x : Math.max(x, 0);
    case 'relu6': return Number.isNaN(x) ? x : Math.min(Math.max(x, 0), 6);
    case 'leakyRelu': return x < 0 ? a.alpha * x : x;
    case 'clip': return Number.isNaN(x) ? x : Math.min(Math.max(x, a.min), a.max);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'gelu': return 0.5 * x * erfc(-x / Math.SQRT2);
    case 'elu': return x > 0 ? x : a.alpha * Math.expm1(x);
    case 'hardSigmoid': return Number.isNaN(x) ? x : Math.min(Math.max(a.alpha * x + a.beta, 0), 1);
  }
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Row-major index of `idx` in `shape`. */
function at(shape: readonly number[], idx: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d]! + idx[d]!;
  return o;
}

export interface RefConvResult {
  out: Float64Array;
  mag: Float64Array;
  shape: number[];
}

export function refConv(
  x: ArrayLike<number>, xShape: readonly number[], w: ArrayLike<number>, wShape: readonly number[],
  bias: ArrayLike<number> | undefined, attrs: RefConvAttrs = {},
): RefConvResult {
  const last = attrs.layout === 'NHWC';
  const fl = attrs.filterLayout ?? (last ? 'HWIO' : 'OIHW');
  const S = xShape.length - 2;
  const N = xShape[0]!;
  const C = last ? xShape[S + 1]! : xShape[1]!;
  const inSp = last ? xShape.slice(1, S + 1) : xShape.slice(2);
  const kSp = fl === 'OIHW' ? wShape.slice(2) : wShape.slice(0, S);
  const group = fl === 'HWIM' ? C : attrs.group ?? 1;
  const M = fl === 'OIHW' ? wShape[0]! : fl === 'HWIO' ? wShape[S + 1]! : C * wShape[S + 1]!;
  const Cg = C / group;
  const Mg = M / group;
  const strides = attrs.strides ?? new Array<number>(S).fill(1);
  const dil = attrs.dilations ?? new Array<number>(S).fill(1);
  const ap = attrs.autoPad ?? 'NOTSET';
  const begin: number[] = [];
  const outSp: number[] = [];
  for (let d = 0; d < S; d++) {
    const ek = dil[d]! * (kSp[d]! - 1) + 1;
    if (ap === 'SAME_UPPER' || ap === 'SAME_LOWER') {
      const o = Math.ceil(inSp[d]! / strides[d]!);
      const total = Math.max(0, (o - 1) * strides[d]! + ek - inSp[d]!);
      begin.push(ap === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      outSp.push(o);
    } else {
      const pb = ap === 'VALID' ? 0 : attrs.pads?.[d] ?? 0;
      const pe = ap === 'VALID' ? 0 : attrs.pads?.[d + S] ?? 0;
      begin.push(pb);
      outSp.push(Math.floor((inSp[d]! + pb + pe - ek) / strides[d]!) + 1);
    }
  }
  const xAt = (n: number, c: number, sp: number[]) => x[last ? at(xShape, [n, ...sp, c]) : at(xShape, [n, c, ...sp])]!;
  // filter value for output channel m, in-group channel ci, tap k
  const wAt = (m: number, ci: number, k: number[]) => {
    if (fl === 'OIHW') return w[at(wShape, [m, ci, ...k])]!;
    if (fl === 'HWIO') return w[at(wShape, [...k, ci, m])]!;
    const mult = wShape[S + 1]!;
    return w[at(wShape, [...k, Math.floor(m / mult), m % mult])]!;
  };
  const shape = last ? [N, ...outSp, M] : [N, M, ...outSp];
  const out = new Float64Array(prod(shape));
  const mag = new Float64Array(out.length);
  const act = attrs.activation ?? { kind: 'linear' };
  const P = prod(outSp);
  const K = prod(kSp);
  const unravel = (i: number, dims: readonly number[]) => {
    const r = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      r[d] = i % dims[d]!;
      i = Math.floor(i / dims[d]!);
    }
    return r;
  };
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let p = 0; p < P; p++) {
        const o = unravel(p, outSp);
        let s = 0;
        let a = 0;
        for (let ci = 0; ci < Cg; ci++) {
          for (let t = 0; t < K; t++) {
            const k = unravel(t, kSp);
            const sp = o.map((od, d) => od * strides[d]! - begin[d]! + k[d]! * dil[d]!);
            if (sp.some((v, d) => v < 0 || v >= inSp[d]!)) continue;
            const term = xAt(n, g * Cg + ci, sp) * wAt(m, ci, k);
            s += term;
            a += Math.abs(term);
          }
        }
        if (bias) {
          s += bias[m]!;
          a += Math.abs(bias[m]!);
        }
        const idx = last ? at(shape, [n, ...o, m]) : at(shape, [n, m, ...o]);
        out[idx] = refActivation(act, s);
        mag[idx] = a;
      }
    }
  }
  return { out, mag, shape };
}
