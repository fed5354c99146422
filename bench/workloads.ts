/**
 * What the bench measures. A workload is one row of the table; every runtime (column) that
 * supports it gets one cell. Today every workload is a single float32 operator; whole-model
 * workloads (a tfjs graph model, an ONNX file) are meant to become another `kind` here, which
 * each peer may support or skip.
 */

export type OpWorkload =
  | { kind: 'matmul'; id: string; label: string; M: number; K: number; N: number }
  | { kind: 'add'; id: string; label: string; shape: number[] }
  | { kind: 'softmax'; id: string; label: string; shape: number[] };

export type Workload = OpWorkload;

/** How a median turns into a throughput figure. */
export interface Work {
  unit: 'GFLOP/s' | 'GB/s';
  /** FLOPs or bytes of one run. */
  amount: number;
}

function matmul(M: number, K: number, N: number, label: string): OpWorkload {
  return { kind: 'matmul', id: `matmul-${M}x${K}x${N}`, label, M, K, N };
}

export const WORKLOADS: readonly Workload[] = [
  matmul(256, 256, 256, 'MatMul 256³'),
  matmul(512, 512, 512, 'MatMul 512³'),
  matmul(1024, 1024, 1024, 'MatMul 1024³'),
  matmul(1, 4096, 4096, 'GEMV 1×4096·4096²'),
  { kind: 'add', id: 'add-1m', label: 'Add 1M', shape: [1024, 1024] },
  { kind: 'softmax', id: 'softmax-1000x1000', label: 'Softmax 1000²', shape: [1000, 1000] },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function workOf(w: Workload): Work {
  switch (w.kind) {
    case 'matmul':
      return { unit: 'GFLOP/s', amount: 2 * w.M * w.N * w.K };
    case 'add':
      return { unit: 'GB/s', amount: 3 * 4 * size(w.shape) };
    case 'softmax':
      return { unit: 'GB/s', amount: 2 * 4 * size(w.shape) };
  }
}

/** A named float32 input with its shape. */
export interface Input {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A small deterministic generator (mulberry32) → [0, 1), so every runtime sees the same bytes. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic uniform values in [-1, 1). */
function random(n: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

const cache = new Map<string, Input[]>();

/** The workload's inputs, in operator order (MatMul: A, B; Add: A, B; Softmax: X). Cached. */
export function inputsOf(w: Workload): Input[] {
  let inputs = cache.get(w.id);
  if (inputs) return inputs;
  const mk = (name: string, shape: number[], seed: number): Input => ({ name, shape, data: random(size(shape), seed) });
  switch (w.kind) {
    case 'matmul':
      inputs = [mk('A', [w.M, w.K], 1), mk('B', [w.K, w.N], 2)];
      break;
    case 'add':
      inputs = [mk('A', w.shape, 3), mk('B', w.shape, 4)];
      break;
    case 'softmax':
      inputs = [mk('X', w.shape, 5)];
      break;
  }
  cache.set(w.id, inputs);
  return inputs;
}

/** Drop cached inputs once a workload is done, so large ones do not pile up. */
export function releaseInputs(w: Workload): void {
  cache.delete(w.id);
}
