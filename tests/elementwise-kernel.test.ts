/**
 * Edge cases and accuracy of the wasm elementwise kernels (families `binary` and `unary`) against
 * float64 references: every tail length, each broadcast stride pattern, NaN/±Inf/±0/denormals, the
 * polynomial approximations over the whole float32 range (max ulp error), and bit-identical results
 * for 1 and 2 threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../core/runtime.js';
import { ARITH, COMPARE, FLOAT_ONLY, LOGICAL, refBinary, powC, type RefArith } from './reference/binary.js';
import { expectClose } from './reference/compare.js';
import { floatUnary, intUnary, sigmoid, type RefUnaryOp } from './reference/unary.js';
import { prng as rng } from './arbitraries.js';
import { broadcastShape, sizeOf } from './reference/broadcast.js';
import type { Tensor } from '../core/tensor.js';

type Rt = Awaited<ReturnType<typeof createRuntime>>;
let rt1: Rt;
let rt2: Rt;

beforeAll(async () => {
  rt1 = await createRuntime({ device: 'wasm', threads: 1 });
  rt2 = await createRuntime({ device: 'wasm', threads: 2 });
});
afterAll(() => {
  rt1?.dispose();
  rt2?.dispose();
});


const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, -2, 0.5, 3, -3, 1e-40, -1e-40, 3.4e38, -3.4e38, 1e-30, 88.5, -88.5, 100, -100];

function floats(n: number, seed: number, scale = 10): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < 0.15 ? SPECIALS[Math.floor(r() * SPECIALS.length)]! : (r() * 2 - 1) * scale;
  return out;
}

function ints(n: number, seed: number): Int32Array {
  const r = rng(seed);
  const edge = [0, 1, -1, 2, -2, 2147483647, -2147483648, 7, -7, 31, 33];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < 0.3 ? edge[Math.floor(r() * edge.length)]! : Math.floor((r() * 2 - 1) * 1000);
  return out;
}

/** A result's values as numbers (every dtype these kernels produce is a number array). */
const vals = (t: { dataSync(): unknown }) => t.dataSync() as Float32Array;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Bit-identical check by a plain loop (expect().toEqual on megabyte typed arrays takes tens of seconds). */
function expectSameBytes(a: ArrayBufferView, b: ArrayBufferView, name: string): void {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  expect(y.length, name).toBe(x.length);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  expect(i === x.length ? 'identical' : `first difference at byte ${i}: ${x[i]} vs ${y[i]}`, name).toBe('identical');
}

/** ulp of the float32 nearest to e (denormal spacing below 2^-126). */
function ulp(e: number): number {
  const a = Math.abs(Math.fround(e));
  if (a < 2 ** -126) return 2 ** -149;
  let ex = Math.floor(Math.log2(a));
  if (2 ** ex > a) ex--;
  return 2 ** (ex - 23);
}

// Pow runs in float64 inside the kernel: ≤ 1 ulp; Max/Min/Add/... are exact (one correct rounding);
// floored Mod rounds fmod(a, b) + b once; SquaredDifference rounds a − b and the square; Atan2 runs in
// float64 and rounds once.
const ARITH_RTOL: Record<RefArith, number> = { Add: 0, Sub: 0, Mul: 0, Div: 0, Pow: 2 ** -23, Max: 0, Min: 0, Mod: 2 ** -24, FloorDiv: 0, SquaredDifference: 3 * 2 ** -24 * (1 + 2 ** -24), PRelu: 0, BitShift: 0, Atan2: 2 ** -24 };

// inner-stride patterns after collapsing: (1,1) (1,0) (0,1), outer dims, scalars, odd sizes
const SHAPES: [number[], number[]][] = [
  [[1], [1]],
  [[], []],
  [[7], [7]],
  [[37], [37]],
  [[1], [13]],
  [[13], [1]],
  [[19], []],
  [[3, 5], [5]],
  [[5], [3, 5]],
  [[3, 1], [1, 4]],
  [[6, 1], [6, 9]],
  [[2, 3, 4], [3, 1]],
  [[4, 1, 3], [1, 5, 1]],
  [[2, 1, 3, 1, 5], [1, 4, 1, 2, 1]],
  [[2, 3, 2, 3, 2, 3], [3, 1, 3, 1, 3]],
  [[40, 33], [40, 1]],
];

