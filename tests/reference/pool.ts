/**
 * float64 pooling (ONNX MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool), written from the
 * ONNX operator definitions, independent of the twinops contract:
 *  - output size floor/ceil((n + pb + pe − ((k−1)·d + 1)) / s + 1), and with ceil_mode a last window
 *    starting past the input and leading pad is dropped; auto_pad SAME_* gives ceil(n / s) with the
 *    total pad split (odd extra at the end for SAME_UPPER, at the start for SAME_LOWER); VALID no pad;
 *  - max over the window's valid taps, NaN if any is NaN (numpy), −Infinity for an empty window;
 *  - average: the sum of the valid taps over their count, or with count_include_pad over the window
 *    clipped to the padded input (onnxruntime's divisor).
 * Spatial rank 1, 2 or 3; layout NCHW or NHWC.
 */
export interface RefPoolAttrs {
  kernelShape: number[];
  strides?: number[];
  pads?: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  dilations?: number[];
  ceilMode?: boolean;
  countIncludePad?: boolean;
  layout?: 'NCHW' | 'NHWC';
}

export interface RefPoolResult {
  shape: number[];
  data: Float64Array;
}

function toNCHW(x: ArrayLike<number>, shape: readonly number[]): { data: Float64Array; shape: number[] } {
  const N = shape[0]!;
  const C = shape[shape.length - 1]!;
  const spatial = shape.slice(1, -1);
  const S = spatial.reduce((a, b) => a * b, 1);
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) out[(n * C + c) * S + s] = x[(n * S + s) * C + c]!;
  return { data: out, shape: [N, C, ...spatial] };
}

function toNHWC(x: Float64Array, shape: readonly number[]): { data: Float64Array; shape: number[] } {
  const [N, C] = [shape[0]!, shape[1]!];
  const spatial = shape.slice(2);
  const S = spatial.reduce((a, b) => a * b, 1);
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) out[(n * S + s) * C + c] = x[(n * C + c) * S + s]!;
  return { data: out, shape: [N, ...spatial, C] };
}

export function refPool(kind: 'max' | 'avg', x: ArrayLike<number>, shape: readonly number[], a: RefPoolAttrs): RefPoolResult {
  const nhwc = a.layout === 'NHWC';
  const src = nhwc ? toNCHW(x, shape) : { data: Float64Array.from(x), shape: shape.slice() };
  const [N, C] = [src.shape[0]!, src.shape[1]!];
  const ins = src.shape.slice(2);
  const r = ins.length;
  const k = a.kernelShape;
  const s = a.strides ?? k.map(() => 1);
  const d = a.dilations ?? k.map(() => 1);
  const pads = a.pads ?? new Array<number>(2 * r).fill(0);
  const outs: number[] = [];
  const pb: number[] = [];
  const pe: number[] = [];
  for (let i = 0; i < r; i++) {
    const ext = (k[i]! - 1) * d[i]! + 1;
    const auto = a.autoPad ?? 'NOTSET';
    if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
      const o = Math.ceil(ins[i]! / s[i]!);
      const total = Math.max(0, (o - 1) * s[i]! + ext - ins[i]!);
      const half = auto === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      outs.push(o);
      pb.push(half);
      pe.push(total - half);
    } else {
      const b = auto === 'VALID' ? 0 : pads[i]!;
      const e = auto === 'VALID' ? 0 : pads[i + r]!;
      const q = (ins[i]! + b + e - ext) / s[i]!;
      let o = (a.ceilMode ? Math.ceil(q) : Math.floor(q)) + 1;
      if (a.ceilMode && (o - 1) * s[i]! >= ins[i]! + b) o--;
      outs.push(ins[i] === 0 ? 0 : o);
      pb.push(b);
      pe.push(e);
    }
  }
  const outSize = outs.reduce((p, v) => p * v, 1);
  const inSize = ins.reduce((p, v) => p * v, 1);
  const y = new Float64Array(N * C * outSize);
  const oIdx = new Array<number>(r).fill(0);
  for (let nc = 0; nc < N * C; nc++) {
    for (let o = 0; o < outSize; o++) {
      let rem = o;
      for (let i = r - 1; i >= 0; i--) {
        oIdx[i] = rem % outs[i]!;
        rem = Math.floor(rem / outs[i]!);
      }
      // every tap of the window, in row-major order of the kernel
      const taps = k.reduce((p, v) => p * v, 1);
      let acc = kind === 'max' ? -Infinity : 0;
      let nan = false;
      let valid = 0;
      for (let t = 0; t < taps; t++) {
        let tr = t;
        let off = 0;
        let ok = true;
        for (let i = r - 1; i >= 0; i--) {
          const kk = tr % k[i]!;
          tr = Math.floor(tr / k[i]!);
          const pos = oIdx[i]! * s[i]! - pb[i]! + kk * d[i]!;
          if (pos < 0 || pos >= ins[i]!) ok = false;
          let stride = 1;
          for (let j = i + 1; j < r; j++) stride *= ins[j]!;
          off += pos * stride;
        }
        if (!ok) continue;
        valid++;
        const v = src.data[nc * inSize + off]!;
        if (Number.isNaN(v)) nan = true;
        acc = kind === 'max' ? Math.max(acc, v) : acc + v;
      }
      let div = valid;
      if (kind === 'avg' && a.countIncludePad) {
        div = 1;
        for (let i = 0; i < r; i++) {
          // the taps (dilated) that land inside the padded input
          const st = oIdx[i]! * s[i]! - pb[i]!;
          div *= Math.min(k[i]!, Math.ceil((ins[i]! + pe[i]! - st) / d[i]!));
        }
      }
      y[nc * outSize + o] = nan ? NaN : kind === 'max' ? acc : acc / div;
    }
  }
  const outShape = [N, C, ...outs];
  return nhwc ? toNHWC(y, outShape) : { shape: outShape, data: y };
}

/** Global pooling: the window is the whole spatial extent. */
export function refGlobalPool(kind: 'max' | 'avg', x: ArrayLike<number>, shape: readonly number[], layout: 'NCHW' | 'NHWC' = 'NCHW'): RefPoolResult {
  const spatial = layout === 'NCHW' ? shape.slice(2) : shape.slice(1, -1);
  return refPool(kind, x, shape, { kernelShape: spatial, layout });
}
