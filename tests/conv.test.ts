/**
 * Conv against the float64 direct reference (tests/reference/conv.ts): both layouts, 1-D, 2-D, 3-D,
 * groups and depthwise (multiplier 1 and > 1), strides, dilations, asymmetric pads, every auto_pad,
 * odd channel counts, batch > 1 and N = 0, bias and every fused activation, NaN/Inf inputs, random
 * geometries (fast-check), typed errors, and threads 1 vs 2 bit for bit.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { TwinopsError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { ConvAttrs } from '../ops/conv.js';
import type { Activation } from '../ops/types.js';
import { prng as rng } from './arbitraries.js';
import { refConv, type RefConvAttrs } from './reference/conv.js';
import { checkConv as checkWithSlope } from './reference/conv-check.js';

let rt1: Runtime;
let rt2: Runtime;
beforeAll(async () => {
  rt1 = await createRuntime({ device: 'wasm', threads: 1 });
  rt2 = await createRuntime({ device: 'wasm', threads: 2 });
});
afterAll(() => {
  rt1?.dispose();
  rt2?.dispose();
});

export interface ConvCase {
  x: number[];
  w: number[];
  bias?: boolean;
  attrs: ConvAttrs & RefConvAttrs;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const fill = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);

/** Slope bound of the activations (gelu ≤ 1.13, elu with alpha ≤ 1.5). */
const SLOPE = 1.5;

/** Within the float32 dot-product bound of the float64 reference (tests/reference/conv-check.ts), at SLOPE. */
export function checkConv(got: ArrayLike<number>, ref: { out: Float64Array; mag: Float64Array }, K: number, what: string): void {
  checkWithSlope(got, ref, K, what, SLOPE);
}

/** Terms per output: input channels per group × taps. */
export function termsOf(c: ConvCase): number {
  const S = c.x.length - 2;
  const fl = c.attrs.filterLayout ?? (c.attrs.layout === 'NHWC' ? 'HWIO' : 'OIHW');
  const k = fl === 'OIHW' ? c.w.slice(2) : c.w.slice(0, S);
  const cg = fl === 'OIHW' ? c.w[1]! : fl === 'HWIO' ? c.w[S]! : 1;
  return size(k) * cg;
}

export function makeData(c: ConvCase, seed: number) {
  const r = rng(seed);
  const X = fill(size(c.x), r);
  const W = fill(size(c.w), r);
  const M = c.attrs.filterLayout === 'HWIM' ? c.w[c.w.length - 2]! * c.w[c.w.length - 1]! : c.attrs.layout === 'NHWC' ? c.w[c.w.length - 1]! : c.w[0]!;
  const B = c.bias ? fill(M, r) : undefined;
  return { X, W, B };
}

function run(rt: Runtime, c: ConvCase, d: ReturnType<typeof makeData>): { data: Float32Array; shape: readonly number[] } {
  const ts: Tensor[] = [rt.tensor(d.X, c.x), rt.tensor(d.W, c.w)];
  if (d.B) ts.push(rt.tensor(d.B, [d.B.length]));
  try {
    const [y] = rt.run('Conv', ts, c.attrs);
    const out = { data: y!.dataSync() as Float32Array, shape: y!.shape };
    y!.dispose();
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

function check(c: ConvCase, seed = 1, mutate?: (d: ReturnType<typeof makeData>) => void): void {
  const d = makeData(c, seed);
  mutate?.(d);
  const ref = refConv(d.X, c.x, d.W, c.w, d.B, c.attrs);
  const what = `Conv x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} bias=${!!c.bias} ${JSON.stringify(c.attrs)}`;
  const a = run(rt1, c, d);
  expect(a.shape, what).toEqual(ref.shape);
  checkConv(a.data, ref, termsOf(c), `${what} (threads=1)`);
  const b = run(rt2, c, d);
  expect(b.shape).toEqual(ref.shape);
  expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), `${what}: threads 1 and 2 differ`).toBe(true);
}

