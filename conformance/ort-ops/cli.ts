/**
 * Run onnxruntime-web's operator tests against twinops and write the ort-ops section of
 * docs/CONFORMANCE.md.  Usage: npx tsx conformance/ort-ops/cli.ts [--no-docs] [--devices=wasm-t1,webgpu]
 * Exit status 1 when a case fails.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// WebGPU in Node (the `webgpu` package) needs a Vulkan driver; SwiftShader where none is configured.
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

const { loadOrtOps, locateOrtOps } = await import('./data.js');
const { DEVICES, runSuite } = await import('./runner.js');
const { renderMarkdown, renderText, count, writeSection } = await import('./report.js');

const args = process.argv.slice(2);
const located = locateOrtOps();
if (located.dir === undefined) {
  console.log(`ort-ops: skipped — ${located.reason}`);
  process.exit(0);
}
const only = args.find((a) => a.startsWith('--devices='))?.slice('--devices='.length).split(',');
const devices = only ? DEVICES.filter((d) => only.includes(d.id)) : DEVICES;

const run = await runSuite(loadOrtOps(located.dir), devices);
console.log(renderText(run));
if (!args.includes('--no-docs')) {
  const doc = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'CONFORMANCE.md');
  writeSection(doc, renderMarkdown(run, located.dir));
  console.log(`wrote the ort-ops section of ${doc}`);
}
process.exit(count(run).failed ? 1 : 0);
