/**
 * Tolerance checker for kernel output against a float64 reference.
 *
 * float32 element i passes when any of these holds (checked against `expected` and each `alt`):
 *  - expected is NaN and actual is NaN (NaN == NaN here; NaN never matches a number);
 *  - expected is ±Inf and actual is exactly the same infinity (infinities are never "close");
 *  - actual equals expected rounded to float32 (±0 compare equal);
 *  - |actual − expected| ≤ atol + atolPer[i] + rtol·|expected|, where an actual ±Inf counts as
 *    ±2^128 (the float32 overflow threshold), so a finite expected value just past FLT_MAX may round
 *    to Inf and a finite actual may stand for an expected value that overflowed by rounding only.
 * int32 and bool compare exactly.
 * The failure message names the op, the shapes, the worst element (flat and multi-index), its actual
 * and expected values, error and tolerance, and (via `describeInputs`) the inputs that produced it.
 */
import { unravel, fmt } from './broadcast.js';

export interface CompareOptions {
  /** What ran, e.g. "Add float32 on wasm (threads=2)". */
  op: string;
  /** Input shapes (for the message). */
  shapes?: readonly (readonly number[])[];
  /** Output shape (for the multi-index). */
  outShape?: readonly number[];
  dtype: 'float32' | 'int32' | 'bool';
  rtol?: number;
  atol?: number;
  /** Extra absolute tolerance per element (e.g. the dot-product error bound). */
  atolPer?: ArrayLike<number>;
  /** Other results the definition also allows (flush-to-zero, the limit vs the formula at ±Inf, ...). */
  alt?: readonly ArrayLike<number>[];
  /** Text naming the input values that produced output element i. */
  describeInputs?: (i: number) => string;
  /** Extra context appended to the message (seed, attributes, ...). */
  context?: string;
}

export interface Mismatch {
  index: number;
  actual: number;
  expected: number;
  err: number;
  tol: number;
  /** err/tol, Infinity for NaN/Inf mismatches. */
  ratio: number;
}

export interface CompareResult {
  ok: boolean;
  mismatches: number;
  worst?: Mismatch;
  message: string;
}

const OVERFLOW = 2 ** 128;

function closeF32(a: number, e: number, tol: number): { pass: boolean; err: number } {
  if (Number.isNaN(e)) return { pass: Number.isNaN(a), err: Number.isNaN(a) ? 0 : Infinity };
  if (Number.isNaN(a)) return { pass: false, err: Infinity };
  if (e === Infinity || e === -Infinity) return { pass: a === e, err: a === e ? 0 : Infinity };
  if (a === Math.fround(e)) return { pass: true, err: 0 };
  const av = a === Infinity ? OVERFLOW : a === -Infinity ? -OVERFLOW : a;
  const err = Math.abs(av - e);
  return { pass: err <= tol, err };
}

