/**
 * The direct small-channel convolution (family conv-direct, wasm-kernels/conv-direct.wat.ts, chosen
 * by wasm-kernels/conv.ts for group-1 1-D/2-D convs with C < 32, M ≤ 64) against the float64 reference
 * (tests/reference/conv.ts): NCHW and NHWC, C in {1, 2, 3, 5, 8, 15, 16, 31}, M in {1, 3, 8, 13,
 * 16, 24} (channel tails), kernels 1×1 to 7×7 incl. non-square, strides 1–3, dilation 2, asymmetric
 * pads, odd widths (row tails shorter than the 4-pixel tile), batch 2, bias or none, relu / clip /
 * leakyRelu / sigmoid / gelu, NaN/Inf inputs, random geometries (fast-check); every case at 1 and 2
 * threads (bit for bit), with relaxed SIMD on and off, and with the launcher's padded input copy
 * allowed or not (so both the copy and the kernel's own padding path run). A spy on the pool's
 * parallelFor checks the direct family really ran.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../core/runtime.js';
import { TwinopsError } from '../core/errors.js';
import type { ConvAttrs } from '../ops/conv.js';
import type { Activation } from '../ops/types.js';
import { convDirect } from '../wasm-kernels/conv.js';
import { prng } from './arbitraries.js';
import { refConv, type RefConvAttrs } from './reference/conv.js';
import { checkConv, familiesDuring, runtimePairs } from './reference/conv-check.js';

/** The largest activation slope these cases use (gelu). */
const SLOPE = 1.13;

interface Case {
  x: number[];
  w: number[];
  bias: boolean;
  attrs: ConvAttrs & RefConvAttrs;
}

const runtimes = runtimePairs();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function data(c: Case, seed: number, specials: boolean) {
  const r = prng(seed);
  const X = Float32Array.from({ length: size(c.x) }, () => r() * 2 - 1);
  const W = Float32Array.from({ length: size(c.w) }, () => r() * 2 - 1);
  const M = c.attrs.layout === 'NHWC' ? c.w[c.w.length - 1]! : c.w[0]!;
  const B = c.bias ? Float32Array.from({ length: M }, () => r() * 2 - 1) : undefined;
  if (specials && X.length > 0) {
    // inputs only: the reference skips padded taps, so a non-finite weight would meet 0 there
    const at = () => Math.floor(r() * X.length);
    X[at()] = NaN;
    X[at()] = Infinity;
    X[at()] = -Infinity;
  }
  return { X, W, B };
}

function runOnce(rt: Runtime, c: Case, d: ReturnType<typeof data>) {
  const ts = [rt.tensor(d.X, c.x), rt.tensor(d.W, c.w)];
  if (d.B) ts.push(rt.tensor(d.B, [d.B.length]));
  try {
    let y: ReturnType<Runtime['run']> = [];
    const fams = familiesDuring(() => (y = rt.run('Conv', ts, c.attrs)));
    const out = { data: y[0]!.dataSync() as Float32Array, shape: [...y[0]!.shape], fams };
    y[0]!.dispose();
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

function verify(c: Case, seed = 1, specials = false): void {
  const d = data(c, seed, specials);
  const ref = refConv(d.X, c.x, d.W, c.w, d.B, c.attrs);
  const nhwc = c.attrs.layout === 'NHWC';
  const S = c.x.length - 2;
  const K = size(nhwc ? c.w.slice(0, S + 1) : c.w.slice(1));
  const what = `Conv x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} bias=${c.bias} ${JSON.stringify(c.attrs)}`;
  // with the padded input copy where the launcher finds it pays, and with the kernel's own edge path
  for (const prepad of [true, false]) {
    convDirect.prepad = prepad;
    try {
      for (const { name, rt1, rt2 } of runtimes) {
        const tag = `${name}, prepad ${prepad}`;
        const a = runOnce(rt1, c, d);
        expect(a.shape, what).toEqual(ref.shape);
        if (size(ref.shape) > 0) expect([...a.fams], `${what}: direct kernel ran`).toContain('conv-direct');
        checkConv(a.data, ref, K, `${what} (${tag}, threads=1)`, SLOPE);
        const b = runOnce(rt2, c, d);
        expect(b.shape).toEqual(ref.shape);
        expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), `${what} (${tag}): threads 1 vs 2 bit for bit`).toBe(true);
      }
    } finally {
      convDirect.prepad = true;
    }
  }
}

