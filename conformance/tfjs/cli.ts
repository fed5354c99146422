/**
 * Run tfjs-core's own test suite against tfjs backends in Node and print `N passed, M failed, K skipped`.
 *
 *   npx tsx conformance/tfjs/cli.ts [--backends=twinops,cpu,wasm] [--filter=TEXT] [--no-docs]
 *                                   [--expect-passed=N] [--json=FILE]
 *
 * Each backend runs in its own Node process (a bundle built by bundle.ts). The docs/CONFORMANCE.md
 * section (between <!-- tfjs:begin --> and <!-- tfjs:end -->) is rewritten unless --no-docs or
 * --filter is given. Exit status 1 when a run produced no result, or when --expect-passed=N is given
 * and a twinops run passed fewer than N specs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS } from './backends.js';
import { bundleSuite } from './bundle.js';
import type { SuiteRunResult } from './harness.js';
import { count, line, renderMarkdown, renderText, writeSection } from './report.js';
import { DENY, jasmineVersion, loadSuite } from './suite.js';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const names = (opt('backends') ?? opt('backend') ?? 'twinops').split(',').filter(Boolean);
const filter = opt('filter');
const expectPassed = opt('expect-passed');
const unknown = names.filter((n) => !(n in BACKENDS));
if (unknown.length) {
  console.error(`unknown backend(s) ${unknown.join(', ')}; known: ${Object.keys(BACKENDS).join(', ')}`);
  process.exit(2);
}

const jasmine = jasmineVersion();
if (jasmine === undefined) {
  console.log('tfjs conformance: jasmine-core is not installed (tfjs-core 4.22.0 runs on jasmine-core 4.2.x: add jasmine-core@4.2.0 to devDependencies)');
  process.exit(1);
}
const suite = loadSuite();
const tmp = mkdtempSync(join(tmpdir(), 'tfjs-conformance-'));
const runs: SuiteRunResult[] = [];
let broken = false;
for (const name of names) {
  const backend = BACKENDS[name]!;
  const bundle = await bundleSuite(suite, backend, filter);
  const out = join(tmp, `${name}.json`);
  const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--max-old-space-size=4096', bundle], {
    env: { ...process.env, TFJS_CONFORMANCE_OUT: out },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 20 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  let result: SuiteRunResult;
  try {
    result = JSON.parse(readFileSync(out, 'utf8')) as SuiteRunResult;
  } catch {
    broken = true;
    console.log(`tfjs-core suite on '${name}': no result (exit ${child.status}, signal ${child.signal})`);
    console.log((child.stderr ?? '').split('\n').slice(-30).join('\n'));
    continue;
  }
  runs.push(result);
  console.log(renderText(result));
  if (process.env.TFJS_CONFORMANCE_STDERR) console.log(child.stderr);
}
const json = opt('json');
if (json) writeFileSync(json, JSON.stringify(runs, null, 1));
rmSync(tmp, { recursive: true, force: true });

if (!args.includes('--no-docs') && !filter && runs.length) {
  const doc = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'CONFORMANCE.md');
  const command = `npx tsx conformance/tfjs/cli.ts --backends=${runs.map((r) => r.backend).join(',')}`;
  writeSection(doc, renderMarkdown(runs, { version: suite.version, jasmine, denied: DENY, command }));
  console.log(`wrote the tfjs section of ${doc}`);
}

const twin = runs.find((r) => r.backend === 'twinops');
let regressed = false;
if (expectPassed !== undefined && twin && count(twin).passed < Number(expectPassed)) {
  regressed = true;
  console.log(`twinops passed ${count(twin).passed} specs, fewer than the expected ${expectPassed}`);
}
// the closing line: the twinops run's counts where it ran, else the sum over the backends run
const total = { passed: 0, failed: 0, skipped: 0 };
for (const r of twin ? [twin] : runs) {
  const c = count(r);
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
console.log(line(total));
process.exit(broken || regressed ? 1 : 0);