function fmtNum(x: number): string {
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, o: CompareOptions): CompareResult {
  const where = `${o.op}${o.shapes ? ` with inputs ${o.shapes.map(fmt).join(', ')}` : ''}${o.outShape ? ` -> ${fmt(o.outShape)}` : ''}`;
  if (actual.length !== expected.length) {
    return { ok: false, mismatches: Math.abs(actual.length - expected.length), message: `${where}: output has ${actual.length} elements, reference has ${expected.length}` };
  }
  const rtol = o.rtol ?? 0;
  const atol = o.atol ?? 0;
  let mismatches = 0;
  let worst: Mismatch | undefined;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (o.dtype !== 'float32') {
      let pass = a === e;
      if (!pass && o.alt) pass = o.alt.some((alt) => alt[i] === a);
      if (!pass) {
        mismatches++;
        const err = Math.abs(a - e);
        if (!worst || err > worst.err) worst = { index: i, actual: a, expected: e, err, tol: 0, ratio: Infinity };
      }
      continue;
    }
    const tol = atol + (o.atolPer ? o.atolPer[i]! : 0) + rtol * Math.abs(e);
    let r = closeF32(a, e, tol);
    if (!r.pass && o.alt) {
      for (const alt of o.alt) {
        const ae = alt[i]!;
        const t2 = atol + (o.atolPer ? o.atolPer[i]! : 0) + rtol * Math.abs(ae);
        if (closeF32(a, ae, t2).pass) {
          r = { pass: true, err: 0 };
          break;
        }
      }
    }
    if (!r.pass) {
      mismatches++;
      const ratio = tol > 0 ? r.err / tol : Infinity;
      if (!worst || ratio > worst.ratio || (ratio === worst.ratio && r.err > worst.err)) worst = { index: i, actual: a, expected: e, err: r.err, tol, ratio };
    }
  }
  if (!worst) return { ok: true, mismatches: 0, message: `${where}: ok` };
  const idx = o.outShape ? ` (index [${unravel(worst.index, o.outShape).join(',')}])` : '';
  const inputs = o.describeInputs ? `; inputs: ${o.describeInputs(worst.index)}` : '';
  const altTxt = o.alt && o.alt.length ? `; also accepted: ${o.alt.map((x) => fmtNum(x[worst!.index]!)).join(' or ')}` : '';
  const exact = o.dtype !== 'float32' || !Number.isFinite(worst.expected) || Number.isNaN(worst.actual);
  const tolTxt = exact
    ? ' (exact match required)'
    : `, |err| ${worst.err} > tol ${worst.tol} (rtol ${rtol}, atol ${atol}${o.atolPer ? ` + per-element ${o.atolPer[worst.index]}` : ''})`;
  const message =
    `${where} [${o.dtype}]: ${mismatches} of ${expected.length} elements wrong; worst at flat ${worst.index}${idx}: ` +
    `got ${fmtNum(worst.actual)}, expected ${fmtNum(worst.expected)}${o.dtype === 'float32' ? ` (float32 ${fmtNum(Math.fround(worst.expected))})` : ''}` +
    `${altTxt}${tolTxt}${inputs}${o.context ? `; ${o.context}` : ''}`;
  return { ok: false, mismatches, worst, message };
}

/** Throws an Error with compareArrays' message when the output does not match. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, o: CompareOptions): void {
  const r = compareArrays(actual, expected, o);
  if (!r.ok) throw new Error(r.message);
}

/** Shapes must agree exactly. */
export function expectShape(actual: readonly number[], expected: readonly number[], op: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${op}: output shape ${fmt(actual)}, expected ${fmt(expected)}`);
  }
}

/** Bit-for-bit equality of two typed arrays (NaN payloads and signed zeros included). */
export function expectBitIdentical(a: ArrayBufferView, b: ArrayBufferView, op: string): void {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) throw new Error(`${op}: byte lengths differ (${x.length} vs ${y.length})`);
  const bpe = (a as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  let diffs = 0;
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      diffs++;
      if (first < 0) first = i;
    }
  }
  if (diffs) {
    const el = Math.floor(first / bpe);
    const av = (a as unknown as ArrayLike<number>)[el];
    const bv = (b as unknown as ArrayLike<number>)[el];
    // Say whether only NaN bits differ (sign/payload: numerically the same result, but not bit-identical).
    let elems = 0;
    let nanOnly = true;
    const A = a as unknown as ArrayLike<number>;
    const B = b as unknown as ArrayLike<number>;
    for (let i = 0; i < A.length; i++) {
      const same = x.subarray(i * bpe, (i + 1) * bpe).every((v, k) => v === y[i * bpe + k]);
      if (same) continue;
      elems++;
      if (!(Number.isNaN(A[i]) && Number.isNaN(B[i]))) nanOnly = false;
    }
    const hex = (arr: Uint8Array) => Array.from(arr.subarray(el * bpe, (el + 1) * bpe)).reverse().map((v) => v.toString(16).padStart(2, '0')).join('');
    throw new Error(
      `${op}: not bit-identical: ${elems} elements (${diffs} bytes) differ, first at element ${el}: ${fmtNum(Number(av))} (0x${hex(x)}) vs ${fmtNum(Number(bv))} (0x${hex(y)})` +
        (nanOnly ? '; every differing element is NaN in both: only the NaN sign/payload bits differ' : ''),
    );
  }
}
