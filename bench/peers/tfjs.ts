/**
 * tfjs peers: @tensorflow/tfjs-backend-wasm (XNNPACK) and @tensorflow/tfjs-backend-cpu, sharing one
 * tfjs-core engine. Cells are op-only, like the anchors: inputs live on the backend before timing,
 * and a timed run is the op and the disposal of its output. Both backends compute synchronously
 * inside the op call, so no read-back is needed to wait for the result. Outputs are verified
 * separately through `output()`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { inputsOf, type Workload } from '../workloads.js';
import type { Cell, Runner } from './types.js';

type Backend = 'wasm' | 'cpu';

async function activate(backend: Backend): Promise<void> {
  if (tf.getBackend() === backend) return;
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialize`);
  await tf.ready();
}

function opFor(w: Workload, xs: tf.Tensor[]): () => tf.Tensor {
  switch (w.kind) {
    case 'matmul':
      return () => tf.matMul(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D);
    case 'add':
      return () => tf.add(xs[0]!, xs[1]!);
    case 'softmax':
      return () => tf.softmax(xs[0]!, -1);
  }
}

class TfjsRunner implements Runner {
  readonly family = 'tfjs';
  readonly info: Record<string, unknown> = {};
  constructor(
    readonly id: string,
    readonly label: string,
    private readonly backend: Backend,
  ) {}

  async init(): Promise<this> {
    await activate(this.backend);
    this.info.version = tf.version_core;
    this.info.backend = this.backend;
    // tfjs-backend-cpu prints a "use tfjs-node" banner on first use in Node; it is not news here.
    if (this.backend === 'cpu') (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
    if (this.backend === 'wasm') {
      this.info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      this.info.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      this.info.threads = tfwasm.getThreadsCount();
    }
    return this;
  }

  async prepare(w: Workload): Promise<Cell | string> {
    await activate(this.backend);
    const xs = inputsOf(w).map((i) => tf.tensor(i.data, i.shape, 'float32'));
    const op = opFor(w, xs);
    const enter = () => activate(this.backend);
    return {
      enter,
      run() {
        op().dispose();
      },
      async output() {
        await enter();
        const y = op();
        const data = y.dataSync() as Float32Array;
        y.dispose();
        return data;
      },
      dispose() {
        for (const x of xs) x.dispose();
      },
    };
  }

  async dispose(): Promise<void> {}
}

export async function tfjsRunners(): Promise<Runner[]> {
  return [
    await new TfjsRunner('tfjs-wasm', 'tfjs-wasm (XNNPACK, 1t)', 'wasm').init(),
    await new TfjsRunner('tfjs-cpu', 'tfjs-cpu', 'cpu').init(),
  ];
}
