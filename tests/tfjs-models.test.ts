/**
 * Real tfjs models from npm packages (bench/models/tfjs-catalog.ts: ten graph models of
 * @vladmandic/human and the nsfwjs MobileNetV2 layers model), loaded offline with
 * adapters/tfjs/io.ts, run on the twinops backend at 1 and 2 threads and compared with
 * tfjs-backend-cpu on the same deterministic input.
 *
 * Tolerance, per output: |twinops − cpu| ≤ TOL · (max|cpu| over the output + |cpu|), TOL = 1e-5
 * for every model. Why: both run float32, but twinops sums convolutions and matrix products in
 * blocked SIMD order (with FMA when relaxed SIMD is on) where tfjs-backend-cpu sums sequentially, so
 * each layer differs by a few ulps and a deep network carries those differences forward; measured
 * worst cases are 2.8e-6 of the output range (centernet's box regression after ~90 layers) and
 * below 1e-6 for the others. 1e-5 of the range is about 80 ulps at that scale: it still fails on any
 * real kernel error (a wrong tap, bias or activation changes outputs by percent).
 * The 2-thread run must equal the 1-thread run bit for bit (threads split rows, never a sum).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { fileModel, ModelFileError, registerTwinopsBackend } from '../adapters/tfjs/index.js';
import { TFJS_MODELS, modelTensor, runModel, type TfjsModelSpec } from '../bench/models/tfjs-catalog.js';

const TOL = 1e-5;
type Outputs = Awaited<ReturnType<typeof runModel>>;

async function runOn(backend: string, spec: TfjsModelSpec): Promise<Outputs> {
  expect(await tf.setBackend(backend)).toBe(true);
  const before = tf.memory().numTensors;
  const model = await spec.load();
  const x = modelTensor(spec);
  const out = await runModel(model, x);
  x.dispose();
  model.dispose();
  // Loading, running and disposing a model leaves no tensor behind.
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

function expectClose(spec: TfjsModelSpec, got: Outputs, want: Outputs): void {
  expect(got.map((o) => o.shape)).toEqual(want.map((o) => o.shape));
  got.forEach((o, k) => {
    const w = want[k]!.data;
    let range = 0;
    for (let i = 0; i < w.length; i++) range = Math.max(range, Math.abs(w[i]!));
    for (let i = 0; i < w.length; i++) {
      const d = Math.abs(o.data[i]! - w[i]!);
      if (!(d <= TOL * (range + Math.abs(w[i]!)))) {
        expect.fail(`${spec.id} output ${k} element ${i}: twinops ${o.data[i]} vs tfjs-cpu ${w[i]} (output range ${range})`);
      }
    }
  });
}

beforeAll(() => {
  // tfjs-backend-cpu prints a "use tfjs-node" banner on first use; not news in a test log.
  (tf.findBackend('cpu') as unknown as { firstUse: boolean } | null)?.firstUse !== undefined &&
    ((tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false);
  registerTwinopsBackend({ name: 'twinops-models-1t', threads: 1 });
  registerTwinopsBackend({ name: 'twinops-models-2t', threads: 2 });
});

afterAll(() => {
  tf.removeBackend('twinops-models-1t');
  tf.removeBackend('twinops-models-2t');
});

describe('real tfjs models on twinops match tfjs-backend-cpu', () => {
  for (const spec of TFJS_MODELS) {
    it(spec.label, async () => {
      const want = await runOn('cpu', spec);
      const one = await runOn('twinops-models-1t', spec);
      expectClose(spec, one, want);
      const two = await runOn('twinops-models-2t', spec);
      two.forEach((o, k) => expect(o.data, `${spec.id} output ${k}: 2 threads vs 1`).toEqual(one[k]!.data));
    }, 120_000);
  }
});

describe('fileModel (offline IO handler)', () => {
  it('names the missing model.json', async () => {
    await expect(loadGraphModel(fileModel('/nonexistent/model.json'))).rejects.toThrow(ModelFileError);
    await expect(loadGraphModel(fileModel('/nonexistent/model.json'))).rejects.toThrow(/cannot read the model JSON \/nonexistent\/model.json/);
  });
  it('rejects a JSON file that is not a tfjs model', async () => {
    await expect(loadGraphModel(fileModel(new URL('../package.json', import.meta.url).pathname))).rejects.toThrow(/not a tfjs model.json \(no modelTopology\)/);
  });
  it('names a missing weight shard', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/twinops-io-`);
    const json = { format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths: ['gone.bin'], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }] };
    writeFileSync(`${dir}/model.json`, JSON.stringify(json));
    await expect(loadGraphModel(fileModel(`${dir}/model.json`))).rejects.toThrow(/weight shard .*gone.bin/);
  });
});