const ACTS: Activation[] = [
  { kind: 'relu' }, { kind: 'relu6' }, { kind: 'leakyRelu', alpha: 0.1 }, { kind: 'clip', min: -0.5, max: 0.7 },
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'gelu' }, { kind: 'elu', alpha: 1.5 }, { kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 },
];

/** Named cases shared with the WebGPU test. */
export const CASES: ConvCase[] = [
  // NCHW (ONNX), group 1
  { x: [1, 3, 7, 9], w: [5, 3, 3, 3], bias: true, attrs: {} },
  { x: [2, 5, 11, 8], w: [7, 5, 3, 2], bias: true, attrs: { pads: [1, 0, 2, 1], strides: [2, 1] } },
  { x: [1, 4, 13, 13], w: [6, 4, 3, 3], attrs: { dilations: [2, 3], pads: [2, 3, 1, 0] } },
  { x: [2, 3, 10, 7], w: [4, 3, 3, 3], bias: true, attrs: { autoPad: 'SAME_UPPER', strides: [2, 2] } },
  { x: [1, 3, 10, 7], w: [4, 3, 2, 4], attrs: { autoPad: 'SAME_LOWER', strides: [3, 2] } },
  { x: [1, 2, 9, 9], w: [3, 2, 3, 3], attrs: { autoPad: 'VALID', strides: [2, 2] } },
  { x: [3, 6, 5, 5], w: [9, 6, 1, 1], bias: true, attrs: {} },
  { x: [1, 33, 17, 5], w: [13, 33, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1] } },
  // NCHW groups and depthwise
  { x: [2, 6, 8, 7], w: [9, 2, 3, 3], bias: true, attrs: { group: 3, pads: [1, 1, 1, 1] } },
  { x: [1, 4, 6, 6], w: [4, 2, 2, 3], attrs: { group: 2, strides: [2, 1] } },
  { x: [2, 5, 9, 11], w: [5, 1, 3, 3], bias: true, attrs: { group: 5, pads: [1, 1, 1, 1] } },
  { x: [1, 3, 12, 13], w: [6, 1, 3, 5], bias: true, attrs: { group: 3, pads: [0, 2, 1, 1], dilations: [1, 2] } },
  { x: [1, 4, 9, 10], w: [4, 1, 3, 3], attrs: { group: 4, strides: [2, 3], autoPad: 'SAME_UPPER' } },
  // NHWC (tfjs), group 1
  { x: [1, 7, 9, 3], w: [3, 3, 3, 5], bias: true, attrs: { layout: 'NHWC' } },
  { x: [2, 8, 11, 5], w: [2, 3, 5, 7], bias: true, attrs: { layout: 'NHWC', autoPad: 'SAME_UPPER', strides: [2, 1] } },
  { x: [1, 13, 13, 4], w: [3, 3, 4, 6], attrs: { layout: 'NHWC', dilations: [2, 2], pads: [1, 2, 3, 0] } },
  { x: [3, 5, 6, 7], w: [1, 1, 7, 9], bias: true, attrs: { layout: 'NHWC' } },
  { x: [1, 6, 6, 8], w: [1, 1, 8, 4], attrs: { layout: 'NHWC', strides: [2, 2] } },
  { x: [1, 4, 4, 3], w: [3, 3, 3, 2], attrs: { layout: 'NHWC', autoPad: 'VALID' } },
  // NHWC groups and depthwise
  { x: [2, 7, 6, 6], w: [3, 3, 2, 9], bias: true, attrs: { layout: 'NHWC', group: 3, autoPad: 'SAME_UPPER' } },
  { x: [2, 9, 10, 7], w: [3, 3, 7, 1], bias: true, attrs: { layout: 'NHWC', filterLayout: 'HWIM', autoPad: 'SAME_UPPER' } },
  { x: [1, 9, 8, 13], w: [3, 3, 13, 1], attrs: { layout: 'NHWC', filterLayout: 'HWIM', strides: [2, 2], pads: [0, 1, 1, 0] } },
  { x: [1, 6, 7, 3], w: [3, 2, 3, 2], bias: true, attrs: { layout: 'NHWC', filterLayout: 'HWIM', dilations: [2, 1], autoPad: 'SAME_LOWER' } },
  { x: [1, 5, 5, 8], w: [3, 3, 1, 8], bias: true, attrs: { layout: 'NHWC', group: 8, autoPad: 'SAME_UPPER' } },
  // 1-D
  { x: [2, 3, 17], w: [4, 3, 3], bias: true, attrs: { pads: [1, 2], strides: [2] } },
  { x: [1, 4, 11], w: [4, 1, 3], bias: true, attrs: { group: 4, dilations: [2], autoPad: 'SAME_UPPER' } },
  { x: [2, 15, 5], w: [3, 5, 6], bias: true, attrs: { layout: 'NHWC', autoPad: 'SAME_UPPER' } },
  { x: [1, 12, 6], w: [5, 6, 2], attrs: { layout: 'NHWC', filterLayout: 'HWIM', strides: [2] } },
  { x: [1, 12, 6], w: [3, 2, 9], attrs: { layout: 'NHWC', group: 3 } },
  // 3-D
  { x: [2, 3, 5, 6, 7], w: [4, 3, 2, 3, 3], bias: true, attrs: { pads: [1, 0, 1, 0, 2, 1], strides: [2, 1, 2] } },
  { x: [1, 4, 5, 5, 4], w: [6, 2, 3, 1, 2], attrs: { group: 2, dilations: [2, 1, 1], autoPad: 'SAME_LOWER' } },
  { x: [1, 3, 4, 5, 6], w: [3, 1, 3, 3, 3], bias: true, attrs: { group: 3, autoPad: 'SAME_UPPER' } },
  { x: [2, 5, 4, 6, 3], w: [3, 2, 2, 3, 5], bias: true, attrs: { layout: 'NHWC', autoPad: 'SAME_UPPER', strides: [1, 2, 1] } },
  { x: [1, 4, 4, 4, 6], w: [3, 3, 3, 2, 6], attrs: { layout: 'NHWC', group: 3, pads: [1, 1, 1, 1, 1, 1] } },
  { x: [1, 4, 5, 3, 4], w: [2, 2, 2, 4, 2], bias: true, attrs: { layout: 'NHWC', filterLayout: 'HWIM', autoPad: 'VALID' } },
  { x: [1, 2, 3, 3, 8], w: [1, 1, 1, 8, 5], bias: true, attrs: { layout: 'NHWC' } },
  // wide rows: the 8- and 4-column vector paths of NCHW depthwise, with dilation and a multiplier
  { x: [1, 3, 6, 29], w: [6, 1, 3, 3], bias: true, attrs: { group: 3, dilations: [1, 2], pads: [1, 2, 1, 2] } },
  { x: [2, 2, 5, 19], w: [2, 1, 2, 4], attrs: { group: 2, pads: [0, 3, 1, 0], activation: { kind: 'gelu' } } },
];

