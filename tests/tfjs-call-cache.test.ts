/**
 * The tfjs backend's per-call caches (adapters/tfjs/kernels/memo.ts: conv and pool attributes
 * translated once per distinct call; backend.ts siteOf/siteFor: the runtime's plan and kernel
 * reused through rt.runCached): a call's result must not depend on which calls ran before it.
 * Calls that share input shapes but differ in attributes (stride-1 and stride-2 depthwise convs of
 * one input, pools with other windows, more transposes of one shape than a signature keeps caches
 * for) run in shuffled order, round after round; every result must be bit-identical to the same
 * call's first (uncached) result, and match tfjs-backend-cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../adapters/tfjs/index.js';
import { prng } from './arbitraries.js';

function values(shape: number[], seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
}

/** A tfjs program over inputs given as [values, shape] pairs (made on the active backend). */
interface Call {
  name: string;
  inputs: [Float32Array, number[]][];
  run: (xs: tf.Tensor[]) => tf.Tensor;
}

async function runOn(backend: string, c: Call): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const xs = c.inputs.map(([v, s]) => tf.tensor(v, s));
  const y = c.run(xs);
  const out = { shape: y.shape.slice(), data: (await y.data()) as Float32Array };
  tf.dispose([...xs, y]);
  return out;
}

/**
 * Tolerance against tfjs-backend-cpu: float32 convolutions summing ≤ 9·16 terms of inputs in
 * [-1, 1] in another order differ by a few ulps per term, inside 1e-5 + 1e-5·|expected|; pools,
 * transposes, pads and adds are exact.
 */
function expectNear(a: Float32Array, e: Float32Array, what: string): void {
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    if (!(Object.is(a[i], e[i]) || Math.abs(a[i]! - e[i]!) <= 1e-5 + 1e-5 * Math.abs(e[i]!))) expect.fail(`${what}: element ${i}: twinops ${a[i]} vs cpu ${e[i]}`);
  }
}

function expectSame(a: Float32Array, e: Float32Array, what: string): void {
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < e.length; i++) if (!Object.is(a[i], e[i])) expect.fail(`${what}: element ${i}: ${a[i]} now, ${e[i]} on the first call`);
}

/** Run `calls` once each (uncached), then `rounds` times in shuffled order: same bits every time. */
async function checkRounds(calls: Call[], rounds: number, seed: number): Promise<void> {
  const first = [];
  for (const c of calls) {
    const t = await runOn('twinops', c);
    const e = await runOn('cpu', c);
    expect(t.shape, c.name).toEqual(e.shape);
    expectNear(t.data, e.data, c.name);
    first.push(t);
  }
  const r = prng(seed);
  for (let k = 0; k < rounds; k++) {
    const order = calls.map((_, i) => i).sort(() => r() - 0.5);
    for (const i of order) {
      const t = await runOn('twinops', calls[i]!);
      expect(t.shape, calls[i]!.name).toEqual(first[i]!.shape);
      expectSame(t.data, first[i]!.data, `${calls[i]!.name} (round ${k + 2})`);
    }
  }
}

beforeAll(async () => {
  expect(await tf.setBackend('twinops')).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs backend twinops: cached calls give the results of uncached ones', () => {
  it('convolutions of one input with other strides, pads, dilations and fused activations', async () => {
    const x: [Float32Array, number[]] = [values([1, 9, 7, 16], 1), [1, 9, 7, 16]];
    const dw: [Float32Array, number[]] = [values([3, 3, 16, 1], 2), [3, 3, 16, 1]];
    const f: [Float32Array, number[]] = [values([3, 3, 16, 8], 3), [3, 3, 16, 8]];
    const bias: [Float32Array, number[]] = [values([8], 4), [8]];
    const alpha: [Float32Array, number[]] = [values([8], 5), [8]];
    const calls: Call[] = [];
    for (const strides of [1, 2] as const)
      for (const pad of ['same', 'valid', 1] as const) {
        calls.push({ name: `depthwise s${strides} ${pad}`, inputs: [x, dw], run: ([a, w]) => tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad) });
        calls.push({ name: `conv s${strides} ${pad}`, inputs: [x, f], run: ([a, w]) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad) });
      }
    calls.push({ name: 'conv dilation 2', inputs: [x, f], run: ([a, w]) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2) });
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
      for (const leakyreluAlpha of activation === 'leakyrelu' ? [0.1, 0.3] : [undefined]) {
        calls.push({
          name: `fused conv ${activation} ${leakyreluAlpha ?? ''}`,
          inputs: [x, f, bias, alpha],
          run: ([a, w, b, p]) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation, preluActivationWeights: p, leakyreluAlpha }),
        });
      }
    }
    calls.push({ name: 'fused conv without bias', inputs: [x, f], run: ([a, w]) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }) });
    await checkRounds(calls, 2, 11);
  });

  it('pools, transposes, pads and adds sharing input shapes (more variants than caches per signature)', async () => {
    const x: [Float32Array, number[]] = [values([1, 7, 6, 5], 6), [1, 7, 6, 5]];
    const calls: Call[] = [];
    for (const [k, s, pad] of [[2, 2, 'same'], [3, 1, 'same'], [3, 2, 'valid'], [1, 1, 'valid'], [2, 1, 1]] as const) {
      calls.push({ name: `maxPool ${k} ${s} ${pad}`, inputs: [x], run: ([a]) => tf.maxPool(a as tf.Tensor4D, k, s, pad) });
      calls.push({ name: `avgPool ${k} ${s} ${pad}`, inputs: [x], run: ([a]) => tf.avgPool(a as tf.Tensor4D, k, s, pad) });
    }
    for (const perm of [[0, 1, 2, 3], [0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 3, 2], [0, 3, 1, 2], [2, 3, 0, 1]]) {
      calls.push({ name: `transpose ${perm}`, inputs: [x], run: ([a]) => tf.transpose(a!, perm) });
    }
    for (const p of [0, 1, 2]) {
      calls.push({ name: `pad ${p}`, inputs: [x], run: ([a]) => tf.pad(a!, [[0, 0], [p, 1], [1, p], [0, 0]], p / 2) });
    }
    calls.push({ name: 'add', inputs: [x, [values([5], 7), [5]]], run: ([a, b]) => tf.add(a!, b!) });
    calls.push({ name: 'mul', inputs: [x, [values([5], 8), [5]]], run: ([a, b]) => tf.mul(a!, b!) });
    await checkRounds(calls, 3, 12);
  });

  it('random pools: any interleaving of calls gives each call its own result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'), max: fc.boolean() }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 3, max: 6 }),
        fc.nat(1000),
        async (specs, hw, seed) => {
          const x: [Float32Array, number[]] = [values([1, hw, hw + 1, 3], seed), [1, hw, hw + 1, 3]];
          const calls = specs.map(({ k, s, pad, max }): Call => ({
            name: `${max ? 'max' : 'avg'}Pool ${k} ${s} ${pad}`,
            inputs: [x],
            run: ([a]) => (max ? tf.maxPool : tf.avgPool)(a as tf.Tensor4D, k, s, pad),
          }));
          await checkRounds(calls, 2, seed);
        },
      ),
      { numRuns: 15 },
    );
  });
});
