/**
 * Edge cases and accuracy of the wasm elementwise kernels (families `binary` and `unary`) against
 * float64 references: every tail length, each broadcast stride pattern, NaN/±Inf/±0/denormals, the
 * polynomial approximations over the whole float32 range (max ulp error), and bit-identical results
 * for 1 and 2 threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../core/runtime.js';
import { ARITH, COMPARE, refBinary, powC, type RefArith } from './reference/binary.js';
import { expectClose } from './reference/compare.js';
import { floatUnary, intUnary, sigmoid, type RefUnaryOp } from './reference/unary.js';
import { prng as rng } from './arbitraries.js';

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

/** ulp of the float32 nearest to e (denormal spacing below 2^-126). */
function ulp(e: number): number {
  const a = Math.abs(Math.fround(e));
  if (a < 2 ** -126) return 2 ** -149;
  let ex = Math.floor(Math.log2(a));
  if (2 ** ex > a) ex--;
  return 2 ** (ex - 23);
}

// Pow runs in float64 inside the kernel: ≤ 1 ulp; Max/Min/Add/... are exact.
const ARITH_RTOL: Record<RefArith, number> = { Add: 0, Sub: 0, Mul: 0, Div: 0, Pow: 2 ** -23, Max: 0, Min: 0 };

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
    for (const op of [...ARITH, ...COMPARE]) {
      it(`${op} ${dtype}: broadcast patterns and tails match the float64 reference`, () => {
        const fn = (rt1 as any)[op[0]!.toLowerCase() + op.slice(1)] as (a: unknown, b: unknown) => { dataSync(): ArrayLike<number>; shape: readonly number[]; dispose(): void };
        for (const [i, [sa, sb]] of SHAPES.entries()) {
          let av: Float32Array | Int32Array = dtype === 'float32' ? floats(size(sa), 11 + i) : ints(size(sa), 11 + i);
          const bv: Float32Array | Int32Array = dtype === 'float32' ? floats(size(sb), 97 + i) : ints(size(sb), 97 + i);
          if (dtype === 'int32' && op === 'Pow') bv.forEach((x, j) => (bv[j] = x % 40));
          if (dtype === 'float32' && op === 'Pow') av = av.map((x, j) => (j % 3 === 0 ? Math.abs(x) : x)) as Float32Array;
          const a = rt1.tensor(av, sa);
          const b = rt1.tensor(bv, sb);
          const out = fn.call(rt1, a, b);
          const ref = refBinary(op, dtype, av, sa, bv, sb);
          expect(out.shape).toEqual(ref.shape);
          const isCmp = (COMPARE as readonly string[]).includes(op);
          expectClose(out.dataSync(), ref.data, {
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

/** Runs a unary op by name through the runtime's public method. */
function unary(rt: Rt, op: RefUnaryOp, x: unknown, attrs: Record<string, unknown> = {}) {
  const name = op === 'LeakyRelu' ? 'leakyRelu' : op[0]!.toLowerCase() + op.slice(1);
  return (rt as any)[name](x, attrs) as { dataSync(): ArrayLike<number>; dispose(): void };
}

/** Accuracy bounds in ulp (measured maxima in comments; relaxed and plain SIMD alike). */
const ULP_BOUND: Partial<Record<RefUnaryOp, number>> = { Exp: 1.5, Log: 1.5, Sigmoid: 3, Tanh: 2, Erf: 3, Gelu: 7, Sqrt: 0.5 };

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
      expect(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), name).toEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    };
    expect(rt2.info().threads).toBe(2);
    check((rt) => rt.add(rt.tensor(xv, [n]), rt.tensor(xv, [n])), 'Add');
    check((rt) => rt.mul(rt.tensor(xv.subarray(0, 299 * 1001), [299, 1001]), rt.tensor(bv, [1001])), 'Mul broadcast');
    check((rt) => rt.less(rt.tensor(xv, [n]), rt.tensor(new Float32Array([0.5]), [])), 'Less');
    check((rt) => rt.pow(rt.tensor(xv, [n]), rt.tensor(new Float32Array([3]), [1])), 'Pow');
    for (const op of ['Exp', 'Tanh', 'Gelu', 'Relu'] as const) check((rt) => unary(rt, op, rt.tensor(xv, [n])), op);
  });
});
