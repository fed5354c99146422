/**
 * Convs with tiny outputs (wasm-kernels/conv.ts `tinyOutput`: one output pixel, or ≤ 64 pixels and
 * ≤ 640k multiply-adds as 4×8 tiles / ≤ 192k on the pixel kernel) run on the direct kernels of
 * family conv-direct at any C and M, pointwise included (as one row per image, NCHW, or per batch,
 * NHWC); rows of 1–2 output pixels on the one-pixel kernel (`f32_conv_direct_1x32`, 4 blocks of
 * 8 channels per tile, single blocks for the rest). Against the float64 reference
 * (tests/reference/conv.ts): inputs 1×1 to 4×4, 1×1 / 2×2 / 3×3 kernels, valid and same padding,
 * strides, C up to 256, M in {1, 15, 64, 213, 266} (block tails), NHWC and NCHW, bias or none, the
 * activations, NaN/Inf inputs, the tfjs human models' shapes, random geometries; every case at 1 and
 * 2 threads (bit for bit) with relaxed SIMD on and off. A spy on the pool's parallelFor checks which
 * kernel ran.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../core/runtime.js';
import type { ConvAttrs } from '../ops/conv.js';
import type { Activation } from '../ops/types.js';
import { PIXEL_EXPORT } from '../wasm-kernels/conv-direct.wat.js';
import { prng } from './arbitraries.js';
import { refConv, type RefConvAttrs } from './reference/conv.js';
import { checkConv, launchesDuring, runtimePairs } from './reference/conv-check.js';

/** The largest activation slope these cases use (gelu). */
const SLOPE = 1.13;

type Attrs = ConvAttrs & RefConvAttrs;

const runtimes = runtimePairs();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface Case { x: number[]; w: number[]; bias: boolean; attrs: Attrs }

function run(rt: Runtime, c: Case, X: Float32Array, W: Float32Array, B: Float32Array | undefined) {
  const ts = [rt.tensor(X, c.x), rt.tensor(W, c.w)];
  if (B) ts.push(rt.tensor(B, [B.length]));
  try {
    let y: ReturnType<Runtime['run']> = [];
    const launches = launchesDuring(() => (y = rt.run('Conv', ts, c.attrs)));
    const out = { data: y[0]!.dataSync() as Float32Array, shape: [...y[0]!.shape], launches };
    y[0]!.dispose();
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

/** Runs `c` on every runtime against the reference; `expectPixel`: whether the one-pixel kernel must run (else the 4×8 one). */
function verify(c: Case, seed: number, expectPixel: boolean, specials = false): void {
  const r = prng(seed);
  const X = Float32Array.from({ length: size(c.x) }, () => r() * 2 - 1);
  const W = Float32Array.from({ length: size(c.w) }, () => r() * 2 - 1);
  const nhwc = c.attrs.layout === 'NHWC';
  const M = nhwc ? c.w[c.w.length - 1]! : c.w[0]!;
  const B = c.bias ? Float32Array.from({ length: M }, () => r() * 2 - 1) : undefined;
  if (specials) {
    // inputs only: the reference skips padded taps, so a non-finite weight would meet 0 there
    const at = () => Math.floor(r() * X.length);
    X[at()] = NaN;
    X[at()] = Infinity;
    X[at()] = -Infinity;
  }
  const ref = refConv(X, c.x, W, c.w, B, c.attrs);
  const K = size(nhwc ? c.w.slice(0, 3) : c.w.slice(1));
  const what = `Conv x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} bias=${c.bias} ${JSON.stringify(c.attrs)}`;
  for (const { name, rt1, rt2 } of runtimes) {
    const a = run(rt1, c, X, W, B);
    expect(a.shape, what).toEqual(ref.shape);
    const kernels = [...a.launches].filter((l) => l.startsWith('conv-direct:'));
    expect(kernels, `${what}: kernel`).toEqual([expectPixel ? `conv-direct:${PIXEL_EXPORT}` : 'conv-direct:f32_conv_direct_4x8']);
    checkConv(a.data, ref, K, `${what} (${name}, threads=1)`, SLOPE);
    const b = run(rt2, c, X, W, B);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), `${what} (${name}): threads 1 vs 2 bit for bit`).toBe(true);
  }
}

const ACTS: Activation[] = [
  { kind: 'relu' },
  { kind: 'linear' },
  { kind: 'clip', min: -0.25, max: 0.5 },
  { kind: 'leakyRelu', alpha: 0.2 },
  { kind: 'sigmoid' },
  { kind: 'gelu' },
];

