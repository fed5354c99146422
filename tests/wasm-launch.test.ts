/**
 * The wasm launch path (wasm-kernels/runtime/backend.ts, pool.ts, worker.ts; gemm-launch.ts): launch
 * scratch taken and given back last-in-first-out (nested launches: Conv → GEMM), heap fallbacks past the
 * arena, the per-site choice between the pool and the calling thread (never changes a result: 1 vs 2
 * threads bit-identical on every call, whichever side ran), worker spin then sleep, and kernel traps
 * surfacing as typed errors with the pool and the scratch left usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { TwinopsError } from '../core/errors.js';
import { ThreadPool } from '../wasm-kernels/runtime/pool.js';
import { WORKER_SOURCE } from '../wasm-kernels/generated/worker-source.js';
import { prng } from './arbitraries.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';

let rt1: Runtime;
let rt2: Runtime;
beforeAll(async () => {
  rt1 = await createRuntime({ threads: 1 });
  rt2 = await createRuntime({ threads: 2 });
});
afterAll(() => {
  rt1?.dispose();
  rt2?.dispose();
});

function rand(n: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** float64 reference of a batched row-major MatMul [B,M,K]·[B,K,N]. */
function matmulRef(a: Float32Array, b: Float32Array, B: number, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(B * M * N);
  for (let z = 0; z < B; z++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[z * M * K + i * K + k]! * b[z * K * N + k * N + j]!;
        out[z * M * N + i * N + j] = s;
      }
  return out;
}

describe('launch scratch', () => {
  it('is taken and given back last in first out, nested, 64-byte aligned', () => {
    const w = rt1.wasm;
    const outer = w.scratchMark();
    const a = w.scratch(100);
    const inner = w.scratchMark();
    const b = w.scratch(1);
    const c = w.scratch(64);
    expect(a % 64).toBe(0);
    expect(b).toBe(a + 128);
    expect(c).toBe(b + 64);
    w.scratchRelease(inner);
    expect(w.scratch(8)).toBe(b); // the inner blocks are free again, the outer one is not
    w.scratchRelease(outer);
    expect(w.scratch(8)).toBe(a);
    w.scratchRelease(outer);
  });

  it('falls back to the heap past the arena and frees the fallback on release', () => {
    const w = rt1.wasm;
    const before = rt1.memory().wasm;
    const mark = w.scratchMark();
    const big = w.scratch(1 << 20); // larger than the arena
    const big2 = w.scratch(3 << 20); // grows the memory
    expect(rt1.memory().wasm.inUse).toBeGreaterThanOrEqual(before.inUse + (4 << 20));
    // the cached heap view follows the grown memory
    w.heapI32()[(big2 >> 2) + (3 << 18) - 1] = 7;
    expect(w.i32(big2, 3 << 18)[(3 << 18) - 1]).toBe(7);
    w.heapF32()[big >> 2] = 1.5;
    expect(w.f32(big, 1)[0]).toBe(1.5);
    w.scratchRelease(mark);
    expect(rt1.memory().wasm.inUse).toBe(before.inUse);
  });

  it('a batched MatMul with per-batch B (packed into scratch) matches float64, heap back where it was', () => {
    const [B, M, K, N] = [3, 7, 33, 19];
    const a = rand(B * M * K, 11);
    const b = rand(B * K * N, 12);
    const ref = matmulRef(a, b, B, M, K, N);
    for (const rt of [rt1, rt2]) {
      const before = rt.memory().wasm.inUse;
      const ta = rt.tensor(a, [B, M, K]);
      const tb = rt.tensor(b, [B, K, N]);
      const y = rt.run('MatMul', [ta, tb])[0]!;
      // float32 products summed over K = 33 terms of |x| < 1 (|sum| ≤ 33): float32 rounding of each
      // step, bounded by K·2^-24·Σ|a·b| ≤ 33·6e-8·33 ≈ 7e-5 absolute
      expectClose(y.dataSync() as Float32Array, ref, { op: `MatMul [${B},${M},${K}]·[${B},${K},${N}] threads=${rt.info().threads}`, dtype: 'float32', rtol: 0, atol: 7e-5 });
      for (const t of [ta, tb, y]) t.dispose();
      expect(rt.memory().wasm.inUse).toBe(before);
    }
  });
});

