/**
 * float64 transposed convolution (ONNX ConvTranspose semantics) in scatter form, for any number of
 * spatial dims: every input element adds x·w to output (i·stride − pad_begin + k·dilation) of each
 * of its group's output channels. Channels-first (IOHW filter [C, M/group, ...k]) or channels-last
 * (HWOI filter [...k, M, C]). Output size: explicit pads, or from outputShape / SAME auto_pad with the
 * total padding split as the ONNX spec says (SAME_UPPER: the odd one at the end; otherwise at the start).
 * Also returns mag = Σ|terms| per output.
 */
import type { Activation } from '../../ops/types.js';
import { refActivation } from './conv.js';

export interface RefConvTransposeAttrs {
  layout?: 'NCHW' | 'NHWC';
  group?: number;
  strides?: number[];
  dilations?: number[];
  pads?: number[];
  outputPadding?: number[];
  outputShape?: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  activation?: Activation;
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function refConvTranspose(
  x: ArrayLike<number>, xShape: readonly number[], w: ArrayLike<number>, wShape: readonly number[],
  bias: ArrayLike<number> | undefined, attrs: RefConvTransposeAttrs = {},
): { out: Float64Array; mag: Float64Array; shape: number[] } {
  const last = attrs.layout === 'NHWC';
  const S = xShape.length - 2;
  const N = xShape[0]!;
  const C = last ? xShape[S + 1]! : xShape[1]!;
  const inSp = last ? xShape.slice(1, S + 1) : xShape.slice(2);
  const kSp = last ? wShape.slice(0, S) : wShape.slice(2);
  const G = attrs.group ?? 1;
  const Mg = last ? wShape[S]! : wShape[1]!;
  const M = Mg * G;
  const Cg = C / G;
  const st = attrs.strides ?? new Array<number>(S).fill(1);
  const dl = attrs.dilations ?? new Array<number>(S).fill(1);
  const op = attrs.outputPadding ?? new Array<number>(S).fill(0);
  const ap = attrs.autoPad ?? 'NOTSET';
  const begin: number[] = [];
  const outSp: number[] = [];
  for (let d = 0; d < S; d++) {
    const full = st[d]! * (inSp[d]! - 1) + op[d]! + (kSp[d]! - 1) * dl[d]! + 1;
    if (attrs.outputShape || ap === 'SAME_UPPER' || ap === 'SAME_LOWER') {
      const o = attrs.outputShape ? attrs.outputShape[d]! : inSp[d]! * st[d]!;
      const total = full - o;
      begin.push(ap === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      outSp.push(o);
    } else {
      const pb = ap === 'VALID' ? 0 : attrs.pads?.[d] ?? 0;
      const pe = ap === 'VALID' ? 0 : attrs.pads?.[d + S] ?? 0;
      begin.push(pb);
      outSp.push(full - pb - pe);
    }
  }
  const shape = last ? [N, ...outSp, M] : [N, M, ...outSp];
  const acc = new Float64Array(prod(shape));
  const mag = new Float64Array(acc.length);
  const P = prod(inSp);
  const K = prod(kSp);
  const unravel = (i: number, dims: readonly number[]) => {
    const r = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      r[d] = i % dims[d]!;
      i = Math.floor(i / dims[d]!);
    }
    return r;
  };
  const lin = (dims: readonly number[], idx: readonly number[]) => idx.reduce((o, v, d) => o * dims[d]! + v, 0);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Cg);
      for (let p = 0; p < P; p++) {
        const i = unravel(p, inSp);
        const xv = x[last ? lin(xShape, [n, ...i, c]) : lin(xShape, [n, c, ...i])]!;
        for (let t = 0; t < K; t++) {
          const k = unravel(t, kSp);
          const o = i.map((v, d) => v * st[d]! - begin[d]! + k[d]! * dl[d]!);
          if (o.some((v, d) => v < 0 || v >= outSp[d]!)) continue;
          for (let mm = 0; mm < Mg; mm++) {
            const m = g * Mg + mm;
            const wv = w[last ? lin(wShape, [...k, m, c]) : lin(wShape, [c, mm, ...k])]!;
            const at = last ? lin(shape, [n, ...o, m]) : lin(shape, [n, m, ...o]);
            acc[at] = acc[at]! + xv * wv;
            mag[at] = mag[at]! + Math.abs(xv * wv);
          }
        }
      }
    }
  }
  const act = attrs.activation ?? { kind: 'linear' };
  const per = prod(outSp);
  for (let e = 0; e < acc.length; e++) {
    const m = last ? e % M : Math.floor(e / per) % M;
    let s = acc[e]!;
    if (bias) {
      s += bias[m]!;
      mag[e] = mag[e]! + Math.abs(bias[m]!);
    }
    acc[e] = refActivation(act, s);
  }
  return { out: acc, mag, shape };
}