/** [H, W, kH, kW, stride, pad] → output oH×oW. */
const GEOMS: [number, number, number, number, number, number][] = [
  [1, 1, 1, 1, 1, 0], // 1×1 pointwise
  [2, 2, 2, 2, 1, 0], // 1×1 out
  [3, 3, 3, 3, 1, 0], // 1×1 out
  [2, 2, 1, 1, 1, 0], // 2×2 pointwise
  [3, 3, 1, 1, 1, 0], // 3×3 pointwise (4×8 tiles, a short one)
  [2, 2, 3, 3, 1, 1], // 2×2 same
  [4, 4, 1, 1, 1, 0], // 4×4 pointwise
  [4, 4, 2, 2, 2, 0], // 2×2 out, stride 2
  [1, 2, 1, 1, 1, 0], // 1×2 pointwise
  [3, 3, 3, 3, 1, 1], // 3×3 same
  [4, 4, 3, 3, 1, 1], // 4×4 same
  [2, 3, 2, 2, 1, 0], // 1×2 out
];

const out = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/** The launcher's rule (conv.ts `tinyOutput`, `usePixelKernel`, `pointwiseRow`), restated: whether the conv is tiny, and which kernel runs. */
function expected(nhwc: boolean, N: number, C: number, M: number, kH: number, kW: number, oH: number, oW: number, pointwise: boolean): { tiny: boolean; pixel: boolean } {
  const np = N * oH * oW;
  const rows = pointwise ? (nhwc ? 1 : N) : N * oH;
  const rowLen = pointwise ? np / rows : oW;
  const pixel = rowLen <= 2;
  const perPixel = M * C * kH * kW;
  const work = pixel ? np * perPixel <= 192 * 1024 : rows * Math.ceil(rowLen / 4) * 4 * perPixel <= 640 * 1024;
  return { tiny: np === 1 || (np <= 64 && work), pixel };
}

function tinyCase(layout: 'NHWC' | 'NCHW', N: number, C: number, M: number, g: (typeof GEOMS)[number], k: number): { c: Case; tiny: boolean; pixel: boolean } {
  const [H, W, kH, kW, s, p] = g;
  const oH = out(H, kH, s, p);
  const oW = out(W, kW, s, p);
  const c: Case = {
    x: layout === 'NHWC' ? [N, H, W, C] : [N, C, H, W],
    w: layout === 'NHWC' ? [kH, kW, C, M] : [M, C, kH, kW],
    bias: k % 3 !== 2,
    attrs: { layout, strides: [s, s], pads: [p, p, p, p], activation: ACTS[k % ACTS.length]! },
  };
  return { c, ...expected(layout === 'NHWC', N, C, M, kH, kW, oH, oW, kH === 1 && kW === 1 && s === 1 && p === 0) };
}

