/** CropAndResize by TensorFlow's definition, float64 throughout. */
export function cropAndResizeRef(img: ArrayLike<number>, shape: readonly number[], boxes: ArrayLike<number>, ind: ArrayLike<number>, cropH: number, cropW: number, nearest: boolean, extrap: number): Float64Array {
  const [B, H, W, C] = shape as [number, number, number, number];
  const N = ind.length;
  const out = new Float64Array(N * cropH * cropW * C);
  const px = (b: number, y: number, x: number, c: number) => img[((b * H + y) * W + x) * C + c]!;
  for (let n = 0; n < N; n++) {
    const [y1, x1, y2, x2] = [boxes[4 * n]!, boxes[4 * n + 1]!, boxes[4 * n + 2]!, boxes[4 * n + 3]!];
    const b = ind[n]!;
    for (let y = 0; y < cropH; y++) {
      const iy = cropH > 1 ? y1 * (H - 1) + (y * (y2 - y1) * (H - 1)) / (cropH - 1) : 0.5 * (y1 + y2) * (H - 1);
      for (let x = 0; x < cropW; x++) {
        const ix = cropW > 1 ? x1 * (W - 1) + (x * (x2 - x1) * (W - 1)) / (cropW - 1) : 0.5 * (x1 + x2) * (W - 1);
        for (let c = 0; c < C; c++) {
          const o = ((n * cropH + y) * cropW + x) * C + c;
          if (b < 0 || b >= B) out[o] = 0;
          else if (iy < 0 || iy > H - 1 || ix < 0 || ix > W - 1) out[o] = extrap;
          else if (nearest) out[o] = px(b, Math.round(iy), Math.round(ix), c);
          else {
            const [t, bo, l, r] = [Math.floor(iy), Math.ceil(iy), Math.floor(ix), Math.ceil(ix)];
            const [yl, xl] = [iy - t, ix - l];
            const top = px(b, t, l, c) + (px(b, t, r, c) - px(b, t, l, c)) * xl;
            const bot = px(b, bo, l, c) + (px(b, bo, r, c) - px(b, bo, l, c)) * xl;
            out[o] = top + (bot - top) * yl;
          }
        }
      }
    }
  }
  return out;
}
