/**
 * Hosts one onnxruntime-web instance in a worker thread. ort-web reads `env.wasm.numThreads` once,
 * when its wasm module starts, and has no per-session thread count, so a 1-thread and a 2-thread
 * ort-web can only coexist in one process as two module instances, i.e. two workers. The worker
 * times its own runs (no messaging inside the timed region) and posts the samples back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import { WORKLOADS } from '../workloads.js';
import { buildModel } from './onnx-model.js';
import type { OrtWebRequest } from './ort-web.js';
import { timeOnce, type Sample } from './types.js';

const port = parentPort!;
ort.env.wasm.numThreads = (workerData as { threads: number }).threads;
ort.env.wasm.proxy = false;

let session: ort.InferenceSession | undefined;
let feeds: Record<string, ort.Tensor> = {};

async function runOnce(): Promise<Float32Array> {
  const out = await session!.run(feeds);
  const y = out.Y!;
  const data = y.data as Float32Array;
  y.dispose();
  return data;
}

async function handle(msg: OrtWebRequest): Promise<unknown> {
  switch (msg.cmd) {
    case 'prepare': {
      const w = WORKLOADS.find((x) => x.id === msg.workload);
      if (!w) throw new Error(`unknown workload ${msg.workload}`);
      const model = buildModel(w);
      session = await ort.InferenceSession.create(model.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      feeds = Object.fromEntries(model.feeds.map((f) => [f.name, new ort.Tensor('float32', f.data, f.shape)]));
      return { numThreads: ort.env.wasm.numThreads, version: ort.env.versions.web };
    }
    case 'run': {
      const samples: Sample[] = [];
      for (let i = 0; i < msg.n; i++) samples.push(await timeOnce(runOnce));
      return samples;
    }
    case 'output':
      return runOnce();
    case 'release':
      await session?.release();
      session = undefined;
      feeds = {};
      return null;
  }
}

port.on('message', (msg: OrtWebRequest) => {
  handle(msg).then(
    (value) => port.postMessage({ ok: true, value }),
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
