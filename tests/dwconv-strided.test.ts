/**
 * Depthwise Conv (group = C, one input channel per group) against the float64 direct reference
 * (tests/reference/conv.ts), aimed at the depthwise kernels' paths: NCHW kernel widths 3/5/7 at
 * horizontal stride 1/2 (family dwconv: left border, 16- and 4-column interior passes, the
 * overlapping last pass, right border), the generic NCHW kernel (stride 3, dilation 2, other widths)
 * and NHWC (16/8/4 channels per pass and single channels). Strides 1/2/3, dilations 1/2, odd/even
 * sizes, asymmetric pads, channel multiplier > 1, 1..33 channels, bias or none, every fused
 * activation, NaN/Inf, threads 1 vs 2 bit for bit, relaxed SIMD on and off (two runtimes each).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import type { ConvAttrs, ConvPlan } from '../ops/conv.js';
import type { Activation } from '../ops/types.js';
import { OPS } from '../ops/index.js';
import { block } from '../wasm-kernels/conv.js';
import { DWCONV_NCHW, DWCONV_NHWC } from '../wasm-kernels/conv.wat.js';
import { dwNchwExport } from '../wasm-kernels/dwconv.wat.js';
import { dwNhwcExport } from '../wasm-kernels/dwconv-nhwc.wat.js';
import { prng } from './arbitraries.js';
import { refConv, type RefConvAttrs } from './reference/conv.js';
import { checkConv } from './reference/conv-check.js';

/** The largest activation slope these cases use (gelu ≤ 1.13, elu with alpha ≤ 1.5). */
const SLOPE = 1.5;

interface Rts { one: Runtime; two: Runtime }
const rts: Record<'relaxed' | 'plain', Rts> = {} as Record<'relaxed' | 'plain', Rts>;
beforeAll(async () => {
  for (const [k, relaxedSimd] of [['relaxed', true], ['plain', false]] as const) {
    rts[k] = { one: await createRuntime({ device: 'wasm', threads: 1, relaxedSimd }), two: await createRuntime({ device: 'wasm', threads: 2, relaxedSimd }) };
  }
});
afterAll(() => {
  for (const r of Object.values(rts)) {
    r.one.dispose();
    r.two.dispose();
  }
});

interface DwCase {
  nhwc?: boolean;
  n?: number;
  c: number;
  mult?: number;
  h: number;
  w: number;
  k: [number, number];
  s?: [number, number];
  d?: [number, number];
  pads?: [number, number, number, number];
  bias?: boolean;
  act?: Activation;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function geometry(c: DwCase) {
  const n = c.n ?? 1;
  const mult = c.mult ?? 1;
  const M = c.c * mult;
  const x = c.nhwc ? [n, c.h, c.w, c.c] : [n, c.c, c.h, c.w];
  // NHWC filters are HWIO [kh, kw, 1, M]; NCHW OIHW [M, 1, kh, kw]
  const w = c.nhwc ? [c.k[0], c.k[1], 1, M] : [M, 1, c.k[0], c.k[1]];
  const attrs: ConvAttrs & RefConvAttrs = { group: c.c, strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1], pads: c.pads ?? [0, 0, 0, 0] };
  if (c.nhwc) attrs.layout = 'NHWC';
  if (c.act) attrs.activation = c.act;
  return { x, w, M, attrs };
}

function runOn(rt: Runtime, x: number[], w: number[], d: { X: Float32Array; W: Float32Array; B?: Float32Array }, attrs: ConvAttrs): Float32Array {
  const ts = [rt.tensor(d.X, x), rt.tensor(d.W, w)];
  if (d.B) ts.push(rt.tensor(d.B, [d.B.length]));
  try {
    const [y] = rt.run('Conv', ts, attrs);
    const out = y!.dataSync() as Float32Array;
    y!.dispose();
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

function check(c: DwCase, seed: number, mutate?: (d: { X: Float32Array; W: Float32Array }) => void): void {
  const { x, w, M, attrs } = geometry(c);
  const r = prng(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  const d = { X: fill(size(x)), W: fill(size(w)), B: c.bias ? fill(M) : undefined };
  mutate?.(d);
  const ref = refConv(d.X, x, d.W, w, d.B, attrs);
  const what = `depthwise ${JSON.stringify(c)}`;
  for (const [k, pair] of Object.entries(rts)) {
    const a = runOn(pair.one, x, w, d, attrs);
    checkConv(a, ref, c.k[0] * c.k[1], `${what} (${k}, threads=1)`, SLOPE);
    const b = runOn(pair.two, x, w, d, attrs);
    expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength)), `${what} (${k}): threads 1 and 2 differ`).toBe(true);
  }
}

