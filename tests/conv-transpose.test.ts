/**
 * ConvTranspose against the float64 scatter-form reference (tests/reference/conv-transpose.ts):
 * NCHW (ONNX, IOHW filters, groups) and NHWC (tfjs, HWOI filters), 1-D to 3-D, strides, dilations,
 * asymmetric pads, output padding, outputShape and SAME/VALID auto_pad, bias and fused activations,
 * NaN/Inf inputs, N = 0, random geometries, typed errors, threads 1 vs 2 bit for bit, and WebGPU.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { createRuntime, type Runtime } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import type { ConvTransposeAttrs } from '../ops/conv-transpose.js';
import type { Activation } from '../ops/types.js';
import { prng as rng } from './arbitraries.js';
import { refConvTranspose, type RefConvTransposeAttrs } from './reference/conv-transpose.js';
import { checkConv } from './reference/conv-check.js';

interface Case {
  x: number[];
  w: number[];
  bias?: boolean;
  attrs: ConvTransposeAttrs & RefConvTransposeAttrs;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const fill = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);

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

function data(c: Case, seed: number) {
  const r = rng(seed);
  const S = c.x.length - 2;
  const M = c.attrs.layout === 'NHWC' ? c.w[S]! : c.w[1]! * (c.attrs.group ?? 1);
  return { X: fill(size(c.x), r), W: fill(size(c.w), r), B: c.bias ? fill(M, r) : undefined };
}

/** Terms per output: at most (input channels per group) × taps. */
function terms(c: Case): number {
  const S = c.x.length - 2;
  const nhwc = c.attrs.layout === 'NHWC';
  return size(nhwc ? c.w.slice(0, S) : c.w.slice(2)) * (nhwc ? c.w[S + 1]! : c.w[0]! / (c.attrs.group ?? 1));
}

/** Within the float32 dot-product bound of the float64 reference, at the activations' slope bound 1.5 (tests/reference/conv-check.ts; the K terms include the GEMM's and the gather's additions). */
function close(got: ArrayLike<number>, ref: { out: Float64Array; mag: Float64Array }, K: number, what: string): void {
  checkConv(got, ref, K, what, 1.5);
}

function exec(rt: Runtime, c: Case, d: ReturnType<typeof data>) {
  const ts: Tensor[] = [rt.tensor(d.X, c.x), rt.tensor(d.W, c.w)];
  if (d.B) ts.push(rt.tensor(d.B, [d.B.length]));
  try {
    const [y] = rt.run('ConvTranspose', ts, c.attrs);
    const out = { data: y!.dataSync() as Float32Array, shape: y!.shape };
    y!.dispose();
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

function check(c: Case, seed = 1, mutate?: (d: ReturnType<typeof data>) => void): void {
  const d = data(c, seed);
  mutate?.(d);
  const ref = refConvTranspose(d.X, c.x, d.W, c.w, d.B, c.attrs);
  const what = `ConvTranspose x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} bias=${!!c.bias} ${JSON.stringify(c.attrs)}`;
  const a = exec(rt1, c, d);
  expect(a.shape, what).toEqual(ref.shape);
  close(a.data, ref, terms(c), `${what} (threads=1)`);
  const b = exec(rt2, c, d);
  expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), `${what}: threads 1 and 2 differ`).toBe(true);
}

const CASES: Case[] = [
  { x: [1, 3, 5, 4], w: [3, 2, 3, 3], bias: true, attrs: {} },
  { x: [2, 4, 5, 6], w: [4, 3, 3, 2], bias: true, attrs: { strides: [2, 3], pads: [1, 0, 0, 2] } },
  { x: [1, 2, 4, 4], w: [2, 5, 3, 3], attrs: { strides: [2, 2], outputPadding: [1, 1], dilations: [1, 2] } },
  { x: [1, 6, 4, 5], w: [6, 2, 3, 3], bias: true, attrs: { group: 3, strides: [2, 1], pads: [1, 1, 1, 1] } },
  { x: [2, 4, 3, 5], w: [4, 1, 2, 2], attrs: { group: 4, strides: [2, 2] } },
  { x: [1, 3, 5, 5], w: [3, 4, 3, 3], attrs: { strides: [2, 2], autoPad: 'SAME_UPPER' } },
  { x: [1, 3, 5, 5], w: [3, 4, 4, 3], attrs: { strides: [2, 2], autoPad: 'SAME_LOWER' } },
  { x: [1, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: [3, 2], outputShape: [11, 9] } },
  { x: [1, 2, 3, 3], w: [2, 3, 2, 2], attrs: { autoPad: 'VALID', strides: [2, 2] } },
  { x: [2, 3, 7], w: [3, 4, 3], bias: true, attrs: { strides: [2], pads: [1, 2] } },
  // NHWC (tfjs conv2dTranspose: filter [kH, kW, outC, inC], outputShape + 'same')
  { x: [1, 4, 5, 3], w: [3, 3, 6, 3], bias: true, attrs: { layout: 'NHWC', strides: [2, 2], outputShape: [8, 10], autoPad: 'SAME_UPPER' } },
  { x: [2, 3, 4, 5], w: [2, 3, 7, 5], attrs: { layout: 'NHWC', strides: [1, 2], autoPad: 'VALID' } },
  { x: [1, 5, 5, 4], w: [3, 3, 3, 4], bias: true, attrs: { layout: 'NHWC', pads: [1, 0, 2, 1], dilations: [2, 1] } },
  { x: [1, 6, 3], w: [4, 5, 3], attrs: { layout: 'NHWC', strides: [3] } },
  // 3-D
  { x: [1, 2, 3, 3, 4], w: [2, 3, 2, 3, 2], bias: true, attrs: { strides: [2, 1, 2], pads: [0, 1, 0, 1, 0, 1] } },
  { x: [1, 3, 2, 3, 4], w: [2, 2, 3, 5, 4], attrs: { layout: 'NHWC', strides: [2, 2, 1], autoPad: 'SAME_UPPER' } },
];

