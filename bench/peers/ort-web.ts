/**
 * onnxruntime-web (wasm backend) peers, each in its own worker thread (see ort-web-worker.ts). A
 * cell's timed unit is one `session.run()` of a one-node model plus reading the output, timed
 * inside the worker.
 */
import type { Workload } from '../workloads.js';
import { buildModel } from './onnx-model.js';
import { OrtWebModelWorker } from './ort-web-client.js';
import type { Cell, Runner } from './types.js';

class OrtWebRunner implements Runner {
  readonly family = 'ort-web';
  readonly info: Record<string, unknown>;
  private readonly worker: OrtWebModelWorker;

  constructor(
    readonly id: string,
    readonly label: string,
    threads: number,
  ) {
    this.info = { threads, host: 'worker thread' };
    this.worker = new OrtWebModelWorker(threads);
  }

  async prepare(w: Workload): Promise<Cell | string> {
    const model = buildModel(w);
    const { numThreads, version } = await this.worker.prepare({ bytes: new Uint8Array(model.bytes) }, model.feeds.map((f) => ({ name: f.name, data: f.data, dims: f.shape })));
    Object.assign(this.info, { numThreads, version });
    return {
      run: () => {
        throw new Error('ort-web cells time themselves: use runTimed');
      },
      runTimed: (n: number) => this.worker.runTimed(n),
      output: () => this.worker.output(),
      dispose: () => this.worker.release().then(() => undefined),
    };
  }

  async dispose(): Promise<void> {
    await this.worker.dispose();
  }
}

export function ortWebRunners(): Runner[] {
  return [1, 2].map((t) => new OrtWebRunner(`ort-web-${t}t`, `ort-web wasm ${t}t`, t));
}
