/** Projective image transform by TensorFlow's definition (map_coordinate fill modes), float64. */
function fold(c: number, len: number, mode: string): number {
  if (mode === 'constant') return c;
  if (mode === 'reflect' && len > 1) {
    // reflect about the edges: period 2·len, the second half mirrored
    const p = 2 * len;
    let m = ((c % p) + p) % p;
    if (m >= len) m = p - m - 1;
    c = c < 0 || c > len - 1 ? m : c;
  } else if (mode === 'wrap' && len > 1) {
    if (c < 0) c += len * (Math.trunc(-c / (len - 1)) + 1);
    else if (c > len - 1) c -= len * Math.trunc(c / (len - 1));
  } else if (len <= 1 && (c < 0 || c > len - 1)) c = 0;
  return Math.min(Math.max(c, 0), len - 1);
}

export function transformRef(img: ArrayLike<number>, shape: readonly number[], tr: ArrayLike<number>, shared: boolean, outH: number, outW: number, nearest: boolean, mode: string, fill: number): Float64Array {
  const [B, H, W, C] = shape as [number, number, number, number];
  const out = new Float64Array(B * outH * outW * C);
  const px = (b: number, y: number, x: number, c: number) => (y >= 0 && y < H && x >= 0 && x < W ? img[((b * H + y) * W + x) * C + c]! : fill);
  for (let b = 0; b < B; b++) {
    const t = Array.from({ length: 8 }, (_, k) => tr[(shared ? 0 : b * 8) + k]!);
    for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) for (let c = 0; c < C; c++) {
      const o = ((b * outH + y) * outW + x) * C + c;
      const p = t[6]! * x + t[7]! * y + 1;
      if (p === 0) {
        out[o] = fill;
        continue;
      }
      const ix = fold((t[0]! * x + t[1]! * y + t[2]!) / p, W, mode);
      const iy = fold((t[3]! * x + t[4]! * y + t[5]!) / p, H, mode);
      if (nearest) out[o] = px(b, Math.round(iy), Math.round(ix), c);
      else {
        const [fy, fx] = [Math.floor(iy), Math.floor(ix)];
        const top = (fx + 1 - ix) * px(b, fy, fx, c) + (ix - fx) * px(b, fy, fx + 1, c);
        const bot = (fx + 1 - ix) * px(b, fy + 1, fx, c) + (ix - fx) * px(b, fy + 1, fx + 1, c);
        out[o] = (fy + 1 - iy) * top + (iy - fy) * bot;
      }
    }
  }
  return out;
}
