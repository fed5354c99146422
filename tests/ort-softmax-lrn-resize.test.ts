/**
 * The ORT adapter's LogSoftmax / Hardmax (opset 11: the 2-D view at `axis`; 13: per axis), LRN and
 * Resize cubic / antialias / axes / keep_aspect_ratio_policy / tf_crop_and_resize mappings, against
 * onnxruntime-node's CPU provider on single-node models.
 */
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T, type ModelSpec, type NodeSpec } from './ort/build-model.js';

registerOrtBackend(ortNode as unknown as OrtModule);

function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

async function run(bytes: Uint8Array, x: Float32Array, dims: number[], ep: string): Promise<Record<string, { dims: readonly number[]; data: Float32Array }>> {
  const s = await ortNode.InferenceSession.create(bytes, { executionProviders: [ep], intraOpNumThreads: 1 });
  try {
    const out = await s.run({ x: new ortNode.Tensor('float32', x, dims) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, data: t.data as Float32Array }]));
  } finally {
    await s.release();
  }
}

/**
 * Tolerance: onnxruntime computes in float32 with its own operation order (MLAS exp/log, pow for
 * LRN, its cubic coefficient tables); results agree to a few ulps of the larger of the result and
 * the inputs it mixes: 2e-5 absolute + 2e-5 relative on inputs of magnitude ≤ 4.
 */
async function same(spec: ModelSpec, x: Float32Array, dims: number[]): Promise<void> {
  const bytes = buildModel(spec);
  const want = await run(bytes, x, dims, 'cpu');
  const got = await run(bytes, x, dims, 'twinops');
  for (const [k, w] of Object.entries(want)) {
    const g = got[k]!;
    expect(g.dims, k).toEqual(w.dims);
    for (let i = 0; i < w.data.length; i++) {
      const [a, e] = [g.data[i]!, w.data[i]!];
      if (!(Object.is(a, e) || Math.abs(a - e) <= 2e-5 + 2e-5 * Math.abs(e))) expect.fail(`${k}[${i}]: twinops ${a} vs onnxruntime ${e}`);
    }
  }
}

const model = (opset: number, op: string, dims: number[], attrs: NonNullable<NodeSpec['attrs']>[], outDims = dims, extra: Partial<ModelSpec> = {}, inputs: string[] = ['x']): ModelSpec => ({
  opset,
  inputs: [{ name: 'x', type: T.FLOAT, dims }],
  outputs: attrs.map((_, i) => ({ name: `y${i}`, type: T.FLOAT, dims: outDims })),
  nodes: attrs.map((a, i) => ({ op, inputs, outputs: [`y${i}`], attrs: a })),
  ...extra,
});

describe('ORT adapter: LogSoftmax, Hardmax, LRN, Resize', () => {
  it('LogSoftmax and Hardmax at opset 11 (2-D view) and 13 (per axis)', async () => {
    const x = randn(2 * 3 * 5, 3, 4);
    for (const op of ['LogSoftmax', 'Hardmax']) {
      for (const opset of [11, 13]) await same(model(opset, op, [2, 3, 5], [{ axis: 1 }, { axis: 0 }, { axis: -1 }, {}]), x, [2, 3, 5]);
    }
  });

  it('LRN: sizes and attributes (onnxruntime takes odd sizes only; even ones are checked in lrn.test.ts)', async () => {
    const x = randn(2 * 7 * 4 * 5, 5, 4);
    await same(model(13, 'LRN', [2, 7, 4, 5], [{ size: 3 }, { size: 5, alpha: 0.01, beta: 0.5, bias: { f: 2.5 } }, { size: 9, alpha: 0.3 }]), x, [2, 7, 4, 5]);
  });

  it('Resize cubic, antialias, exclude_outside, axes, keep_aspect_ratio_policy, tf_crop_and_resize', async () => {
    const x = randn(1 * 2 * 6 * 8, 7, 4);
    const dims = [1, 2, 6, 8];
    const sizes = (name: string, v: number[]) => ({ name, type: T.INT64, dims: [v.length], data: v });
    const floats = (name: string, v: number[]) => ({ name, type: T.FLOAT, dims: [v.length], data: v });
    await same(model(19, 'Resize', dims, [{ mode: 'cubic' }, { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 }, { mode: 'linear', antialias: 1 }], [1, 2, 4, 5], { initializers: [sizes('sizes', [1, 2, 4, 5])] }, ['x', '', '', 'sizes']), x, dims);
    await same(model(19, 'Resize', dims, [{ mode: 'cubic', axes: [3, 2] }, { mode: 'linear', axes: [2, 3] }], [1, 2, 9, 12], { initializers: [floats('scales', [1.5, 1.5])] }, ['x', '', 'scales']), x, dims);
    await same(model(19, 'Resize', dims, [{ mode: 'nearest', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }], [1, 2, 3, 4], { initializers: [sizes('sizes', [3, 5])] }, ['x', '', '', 'sizes']), x, dims);
    await same(
      model(19, 'Resize', dims, [{ mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: { f: 3.5 } }], [1, 2, 5, 5], { initializers: [floats('roi', [0, 0, -0.1, 0.2, 1, 1, 0.8, 1.2]), sizes('sizes', [1, 2, 5, 5])] }, ['x', 'roi', '', 'sizes']),
      x,
      dims,
    );
  });
});
