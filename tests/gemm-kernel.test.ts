/**
 * The wasm `gemm` family (MatMul, Gemm) against a float64 reference: odd shapes around the tile sizes
 * (M, N, K in 1..70 and past the K and N blocks), transposes, batch broadcasting, every bias layout and
 * activation, NaN/Inf propagation, int32 wrapping, the packed-B cache, and threads 1 and 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import type { Activation } from '../ops/types.js';
import { prng as rng } from './arbitraries.js';


/** float64 erfc: Taylor series of erf near 0, a continued fraction beyond (no cancellation in the tail). */
function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  let r: number;
  if (ax < 2.5) {
    let sum = 0;
    let term = ax;
    for (let n = 0; n < 80; n++) {
      sum += term / (2 * n + 1);
      term *= (-ax * ax) / (n + 1);
    }
    r = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
    r = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? 2 - r : r;
}

function act(a: Activation, x: number): number {
  switch (a.kind) {
    case 'linear': return x;
    case 'relu': return Number.isNaN(x) ? x : Math.max(x, 0);
    case 'relu6': return Number.isNaN(x) ? x : Math.min(Math.max(x, 0), 6);
    case 'leakyRelu': return x < 0 ? a.alpha * x : x;
    case 'clip': return Number.isNaN(x) ? x : Math.min(Math.max(x, a.min), a.max);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'gelu': return 0.5 * x * erfc(-x / Math.SQRT2);
    case 'elu': return x > 0 ? x : a.alpha * Math.expm1(x);
    case 'hardSigmoid': return Number.isNaN(x) ? x : Math.min(Math.max(a.alpha * x + a.beta, 0), 1);
  }
}

interface Case {
  M: number; N: number; K: number;
  transA?: boolean; transB?: boolean;
  aBatch?: number[]; bBatch?: number[];
  biasShape?: number[];
  alpha?: number; beta?: number;
  activation?: Activation;
}

interface Ref { out: Float64Array; mag: Float64Array; shape: number[] }

/** float64 reference of act(alpha·op(A)·op(B) + beta·bias) with numpy batch broadcasting; mag = Σ|terms|. */
function reference(c: Case, A: ArrayLike<number>, B: ArrayLike<number>, bias?: ArrayLike<number>): Ref {
  const { M, N, K } = c;
  const ab = c.aBatch ?? [], bb = c.bBatch ?? [];
  const r = Math.max(ab.length, bb.length);
  const pa = [...new Array(r - ab.length).fill(1), ...ab], pbb = [...new Array(r - bb.length).fill(1), ...bb];
  const ob = pa.map((d, i) => Math.max(d, pbb[i]!));
  const nb = ob.reduce((x, y) => x * y, 1);
  const out = new Float64Array(nb * M * N), mag = new Float64Array(nb * M * N);
  const alpha = c.alpha ?? 1, beta = c.beta ?? 1;
  const bs = c.biasShape ?? [];
  const bRows = bs.length >= 2 ? bs[bs.length - 2]! : 1, bCols = bs.length >= 1 ? bs[bs.length - 1]! : 1;
  for (let b = 0; b < nb; b++) {
    let rem = b, ao = 0, bo = 0, as = 1, bs2 = 1;
    for (let d = r - 1; d >= 0; d--) {
      const idx = rem % ob[d]!;
      rem = Math.floor(rem / ob[d]!);
      ao += (pa[d] === 1 ? 0 : idx) * as;
      bo += (pbb[d] === 1 ? 0 : idx) * bs2;
      as *= pa[d]!;
      bs2 *= pbb[d]!;
    }
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) {
        const x = A[ao * M * K + (c.transA ? k * M + i : i * K + k)]!;
        const y = B[bo * K * N + (c.transB ? j * K + k : k * N + j)]!;
        s += x * y;
        m += Math.abs(x * y);
      }
      s *= alpha;
      m *= Math.abs(alpha);
      if (bias) {
        const t = beta * bias[(bRows === 1 ? 0 : i) * bCols + (bCols === 1 ? 0 : j)]!;
        s += t;
        m += Math.abs(t);
      }
      out[b * M * N + i * N + j] = act(c.activation ?? { kind: 'linear' }, s);
      mag[b * M * N + i * N + j] = m;
    }
  }
  return { out, mag, shape: [...ob, M, N] };
}

/** Slope bound of every tested activation (gelu ≤ 1.13, elu with alpha ≤ 1.5). */
const SLOPE = 1.5;

