import type { Workload } from '../workloads.js';

/**
 * One workload prepared on one runtime: inputs already uploaded, model already built.
 * `run()` is the timed unit: compute, read the output back to JS, release the output.
 */
export interface Cell {
  /** Untimed, before each block of timed runs (e.g. switch the active tfjs backend). */
  enter?(): void | Promise<void>;
  run(): unknown;
  /** For cells that live in another thread: run `n` times, timing each run there. */
  runTimed?(n: number): Promise<Sample[]>;
  /** One untimed run that returns the output, for the correctness check. */
  output(): Promise<ArrayLike<number>>;
  dispose(): void | Promise<void>;
}

/** A column of the table: one runtime in one configuration. */
export interface Runner {
  /** Short unique key, e.g. 'tfjs-wasm', 'ort-web-2t', 'twinops-wasm-1t-relaxed'. */
  readonly id: string;
  /** Human label for the table. */
  readonly label: string;
  /** 'twinops' or a peer family; ratios are twinops / peer. */
  readonly family: string;
  /** Free-form facts worth recording (threads, backend flags, adapter). */
  readonly info: Record<string, unknown>;
  /** A ready cell, or a string saying why this runtime does not run the workload. */
  prepare(w: Workload): Promise<Cell | string>;
  dispose(): Promise<void>;
}

/**
 * One timed run: wall-clock ms, and the CPU ms the whole process used meanwhile (all threads). On a
 * shared machine a 1-thread cell's CPU time is close to what it would take with a core to itself.
 */
export interface Sample {
  wall: number;
  cpu: number;
}

/** Time one call of `run` (awaited when it returns a promise). */
export async function timeOnce(run: () => unknown): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const p = settle(run());
  if (p) await p;
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Resolve a possibly-async run result without paying for a microtask on sync runtimes. */
export function settle(r: unknown): Promise<unknown> | undefined {
  return r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function'
    ? (r as Promise<unknown>)
    : undefined;
}
