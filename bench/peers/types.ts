import type { Workload } from '../workloads.js';

/**
 * One workload prepared on one runtime: inputs already uploaded, model already built.
 * `run()` is the timed unit: compute, read the output back to JS, release the output.
 */
export interface Cell {
  /** Untimed, before each block of timed runs (e.g. switch the active tfjs backend). */
  enter?(): void | Promise<void>;
  run(): unknown;
  /** For cells that live in another thread: run `n` times, timing each run there; returns ms. */
  runTimed?(n: number): Promise<number[]>;
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

/** Resolve a possibly-async run result without paying for a microtask on sync runtimes. */
export function settle(r: unknown): Promise<unknown> | undefined {
  return r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function'
    ? (r as Promise<unknown>)
    : undefined;
}