function expectClose(got: ArrayLike<number>, ref: Ref, K: number, what: string, rel = 2e-6): void {
  expect(got.length, what).toBe(ref.out.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, r = ref.out[i]!;
    if (Number.isNaN(r) || !Number.isFinite(r)) {
      if (!Object.is(g, r) && !(Number.isNaN(g) && Number.isNaN(r))) throw new Error(`${what}: [${i}] got ${g}, want ${r}`);
      continue;
    }
    const tol = SLOPE * (K + 2) * 1.2e-7 * ref.mag[i]! + rel * Math.abs(r) + 1e-30;
    if (!(Math.abs(g - r) <= tol)) throw new Error(`${what}: [${i}] got ${g}, want ${r} (tol ${tol})`);
  }
}

function fill(n: number, rand: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

function runCase(rt: Runtime, c: Case, rand: () => number, opts: { gemm?: boolean; scale?: number } = {}) {
  const { M, N, K } = c;
  const ab = c.aBatch ?? [], bb = c.bBatch ?? [];
  const A = fill(ab.reduce((x, y) => x * y, 1) * M * K, rand, opts.scale ?? 1);
  const B = fill(bb.reduce((x, y) => x * y, 1) * K * N, rand, opts.scale ?? 1);
  const bias = c.biasShape ? fill(c.biasShape.reduce((x, y) => x * y, 1), rand) : undefined;
  const ts: Tensor[] = [];
  const t = (d: Float32Array, s: number[]) => {
    const x = rt.tensor(d, s);
    ts.push(x);
    return x;
  };
  const a = t(A, [...ab, ...(c.transA ? [K, M] : [M, K])]);
  const b = t(B, [...bb, ...(c.transB ? [N, K] : [K, N])]);
  const bt = bias ? t(bias, c.biasShape!) : undefined;
  const out = opts.gemm
    ? rt.gemm(a, b, bt, { transA: c.transA, transB: c.transB, alpha: c.alpha, beta: c.beta, activation: c.activation })
    : rt.matmul(a, b, { transA: c.transA, transB: c.transB, activation: c.activation, bias: bt });
  const got = out.dataSync() as Float32Array;
  const ref = reference(c, A, B, bias);
  expect(out.shape).toEqual(ref.shape);
  out.dispose();
  for (const x of ts) x.dispose();
  return { got, ref };
}

const ACTS: Activation[] = [
  { kind: 'relu' }, { kind: 'relu6' }, { kind: 'leakyRelu', alpha: 0.1 }, { kind: 'clip', min: -0.5, max: 0.75 },
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'gelu' }, { kind: 'elu', alpha: 1.5 }, { kind: 'hardSigmoid', alpha: 0.2, beta: 0.5 },
];

