/**
 * Loader for onnxruntime-web's operator tests (js/web/test/data/ops/*.jsonc), read in place from
 * the shared conformance folder; nothing of it is copied into the repository.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonc } from './jsonc.js';

export interface TensorSpec {
  data: Array<number | boolean>;
  dims: number[];
  /** ONNX element type as ORT's harness spells it: float32, float16, int32, uint32, int64, bool. */
  type: string;
}

export interface OrtCase {
  name: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface OrtAttribute {
  name: string;
  type: 'int' | 'float' | 'ints' | 'floats' | 'string' | 'strings';
  data: unknown;
}

export interface OrtGroup {
  /** The .jsonc file and the group's position in it (0-based). */
  file: string;
  index: number;
  name: string;
  operator: string;
  /** As written in the file; see effectiveOpset() for the version ORT's harness runs it at. */
  opset?: { domain: string; version: number };
  attributes: OrtAttribute[];
  /** Regex ORT tests against the platform; the group only runs where it matches. */
  platformCondition?: string;
  cases: OrtCase[];
  /**
   * The opset MANIFEST.json's ortCheck loaded and passed the group at in onnxruntime-node (the first
   * of 13,12,11,10,9,7,17,18 that worked when the group names none).
   */
  checkedOpset?: { domain: string; version: number };
  /** Set when MANIFEST.json records the group as failing in onnxruntime itself because of its data. */
  knownQuirk?: string;
}

export interface OrtSuite {
  dir: string;
  groups: OrtGroup[];
}

export type Located = { dir: string; reason?: undefined } | { dir: undefined; reason: string };

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Where the ort-ops folder is: $TWINOPS_CONFORMANCE_DIR/ort-ops (or $TWINOPS_CONFORMANCE_DIR itself
 * when it is the ort-ops folder), else ../shared/conformance/ort-ops next to the repository.
 */
export function locateOrtOps(): Located {
  const env = process.env.TWINOPS_CONFORMANCE_DIR;
  const candidates = env ? [join(env, 'ort-ops'), env] : [resolve(REPO_ROOT, '..', 'shared', 'conformance', 'ort-ops')];
  for (const c of candidates) if (existsSync(join(c, 'MANIFEST.json'))) return { dir: c };
  const where = env ? `$TWINOPS_CONFORMANCE_DIR=${env} (looked for ${candidates.join(' and ')})` : candidates[0]!;
  return { dir: undefined, reason: `ort-ops conformance data not found at ${where}; set TWINOPS_CONFORMANCE_DIR to the folder holding ort-ops/` };
}

interface ManifestFile {
  ortCheck?: Array<{ group: string; ok: boolean; why?: string; opset?: string }>;
}
interface Manifest {
  verification?: string;
  files?: Record<string, ManifestFile>;
}

/**
 * The manifest's per-file explanation of data quirks, taken from its `verification` text, which ends
 * with "...: a.jsonc (why), b.jsonc some group (why), ...".
 */
function quirkExplanations(verification: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!verification) return out;
  const tail = verification.slice(verification.lastIndexOf(':') + 1);
  for (const m of tail.matchAll(/([\w.-]+\.jsonc)([^(]*)\(([^)]*)\)/g)) {
    const scope = m[2]!.trim();
    out.set(m[1]!, `${scope ? `${scope}: ` : ''}${m[3]!.trim()}`);
  }
  return out;
}

function checkTensor(t: unknown, where: string): TensorSpec {
  const o = t as TensorSpec;
  if (!o || !Array.isArray(o.data) || !Array.isArray(o.dims) || typeof o.type !== 'string') {
    throw new Error(`${where}: a tensor needs data[], dims[] and type`);
  }
  return o;
}

/** Parse one .jsonc file into groups, checking the fields the runner relies on. */
export function parseGroups(file: string, text: string): OrtGroup[] {
  const parsed = parseJsonc(text);
  if (!Array.isArray(parsed)) throw new Error(`${file}: top level must be an array of test groups`);
  return parsed.map((g: Record<string, unknown>, index: number): OrtGroup => {
    const where = `${file} group ${index} (${String(g.name)})`;
    if (typeof g.operator !== 'string' || !Array.isArray(g.cases)) throw new Error(`${where}: needs operator and cases`);
    const cases = (g.cases as Array<Record<string, unknown>>).map((c, ci) => {
      const cw = `${where} case ${ci}`;
      if (!Array.isArray(c.inputs) || !Array.isArray(c.outputs)) throw new Error(`${cw}: needs inputs and outputs`);
      return {
        name: String(c.name ?? `case ${ci}`),
        inputs: c.inputs.map((t) => checkTensor(t, cw)),
        outputs: c.outputs.map((t) => checkTensor(t, cw)),
      };
    });
    return {
      file,
      index,
      name: String(g.name ?? g.operator),
      operator: g.operator,
      opset: g.opset as OrtGroup['opset'],
      attributes: (g.attributes as OrtAttribute[] | undefined) ?? [],
      platformCondition: typeof g.platformCondition === 'string' ? g.platformCondition : undefined,
      cases,
    };
  });
}

/** Read every .jsonc file of the suite (sorted by name), marking the groups MANIFEST.json lists as data quirks. */
export function loadOrtOps(dir: string): OrtSuite {
  const manifest = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8')) as Manifest;
  const explain = quirkExplanations(manifest.verification);
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonc')).sort();
  const groups: OrtGroup[] = [];
  for (const file of files) {
    const fileGroups = parseGroups(file, readFileSync(join(dir, file), 'utf8'));
    const checks = manifest.files?.[file]?.ortCheck ?? [];
    for (const g of fileGroups) {
      const check = checks[g.index];
      const opset = check?.opset?.match(/^(.*):(\d+)$/);
      if (opset) g.checkedOpset = { domain: opset[1] === 'ai.onnx' ? '' : opset[1]!, version: Number(opset[2]) };
      if (check && !check.ok) {
        const why = explain.get(file);
        g.knownQuirk = `MANIFEST.json: ${why ?? 'fails in onnxruntime too'}${check.why ? ` [onnxruntime-node: ${check.why}]` : ''}`;
      }
    }
    groups.push(...fileGroups);
  }
  return { dir, groups };
}