describe('Conv (wasm)', () => {
  it('named cases, threads 1 and 2', () => {
    CASES.forEach((c, i) => check(c, 100 + i));
  });

  it('every fused activation on each path (GEMM NCHW/NHWC, grouped, depthwise NCHW/NHWC)', () => {
    const paths: ConvCase[] = [CASES[1]!, CASES[14]!, CASES[8]!, CASES[19]!, CASES[10]!, CASES[20]!, CASES[30]!, CASES[33]!];
    for (const activation of ACTS) paths.forEach((c, i) => check({ ...c, bias: true, attrs: { ...c.attrs, activation } }, 7 + i));
  });

  it('N = 0 gives an empty output; C = 0 gives the bias; size-1 dims work', () => {
    const a = run(rt1, { x: [0, 3, 5, 5], w: [4, 3, 3, 3], attrs: {} }, makeData({ x: [0, 3, 5, 5], w: [4, 3, 3, 3], attrs: {} }, 1));
    expect(a.shape).toEqual([0, 4, 3, 3]);
    const b = run(rt1, { x: [0, 5, 5, 3], w: [3, 3, 3, 1], attrs: { layout: 'NHWC', filterLayout: 'HWIM' } }, makeData({ x: [0, 5, 5, 3], w: [3, 3, 3, 1], attrs: { layout: 'NHWC', filterLayout: 'HWIM' } }, 1));
    expect(b.shape).toEqual([0, 3, 3, 3]);
    check({ x: [1, 1, 1, 1], w: [1, 1, 1, 1], bias: true, attrs: {} });
    // C = 0: every output is act(bias)
    check({ x: [1, 0, 3, 3], w: [2, 0, 2, 2], bias: true, attrs: { activation: { kind: 'relu' } } });
    check({ x: [2, 3, 3, 0], w: [2, 2, 0, 3], bias: true, attrs: { layout: 'NHWC' } });
    check({ x: [1, 1, 1, 1], w: [3, 3, 1, 2], attrs: { layout: 'NHWC', autoPad: 'SAME_UPPER' } });
    check({ x: [1, 1, 1, 1], w: [1, 1, 3, 3], attrs: { group: 1, pads: [1, 1, 1, 1] } });
  });

  it('NaN and Inf inputs propagate to exactly the outputs that read them', () => {
    for (const i of [0, 8, 10, 13, 19, 20]) {
      check(CASES[i]!, 40 + i, (d) => {
        d.X[3] = NaN;
        d.X[d.X.length - 2] = Infinity;
        d.X[Math.floor(d.X.length / 2)] = -Infinity;
      });
    }
  });

  it('random geometries, 1-D to 3-D (fast-check)', () => {
    const dim = fc.record({ n: fc.integer({ min: 1, max: 8 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), pb: fc.integer({ min: 0, max: 3 }), pe: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(
        fc.record({
          nhwc: fc.boolean(), dims: fc.oneof(fc.array(dim, { minLength: 1, maxLength: 2 }), fc.array(dim, { minLength: 3, maxLength: 3 }).map((a) => a.map((x) => ({ ...x, n: Math.min(x.n, 4) })))),
          n: fc.integer({ min: 1, max: 2 }), g: fc.constantFrom(1, 1, 2, 3), dw: fc.boolean(), cg: fc.integer({ min: 1, max: 5 }), mg: fc.integer({ min: 1, max: 5 }),
          auto: fc.constantFrom('NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'), bias: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (r) => {
          const cg = r.dw ? 1 : r.cg;
          const G = r.dw ? r.g + 2 : r.g;
          const C = cg * G;
          const M = r.mg * G;
          const ek = (x: { k: number; d: number }) => x.d * (x.k - 1) + 1;
          if (r.auto === 'NOTSET' && r.dims.some((x) => x.n + x.pb + x.pe < ek(x))) return;
          if (r.auto === 'VALID' && r.dims.some((x) => x.n < ek(x))) return;
          const sp = r.dims.map((x) => x.n);
          const ks = r.dims.map((x) => x.k);
          const attrs: ConvCase['attrs'] = {
            layout: r.nhwc ? 'NHWC' : 'NCHW', group: G, autoPad: r.auto, strides: r.dims.map((x) => x.s), dilations: r.dims.map((x) => x.d),
            ...(r.auto === 'NOTSET' ? { pads: [...r.dims.map((x) => x.pb), ...r.dims.map((x) => x.pe)] } : {}),
          };
          const c: ConvCase = r.nhwc
            ? { x: [r.n, ...sp, C], w: [...ks, cg, M], bias: r.bias, attrs }
            : { x: [r.n, C, ...sp], w: [M, cg, ...ks], bias: r.bias, attrs };
          check(c, r.seed);
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
  });

  it('problems large enough to split across 2 threads give the same bits as 1 thread', () => {
    // sizes past each pass's per-thread threshold (im2col, GEMM, depthwise, grouped GEMM); the
    // small cases above already compare both thread counts with the reference
    const big: ConvCase[] = [
      { x: [1, 40, 40, 16], w: [3, 3, 16, 16], bias: true, attrs: { layout: 'NHWC', autoPad: 'SAME_UPPER', activation: { kind: 'relu' } } },
      { x: [1, 64, 64, 32], w: [3, 3, 32, 1], bias: true, attrs: { layout: 'NHWC', filterLayout: 'HWIM', autoPad: 'SAME_UPPER', activation: { kind: 'relu6' } } },
      { x: [1, 32, 64, 64], w: [32, 1, 3, 3], bias: true, attrs: { group: 32, pads: [1, 1, 1, 1] } },
      { x: [2, 16, 48, 48], w: [16, 4, 3, 3], bias: true, attrs: { group: 4, pads: [1, 1, 1, 1], activation: { kind: 'tanh' } } },
      { x: [1, 16, 40, 40], w: [16, 16, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1] } },
    ];
    big.forEach((c, i) => {
      const d = makeData(c, 900 + i);
      const a = run(rt1, c, d);
      const b = run(rt2, c, d);
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), `case ${i}: threads 1 and 2 differ`).toBe(true);
    });
  });

  it('every path returns its scratch and cached forms to the heap', () => {
    const before = rt2.memory();
    for (const i of [0, 1, 6, 8, 14, 16, 19, 20, 22, 29, 32]) {
      const c = CASES[i]!;
      const d = makeData(c, 1);
      const ts = [rt2.tensor(d.X, c.x), rt2.tensor(d.W, c.w), ...(d.B ? [rt2.tensor(d.B, [d.B.length])] : [])];
      for (let k = 0; k < 2; k++) rt2.run('Conv', ts, c.attrs).forEach((y) => y.dispose());
      ts.forEach((t) => t.dispose());
    }
    const after = rt2.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.wasm.inUse).toBe(before.wasm.inUse);
  });

  it('a filter used twice reuses its packed form and gives the same result', () => {
    const c = CASES[14]!;
    const d = makeData(c, 3);
    const x = rt2.tensor(d.X, c.x);
    const w = rt2.tensor(d.W, c.w);
    const [y1] = rt2.run('Conv', [x, w], c.attrs);
    const [y2] = rt2.run('Conv', [x, w], c.attrs);
    expect(w.derived.size).toBe(1);
    expect(Array.from(y2!.dataSync() as Float32Array)).toEqual(Array.from(y1!.dataSync() as Float32Array));
    for (const t of [x, w, y1!, y2!]) t.dispose();
  });

  it('bad inputs throw typed errors naming Conv and the shapes', () => {
    const t = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)), shape);
    const bad = (inputs: number[][], attrs: ConvAttrs, code: string, text: RegExp) => {
      const ts = inputs.map(t);
      try {
        rt1.run('Conv', ts, attrs);
        throw new Error('expected a throw');
      } catch (e) {
        expect(e).toBeInstanceOf(TwinopsError);
        expect((e as TwinopsError).code).toBe(code);
        expect((e as Error).message).toMatch(/^Conv: /);
        expect((e as Error).message).toMatch(text);
      } finally {
        ts.forEach((x) => x.dispose());
      }
    };
    bad([[1, 3, 5, 5], [4, 2, 3, 3]], {}, 'SHAPE_MISMATCH', /\[1,3,5,5\].*\[4,2,3,3\]/);
    bad([[1, 4, 5, 5], [6, 2, 3, 3]], { group: 3 }, 'SHAPE_MISMATCH', /group/);
    bad([[1, 3, 5], [4, 3, 3, 3]], {}, 'RANK', /\[4,3,3,3\]/);
    bad([[1, 3], [4, 3]], {}, 'RANK', /\[1,3\]/);
    bad([[1, 3, 2, 2], [4, 3, 3, 3]], {}, 'SHAPE_MISMATCH', /larger than the padded input/);
    bad([[1, 3, 5, 5], [4, 3, 3, 3], [5]], {}, 'SHAPE_MISMATCH', /bias must be \[4\]/);
    bad([[1, 3, 5, 5], [4, 3, 3, 3]], { strides: [0, 1] }, 'ATTRIBUTE', /strides/);
    bad([[1, 3, 5, 5], [4, 3, 3, 3]], { pads: [1, 1] }, 'ATTRIBUTE', /pads/);
    bad([[1, 3, 5, 5], [4, 3, 3, 3]], { layout: 'NHWC', filterLayout: 'OIHW' }, 'ATTRIBUTE', /filterLayout/);
    bad([[1, 5, 5, 3], [3, 3, 4, 1]], { layout: 'NHWC', filterLayout: 'HWIM' }, 'SHAPE_MISMATCH', /depthwise/);
    bad([[1, 3, 5, 5], [4, 3, 3, 3]], { activation: { kind: 'swish' } as unknown as Activation }, 'ATTRIBUTE', /activation/);
    bad([[1, 3, 4, 4, 4, 4], [2, 3, 3, 3, 3, 3]], {}, 'RANK', /\[1,3,4,4,4,4\]/);
    const i32 = rt1.tensor(new Int32Array(25), [1, 1, 5, 5], 'int32');
    const f = t([1, 1, 3, 3]);
    expect(() => rt1.run('Conv', [i32, f], {})).toThrow(/Conv: .*int32/);
    i32.dispose();
    f.dispose();
  });
});

