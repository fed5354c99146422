/**
 * Col2Im reference (ONNX): scatter-add of every column entry into the image, block by block, in float64
 * (the kernel gathers per output pixel instead, so the two walk the sum in different orders). Also
 * returns Σ|term| per output pixel, for the error bound.
 */
import { sizeOf, unravel } from './broadcast.js';

export function refCol2Im(x: Float32Array, xShape: readonly number[], img: number[], blk: number[], strides: number[], pads: number[], dil: number[]): { data: Float64Array; mag: Float64Array; shape: number[] } {
  const r = img.length;
  const [N, CK, L] = xShape as [number, number, number];
  const K = sizeOf(blk);
  const C = CK / K;
  const blocks = img.map((n, i) => Math.floor((n + pads[i]! + pads[i + r]! - (dil[i]! * (blk[i]! - 1) + 1)) / strides[i]!) + 1);
  const P = sizeOf(img);
  const data = new Float64Array(N * C * P);
  const mag = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < K; k++) {
        const kk = unravel(k, blk);
        for (let b = 0; b < L; b++) {
          const bb = unravel(b, blocks);
          let at = 0;
          let inside = true;
          for (let i = 0; i < r; i++) {
            const pos = bb[i]! * strides[i]! - pads[i]! + kk[i]! * dil[i]!;
            if (pos < 0 || pos >= img[i]!) inside = false;
            at = at * img[i]! + pos;
          }
          if (!inside) continue;
          const v = x[(n * CK + c * K + k) * L + b]!;
          data[(n * C + c) * P + at] = data[(n * C + c) * P + at]! + v;
          mag[(n * C + c) * P + at] = mag[(n * C + c) * P + at]! + Math.abs(v);
        }
      }
    }
  }
  return { data, mag, shape: [N, C, ...img] };
}