describe('pool or calling thread, chosen per call site', () => {
  it('repeated GEMMs above the split threshold: every call bit-identical to 1 thread, both sides tried', async () => {
    const [M, K, N] = [96, 160, 144]; // 2.2M multiply-adds: past MIN_MACS_PARALLEL
    const a = rand(M * K, 21);
    const b = rand(K * N, 22);
    const t1 = [rt1.tensor(a, [M, K]), rt1.tensor(b, [K, N])];
    const ref = rt1.run('MatMul', t1)[0]!;
    const want = ref.dataSync();
    const t2 = [rt2.tensor(a, [M, K]), rt2.tensor(b, [K, N])];
    const pool = (rt2.wasm as unknown as { pool: ThreadPool }).pool;
    const run = pool.run.bind(pool);
    rt2.wasm.adaptiveSplit = true; // the chooser (off by default)
    let pooled = 0;
    pool.run = (job) => {
      pooled++;
      run(job);
    };
    try {
      const calls = 40;
      for (let i = 0; i < calls; i++) {
        const y = rt2.run('MatMul', t2)[0]!;
        expectBitIdentical(y.dataSync(), want, `MatMul call ${i}`);
        y.dispose();
      }
      // the first calls alternate sides (the very first on the pool); later ones run the faster side
      expect(pooled).toBeGreaterThanOrEqual(3);
      expect(pooled).toBeLessThanOrEqual(40);
    } finally {
      pool.run = run;
      rt2.wasm.adaptiveSplit = false;
    }
    for (const t of [...t1, ...t2, ref]) t.dispose();
  });

  it('a Conv through the implicit GEMM (Conv block outside, GEMM scratch inside) is bit-identical at 1 and 2 threads on every call', () => {
    const [N, C, H, W, M] = [1, 16, 23, 29, 24];
    const x = rand(N * H * W * C, 31);
    const f = rand(M * 3 * 3 * C, 32);
    const mk = (rt: Runtime) => [rt.tensor(x, [N, H, W, C]), rt.tensor(f, [3, 3, C, M])];
    const attrs = { layout: 'NHWC', filterLayout: 'HWIO', pads: [1, 1, 1, 1] };
    const i1 = mk(rt1);
    const y1 = rt1.run('Conv', i1, attrs)[0]!;
    const want = y1.dataSync();
    const i2 = mk(rt2);
    for (let i = 0; i < 12; i++) {
      const y = rt2.run('Conv', i2, attrs)[0]!;
      expectBitIdentical(y.dataSync(), want, `Conv call ${i}`);
      y.dispose();
    }
    for (const t of [...i1, ...i2, y1]) t.dispose();
  });
});

describe('errors in a pooled kernel', () => {
  it('surface as typed errors naming the op; the pool, the scratch and the heap stay usable', () => {
    const w = rt2.wasm;
    const mark = w.scratchMark();
    const heap = rt2.memory().wasm.inUse;
    // a cast reading far past the end of memory traps, on whichever thread takes a chunk
    for (let i = 0; i < 8; i++) {
      let caught: unknown;
      try {
        w.parallelFor('copy', 'cast_float32_int32', [0x7ff00000, 64], 1 << 20, { minPerThread: 1024, op: 'BadCast' });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TwinopsError);
      expect((caught as TwinopsError).op).toBe('BadCast');
      expect(String(caught)).toMatch(/BadCast/);
    }
    expect(w.scratchMark()).toBe(mark);
    expect(rt2.memory().wasm.inUse).toBe(heap);
    // and the next launches work
    const [M, K, N] = [64, 200, 180];
    const a = rand(M * K, 41);
    const b = rand(K * N, 42);
    const y1 = rt1.run('MatMul', [rt1.tensor(a, [M, K]), rt1.tensor(b, [K, N])])[0]!;
    for (let i = 0; i < 6; i++) {
      const y2 = rt2.run('MatMul', [rt2.tensor(a, [M, K]), rt2.tensor(b, [K, N])])[0]!;
      expectBitIdentical(y2.dataSync(), y1.dataSync(), `MatMul after the traps, call ${i}`);
    }
  });
});