describe('tiny-output convs on the direct kernels', () => {
  const Cs = [1, 7, 32, 64, 128, 256];
  const Ms = [1, 15, 64, 213, 266];
  for (const layout of ['NHWC', 'NCHW'] as const) {
    it(`${layout}: C × M grid × tiny geometries, bias, activations`, () => {
      let k = 0;
      let ran = 0;
      for (const C of Cs) {
        for (const M of Ms) {
          for (let j = 0; j < 2; j++, k++) {
            const { c, tiny, pixel } = tinyCase(layout, k % 5 === 0 ? 2 : 1, C, M, GEOMS[(k * 5 + j) % GEOMS.length]!, k);
            if (!tiny) continue;
            verify(c, k, pixel);
            ran++;
          }
        }
      }
      expect(ran).toBeGreaterThan(30);
    });
  }

  it('the tfjs human models’ shapes (iris, facemesh), NHWC and NCHW', () => {
    const shapes: [number[], number[]][] = [
      [[1, 2, 2, 128], [2, 2, 128, 15]],
      [[1, 2, 2, 128], [2, 2, 128, 213]],
      [[1, 4, 4, 64], [1, 1, 64, 128]],
      [[1, 2, 2, 64], [1, 1, 64, 128]],
      [[1, 2, 2, 128], [1, 1, 128, 64]],
      [[1, 3, 3, 32], [3, 3, 32, 1]],
      [[1, 3, 3, 32], [3, 3, 32, 266]],
      [[1, 3, 3, 32], [3, 3, 32, 1404]],
      [[1, 3, 3, 128], [1, 1, 128, 128]],
      [[1, 3, 3, 32], [1, 1, 32, 32]],
    ];
    let k = 0;
    for (const [x, w] of shapes) {
      const [N, H, W, C] = x as [number, number, number, number];
      const [kH, kW, , M] = w as [number, number, number, number];
      const [oH, oW] = [H - kH + 1, W - kW + 1];
      const pw = kH === 1 && kW === 1;
      const e = (nhwc: boolean) => expected(nhwc, N, C, M, kH, kW, oH, oW, pw);
      expect(e(true).tiny && e(false).tiny).toBe(true);
      verify({ x, w, bias: true, attrs: { layout: 'NHWC', activation: { kind: 'relu' } } }, k++, e(true).pixel);
      verify({ x: [N, C, H, W], w: [M, C, kH, kW], bias: k % 2 === 0, attrs: { activation: ACTS[k % ACTS.length]! } }, k++, e(false).pixel);
    }
  });

  it('NaN and ±Inf inputs propagate as in the reference', () => {
    for (const layout of ['NHWC', 'NCHW'] as const) {
      for (const [g, C, M] of [[GEOMS[2]!, 64, 213], [GEOMS[5]!, 32, 15], [GEOMS[4]!, 128, 64], [GEOMS[0]!, 256, 266]] as const) {
        const { c, tiny, pixel } = tinyCase(layout, 1, C, M, g, C + M);
        expect(tiny).toBe(true);
        verify(c, C + M, pixel, true);
      }
    }
  });

  it('one-pixel kernel split across threads (C < 32, M ≤ 64, 2-pixel rows): 2 threads bit for bit', () => {
    // 2·78·2 pixels × 64 × 31·9 ≈ 5.6M multiply-adds: the pool splits the rows (DIRECT_MIN_MACS)
    verify({ x: [2, 80, 4, 31], w: [3, 3, 31, 64], bias: true, attrs: { layout: 'NHWC', activation: { kind: 'relu' } } }, 7, true);
    verify({ x: [2, 31, 80, 4], w: [61, 31, 3, 3], bias: true, attrs: { activation: { kind: 'clip', min: 0, max: 6 } } }, 8, true);
  });

  it('random tiny geometries (fast-check)', () => {
    const geom = fc.record({
      nhwc: fc.boolean(), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 160 }), M: fc.integer({ min: 1, max: 300 }),
      H: fc.integer({ min: 1, max: 5 }), W: fc.integer({ min: 1, max: 5 }), kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 2 }), pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), dil: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(), seed: fc.nat(1000),
    });
    let ran = 0;
    fc.assert(
      fc.property(geom, (q) => {
        const [pt, pl, pb, pr] = q.pads;
        const oH = Math.floor((q.H + pt + pb - q.dil * (q.kH - 1) - 1) / q.s) + 1;
        const oW = Math.floor((q.W + pl + pr - q.dil * (q.kW - 1) - 1) / q.s) + 1;
        fc.pre(oH >= 1 && oW >= 1 && pt < q.kH && pb < q.kH && pl < q.kW && pr < q.kW);
        const e = expected(q.nhwc, q.N, q.C, q.M, q.kH, q.kW, oH, oW, q.kH === 1 && q.kW === 1 && q.s === 1 && pt + pl + pb + pr === 0);
        fc.pre(e.tiny);
        const layout = q.nhwc ? 'NHWC' : 'NCHW';
        const x = q.nhwc ? [q.N, q.H, q.W, q.C] : [q.N, q.C, q.H, q.W];
        const w = q.nhwc ? [q.kH, q.kW, q.C, q.M] : [q.M, q.C, q.kH, q.kW];
        verify({ x, w, bias: q.bias, attrs: { layout, strides: [q.s, q.s], dilations: [q.dil, q.dil], pads: [pt, pl, pb, pr], activation: ACTS[q.seed % ACTS.length]! } }, q.seed, e.pixel);
        ran++;
      }),
      { numRuns: 30, seed: 20261122 },
    );
    expect(ran).toBe(30);
  });

  it('dispatch: more output pixels or work than the tiny region take the GEMM paths', () => {
    const rt = runtimes[0]!.rt1;
    const direct = (x: number[], w: number[], attrs: ConvAttrs) => {
      const ts = [rt.tensor(new Float32Array(size(x)), x), rt.tensor(new Float32Array(size(w)), w)];
      try {
        return [...launchesDuring(() => rt.run('Conv', ts, attrs).forEach((t) => t.dispose()))].some((l) => l.startsWith('conv-direct:'));
      } finally {
        ts.forEach((t) => t.dispose());
      }
    };
    expect(direct([1, 1, 1, 1024], [1, 1, 1024, 1000], { layout: 'NHWC' })).toBe(true); // one pixel: always
    expect(direct([1, 1, 2, 1024], [1, 1, 1024, 1000], { layout: 'NHWC' })).toBe(false); // 2 pixels, 2M multiply-adds
    expect(direct([1, 2, 2, 32], [3, 3, 32, 266], { layout: 'NHWC', pads: [1, 1, 1, 1] })).toBe(false); // pixel kernel, 306k
    expect(direct([1, 3, 3, 32], [3, 3, 32, 266], { layout: 'NHWC', pads: [1, 1, 1, 1] })).toBe(false); // 940k as tiles
    expect(direct([1, 9, 9, 64], [1, 1, 64, 8], { layout: 'NHWC' })).toBe(false); // 81 pixels
    expect(direct([1, 12, 12, 128], [1, 1, 128, 128], { layout: 'NHWC' })).toBe(false); // 144 pixels
    expect(direct([1, 64, 4, 4], [128, 64, 1, 1], {})).toBe(true); // 16 pixels, 131k
    expect(direct([1, 6, 6, 128], [1, 1, 128, 128], { layout: 'NHWC' })).toBe(true); // one row of 36, 576k
    expect(direct([1, 4, 4, 64], [3, 3, 64, 64], { layout: 'NHWC', pads: [1, 1, 1, 1] })).toBe(true); // 590k
  });
});
