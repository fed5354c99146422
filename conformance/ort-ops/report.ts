/** Text and Markdown reports of an ort-ops run, and the generated section of docs/CONFORMANCE.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TOLERANCE } from './compare.js';
import type { OrtGroup } from './data.js';
import { DEFAULT_OPSET_VERSION } from './mapping.js';
import { describeResult, skippedGroups, type CaseResult, type PlannedCase, type SuiteRun } from './runner.js';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  known: number;
}

export function count(run: SuiteRun, device?: number): Counts {
  const c: Counts = { passed: 0, failed: 0, skipped: 0, known: 0 };
  run.results.forEach((row, d) => {
    if (device !== undefined && d !== device) return;
    row.forEach((r, i) => {
      if (r.status === 'pass') c.passed++;
      else if (r.status === 'fail') c.failed++;
      else {
        c.skipped++;
        if (run.plan[i]!.known) c.known++;
      }
    });
  });
  return c;
}

export const summaryLine = (c: Counts) => `ort-ops: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

export interface Failure {
  p: PlannedCase;
  r: CaseResult;
}

export function failures(run: SuiteRun): Failure[] {
  const out: Failure[] = [];
  run.plan.forEach((p, i) => run.results.forEach((row) => row[i]!.status === 'fail' && out.push({ p, r: row[i]! })));
  return out;
}

/** Per group: its planned cases and their results per device. */
function byGroup(run: SuiteRun): Array<{ group: OrtGroup; idx: number[] }> {
  const m = new Map<OrtGroup, number[]>();
  run.plan.forEach((p, i) => m.set(p.group, [...(m.get(p.group) ?? []), i]));
  return [...m].map(([group, idx]) => ({ group, idx }));
}

function cell(run: SuiteRun, d: number, idx: number[]): string {
  const rs = idx.map((i) => run.results[d]![i]!);
  const pass = rs.filter((r) => r.status === 'pass').length;
  const fail = rs.filter((r) => r.status === 'fail').length;
  const ran = pass + fail;
  if (ran === 0) return 'skip';
  return `${fail ? 'FAIL ' : ''}${pass}/${ran}${ran < rs.length ? ` (+${rs.length - ran} skip)` : ''}`;
}

const groupLabel = (g: OrtGroup) => `${g.file}#${g.index} ${g.name} [${g.operator}]`;

/** Skipped groups keyed by reason: reason → 'file#index' list. */
function skippedByReason(plan: readonly PlannedCase[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const { group, reasons } of skippedGroups(plan)) {
    const k = reasons.join('; ');
    m.set(k, [...(m.get(k) ?? []), `${group.file}#${group.index}`]);
  }
  return m;
}

