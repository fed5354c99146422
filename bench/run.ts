/**
 * `npm run bench`: twinops against its peers, side by side in one process, one workload at a time,
 * all runtimes of a workload interleaved (see harness.ts). Prints tables, writes bench/results/ops.json.
 *
 * Relaxed SIMD needs `--experimental-wasm-relaxed-simd` on Node 20. The whole bench runs in a
 * process that has it (re-spawning itself with the flag when started without), and twinops is
 * created both with `relaxedSimd: true` and `false`, so every twinops configuration is measured in
 * the same process as the peers it is compared to.
 *
 * Options: --only=<ids>  --runtimes=<ids>  (comma-separated substrings of workload / runtime ids)
 *          --budget-ms=N  --min-runs=N  --out=<file>  --no-webgpu  --gpu-all (big MatMuls on a CPU-emulated
 *          adapter too)  --strict (exit 1 when a bar fails)  --no-models (leave out the whole-model rows of
 *          models-ort.ts, ids model-*, and tfjs-models.ts, ids tfjs-*; --only filters them too)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateBars } from './bars.js';
import { defaultVulkanIcd } from './gpu.js';
import { DEFAULT_BUDGET, measureInterleaved, type Budget, type Timed } from './harness.js';
import { ortRunners } from './peers/ort.js';
import { tfjsRunners } from './peers/tfjs.js';
import { TWINOPS_WASM_CONFIGS, twinopsId, twinopsRunners, type TwinopsConfig } from './peers/twinops.js';
import type { Runner } from './peers/types.js';
import { ratiosOf, render, type BenchRecord, type CellResult } from './report.js';
import { verify } from './verify.js';
import { MODEL_ROWS, runModelBench } from './models-ort.js';
import { TFJS_MODEL_IDS, runTfjsModelBench } from './tfjs-models.js';
import { WORKLOADS, inputsOf, releaseInputs, workOf } from './workloads.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const RESPAWNED = 'TWINOPS_BENCH_RESPAWNED';

/** (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))) */
function hasRelaxedSimd(): boolean {
  const zero = new Array<number>(16).fill(0);
  const body = [0, 253, 12, ...zero, 253, 12, ...zero, 253, 12, ...zero, 253, 133, 2, 11];
  const bytes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body];
  try {
    return WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

/** Without relaxed SIMD, run this same bench in a child process that has the flag. Returns its exit code. */
function respawnWithFlag(): number | undefined {
  if (hasRelaxedSimd() || process.env[RESPAWNED] || process.argv.includes('--no-respawn')) return undefined;
  process.stderr.write(`bench: no relaxed SIMD in this process; re-running with ${RELAXED_FLAG}\n`);
  const child = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RESPAWNED]: '1' },
  });
  return child.status ?? 1;
}

function parseArgs(argv: readonly string[]) {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (name: string) => get(name)?.split(',').filter(Boolean);
  const budget: Budget = { ...DEFAULT_BUDGET };
  if (get('budget-ms')) budget.budgetMs = Number(get('budget-ms'));
  if (get('min-runs')) budget.minRuns = Number(get('min-runs'));
  const here = dirname(fileURLToPath(import.meta.url));
  return {
    only: list('only'),
    runtimes: list('runtimes'),
    budget,
    out: resolve(get('out') ?? `${here}/results/ops.json`),
    webgpu: !argv.includes('--no-webgpu'),
    strict: argv.includes('--strict'),
  };
}

/** A cell whose checked first run takes longer than this is reported, not timed. */
const TOO_SLOW_MS = 10_000;

const wanted = (filter: string[] | undefined, id: string) => !filter || filter.some((f) => id.includes(f));
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

async function createRunners(opts: ReturnType<typeof parseArgs>) {
  const skipped: Record<string, string> = {};
  const configs: TwinopsConfig[] = [...TWINOPS_WASM_CONFIGS];
  if (opts.webgpu) {
    defaultVulkanIcd();
    configs.push({ device: 'webgpu', threads: 1, relaxedSimd: false });
  }
  const tw = await twinopsRunners(configs.filter((c) => wanted(opts.runtimes, twinopsId(c))));
  Object.assign(skipped, tw.skipped);
  const peers: Runner[] = [];
  try {
    peers.push(...(await tfjsRunners()));
  } catch (e) {
    skipped.tfjs = (e as Error).message;
  }
  peers.push(...ortRunners());
  const runners = [...tw.runners, ...peers].filter((r) => wanted(opts.runtimes, r.id));
  for (const r of peers) if (!runners.includes(r)) await r.dispose();
  return { runners, skipped };
}