let gpuSkip: string | undefined;
try {
  (await createRuntime({ device: 'webgpu', threads: 1 })).dispose();
} catch (e) {
  if (!(e instanceof TwinopsError && e.code === 'DEVICE')) throw e;
  gpuSkip = e.message;
  console.warn(`[conv.test] no WebGPU adapter (${gpuSkip}): skipping the WebGPU twin`);
}

describe.skipIf(gpuSkip !== undefined)('Conv (webgpu)', () => {
  let gpu: Runtime;
  beforeAll(async () => {
    gpu = await createRuntime({ device: 'webgpu', threads: 1 });
  });
  afterAll(() => gpu?.dispose());

  async function checkGpu(c: ConvCase, seed: number, mutate?: (d: ReturnType<typeof makeData>) => void) {
    const d = makeData(c, seed);
    mutate?.(d);
    const ref = refConv(d.X, c.x, d.W, c.w, d.B, c.attrs);
    const ts: Tensor[] = [gpu.tensor(d.X, c.x), gpu.tensor(d.W, c.w)];
    if (d.B) ts.push(gpu.tensor(d.B, [d.B.length]));
    const [y] = gpu.run('Conv', ts, c.attrs);
    expect(y!.device).toBe('webgpu');
    expect(y!.shape).toEqual(ref.shape);
    checkConv((await y!.data()) as Float32Array, ref, termsOf(c), `webgpu Conv x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} ${JSON.stringify(c.attrs)}`);
    for (const t of [...ts, y!]) t.dispose();
  }

  it('named cases', async () => {
    for (let i = 0; i < CASES.length; i++) await checkGpu(CASES[i]!, 100 + i);
  });

  it('every fused activation, NaN/Inf inputs, N = 0', async () => {
    for (const activation of ACTS) await checkGpu({ ...CASES[8]!, attrs: { ...CASES[8]!.attrs, activation } }, 9);
    for (const activation of ACTS) await checkGpu({ ...CASES[20]!, attrs: { ...CASES[20]!.attrs, activation } }, 9);
    await checkGpu({ x: [1, 0, 3, 3], w: [2, 0, 2, 2], bias: true, attrs: { activation: { kind: 'relu' } } }, 6);
    await checkGpu(CASES[13]!, 5, (d) => {
      d.X[3] = NaN;
      d.X[d.X.length - 2] = Infinity;
    });
    const x = gpu.tensor(new Float32Array(0), [0, 3, 5, 5]);
    const w = gpu.tensor(new Float32Array(54), [6, 1, 3, 3]);
    const [y] = gpu.run('Conv', [x, w], { group: 3 });
    expect(y!.shape).toEqual([0, 6, 3, 3]);
    for (const t of [x, w, y!]) t.dispose();
  });
});
