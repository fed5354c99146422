/**
 * The tfjs mapping of Conv and ConvTranspose, checked against @tensorflow/tfjs-backend-cpu itself:
 * fused conv2d / depthwiseConv2d (bias + relu) with 'same' / 'valid', strides and dilations become
 * NHWC Conv with HWIO / HWIM filters and SAME_UPPER / VALID; conv2dTranspose becomes NHWC
 * ConvTranspose with an HWOI filter, outputShape and SAME_UPPER / VALID.
 * Tolerance 1e-5 absolute: inputs in [-0.5, 0.5), at most 48 terms per output, both sides float32
 * sums in different orders (each within 48·2^-24·Σ|terms| ≤ 48·2^-24·12 ≈ 3.4e-5 worst case; the
 * observed gap is ≤ 2e-7).
 */
import { afterAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRuntime } from '../core/runtime.js';
import { prng } from './arbitraries.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
let rt: Awaited<ReturnType<typeof createRuntime>> | undefined;
afterAll(() => rt?.dispose());

it('fused conv2d, fused depthwiseConv2d and conv2dTranspose agree with tfjs-backend-cpu', async () => {
  await tf.setBackend('cpu');
  // tfjs-backend-cpu prints a "use tfjs-node" banner on first use in Node; it is not news here
  (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
  rt = await createRuntime({ device: 'wasm', threads: 1 });
  const rand = prng(31);
  const r = () => rand() - 0.5;
  const cases = [
    { x: [2, 9, 10, 3], f: [3, 3, 3, 5], s: [2, 2], pad: 'same', dil: [1, 1], dw: false },
    { x: [1, 8, 7, 4], f: [2, 3, 4, 6], s: [1, 1], pad: 'valid', dil: [2, 1], dw: false },
    { x: [1, 11, 10, 4], f: [3, 3, 4, 2], s: [2, 2], pad: 'same', dil: [1, 1], dw: true },
    { x: [1, 9, 9, 3], f: [3, 3, 3, 1], s: [1, 1], pad: 'same', dil: [2, 2], dw: true },
    { x: [1, 10, 10, 3], f: [4, 4, 3, 5], s: [3, 3], pad: 'same', dil: [1, 1], dw: false },
  ] as const;
  for (const c of cases) {
    const X = Float32Array.from({ length: size(c.x) }, r);
    const F = Float32Array.from({ length: size(c.f) }, r);
    const M = c.dw ? c.f[2] * c.f[3] : c.f[3];
    const B = Float32Array.from({ length: M }, r);
    const tx = tf.tensor4d(X, c.x as unknown as [number, number, number, number]), tfl = tf.tensor4d(F, c.f as unknown as [number, number, number, number]), tb = tf.tensor1d(B);
    const args = { x: tx, filter: tfl, strides: c.s as unknown as [number, number], pad: c.pad, dilations: c.dil as unknown as [number, number], bias: tb, activation: 'relu' as const };
    const ref = c.dw ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
    const [y] = rt!.run('Conv', [rt!.tensor(X, [...c.x]), rt!.tensor(F, [...c.f]), rt!.tensor(B, [M])], { layout: 'NHWC', filterLayout: c.dw ? 'HWIM' : 'HWIO', strides: [...c.s], dilations: [...c.dil], autoPad: c.pad === 'same' ? 'SAME_UPPER' : 'VALID', activation: { kind: 'relu' } });
    expect(y!.shape).toEqual(ref.shape);
    const a = y!.dataSync() as Float32Array, b = ref.dataSync();
    let worst = 0; for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-5);
  }
  // conv2dTranspose
  for (const c of [{ x: [1, 4, 5, 3], f: [3, 3, 6, 3], out: [1, 8, 10, 6], s: 2, pad: 'same' }, { x: [2, 3, 4, 5], f: [2, 3, 7, 5], out: [2, 4, 9, 7], s: [1, 2], pad: 'valid' }] as const) {
    const X = Float32Array.from({ length: size(c.x) }, r);
    const F = Float32Array.from({ length: size(c.f) }, r);
    const ref = tf.conv2dTranspose(tf.tensor4d(X, c.x as unknown as [number, number, number, number]), tf.tensor4d(F, c.f as unknown as [number, number, number, number]), c.out as unknown as [number, number, number, number], c.s as unknown as number, c.pad);
    const strides = typeof c.s === 'number' ? [c.s, c.s] : [...c.s];
    const [y] = rt!.run('ConvTranspose', [rt!.tensor(X, [...c.x]), rt!.tensor(F, [...c.f])], { layout: 'NHWC', strides, outputShape: [c.out[1], c.out[2]], autoPad: c.pad === 'same' ? 'SAME_UPPER' : 'VALID' });
    expect(y!.shape).toEqual(ref.shape);
    const a = y!.dataSync() as Float32Array, b = ref.dataSync();
    let worst = 0; for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-5);
  }
});