async function main(): Promise<number> {
  const code = respawnWithFlag();
  if (code !== undefined) return code;
  const opts = parseArgs(process.argv.slice(2));
  // whole-model rows (bench/models-ort.ts) after the operator rows, or alone when --only names only them
  const noModels = process.argv.includes('--no-models');
  const models = !noModels && MODEL_ROWS.some((r) => wanted(opts.only, r.id));
  const tfjsModels = !noModels && TFJS_MODEL_IDS.some((id) => wanted(opts.only, id));
  const runModels = async () => {
    if (models) {
      const report = await runModelBench({ only: opts.only, budget: opts.budget, out: resolve(dirname(opts.out), 'models.json') });
      process.stdout.write(`\n${report}\n\nJSON: ${resolve(dirname(opts.out), 'models.json')}\n`);
    }
    // the tfjs models (bench/tfjs-models.ts): tfjs-backend-wasm and -cpu next to twinops
    if (tfjsModels) process.stdout.write(`\n${await runTfjsModelBench({ only: opts.only, out: resolve(dirname(opts.out), 'tfjs-models.json') })}\n`);
  };
  if (!WORKLOADS.some((w) => wanted(opts.only, w.id))) {
    await runModels();
    return 0;
  }
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const { runners, skipped } = await createRunners(opts);
  const workloads = WORKLOADS.filter((w) => wanted(opts.only, w.id));
  log(`${runners.length} runtimes × ${workloads.length} workloads: ${runners.map((r) => r.id).join(', ')}`);

  const cells: CellResult[] = [];
  for (const w of workloads) {
    const t0 = performance.now();
    inputsOf(w);
    const timed: Timed[] = [];
    for (const r of runners) {
      const base = { workload: w.id, runner: r.id };
      try {
        const cell = await r.prepare(w);
        if (typeof cell === 'string') {
          cells.push({ ...base, status: 'skipped', reason: cell });
          continue;
        }
        const t1 = performance.now();
        const wrong = verify(w, await cell.output());
        const firstRunMs = performance.now() - t1;
        if (wrong || firstRunMs > TOO_SLOW_MS) {
          const reason = wrong ?? `one run took ${(firstRunMs / 1000).toFixed(1)} s; not timed`;
          cells.push({ ...base, status: wrong ? 'wrong' : 'skipped', reason });
          await cell.dispose();
          continue;
        }
        timed.push({ key: r.id, cell, firstRunMs });
      } catch (e) {
        cells.push({ ...base, status: 'error', reason: (e as Error).message });
      }
    }
    const stats = await measureInterleaved(timed, opts.budget);
    const work = workOf(w);
    for (const { key, cell } of timed) {
      const s = stats.get(key)!;
      const base = { workload: w.id, runner: key };
      if (s instanceof Error) cells.push({ ...base, status: 'error', reason: s.message });
      else {
        const { median, min, max, spread, cpuMedian, runs, warmups, samples, rounds, note } = s;
        const throughput = work.amount / (median * 1e-3) / 1e9;
        const us = (x: number) => Math.round(x * 1000) / 1000;
        cells.push({
          ...base,
          status: 'ok',
          medianMs: median,
          minMs: min,
          maxMs: max,
          spread,
          cpuMedianMs: cpuMedian,
          runs,
          warmups,
          throughput,
          ...(note ? { note } : {}),
          samplesMs: samples.map((x) => us(x.wall)),
          cpuSamplesMs: samples.map((x) => us(x.cpu)),
          sampleRounds: rounds,
        });
      }
      try {
        await cell.dispose();
      } catch {
        /* a failed release does not void the measurement */
      }
    }
    releaseInputs(w);
    log(`${w.label} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // Keep the table in runner order.
  const order = new Map(runners.map((r, i) => [r.id, i]));
  cells.sort((a, b) => workloads.findIndex((w) => w.id === a.workload) - workloads.findIndex((w) => w.id === b.workload) || order.get(a.runner)! - order.get(b.runner)!);

  const record: BenchRecord = {
    machine: {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      v8: process.versions.v8,
      execArgv: process.execArgv,
      relaxedSimd: hasRelaxedSimd(),
      webgpuAdapter: (runners.find((r) => r.id === 'twinops-webgpu')?.info.adapter as string | undefined) ?? null,
      vkIcd: process.env.VK_ICD_FILENAMES ?? null,
      loadBefore,
      loadAfter: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    },
    options: { budget: opts.budget, only: opts.only ?? null, runtimes: opts.runtimes ?? null },
    runners: runners.map((r) => ({ id: r.id, label: r.label, family: r.family, info: r.info })),
    skippedRunners: skipped,
    workloads: workloads.map((w) => ({ id: w.id, label: w.label, kind: w.kind, work: workOf(w) })),
    cells,
    ratios: [],
    bars: [],
  };
  record.ratios = ratiosOf(record);
  record.bars = evaluateBars((workload, runner) => {
    const c = cells.find((x) => x.workload === workload && x.runner === runner);
    if (!c) return skipped[runner] ?? 'not measured';
    if (c.status !== 'ok') return `${c.status}: ${c.reason ?? ''}`;
    const info = runners.find((r) => r.id === runner)?.info;
    if (runner.endsWith('-relaxed') && info?.relaxedSimd !== true) return 'relaxed SIMD not in use';
    return { median: c.medianMs!, min: c.minMs!, cpu: c.cpuMedianMs!, samples: c.samplesMs!, rounds: c.sampleRounds! };
  });
  for (const r of runners) await r.dispose();

  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(record, null, 1) + '\n');
  process.stdout.write(render(record) + `\n\nJSON: ${opts.out}\n`);
  await runModels();
  return opts.strict && record.bars.some((b) => b.status !== 'PASS') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
