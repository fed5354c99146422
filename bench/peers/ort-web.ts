/**
 * onnxruntime-web (wasm backend) peers, each in its own worker thread (see ort-web-worker.ts).
 * A cell's timed unit is one `session.run()` of a one-node model plus reading the output, timed
 * inside the worker.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Workload } from '../workloads.js';
import type { Cell, Runner, Sample } from './types.js';

export type OrtWebRequest =
  | { cmd: 'prepare'; workload: string }
  | { cmd: 'run'; n: number }
  | { cmd: 'output' }
  | { cmd: 'release' };

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Start a worker on a module of this directory. Under tsx (the bench runs from .ts sources) a Node 20
 * worker does not inherit tsx's loader, so the worker first registers tsx's ESM hooks itself.
 */
function startWorker(file: string, workerData: unknown): Worker {
  const target = new URL(`./${file}.ts`, import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${file}.js`, import.meta.url), { workerData });
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

class OrtWebRunner implements Runner {
  readonly family = 'ort-web';
  readonly info: Record<string, unknown>;
  private readonly worker: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the worker died; every later call fails with it. */
  private failure: Error | undefined;
  private pending: ((e: Error) => void) | undefined;

  constructor(
    readonly id: string,
    readonly label: string,
    threads: number,
  ) {
    this.info = { threads, host: 'worker thread' };
    this.worker = startWorker('ort-web-worker', { threads });
    this.worker.unref();
    // Always listen: an unhandled worker 'error' would take the whole bench down.
    this.worker.on('error', (e) => {
      this.failure = e;
      this.pending?.(e);
    });
  }

  /** One request at a time, in order. */
  private call<T>(msg: OrtWebRequest): Promise<T> {
    const next = this.queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (this.failure) return reject(new Error(`${this.id} worker failed: ${this.failure.message}`));
          this.pending = (e) => reject(new Error(`${this.id} worker failed: ${e.message}`));
          this.worker.once('message', (r: Reply) => {
            this.pending = undefined;
            if (r.ok) resolve(r.value as T);
            else reject(new Error(`${this.id}: ${r.error}`));
          });
          this.worker.postMessage(msg);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async prepare(w: Workload): Promise<Cell | string> {
    const info = await this.call<Record<string, unknown>>({ cmd: 'prepare', workload: w.id });
    Object.assign(this.info, info);
    return {
      run: () => {
        throw new Error('ort-web cells time themselves: use runTimed');
      },
      runTimed: (n: number) => this.call<Sample[]>({ cmd: 'run', n }),
      output: () => this.call<Float32Array>({ cmd: 'output' }),
      dispose: () => this.call<null>({ cmd: 'release' }).then(() => undefined),
    };
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }
}

export function ortWebRunners(): Runner[] {
  return [1, 2].map((t) => new OrtWebRunner(`ort-web-${t}t`, `ort-web wasm ${t}t`, t));
}
