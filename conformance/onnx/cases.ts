/**
 * ONNX backend-test layouts under ../shared/conformance (or $TWINOPS_CONFORMANCE_DIR): a case is a
 * folder with model.onnx and test_data_set_N/{input_K,output_K}.pb (onnx-node, onnx-pytorch,
 * onnx2c, models/mnist-8); onnx-light keeps its nine models flat with one shared input.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DataSet {
  inputs: string[];
  outputs: string[];
}

export interface OnnxCase {
  suite: string;
  name: string;
  model: string;
  sets: DataSet[];
  rtol: number;
  atol: number;
}

/**
 * The tolerance shared/conformance/README.md uses for onnxruntime-node's reference counts, so the
 * counts here compare with those.
 */
export const DEFAULT_TOLERANCE = { rtol: 1e-3, atol: 1e-5 };

export const SUITES = ['onnx-node', 'onnx-light', 'onnx-pytorch', 'onnx2c', 'mnist-8'] as const;
export type Suite = (typeof SUITES)[number];

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function locateConformance(): string | undefined {
  const dir = process.env.TWINOPS_CONFORMANCE_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'conformance');
  return existsSync(dir) ? dir : undefined;
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

/** Every case folder below `dir` (recursively). */
function caseFolders(suite: string, dir: string, prefix = ''): OnnxCase[] {
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, 'model.onnx'))) {
    const sets = readdirSync(dir)
      .filter((d) => d.startsWith('test_data_set_'))
      .sort()
      .map((d) => ({ inputs: numbered(join(dir, d), 'input_'), outputs: numbered(join(dir, d), 'output_') }));
    return [{ suite, name: prefix || basename(dir), model: join(dir, 'model.onnx'), sets, ...DEFAULT_TOLERANCE }];
  }
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort()
    .flatMap((d) => caseFolders(suite, join(dir, d), prefix ? `${prefix}/${d}` : d));
}

function lightCases(dir: string): OnnxCase[] {
  if (!existsSync(dir)) return [];
  const input = readdirSync(dir).find((f) => f.startsWith('input_0') && f.endsWith('.pb'));
  return readdirSync(dir)
    .filter((f) => f.startsWith('light_') && f.endsWith('.onnx'))
    .sort()
    .map((f) => {
      const name = f.slice('light_'.length, -'.onnx'.length);
      const meta = join(dir, `${name}.data.json`);
      const tol = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as { rtol?: number; atol?: number }) : {};
      return {
        suite: 'onnx-light',
        name,
        model: join(dir, f),
        sets: [{ inputs: input ? [join(dir, input)] : [], outputs: [join(dir, f.replace('.onnx', '_output_0.pb'))] }],
        rtol: tol.rtol ?? DEFAULT_TOLERANCE.rtol,
        atol: tol.atol ?? DEFAULT_TOLERANCE.atol,
      };
    });
}

export function loadSuite(root: string, suite: Suite): OnnxCase[] {
  switch (suite) {
    case 'onnx-light':
      return lightCases(join(root, 'onnx-light'));
    case 'mnist-8':
      return caseFolders('mnist-8', join(root, 'models', 'mnist-8'), 'mnist-8');
    default:
      return caseFolders(suite, join(root, suite));
  }
}
