/**
 * The TensorFlow.js backend (adapters/tfjs): ops through `tf.setBackend('twinops')` against
 * tfjs-backend-cpu on the same inputs, tfjs' storage contract (dataSync/data/dispose/memory/time/
 * profile/engine reset), errors that name the kernel, and no leak over repeated inferences.
 * tfjs-core's own suite runs separately (conformance/tfjs).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinopsBackend, KERNELS } from '../adapters/tfjs/index.js';
import { prng } from './arbitraries.js';

function rand(shape: number[], seed: number, scale = 1): tf.Tensor {
  const r = prng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale), shape);
}

/** The same program on tfjs-backend-cpu and on twinops: outputs as plain arrays plus shapes. */
async function both(program: () => tf.Tensor): Promise<{ cpu: tf.Tensor; twin: tf.Tensor; cpuData: Float32Array | Int32Array | Uint8Array; twinData: Float32Array | Int32Array | Uint8Array }> {
  await tf.setBackend('cpu');
  const cpu = program();
  const cpuData = cpu.dataSync() as Float32Array;
  await tf.setBackend('twinops');
  const twin = program();
  const twinData = (await twin.data()) as Float32Array;
  return { cpu, twin, cpuData, twinData };
}

/**
 * Tolerance: float32 kernels that sum in a different order than tfjs-backend-cpu (blocked/SIMD
 * GEMM and convolutions, pairwise reductions) differ by a few ulps per accumulation; with inputs in
 * [-1, 1] and K ≤ 64 terms, |diff| ≤ 1e-5 + 1e-5·|expected| holds with margin. Elementwise
 * transcendental kernels are within a few ulps of the correctly rounded value, inside the same bound.
 */
function expectMatch(r: Awaited<ReturnType<typeof both>>): void {
  expect(r.twin.shape).toEqual(r.cpu.shape);
  expect(r.twin.dtype).toEqual(r.cpu.dtype);
  const a = r.twinData;
  const e = r.cpuData;
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const ok = Object.is(a[i], e[i]) || Math.abs(a[i]! - e[i]!) <= 1e-5 + 1e-5 * Math.abs(e[i]!);
    if (!ok) expect.fail(`element ${i}: twinops ${a[i]} vs cpu ${e[i]}`);
  }
}

beforeAll(async () => {
  expect(await tf.setBackend('twinops')).toBe(true);
});

afterAll(() => {
  tf.removeBackend('twinops');
});

