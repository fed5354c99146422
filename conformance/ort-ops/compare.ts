/**
 * Output comparison, as onnxruntime's web test runner does it for these files
 * (js/web/test/test-runner.ts, TensorResultValidator): type and dims must match exactly; integer and
 * bool outputs must match exactly; float32 elements pass when they are equal, both NaN,
 * |actual - expected| < ABS, or (both non-zero and) actual/expected and expected/actual are both < REL.
 * Infinities only match exactly. The thresholds are that file's per-backend constants:
 *   WASM_THRESHOLD_ABSOLUTE_ERROR = 1.0e-4, WASM_THRESHOLD_RELATIVE_ERROR = 1.000001
 *   WEBGPU_THRESHOLD_ABSOLUTE_ERROR = 1.0e-3, WEBGPU_THRESHOLD_RELATIVE_ERROR = 1.00001
 */
import { halfToFloat } from '../../core/dtype.js';
import type { TensorSpec } from './data.js';

export interface Tolerance {
  abs: number;
  /** A ratio bound: a/b < rel and b/a < rel. */
  rel: number;
  source: string;
}

export const TOLERANCE: Record<'wasm' | 'webgpu', Tolerance> = {
  wasm: { abs: 1.0e-4, rel: 1.000001, source: 'onnxruntime js/web/test/test-runner.ts WASM_THRESHOLD_{ABSOLUTE,RELATIVE}_ERROR' },
  webgpu: { abs: 1.0e-3, rel: 1.00001, source: 'onnxruntime js/web/test/test-runner.ts WEBGPU_THRESHOLD_{ABSOLUTE,RELATIVE}_ERROR' },
};

export interface Actual {
  dtype: string;
  shape: readonly number[];
  data: ArrayLike<number | bigint>;
}

export interface Mismatch {
  output: number;
  /** What differs: 'dtype', 'dims', or 'data' (with the worst element). */
  what: 'dtype' | 'dims' | 'data';
  detail: string;
  index?: number;
  expected?: number;
  got?: number;
  /** Elements outside tolerance, of `size`. */
  bad?: number;
  size?: number;
}

function floatOk(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const bb = Math.max(Math.min(b, 3.4028234663852886e38), -3.4028234663852886e38);
  if (Math.abs(a - b) < tol.abs) return true;
  return a !== 0 && bb !== 0 && a / bb < tol.rel && bb / a < tol.rel;
}

/** How far off an element is, for picking the worst one (NaN/Infinity mismatches rank highest). */
function badness(a: number, b: number): number {
  const d = Math.abs(a - b);
  return Number.isNaN(d) ? Infinity : d;
}

const fmtDims = (d: readonly number[]) => `[${d.join(',')}]`;

/** Compare one output; undefined when it matches. */
export function compareOutput(output: number, actual: Actual, expected: TensorSpec, tol: Tolerance): Mismatch | undefined {
  if (actual.dtype !== expected.type) {
    return { output, what: 'dtype', detail: `output ${output}: dtype ${actual.dtype}, expected ${expected.type}` };
  }
  if (actual.shape.length !== expected.dims.length || actual.shape.some((d, i) => d !== expected.dims[i])) {
    return { output, what: 'dims', detail: `output ${output}: dims ${fmtDims(actual.shape)}, expected ${fmtDims(expected.dims)}` };
  }
  // a float16 output holds the float16 nearest each expected decimal (1.2 is 1.2001953125): compare with that
  const exp = expected.type === 'float16' ? expected.data.map((v) => halfToFloat(halfBits(Number(v)))) : expected.data.map((v) => Number(v));
  if (actual.data.length !== exp.length) {
    return { output, what: 'dims', detail: `output ${output}: ${actual.data.length} elements, expected data has ${exp.length}` };
  }
  const isFloat = expected.type === 'float32' || expected.type === 'float64' || expected.type === 'float16';
  let bad = 0;
  let worst = -1;
  let worstBy = -1;
  for (let i = 0; i < exp.length; i++) {
    const a = Number(actual.data[i]);
    const b = exp[i]!;
    const ok = isFloat ? floatOk(a, b, tol) : a === b;
    if (ok) continue;
    bad++;
    const by = badness(a, b);
    if (by > worstBy) {
      worstBy = by;
      worst = i;
    }
  }
  if (bad === 0) return undefined;
  const got = Number(actual.data[worst]);
  const want = exp[worst]!;
  return {
    output,
    what: 'data',
    index: worst,
    expected: want,
    got,
    bad,
    size: exp.length,
    detail: `output ${output}: ${bad}/${exp.length} elements outside tolerance; worst at [${worst}]: expected ${want}, got ${got} (|diff| ${Math.abs(got - want)})`,
  };
}

/** IEEE half bits of a number (round to nearest even), for float16 feeds and expected values. */
export function halfBits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (half + (rem > 0x1000 || (rem === 0x1000 && half & 1) ? 1 : 0));
}
