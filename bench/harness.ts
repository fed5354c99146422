/**
 * Timing. The host is shared and noisy, so the cells of one workload (every runtime) are measured
 * interleaved: after each cell's warm-up, its timed runs are spread over many rounds, and every round
 * visits every cell in a rotated order. A slow spell of the machine then hits all runtimes alike
 * instead of whichever one happened to be running. Each cell gets about the same time budget.
 */
import { timeOnce, type Cell, type Sample } from './peers/types.js';

export interface Budget {
  /** Time for the timed runs of one cell, ms. */
  budgetMs: number;
  /** Warm-up per cell: at least 2 runs and at least this long, ms. */
  warmupMs: number;
  /** Timed runs per cell, at least and at most. */
  minRuns: number;
  maxRuns: number;
  /** A cell whose runs take longer than this gets only `slowRuns` timed runs, and no warm-up beyond its first run. */
  slowMs: number;
  slowRuns: number;
  /** Rounds the timed runs are spread over; more rounds interleave the runtimes more finely. */
  rounds: number;
}

export const DEFAULT_BUDGET: Budget = { budgetMs: 1500, warmupMs: 150, minRuns: 7, maxRuns: 300, slowMs: 1000, slowRuns: 3, rounds: 20 };

export interface Stats {
  median: number;
  min: number;
  max: number;
  /** Interquartile range over the median, a noise gauge. */
  spread: number;
  /** Median CPU time of the process per run (all threads), ms. */
  cpuMedian: number;
  runs: number;
  warmups: number;
  /** Every timed run, in the order taken. */
  samples: Sample[];
  /** The round each sample was taken in (see measureInterleaved). */
  rounds: number[];
  note?: string;
}

export interface Timed {
  key: string;
  cell: Cell;
  /** How long the cell's first (untimed, checked) run took: it counts as warm-up when slow. */
  firstRunMs?: number;
}

async function timeRuns(cell: Cell, n: number): Promise<Sample[]> {
  if (cell.runTimed) return cell.runTimed(n);
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) out.push(await timeOnce(() => cell.run()));
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const sorted = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b);

export function summarize(samples: Sample[], rounds: number[], warmups: number, note?: string): Stats {
  const s = sorted(samples.map((x) => x.wall));
  const median = quantile(s, 0.5);
  return {
    median,
    min: s[0]!,
    max: s[s.length - 1]!,
    spread: (quantile(s, 0.75) - quantile(s, 0.25)) / median,
    cpuMedian: quantile(sorted(samples.map((x) => x.cpu)), 0.5),
    runs: s.length,
    warmups,
    samples,
    rounds,
    ...(note ? { note } : {}),
  };
}

/**
 * A short idle gap before each block of timed runs, so the previous runtime's threads (ORT's
 * intra-op pool spins for a while after a run) are asleep before the next runtime's clock starts.
 */
const settleGap = () => new Promise<void>((r) => setTimeout(r, 5));

/**
 * Warm-up runs stop at warmupMs or at this many runs. A cell of a few microseconds used to stop at
 * 50 runs, before V8 had optimised the JavaScript on its path: the 4-element Add model measured
 * 17 µs per run on twinops alone in a bench process and 3.5 µs after a few thousand runs, and
 * onnxruntime-web's front end is JavaScript too. Every cell gets the same rule.
 */
const MAX_WARMUP_RUNS = 5000;

/** Warm a cell up; returns the number of warm-up runs and a per-run time estimate (median after the first). */
async function warmUp(t: Timed, b: Budget): Promise<{ count: number; estimate: number }> {
  if (t.firstRunMs !== undefined && t.firstRunMs > b.slowMs) return { count: 0, estimate: t.firstRunMs };
  await t.cell.enter?.();
  const start = performance.now();
  const times: number[] = [];
  while (times.length < MAX_WARMUP_RUNS) {
    const [s] = await timeRuns(t.cell, 1);
    times.push(s!.wall);
    if (s!.wall > b.slowMs) break;
    if (times.length >= 2 && performance.now() - start >= b.warmupMs) break;
  }
  return { count: times.length, estimate: quantile(sorted(times.length > 1 ? times.slice(1) : times), 0.5) };
}

/** Measure every cell of one workload, interleaved. A cell that throws gets an error instead of stats. */
export async function measureInterleaved(cells: readonly Timed[], b: Budget): Promise<Map<string, Stats | Error>> {
  const results = new Map<string, Stats | Error>();
  const live: { key: string; cell: Cell; target: number; warmups: number; slow: boolean; samples: Sample[]; rounds: number[] }[] = [];
  for (const t of cells) {
    try {
      const w = await warmUp(t, b);
      const slow = w.estimate > b.slowMs;
      const target = slow ? b.slowRuns : Math.min(b.maxRuns, Math.max(b.minRuns, Math.floor(b.budgetMs / w.estimate)));
      live.push({ key: t.key, cell: t.cell, target, warmups: w.count, slow, samples: [], rounds: [] });
    } catch (e) {
      results.set(t.key, e instanceof Error ? e : new Error(String(e)));
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
        const got = await timeRuns(c.cell, want);
        c.samples.push(...got);
        c.rounds.push(...got.map(() => r));
      } catch (e) {
        results.set(c.key, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
  for (const c of live) {
    if (results.has(c.key)) continue;
    results.set(c.key, summarize(c.samples, c.rounds, c.warmups, c.slow ? `slow: ${c.samples.length} runs` : undefined));
  }
  return results;
}
