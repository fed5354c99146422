/**
 * The tfjs kernels for 3-D pooling/convolution, gradients, Dilation2D, MaxPoolWithArgmax and the
 * tfjs-semantics options, through `tf.setBackend('twinops')` against tfjs-backend-cpu on the same
 * programs (gradients through tf.grad, so tfjs-core's own gradient functions pick the kernels).
 * tfjs-core's suite covers them separately (conformance/tfjs); here odd shapes and several
 * channels/batches at once.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '../adapters/tfjs/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng } from './arbitraries.js';

function rand(shape: number[], seed: number, quarters = false): tf.Tensor {
  const r = prng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  // quarters: exact sums and distinct-enough maxima (no ties decided by rounding)
  return tf.tensor(Float32Array.from({ length: n }, () => (quarters ? Math.round((r() * 2 - 1) * 64) / 4 : r() * 2 - 1)), shape);
}

const sq = (t: tf.Tensor) => tf.sum(tf.square(t));

/** The program on tfjs-backend-cpu and on twinops; every output compared. */
async function compare(program: () => tf.Tensor | tf.Tensor[], tol = 1e-5): Promise<void> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const out = program();
      return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.dataSync() as Float32Array) }));
    });
  };
  const cpu = await run('cpu');
  const twin = await run('twinops');
  expect(twin.length).toBe(cpu.length);
  cpu.forEach((c, k) => {
    const t = twin[k]!;
    expect(t.shape).toEqual(c.shape);
    expect(t.dtype).toBe(c.dtype);
    c.data.forEach((e, i) => {
      const a = t.data[i]!;
      // float32 sums in another order than the cpu backend's float64-then-round: a few ulps over ≤ ~100 terms
      if (!(Object.is(a, e) || Math.abs(a - e) <= tol + tol * Math.abs(e))) expect.fail(`output ${k} element ${i}: twinops ${a} vs cpu ${e}`);
    });
  });
}

beforeAll(async () => {
  expect(await tf.setBackend('twinops')).toBe(true);
});

describe('tfjs 3-D pooling and convolution', () => {
  it('maxPool3d / avgPool3d (same, valid, strides) and conv3d with dilations', async () => {
    const x = rand([2, 5, 6, 7, 3], 1, true);
    await compare(() => [
      tf.maxPool3d(x as tf.Tensor5D, [2, 3, 2], [1, 2, 2], 'same'),
      tf.avgPool3d(x as tf.Tensor5D, [3, 2, 2], [2, 1, 2], 'valid'),
      tf.avgPool3d(x as tf.Tensor5D, 2, 1, 'same'),
    ]);
    const f = rand([2, 3, 2, 3, 4], 2);
    await compare(() => tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, 1, 'same', 'NDHWC', [2, 1, 2]));
  });
});

describe('tfjs gradient kernels', () => {
  it('MaxPoolGrad / AvgPoolGrad (2-D and 3-D) through tf.grad', async () => {
    const x4 = rand([2, 7, 6, 3], 3, true);
    // continuous values: no ties (tfjs-backend-cpu's 3-D max positions keep the last of equal maxima, its 2-D ones and twinops the first)
    const x5 = rand([1, 4, 5, 6, 2], 4);
    await compare(() => [
      tf.grad((a: tf.Tensor) => sq(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same')))(x4),
      tf.grad((a: tf.Tensor) => sq(tf.avgPool(a as tf.Tensor4D, [2, 3], 1, 'valid')))(x4),
      tf.grad((a: tf.Tensor) => sq(tf.maxPool3d(a as tf.Tensor5D, 2, 1, 'valid')))(x5),
      tf.grad((a: tf.Tensor) => sq(tf.avgPool3d(a as tf.Tensor5D, [2, 2, 3], 2, 'same')))(x5),
    ]);
  });

  it('conv2d (NHWC and NCHW), depthwise and conv3d gradients for input and filter', async () => {
    const x = rand([2, 7, 8, 3], 5);
    const f = rand([3, 2, 3, 4], 6);
    const loss = sq;
    await compare(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], 'same')))([x, f]));
    const xc = rand([2, 3, 7, 8], 7);
    await compare(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid', 'NCHW')))([xc, f]));
    const fd = rand([3, 3, 3, 2], 8);
    await compare(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, fd]));
    const x5 = rand([1, 4, 5, 6, 2], 9);
    const f5 = rand([2, 2, 3, 2, 3], 10);
    await compare(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, [1, 2, 1], 'same')))([x5, f5]), 1e-4);
  });

  it('resizeBilinear / resizeNearestNeighbor gradients (up, down, alignCorners)', async () => {
    // square images: tfjs-backend-cpu's ResizeBilinearGrad returns [N, W, H, C]; one image for
    // nearest: its ResizeNearestNeighborGrad steps through dy by the image's batch stride
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.add(y, 1)));
    const x = rand([2, 6, 6, 3], 11);
    const x1 = rand([1, 6, 6, 3], 12);
    for (const [size, align] of [[[9, 4], false], [[3, 11], true], [[1, 1], true]] as [[number, number], boolean][]) {
      await compare(() => [
        tf.grad((a: tf.Tensor) => loss(tf.image.resizeBilinear(a as tf.Tensor4D, size, align)))(x),
        tf.grad((a: tf.Tensor) => loss(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, size, align)))(x1),
      ]);
    }
  });

  it('elu and LRN gradients', async () => {
    const x = rand([2, 3, 4, 9], 12);
    await compare(() => tf.grad((a: tf.Tensor) => sq(tf.elu(a)))(x));
    await compare(() => tf.grad((a: tf.Tensor) => sq(tf.localResponseNormalization(a as tf.Tensor4D, 2, 1.5, 0.3, 0.75)))(x), 1e-4);
  });
});

