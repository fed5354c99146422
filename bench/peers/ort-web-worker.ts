/**
 * One onnxruntime-web instance (wasm EP) in a worker thread, running a model (a one-node operator
 * model of bench/peers/ort-web.ts or a whole model of bench/models-ort.ts and the demo). ort-web reads
 * `env.wasm.numThreads` once, when its wasm module starts, so a 1-thread and a 2-thread ort-web can
 * only live in one process as two module instances: two workers. The worker times its own runs
 * (no messaging inside the timed region).
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import { timeOnce, type Sample } from './types.js';
import type { ModelWorkerRequest } from './ort-web-client.js';

const port = parentPort!;
ort.env.wasm.numThreads = (workerData as { threads: number }).threads;
ort.env.wasm.proxy = false;

let session: ort.InferenceSession | undefined;
let feeds: Record<string, ort.Tensor> = {};

async function runOnce(): Promise<Float32Array> {
  const out = await session!.run(feeds);
  const y = out[session!.outputNames[0]!]!;
  const data = y.data as Float32Array;
  y.dispose();
  return data;
}

async function handle(msg: ModelWorkerRequest): Promise<unknown> {
  switch (msg.cmd) {
    case 'prepare': {
      await session?.release();
      const bytes = msg.bytes ?? new Uint8Array(readFileSync(msg.path!));
      const t0 = performance.now();
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const createMs = performance.now() - t0;
      feeds = Object.fromEntries(msg.feeds.map((f) => [f.name, new ort.Tensor('float32', f.data, f.dims)]));
      return { numThreads: ort.env.wasm.numThreads, version: ort.env.versions.web, createMs };
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

port.on('message', (msg: ModelWorkerRequest) => {
  handle(msg).then(
    (value) => port.postMessage({ ok: true, value }),
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
