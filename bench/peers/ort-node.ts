/**
 * onnxruntime-node (native CPU EP) peers. A cell's timed unit is one `session.run()` of a one-node
 * model plus reading the output.
 */
import ort from 'onnxruntime-node';
import type { Workload } from '../workloads.js';
import { buildModel } from './onnx-model.js';
import type { Cell, Runner } from './types.js';

class OrtNodeRunner implements Runner {
  readonly family = 'ort-node';
  readonly info: Record<string, unknown>;

  constructor(
    readonly id: string,
    readonly label: string,
    private readonly threads: number,
  ) {
    this.info = { threads, version: ort.env.versions.node };
  }

  async prepare(w: Workload): Promise<Cell | string> {
    const model = buildModel(w);
    const session = await ort.InferenceSession.create(model.bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const feeds = Object.fromEntries(model.feeds.map((f) => [f.name, new ort.Tensor('float32', f.data, f.shape)]));
    const once = async () => {
      const y = (await session.run(feeds)).Y!;
      const data = y.data as Float32Array;
      y.dispose();
      return data;
    };
    return { run: once, output: once, dispose: () => session.release() };
  }

  async dispose(): Promise<void> {}
}

export function ortNodeRunners(): Runner[] {
  return [1, 2].map((t) => new OrtNodeRunner(`ort-node-${t}t`, `ort-node ${t}t`, t));
}