describe('split bounds', () => {
  it('a range splits at a quarter of its minPerThread (even one ≥ the range); ordered ranges never split', () => {
    const w = rt2.wasm;
    const pool = (w as unknown as { pool: ThreadPool }).pool;
    const run = pool.run.bind(pool);
    let jobs = 0;
    pool.run = (job) => {
      jobs++;
      run(job);
    };
    try {
      const n = 1 << 16;
      const src = w.alloc(4 * n, 'test');
      const dst = w.alloc(4 * n, 'test');
      try {
        w.f32(src, n).fill(1.5);
        const launch = (opts: { minPerThread: number; ordered?: boolean }) => {
          jobs = 0;
          w.parallelFor('copy', 'cast_float32_int32', [src, dst], n, { ...opts, op: 'Cast' });
          expect(Array.from(w.i32(dst, n).subarray(n - 4))).toEqual([1, 1, 1, 1]);
          return jobs;
        };
        expect(launch({ minPerThread: n })).toBe(1); // 2 × n/4 ≤ n
        expect(launch({ minPerThread: 4 * n })).toBe(0); // 2 × n > n
        expect(launch({ minPerThread: 1, ordered: true })).toBe(0);
      } finally {
        w.free(dst);
        w.free(src);
      }
    } finally {
      pool.run = run;
    }
  });
});

describe('worker spin', () => {
  it('a worker spins for spinMicros after a job, then sleeps; an idle pool is asleep', async () => {
    const pool = await ThreadPool.create(2, WORKER_SOURCE);
    try {
      const asleep = async (want: number, limitMs: number) => {
        const t0 = performance.now();
        while (pool.sleeping !== want) {
          if (performance.now() - t0 > limitMs) return false;
          await new Promise((r) => setTimeout(r, 1));
        }
        return true;
      };
      expect(pool.spinMicros).toBeGreaterThan(0);
      expect(await asleep(1, 2000)).toBe(true); // idle after start
      // A long spin: wake the worker with a mailbox message (it does not need a runtime), time how
      // long it stays awake. It spins on the wall clock, so even a loaded machine does not shorten it.
      pool.spinMicros = 300_000;
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
      const attached = pool.attach(memory, 'spin-test');
      expect(await asleep(0, 5000)).toBe(true);
      const woke = performance.now();
      await attached;
      expect(await asleep(1, 5000)).toBe(true);
      expect(performance.now() - woke).toBeGreaterThanOrEqual(200);
      // spin 0: straight back to sleep
      pool.spinMicros = 0;
      expect(pool.spinMicros).toBe(0);
      pool.detach(await attached);
      expect(await asleep(1, 2000)).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  it('nudge wakes a sleeping worker into its spin without a job, and is a no-op after terminate', async () => {
    const pool = await ThreadPool.create(2, WORKER_SOURCE);
    const asleep = async (want: number, limitMs: number) => {
      const t0 = performance.now();
      while (pool.sleeping !== want) {
        if (performance.now() - t0 > limitMs) return false;
        await new Promise((r) => setTimeout(r, 1));
      }
      return true;
    };
    try {
      expect(await asleep(1, 5000)).toBe(true);
      pool.spinMicros = 300_000;
      pool.nudge();
      expect(await asleep(0, 5000)).toBe(true); // awake, spinning
      pool.nudge(); // while it spins: nothing to do
      pool.spinMicros = 0;
      pool.nudge();
      expect(await asleep(1, 5000)).toBe(true);
    } finally {
      pool.terminate();
    }
    expect(() => pool.nudge()).not.toThrow();
  });
});