describe('tfjs backend twinops: registration and storage', () => {
  it('is a KernelBackend with float32 precision, registered with its kernels', async () => {
    await tf.setBackend('twinops');
    expect(tf.getBackend()).toBe('twinops');
    const b = tf.backend();
    expect(b).toBeInstanceOf(TwinopsBackend);
    expect(b.floatPrecision()).toBe(32);
    expect(b.epsilon()).toBe(1e-7);
    const registered = tf.getKernelsForBackend('twinops').map((k) => k.kernelName);
    for (const name of ['Add', 'BatchMatMul', '_FusedMatMul', 'Softmax', 'Reshape', 'Identity']) expect(registered).toContain(name);
    expect(registered.length).toBeLessThanOrEqual(KERNELS.length);
  });

  it('round-trips float32, int32, bool and string data (dataSync, data, arraySync)', async () => {
    await tf.setBackend('twinops');
    const f = tf.tensor([1.5, -2, Number.NaN, Infinity], [2, 2]);
    const i = tf.tensor([1, -2, 2147483647, -2147483648], [4], 'int32');
    const b = tf.tensor([true, false, true], [3], 'bool');
    const s = tf.tensor(['a', 'bc'], [2], 'string');
    expect(Array.from(f.dataSync())).toEqual([1.5, -2, Number.NaN, Infinity]);
    expect(Array.from(await i.data())).toEqual([1, -2, 2147483647, -2147483648]);
    expect(b.dataSync()).toBeInstanceOf(Uint8Array);
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1]);
    expect(s.arraySync()).toEqual(['a', 'bc']);
    const s2 = tf.reshape(s, [2, 1]);
    expect(s2.arraySync()).toEqual([['a'], ['bc']]);
    // strings stay in JS; data-movement kernels place them by index through the twinops op
    const ids = (tf.backend() as TwinopsBackend).numDataIds();
    const s3 = tf.tidy(() => tf.concat([tf.slice(s, [1], [1]), s]));
    expect((tf.backend() as TwinopsBackend).numDataIds()).toBe(ids + 1);
    const eq = tf.tidy(() => tf.equal(s3, tf.tensor(['bc'])));
    expect(Array.from(eq.dataSync())).toEqual([1, 0, 1]);
    eq.dispose();
    expect(s3.arraySync()).toEqual(['bc', 'a', 'bc']);
    tf.dispose([f, i, b, s, s2, s3]);
  });

  it('stores complex64 as two float32 parts, freed with their last holder', async () => {
    await tf.setBackend('twinops');
    const backend = tf.backend() as TwinopsBackend;
    const ids = backend.numDataIds();
    const c = tf.tidy(() => tf.add(tf.complex([1, 2], [3, 4]), tf.complex([10, 20], [30, 40])));
    expect(Array.from(await c.data())).toEqual([11, 33, 22, 44]);
    const re = tf.real(c);
    c.dispose();
    expect(Array.from(re.dataSync())).toEqual([11, 22]);
    re.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it('shares data between a reshape and its source, freeing it with the last holder', async () => {
    await tf.setBackend('twinops');
    const backend = tf.backend() as TwinopsBackend;
    const ids = backend.numDataIds();
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.reshape(x, [3, 2]);
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it('supports tf.time, tf.profile and tf.memory', async () => {
    await tf.setBackend('twinops');
    const a = rand([32, 32], 1);
    const t = await tf.time(() => tf.matMul(a, a).dispose());
    expect(t.kernelMs).toBeGreaterThanOrEqual(0);
    const p = await tf.profile(() => tf.tidy(() => tf.relu(tf.matMul(a, a))));
    expect(p.kernelNames).toEqual(expect.arrayContaining(['BatchMatMul', 'Relu']));
    const m = tf.memory() as tf.MemoryInfo & { twinops?: { liveTensors: number } };
    expect(m.unreliable).toBe(false);
    expect(m.twinops?.liveTensors).toBeGreaterThan(0);
    a.dispose();
  });

  it('moves data from another backend when a tensor is used after switching', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor([1, -2, 3], [3]);
    await tf.setBackend('twinops');
    const y = tf.relu(x);
    expect(Array.from(await y.data())).toEqual([1, 0, 3]);
    tf.dispose([x, y]);
  });

  it('fails with an error naming the tfjs kernel when twinops cannot run it', async () => {
    await tf.setBackend('twinops');
    // (a current gap: complex division; replace with another gap once it is mapped)
    const c = tf.complex([1, 2], [3, 4]);
    expect(() => tf.div(c, c)).toThrow(/RealDiv \(twinops backend\): input 0 has dtype complex64/);
    const x = tf.ones([2, 2]);
    // a kernel twinops has no op for is not registered: tfjs names it (Draw paints a canvas)
    expect(() => tf.engine().runKernel('Draw', { image: x } as never, {} as never)).toThrow(/Kernel 'Draw' not registered/);
    tf.dispose([c, x]);
  });

  it('survives tf.engine().reset()', async () => {
    await tf.setBackend('twinops');
    tf.engine().reset();
    expect(await tf.setBackend('twinops')).toBe(true);
    const y = tf.add(tf.scalar(1), tf.scalar(2));
    expect(y.dataSync()[0]).toBe(3);
  });
});

describe('tfjs backend twinops: ops against tfjs-backend-cpu', () => {
  it('BatchMatMul with transposes and a broadcast batch', async () => {
    // (tfjs-backend-cpu itself only broadcasts a batch of 1, so the comparison stays there)
    expectMatch(await both(() => tf.matMul(rand([3, 17, 33], 2), rand([1, 19, 33], 3), false, true)));
    expectMatch(await both(() => tf.matMul(rand([33, 17], 2), rand([33, 19], 3), true, false)));
  });

  it('_FusedMatMul with bias and relu, and with a batch-broadcast bias and leakyrelu', async () => {
    expectMatch(await both(() => tf.fused.matMul({ a: rand([5, 12], 4), b: rand([12, 7], 5), bias: rand([7], 6), activation: 'relu' })));
    expectMatch(await both(() => tf.fused.matMul({ a: rand([2, 5, 12], 7), b: rand([2, 12, 7], 8), bias: rand([2, 1, 7], 9), activation: 'leakyrelu', leakyreluAlpha: 0.3 })));
  });

  it('binary ops with broadcasting, float32 and int32', async () => {
    expectMatch(await both(() => tf.div(tf.sub(tf.mul(rand([4, 1, 5], 10), rand([3, 1], 11)), 0.5), tf.add(rand([5], 12), 3))));
    expectMatch(await both(() => tf.maximum(tf.tensor([1, -5, 7, 0], [4], 'int32'), tf.tensor([2], [1], 'int32'))));
    expectMatch(await both(() => tf.greaterEqual(rand([6], 13), rand([6], 14))));
  });

  it('unary ops and softmax', async () => {
    expectMatch(await both(() => tf.softmax(tf.tanh(tf.sigmoid(rand([7, 13], 15, 4))))));
    expectMatch(await both(() => tf.clipByValue(tf.leakyRelu(tf.exp(rand([9], 16)), 0.1), 0.2, 2)));
  });

  it('conv2d (NHWC, same padding, stride 2), depthwise conv and pooling', async () => {
    expectMatch(await both(() => tf.conv2d(rand([1, 9, 9, 3], 17) as tf.Tensor4D, rand([3, 3, 3, 4], 18) as tf.Tensor4D, 2, 'same')));
    expectMatch(await both(() => tf.depthwiseConv2d(rand([1, 8, 8, 3], 19) as tf.Tensor4D, rand([3, 3, 3, 2], 20) as tf.Tensor4D, 1, 'valid')));
    expectMatch(await both(() => tf.maxPool(rand([2, 7, 7, 3], 21) as tf.Tensor4D, 3, 2, 'same')));
    expectMatch(await both(() => tf.avgPool(rand([2, 7, 7, 3], 22) as tf.Tensor4D, 2, 2, 'valid')));
  });

  it('reductions and data movement', async () => {
    expectMatch(await both(() => tf.sum(rand([4, 5, 6], 23), [0, 2], true)));
    expectMatch(await both(() => tf.mean(rand([4, 5, 6], 24), 1)));
    expectMatch(await both(() => tf.transpose(rand([2, 3, 4], 25), [2, 0, 1])));
    expectMatch(await both(() => tf.concat([rand([2, 3], 26), rand([2, 5], 27)], 1)));
    expectMatch(await both(() => tf.slice(rand([5, 6], 28), [1, 2], [3, -1])));
    expectMatch(await both(() => tf.stridedSlice(rand([6, 7], 29), [5, 1], [0, 7], [-2, 3])));
  });
});

describe('tfjs backend twinops: memory', () => {
  it('leaves tf.memory().numTensors, the data ids and the twinops heap unchanged over 1,000 inferences', async () => {
    await tf.setBackend('twinops');
    const backend = tf.backend() as TwinopsBackend;
    const w = rand([16, 8], 30);
    const bias = rand([8], 31);
    const x = rand([4, 16], 32);
    const infer = () =>
      tf.tidy(() => tf.softmax(tf.reshape(tf.relu(tf.add(tf.matMul(x, w), bias)), [4, 8])));
    const once = () => {
      const y = infer();
      y.dataSync();
      y.dispose();
    };
    // warm-up: kernels compiled, weights packed, heap grown to its working size
    for (let i = 0; i < 5; i++) once();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    const heap = backend.rt.memory();
    for (let i = 0; i < 1000; i++) once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    const after = backend.rt.memory();
    expect(after.liveTensors).toBe(heap.liveTensors);
    expect(after.wasm.inUse).toBe(heap.wasm.inUse);
    expect(after.wasm.highWater).toBe(heap.wasm.highWater);
    tf.dispose([w, bias, x]);
  });
});

/**
 * The elementwise kernels routed to twinops' newer unary/binary/logical ops, each against
 * tfjs-backend-cpu on values that exercise its edges (ties for Round, ±0, ±Inf, NaN, domain
 * boundaries, mixed signs for Mod/FloorDiv, int32 where tfjs passes int32 to the kernel).
 * Tolerance: expectMatch's 1e-5 + 1e-5·|expected| (twinops rounds each result to float32 within a
 * few ulps of the float64 value tfjs-backend-cpu rounds once). Kernels left out on purpose (Sign:
 * tfjs gives sign(NaN) = 0, twinops NaN) must stay unregistered.
 */
describe('tfjs backend twinops: elementwise kernels on newer twinops ops, against tfjs-backend-cpu', () => {
  const t = (v: number[], dtype: 'float32' | 'int32' = 'float32') => tf.tensor1d(v, dtype);
  const EDGE = [-3.7, -2.5, -1.5, -1, -0.5, -0, 0, 0.3, 0.5, 1.5, 2.5, 4.2, NaN, Infinity, -Infinity];
  const UNIT = [-1, -0.9, -0.5, -0.1, 0, 0.25, 0.75, 1, NaN];
  const POS = [0, 1e-3, 0.5, 1, 2, 9.5, 100, Infinity, NaN];
  const MID = [-4, -2.2, -1, -0.3, 0, 0.4, 1.1, 2.5, 4, NaN];
  const UNARY: [string, () => tf.Tensor][] = [
    ['Floor', () => tf.floor(t(EDGE))],
    ['Ceil', () => tf.ceil(t(EDGE))],
    ['Round (half to even)', () => tf.round(t(EDGE))],
    ['Round int32', () => tf.round(t([-3, 0, 7], 'int32'))],
    ['Reciprocal', () => tf.reciprocal(t(EDGE))],
    ['Square', () => tf.square(t(MID))],
    ['Square int32', () => tf.square(t([-7, 0, 3, 46340], 'int32'))],
    ['Rsqrt', () => tf.rsqrt(t(POS))],
    ['Relu6', () => tf.relu6(t([-2, 0, 3, 6, 7.5, Infinity, NaN]))],
    ['Relu6 int32', () => tf.relu6(t([-2, 0, 3, 6, 9], 'int32'))],
    ['Elu', () => tf.elu(t(MID))],
    ['Selu', () => tf.selu(t(MID))],
    ['Softplus', () => tf.softplus(t(MID))],
    ['Expm1', () => tf.expm1(t([-3, -1e-4, 0, 1e-5, 0.5, 3, NaN]))],
    ['Log1p', () => tf.log1p(t([-1, -0.5, -1e-5, 0, 1e-6, 2, 50, Infinity, NaN]))],
    ['Step alpha 0.3', () => tf.step(t(MID), 0.3)],
    ['Sin', () => tf.sin(t(MID))],
    ['Cos', () => tf.cos(t(MID))],
    ['Tan', () => tf.tan(t([-1.2, -0.5, 0, 0.3, 1, 1.4, NaN]))],
    ['Asin', () => tf.asin(t(UNIT))],
    ['Acos', () => tf.acos(t(UNIT))],
    ['Atan', () => tf.atan(t([...MID, Infinity, -Infinity]))],
    ['Sinh', () => tf.sinh(t(MID))],
    ['Cosh', () => tf.cosh(t(MID))],
    ['Asinh', () => tf.asinh(t([...MID, 1e4]))],
    ['Acosh', () => tf.acosh(t([1, 1.01, 2, 10, 1e4, NaN]))],
    ['Atanh', () => tf.atanh(t([-0.99, -0.5, 0, 0.1, 0.9, NaN]))],
    ['IsNan', () => tf.isNaN(t(EDGE))],
    ['IsInf', () => tf.isInf(t(EDGE))],
    ['IsFinite', () => tf.isFinite(t(EDGE))],
    ['LogicalNot', () => tf.logicalNot(tf.tensor1d([true, false, true], 'bool'))],
  ];
  const A = [-7.5, -7, -3, -0.5, 0, 2, 3.25, 7, 9, NaN];
  const B = [2, -2, 2.5, 3, -3, -1.5, 2, 0.5, -4, 1];
  const AI = [-7, -7, -3, 7, 0, 7, 5, -1, 9, 6];
  const BI = [2, -2, 4, -3, 5, 3, -5, 3, 0, 1];
  const BOOL_A = [true, true, false, false];
  const BOOL_B = [true, false, true, false];
  const BINARY: [string, () => tf.Tensor][] = [
    ['Mod float32 (floored)', () => tf.mod(t(A), t(B))],
    ['Mod int32 (floored, x mod 0 = 0)', () => tf.mod(t(AI, 'int32'), t(BI, 'int32'))],
    ['FloorDiv int32', () => tf.floorDiv(t(AI.slice(0, 8), 'int32'), t(BI.slice(0, 8), 'int32'))],
    ['SquaredDifference, broadcast', () => tf.squaredDifference(tf.tensor2d(A.slice(0, 6), [2, 3]), t([1.5, -2, 0.25]))],
    ['SquaredDifference int32', () => tf.squaredDifference(t(AI, 'int32'), t(BI, 'int32'))],
    ['Prelu, per-channel alpha', () => tf.prelu(tf.tensor2d(A.slice(0, 6), [2, 3]), tf.tensor2d([0.1, -0.5, 2], [1, 3]))],
    ['Prelu int32 x (float32 output)', () => tf.prelu(t([-4, 3, -1, 0], 'int32'), t([0.25, 0.25, 0.5, 0.5]))],
    ['Atan2 with signed zeros and infinities', () => tf.atan2(t([0, -0, 0, -0, 1, -1, Infinity, -Infinity, 2, NaN]), t([0, 0, -0, -0, Infinity, -Infinity, Infinity, 3, -0.5, 1]))],
    ['NotEqual float32 with NaN', () => tf.notEqual(t(A), t([...A.slice(0, 5), 1, 1, 1, 1, NaN]))],
    ['NotEqual int32', () => tf.notEqual(t(AI, 'int32'), t(BI, 'int32'))],
    ['LogicalAnd', () => tf.logicalAnd(tf.tensor1d(BOOL_A, 'bool'), tf.tensor1d(BOOL_B, 'bool'))],
    ['LogicalOr', () => tf.logicalOr(tf.tensor1d(BOOL_A, 'bool'), tf.tensor1d(BOOL_B, 'bool'))],
    ['logicalXor (tfjs composes it from And/Or/Not)', () => tf.logicalXor(tf.tensor1d(BOOL_A, 'bool'), tf.tensor1d(BOOL_B, 'bool'))],
  ];
  for (const [name, program] of [...UNARY, ...BINARY]) {
    it(name, async () => {
      expectMatch(await both(program));
    });
  }

  it('registers the kernels it maps; Sign gives tfjs\' sign(NaN) = 0 (twinops Sign, ONNX, gives NaN)', async () => {
    const names = new Set(KERNELS.map((k) => k.kernelName));
    for (const k of ['Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Atan2', 'Mod', 'FloorDiv', 'Prelu', 'Relu6', 'Step', 'Sign']) expect(names.has(k), k).toBe(true);
    await tf.setBackend('twinops');
    const s = tf.sign(tf.tensor1d([NaN, -2, 0, 3]));
    expect(Array.from(s.dataSync())).toEqual([0, -1, 0, 1]);
    s.dispose();
  });
});
