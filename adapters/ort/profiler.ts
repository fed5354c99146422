/** Per-node timings of session runs, as a text table or as Chrome trace JSON (chrome://tracing, Perfetto). */

export interface NodeEvent {
  run: number;
  node: string;
  op: string;
  device: string;
  /** Milliseconds since the profiler started. */
  start: number;
  duration: number;
  outputs: string;
}

export class Profiler {
  readonly events: NodeEvent[] = [];
  private readonly origin = performance.now();
  private runs = 0;

  nextRun(): number {
    return this.runs++;
  }

  record(run: number, node: string, op: string, device: string, t0: number, t1: number, outputs: string): void {
    this.events.push({ run, node, op, device, start: t0 - this.origin, duration: t1 - t0, outputs });
  }

  /** Total time per node over all runs, slowest first. Times on WebGPU are dispatch times (the GPU runs asynchronously). */
  table(): string {
    const agg = new Map<string, { op: string; device: string; n: number; total: number }>();
    for (const e of this.events) {
      const a = agg.get(e.node) ?? { op: e.op, device: e.device, n: 0, total: 0 };
      a.n++;
      a.total += e.duration;
      agg.set(e.node, a);
    }
    const rows = [...agg].sort((x, y) => y[1].total - x[1].total);
    const all = rows.reduce((s, [, a]) => s + a.total, 0);
    const lines = ['node | op | device | calls | total ms | mean ms | %'];
    for (const [node, a] of rows) {
      lines.push(`${node} | ${a.op} | ${a.device} | ${a.n} | ${a.total.toFixed(3)} | ${(a.total / a.n).toFixed(3)} | ${all > 0 ? ((100 * a.total) / all).toFixed(1) : '0.0'}`);
    }
    return lines.join('\n');
  }

  /** Chrome trace event format: one complete ('X') event per node execution, times in microseconds. */
  chromeTrace(): string {
    return JSON.stringify(
      this.events.map((e) => ({ name: e.node, cat: e.op, ph: 'X', ts: Math.round(e.start * 1000), dur: Math.max(1, Math.round(e.duration * 1000)), pid: 1, tid: 1, args: { op: e.op, device: e.device, run: e.run, outputs: e.outputs } })),
    );
  }
}