const ACTS: Activation[] = [
  { kind: 'linear' }, { kind: 'relu' }, { kind: 'relu6' }, { kind: 'leakyRelu', alpha: 0.1 }, { kind: 'clip', min: -0.5, max: 0.7 },
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'gelu' }, { kind: 'elu', alpha: 1.5 }, { kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 },
];

describe('depthwise Conv, strided and unrolled paths (wasm)', () => {
  it('NCHW kernel widths 3/5/7 at strides 1 and 2 over row widths 1..41 (borders, 16/4-column passes, overlapping last pass)', () => {
    let seed = 1;
    for (const k of [3, 5, 7]) {
      for (const s of [1, 2]) {
        for (let w = 1; w <= 41; w += w < 12 ? 1 : 3) {
          const pl = (w + k) % (k - 1);
          const pr = (w * 3 + s) % k;
          if (w + pl + pr < k) continue;
          check({ c: 2, h: 5, w, k: [k, k], s: [s, s], pads: [1, pl, k - 2, pr], bias: w % 2 === 0 }, seed++);
        }
      }
    }
  });

  it('NHWC kernel widths 3/5 at strides 1..3 over row widths 1..20 (border pixels, interior pairs and the odd one, 8/4/1-channel tiles)', () => {
    let seed = 1000;
    for (const k of [3, 5]) {
      for (const s of [1, 2, 3]) {
        for (let w = 1; w <= 20; w++) {
          const pl = (w + k) % (k - 1);
          const pr = (w * 3 + s) % k;
          const dw = 1 + (w % 3 === 0 ? 1 : 0);
          if (w + pl + pr < (k - 1) * dw + 1) continue;
          check({ nhwc: true, c: 4 + (w % 11), h: 4, w, k: [k, k], s: [s, 1 + (w % 2)], d: [1, dw], pads: [1, pl, k - 2, pr], bias: w % 2 === 1, act: w % 4 === 0 ? { kind: 'relu6' } : w % 4 === 1 ? { kind: 'sigmoid' } : undefined }, seed++);
        }
      }
    }
  });

  it('the det shapes: 3×3 s2 pad 1, 5×5 s2 pad 2, 3×3 and 5×5 s1, even and odd sizes', () => {
    check({ c: 5, h: 40, w: 40, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu' } }, 11);
    check({ c: 3, h: 20, w: 20, k: [5, 5], s: [2, 2], pads: [2, 2, 2, 2], bias: true, act: { kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 } }, 12);
    check({ c: 4, h: 33, w: 35, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true }, 13);
    check({ c: 3, h: 21, w: 37, k: [5, 5], s: [1, 1], pads: [2, 2, 2, 2] }, 14);
    check({ c: 2, h: 80, w: 80, k: [3, 3], s: [1, 1], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu6' } }, 15);
  });

  it('NCHW stride-1 row pairs: batch 2, multiplier 2, odd heights, pads that leave 0..2 full-height rows, vertical stride/dilation 2', () => {
    let seed = 20;
    for (const k of [3, 5]) {
      for (const h of [k - 1, k, k + 1, k + 2, 12]) {
        for (const [pt, pb] of [[0, 0], [1, 0], [k - 1, k - 1], [2, 1]] as [number, number][]) {
          if (h + pt + pb < k) continue;
          check({ n: 2, c: 3, mult: 2, h, w: 27, k: [k, k], s: [1, 1], pads: [pt, 1, pb, 2], bias: true, act: { kind: 'leakyRelu', alpha: 0.1 } }, seed++);
        }
      }
      check({ c: 2, h: 15, w: 22, k: [k, k], s: [2, 1], pads: [1, 2, 1, 2] }, seed++);
      check({ c: 2, h: 15, w: 22, k: [k, k], s: [1, 1], d: [2, 1], pads: [1, 2, 1, 2] }, seed++);
    }
  });

  it('both layouts: strides 1/2/3 (mixed), dilations 1/2, kernels 3×3, 5×5, 7×7, 1×3, 3×1, asymmetric pads', () => {
    let seed = 100;
    for (const nhwc of [false, true]) {
      for (const k of [[3, 3], [5, 5], [7, 7], [1, 3], [3, 1]] as [number, number][]) {
        for (const s of [[1, 1], [2, 2], [3, 3], [2, 1], [1, 2], [3, 2]] as [number, number][]) {
          for (const d of [[1, 1], [2, 2], [1, 2]] as [number, number][]) {
            const h = 13 + (seed % 4);
            const w = 14 + (seed % 7);
            check({ nhwc, c: 1 + (seed % 7), h, w, k, s, d, pads: [seed % 3, (seed + 1) % 4, (seed + 2) % 2, seed % 3], bias: seed % 2 === 0 }, seed++);
          }
        }
      }
    }
  });

  it('channels 1..33, multiplier 1..3, batch 2, both layouts', () => {
    let seed = 300;
    for (const nhwc of [false, true]) {
      for (let c = 1; c <= 33; c += c < 9 ? 1 : 4) {
        for (const mult of [1, 2, 3]) {
          check({ nhwc, n: 2, c, mult, h: 7, w: 23, k: [3, 3], s: [2, 2], pads: [1, 1, 0, 1], bias: (c + mult) % 2 === 0 }, seed++);
        }
      }
    }
  });

  it('every fused activation on the NCHW unrolled, NCHW generic and NHWC paths', () => {
    let seed = 500;
    for (const act of ACTS) {
      check({ c: 3, h: 11, w: 38, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true, act }, seed++);
      check({ c: 3, h: 9, w: 25, k: [5, 5], s: [1, 1], pads: [2, 2, 2, 2], bias: true, act }, seed++);
      check({ c: 3, h: 11, w: 19, k: [3, 3], s: [3, 3], pads: [1, 1, 1, 1], bias: true, act }, seed++);
      check({ nhwc: true, c: 21, h: 9, w: 11, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true, act }, seed++);
    }
  });

  it('size-1 and degenerate dims: 1×1 images, kernels wider than the padded row on one side, all-padding rows', () => {
    let seed = 700;
    for (const nhwc of [false, true]) {
      check({ nhwc, c: 3, h: 1, w: 1, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true }, seed++);
      check({ nhwc, c: 2, h: 1, w: 5, k: [1, 3], s: [1, 2], pads: [0, 1, 0, 1] }, seed++);
      check({ nhwc, c: 2, h: 3, w: 2, k: [5, 5], s: [1, 1], pads: [4, 3, 4, 3], bias: true }, seed++);
      check({ nhwc, c: 1, h: 6, w: 9, k: [7, 7], s: [2, 2], pads: [6, 6, 6, 6], act: { kind: 'relu' } }, seed++);
    }
  });

  it('NaN and Inf propagate to exactly the outputs that read them (borders and interior)', () => {
    let seed = 800;
    for (const nhwc of [false, true]) {
      for (const [k, s] of [[3, 2], [5, 2], [3, 1], [5, 1], [3, 3]] as const) {
        check({ nhwc, c: 3, h: 9, w: 34, k: [k, k], s: [s, s], pads: [1, 1, 1, 1], bias: true }, seed++, (d) => {
          d.X[0] = NaN; // a corner: left border only
          d.X[40] = Infinity; // row 1, column 6: interior
          d.X[Math.floor(d.X.length / 2) + 1] = -Infinity;
          d.X[d.X.length - 1] = NaN; // last pixel: right border
        });
      }
    }
    // an infinite weight times a zero of padding is skipped, not NaN
    check({ c: 2, h: 6, w: 21, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] }, 850, (d) => {
      d.W[0] = Infinity;
    });
  });

  it('problems large enough to split across 2 threads give the same bits as 1 thread', () => {
    // ≥ 2 × 128k multiply-adds, so conv.ts hands rows to a worker
    check({ c: 32, h: 96, w: 96, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu' } }, 900);
    check({ c: 48, h: 20, w: 20, k: [5, 5], s: [1, 1], pads: [2, 2, 2, 2], bias: true }, 901);
    check({ nhwc: true, c: 32, h: 64, w: 64, k: [3, 3], s: [1, 1], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu6' } }, 902);
    check({ nhwc: true, c: 96, h: 40, w: 40, k: [5, 5], s: [2, 2], pads: [2, 2, 2, 2], act: { kind: 'gelu' } }, 903);
  });

  it('the unrolled kernels give the same bits as conv\'s generic depthwise kernels (same terms in the same order)', () => {
    for (const [k, pair] of Object.entries(rts)) {
      const w = pair.one.wasm;
      const shapes: DwCase[] = [
        { c: 5, h: 17, w: 37, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu6' } },
        { c: 4, h: 9, w: 30, k: [5, 5], s: [1, 1], pads: [2, 1, 2, 3] },
        { c: 3, h: 12, w: 26, k: [3, 3], s: [1, 2], pads: [0, 2, 1, 0], bias: true, act: { kind: 'elu', alpha: 1.5 } },
        { nhwc: true, c: 21, h: 11, w: 19, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: true, act: { kind: 'clip', min: -0.5, max: 0.7 } },
        { nhwc: true, c: 13, h: 8, w: 15, k: [5, 5], s: [1, 3], d: [2, 1], pads: [3, 2, 1, 2], act: { kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 } },
      ];
      shapes.forEach((c, n) => {
        const { x, w: ws, attrs } = geometry(c);
        const r = prng(950 + n);
        const fill = (len: number) => Float32Array.from({ length: len }, () => r() * 2 - 1);
        const ts = [pair.one.tensor(fill(size(x)), x), pair.one.tensor(fill(size(ws)), ws)];
        if (c.bias) ts.push(pair.one.tensor(fill(c.c), [c.c]));
        const plan = OPS.get('Conv')!.plan(ts, attrs) as ConvPlan;
        const outs = [0, 1].map(() => pair.one.tensor(new Float32Array(size(plan.outputs[0]!.shape)), plan.outputs[0]!.shape));
        const blks = outs.map((y) => block(w, plan, { x: w.ptrOf(ts[0]!), y: w.ptrOf(y), w: w.ptrOf(ts[1]!), bias: ts[2] ? w.ptrOf(ts[2]) : 0 }));
        try {
          const rows = c.nhwc ? plan.N * plan.oH : plan.N * plan.M * plan.oH;
          w.exports('conv')[c.nhwc ? DWCONV_NHWC : DWCONV_NCHW]!(blks[0]!, 0, rows);
          w.exports('dwconv')[c.nhwc ? dwNhwcExport(c.k[1]) : dwNchwExport(c.k[1], c.s![1])]!(blks[1]!, 0, rows);
          const [a, b] = outs.map((t) => t.dataSync() as Float32Array);
          expect(Buffer.from(b!.buffer, b!.byteOffset, b!.byteLength).equals(Buffer.from(a!.buffer, a!.byteOffset, a!.byteLength)), `${JSON.stringify(c)} (${k})`).toBe(true);
        } finally {
          blks.forEach((b) => w.free(b));
          for (const t of [...ts, ...outs]) t.dispose();
        }
      });
    }
  });

  it('random geometries (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          nhwc: fc.boolean(), c: fc.integer({ min: 1, max: 20 }), mult: fc.constantFrom(1, 1, 2), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 45 }),
          kh: fc.constantFrom(1, 3, 5, 7), kw: fc.constantFrom(1, 3, 5, 7), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
          dh: fc.constantFrom(1, 1, 2), dw: fc.constantFrom(1, 1, 2), p: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)), bias: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (r) => {
          const p = r.p as [number, number, number, number];
          if (r.h + p[0] + p[2] < (r.kh - 1) * r.dh + 1 || r.w + p[1] + p[3] < (r.kw - 1) * r.dw + 1) return;
          check({ nhwc: r.nhwc, c: r.c, mult: r.mult, h: r.h, w: r.w, k: [r.kh, r.kw], s: [r.sh, r.sw], d: [r.dh, r.dw], pads: p, bias: r.bias }, r.seed);
        },
      ),
      { numRuns: 60, seed: 20261122 },
    );
  });
});
