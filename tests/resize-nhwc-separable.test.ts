/**
 * NHWC bilinear Resize through the separable passes (wasm-kernels/resize.wat.ts `hlerp_nhwc`, then
 * `vlerp_rows` over rows of OW·C floats; chosen by wasm-kernels/resize.ts when 2·OH ≥ H):
 *  - against the float64 ONNX reference (tests/reference/resize.ts), every coordinate mode, channel
 *    counts around the 4-lane groups, NaN/±Inf inputs. Tolerance as tests/resize.test.ts states it:
 *    float32 weights move each lerp by ≤ 2^-24·(|x0| + |x1|) per axis and the products and sums add
 *    ≤ 4·2^-24·Σ w·|x|: atol 8·2^-24·(Σ w·|x| + max neighbour) per element;
 *  - bit for bit against the NCHW path on the transposed input (the same lerps in the same order);
 *  - 1 vs 2 threads bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { prng } from './arbitraries.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { refResizeOnnx, type RefResizeAttrs } from './reference/resize.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const U = 2 ** -24;
const CTMS = ['half_pixel', 'align_corners', 'asymmetric', 'pytorch_half_pixel', 'half_pixel_symmetric'] as const;

function data(n: number, seed: number, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * 3)]! : (r() * 2 - 1) * 10));
}

function resize(rt: Rt, x: Float32Array, shape: number[], attrs: RefResizeAttrs): Float32Array {
  const t = rt.tensor(x, shape);
  const [y] = rt.run('Resize', [t], attrs);
  expect(y!.shape).toEqual(attrs.outputShape);
  const out = y!.dataSync() as Float32Array;
  t.dispose();
  y!.dispose();
  return out;
}

/** NHWC [N,H,W,C] → NCHW [N,C,H,W] (or back with `back`). */
function transpose(x: Float32Array, [N, H, W, C]: number[], back = false): Float32Array {
  const out = new Float32Array(x.length);
  for (let n = 0; n < N!; n++) for (let h = 0; h < H!; h++) for (let w = 0; w < W!; w++) for (let c = 0; c < C!; c++) {
    const nhwc = ((n * H! + h) * W! + w) * C! + c;
    const nchw = ((n * C! + c) * H! + h) * W! + w;
    if (back) out[nhwc] = x[nchw]!;
    else out[nchw] = x[nhwc]!;
  }
  return out;
}

describe('NHWC bilinear Resize, separable passes', () => {
  it('matches the reference and the NCHW path bit for bit', () => {
    let seed = 1;
    for (const C of [1, 3, 4, 5, 8, 17]) {
      for (const [H, W, OH, OW] of [[3, 4, 6, 8], [5, 7, 9, 13], [4, 4, 3, 7], [6, 5, 12, 2], [1, 3, 2, 5], [7, 7, 4, 4]]) {
        const ctm = CTMS[seed % CTMS.length]!;
        const N = seed % 2 ? 1 : 2;
        const shape = [N, H!, W!, C];
        const x = data(N * H! * W! * C, seed++, 0.03);
        const attrs: RefResizeAttrs = { outputShape: [N, OH!, OW!, C], mode: 'linear', layout: 'NHWC', coordinateTransformationMode: ctm };
        const got = resize(rt1, x, shape, attrs);
        const ref = refResizeOnnx(x, shape, attrs);
        const abs = refResizeOnnx(x.map(Math.abs), shape, attrs);
        const near = refResizeOnnx(x, shape, attrs, true);
        expectClose(got, ref, { op: 'Resize NHWC linear', shapes: [shape], outShape: attrs.outputShape, dtype: 'float32', atolPer: abs.map((v, i) => 8 * U * (v + near[i]!)), context: ctm });
        const nchw = resize(rt1, transpose(x, shape), [N, C, H!, W!], { ...attrs, outputShape: [N, C, OH!, OW!], layout: 'NCHW' });
        expectBitIdentical(got, transpose(nchw, [N, OH!, OW!, C], true), `Resize NHWC vs NCHW ${shape} → ${OH}×${OW} ${ctm}`);
      }
    }
  });

  it('1 and 2 threads give identical bytes', () => {
    const shape = [1, 96, 96, 32];
    const x = data(96 * 96 * 32, 5);
    const attrs: RefResizeAttrs = { outputShape: [1, 192, 192, 32], mode: 'linear', layout: 'NHWC', coordinateTransformationMode: 'half_pixel' };
    expectBitIdentical(resize(rt1, x, shape, attrs), resize(rt2, x, shape, attrs), 'Resize NHWC 2x');
  });
});