describe('binary kernels', () => {
  for (const dtype of ['float32', 'int32'] as const) {
    for (const op of [...ARITH, ...COMPARE].filter((o) => dtype === 'float32' || !FLOAT_ONLY.includes(o))) {
      it(`${op} ${dtype}: broadcast patterns and tails match the float64 reference`, () => {
        const fn = (a: Tensor, b: Tensor) => rt1.run(op, [a, b])[0]!;
        for (const [i, [sa0, sb]] of SHAPES.entries()) {
          // PRelu's slope broadcasts to X only
          const sa = op === 'PRelu' && sa0.length >= sb.length && sizeOf(sa0) >= sizeOf(sb) ? sa0 : op === 'PRelu' ? sb : sa0;
          if (op === 'PRelu' && broadcastShape(sa, sb).join() !== sa.join()) continue;
          let av: Float32Array | Int32Array = dtype === 'float32' ? floats(size(sa), 11 + i) : ints(size(sa), 11 + i);
          const bv: Float32Array | Int32Array = dtype === 'float32' ? floats(size(sb), 97 + i) : ints(size(sb), 97 + i);
          if (dtype === 'int32' && op === 'Pow') bv.forEach((x, j) => (bv[j] = x % 40));
          if (dtype === 'float32' && op === 'Pow') av = av.map((x, j) => (j % 3 === 0 ? Math.abs(x) : x)) as Float32Array;
          const a = rt1.tensor(av, sa);
          const b = rt1.tensor(bv, sb);
          const out = fn(a, b);
          const ref = refBinary(op, dtype, av, sa, bv, sb);
          expect(out.shape).toEqual(ref.shape);
          const isCmp = (COMPARE as readonly string[]).includes(op);
          expectClose(out.dataSync() as Float32Array, ref.data, {
            op: `${op} ${dtype}`,
            shapes: [sa, sb],
            outShape: ref.shape,
            dtype: isCmp ? 'bool' : dtype,
            rtol: isCmp ? 0 : ARITH_RTOL[op as RefArith],
          });
          a.dispose();
          b.dispose();
          out.dispose();
        }
      });
    }
  }

  it('float Pow: C99 special cases', () => {
    const xs = [NaN, 1, 1, -1, -1, 0, -0, 0, -0, -0, Infinity, -Infinity, -Infinity, -Infinity, 0.5, 2, 0.5, 2, -2, -2, -2, -8, 1e-45, 10, 10];
    const ys = [0, NaN, Infinity, Infinity, -Infinity, -1, -1, 2, 3, -3, -0.5, 3, 2, -3, Infinity, -Infinity, -Infinity, Infinity, 3, 0.5, -3, 1 / 3, 2, 39, -46];
    const out = vals(rt1.pow(rt1.tensor(new Float32Array(xs), [xs.length]), rt1.tensor(new Float32Array(ys), [ys.length])));
    const want = xs.map((x, i) => powC(Math.fround(x), Math.fround(ys[i]!)));
    expectClose(out, want, { op: 'Pow specials', dtype: 'float32', rtol: 2 ** -23 });
    expect(Object.is(out[6], -Infinity)).toBe(true); // pow(-0, -1)
    expect(Object.is(out[8], -0)).toBe(true); // pow(-0, 3)
  });

  it('int32 Div truncates toward zero, x/0 = 0, INT_MIN/-1 wraps', () => {
    const a = new Int32Array([7, -7, 7, -7, 5, -2147483648, -2147483648, 0, 1]);
    const b = new Int32Array([2, 2, -2, -2, 0, -1, 1, 0, 3]);
    const out = vals(rt1.div(rt1.tensor(a, [9]), rt1.tensor(b, [9])));
    expect(Array.from(out)).toEqual([3, -3, -3, 3, 0, -2147483648, -2147483648, 0, 0]);
  });

  it('Max/Min propagate NaN, comparisons with NaN are false', () => {
    const a = rt1.tensor(new Float32Array([NaN, 1, NaN, -0, 0]), [5]);
    const b = rt1.tensor(new Float32Array([1, NaN, NaN, 0, -0]), [5]);
    expect(Array.from(vals(rt1.max(a, b))).slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(Array.from(vals(rt1.min(a, b))).slice(0, 3).every(Number.isNaN)).toBe(true);
    for (const op of ['equal', 'greater', 'greaterOrEqual', 'less', 'lessOrEqual'] as const) {
      expect(Array.from(vals(rt1[op](a, b))).slice(0, 3)).toEqual([0, 0, 0]);
    }
    expect(Array.from(vals(rt1.equal(a, b))).slice(3)).toEqual([1, 1]);
  });
});

const UNARY_F: RefUnaryOp[] = ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Gelu', 'Clip'];

/** Runs a unary op through the runtime's public method, or by name where it has none yet. */
function unary(rt: Rt, op: RefUnaryOp, x: unknown, attrs: Record<string, unknown> = {}) {
  const name = op === 'LeakyRelu' ? 'leakyRelu' : op[0]!.toLowerCase() + op.slice(1);
  const m = (rt as any)[name];
  return (typeof m === 'function' ? m.call(rt, x, attrs) : rt.run(op, [x as Tensor], attrs)[0]!) as { dataSync(): ArrayLike<number>; dispose(): void };
}

/**
 * Accuracy bounds in ulp (measured maxima, relaxed SIMD, in comments). Expm1 1.43, Elu 1.22, Celu 1.17,
 * Selu 2.08 (gamma·alpha rounded once more), Log1p 2.26, Softplus 2.57, Mish 3.31 (tanh of softplus),
 * Softsign 1.45 and Rsqrt 1.46 (two correctly rounded steps), Sin/Cos 0.50 on |x| < 1.6e6.
 */
const ULP_BOUND: Partial<Record<RefUnaryOp, number>> = {
  Exp: 1.5, Log: 1.5, Sigmoid: 3, Tanh: 2, Erf: 3, Gelu: 7, Sqrt: 0.5,
  Expm1: 2, Elu: 2, Celu: 2, Selu: 3, Log1p: 3, Softplus: 3.5, Mish: 4.5, Softsign: 2, Rsqrt: 2,
  // float64 inside, rounded once (measured 0.50)
  Sin: 0.51, Cos: 0.51, Tan: 0.51,
  // from expm1/exp and log1p/log (measured 2.59, 2.63, 2.60, 2.28, 2.81)
  Sinh: 3.5, Cosh: 3.5, Asinh: 3.5, Acosh: 3, Atanh: 3.5,
  // float64 inside, rounded once (measured 0.50)
  Atan: 0.51, Asin: 0.51, Acos: 0.51,
};

describe('unary kernels', () => {
  for (const op of UNARY_F) {
    const attrs = op === 'LeakyRelu' ? { alpha: 0.1 } : op === 'Clip' ? { min: -2.5, max: 4 } : {};
    it(`${op} float32: every tail length, specials`, () => {
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33]) {
        const xv = floats(n, 1000 + n, 30);
        const x = rt1.tensor(xv, [n]);
        const y = unary(rt1, op, x, attrs);
        const want = Array.from(xv, (v) => floatUnary(op, v, attrs));
        expectClose(y.dataSync(), want, { op, dtype: 'float32', rtol: 8 * 2 ** -24, atol: 1e-43, alt: op === 'Gelu' ? [Array.from(xv, (v) => (v === -Infinity ? 0 : NaN))] : undefined });
        x.dispose();
        y.dispose();
      }
    });
  }

  it('special values: NaN in, NaN out; overflow and underflow', () => {
    const xs = new Float32Array([NaN, Infinity, -Infinity, 0, -0, -1, 89, 88.7, -87.5, -103, -104, 1e-45, 1e-40, -1e-40, 100, -100]);
    const x = rt1.tensor(xs, [xs.length]);
    const exp = vals(rt1.exp(x));
    expect(Number.isNaN(exp[0]!)).toBe(true);
    expect([exp[1], exp[2], exp[6], exp[14]]).toEqual([Infinity, 0, Infinity, Infinity]);
    expect(Math.abs(exp[15]! - Math.exp(-100))).toBeLessThanOrEqual(2 ** -149); // denormal
    expect(Math.abs(exp[7]! / Math.exp(Math.fround(88.7)) - 1)).toBeLessThan(1e-6); // finite, just below FLT_MAX
    expect(exp[9]).toBeGreaterThan(0); // denormal, not flushed
    expect(exp[10]).toBe(0); // exp(-104) < 2^-150
    const log = vals(rt1.log(x));
    expect([log[1], log[3], log[4]]).toEqual([Infinity, -Infinity, -Infinity]);
    expect([log[0], log[2], log[5], log[13]].every(Number.isNaN)).toBe(true);
    expect(log[11]).toBeCloseTo(Math.log(Math.fround(1e-45)), 4);
    expect(log[12]).toBeCloseTo(Math.log(Math.fround(1e-40)), 4);
    expect(Number.isNaN(vals(rt1.sqrt(x))[5]!)).toBe(true);
    const tanh = vals(rt1.tanh(x));
    expect([tanh[1], tanh[2], tanh[14], tanh[15]]).toEqual([1, -1, 1, -1]);
    const sig = vals(rt1.sigmoid(x));
    expect([sig[1], sig[2], sig[14]]).toEqual([1, 0, 1]);
    expect(sig[15]).toBeGreaterThan(0); // sigmoid(-100) = 3.7e-44: tiny, not 0 or NaN
    expect(Math.abs(sig[15]! - sigmoid(-100))).toBeLessThanOrEqual(2 ** -149);
    for (const op of UNARY_F) expect(Number.isNaN(unary(rt1, op, x, op === 'Clip' ? { min: 0, max: 1 } : {}).dataSync()[0]!), op).toBe(true);
    x.dispose();
  });

  /** Dense sweep of the domain: uniform values plus random float32 bit patterns inside it. */
  function sweep(lo: number, hi: number, n: number, seed: number): Float32Array {
    const r = rng(seed);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(lo + (hi - lo) * r());
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    while (out.length < 2 * n) {
      u[0] = Math.floor(r() * 2 ** 32);
      if (f[0]! >= lo && f[0]! <= hi) out.push(f[0]!);
    }
    return new Float32Array(out);
  }

  const RANGES: [RefUnaryOp, number, number, Record<string, unknown>][] = [
    ['Exp', -110, 95, {}],
    ['Log', 0, 3.4e38, {}],
    ['Sigmoid', -120, 120, {}],
    ['Tanh', -20, 20, {}],
    ['Erf', -6, 6, {}],
    ['Gelu', -12.5, 15, {}],
    ['Sqrt', 0, 3.4e38, {}],
    ['Expm1', -20, 89, {}],
    ['Elu', -20, 20, {}],
    ['Celu', -20, 20, { alpha: 0.5 }],
    ['Selu', -20, 20, {}],
    ['Log1p', -1, 3.4e38, {}],
    ['Softplus', -120, 120, {}],
    ['Mish', -40, 40, {}],
    ['Softsign', -3.4e38, 3.4e38, {}],
    ['Rsqrt', 0, 3.4e38, {}],
    ['Sin', -1.6e6, 1.6e6, {}],
    ['Cos', -1.6e6, 1.6e6, {}],
    ['Tan', -1e5, 1e5, {}],
    ['Sinh', -89, 89, {}],
    ['Cosh', -89, 89, {}],
    ['Asinh', -1e30, 1e30, {}],
    ['Acosh', 1, 1e30, {}],
    ['Atanh', -1, 1, {}],
    ['Atan', -1e4, 1e4, {}],
    ['Asin', -1, 1, {}],
    ['Acos', -1, 1, {}],
  ];
  for (const [op, lo, hi, attrs] of RANGES) {
    it(`${op}: max error over [${lo}, ${hi}] ≤ ${ULP_BOUND[op]} ulp`, () => {
      const xv = sweep(lo, hi, 100_000, 7);
      const x = rt1.tensor(xv, [xv.length]);
      const y = unary(rt1, op, x, attrs).dataSync();
      let worst = 0;
      let at = 0;
      for (let i = 0; i < xv.length; i++) {
        const e = floatUnary(op, xv[i]!, attrs);
        if (!Number.isFinite(Math.fround(e))) {
          expect(y[i], `${op}(${xv[i]})`).toBe(Math.fround(e));
          continue;
        }
        const u = Math.abs(y[i]! - e) / ulp(e);
        if (u > worst) [worst, at] = [u, xv[i]!];
      }
      console.log(`${op}: max ${worst.toFixed(2)} ulp (at x = ${at})`);
      expect(worst, `${op} worst at x = ${at}`).toBeLessThanOrEqual(ULP_BOUND[op]!);
      x.dispose();
    });
  }

  it("Gelu 'tanh' keeps relative accuracy in the negative tail", () => {
    const xv = sweep(-12, 12, 50_000, 3);
    const y = vals(rt1.gelu(rt1.tensor(xv, [xv.length]), { approximate: 'tanh' }));
    // x·sigmoid(2z) is the same function as ½x(1+tanh z) without its cancellation for x < 0
    const z = Array.from(xv, (v) => 2 * 0.7978845608028654 * (v + 0.044715 * v * v * v));
    const want = z.map((t, i) => xv[i]! * sigmoid(t));
    // the float32 argument 2z carries ~2 ulp, which e^{2z} turns into a relative error of ~|2z|·2^-23
    expectClose(y, want, { op: 'Gelu tanh', dtype: 'float32', rtol: 6 * 2 ** -24, atol: 1e-44, atolPer: want.map((w, i) => (Math.abs(w * z[i]!) * 3) / 2 ** 23) });
  });

  for (const op of ['Relu', 'Abs', 'Neg', 'Clip'] as const) {
    it(`${op} int32`, () => {
      for (const attrs of op === 'Clip' ? [{ min: -5, max: 9 }, { min: -2.5, max: 3.5 }, {}, { min: 3, max: -3 }] : [{}]) {
        const xv = ints(37, 5);
        const y = unary(rt1, op, rt1.tensor(xv, [37]), attrs).dataSync();
        expect(Array.from(y), `${op} ${JSON.stringify(attrs)}`).toEqual(Array.from(xv, (v) => intUnary(op, v, attrs) | 0));
      }
    });
  }
});

