/** The main-thread side of ort-web-worker.ts: one onnxruntime-web instance with its own thread count. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Sample } from './types.js';

export interface Feed {
  name: string;
  data: Float32Array;
  dims: number[];
}

export type ModelWorkerRequest =
  | { cmd: 'prepare'; path?: string; bytes?: Uint8Array; feeds: Feed[] }
  | { cmd: 'run'; n: number }
  | { cmd: 'output' }
  | { cmd: 'release' };

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

/** Start the worker; under tsx (running from .ts sources) a Node 20 worker must register tsx's hooks itself. */
function start(threads: number): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./ort-web-worker.js', self), { workerData: { threads } });
  const target = new URL('./ort-web-worker.ts', self);
  const tsxDir = dirname(createRequire(self).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target.href)}); });`;
  return new Worker(code, { eval: true, workerData: { threads } });
}

export class OrtWebModelWorker {
  private readonly worker: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private pending: ((e: Error) => void) | undefined;

  constructor(readonly threads: number) {
    this.worker = start(threads);
    this.worker.unref();
    this.worker.on('error', (e) => {
      this.failure = e;
      this.pending?.(e);
    });
  }

  private call<T>(msg: ModelWorkerRequest): Promise<T> {
    const next = this.queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (this.failure) return reject(new Error(`ort-web ${this.threads}t worker failed: ${this.failure.message}`));
          this.pending = (e) => reject(new Error(`ort-web ${this.threads}t worker failed: ${e.message}`));
          this.worker.once('message', (r: Reply) => {
            this.pending = undefined;
            if (r.ok) resolve(r.value as T);
            else reject(new Error(`ort-web ${this.threads}t: ${r.error}`));
          });
          this.worker.postMessage(msg);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Create the session (from a path or bytes) and its feeds; returns the worker's numThreads, version and creation time. */
  prepare(model: { path: string } | { bytes: Uint8Array }, feeds: Feed[]): Promise<{ numThreads: number; version: string; createMs: number }> {
    return this.call({ cmd: 'prepare', ...model, feeds });
  }
  runTimed(n: number): Promise<Sample[]> {
    return this.call({ cmd: 'run', n });
  }
  output(): Promise<Float32Array> {
    return this.call({ cmd: 'output' });
  }
  release(): Promise<null> {
    return this.call({ cmd: 'release' });
  }
  async dispose(): Promise<void> {
    await this.worker.terminate();
  }
}
