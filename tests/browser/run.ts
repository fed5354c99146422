/**
 * The browser test: `npx tsx tests/browser/run.ts` (or `node --import tsx tests/browser/run.ts`).
 *
 * Bundles tests/browser (esbuild), serves it from 127.0.0.1 with COOP/COEP, opens it in Debian's
 * headless Chromium (playwright-core; WebGPU on SwiftShader), runs each group of cases in a fresh
 * page, prints one line per case and finally `browser: N passed, M failed, K skipped`. Exits 1 on
 * any failure. A hard timeout (TWINOPS_BROWSER_TIMEOUT_MS, default 120 s) ends everything.
 * TWINOPS_BROWSER_GROUPS=env,wasmPage,... runs only those groups.
 */
import { SourceMap } from 'node:module';
import type { Page } from 'playwright-core';
import { buildBundles } from './bundle.js';
import { CASE_TAG, type CaseResult } from './common.js';
import { launchChromium, type Launched } from './launch.js';
import { startServer, type TestServer } from './server.js';

interface Group {
  bundle: 'harness' | 'suite';
  fn: string;
  timeoutMs: number;
}

const GROUPS: Group[] = [
  { bundle: 'harness', fn: 'env', timeoutMs: 20_000 },
  { bundle: 'harness', fn: 'poolPage', timeoutMs: 20_000 },
  { bundle: 'harness', fn: 'poolWorker', timeoutMs: 20_000 },
  { bundle: 'suite', fn: 'wasmPage', timeoutMs: 40_000 },
  { bundle: 'suite', fn: 'wasmWorker', timeoutMs: 40_000 },
  { bundle: 'suite', fn: 'webgpu', timeoutMs: 60_000 },
];

const maps = new Map<string, SourceMap>();

/** Rewrite bundle locations (http://127.0.0.1:port/suite.js:L:C) in a message to source locations. */
function toSource(text: string): string {
  return text.replace(/http:\/\/127\.0\.0\.1:\d+\/(\w+)\.js:(\d+):(\d+)/g, (m, b: string, l: string, c: string) => {
    const e = maps.get(b)?.findEntry(+l - 1, +c - 1);
    return e && 'originalSource' in e ? `${e.originalSource}:${e.originalLine + 1}:${e.originalColumn + 1}` : m;
  });
}

const HARD_TIMEOUT_MS = Number(process.env.TWINOPS_BROWSER_TIMEOUT_MS ?? 120_000);
const counts = { pass: 0, fail: 0, skip: 0 };

function record(r: CaseResult): void {
  counts[r.status]++;
  const tag = r.status === 'pass' ? 'ok  ' : r.status === 'fail' ? 'FAIL' : 'skip';
  const detail = r.detail ? `: ${toSource(r.detail)}` : '';
  console.log(`  ${tag} ${r.name}${r.status === 'pass' ? ` (${r.ms} ms)` : ''}${detail}`);
}

function summary(): string {
  return `browser: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });

async function runGroup(browser: Launched['browser'], url: string, g: Group): Promise<void> {
  const page: Page = await browser.newPage();
  let lastCase = '(none)';
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith(CASE_TAG)) {
      const r = JSON.parse(text.slice(CASE_TAG.length)) as CaseResult;
      lastCase = r.name;
      record(r);
    } else if (m.type() === 'error' || m.type() === 'warning') console.log(`       [${g.fn} console.${m.type()}] ${text}`);
  });
  page.on('pageerror', (e) => console.log(`       [${g.fn} page error] ${e.message}`));
  page.on('crash', () => console.log(`       [${g.fn}] the page crashed`));
  const t0 = Date.now();
  try {
    await page.goto(url, { timeout: 10_000 });
    const call = page.evaluate(
      async ({ mod, fn }) => {
        const m = (await import(mod)) as Record<string, () => Promise<void>>;
        await m[fn]!();
      },
      { mod: `/${g.bundle}.js`, fn: g.fn },
    );
    await withTimeout(call, g.timeoutMs, `group ${g.fn}`);
  } catch (e) {
    const lines = (e as Error).message.split('\n');
    const at = lines.find((l) => /^\s*at .*\.js:\d+/.test(l))?.trim();
    record({ name: `group ${g.fn}`, status: 'fail', detail: `${lines[0]}${at ? ` ${at}` : ''} (last case reported: ${lastCase})`, ms: Date.now() - t0 });
  } finally {
    await withTimeout(page.close({ runBeforeUnload: false }), 5_000, 'page.close').catch(() => {});
  }
}

async function main(): Promise<number> {
  let server: TestServer | undefined;
  let chromium: Launched | undefined;
  const hard = setTimeout(() => {
    record({ name: 'browser test', status: 'fail', detail: `hard timeout after ${HARD_TIMEOUT_MS / 1000} s`, ms: HARD_TIMEOUT_MS });
    console.log(summary());
    process.exit(1); // playwright kills the chromium it launched when the process exits
  }, HARD_TIMEOUT_MS);
  try {
    const t0 = Date.now();
    const { harness, suite } = await buildBundles();
    console.log(`browser: bundled in ${Date.now() - t0} ms (harness ${harness.code?.length ?? '-'} B, suite ${suite.code?.length ?? '-'} B)`);
    for (const [name, b] of [['harness.ts', harness], ['entry.ts', suite]] as const) {
      if (b.errors.length) record({ name: `bundle tests/browser/${name}`, status: 'fail', detail: b.errors.slice(0, 5).join('; '), ms: 0 });
    }
    const files = new Map<string, string>([['/index.html', '<!doctype html><meta charset="utf-8"><title>twinops browser test</title>'], ['/favicon.ico', '']]);
    for (const [name, b] of [['harness', harness], ['suite', suite]] as const) {
      if (!b.code) continue;
      files.set(`/${name}.js`, b.code);
      if (b.map) maps.set(name, new SourceMap(JSON.parse(b.map)));
    }
    server = await startServer(files);
    chromium = await launchChromium();
    console.log(`browser: chromium ${chromium.browser.version()} at ${server.url}`);
    const only = process.env.TWINOPS_BROWSER_GROUPS?.split(',');
    for (const g of GROUPS) {
      if (only && !only.includes(g.fn)) continue;
      if (!files.has(`/${g.bundle}.js`)) continue; // its bundle failed, already reported
      await runGroup(chromium.browser, server.url, g);
    }
  } catch (e) {
    record({ name: 'browser test', status: 'fail', detail: (e as Error).stack ?? String(e), ms: 0 });
  } finally {
    await chromium?.close();
    await server?.close();
    clearTimeout(hard);
  }
  console.log(summary());
  return counts.fail > 0 ? 1 : 0;
}

process.exitCode = await main();