describe('threads', () => {
  it('1 and 2 threads give bit-identical results', () => {
    const n = 300_001;
    const xv = floats(n, 42, 50);
    const bv = floats(1001, 43);
    const check = (f: (rt: Rt) => { dataSync(): unknown }, name: string) => {
      const a = vals(f(rt1));
      const b = vals(f(rt2));
      expectSameBytes(a, b, name);
    };
    expect(rt2.info().threads).toBe(2);
    check((rt) => rt.add(rt.tensor(xv, [n]), rt.tensor(xv, [n])), 'Add');
    check((rt) => rt.mul(rt.tensor(xv.subarray(0, 299 * 1001), [299, 1001]), rt.tensor(bv, [1001])), 'Mul broadcast');
    check((rt) => rt.less(rt.tensor(xv, [n]), rt.tensor(new Float32Array([0.5]), [])), 'Less');
    check((rt) => rt.pow(rt.tensor(xv, [n]), rt.tensor(new Float32Array([3]), [1])), 'Pow');
    for (const op of ['Exp', 'Tanh', 'Gelu', 'Relu'] as const) check((rt) => unary(rt, op, rt.tensor(xv, [n])), op);
  });
});

/** The ops added after the first set (ops/unary.ts), with attributes that move them off their defaults. */
const LATER_UNARY: [RefUnaryOp, Record<string, unknown>][] = [
  ['Floor', {}], ['Ceil', {}], ['Round', {}], ['Reciprocal', {}], ['Square', {}], ['Rsqrt', {}], ['Sign', {}], ['Relu6', {}],
  ['Elu', { alpha: 0.7 }], ['Selu', {}], ['Celu', { alpha: 2 }], ['HardSigmoid', { alpha: 0.3, beta: 0.4 }], ['HardSwish', {}],
  ['Softplus', {}], ['Softsign', {}], ['Expm1', {}], ['Log1p', {}], ['Mish', {}], ['ThresholdedRelu', { alpha: 0.5 }],
  ['Shrink', { bias: 0.25, lambd: 1 }], ['Step', { alpha: -0.5 }], ['IsNaN', {}], ['IsInf', {}], ['IsInf', { detect_negative: 0 }],
  ['Sin', {}], ['Cos', {}], ['Tan', {}], ['Sinh', {}], ['Cosh', {}], ['Asinh', {}], ['Acosh', {}], ['Atanh', {}],
  ['Atan', {}], ['Asin', {}], ['Acos', {}],
];