for (const threads of [1, 2]) {
  describe(`wasm gemm kernels, threads=${threads}`, () => {
    let rt: Runtime;
    beforeAll(async () => {
      rt = await createRuntime({ device: 'wasm', threads });
    });
    afterAll(() => rt.dispose());

    it('MatMul: random odd shapes, transposes (M, N in 1..70, K in 0..70)', () => {
      const rand = rng(1 + threads);
      for (let n = 0; n < 120; n++) {
        const c: Case = { M: 1 + Math.floor(rand() * 70), N: 1 + Math.floor(rand() * 70), K: Math.floor(rand() * 71), transA: rand() < 0.5, transB: rand() < 0.5 };
        const { got, ref } = runCase(rt, c, rand);
        expectClose(got, ref, c.K, JSON.stringify(c));
      }
    });

    it('MatMul: past the K block, the N block and the parallel threshold', () => {
      const rand = rng(7);
      for (const c of [
        { M: 37, N: 29, K: 600, transA: true },
        { M: 20, N: 50, K: 1100, transA: true, transB: true },
        { M: 13, N: 1100, K: 270, transB: true },
        { M: 200, N: 150, K: 300 },
        { M: 7, N: 2100, K: 140 },
        { M: 3, N: 4000, K: 200 },
      ] as Case[]) {
        const { got, ref } = runCase(rt, c, rand);
        expectClose(got, ref, c.K, JSON.stringify(c));
      }
    });

    it('MatMul: GEMV shapes (M = 1 and N = 1, both transposes, batches, tails)', () => {
      const rand = rng(11);
      for (const c of [
        { M: 1, N: 1500, K: 67 }, { M: 1, N: 37, K: 1031, transB: true }, { M: 1, N: 9, K: 3, transA: true },
        { M: 45, N: 1, K: 70 }, { M: 1030, N: 1, K: 13, transA: true }, { M: 1, N: 1, K: 70 }, { M: 1, N: 5, K: 0 },
        { M: 1, N: 300, K: 50, aBatch: [3], bBatch: [3], biasShape: [300], activation: { kind: 'tanh' } },
        { M: 70, N: 1, K: 33, bBatch: [2], biasShape: [70, 1], activation: { kind: 'relu' } },
        { M: 1, N: 4096, K: 600, biasShape: [1, 4096], activation: { kind: 'gelu' } },
      ] as Case[]) {
        const { got, ref } = runCase(rt, c, rand);
        expectClose(got, ref, c.K, JSON.stringify(c));
      }
    });

    it('MatMul: batch broadcasting (shared B packed once, per-batch B, broadcast A)', () => {
      const rand = rng(3);
      for (const c of [
        { M: 9, N: 17, K: 12, aBatch: [3], bBatch: [] },
        { M: 9, N: 17, K: 12, aBatch: [], bBatch: [4] },
        { M: 5, N: 8, K: 31, aBatch: [2, 1], bBatch: [3], transB: true },
        { M: 70, N: 3, K: 9, aBatch: [2, 3], bBatch: [2, 3], transA: true },
      ] as Case[]) {
        const { got, ref } = runCase(rt, c, rand);
        expectClose(got, ref, c.K, JSON.stringify(c));
      }
    });

    it('MatMul: every bias layout and every activation', () => {
      const rand = rng(5);
      for (const biasShape of [[], [1], [23], [1, 23], [19, 1], [19, 23], [1, 1, 23]]) {
        for (const activation of [{ kind: 'linear' } as Activation, ...ACTS]) {
          const c: Case = { M: 19, N: 23, K: 21, biasShape, activation };
          const { got, ref } = runCase(rt, c, rand, { scale: 1.3 });
          expectClose(got, ref, c.K, JSON.stringify(c), 3e-6);
        }
      }
    });

    it('activations are accurate to ~1e-6 relative across their range (exact pre-activations)', () => {
      // A = x values (K = 1), B = ones: the pre-activation is exact, so this measures the epilogue alone
      const xs = [0, -0, 1e-7, -1e-7, 1e-3, -1e-3, 0.1, -0.1, 0.5, -0.5, 1, -1, 2, -2, 3.5, -3.5, 5, -5, 8, -8, 9.5, -9.5, 15, -15, 30, -30, 80, -80, 87, -87, 88.5, -88.5, 100, -100, 1e30, -1e30];
      const N = 11;
      const a = rt.tensor(Float32Array.from(xs), [xs.length, 1]);
      const b = rt.tensor(new Float32Array(N).fill(1), [1, N]);
      for (const activation of ACTS) {
        const out = rt.matmul(a, b, { activation });
        const got = out.dataSync() as Float32Array;
        out.dispose();
        for (let i = 0; i < xs.length; i++) {
          const want = act(activation, Math.fround(xs[i]!));
          for (let j = 0; j < N; j++) {
            const g = got[i * N + j]!;
            const tol = 1e-6 * Math.abs(want) + 1e-37;
            if (!(Math.abs(g - want) <= tol)) throw new Error(`${activation.kind}(${xs[i]}) = ${g}, want ${want}`);
          }
        }
      }
      a.dispose();
      b.dispose();
    });

    it('NaN and Inf propagate as IEEE (0·Inf = NaN, Inf − Inf = NaN), through activations too', () => {
      const rand = rng(9);
      for (const [M, N, K] of [[7, 10, 5], [1, 9, 6], [8, 1, 7], [13, 17, 300]] as const) {
        for (const activation of [{ kind: 'linear' } as Activation, { kind: 'relu' } as Activation, { kind: 'sigmoid' } as Activation, { kind: 'gelu' } as Activation, { kind: 'tanh' } as Activation]) {
          const A = fill(M * K, rand), B = fill(K * N, rand);
          A[0] = NaN;
          A[K + 1] = 0; // row 1 × B row 1 (which holds Inf) → 0·Inf = NaN
          B[N + 2] = Infinity;
          B[2 * N + 3] = -Infinity;
          if (M > 2) A[2 * K + 2] = 1e-3;
          const a = rt.tensor(A, [M, K]), b = rt.tensor(B, [K, N]);
          const out = rt.matmul(a, b, { activation });
          const got = out.dataSync() as Float32Array;
          const ref = reference({ M, N, K, activation }, A, B);
          expectClose(got, ref, K, `${M}x${N}x${K} ${activation.kind}`, 3e-6);
          out.dispose();
          a.dispose();
          b.dispose();
        }
      }
    });

    it('Gemm: alpha, beta, every C layout, no C, K = 0', () => {
      const rand = rng(13);
      for (const biasShape of [undefined, [], [1], [31], [1, 31], [17, 1], [17, 31]]) {
        for (const [transA, transB] of [[false, false], [true, true], [false, true]]) {
          const c: Case = { M: 17, N: 31, K: 40, transA, transB, biasShape, alpha: 0.75, beta: -1.25 };
          const { got, ref } = runCase(rt, c, rand, { gemm: true });
          expectClose(got, ref, c.K, JSON.stringify(c));
        }
      }
      for (const c of [
        { M: 6, N: 9, K: 0, biasShape: [6, 9], alpha: 2, beta: 0.5 },
        { M: 1, N: 9, K: 0, biasShape: [9], alpha: 2, beta: 3 },
        { M: 6, N: 9, K: 0 },
        { M: 1, N: 70, K: 70, transB: true, biasShape: [70], alpha: -1, beta: 2 },
      ] as Case[]) {
        const { got, ref } = runCase(rt, c, rand, { gemm: true });
        expectClose(got, ref, c.K, JSON.stringify(c));
      }
    });

    it('MatMul: K = 0 gives act(bias)', () => {
      const rand = rng(17);
      const c: Case = { M: 5, N: 7, K: 0, biasShape: [7], activation: { kind: 'sigmoid' } };
      const { got, ref } = runCase(rt, c, rand);
      expectClose(got, ref, 0, 'K=0');
    });

    it('int32: wrapping multiply-add (MatMul and Gemm with integer alpha/beta)', () => {
      const rand = rng(19);
      const ri = (n: number, big: boolean) => Int32Array.from({ length: n }, () => Math.floor((rand() * 2 - 1) * (big ? 2 ** 31 : 100)));
      for (let n = 0; n < 30; n++) {
        const M = 1 + Math.floor(rand() * 40), N = 1 + Math.floor(rand() * 40), K = Math.floor(rand() * 300);
        const transA = rand() < 0.5, transB = rand() < 0.5, big = rand() < 0.5, gemm = rand() < 0.5;
        const withC = gemm && rand() < 0.7;
        const A = ri(M * K, big), B = ri(K * N, big), C = ri(N, big);
        const alpha = gemm ? Math.floor(rand() * 7) - 3 : 1, beta = withC ? Math.floor(rand() * 7) - 3 : 0;
        const a = rt.tensor(A, transA ? [K, M] : [M, K]), b = rt.tensor(B, transB ? [N, K] : [K, N]), ct = rt.tensor(C, [N]);
        const out = gemm ? rt.gemm(a, b, withC ? ct : undefined, { transA, transB, alpha, beta }) : rt.matmul(a, b, { transA, transB });
        const got = out.dataSync() as Int32Array;
        expect(out.dtype).toBe('int32');
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s = (s + Math.imul(A[transA ? k * M + i : i * K + k]!, B[transB ? j * K + k : k * N + j]!)) | 0;
          const want = (Math.imul(alpha, s) + (withC ? Math.imul(beta, C[j]!) : 0)) | 0;
          if (got[i * N + j] !== want) throw new Error(`int32 ${JSON.stringify({ M, N, K, transA, transB, gemm, alpha, beta })} [${i},${j}] got ${got[i * N + j]} want ${want}`);
        }
        for (const x of [a, b, ct, out]) x.dispose();
      }
    });

    it('a packed weight is cached on B, reused for any M, and freed with it', () => {
      const rand = rng(23);
      const K = 50, N = 45;
      const B = fill(K * N, rand);
      const b = rt.tensor(B, [K, N]);
      for (const M of [64, 5, 2, 64]) {
        const A = fill(M * K, rand);
        const a = rt.tensor(A, [M, K]);
        const out = rt.matmul(a, b);
        expectClose(out.dataSync() as Float32Array, reference({ M, N, K }, A, B), K, `M=${M}`);
        out.dispose();
        a.dispose();
      }
      expect(b.derived.size).toBe(1);
      const before = rt.memory().wasm.inUse;
      b.dispose();
      expect(rt.memory().wasm.inUse).toBeLessThan(before - K * N * 4);
    });
  });
}
