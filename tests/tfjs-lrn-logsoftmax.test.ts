/**
 * The tfjs kernels LRN and LogSoftmax (adapters/tfjs/kernels/lrn.ts, softmax.ts) against
 * tfjs-backend-cpu on the same inputs: LRN's depthRadius/alpha mapping onto the ONNX-style contract
 * (size = 2r + 1, alpha · size), LogSoftmax along the last axis.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import '../adapters/tfjs/index.js';
import { prng } from './arbitraries.js';

function rand(shape: number[], seed: number, scale: number): tf.Tensor {
  const r = prng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale), shape);
}

async function onBoth(program: () => tf.Tensor): Promise<[Float32Array, Float32Array, number[], number[]]> {
  await tf.setBackend('cpu');
  const c = program();
  const cpu = (await c.data()) as Float32Array;
  await tf.setBackend('twinops');
  const t = program();
  const twin = (await t.data()) as Float32Array;
  return [twin, cpu, t.shape, c.shape];
}

/**
 * Tolerance: both backends compute in float32 with different operation orders (tfjs-cpu: pow and a
 * running sum; twinops: exp(−beta·log b), log-sum-exp): a few ulps of the result, plus for
 * LogSoftmax a few ulps of log(sum) in absolute terms; 1e-5 relative + 1e-5 absolute covers both.
 */
function close(a: Float32Array, e: Float32Array): void {
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    if (!(Object.is(a[i], e[i]) || Math.abs(a[i]! - e[i]!) <= 1e-5 + 1e-5 * Math.abs(e[i]!))) expect.fail(`element ${i}: twinops ${a[i]} vs cpu ${e[i]}`);
  }
}

beforeAll(async () => {
  expect(await tf.setBackend('twinops')).toBe(true);
});

describe('tfjs LRN and LogSoftmax on twinops', () => {
  it('LRN (NHWC) matches tfjs-backend-cpu for several depth radii', async () => {
    for (const [r, bias, alpha, beta] of [[1, 1, 0.5, 0.75], [2, 2, 0.1, 0.5], [5, 1, 1, 0.5], [0, 1.5, 0.3, 1]] as const) {
      const [twin, cpu, ts, cs] = await onBoth(() => tf.localResponseNormalization(rand([2, 3, 5, 9], 3 + r, 3) as tf.Tensor4D, r, bias, alpha, beta));
      expect(ts).toEqual(cs);
      close(twin, cpu);
    }
  });

  it('the LogSoftmax kernel matches tf.logSoftmax on tfjs-backend-cpu', async () => {
    // tf.logSoftmax is a composite in tfjs-core; the kernel itself is reached through runKernel
    for (const shape of [[7, 13], [3, 4, 33], [5]]) {
      const x = () => rand(shape, shape.length, 8);
      await tf.setBackend('cpu');
      const cpu = (await tf.logSoftmax(x()).data()) as Float32Array;
      await tf.setBackend('twinops');
      const t = tf.engine().runKernel('LogSoftmax', { logits: x() }, { axis: -1 }) as tf.Tensor;
      const [twin, ts, cs] = [(await t.data()) as Float32Array, t.shape, shape];
      expect(ts).toEqual(cs);
      close(twin, cpu);
    }
  });
});
