/**
 * The bars twinops must clear, each a ratio of two cells measured in the same run:
 * speed(subject) / speed(reference) = median(reference) / median(subject) >= min.
 */
export interface Bar {
  workload: string;
  subject: string;
  reference: string;
  min: number;
  /** Why the bar exists, printed with it. */
  what: string;
}

const T1 = 'twinops-wasm-1t';
const T1R = 'twinops-wasm-1t-relaxed';
const T2 = 'twinops-wasm-2t';
const T2R = 'twinops-wasm-2t-relaxed';
const XNN = 'tfjs-wasm';
const MM512 = 'matmul-512x512x512';
const MM1024 = 'matmul-1024x1024x1024';

export const BARS: readonly Bar[] = [
  { workload: MM1024, subject: T1, reference: XNN, min: 1.0, what: 'MatMul 1024³, 1 thread, no relaxed SIMD vs tfjs-wasm' },
  { workload: MM512, subject: T1, reference: XNN, min: 1.0, what: 'MatMul 512³, 1 thread, no relaxed SIMD vs tfjs-wasm' },
  { workload: MM1024, subject: T1R, reference: XNN, min: 1.3, what: 'MatMul 1024³, 1 thread, relaxed SIMD vs tfjs-wasm' },
  { workload: MM512, subject: T1R, reference: XNN, min: 1.3, what: 'MatMul 512³, 1 thread, relaxed SIMD vs tfjs-wasm' },
  { workload: MM1024, subject: T2, reference: T1, min: 1.8, what: 'MatMul 1024³, 2 threads vs 1 thread, no relaxed SIMD' },
  { workload: MM1024, subject: T2R, reference: T1R, min: 1.8, what: 'MatMul 1024³, 2 threads vs 1 thread, relaxed SIMD' },
  { workload: 'add-1m', subject: T1, reference: XNN, min: 1.0, what: 'Add 1M, 1 thread, no relaxed SIMD vs tfjs-wasm' },
  { workload: 'add-1m', subject: T1R, reference: XNN, min: 1.0, what: 'Add 1M, 1 thread, relaxed SIMD vs tfjs-wasm' },
  { workload: 'softmax-1000x1000', subject: T1, reference: XNN, min: 1.5, what: 'Softmax 1000², 1 thread, no relaxed SIMD vs tfjs-wasm' },
  { workload: 'softmax-1000x1000', subject: T1R, reference: XNN, min: 1.5, what: 'Softmax 1000², 1 thread, relaxed SIMD vs tfjs-wasm' },
  // The Add and Softmax bars name no thread count. tfjs-backend-wasm cannot use threads in Node, and
  // 2 threads is twinops' default here, so the 2-thread ratios are reported too, never instead.
  { workload: 'add-1m', subject: T2, reference: XNN, min: 1.0, what: 'Add 1M, 2 threads, no relaxed SIMD vs tfjs-wasm (1 thread, its maximum in Node)' },
  { workload: 'softmax-1000x1000', subject: T2, reference: XNN, min: 1.5, what: 'Softmax 1000², 2 threads, no relaxed SIMD vs tfjs-wasm (1 thread, its maximum in Node)' },
  { workload: 'softmax-1000x1000', subject: T2R, reference: XNN, min: 1.5, what: 'Softmax 1000², 2 threads, relaxed SIMD vs tfjs-wasm (1 thread, its maximum in Node)' },
];

export interface BarResult extends Bar {
  /** From the medians: this decides PASS/FAIL. */
  ratio: number | undefined;
  /** The same ratio from the fastest runs, a gauge of how much noise moved it. */
  minRatio?: number;
  /**
   * The same ratio from median CPU time (whole process). For 1-thread cells this discounts time the
   * bench spent preempted by other processes; for 2-thread cells it measures work, not latency.
   */
  cpuRatio?: number;
  /**
   * Median over the interleaving rounds of the ratio within each round: runs taken close together
   * share the machine's state, so this is the ratio least moved by slow spells.
   */
  pairedRatio?: number;
  status: 'PASS' | 'FAIL' | 'N/A';
  /** Why N/A. */
  reason?: string;
}

const oneThread = (runner: string) => !/-2t\b/.test(runner);

export type CellTimes = { median: number; min: number; cpu: number; samples: number[]; rounds: number[] };

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** reference / subject within each round both ran in, then the median over those rounds (at least 3). */
function pairedRatio(subject: CellTimes, reference: CellTimes): number | undefined {
  const byRound = (c: CellTimes) => {
    const m = new Map<number, number[]>();
    c.samples.forEach((x, i) => m.set(c.rounds[i]!, [...(m.get(c.rounds[i]!) ?? []), x]));
    return m;
  };
  const s = byRound(subject);
  const r = byRound(reference);
  const ratios = [...s.keys()].filter((k) => r.has(k)).map((k) => median(r.get(k)!) / median(s.get(k)!));
  return ratios.length >= 3 ? median(ratios) : undefined;
}

/** `times(workload, runner)` gives a cell's median and min in ms, or a reason it has none. */
export function evaluateBars(times: (workload: string, runner: string) => CellTimes | string): BarResult[] {
  return BARS.map((bar) => {
    const s = times(bar.workload, bar.subject);
    const r = times(bar.workload, bar.reference);
    if (typeof s === 'string' || typeof r === 'string') {
      return { ...bar, ratio: undefined, status: 'N/A', reason: typeof s === 'string' ? `${bar.subject}: ${s}` : `${bar.reference}: ${r}` };
    }
    const ratio = r.median / s.median;
    const cpu = oneThread(bar.subject) && oneThread(bar.reference) ? { cpuRatio: r.cpu / s.cpu } : {};
    const paired = pairedRatio(s, r);
    return { ...bar, ratio, minRatio: r.min / s.min, ...cpu, ...(paired ? { pairedRatio: paired } : {}), status: ratio >= bar.min ? 'PASS' : 'FAIL' };
  });
}