/** Skips decided at run time per device (no adapter, no WebGPU kernel, the twinops EP refused a dtype): 'device: reason' → count. */
function deviceSkips(run: SuiteRun): Map<string, number> {
  const m = new Map<string, number>();
  run.results.forEach((row, di) =>
    row.forEach((r, i) => {
      if (r.status === 'skip' && !run.plan[i]!.skip) {
        const k = `${run.devices[di]!.id}: ${r.reason}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
    }),
  );
  return m;
}

/** The console report: per-group results, failures, skipped groups, counts. */
export function renderText(run: SuiteRun): string {
  const lines: string[] = [];
  const skippedSet = new Set(skippedGroups(run.plan).map((s) => s.group));
  lines.push(`devices: ${run.devices.map((d) => d.id).join(', ')}${run.webgpuUnavailable ? ` (webgpu: ${run.webgpuUnavailable})` : ''}`);
  for (const { group, idx } of byGroup(run)) {
    if (skippedSet.has(group)) continue;
    lines.push(`  ${groupLabel(group)}: ${run.devices.map((d, di) => `${d.id} ${cell(run, di, idx)}`).join(', ')}`);
  }
  const fails = failures(run);
  if (fails.length) {
    lines.push('', `failures (${fails.length}):`);
    for (const { p, r } of fails) lines.push(`  [${r.device}] ${p.title}: ${describeResult(r)}`);
  }
  lines.push('', `skipped groups (${skippedSet.size}):`);
  for (const [reason, gs] of skippedByReason(run.plan)) lines.push(`  ${reason}: ${gs.join(', ')}`);
  const dev = deviceSkips(run);
  if (dev.size) {
    lines.push('', 'skipped at run time:');
    for (const [k, n] of dev) lines.push(`  ${k} (${n} case${n === 1 ? '' : 's'})`);
  }
  lines.push('');
  run.devices.forEach((d, di) => {
    const c = count(run, di);
    lines.push(`  ${d.id}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  });
  lines.push(`  ${modeLine(run)}`);
  const all = count(run);
  lines.push(summaryLine(all) + (all.known ? ` (skipped includes ${all.known} case runs of known data-quirk groups)` : ''));
  return lines.join('\n');
}

/** How many case runs (all devices) went through each mode, and how many of them passed. */
function modeLine(run: SuiteRun): string {
  const n = { direct: [0, 0], session: [0, 0] };
  run.results.forEach((row) =>
    row.forEach((r, i) => {
      if (r.status === 'skip') return;
      const m = n[run.plan[i]!.mode];
      m[0]!++;
      if (r.status === 'pass') m[1]!++;
    }),
  );
  return `case runs: ${n.direct[0]} direct (${n.direct[1]} passed), ${n.session[0]} through ort.InferenceSession (${n.session[1]} passed)`;
}

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The generated Markdown section (without markers). */
export function renderMarkdown(run: SuiteRun, dataDir: string): string {
  const L: string[] = [];
  const all = count(run);
  L.push('## ort-ops: onnxruntime-web operator tests', '');
  L.push('_Generated by `npx tsx conformance/ort-ops/cli.ts`; do not edit by hand._', '');
  L.push(
    `Source: microsoft/onnxruntime \`js/web/test/data/ops/*.jsonc\`, read from \`${dataDir.replace(/.*\/(shared\/conformance\/)/, '../$1')}\` (see its MANIFEST.json). ` +
      `Cases the hand mapping covers (conformance/ort-ops/mapping.ts) run through twinops' direct calls; every other case runs as a one-node ONNX model ` +
      `(conformance/ort-ops/session.ts) through \`ort.InferenceSession\` (onnxruntime-common) with the \`twinops\` execution provider ` +
      `(\`intraOpNumThreads\` 1 or 2) or \`twinops-webgpu\`. A model onnxruntime-node refuses as invalid ONNX is skipped with its message.`,
    '',
  );
  L.push(
    `Tolerance (float32), as onnxruntime's web test runner: wasm |diff| < ${TOLERANCE.wasm.abs} or ratio < ${TOLERANCE.wasm.rel}; ` +
      `webgpu |diff| < ${TOLERANCE.webgpu.abs} or ratio < ${TOLERANCE.webgpu.rel} (${TOLERANCE.wasm.source.replace(/ WASM.*/, '')}). ` +
      `float16 outputs compare as float32; int32 and bool outputs must match exactly. Groups without an opset run at opset ${DEFAULT_OPSET_VERSION} ` +
      `in direct mode; in session mode at the opset MANIFEST.json's onnxruntime-node check passed them at (raised to 17 for LayerNormalization, where ONNX defines it).`,
    '',
  );
  L.push(`**${summaryLine(all)}**${all.known ? ` (skipped includes ${all.known} case runs of known data-quirk groups)` : ''} — counted per case per device.`, '');
  L.push('| device | passed | failed | skipped |', '|---|---:|---:|---:|');
  run.devices.forEach((d, di) => {
    const c = count(run, di);
    L.push(`| ${d.id} | ${c.passed} | ${c.failed} | ${c.skipped} |`);
  });
  L.push('', modeLine(run) + ' — counted per case per device.');
  if (run.webgpuUnavailable) L.push('', `WebGPU: ${esc(run.webgpuUnavailable)}`);
  const sk = skippedGroups(run.plan);
  const skSet = new Set(sk.map((s) => s.group));
  L.push('', '### Groups run', '', `| group | ${run.devices.map((d) => d.id).join(' | ')} |`, `|---|${run.devices.map(() => '---').join('|')}|`);
  for (const { group, idx } of byGroup(run)) {
    if (!skSet.has(group)) L.push(`| ${esc(groupLabel(group))} | ${run.devices.map((_, di) => cell(run, di, idx)).join(' | ')} |`);
  }
  const fails = failures(run);
  L.push('', `### Failures (${fails.length})`, '');
  if (!fails.length) L.push('None.');
  for (const { p, r } of fails) L.push(`- \`${r.device}\` ${esc(p.title)}: ${esc(describeResult(r))}`);
  const partial = run.plan.filter((p) => p.skip && !skSet.has(p.group));
  const deviceOnly = deviceSkips(run);
  L.push('', `### Skipped groups (${sk.length})`, '', '| reason | groups (file#index) |', '|---|---|');
  for (const [reason, gs] of skippedByReason(run.plan)) L.push(`| ${esc(reason)} | ${gs.join(', ')} |`);
  if (partial.length || deviceOnly.size) {
    L.push('', '### Other skipped cases (per case, or per device at run time)', '');
    for (const p of partial) L.push(`- ${esc(p.title)}: ${esc(p.skip!)}`);
    for (const [k, n] of deviceOnly) L.push(`- ${esc(k)} (${n} case${n === 1 ? '' : 's'})`);
  }
  return L.join('\n');
}

export const BEGIN = '<!-- ort-ops:begin -->';
export const END = '<!-- ort-ops:end -->';

/** Replace (or add) the ort-ops section of a Markdown file, leaving other sections alone. */
export function writeSection(file: string, body: string): void {
  const section = `${BEGIN}\n${body}\n${END}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Conformance\n\nResults of external test suites run against twinops. Each section is generated by its suite\'s runner.\n';
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + section + text.slice(b + END.length);
  else text = `${text.replace(/\n*$/, '\n\n')}${section}\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
