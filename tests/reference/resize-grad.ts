/**
 * float64 gradient of NHWC nearest/linear resize with respect to its input, from the forward's
 * definition (independent of ops/resize.ts): output (oy, ox) samples source coordinate
 * s(o) per axis (asymmetric o·in/out; align_corners o·(in − 1)/(out − 1), 0 for out = 1;
 * half_pixel (o + ½)·in/out − ½; tf_half_pixel_for_nn (o + ½)·in/out), and
 *  - linear: c = clamp(s, 0, in − 1), taps ⌊c⌋ (weight 1 − f) and min(⌊c⌋ + 1, in − 1) (weight f), f = c − ⌊c⌋;
 *  - nearest: one tap, clamp(⌊s⌋) (floor) or clamp(round half up) (round_prefer_ceil).
 * The gradient adds dy · wy · wx into every (row tap, column tap) of nonzero weight. Also returns
 * the number of terms per element and the sum of their magnitudes (for error bounds).
 */
export type RefCtm = 'asymmetric' | 'align_corners' | 'half_pixel' | 'tf_half_pixel_for_nn';

function coord(ctm: RefCtm, o: number, inSize: number, outSize: number): number {
  if (ctm === 'align_corners') return outSize === 1 ? 0 : (o * (inSize - 1)) / (outSize - 1);
  if (ctm === 'half_pixel') return ((o + 0.5) * inSize) / outSize - 0.5;
  if (ctm === 'tf_half_pixel_for_nn') return ((o + 0.5) * inSize) / outSize;
  return (o * inSize) / outSize;
}

function taps(mode: 'linear' | 'nearest', ctm: RefCtm, round: boolean, o: number, inSize: number, outSize: number): [number, number][] {
  const s = coord(ctm, o, inSize, outSize);
  if (mode === 'nearest') {
    const i = round ? Math.floor(s + 0.5) : Math.floor(s);
    return [[Math.min(inSize - 1, Math.max(0, i)), 1]];
  }
  const c = Math.min(inSize - 1, Math.max(0, s));
  const i0 = Math.floor(c);
  const f = c - i0;
  return [[i0, 1 - f], [Math.min(i0 + 1, inSize - 1), f]];
}

export function refResizeGrad(
  dy: ArrayLike<number>, dyShape: readonly number[], xShape: readonly number[], mode: 'linear' | 'nearest', ctm: RefCtm, round: boolean,
): { dx: Float64Array; terms: Float64Array; abs: Float64Array } {
  const [N, H, W, C] = xShape as [number, number, number, number];
  const [, OH, OW] = dyShape as [number, number, number, number];
  const dx = new Float64Array(N * H * W * C);
  const terms = new Float64Array(dx.length);
  const abs = new Float64Array(dx.length);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (const [iy, wy] of taps(mode, ctm, round, oy, H, OH)) {
        if (wy === 0) continue;
        for (let ox = 0; ox < OW; ox++) {
          for (const [ix, wx] of taps(mode, ctm, round, ox, W, OW)) {
            if (wx === 0) continue;
            for (let c = 0; c < C; c++) {
              const v = dy[((n * OH + oy) * OW + ox) * C + c]! * wy * wx;
              const at = ((n * H + iy) * W + ix) * C + c;
              dx[at] = dx[at]! + v;
              terms[at] = terms[at]! + 1;
              abs[at] = abs[at]! + Math.abs(v);
            }
          }
        }
      }
    }
  }
  return { dx, terms, abs };
}