const ACTS: Activation[] = [
  { kind: 'relu' }, { kind: 'relu6' }, { kind: 'leakyRelu', alpha: 0.1 }, { kind: 'clip', min: -0.5, max: 0.7 },
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'gelu' }, { kind: 'elu', alpha: 1.5 }, { kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 },
];

describe('ConvTranspose (wasm)', () => {
  it('named cases, threads 1 and 2', () => {
    CASES.forEach((c, i) => check(c, 200 + i));
  });

  it('fused activations, NaN/Inf, N = 0, C = 0', () => {
    for (const activation of ACTS) {
      check({ ...CASES[3]!, attrs: { ...CASES[3]!.attrs, activation } }, 3);
      check({ ...CASES[10]!, attrs: { ...CASES[10]!.attrs, activation } }, 4);
    }
    for (const i of [1, 10]) {
      check(CASES[i]!, 5, (d) => {
        d.X[2] = NaN;
        d.X[d.X.length - 1] = Infinity;
      });
    }
    const c: Case = { x: [0, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: [2, 2] } };
    expect(exec(rt1, c, data(c, 1)).shape).toEqual([0, 2, 9, 9]);
    check({ x: [1, 0, 3, 3], w: [0, 2, 2, 2], bias: true, attrs: {} });
    check({ x: [1, 3, 3, 0], w: [2, 2, 3, 0], bias: true, attrs: { layout: 'NHWC', activation: { kind: 'sigmoid' } } });
  });

  it('random geometries (fast-check)', () => {
    const dim = fc.record({ n: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), pb: fc.integer({ min: 0, max: 2 }), pe: fc.integer({ min: 0, max: 2 }), op: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(
        fc.record({
          nhwc: fc.boolean(), dims: fc.array(dim, { minLength: 1, maxLength: 3 }), n: fc.integer({ min: 1, max: 2 }), g: fc.constantFrom(1, 1, 2, 3),
          cg: fc.integer({ min: 1, max: 4 }), mg: fc.integer({ min: 1, max: 4 }), auto: fc.constantFrom('NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
          bias: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (r) => {
          const G = r.nhwc ? 1 : r.g;
          const C = r.cg * G;
          const dims = r.dims.map((x) => ({ ...x, op: x.op % Math.max(x.s, x.d) }));
          const full = (x: (typeof dims)[number]) => x.s * (x.n - 1) + x.op + x.d * (x.k - 1) + 1;
          if (r.auto === 'NOTSET' && dims.some((x) => full(x) < x.pb + x.pe)) return;
          if ((r.auto === 'SAME_UPPER' || r.auto === 'SAME_LOWER') && dims.some((x) => full(x) < x.n * x.s)) return;
          const attrs: Case['attrs'] = {
            layout: r.nhwc ? 'NHWC' : 'NCHW', group: G, autoPad: r.auto, strides: dims.map((x) => x.s), dilations: dims.map((x) => x.d), outputPadding: dims.map((x) => x.op),
            ...(r.auto === 'NOTSET' ? { pads: [...dims.map((x) => x.pb), ...dims.map((x) => x.pe)] } : {}),
          };
          const sp = dims.map((x) => x.n);
          const ks = dims.map((x) => x.k);
          const c: Case = r.nhwc ? { x: [r.n, ...sp, C], w: [...ks, r.mg, C], bias: r.bias, attrs } : { x: [r.n, C, ...sp], w: [C, r.mg, ...ks], bias: r.bias, attrs };
          check(c, r.seed);
        },
      ),
      { numRuns: 120, seed: 777 },
    );
  });

  it('problems large enough to split across 2 threads give the same bits as 1 thread', () => {
    const big: Case[] = [
      { x: [1, 24, 24, 16], w: [3, 3, 16, 16], bias: true, attrs: { layout: 'NHWC', strides: [2, 2], outputShape: [48, 48], autoPad: 'SAME_UPPER', activation: { kind: 'relu' } } },
      { x: [1, 16, 24, 24], w: [16, 8, 4, 4], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1], group: 2 } },
    ];
    big.forEach((c, i) => {
      const d = data(c, 500 + i);
      const a = exec(rt1, c, d);
      const b = exec(rt2, c, d);
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), `case ${i}: threads 1 and 2 differ`).toBe(true);
    });
  });

  it('returns its scratch and cached packed filters to the heap', () => {
    const before = rt2.memory();
    for (const c of [CASES[0]!, CASES[3]!, CASES[10]!, CASES[14]!]) {
      const d = data(c, 1);
      const ts = [rt2.tensor(d.X, c.x), rt2.tensor(d.W, c.w), ...(d.B ? [rt2.tensor(d.B, [d.B.length])] : [])];
      for (let k = 0; k < 2; k++) rt2.run('ConvTranspose', ts, c.attrs).forEach((y) => y.dispose());
      ts.forEach((t) => t.dispose());
    }
    expect(rt2.memory().wasm.inUse).toBe(before.wasm.inUse);
    expect(rt2.memory().liveTensors).toBe(before.liveTensors);
  });

  it('bad inputs throw typed errors naming ConvTranspose and the shapes', () => {
    const bad = (xs: number[], ws: number[], attrs: ConvTransposeAttrs, code: string, text: RegExp) => {
      const ts = [rt1.tensor(new Float32Array(size(xs)), xs), rt1.tensor(new Float32Array(size(ws)), ws)];
      try {
        rt1.run('ConvTranspose', ts, attrs);
        throw new Error('expected a throw');
      } catch (e) {
        expect(e).toBeInstanceOf(TwinopsError);
        expect((e as TwinopsError).code).toBe(code);
        expect((e as Error).message).toMatch(/^ConvTranspose: /);
        expect((e as Error).message).toMatch(text);
      } finally {
        ts.forEach((t) => t.dispose());
      }
    };
    bad([1, 3, 4, 4], [2, 2, 3, 3], {}, 'SHAPE_MISMATCH', /\[1,3,4,4\].*\[2,2,3,3\]/);
    bad([1, 3, 4, 4], [3, 2, 3, 3], { group: 2 }, 'SHAPE_MISMATCH', /group/);
    bad([1, 3, 4], [3, 2, 3, 3], {}, 'RANK', /\[3,2,3,3\]/);
    bad([1, 3, 4, 4], [3, 2, 3, 3], { outputPadding: [2, 0], strides: [2, 2] }, 'ATTRIBUTE', /outputPadding/);
    bad([1, 3, 4, 4], [3, 2, 3, 3], { outputShape: [20, 20] }, 'SHAPE_MISMATCH', /larger than/);
    bad([1, 4, 4, 3], [3, 3, 2, 3], { layout: 'NHWC', group: 3 }, 'ATTRIBUTE', /group 1/);
    bad([1, 3, 2, 2], [3, 2, 3, 3], { pads: [3, 3, 3, 3] }, 'SHAPE_MISMATCH', /exceed/);
  });
});

