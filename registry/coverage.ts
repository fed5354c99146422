/**
 * The op × dtype × device coverage matrix, generated from the registry: `npm run docs:ops` writes
 * docs/OPS.md; tests/coverage.test.ts fails when the file and the registry disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DType } from '../core/dtype.js';
import type { Device } from '../core/tensor.js';
import { registry, type Registry } from './registry.js';
import './kernels.js';

const DEVICES: Device[] = ['wasm', 'webgpu'];

export function coverageMarkdown(reg: Registry = registry): string {
  const entries = reg.list();
  const ops = [...new Set(entries.map((e) => e.op))].sort();
  const dtypes = [...new Set(entries.map((e) => e.dtype))].sort() as DType[];
  const cell = (op: string, dtype: DType, device: Device) => {
    const e = entries.find((x) => x.op === op && x.dtype === dtype && x.device === device);
    return e ? (e.kind === 'compute' ? '✓' : 'ts') : '';
  };
  const head = ['op', 'family', ...dtypes.flatMap((d) => DEVICES.map((dev) => `${d} ${dev}`))];
  const rows = ops.map((op) => {
    const family = entries.find((e) => e.op === op)!.family;
    return [op, family, ...dtypes.flatMap((d) => DEVICES.map((dev) => cell(op, d, dev)))];
  });
  const table = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const perDevice = DEVICES.map((d) => `${d}: ${entries.filter((e) => e.device === d).length}`).join(', ');
  return `# Op coverage\n\nGenerated from the kernel registry by \`npm run docs:ops\` (registry/coverage.ts); CI checks it. Do not edit by hand.\n\n✓ = a compute kernel (wasm: WAT assembled with wabt; webgpu: WGSL). ts = a metadata-only kernel in TypeScript. Empty = not registered: dispatch falls back from webgpu to wasm, and raises a NoKernelError when neither has it.\n\n${ops.length} ops, ${entries.length} (op, dtype, device) kernels (${perDevice}).\n\n${table}\n`;
}

export const OPS_MD = fileURLToPath(new URL('../docs/OPS.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const md = coverageMarkdown();
  if (process.argv.includes('--check')) {
    const cur = readFileSync(OPS_MD, 'utf8');
    if (cur !== md) {
      console.error('docs/OPS.md is out of date: run npm run docs:ops');
      process.exit(1);
    }
  } else {
    writeFileSync(OPS_MD, md);
    console.log(`wrote docs/OPS.md`);
  }
}
