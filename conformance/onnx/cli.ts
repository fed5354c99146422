/**
 * Run the ONNX backend suites (onnx-node, onnx-light, onnx-pytorch, onnx2c, mnist-8) through
 * onnxruntime-common with the twinops backend; print `N passed, M failed, K skipped` per suite and
 * write the ONNX section of docs/CONFORMANCE.md.
 *   npx tsx conformance/onnx/cli.ts [suite ...] [--no-docs] [--threads=N] [--webgpu] [--filter=REGEX] [--expect-passed=suite:N,...]
 * --filter runs only the cases whose name matches REGEX (for working on one op; implies --no-docs).
 * Exit status 1 when a case fails, or with --expect-passed, when a named suite passes fewer than N.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-common';
import { registerOrtBackend, type OrtModule } from '../../adapters/ort/index.js';
import { loadSuite, locateConformance, SUITES, type Suite } from './cases.js';
import { renderMarkdown, summaryLine, writeSection, type SuiteRun } from './report.js';
import { runCase } from './runner.js';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

const args = process.argv.slice(2);
const root = locateConformance();
if (!root) {
  console.log('onnx suites: skipped — no conformance data at ../shared/conformance; set TWINOPS_CONFORMANCE_DIR');
  process.exit(0);
}
const KNOWN_FLAGS = ['--no-docs', '--webgpu', '--verbose', '--threads=', '--filter=', '--expect-passed='];
const unknownFlag = args.find((a) => a.startsWith('--') && !KNOWN_FLAGS.some((f) => (f.endsWith('=') ? a.startsWith(f) : a === f)));
if (unknownFlag) {
  // refuse before running anything: an unknown flag must not fall through to a full run that rewrites the docs
  console.error(`onnx suites: unknown option ${unknownFlag}. Usage: npx tsx conformance/onnx/cli.ts [suite ...] [--no-docs] [--threads=N] [--webgpu] [--filter=REGEX] [--verbose] [--expect-passed=suite:N,...]`);
  process.exit(2);
}
const named = args.filter((a) => !a.startsWith('--'));
for (const n of named) if (!(SUITES as readonly string[]).includes(n)) throw new Error(`unknown suite '${n}' (known: ${SUITES.join(', ')})`);
const suites = (named.length ? named : SUITES) as Suite[];
const threads = Number(args.find((a) => a.startsWith('--threads='))?.slice(10) ?? 1);
const ep = args.includes('--webgpu') ? 'twinops-webgpu' : 'twinops';
const options = { executionProviders: [ep], intraOpNumThreads: threads };
const filterArg = args.find((a) => a.startsWith('--filter='))?.slice('--filter='.length);
const filter = filterArg ? new RegExp(filterArg) : undefined;
const verbose = args.includes('--verbose') || !!filter;

registerOrtBackend(ort as unknown as OrtModule, { warn: () => undefined });
const runs: SuiteRun[] = [];
for (const suite of suites) {
  const cases = loadSuite(root, suite).filter((c) => !filter || filter.test(c.name));
  const run: SuiteRun = { suite, results: [] };
  for (const c of cases) {
    const r = await runCase(ort, c, options);
    run.results.push(r);
    if (verbose) console.log(`  ${r.status.padEnd(4)} ${c.name}${r.status === 'pass' ? '' : `: ${r.reason ?? ''}`}`);
  }
  runs.push(run);
  console.log(summaryLine(run));
}
if (!args.includes('--no-docs') && !filter) {
  const doc = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'CONFORMANCE.md');
  writeSection(doc, renderMarkdown(runs, root, JSON.stringify(options)));
  console.log(`wrote the ONNX section of ${doc}`);
}
// --expect-passed=suite:N,...: a regression guard while the suites are still being worked through.
// With it, the exit status says whether each named suite passed at least N cases; without it, any
// failing case fails the run.
const expect = args.find((a) => a.startsWith('--expect-passed='))?.slice('--expect-passed='.length);
if (expect) {
  let ok = true;
  for (const [suite, n] of expect.split(',').map((e) => e.split(':') as [string, string])) {
    const run = runs.find((r) => r.suite === suite);
    const passed = run ? run.results.filter((x) => x.status === 'pass').length : 0;
    if (passed < Number(n)) {
      console.log(`onnx suites: ${suite} passed ${passed}, below the expected ${n}`);
      ok = false;
    }
  }
  process.exit(ok ? 0 : 1);
}
process.exit(runs.some((r) => r.results.some((x) => x.status === 'fail')) ? 1 : 0);