let gpuSkip: string | undefined;
try {
  (await createRuntime({ device: 'webgpu', threads: 1 })).dispose();
} catch (e) {
  if (!(e instanceof TwinopsError && e.code === 'DEVICE')) throw e;
  gpuSkip = e.message;
  console.warn(`[conv-transpose.test] no WebGPU adapter (${gpuSkip}): skipping the WebGPU twin`);
}

describe.skipIf(gpuSkip !== undefined)('ConvTranspose (webgpu)', () => {
  let gpu: Runtime;
  beforeAll(async () => {
    gpu = await createRuntime({ device: 'webgpu', threads: 1 });
  });
  afterAll(() => gpu?.dispose());

  it('named cases and activations', async () => {
    const cases = [...CASES, ...ACTS.map((activation) => ({ ...CASES[3]!, attrs: { ...CASES[3]!.attrs, activation } }))];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const d = data(c, 300 + i);
      const ref = refConvTranspose(d.X, c.x, d.W, c.w, d.B, c.attrs);
      const ts: Tensor[] = [gpu.tensor(d.X, c.x), gpu.tensor(d.W, c.w)];
      if (d.B) ts.push(gpu.tensor(d.B, [d.B.length]));
      const [y] = gpu.run('ConvTranspose', ts, c.attrs);
      expect(y!.device).toBe('webgpu');
      expect(y!.shape).toEqual(ref.shape);
      close((await y!.data()) as Float32Array, ref, terms(c), `webgpu ConvTranspose ${JSON.stringify(c)}`);
      for (const t of [...ts, y!]) t.dispose();
    }
  });
});