const ACTS: Activation[] = [
  { kind: 'linear' },
  { kind: 'relu' },
  { kind: 'clip', min: -0.25, max: 0.5 },
  { kind: 'leakyRelu', alpha: 0.2 },
  { kind: 'sigmoid' },
  { kind: 'gelu' },
];

/** Geometries cycled through the channel grid: [kH, kW, sH, sW, dH, dW, pads t/l/b/r]. */
const GEOMS: [number, number, number, number, number, number, number[]][] = [
  [3, 3, 1, 1, 1, 1, [1, 1, 1, 1]],
  [5, 5, 1, 1, 1, 1, [2, 2, 2, 2]],
  [1, 1, 2, 2, 1, 1, [0, 0, 0, 0]],
  [2, 3, 1, 2, 1, 1, [0, 1, 1, 0]],
  [7, 7, 2, 2, 1, 1, [3, 3, 3, 3]],
  [3, 5, 3, 1, 2, 1, [2, 0, 1, 3]],
  [3, 3, 2, 3, 2, 2, [1, 2, 0, 1]],
  [4, 1, 1, 1, 1, 1, [1, 0, 2, 0]],
  [1, 7, 1, 1, 1, 2, [0, 3, 0, 3]],
];

describe('conv-direct against the float64 reference', () => {
  const Cs = [1, 2, 3, 5, 8, 15, 16, 31];
  const Ms = [1, 3, 8, 13, 16, 24];
  for (const layout of ['NCHW', 'NHWC'] as const) {
    it(`${layout}: channel grid × geometries, bias, activations`, () => {
      let k = 0;
      for (const C of Cs) {
        for (const M of Ms) {
          const [kH, kW, sH, sW, dH, dW, pads] = GEOMS[k % GEOMS.length]!;
          const N = k % 3 === 0 ? 2 : 1;
          // odd and even widths (row tails of 1–3 pixels), at least one output pixel
          const H = Math.max(5 + ((k * 7) % 9), (kH - 1) * dH + 1 - pads[0]! - pads[2]!);
          const W = Math.max(4 + ((k * 5) % 13), (kW - 1) * dW + 1 - pads[1]! - pads[3]!);
          const x = layout === 'NCHW' ? [N, C, H, W] : [N, H, W, C];
          const w = layout === 'NCHW' ? [M, C, kH, kW] : [kH, kW, C, M];
          const activation = ACTS[k % ACTS.length]!;
          verify({ x, w, bias: k % 2 === 0, attrs: { layout, strides: [sH, sW], dilations: [dH, dW], pads, activation } }, k);
          k++;
        }
      }
    });
  }

  it('1-D convs, both layouts', () => {
    verify({ x: [2, 3, 17], w: [5, 3, 3], bias: true, attrs: { pads: [1, 2], strides: [2] } });
    verify({ x: [1, 29, 7], w: [5, 7, 13], bias: false, attrs: { layout: 'NHWC', dilations: [2], pads: [4, 0], activation: { kind: 'relu' } } });
  });

  it('output width shorter than one tile, 1×1 outputs, wide rows', () => {
    verify({ x: [1, 3, 5, 3], w: [8, 3, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } }); // oW = 2
    verify({ x: [1, 4, 4, 2], w: [3, 3, 2, 5], bias: false, attrs: { layout: 'NHWC' } }); // 2×2 out
    verify({ x: [1, 3, 3, 2], w: [3, 3, 2, 9], bias: true, attrs: { layout: 'NHWC' } }); // 1×1 out
    verify({ x: [1, 2, 3, 61], w: [11, 2, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1], activation: { kind: 'relu' } } });
  });

  it('NaN and ±Inf inputs propagate as in the reference', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const [C, M] of [[1, 8], [3, 13], [8, 16]] as const) {
        const x = layout === 'NCHW' ? [1, C, 9, 11] : [1, 9, 11, C];
        const w = layout === 'NCHW' ? [M, C, 3, 3] : [3, 3, C, M];
        verify({ x, w, bias: true, attrs: { layout, pads: [1, 1, 1, 1], activation: { kind: 'relu' } } }, C + M, true);
      }
    }
  });

  it('large enough to split across threads: 2 threads bit for bit', () => {
    // ≥ 2·2^20 multiply-adds, so the pool splits the rows (DIRECT_MIN_MACS in conv.ts)
    verify({ x: [2, 30, 37, 8], w: [3, 3, 8, 24], bias: true, attrs: { layout: 'NHWC', pads: [1, 1, 1, 1], activation: { kind: 'relu' } } });
    verify({ x: [1, 3, 64, 97], w: [16, 3, 5, 5], bias: true, attrs: { pads: [2, 2, 2, 2], strides: [1, 1] } });
  });

  it('random geometries (fast-check)', () => {
    const geom = fc.record({
      nhwc: fc.boolean(), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 20 }), M: fc.integer({ min: 1, max: 19 }),
      H: fc.integer({ min: 1, max: 12 }), W: fc.integer({ min: 1, max: 14 }), kH: fc.integer({ min: 1, max: 5 }), kW: fc.integer({ min: 1, max: 5 }),
      sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 3 }), dH: fc.integer({ min: 1, max: 2 }), dW: fc.integer({ min: 1, max: 2 }),
      pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)), bias: fc.boolean(), seed: fc.nat(1000),
    });
    fc.assert(
      fc.property(geom, (q) => {
        const [pt, pl, pb, pr] = q.pads;
        const oH = Math.floor((q.H + pt + pb - q.dH * (q.kH - 1) - 1) / q.sH) + 1;
        const oW = Math.floor((q.W + pl + pr - q.dW * (q.kW - 1) - 1) / q.sW) + 1;
        fc.pre(oH >= 1 && oW >= 1 && pt < q.kH && pb < q.kH && pl < q.kW && pr < q.kW);
        fc.pre(!(q.kH === 1 && q.kW === 1 && q.sH === 1 && q.sW === 1 && pt + pl + pb + pr === 0)); // pointwise: the GEMM's
        const layout = q.nhwc ? 'NHWC' : 'NCHW';
        const x = q.nhwc ? [q.N, q.H, q.W, q.C] : [q.N, q.C, q.H, q.W];
        const w = q.nhwc ? [q.kH, q.kW, q.C, q.M] : [q.M, q.C, q.kH, q.kW];
        verify({ x, w, bias: q.bias, attrs: { layout, strides: [q.sH, q.sW], dilations: [q.dH, q.dW], pads: [pt, pl, pb, pr], activation: ACTS[q.seed % ACTS.length]! } }, q.seed);
      }),
      { numRuns: 40, seed: 20261122 },
    );
  });

  it('dispatch: C ≥ 32, M > 64, pointwise, grouped and 3-D convs take the other paths', () => {
    const rt = runtimes[0]!.rt1;
    const fams = (x: number[], w: number[], attrs: ConvAttrs) => {
      const ts = [rt.tensor(new Float32Array(size(x)), x), rt.tensor(new Float32Array(size(w)), w)];
      try {
        return familiesDuring(() => rt.run('Conv', ts, attrs).forEach((t) => t.dispose()));
      } finally {
        ts.forEach((t) => t.dispose());
      }
    };
    expect(fams([1, 31, 6, 6], [64, 31, 3, 3], {}).has('conv-direct')).toBe(true);
    // (outside the tiny-output region of conv-tiny.test.ts: > 64 output pixels)
    expect(fams([1, 32, 11, 11], [8, 32, 3, 3], {}).has('conv-direct')).toBe(false);
    expect(fams([1, 11, 11, 3], [3, 3, 3, 65], { layout: 'NHWC' }).has('conv-direct')).toBe(false);
    expect(fams([1, 3, 9, 9], [8, 3, 1, 1], {}).has('conv-direct')).toBe(false);
    expect(fams([1, 4, 6, 6], [8, 2, 3, 3], { group: 2 }).has('conv-direct')).toBe(false);
    expect(fams([1, 2, 4, 4, 4], [4, 2, 3, 3, 3], {}).has('conv-direct')).toBe(false);
  });

  it('batch 0 gives an empty output; bad shapes throw typed errors naming Conv', () => {
    const rt = runtimes[0]!.rt1;
    const [y] = rt.run('Conv', [rt.tensor(new Float32Array(0), [0, 3, 5, 5]), rt.tensor(new Float32Array(8 * 27), [8, 3, 3, 3])], {});
    expect(y!.shape).toEqual([0, 8, 3, 3]);
    y!.dispose();
    const x = rt.tensor(new Float32Array(3 * 25), [1, 3, 5, 5]);
    const w = rt.tensor(new Float32Array(8 * 2 * 9), [8, 2, 3, 3]);
    try {
      expect(() => rt.run('Conv', [x, w], {})).toThrow(TwinopsError);
      expect(() => rt.run('Conv', [x, w], {})).toThrow(/Conv/);
    } finally {
      x.dispose();
      w.dispose();
    }
  });
});