describe('unary kernels added after the first set', () => {
  for (const [op, attrs] of LATER_UNARY) {
    it(`${op} ${JSON.stringify(attrs)}: every tail length, specials`, () => {
      const bool = op === 'IsNaN' || op === 'IsInf';
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 63, 64, 65]) {
        const xv = floats(n, 2000 + n, 30);
        xv[0] = [NaN, Infinity, -Infinity, 2.5, -0.5][n % 5]!; // ties for Round, specials in the tails
        const x = rt1.tensor(xv, [n]);
        const y = unary(rt1, op, x, attrs);
        const want = Array.from(xv, (v) => floatUnary(op, v, attrs));
        // 8 ulp for the exp/log-based ops (measured ≤ 3.3); HardSigmoid/HardSwish: 4u·(|αx| + |β|) absolute
        // (alpha, beta, the product and the sum rounded; HardSwish also × |x| then rounded)
        const hard = op === 'HardSigmoid' || op === 'HardSwish';
        const atolPer = hard ? Array.from(xv, (v) => 4 * 2 ** -24 * (Math.abs(v * ((attrs.alpha as number) ?? 1 / 6)) + ((attrs.beta as number) ?? 0.5)) * (op === 'HardSwish' ? Math.abs(v) : 1)) : undefined;
        expectClose(y.dataSync(), want, {
          op: `${op} n=${n}`,
          dtype: bool ? 'bool' : 'float32',
          rtol: 8 * 2 ** -24,
          atol: 1e-43,
          atolPer,
          alt: op === 'HardSwish' || op === 'Mish' ? [Array.from(xv, (v) => (v === -Infinity ? 0 : NaN))]
            : op === 'Sin' || op === 'Cos' || op === 'Tan' ? [Array.from(xv, (v, i) => (Math.abs(v) > 2 ** 29 ? NaN : want[i]!))] : undefined,
        });
        x.dispose();
        y.dispose();
      }
    });
  }

  it('NaN and infinities: Round half to even, Sign, IsInf flags, the ONNX formulas of ThresholdedRelu/Shrink', () => {
    const xs = new Float32Array([NaN, Infinity, -Infinity, 0, -0, 0.5, 1.5, 2.5, -0.5, -2.5, 1e-45, -1e-45, 8388609, 3.4e38]);
    const x = rt1.tensor(xs, [xs.length]);
    const get = (op: RefUnaryOp, attrs: Record<string, unknown> = {}) => Array.from(unary(rt1, op, x, attrs).dataSync());
    expect(get('Round').slice(3)).toEqual([0, -0, 0, 2, 2, -0, -2, 0, -0, 8388609, 3.4e38].map(Math.fround));
    expect(get('Sign').slice(1)).toEqual([1, -1, 0, -0, 1, 1, 1, -1, -1, 1, -1, 1, 1]);
    expect(get('IsNaN')).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(get('IsInf').slice(0, 4)).toEqual([0, 1, 1, 0]);
    expect(get('IsInf', { detect_positive: 0 }).slice(0, 4)).toEqual([0, 0, 1, 0]);
    expect(get('ThresholdedRelu')[0]).toBe(0); // ONNX: NaN > alpha is false
    expect(get('Shrink')[0]).toBe(0);
    expect(get('Reciprocal').slice(1, 5)).toEqual([0, -0, Infinity, -Infinity]);
    expect(get('Softsign').slice(1, 3)).toEqual([1, -1]);
    expect(get('Softplus').slice(1, 3)).toEqual([Infinity, 0]);
    expect(get('Expm1').slice(1, 3)).toEqual([Infinity, -1]);
    expect(get('Log1p').slice(1, 2)).toEqual([Infinity]);
    expect(get('Sin').slice(1, 3).every(Number.isNaN)).toBe(true);
    expect(get('Cos')[13]).toBeNaN(); // 3.4e38: past the documented domain |x| ≤ 2^29
    expect(get('Sinh').slice(1, 3)).toEqual([Infinity, -Infinity]);
    expect(get('Cosh').slice(1, 3)).toEqual([Infinity, Infinity]);
    expect(get('Asinh').slice(1, 3)).toEqual([Infinity, -Infinity]);
    expect(get('Asinh')[13]).toBeCloseTo(Math.asinh(Math.fround(3.4e38)), 4);
    expect(get('Acosh')[1]).toBe(Infinity);
    expect(get('Acosh')[3]).toBeNaN();
    expect(get('Atan').slice(1, 5)).toEqual([Math.PI / 2, -Math.PI / 2, 0, -0].map(Math.fround));
    expect(Array.from(unary(rt1, 'Acos', rt1.tensor(new Float32Array([1, -1, 0, -0, 1.5]), [5])).dataSync())).toEqual([0, Math.PI, Math.PI / 2, Math.PI / 2, NaN].map(Math.fround));
    expect(Array.from(unary(rt1, 'Asin', rt1.tensor(new Float32Array([1, -1, -0, -1.5]), [4])).dataSync())).toEqual([Math.PI / 2, -Math.PI / 2, -0, NaN].map(Math.fround));
    expect(Array.from(unary(rt1, 'Atanh', rt1.tensor(new Float32Array([1, -1, 1.5, -0]), [4])).dataSync())).toEqual([Infinity, -Infinity, NaN, -0]);
    // inside the domain, large arguments keep absolute accuracy |x|·2^-52 (and 355 ≈ 113π reduces exactly)
    const big = [2 ** 29, 1e8, 355, -3e6];
    const sb = unary(rt1, 'Sin', rt1.tensor(new Float32Array(big), [4])).dataSync();
    big.forEach((v, i) => expect(Math.abs(sb[i]! - Math.sin(v)), `sin(${v})`).toBeLessThanOrEqual(Math.abs(v) * 2 ** -52 + 2 ** -25));
    for (const op of ['Atan', 'Asin', 'Acos', 'Sin', 'Cos', 'Tan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'Sign', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign', 'Expm1', 'Log1p', 'Mish', 'Step', 'Relu6', 'Square', 'Rsqrt'] as const) {
      expect(Number.isNaN(get(op)[0]!), op).toBe(true);
    }
    x.dispose();
  });

  it('int32 Sign and Square (wrapping), bool Not at every tail length', () => {
    const xv = ints(37, 8);
    expect(Array.from(unary(rt1, 'Sign', rt1.tensor(xv, [37])).dataSync())).toEqual(Array.from(xv, (v) => intUnary('Sign', v)));
    expect(Array.from(unary(rt1, 'Square', rt1.tensor(xv, [37])).dataSync())).toEqual(Array.from(xv, (v) => intUnary('Square', v)));
    for (const n of [1, 3, 15, 16, 17, 33, 64, 65]) {
      const bv = Uint8Array.from({ length: n }, (_, i) => [0, 1, 7, 255, 0][i % 5]!);
      const y = rt1.run('Not', [rt1.tensor(bv, [n], 'bool')])[0]!;
      expect(y.dtype).toBe('bool');
      expect(Array.from(y.dataSync() as Uint8Array)).toEqual(Array.from(bv, (v) => (v === 0 ? 1 : 0)));
    }
  });

  it('contract errors name the op and the offending dtype or attribute', () => {
    expect(() => rt1.run('Floor', [rt1.tensor(new Int32Array(2), [2])])).toThrow(/Floor.*int32/);
    expect(() => rt1.run('Not', [rt1.tensor(new Float32Array(2), [2])])).toThrow(/Not.*float32/);
    expect(() => rt1.run('Celu', [rt1.tensor(new Float32Array(2), [2])], { alpha: 0 })).toThrow(/Celu.*alpha/);
    expect(() => rt1.run('Elu', [rt1.tensor(new Float32Array(2), [2])], { alpha: NaN })).toThrow(/Elu.*alpha/);
    expect(() => rt1.run('Shrink', [rt1.tensor(new Float32Array(2), [2])], { lambd: -1 })).toThrow(/Shrink.*lambd/);
  });
});

