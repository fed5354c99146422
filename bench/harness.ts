/**
 * Timing. The host is shared and noisy, so the cells of one workload (every runtime) are measured
 * interleaved: after each cell's warm-up, timed runs are spread over several rounds, and every round
 * visits every cell in a rotated order. A slow spell of the machine then hits all runtimes alike
 * instead of whichever one happened to be running. Each cell gets about the same time budget.
 */
import { settle, type Cell } from './peers/types.js';

export interface Budget {
  /** Time for the timed runs of one cell, ms. */
  budgetMs: number;
  /** Warm-up per cell: at least 2 runs and at least this long, ms. */
  warmupMs: number;
  /** Timed runs per cell, at least and at most. */
  minRuns: number;
  maxRuns: number;
  /** A cell whose warm-up run takes longer than this gets only `slowRuns` timed runs. */
  slowMs: number;
  slowRuns: number;
  /** Rounds the timed runs are spread over; more rounds interleave the runtimes more finely. */
  rounds: number;
}

export const DEFAULT_BUDGET: Budget = { budgetMs: 1200, warmupMs: 150, minRuns: 7, maxRuns: 300, slowMs: 1000, slowRuns: 3, rounds: 20 };

export interface Stats {
  median: number;
  min: number;
  max: number;
  /** Interquartile range over the median, a noise gauge. */
  spread: number;
  runs: number;
  warmups: number;
  /** Every timed run, ms, in the order taken. */
  samples: number[];
  note?: string;
}

export interface Timed {
  key: string;
  cell: Cell;
}

async function timeRuns(cell: Cell, n: number): Promise<number[]> {
  if (cell.runTimed) return cell.runTimed(n);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const p = settle(cell.run());
    if (p) await p;
    out.push(performance.now() - t0);
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: number[], warmups: number, note?: string): Stats {
  const s = samples.slice().sort((a, b) => a - b);
  const median = quantile(s, 0.5);
  return {
    median,
    min: s[0]!,
    max: s[s.length - 1]!,
    spread: (quantile(s, 0.75) - quantile(s, 0.25)) / median,
    runs: s.length,
    warmups,
    samples,
    ...(note ? { note } : {}),
  };
}

/**
 * A short idle gap before each block of timed runs, so the previous runtime's threads (ORT's
 * intra-op pool spins for a while after a run) are asleep before the next runtime's clock starts.
 */
const settleGap = () => new Promise<void>((r) => setTimeout(r, 5));

/** Warm a cell up; returns the number of warm-up runs and a per-run time estimate (median after the first). */
async function warmUp(cell: Cell, b: Budget): Promise<{ count: number; estimate: number }> {
  await cell.enter?.();
  const t0 = performance.now();
  const times: number[] = [];
  while (times.length < 50) {
    const [t] = await timeRuns(cell, 1);
    times.push(t!);
    if (t! > b.slowMs) break;
    if (times.length >= 2 && performance.now() - t0 >= b.warmupMs) break;
  }
  const rest = (times.length > 1 ? times.slice(1) : times).sort((x, y) => x - y);
  return { count: times.length, estimate: quantile(rest, 0.5) };
}

/** Measure every cell of one workload, interleaved. A cell that throws gets an error instead of stats. */
export async function measureInterleaved(cells: readonly Timed[], b: Budget): Promise<Map<string, Stats | Error>> {
  const results = new Map<string, Stats | Error>();
  const live: { key: string; cell: Cell; target: number; warmups: number; slow: boolean; samples: number[] }[] = [];
  for (const { key, cell } of cells) {
    try {
      const w = await warmUp(cell, b);
      const slow = w.estimate > b.slowMs;
      const target = slow ? b.slowRuns : Math.min(b.maxRuns, Math.max(b.minRuns, Math.floor(b.budgetMs / w.estimate)));
      live.push({ key, cell, target, warmups: w.count, slow, samples: [] });
    } catch (e) {
      results.set(key, e instanceof Error ? e : new Error(String(e)));
    }
  }
  const rounds = Math.max(1, b.rounds);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < live.length; i++) {
      const c = live[(i + r) % live.length]!;
      if (results.has(c.key)) continue;
      const want = Math.ceil((c.target * (r + 1)) / rounds) - c.samples.length;
      if (want <= 0) continue;
      try {
        await settleGap();
        await c.cell.enter?.();
        c.samples.push(...(await timeRuns(c.cell, want)));
      } catch (e) {
        results.set(c.key, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
  for (const c of live) {
    if (results.has(c.key)) continue;
    results.set(c.key, summarize(c.samples, c.warmups, c.slow ? `slow: ${c.samples.length} runs` : undefined));
  }
  return results;
}
