/**
 * float64 grayscale dilation (TensorFlow Dilation2D) and its gradients, NHWC, from the definition:
 * y = max over in-range taps of x + f, starting from −2^53, replaced only by a strictly greater sum
 * (first tap wins ties, NaN skipped); the gradients send dy to the argmax tap's input element /
 * filter tap, or without one to the window's start clamped into the input / tap (0, 0).
 */
export interface RefDilation {
  x: number[];
  k: [number, number];
  s: [number, number];
  d: [number, number];
  /** top, left */
  p: [number, number];
  out: [number, number];
}

export function refDilation(x: ArrayLike<number>, f: ArrayLike<number>, dy: ArrayLike<number> | undefined, g: RefDilation) {
  const [N, H, W, C] = g.x as [number, number, number, number];
  const [OH, OW] = g.out;
  const y = new Float64Array(N * OH * OW * C);
  const dx = new Float64Array(N * H * W * C);
  const df = new Float64Array(g.k[0] * g.k[1] * C);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++) {
          const h0 = oh * g.s[0] - g.p[0];
          const w0 = ow * g.s[1] - g.p[1];
          let best = -(2 ** 53);
          let bh = -1;
          let bw = -1;
          for (let kh = 0; kh < g.k[0]; kh++)
            for (let kw = 0; kw < g.k[1]; kw++) {
              const ih = h0 + kh * g.d[0];
              const iw = w0 + kw * g.d[1];
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              const v = Math.fround(x[((n * H + ih) * W + iw) * C + c]! + f[(kh * g.k[1] + kw) * C + c]!);
              if (v > best) {
                best = v;
                bh = kh;
                bw = kw;
              }
            }
          const o = ((n * OH + oh) * OW + ow) * C + c;
          y[o] = best;
          if (!dy) continue;
          const ih = bh < 0 ? Math.min(H - 1, Math.max(h0, 0)) : h0 + bh * g.d[0];
          const iw = bh < 0 ? Math.min(W - 1, Math.max(w0, 0)) : w0 + bw * g.d[1];
          const xi = ((n * H + ih) * W + iw) * C + c;
          const fi = ((bh < 0 ? 0 : bh) * g.k[1] + (bh < 0 ? 0 : bw)) * C + c;
          dx[xi] = dx[xi]! + dy[o]!;
          df[fi] = df[fi]! + dy[o]!;
        }
  return { y, dx, df };
}
