/**
 * Whole tfjs models (bench/models/tfjs-catalog.ts) on twinops against tfjs-backend-wasm (XNNPACK,
 * 1 thread: it cannot use threads in Node) and tfjs-backend-cpu, in one process, interleaved like
 * the op benchmarks (bench/harness.ts). A timed run is `model.predict(x)`, reading every output back
 * and disposing it: the latency a user sees. Each runtime loads its own copy of the model, so no
 * weights move between backends. Writes bench/results/tfjs-models.json.
 *
 *   node --experimental-wasm-relaxed-simd --import tsx bench/tfjs-models.ts [--only=<ids>] [--budget-ms=N] [--no-cpu]
 * `npm run bench` runs it after the ONNX model rows (bench/run.ts; ids tfjs-<model>, which --only
 * filters; --no-models leaves them out).
 *
 * Bars (issue 3): twinops at 1 thread no slower than tfjs-wasm on each model; 2 threads at least
 * 1.6× faster than tfjs-wasm.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerTwinopsBackend } from '../adapters/tfjs/index.js';
import { DEFAULT_BUDGET, measureInterleaved, type Stats, type Timed } from './harness.js';
import { TFJS_MODELS, modelTensor, type TfjsModelSpec } from './models/tfjs-catalog.js';
import type { Cell } from './peers/types.js';
import { detectFeatures } from '../wasm-kernels/runtime/features.js';

const log = (s: string) => process.stderr.write(`bench tfjs-models: ${s}\n`);

const relaxed = detectFeatures().relaxedSimd;

interface Runtime {
  id: string;
  label: string;
  backend: string;
}
const runtimes = (cpu: boolean): Runtime[] => [
  { id: 'tfjs-wasm', label: 'tfjs-wasm (XNNPACK, 1t)', backend: 'wasm' },
  { id: 'twinops-1t', label: 'twinops 1t', backend: 'twinops-bench-1t' },
  ...(relaxed ? [{ id: 'twinops-1t-relaxed', label: 'twinops 1t relaxed', backend: 'twinops-bench-1t-relaxed' }] : []),
  { id: 'twinops-2t', label: 'twinops 2t', backend: 'twinops-bench-2t' },
  ...(relaxed ? [{ id: 'twinops-2t-relaxed', label: 'twinops 2t relaxed', backend: 'twinops-bench-2t-relaxed' }] : []),
  ...(cpu ? [{ id: 'tfjs-cpu', label: 'tfjs-cpu', backend: 'cpu' }] : []),
];
let registered = false;
function registerBackends(): void {
  if (registered) return;
  registered = true;
  registerTwinopsBackend({ name: 'twinops-bench-1t', threads: 1, relaxedSimd: false });
  registerTwinopsBackend({ name: 'twinops-bench-2t', threads: 2, relaxedSimd: false });
  if (relaxed) {
    registerTwinopsBackend({ name: 'twinops-bench-1t-relaxed', threads: 1, relaxedSimd: true });
    registerTwinopsBackend({ name: 'twinops-bench-2t-relaxed', threads: 2, relaxedSimd: true });
  }
}

/** The rows' ids as bench/run.ts filters them. */
export const TFJS_MODEL_IDS = TFJS_MODELS.map((m) => `tfjs-${m.id}`);

export interface TfjsModelBenchOptions {
  /** substrings of row ids (tfjs-<model>) */
  only?: string[];
  budgetMs?: number;
  out?: string;
  cpu?: boolean;
}

async function activate(backend: string): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
}

