/**
 * ONNX TopK through the ORT backend (wasm), against onnxruntime-node CPU: opset 11 (K as an int64
 * input, largest/sorted attributes, any axis) and opset 1 (k attribute). Values are selected, not
 * computed, so outputs must match exactly, ties (lower index first) included. twinops-webgpu is
 * not tested: ONNX TopK's int64 indices cannot live on WebGPU (the kernel says so).
 */
import * as ortCommon from 'onnxruntime-common';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { prng } from './arbitraries.js';
import { buildModel, T } from './ort/build-model.js';

registerOrtBackend(ortCommon as unknown as OrtModule, { warn: () => undefined });
const TWINOPS = { executionProviders: ['twinops'], intraOpNumThreads: 2 };

async function run(ort: typeof ortCommon, bytes: Uint8Array, x: Float32Array, dims: number[], options: object) {
  const s = await ort.InferenceSession.create(bytes, options);
  try {
    const out = await s.run({ X: new ort.Tensor('float32', x, dims) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>, Number) }]));
  } finally {
    await s.release();
  }
}

function model11(k: number, axis: number, largest: number) {
  return buildModel({
    opset: 11,
    inputs: [{ name: 'X', type: T.FLOAT, dims: ['a', 'b', 'c'] }],
    outputs: [{ name: 'V', type: 0 }, { name: 'I', type: 0 }],
    initializers: [{ name: 'K', type: T.INT64, dims: [1], data: BigInt64Array.from([BigInt(k)]) }],
    nodes: [{ op: 'TopK', inputs: ['X', 'K'], outputs: ['V', 'I'], attrs: { axis, largest, sorted: 1 } }],
  });
}

describe('ONNX TopK through the ORT backend', () => {
  it('opset 11: K input, largest and smallest, every axis, ties', async () => {
    const dims = [3, 17, 5];
    const r = prng(7);
    const x = Float32Array.from({ length: 3 * 17 * 5 }, () => Math.floor(r() * 6) - 3);
    for (const axis of [-1, 0, 1]) {
      for (const largest of [1, 0]) {
        const k = axis === 0 ? 2 : 4;
        const m = model11(k, axis, largest);
        const got = await run(ortCommon, m, x, dims, TWINOPS);
        const want = await run(ortNode as unknown as typeof ortCommon, m, x, dims, {});
        expect(got, `axis ${axis} largest ${largest}`).toEqual(want);
      }
    }
  });

  it('opset 1: k attribute', async () => {
    const m = buildModel({
      opset: 1,
      inputs: [{ name: 'X', type: T.FLOAT, dims: [2, 9] }],
      outputs: [{ name: 'V', type: 0 }, { name: 'I', type: 0 }],
      nodes: [{ op: 'TopK', inputs: ['X'], outputs: ['V', 'I'], attrs: { k: 3 } }],
    });
    const x = Float32Array.from([5, 1, 5, -2, 9, 9, 0, 3, 5, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    expect(await run(ortCommon, m, x, [2, 9], TWINOPS)).toEqual(await run(ortNode as unknown as typeof ortCommon, m, x, [2, 9], {}));
  });
});
