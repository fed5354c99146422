/**
 * Results: the record written to JSON and the tables printed to stdout.
 */
import type { BarResult } from './bars.js';
import type { Work } from './workloads.js';

export interface CellResult {
  workload: string;
  runner: string;
  status: 'ok' | 'skipped' | 'error' | 'wrong';
  /** Why skipped / the error / the mismatch. */
  reason?: string;
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Interquartile range / median. */
  spread?: number;
  /** Median CPU time of the whole process per run (all threads). */
  cpuMedianMs?: number;
  runs?: number;
  warmups?: number;
  /** Throughput at the median, in the workload's unit. */
  throughput?: number;
  note?: string;
  samplesMs?: number[];
  cpuSamplesMs?: number[];
  /** The interleaving round of each sample. */
  sampleRounds?: number[];
}

export interface RunnerRecord {
  id: string;
  label: string;
  family: string;
  info: Record<string, unknown>;
}

export interface WorkloadRecord {
  id: string;
  label: string;
  kind: string;
  work: Work;
}

export interface Ratio {
  workload: string;
  twinops: string;
  peer: string;
  /** peer median / twinops median: above 1, twinops is faster. */
  speedup: number;
}

export interface BenchRecord {
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  runners: RunnerRecord[];
  skippedRunners: Record<string, string>;
  workloads: WorkloadRecord[];
  cells: CellResult[];
  ratios: Ratio[];
  bars: BarResult[];
}

/** 3 significant digits, no exponent for the usual range. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 4));
}

function table(header: string[], rows: string[][], leftCols = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  // Columns without a header (notes) get no rule, so a long note does not stretch it.
  return [line(header), line(widths.map((w, i) => (header[i] ? '-'.repeat(w) : ''))), ...rows.map(line)].join('\n');
}

/** All pairwise ratios twinops / peer per workload, for the JSON. */
export function ratiosOf(rec: Pick<BenchRecord, 'cells' | 'runners'>): Ratio[] {
  const family = new Map(rec.runners.map((r) => [r.id, r.family]));
  const ok = rec.cells.filter((c) => c.status === 'ok' && c.medianMs !== undefined);
  const out: Ratio[] = [];
  for (const t of ok.filter((c) => family.get(c.runner) === 'twinops')) {
    for (const p of ok.filter((c) => c.workload === t.workload && family.get(c.runner) !== 'twinops')) {
      out.push({ workload: t.workload, twinops: t.runner, peer: p.runner, speedup: p.medianMs! / t.medianMs! });
    }
  }
  return out;
}

function cellsTable(rec: BenchRecord, w: WorkloadRecord): string {
  const label = new Map(rec.runners.map((r) => [r.id, r.label]));
  const rows = rec.cells
    .filter((c) => c.workload === w.id)
    .map((c) =>
      c.status === 'ok'
        ? [label.get(c.runner) ?? c.runner, fmt(c.medianMs), fmt(c.minMs), String(c.runs), `${Math.round((c.spread ?? 0) * 100)}%`, fmt(c.cpuMedianMs), fmt(c.throughput), c.note ?? '']
        : [label.get(c.runner) ?? c.runner, c.status.toUpperCase(), '', '', '', '', '', (c.reason ?? '').slice(0, 100)],
    );
  return table(['  ' + w.label, 'median ms', 'min ms', 'runs', 'IQR', 'CPU ms', w.work.unit, ''], rows.map((r) => ['  ' + r[0], ...r.slice(1)]));
}

/**
 * Thread-matched speed-ups: 1-thread peers against twinops 1 thread, 2-thread peers against twinops
 * 2 threads, each with relaxed SIMD off and on.
 */
function ratioTable(rec: BenchRecord): string {
  const label = new Map(rec.runners.map((r) => [r.id, r.label]));
  const peers = rec.runners.filter((r) => r.family !== 'twinops');
  const rows: string[][] = [];
  for (const p of peers) {
    const t = Number(p.info.threads ?? 1) >= 2 ? 2 : 1;
    for (const tw of [`twinops-wasm-${t}t`, `twinops-wasm-${t}t-relaxed`]) {
      if (!label.has(tw)) continue;
      rows.push([
        p.label,
        label.get(tw)!,
        ...rec.workloads.map((w) => {
          const r = rec.ratios.find((x) => x.workload === w.id && x.twinops === tw && x.peer === p.id);
          return r ? `${fmt(r.speedup)}×` : '–';
        }),
      ]);
    }
  }
  return table(['peer', 'twinops', ...rec.workloads.map((w) => w.label)], rows, 2);
}

export function render(rec: BenchRecord): string {
  const m = rec.machine;
  const out: string[] = [];
  out.push(`twinops bench  ${String(m.date)}  ${String(m.cpu)} ×${String(m.cores)}  node ${String(m.node)} (V8 ${String(m.v8)})`);
  out.push(`load average ${String(m.loadBefore)} before, ${String(m.loadAfter)} after; relaxed SIMD in this process: ${String(m.relaxedSimd)}`);
  const why = new Map<string, string[]>();
  for (const [id, reason] of Object.entries(rec.skippedRunners)) why.set(reason, [...(why.get(reason) ?? []), id]);
  for (const [reason, ids] of why) out.push(`not measured: ${ids.join(', ')}: ${reason}`);
  // The 1-minute load average before the bench is other processes; after, it includes the bench's own 1-2 threads.
  const [before, after] = [m.loadBefore, m.loadAfter].map((l) => Number(String(l).split(' ')[0]));
  const cores = Number(m.cores);
  if (before! > cores / 2 || after! > cores + 1) {
    out.push(`WARNING: load average ${before} before / ${after} after on ${cores} cores: other processes competed for the CPU; trust ratios less, 2-thread ones least`);
  }
  out.push('');
  for (const w of rec.workloads) out.push(cellsTable(rec, w), '');
  if (rec.ratios.length) {
    out.push('Speed-up of twinops over each peer (peer median / twinops median, >1 = twinops faster), thread-matched:');
    out.push(ratioTable(rec), '');
  }
  out.push('Bars (same run):');
  for (const b of rec.bars) {
    const r =
      b.ratio === undefined
        ? `n/a (${(b.reason ?? '').slice(0, 90)})`
        : `${b.ratio.toFixed(2)}× (need ≥ ${b.min.toFixed(1)}×)${b.pairedRatio === undefined ? '' : `   paired by round: ${b.pairedRatio.toFixed(2)}×`}`;
    out.push(`  ${b.status.padEnd(4)}  ${b.what}: ${r}`);
  }
  return out.join('\n');
}
