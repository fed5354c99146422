/**
 * Real tfjs models shipped inside npm packages, loaded offline: the graph models of
 * `@vladmandic/human` that use no control flow, and the MobileNetV2 layers model of `nsfwjs`
 * (its model.json and weights are embedded in the package as JS modules). Shared by the model tests
 * (tests/tfjs-models.test.ts) and the model benchmarks (bench/tfjs-models.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { fileModel } from '../../adapters/tfjs/io.js';
import { prng } from '../workloads.js';

const require = createRequire(import.meta.url);

export interface TfjsModelSpec {
  id: string;
  /** Where it comes from and what it is. */
  label: string;
  /** Input shape with the batch set to 1. */
  shape: number[];
  /** Range of the deterministic pseudo-random input (the model's expected input scaling). */
  range: [number, number];
  /** Input dtype (int32 inputs get the values rounded). */
  dtype: 'float32' | 'int32';
  load(): Promise<GraphModel | LayersModel>;
}

/** A package's root folder (both packages restrict `exports`, so resolve the entry and walk up). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || !readFileSync(join(dir, 'package.json'), 'utf8').includes(`"name": "${name}"`)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the root of package ${name}`);
    dir = up;
  }
  return dir;
}

const humanDir = () => join(packageDir('@vladmandic/human'), 'models');

function human(id: string, shape: number[], range: [number, number], what: string, dtype: 'float32' | 'int32' = 'float32'): TfjsModelSpec {
  return { id, label: `${id} (${what}; @vladmandic/human)`, shape, range, dtype, load: () => loadGraphModel(fileModel(join(humanDir(), `${id}.json`))) };
}

function nsfwMobileNetV2(): TfjsModelSpec {
  return {
    id: 'nsfwjs-mobilenetv2',
    label: 'MobileNetV2 224x224 layers model (nsfwjs)',
    shape: [1, 224, 224, 3],
    range: [0, 1],
    dtype: 'float32',
    async load() {
      const dir = join(packageDir('nsfwjs'), 'dist', 'models', 'mobilenet_v2');
      const json = require(join(dir, 'model.min.js')) as tf.io.ModelJSON;
      const b64 = require(join(dir, 'group1-shard1of1.min.js')) as string;
      const bytes = Buffer.from(b64, 'base64');
      const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      return loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
    },
  };
}

/** Every model, smallest first. The `human` inputs are NHWC images scaled as each model expects. */
export const TFJS_MODELS: TfjsModelSpec[] = [
  human('liveness', [1, 32, 32, 3], [0, 1], 'face liveness CNN 32x32'),
  human('emotion', [1, 64, 64, 1], [0, 1], 'emotion CNN 64x64 grayscale'),
  human('iris', [1, 64, 64, 3], [0, 1], 'iris landmarks 64x64'),
  human('antispoof', [1, 128, 128, 3], [0, 1], 'anti-spoofing CNN 128x128'),
  human('blazeface', [1, 256, 256, 3], [-1, 1], 'face detector 256x256'),
  human('facemesh', [1, 192, 192, 3], [0, 1], 'face mesh 192x192'),
  human('faceres', [1, 224, 224, 3], [0, 1], 'face description 224x224'),
  human('handlandmark-lite', [1, 224, 224, 3], [0, 1], 'hand landmarks 224x224'),
  human('movenet-lightning', [1, 192, 192, 3], [0, 255], 'pose 192x192, int32 image input', 'int32'),
  human('centernet', [1, 512, 512, 3], [0, 1], 'object detector 512x512'),
  nsfwMobileNetV2(),
];

/** A deterministic input tensor for a model on the active backend. */
export function modelTensor(spec: TfjsModelSpec, seed = 1): tf.Tensor {
  const x = modelInput(spec, seed);
  return spec.dtype === 'int32' ? tf.tensor(Int32Array.from(x, Math.floor), spec.shape, 'int32') : tf.tensor(x, spec.shape, 'float32');
}

/** Deterministic input values for a model (every runtime gets the same values). */
export function modelInput(spec: TfjsModelSpec, seed = 1): Float32Array {
  const r = prng(seed);
  const [lo, hi] = spec.range;
  return Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, () => lo + r() * (hi - lo));
}

/** Run a model once on the active backend; every output, read back, in the model's output order. */
export async function runModel(model: GraphModel | LayersModel, x: tf.Tensor): Promise<{ shape: number[]; data: Float32Array | Int32Array | Uint8Array }[]> {
  const y = model.predict(x) as tf.Tensor | tf.Tensor[];
  const ys = Array.isArray(y) ? y : [y];
  const out = [];
  for (const t of ys) out.push({ shape: t.shape.slice(), data: (await t.data()) as Float32Array });
  tf.dispose(ys);
  return out;
}
