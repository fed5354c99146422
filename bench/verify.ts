/**
 * A cheap correctness check of one output per cell, so the table never shows the speed of a wrong
 * answer. MatMul is checked on a sample of output entries (a full reference would cost seconds),
 * Add and Softmax on every element.
 */
import { inputsOf, type Workload } from './workloads.js';

const SAMPLES = 256;

/** Returns undefined when `out` matches, else a short description of the first mismatch. */
export function verify(w: Workload, out: ArrayLike<number>): string | undefined {
  const [a, b] = inputsOf(w).map((i) => i.data) as [Float32Array, Float32Array | undefined];
  const bad = (i: number, got: number, want: number, tol: number) =>
    Number.isFinite(got) && Math.abs(got - want) <= tol ? undefined : `[${i}] = ${got}, expected ${want}`;
  switch (w.kind) {
    case 'matmul': {
      const { M, N, K } = w;
      if (out.length !== M * N) return `length ${out.length}, expected ${M * N}`;
      for (let s = 0; s < SAMPLES; s++) {
        // Spread the samples over rows and columns, always including the corners.
        const i = s === 0 ? 0 : s === 1 ? M - 1 : (s * 7919) % M;
        const j = s === 0 ? 0 : s === 1 ? N - 1 : (s * 104729) % N;
        let want = 0;
        let mag = 0;
        for (let k = 0; k < K; k++) {
          const p = a[i * K + k]! * b![k * N + j]!;
          want += p;
          mag += Math.abs(p);
        }
        const e = bad(i * N + j, out[i * N + j]!, want, 1e-5 * mag + 1e-6);
        if (e) return e;
      }
      return undefined;
    }
    case 'add': {
      if (out.length !== a.length) return `length ${out.length}, expected ${a.length}`;
      for (let i = 0; i < a.length; i++) {
        const e = bad(i, out[i]!, a[i]! + b![i]!, 1e-6);
        if (e) return e;
      }
      return undefined;
    }
    case 'softmax': {
      const n = w.shape[w.shape.length - 1]!;
      if (out.length !== a.length) return `length ${out.length}, expected ${a.length}`;
      for (let r = 0; r < a.length / n; r++) {
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, a[r * n + j]!);
        let sum = 0;
        for (let j = 0; j < n; j++) sum += Math.exp(a[r * n + j]! - max);
        for (let j = 0; j < n; j++) {
          const want = Math.exp(a[r * n + j]! - max) / sum;
          const e = bad(r * n + j, out[r * n + j]!, want, 1e-6 + 1e-4 * want);
          if (e) return e;
        }
      }
      return undefined;
    }
  }
}
