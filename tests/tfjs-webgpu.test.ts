/**
 * The 'twinops-webgpu' tfjs backend: tensors in GPU buffers, kernels in WGSL (SwiftShader in Node:
 * real compute shaders, CPU speed). Outputs against tfjs-backend-cpu, the async read path, the
 * dataSync rule, memory, and real models small enough for SwiftShader. Skips when no adapter exists.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TfjsKernelError } from '../adapters/tfjs/index.js';
import { TFJS_MODELS, modelTensor, runModel } from '../bench/models/tfjs-catalog.js';

let gpu = false;
const silenceWarn = console.warn;

beforeAll(async () => {
  console.warn = () => undefined; // tfjs warns when a backend fails to initialise (no adapter)
  try {
    gpu = await tf.setBackend('twinops-webgpu');
  } finally {
    console.warn = silenceWarn;
  }
  (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

async function on<T>(backend: string, f: () => T | Promise<T>): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  return f();
}

/** Same tolerance and reasoning as tests/tfjs-models.test.ts (summation order differs from tfjs-cpu). */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  let range = 0;
  for (let i = 0; i < want.length; i++) range = Math.max(range, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * (range + Math.abs(want[i]!)))) expect.fail(`element ${i}: twinops-webgpu ${got[i]} vs tfjs-cpu ${want[i]}`);
  }
}

describe('tfjs backend twinops-webgpu', () => {
  it('computes conv, matMul and elementwise ops like tfjs-backend-cpu', async (ctx) => {
    if (!gpu) return ctx.skip();
    const program = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 9, 9, 3]);
        const f = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 3 * 5 }, (_, i) => Math.cos(i * 0.11) * 0.6), [3, 3, 3, 5]);
        const y = tf.relu(tf.conv2d(x, f, 2, 'same'));
        const m = tf.matMul(tf.reshape(y, [2, -1]), tf.ones([y.size / 2, 4]));
        return tf.sigmoid(tf.add(m, tf.scalar(0.25)));
      });
    const want = await on('cpu', async () => {
      const t = program();
      const d = await t.data();
      t.dispose();
      return d;
    });
    const got = await on('twinops-webgpu', async () => {
      const before = tf.memory().numTensors;
      const t = program();
      const d = await t.data();
      t.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return d;
    });
    expectClose(got as Float32Array, want as Float32Array);
  });

  it('leaves kernels without WebGPU twins unregistered, so tfjs names them', async (ctx) => {
    if (!gpu) return ctx.skip();
    await tf.setBackend('twinops-webgpu');
    expect(() => tf.linspace(0, 1, 5)).toThrow(/Kernel 'LinSpace' not registered for backend 'twinops-webgpu'/);
  });

  it('reads GPU results with data(); dataSync() of a computed tensor names the async form', async (ctx) => {
    if (!gpu) return ctx.skip();
    await tf.setBackend('twinops-webgpu');
    const small = tf.tensor1d([1, 2, 3]);
    // written from JS: small tensors keep a host copy, so shape constants stay readable synchronously
    expect(Array.from(small.dataSync())).toEqual([1, 2, 3]);
    const y = tf.mul(small, small);
    expect(Array.from(await y.data())).toEqual([1, 4, 9]);
    expect(() => y.dataSync()).toThrow(TfjsKernelError);
    expect(() => y.dataSync()).toThrow(/cannot be read synchronously.*tensor\.data\(\)/);
    tf.dispose([small, y]);
  });

  // Small models only: SwiftShader runs the shaders on the CPU (MobileNetV2 takes minutes).
  for (const id of ['liveness', 'emotion', 'antispoof']) {
    const spec = TFJS_MODELS.find((s) => s.id === id)!;
    it(`runs ${spec.label} like tfjs-backend-cpu`, async (ctx) => {
      if (!gpu) return ctx.skip();
      const run = async () => {
        const model = await spec.load();
        const x = modelTensor(spec);
        const out = await runModel(model, x);
        x.dispose();
        model.dispose();
        return out;
      };
      const want = await on('cpu', run);
      const before = await on('twinops-webgpu', () => tf.memory().numTensors);
      const got = await on('twinops-webgpu', run);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.map((o) => o.shape)).toEqual(want.map((o) => o.shape));
      got.forEach((o, k) => expectClose(o.data, want[k]!.data));
    }, 120_000);
  }
});
