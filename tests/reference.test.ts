/** Unit tests of the float64 references themselves, against known values (mpmath at 40 digits, numpy). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { broadcastShape, tryBroadcastShape, broadcastIndexMaps, unravel } from './reference/broadcast.js';
import { refBinary, intPow, powC, intBinary } from './reference/binary.js';
import { erf, erfc, geluExact, geluTanh, refUnary, sigmoid, activate } from './reference/unary.js';
import { refMatMul, refGemm, matmulShape } from './reference/matmul.js';
import { refSoftmax } from './reference/softmax.js';
import { compareArrays, expectBitIdentical } from './reference/compare.js';

function relErr(a: number, e: number): number {
  return e === 0 ? Math.abs(a) : Math.abs(a - e) / Math.abs(e);
}

describe('reference: broadcasting', () => {
  it('matches numpy.broadcast_shapes', () => {
    expect(broadcastShape([5, 1, 4], [3, 1])).toEqual([5, 3, 4]);
    expect(broadcastShape([0, 1], [1, 5])).toEqual([0, 5]);
    expect(broadcastShape([], [2, 0])).toEqual([2, 0]);
    expect(broadcastShape([], [])).toEqual([]);
    expect(tryBroadcastShape([0], [2])).toBeUndefined();
    expect(tryBroadcastShape([3], [4])).toBeUndefined();
    expect(tryBroadcastShape([2, 1], [8, 4, 3])).toBeUndefined();
  });
  it('index maps', () => {
    const [ia, ib] = broadcastIndexMaps([2, 3], [2, 3], [3]);
    expect(Array.from(ia!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(ib!)).toEqual([0, 1, 2, 0, 1, 2]);
    const [ic, id] = broadcastIndexMaps([3, 4], [3, 1], [1, 4]);
    expect(Array.from(ic!)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(id!)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
  });
  it('numpy examples: a[2,3] + b[3], c[3,1] * d[1,4]', () => {
    const r = refBinary('Add', 'float32', [0, 1, 2, 3, 4, 5], [2, 3], [10, 20, 30], [3]);
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data)).toEqual([10, 21, 32, 13, 24, 35]);
    const m = refBinary('Mul', 'float32', [0, 1, 2], [3, 1], [0, 1, 2, 3], [1, 4]);
    expect(Array.from(m.data)).toEqual([0, 0, 0, 0, 0, 1, 2, 3, 0, 2, 4, 6]);
    const z = refBinary('Sub', 'float32', [], [0, 3], [1, 2, 3], [3]);
    expect(z.shape).toEqual([0, 3]);
    expect(z.data.length).toBe(0);
  });
  it('broadcast result equals the explicit loop (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (p, q, r) => {
        const a = Array.from({ length: p * 1 * r }, (_, i) => i);
        const b = Array.from({ length: q * 1 }, (_, i) => 100 * i);
        const out = refBinary('Add', 'float32', a, [p, 1, r], b, [q, 1]).data;
        for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) for (let k = 0; k < r; k++) {
          expect(out[(i * q + j) * r + k]).toBe(a[i * r + k]! + b[j]!);
        }
      }),
    );
  });
});

describe('reference: binary semantics', () => {
  it('int32 wrapping, truncating division, division by zero', () => {
    const MIN = -2147483648;
    const MAX = 2147483647;
    expect(intBinary('Add', MAX, 1)).toBe(MIN);
    expect(intBinary('Sub', MIN, 1)).toBe(MAX);
    expect(intBinary('Mul', 65536, 65536)).toBe(0);
    expect(intBinary('Mul', MAX, 2)).toBe(-2);
    expect(intBinary('Div', -7, 2)).toBe(-3);
    expect(intBinary('Div', 7, -2)).toBe(-3);
    expect(intBinary('Div', 5, 0)).toBe(0);
    expect(intBinary('Div', MIN, -1)).toBe(MIN);
    expect(intBinary('Div', MIN, 1)).toBe(MIN);
    expect(intBinary('Div', MAX, MIN)).toBe(0);
  });
  it('int32 pow', () => {
    expect(intPow(3, 4)).toBe(81);
    expect(intPow(-2, 31)).toBe(-2147483648);
    expect(intPow(2, 32)).toBe(0);
    expect(intPow(3, 40)).toBe(Number(BigInt.asIntN(32, 3n ** 40n)));
    expect(intPow(7, 0)).toBe(1);
    expect(intPow(0, 0)).toBe(1);
    expect(intPow(1, -5)).toBe(1);
    expect(intPow(-1, -3)).toBe(-1);
    expect(intPow(-1, -4)).toBe(1);
    expect(intPow(2, -1)).toBe(0);
    expect(intPow(0, -1)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 70 }), (b, e) => {
        expect(intPow(b, e)).toBe(Number(BigInt.asIntN(32, BigInt(b) ** BigInt(e))));
      }),
    );
  });
  it('float pow follows C99 / numpy', () => {
    expect(powC(1, NaN)).toBe(1);
    expect(powC(-1, Infinity)).toBe(1);
    expect(powC(NaN, 0)).toBe(1);
    expect(powC(-8, 1 / 3)).toBeNaN();
    expect(powC(-2, 3)).toBe(-8);
    expect(powC(0, -1)).toBe(Infinity);
    expect(powC(-0, -1)).toBe(-Infinity);
  });
  it('NaN propagation and comparisons', () => {
    const mx = refBinary('Max', 'float32', [NaN, 1, 2], [3], [0, NaN, -Infinity], [3]).data;
    expect(Number.isNaN(mx[0]!)).toBe(true);
    expect(Number.isNaN(mx[1]!)).toBe(true);
    expect(mx[2]).toBe(2);
    const eq = refBinary('Equal', 'float32', [NaN, 0, -0], [3], [NaN, -0, 0], [3]).data;
    expect(Array.from(eq)).toEqual([0, 1, 1]);
    const ge = refBinary('GreaterOrEqual', 'float32', [NaN, 1, Infinity], [3], [1, 1, Infinity], [3]).data;
    expect(ge).toBeInstanceOf(Uint8Array);
    expect(Array.from(ge)).toEqual([0, 1, 1]);
  });
});

describe('reference: erf / erfc / gelu', () => {
  // [x, erf(x), erfc(x)] from mpmath at 40 significant digits.
  const table: [number, number, number][] = [
    [1e-300, 1.1283791670955126e-300, 1.0],
    [1e-10, 1.1283791670955126e-10, 0.999999999887162],
    [0.001, 0.0011283787909692365, 0.9988716212090307],
    [0.1, 0.1124629160182849, 0.887537083981715],
    [0.3, 0.3286267594591274, 0.6713732405408726],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [0.9, 0.7969082124228322, 0.20309178757716786],
    [1, 0.8427007929497149, 0.15729920705028513],
    [1.5, 0.9661051464753108, 0.033894853524689274],
    [2, 0.9953222650189527, 0.004677734981047266],
    [2.5, 0.999593047982555, 0.0004069520174449589],
    [2.9, 0.9999589021219005, 4.109787809945886e-5],
    [2.999, 0.9999777698314002, 2.2230168599834058e-5],
    [3, 0.9999779095030014, 2.209049699858544e-5],
    [3.001, 0.9999780483390822, 2.1951660917737304e-5],
    [3.5, 0.9999992569016276, 7.430983723414128e-7],
    [4, 0.9999999845827421, 1.541725790028002e-8],
    [5, 0.9999999999984626, 1.537459794428035e-12],
    [6, 1.0, 2.1519736712498913e-17],
    [8, 1.0, 1.1224297172982926e-29],
    [10, 1.0, 2.088487583762545e-45],
    [15, 1.0, 7.212994172451207e-100],
    [26, 1.0, 5.663192408856143e-296],
  ];
  it('erf and erfc to ~1e-15 relative', () => {
    for (const [x, e, c] of table) {
      expect(relErr(erf(x), e), `erf(${x})`).toBeLessThan(2e-15);
      expect(relErr(erf(-x), -e), `erf(${-x})`).toBeLessThan(2e-15);
      // erfc below 3 is 1 - erf: absolute accuracy 1e-16, relative accuracy limited by cancellation near 3.
      const tol = x < 1.5 ? 1e-16 / c + 2e-15 : 1e-14;
      expect(relErr(erfc(x), c), `erfc(${x})`).toBeLessThan(tol);
    }
    expect(Math.abs(erf(0.5) - 0.5204998778130465)).toBeLessThanOrEqual(2 ** -52); // within 1 ulp
    expect(relErr(erfc(-0.5), 1.5204998778130465)).toBeLessThan(1e-15);
    expect(relErr(erfc(-3.5), 1.9999992569016276)).toBeLessThan(1e-15);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    expect(Object.is(erf(-0), -0)).toBe(true);
  });
  it('erf is odd and monotone (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: 0, max: 1e-3, noNaN: true }), (x, d) => {
        expect(erf(-x)).toBe(-erf(x));
        expect(erf(x + d)).toBeGreaterThanOrEqual(erf(x));
        expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(2e-16 * 4);
      }),
    );
  });
  it('gelu exact and tanh forms', () => {
    // [x, exact, tanh-approx] from mpmath.
    const g: [number, number, number][] = [
      [-10, -7.619853024160526e-23, -1.2041929433716598e-37],
      [-5, -1.4332578593959695e-6, -2.291796196629506e-7],
      [-3, -0.0040496940948902835, -0.003637392081773019],
      [-1, -0.15865525393145705, -0.1588080093917233],
      [-0.5, -0.15426876936299344, -0.15428599017485609],
      [0.5, 0.34573123063700656, 0.34571400982514394],
      [1, 0.8413447460685429, 0.8411919906082767],
      [3, 2.99595030590511, 2.996362607918227],
    ];
    for (const [x, e, t] of g) {
      expect(relErr(geluExact(x), e), `gelu(${x})`).toBeLessThan(1e-14);
      // the tanh form at -10 is 1 + tanh(≈-8) cancellation in float64: only absolute accuracy there.
      expect(Math.abs(geluTanh(x) - t), `geluTanh(${x})`).toBeLessThan(1e-15 * Math.max(1, Math.abs(x)));
    }
    expect(geluExact(Infinity)).toBe(Infinity);
    expect(geluExact(-40)).toBeCloseTo(0, 300);
  });
  it('other unary definitions', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(relErr(sigmoid(-30), 9.357622968839299e-14)).toBeLessThan(1e-15);
    const r = refUnary('Relu', 'float32', [NaN, -1, 2, -0]);
    expect(r[0]).toBeNaN();
    expect(Array.from(r.slice(1))).toEqual([0, 2, 0]);
    expect(refUnary('Clip', 'float32', [NaN, -5, 5, 0.5], { min: 0, max: 1 })[0]).toBeNaN();
    expect(Array.from(refUnary('Clip', 'float32', [-5, 5, 0.5], { min: 0, max: 1 }))).toEqual([0, 1, 0.5]);
    expect(Array.from(refUnary('LeakyRelu', 'float32', [-2, 3]))).toEqual([-0.02, 3]);
    expect(Array.from(refUnary('Abs', 'int32', [-2147483648, -3, 4]))).toEqual([-2147483648, 3, 4]);
    expect(Array.from(refUnary('Neg', 'int32', [-2147483648, -3, 4]))).toEqual([-2147483648, 3, -4]);
    expect(refUnary('Log', 'float32', [0, -1])[0]).toBe(-Infinity);
    expect(refUnary('Log', 'float32', [0, -1])[1]).toBeNaN();
    expect(activate({ kind: 'relu6' }, 7)).toBe(6);
    expect(activate({ kind: 'elu', alpha: 2 }, -Infinity)).toBe(-2);
    expect(activate({ kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 }, 1)).toBeCloseTo(0.7, 15);
    expect(activate({ kind: 'leakyRelu' }, -1)).toBe(-0.2);
  });
});

describe('reference: matmul / gemm / softmax', () => {
  it('numpy.matmul with batch broadcasting', () => {
    const A = Array.from({ length: 24 }, (_, i) => i);
    const B = Array.from({ length: 20 }, (_, i) => i - 7);
    const r = refMatMul('float32', A, [2, 3, 4], B, [4, 5]);
    expect(r.shape).toEqual([2, 3, 5]);
    expect(Array.from(r.data)).toEqual([
      28, 34, 40, 46, 52, 36, 58, 80, 102, 124, 44, 82, 120, 158, 196, 52, 106, 160, 214, 268, 60, 130, 200, 270, 340, 68, 154, 240, 326,
      412,
    ]);
  });
  it('1-D promotion, transposes, K=0, bias, activation', () => {
    expect(matmulShape([3], [3])).toEqual([]);
    expect(matmulShape([3], [2, 3, 4])).toEqual([2, 4]);
    expect(matmulShape([5, 2, 3], [3])).toEqual([5, 2]);
    expect(matmulShape([1, 2, 3], [4, 1, 3, 6])).toEqual([4, 1, 2, 6]);
    expect(Array.from(refMatMul('float32', [1, 2, 3], [3], [4, 5, 6], [3]).data)).toEqual([32]);
    // A stored [K=2, M=3], transA → A' = [[1,4],[2,5],[3,6]]; B stored [N=1,K=2] transB → [[1],[1]]
    const t = refMatMul('float32', [1, 2, 3, 4, 5, 6], [2, 3], [1, 1], [1, 2], { transA: true, transB: true });
    expect(t.shape).toEqual([3, 1]);
    expect(Array.from(t.data)).toEqual([5, 7, 9]);
    const z = refMatMul('float32', [], [2, 0], [], [0, 3]);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const b = refMatMul('float32', [1, 2, 3, 4], [2, 2], [1, 0, 0, 1], [2, 2], { bias: [10, -20], biasShape: [2], activation: { kind: 'relu' } });
    expect(Array.from(b.data)).toEqual([11, 0, 13, 0]);
    const col = refMatMul('float32', [1, 2, 3, 4], [2, 2], [1, 0, 0, 1], [2, 2], { bias: [10, 20], biasShape: [2, 1] });
    expect(Array.from(col.data)).toEqual([11, 12, 23, 24]);
    const i = refMatMul('int32', [65536, 1], [1, 2], [65536, 5], [2, 1]);
    expect(Array.from(i.data)).toEqual([5]);
  });
  it('gemm alpha/beta and C broadcasting', () => {
    const g = refGemm('float32', [1, 2, 3, 4], [2, 2], [1, 1, 1, 1], [2, 2], [1, 2], [2], { alpha: 2, beta: -1 });
    expect(Array.from(g.data)).toEqual([5, 4, 13, 12]);
    const s = refGemm('float32', [1, 2, 3, 4], [2, 2], [1, 1, 1, 1], [2, 2], [100], [], { beta: 0.5 });
    expect(Array.from(s.data)).toEqual([53, 53, 57, 57]);
    const ii = refGemm('int32', [2147483647, 0, 0, 0], [2, 2], [1, 0, 0, 1], [2, 2], [1], [1], { alpha: 2, beta: 3 });
    expect(Array.from(ii.data)).toEqual([1, 3, 3, 3]);
  });
  it('softmax matches numpy', () => {
    const x = [1, 2, 3, -1, 0, 1000];
    const r = refSoftmax(x, [2, 3], -1);
    const e = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218, 0, 0, 1];
    r.forEach((v, i) => expect(Math.abs(v - e[i]!)).toBeLessThan(1e-16));
    const r0 = refSoftmax(x, [2, 3], 0);
    const e0 = [0.8807970779778823, 0.8807970779778823, 0, 0.11920292202211755, 0.11920292202211755, 1];
    r0.forEach((v, i) => expect(Math.abs(v - e0[i]!)).toBeLessThan(1e-16));
    const inf = refSoftmax([-Infinity, -Infinity, 1, Infinity, NaN, 0], [3, 2]);
    expect(inf.every((v) => Number.isNaN(v))).toBe(true);
    expect(Array.from(refSoftmax([5], []))).toEqual([1]);
  });
});

describe('reference: compare', () => {
  it('NaN == NaN, infinities exact, overflow threshold, worst element reported', () => {
    expect(compareArrays(new Float32Array([NaN, Infinity, -0]), [NaN, Infinity, 0], { op: 'X', dtype: 'float32' }).ok).toBe(true);
    expect(compareArrays(new Float32Array([NaN]), [1], { op: 'X', dtype: 'float32', rtol: 1 }).ok).toBe(false);
    expect(compareArrays(new Float32Array([1]), [NaN], { op: 'X', dtype: 'float32', rtol: 1 }).ok).toBe(false);
    expect(compareArrays(new Float32Array([3e38]), [Infinity], { op: 'X', dtype: 'float32', rtol: 1 }).ok).toBe(false);
    // exp(89) overflows float32: Inf is the correctly rounded answer
    expect(compareArrays(new Float32Array([Infinity]), [Math.exp(89)], { op: 'X', dtype: 'float32' }).ok).toBe(true);
    // a finite expected value within rtol of the overflow threshold may come back as Inf
    expect(compareArrays(new Float32Array([Infinity]), [3.4028234e38], { op: 'X', dtype: 'float32', rtol: 1e-6 }).ok).toBe(true);
    expect(compareArrays(new Float32Array([Infinity]), [3e38], { op: 'X', dtype: 'float32', rtol: 1e-6 }).ok).toBe(false);
    const r = compareArrays(new Float32Array([1, 2.5, 3]), [1, 2, 3.1], {
      op: 'Add float32 on wasm',
      dtype: 'float32',
      rtol: 1e-3,
      shapes: [[3], [1]],
      outShape: [3],
      describeInputs: (i) => `a=${i}`,
    });
    expect(r.ok).toBe(false);
    expect(r.mismatches).toBe(2);
    expect(r.worst!.index).toBe(1);
    expect(r.message).toContain('Add float32 on wasm');
    expect(r.message).toContain('[3], [1]');
    expect(r.message).toContain('got 2.5, expected 2');
    expect(r.message).toContain('a=1');
    expect(compareArrays(new Int32Array([1, 2]), new Int32Array([1, 3]), { op: 'Y', dtype: 'int32' }).message).toContain('got 2, expected 3');
    expect(compareArrays(new Float32Array([0.7]), [NaN], { op: 'Z', dtype: 'float32', alt: [[0.7]] }).ok).toBe(true);
    expect(() => expectBitIdentical(new Float32Array([0]), new Float32Array([-0]), 'W')).toThrow(/not bit-identical/);
  });
});
