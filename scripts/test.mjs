#!/usr/bin/env node
/**
 * `npm test`: the whole suite, ending with one summary line `N passed, M failed, K skipped`.
 *   0. the strict TypeScript check of every source and test file,
 *   1. vitest under --experimental-wasm-relaxed-simd (relaxed-SIMD kernels where detected),
 *   2. the wasm op tests again without the flag (the plain SIMD128 kernels and the detection path),
 *   3. the browser test in headless Chromium (wasm threads in Web Workers, WebGPU on SwiftShader).
 * Exits non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const env = { ...process.env };
if (!env.VK_ICD_FILENAMES && existsSync(swiftshader)) env.VK_ICD_FILENAMES = swiftshader;
const dir = mkdtempSync(join(tmpdir(), 'twinops-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function vitest(label, extraEnv, files) {
  const out = join(dir, `${label}.json`);
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...files];
  const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (!existsSync(out)) {
    totals.failed++;
    lines.push(`${label}: vitest produced no report (exit ${r.status})`);
    return;
  }
  const j = JSON.parse(readFileSync(out, 'utf8'));
  // a test file that fails to load has no test results of its own: count it as one failure
  const brokenFiles = j.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  const p = j.numPassedTests;
  const f = j.numFailedTests + brokenFiles;
  const s = j.numPendingTests + (j.numTodoTests ?? 0);
  totals.passed += p;
  totals.failed += f;
  totals.skipped += s;
  lines.push(`${label}: ${p} passed, ${f} failed, ${s} skipped`);
}

const tsc = spawnSync('npx', ['tsc', '--noEmit', '-p', '.'], { stdio: 'inherit', env });
totals[tsc.status === 0 ? 'passed' : 'failed']++;
lines.push(`typecheck (tsc --noEmit, strict): ${tsc.status === 0 ? 'passed' : 'FAILED'}`);

vitest('vitest (relaxed SIMD enabled)', { TWINOPS_RELAXED: '1' }, []);
vitest('vitest (plain SIMD128)', { TWINOPS_RELAXED: '0' }, ['tests/ops-wasm.test.ts', 'tests/features.test.ts', 'tests/gemm-kernel.test.ts', 'tests/elementwise-kernel.test.ts', 'tests/softmax-kernel.test.ts', 'tests/conv.test.ts', 'tests/conv-tfjs.test.ts', 'tests/pool-ops.test.ts', 'tests/attention.test.ts', 'tests/dtypes.test.ts', 'tests/conv-direct.test.ts', 'tests/conv-tiny.test.ts', 'tests/dwconv-strided.test.ts', 'tests/binary-rowvec.test.ts', 'tests/pool-nhwc-inside.test.ts', 'tests/wasm-launch.test.ts'].filter((f) => existsSync(f)));

const browser = spawnSync('npx', ['tsx', 'tests/browser/run.ts'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(browser.stdout ?? '');
const m = /browser: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(browser.stdout ?? '');
if (m) {
  totals.passed += +m[1];
  totals.failed += +m[2];
  totals.skipped += +(m[3] ?? 0);
  lines.push(m[0]);
} else {
  totals.failed++;
  lines.push(`browser: runner gave no summary (exit ${browser.status})`);
}

console.log('\n' + lines.join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