async function prepare(spec: TfjsModelSpec, rt: Runtime): Promise<Cell> {
  await activate(rt.backend);
  if (rt.backend === 'cpu') (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
  const model = await spec.load();
  const x = modelTensor(spec);
  const enter = () => activate(rt.backend);
  const once = () => {
    const y = model.predict(x) as tf.Tensor | tf.Tensor[];
    const ys = Array.isArray(y) ? y : [y];
    const data = ys.map((t) => t.dataSync());
    tf.dispose(ys);
    return data;
  };
  return {
    enter,
    run: once,
    async output() {
      await enter();
      return once()[0] as Float32Array;
    },
    dispose() {
      x.dispose();
      model.dispose();
    },
  };
}

interface Row {
  model: string;
  label: string;
  cells: Record<string, { medianMs: number; minMs: number; spread: number; runs: number } | { error: string }>;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Run the tfjs model rows; returns the Markdown report and writes the JSON record. */
export async function runTfjsModelBench(opts: TfjsModelBenchOptions = {}): Promise<string> {
  registerBackends();
  const RUNTIMES = runtimes(opts.cpu ?? true);
  const budget = { ...DEFAULT_BUDGET, budgetMs: opts.budgetMs ?? 2000 };
  const only = opts.only;
  const rows: Row[] = [];
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  for (const spec of TFJS_MODELS.filter((s) => !only || only.some((o) => `tfjs-${s.id}`.includes(o)))) {
    const t0 = performance.now();
    const row: Row = { model: spec.id, label: spec.label, cells: {} };
    const timed: Timed[] = [];
    for (const rt of RUNTIMES) {
      try {
        const cell = await prepare(spec, rt);
        const t1 = performance.now();
        await cell.output();
        timed.push({ key: rt.id, cell, firstRunMs: performance.now() - t1 });
      } catch (e) {
        row.cells[rt.id] = { error: (e as Error).message };
      }
    }
    const stats = await measureInterleaved(timed, budget);
    for (const t of timed) {
      const s = stats.get(t.key) as Stats | Error;
      row.cells[t.key] = s instanceof Error ? { error: s.message } : { medianMs: s.median, minMs: s.min, spread: s.spread, runs: s.runs };
      await t.cell.dispose();
    }
    rows.push(row);
    log(`${spec.id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const med = (r: Row, id: string) => {
    const c = r.cells[id];
    return c && 'medianMs' in c ? c.medianMs : undefined;
  };
  const ids = RUNTIMES.map((r) => r.id);
  const lines = [
    `| model | ${RUNTIMES.map((r) => r.label).join(' | ')} | 1t / tfjs-wasm | 2t / tfjs-wasm |`,
    `|---|${RUNTIMES.map(() => '---:').join('|')}|---:|---:|`,
  ];
  const bars: { model: string; bar: string; ratio: number | null; min: number; status: string }[] = [];
  for (const r of rows) {
    const xnn = med(r, 'tfjs-wasm');
    const best1 = med(r, relaxed ? 'twinops-1t-relaxed' : 'twinops-1t');
    const best2 = med(r, relaxed ? 'twinops-2t-relaxed' : 'twinops-2t');
    const ratio = (a?: number, b?: number) => (a && b ? b / a : null);
    const r1 = ratio(best1, xnn);
    const r2 = ratio(best2, xnn);
    const cell = (id: string) => {
      const c = r.cells[id];
      return !c ? '–' : 'medianMs' in c ? `${fmt(c.medianMs)} ms` : `error: ${c.error.slice(0, 60)}`;
    };
    lines.push(`| ${r.model} | ${ids.map(cell).join(' | ')} | ${r1 ? r1.toFixed(2) + '×' : '–'} | ${r2 ? r2.toFixed(2) + '×' : '–'} |`);
    bars.push({ model: r.model, bar: '1 thread vs tfjs-wasm', ratio: r1, min: 1.0, status: r1 === null ? 'NOT MEASURED' : r1 >= 1.0 ? 'PASS' : 'FAIL' });
    bars.push({ model: r.model, bar: '2 threads vs tfjs-wasm', ratio: r2, min: 1.6, status: r2 === null ? 'NOT MEASURED' : r2 >= 1.6 ? 'PASS' : 'FAIL' });
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const out = resolve(opts.out ?? `${here}/results/tfjs-models.json`);
  mkdirSync(dirname(out), { recursive: true });
  const record = {
    machine: { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, relaxedSimd: relaxed, loadBefore, loadAfter: os.loadavg().map((x) => x.toFixed(2)).join(' ') },
    budget,
    runtimes: RUNTIMES,
    rows,
    bars,
  };
  writeFileSync(out, JSON.stringify(record, null, 1) + '\n');
  const ratioNote = relaxed ? 'ratios use the relaxed-SIMD twinops cells (the default where the engine has relaxed SIMD)' : 'no relaxed SIMD in this process';
  return (
    `## tfjs models: median latency of predict() + read-back (${ratioNote})\n\n${lines.join('\n')}\n\n` +
    bars.map((b) => `- ${b.status} ${b.model}: ${b.bar} ${b.ratio ? b.ratio.toFixed(2) + '×' : '–'} (bar ${b.min}×)`).join('\n') +
    `\n\nload average before/after: ${record.machine.loadBefore} / ${record.machine.loadAfter}\nJSON: ${out}`
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  runTfjsModelBench({ only: get('only')?.split(','), budgetMs: get('budget-ms') ? Number(get('budget-ms')) : undefined, out: get('out'), cpu: !args.includes('--no-cpu') }).then(
    (report) => {
      process.stdout.write(`\n${report}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