describe('tfjs Dilation2D and MaxPoolWithArgmax', () => {
  it('dilation2d and its gradients', async () => {
    const x = rand([2, 6, 7, 3], 13, true);
    const f = rand([2, 3, 3], 14, true);
    await compare(() => tf.dilation2d(x as tf.Tensor4D, f as tf.Tensor3D, [2, 1], 'same', [1, 2]));
    await compare(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => sq(tf.dilation2d(a as tf.Tensor4D, b as tf.Tensor3D, 1, 'valid')))([x, f]));
  });

  it('maxPoolWithArgmax with and without the batch in the index', async () => {
    const x = rand([2, 5, 6, 3], 15, true);
    for (const includeBatchInIndex of [false, true]) {
      await compare(() => {
        const r = tf.maxPoolWithArgmax(x as tf.Tensor4D, 2, [2, 1], 'same', includeBatchInIndex);
        return [r.result!, r.indexes!];
      });
    }
  });
});

describe('tfjs semantics', () => {
  it("NaN in maxPool / argMax / argMin, sign(NaN), mirrorPad 'symmetric', broadcast batchNorm, pool dimRoundingMode", async () => {
    const v = tf.tensor4d([1, NaN, 3, NaN, NaN, NaN, 2, 5, NaN], [1, 3, 3, 1]);
    await compare(() => [
      tf.maxPool(v, 2, 1, 'valid'),
      tf.argMax(tf.tensor2d([NaN, 1, 2, 0, NaN, 3], [2, 3]), 1),
      tf.argMin(tf.tensor2d([NaN, 1, 2, 0, NaN, -3], [3, 2]), 0),
      tf.sign(tf.tensor1d([NaN, -0, 2, -3])),
      tf.mirrorPad(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [[2, 1], [3, 0]], 'symmetric'),
    ]);
    const x = rand([2, 3, 4], 16);
    // trailing-block parameter shapes: tfjs-backend-cpu cycles parameters by flat index, which agrees with broadcasting only there
    await compare(() => tf.batchNorm(x, rand([1, 3, 4], 17), tf.abs(rand([2, 3, 4], 18)), rand([1, 1, 4], 19), rand([1, 3, 4], 20)));
    const y = rand([1, 7, 6, 2], 21);
    await compare(() => [tf.maxPool(y as tf.Tensor4D, 2, 3, 1, 'round'), tf.avgPool(y as tf.Tensor4D, 3, 2, 2, 'ceil'), tf.avgPool(y as tf.Tensor4D, 1, 2, 1, 'floor')]);
  });

  it('complex multiplication, a larger dy in conv2dTranspose, step on int32, gather index errors', async () => {
    await compare(() => {
      const m = tf.mul(tf.complex([1, -2, 3.5], [0.5, 4, -1]), tf.complex([2], [-3]));
      return [tf.real(m), tf.imag(m)];
    });
    await compare(() => tf.conv2dTranspose(rand([1, 6, 6, 2], 22) as tf.Tensor4D, rand([3, 3, 4, 2], 23) as tf.Tensor4D, [1, 3, 3, 4], 1, 'same'));
    await compare(() => tf.step(tf.tensor1d([-2, 0, 3], 'int32'), 0.5));
    await tf.setBackend('twinops');
    expect(() => tf.gather(tf.tensor1d([1, 2]), tf.tensor1d([-1], 'int32'))).toThrow(/GatherV2: the index value -1 is not in \[0, 1\]/);
  });
});