describe('binary kernels added after the first set', () => {
  const run = (op: string, a: Float32Array | Int32Array, b: Float32Array | Int32Array, attrs: object = {}) =>
    Array.from(vals(rt1.run(op, [rt1.tensor(a, [a.length]), rt1.tensor(b, [b.length])], attrs)[0]!));

  it('float Mod: C fmod is exact at any quotient; floored mod takes the divisor sign', () => {
    const a = new Float32Array([3.4e38, 3.4e38, 1e-45, -7, 7, -7, 7, 5.5, -0, 0, Infinity, 1, 1, -1, 6, -1e-30]);
    const b = new Float32Array([1e-45, 3, 3, 3, -3, -3, 3, Infinity, 2, -2, 2, 0, NaN, Infinity, 3, 1]);
    const c = run('Mod', a, b, { fmod: 1 });
    expect(c).toEqual(Array.from(a, (x, i) => Math.fround(x % b[i]!)));
    expect(Object.is(c[8], -0)).toBe(true);
    const f = run('Mod', a, b);
    const want = Array.from(a, (x, i) => {
      const y = b[i]!;
      const r = x % y;
      return Number.isNaN(r) ? NaN : r === 0 ? (y < 0 ? -0 : 0) : r < 0 !== y < 0 ? Math.fround(r + y) : r;
    });
    expect(f).toEqual(want);
    expect(f.slice(3, 7)).toEqual([2, -2, -1, 1]);
    expect(f[13]).toBe(Infinity); // -1 mod +Inf (numpy, Python)
    expect(f[15]).toBe(1); // -1e-30 + 1 rounds to 1 (numpy too)
    expect(Object.is(f[9], -0)).toBe(true);
  });

  it('Atan2: C99 special cases (signed zeros, infinities), int32 rejected', () => {
    const ys = [0, -0, 0, -0, 1, -1, Infinity, -Infinity, Infinity, 1, 1, NaN, 3, -3];
    const xs = [0, 0, -0, -0, Infinity, -Infinity, Infinity, -Infinity, 2, 0, -0, 1, -4, -4];
    const got = run('Atan2', new Float32Array(ys), new Float32Array(xs));
    expect(got).toEqual(ys.map((y, i) => Math.fround(Math.atan2(y, xs[i]!))));
    expect(Object.is(got[1], -0)).toBe(true);
    expect(() => run('Atan2', new Int32Array(2), new Int32Array(2))).toThrow(/Atan2.*int32/);
  });

  it('int32 Mod, FloorDiv: signs, zero divisors, INT32_MIN', () => {
    const a = new Int32Array([7, -7, 7, -7, 5, -2147483648, -2147483648, 0, 6]);
    const b = new Int32Array([3, 3, -3, -3, 0, -1, 3, 0, -3]);
    expect(run('Mod', a, b)).toEqual([1, 2, -2, -1, 0, 0, 1, 0, 0]);
    expect(run('Mod', a, b, { fmod: 1 })).toEqual([1, -1, 1, -1, 0, 0, -2, 0, 0]);
    expect(run('FloorDiv', a, b)).toEqual([2, -3, -3, 2, 0, -2147483648, -715827883, 0, -2]);
  });

  it('BitShift int32 as uint32 bits; amounts outside [0, 31] give 0', () => {
    const a = new Int32Array([1, -1, -2147483648, 5, 5, 5]);
    const b = new Int32Array([31, 1, 31, 32, -1, 0]);
    expect(run('BitShift', a, b, { direction: 'LEFT' })).toEqual([-2147483648, -2, 0, 0, 0, 5]);
    expect(run('BitShift', a, b, { direction: 'RIGHT' })).toEqual([0, 2147483647, 1, 0, 0, 5]);
    expect(() => run('BitShift', a, b)).toThrow(/BitShift.*direction/);
  });

  it('PRelu: slope broadcasts to X only; NotEqual is true for NaN', () => {
    const x = rt1.tensor(new Float32Array([-2, 3, NaN, -0, -Infinity, 1]), [2, 3]);
    const s = rt1.tensor(new Float32Array([0.5, -1, 2]), [3]);
    expect(Array.from(vals(rt1.run('PRelu', [x, s])[0]!))).toEqual([-1, 3, NaN, -0, Infinity, 1]);
    expect(() => rt1.run('PRelu', [s, x])).toThrow(/PRelu.*\[3\].*\[2,\s*3\]|PRelu.*\[2,\s*3\]/);
    expect(Array.from(vals(rt1.run('NotEqual', [x, x])[0]!))).toEqual([0, 0, 1, 0, 0, 0]);
  });

  for (const op of LOGICAL) {
    it(`${op} bool: broadcast patterns and tails, any non-zero byte is true`, () => {
      for (const [i, [sa, sb]] of SHAPES.entries()) {
        const r = rng(300 + i);
        const mk = (s: number[]) => Uint8Array.from({ length: size(s) }, () => [0, 1, 1, 0, 9][Math.floor(r() * 5)]!);
        const av = mk(sa);
        const bv = mk(sb);
        const out = rt1.run(op, [rt1.tensor(av, sa, 'bool'), rt1.tensor(bv, sb, 'bool')])[0]!;
        const ref = refBinary(op, 'bool', av, sa, bv, sb);
        expect(out.dtype).toBe('bool');
        expect(Array.from(out.dataSync() as Uint8Array), `${op} ${JSON.stringify([sa, sb])}`).toEqual(Array.from(ref.data));
      }
    });
  }
});

describe('threads (ops added after the first set)', () => {
  it('1 and 2 threads give bit-identical results', () => {
    const n = 300_001;
    const xv = floats(n, 44, 50);
    const bv = floats(1001, 45);
    const check = (f: (rt: Rt) => { dataSync(): unknown }, name: string) => {
      const a = vals(f(rt1));
      const b = vals(f(rt2));
      expectSameBytes(a, b, name);
    };
    for (const op of ['Elu', 'Softplus', 'Mish', 'Log1p', 'Round', 'IsNaN', 'HardSwish'] as const) check((rt) => unary(rt, op, rt.tensor(xv, [n])), op);
    check((rt) => rt.run('Mod', [rt.tensor(xv.subarray(0, 299 * 1001), [299, 1001]), rt.tensor(bv, [1001])])[0]!, 'Mod');
    check((rt) => rt.run('PRelu', [rt.tensor(xv.subarray(0, 299 * 1001), [299, 1001]), rt.tensor(bv, [1001])])[0]!, 'PRelu');
  });
});
