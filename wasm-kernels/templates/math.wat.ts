/**
 * Vectorised float32 math as WAT snippets, shared by the elementwise, softmax and GEMM-epilogue
 * families. Every helper returns ONE folded expression of type v128 (f32x4 lanes) and evaluates its
 * argument expression exactly once. Temporaries live in locals with a `$m_` prefix: a function that
 * uses any helper declares them once with `MATH_LOCALS`. Pass `{ ...variant, consts: new ConstPool() }`
 * to hoist the constants into locals (then put `pool.decls()` in the local list and `pool.init()` at
 * function entry); without a pool they are inline v128.const.
 *
 * Max error vs float64 (tests/elementwise-kernel.test.ts, relaxed and plain SIMD alike): exp 1.1 ulp
 * (denormal results included), log 0.75, sigmoid 2.2, tanh 1.25, erf 2.5, gelu 5.8 (x ≥ −12.5; below,
 * Φ(x) is itself denormal), pow 0.5 ulp (float64 inside); expm1 1.4, log1p 2.3, softplus 2.6, mish
 * 3.3, sinh/cosh/asinh/acosh/atanh 2.3–2.8; sin/cos/tan/atan/asin/acos/atan2 0.5 (float64 inside;
 * sin/cos/tan within |x| ≤ 2^31, see sinCosF32x4). Special values follow C99/numpy
 * (exp(±Inf), log(0) = −Inf, log(<0) = NaN, tanh(±Inf) = ±1, NaN in → NaN out).
 */
import { madd, type WatVariant } from './wat.js';

/** A float32 literal that WAT parses back to exactly Math.fround(x). */
export function flit(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  return Math.fround(x).toPrecision(9);
}

/** f32x4 constant with all four lanes equal to x. */
export function f4(x: number): string {
  const s = flit(x);
  return `(v128.const f32x4 ${s} ${s} ${s} ${s})`;
}

/** i32x4 constant with all four lanes equal to x. */
export function i4(x: number): string {
  const s = String(x | 0);
  return `(v128.const i32x4 ${s} ${s} ${s} ${s})`;
}

/**
 * Hoisted constants. V8 (TurboFan, x64) rebuilds a non-trivial v128.const from two 64-bit immediates
 * at every use (4 instructions); inside a hot loop that costs more than the arithmetic. A pool turns
 * each distinct f32x4 constant into a local initialised once at function entry.
 */
export class ConstPool {
  private readonly map = new Map<string, number>();
  /** A local holding the v128.const expression `c`. */
  get(c: string): string {
    let i = this.map.get(c);
    if (i === undefined) this.map.set(c, (i = this.map.size));
    return `(local.get $k${i})`;
  }
  /** Local declarations, for the function header. */
  decls(): string {
    return [...this.map.values()].map((i) => `(local $k${i} v128)`).join(' ');
  }
  /** Initialisation, for the function entry. */
  init(): string {
    return [...this.map.entries()].map(([c, i]) => `(local.set $k${i} ${c})`).join(' ');
  }
}

/** A variant plus, optionally, the pool the current function hoists its constants into. */
export interface MathVariant extends WatVariant {
  consts?: ConstPool;
}

/** An f32x4 constant: from the pool when there is one, inline otherwise. */
export function k(v: MathVariant, x: number): string {
  return v.consts ? v.consts.get(f4(x)) : f4(x);
}

/** An i32x4 constant, pooled like k(). */
export function ki(v: MathVariant, x: number): string {
  return v.consts ? v.consts.get(i4(x)) : i4(x);
}

/** f64x2 constant. */
function d2(x: number): string {
  const s = Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x.toPrecision(17);
  return `(v128.const f64x2 ${s} ${s})`;
}

function i2(x: bigint): string {
  return `(v128.const i64x2 ${x} ${x})`;
}

const L = [
  'ex_x', 'ex_t', 'ex_n', 'ex_r', 'ex_p', 'ex_i', 'ex_h',
  'lg_x', 'lg_m', 'lg_e', 'lg_f', 'lg_z', 'lg_p', 'lg_k',
  'sg_x', 'sg_z',
  'th_x', 'th_a', 'th_u', 'th_s',
  'ef_x', 'ef_a', 'ef_u', 'ef_s', 'ef_c', 'ef_m', 'ef_h', 'ef_l',
  'gl_x',
  'pw_x', 'pw_y', 'pw_r', 'pw_i',
  'pd_x', 'pd_m', 'pd_e', 'pd_s', 'pd_z', 'pd_l', 'pd_t', 'pd_k', 'pd_r',
  'em_x', 'em_q', 'l1_z', 'l1_u', 'sp_x',
  'sc_x', 'sc_lo', 'sd_x', 'sd_n', 'sd_r', 'sd_z', 'sd_s', 'sd_c', 'sd_q',
  'hy_x', 'hy_a', 'hy_t', 'hy_u',
  'at_x', 'at_lo', 'ad_t', 'ad_a', 'ad_u', 'ad_m', 'ad_i', 'ad_z', 'ad_p',
];

/** Declarations of every temporary the helpers use; put it in the function's local list. */
export const MATH_LOCALS = L.map((n) => `(local $m_${n} v128)`).join(' ');

const SIGN = 0x80000000;
const ABS = 0x7fffffff;
const set = (n: string, e: string) => `(local.set $m_${n} ${e})`;
const get = (n: string) => `(local.get $m_${n})`;

/** Horner: c[n-1]·u^(n-1) + … + c[0], with madd (FMA under relaxed SIMD). */
function horner(v: MathVariant, into: string, u: string, c: readonly number[]): string {
  let s = set(into, madd(v, k(v, c[c.length - 1]!), u, k(v, c[c.length - 2]!)));
  for (let i = c.length - 3; i >= 0; i--) s += set(into, madd(v, get(into), u, k(v, c[i]!)));
  return s;
}

// e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (weighted least squares, float32 coefficients); Cephes' ln2 split.
const EXP_P = [0.5, 0.16666577756404877, 0.04166685417294502, 0.008363144472241402, 0.0013901271158829331];
// e^r ≈ 1 + r·P(r), degree 5 in all (≤ 1.6e-7 relative in float32): the cheaper form softmax uses
const EXP5_P = [0.9999997019767761, 0.4999915063381195, 0.1666763722896576, 0.0418979674577713, 0.00829030480235815];
const LN2_HI = 0.693359375; // 9 significant bits: n·LN2_HI is exact for |n| < 2^15
const LN2_LO = -2.12194440e-4;
const LOG2E = 1.4426950408889634;
const MAGIC = 12582912; // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits

function expPoly(v: MathVariant): string {
  // r = x − n·ln2 (hi/lo), p = e^r
  return (
    set('ex_r', madd(v, get('ex_n'), k(v, -LN2_HI), get('ex_x'))) +
    set('ex_r', madd(v, get('ex_n'), k(v, -LN2_LO), get('ex_r'))) +
    set('ex_p', madd(v, k(v, EXP_P[4]!), get('ex_r'), k(v, EXP_P[3]!))) +
    set('ex_p', madd(v, get('ex_p'), get('ex_r'), k(v, EXP_P[2]!))) +
    set('ex_p', madd(v, get('ex_p'), get('ex_r'), k(v, EXP_P[1]!))) +
    set('ex_p', madd(v, get('ex_p'), get('ex_r'), k(v, EXP_P[0]!))) +
    set('ex_p', madd(v, get('ex_p'), get('ex_r'), k(v, 1))) +
    set('ex_p', madd(v, get('ex_p'), get('ex_r'), k(v, 1)))
  );
}

/**
 * e^x over the whole float32 range: overflow to +Inf above ~88.72, gradual underflow to denormals
 * and 0 below -87.3 (2^n applied as two factors so neither leaves the normal range), NaN → NaN.
 */
export function expF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('ex_x', `(f32x4.pmax (f32x4.pmin ${x} ${k(v, 89)}) ${k(v, -104)})`)}
    ${set('ex_t', madd(v, get('ex_x'), k(v, LOG2E), k(v, MAGIC)))}
    ${set('ex_n', `(f32x4.sub ${get('ex_t')} ${k(v, MAGIC)})`)}
    ${expPoly(v)}
    ${set('ex_i', `(i32x4.sub ${get('ex_t')} ${ki(v, 0x4b400000)})`)}
    ${set('ex_h', `(i32x4.shr_s ${get('ex_i')} (i32.const 1))`)}
    (f32x4.mul
      (f32x4.mul ${get('ex_p')} (i32x4.shl (i32x4.add ${get('ex_h')} ${ki(v, 127)}) (i32.const 23)))
      (i32x4.shl (i32x4.add (i32x4.sub ${get('ex_i')} ${get('ex_h')}) ${ki(v, 127)}) (i32.const 23))))`;
}

/**
 * e^d for d ≤ 0 (softmax: d = x − max): one scale factor, results below 2^-126 flush to 0
 * (absolute error < 1.2e-38). NaN → NaN. Cheaper than expF32x4; not valid for d > 88.
 */
export function expNonPosF32x4(v: MathVariant, d: string): string {
  return `(block (result v128)
    ${set('ex_x', d)}
    ${set('ex_t', madd(v, get('ex_x'), k(v, LOG2E), k(v, MAGIC + 127)))}
    ${set('ex_n', `(f32x4.sub ${get('ex_t')} ${k(v, MAGIC + 127)})`)}
    ${set('ex_r', madd(v, get('ex_n'), k(v, -LN2_HI), get('ex_x')))}
    ${set('ex_r', madd(v, get('ex_n'), k(v, -LN2_LO), get('ex_r')))}
    ${horner(v, 'ex_p', get('ex_r'), EXP5_P)}
    ${set('ex_p', madd(v, get('ex_p'), get('ex_r'), k(v, 1)))}
    (v128.andnot
      (f32x4.mul ${get('ex_p')} (i32x4.shl ${get('ex_t')} (i32.const 23)))
      (f32x4.lt ${get('ex_x')} ${k(v, -87.33654475)})))`;
}

// log(1+f) = f − f²/2 + f³·P(f), f ∈ [√½−1, √2−1]
const LOG_P = [0.3333333134651184, -0.24999994039535522, 0.2000071406364441, -0.16668057441711426, 0.14249323308467865, -0.12420135736465454, 0.11676983535289764, -0.11514678597450256, 0.07037857919931412];

/** Natural log: log(0) = -Inf, log(<0) = NaN, log(+Inf) = +Inf, denormal inputs exact-ish. */
export function logF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('lg_x', x)}
    ${set('lg_k', `(f32x4.lt ${get('lg_x')} ${k(v, 1.1754943508222875e-38)})`)}
    ${set('lg_m', `(v128.bitselect (f32x4.mul ${get('lg_x')} ${k(v, 8388608)}) ${get('lg_x')} ${get('lg_k')})`)}
    ${set('lg_e', `(i32x4.sub (i32x4.shr_u ${get('lg_m')} (i32.const 23)) (i32x4.add ${ki(v, 126)} (v128.and ${get('lg_k')} ${ki(v, 23)})))`)}
    ${set('lg_m', `(v128.or (v128.and ${get('lg_m')} ${ki(v, 0x007fffff)}) ${ki(v, 0x3f000000)})`)}
    ${set('lg_k', `(f32x4.lt ${get('lg_m')} ${k(v, 0.70710677)})`)}
    ${set('lg_e', `(i32x4.add ${get('lg_e')} ${get('lg_k')})`)}
    ${set('lg_f', `(f32x4.sub (f32x4.add ${get('lg_m')} (v128.and ${get('lg_m')} ${get('lg_k')})) ${k(v, 1)})`)}
    ${set('lg_e', `(f32x4.convert_i32x4_s ${get('lg_e')})`)}
    ${set('lg_z', `(f32x4.mul ${get('lg_f')} ${get('lg_f')})`)}
    ${horner(v, 'lg_p', get('lg_f'), LOG_P)}
    ${set('lg_p', `(f32x4.mul (f32x4.mul ${get('lg_p')} ${get('lg_z')}) ${get('lg_f')})`)}
    ${set('lg_p', madd(v, get('lg_e'), k(v, LN2_LO), get('lg_p')))}
    ${set('lg_p', madd(v, get('lg_z'), k(v, -0.5), get('lg_p')))}
    ${set('lg_p', madd(v, get('lg_e'), k(v, LN2_HI), `(f32x4.add ${get('lg_f')} ${get('lg_p')})`))}
    ${set('lg_p', `(v128.bitselect ${k(v, -Infinity)} ${get('lg_p')} (f32x4.eq ${get('lg_x')} ${k(v, 0)}))`)}
    ${set('lg_p', `(v128.bitselect ${k(v, Infinity)} ${get('lg_p')} (f32x4.eq ${get('lg_x')} ${k(v, Infinity)}))`)}
    (v128.or ${get('lg_p')} (v128.not (f32x4.ge ${get('lg_x')} ${k(v, 0)}))))`;
}

/** 1/(1+e^-x), computed as e^-|x|/(1+e^-|x|) for x < 0, so sigmoid(-large) is tiny (denormal), not 0/NaN. */
export function sigmoidF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('sg_x', x)}
    ${set('sg_z', expF32x4(v, `(v128.or ${get('sg_x')} ${ki(v, SIGN)})`))}
    (f32x4.div
      (v128.bitselect ${get('sg_z')} ${k(v, 1)} (f32x4.lt ${get('sg_x')} ${k(v, 0)}))
      (f32x4.add ${get('sg_z')} ${k(v, 1)})))`;
}

// tanh(a) = a + a³·P(a²) on [0, 0.625]
const TANH_P = [-0.3333333432674408, 0.13333304226398468, -0.05395927280187607, 0.021769005805253983, -0.008344179950654507, 0.002292970661073923];

/** tanh: odd polynomial below |x| = 0.625, 1 − 2/(e^{2|x|}+1) above; ±Inf → ±1, NaN → NaN. */
export function tanhF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('th_x', x)}
    ${set('th_a', `(v128.and ${get('th_x')} ${ki(v, ABS)})`)}
    ${set('th_u', `(f32x4.mul ${get('th_a')} ${get('th_a')})`)}
    ${horner(v, 'th_s', get('th_u'), TANH_P)}
    ${set('th_s', madd(v, `(f32x4.mul ${get('th_a')} ${get('th_u')})`, get('th_s'), get('th_a')))}
    ${set('th_u', expF32x4(v, `(f32x4.add ${get('th_a')} ${get('th_a')})`))}
    ${set('th_u', `(f32x4.sub ${k(v, 1)} (f32x4.div ${k(v, 2)} (f32x4.add ${get('th_u')} ${k(v, 1)})))`)}
    (v128.or
      (v128.bitselect ${get('th_s')} ${get('th_u')} (f32x4.lt ${get('th_a')} ${k(v, 0.625)}))
      (v128.and ${get('th_x')} ${ki(v, SIGN)})))`;
}

// erf(a) = a·P(a²) on [0, 0.875]; erfc(a) = e^{-a²}·Q(1/(1+a/2)) on [0.875, ∞)
const ERF_P = [1.1283791065216064, -0.3761255145072937, 0.11282456666231155, -0.026791509240865707, 0.005032240878790617, -0.0006203535594977438];
const ERFC_Q = [3.1310653412219835e-6, 0.28199687600135803, 0.2834342122077942, 0.23629054427146912, 0.22902584075927734, -0.09021741896867752, 0.3741459548473358, -0.5748822093009949, 0.32838958501815796, -0.068160779774189];
const ERF_SPLIT = 0.875;

/**
 * For y = x (erf) or y = x/√2 (gelu, `half`): sets $m_ef_a = |y|, $m_ef_s = erf(|y|) by the small-argument
 * polynomial, $m_ef_c = erfc(|y|) by the tail formula, $m_ef_m = mask |y| < ERF_SPLIT (s there, c elsewhere).
 * y² is taken from x as an exact hi + lo pair (Dekker's product), so e^{-y²} keeps full relative
 * accuracy deep in the tail (e^{-hi}·(1 − lo)).
 */
function erfParts(v: MathVariant, x: string, half: boolean): string {
  const sc = (e: string) => (half ? `(f32x4.mul ${e} ${k(v, 0.5)})` : e);
  // |x| ≤ 20: past it erfc(|y|) is 0 in float32 anyway, and Dekker's split needs finite input
  return `${set('ef_x', `(f32x4.pmin (v128.and ${x} ${ki(v, ABS)}) ${k(v, 20)})`)}
    ${set('ef_a', half ? `(f32x4.mul ${get('ef_x')} ${k(v, Math.SQRT1_2)})` : get('ef_x'))}
    ${set('ef_u', `(f32x4.mul ${get('ef_x')} ${get('ef_x')})`)}
    ${set('ef_h', `(v128.and ${get('ef_x')} ${ki(v, 0xfffff000)})`)}
    ${set('ef_l', `(f32x4.sub ${get('ef_x')} ${get('ef_h')})`)}
    ${set('ef_l', `(f32x4.add (f32x4.add (f32x4.sub (f32x4.mul ${get('ef_h')} ${get('ef_h')}) ${get('ef_u')}) (f32x4.mul (f32x4.add ${get('ef_h')} ${get('ef_h')}) ${get('ef_l')})) (f32x4.mul ${get('ef_l')} ${get('ef_l')}))`)}
    ${half ? `${set('ef_u', sc(get('ef_u')))} ${set('ef_l', sc(get('ef_l')))}` : ''}
    ${set('ef_m', `(f32x4.lt ${get('ef_a')} ${k(v, ERF_SPLIT)})`)}
    ${horner(v, 'ef_s', get('ef_u'), ERF_P)}
    ${set('ef_s', `(f32x4.mul ${get('ef_s')} ${get('ef_a')})`)}
    ${set('ef_x', `(f32x4.div ${k(v, 1)} ${madd(v, get('ef_a'), k(v, 0.5), k(v, 1))})`)}
    ${horner(v, 'ef_c', get('ef_x'), ERFC_Q)}
    ${set('ef_c', `(f32x4.mul ${get('ef_c')} ${expF32x4(v, `(v128.xor ${get('ef_u')} ${ki(v, SIGN)})`)})`)}
    ${set('ef_c', madd(v, get('ef_c'), `(v128.xor ${get('ef_l')} ${ki(v, SIGN)})`, get('ef_c')))}`;
}

/** erf(x); ±Inf → ±1, NaN → NaN. */
export function erfF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('gl_x', x)}
    ${erfParts(v, get('gl_x'), false)}
    ${passNaN(get('gl_x'), `(v128.or
      (v128.bitselect ${get('ef_s')} (f32x4.sub ${k(v, 1)} ${get('ef_c')}) ${get('ef_m')})
      (v128.and ${get('gl_x')} ${ki(v, SIGN)}))`)})`;
}

/**
 * Gelu. 'none': x·Φ(x) with Φ(x) = ½·erfc(−x/√2), taken from the erfc tail for x < 0 so the negative
 * tail keeps its relative accuracy. 'tanh': 0.5·x·(1+tanh(√(2/π)(x+0.044715x³))) = x·sigmoid(2·…).
 */
export function geluF32x4(v: MathVariant, x: string, approximate: 'none' | 'tanh'): string {
  if (approximate === 'tanh') {
    return `(block (result v128)
      ${set('gl_x', x)}
      (f32x4.mul ${get('gl_x')} ${sigmoidF32x4(
        v,
        `(f32x4.mul (f32x4.mul ${get('gl_x')} ${k(v, 1.5957691216057308)}) ${madd(v, `(f32x4.mul ${get('gl_x')} ${get('gl_x')})`, k(v, 0.044715), k(v, 1))})`,
      )}))`;
  }
  return `(block (result v128)
    ${set('gl_x', x)}
    ${erfParts(v, get('gl_x'), true)}
    ;; erfc(|y|), then Φ = ½·erfc for y < 0, 1 − ½·erfc for y ≥ 0
    ${set('ef_c', `(f32x4.mul (v128.bitselect (f32x4.sub ${k(v, 1)} ${get('ef_s')}) ${get('ef_c')} ${get('ef_m')}) ${k(v, 0.5)})`)}
    ${passNaN(get('gl_x'), `(f32x4.mul ${get('gl_x')}
      (v128.bitselect ${get('ef_c')} (f32x4.sub ${k(v, 1)} ${get('ef_c')}) (f32x4.lt ${get('gl_x')} ${k(v, 0)})))`)})`;
}

/**
 * Lanes where the input x is NaN return x itself. Without this the NaN's sign bit depends on how V8
 * compiled the polynomial (x86's default NaN is negative; relaxed_madd may or may not fuse by tier),
 * so threads=1 and threads=2 could differ in NaN bits.
 */
function passNaN(x: string, result: string): string {
  return `(v128.bitselect ${x} ${result} (f32x4.ne ${x} ${x}))`;
}

/** elu: x for x ≥ 0, alpha·(e^x − 1) below. `alpha` is an f32x4 expression. */
export function eluF32x4(v: MathVariant, x: string, alpha: string): string {
  return `(block (result v128)
    ${set('sg_x', x)}
    (v128.bitselect
      (f32x4.mul ${alpha} (f32x4.sub ${expF32x4(v, get('sg_x'))} ${k(v, 1)}))
      ${get('sg_x')}
      (f32x4.lt ${get('sg_x')} ${k(v, 0)})))`;
}

// ---- pow: |x|^y evaluated in float64 (log and exp to ~1e-15), so y·log|x| keeps float32 accuracy.

const LN2_HI_D = 6.93147180369123816490e-1; // fdlibm split: k·LN2_HI_D exact for |k| < 2^11
const LN2_LO_D = 1.90821492927058770002e-10;

/** |x|^y for f64x2 lanes (x may be negative: its sign is ignored). |x| = 0 / Inf handled; NaN not. */
function powAbsF64x2(xd: string, yd: string): string {
  const g = get;
  // ln|x| = e·ln2 + 2·atanh(s), s = (m−1)/(m+1), m ∈ [√½, √2]
  let q = set('pd_l', d2(1 / 13));
  for (const k of [11, 9, 7, 5, 3, 1]) q += set('pd_l', `(f64x2.add (f64x2.mul ${g('pd_l')} ${g('pd_z')}) ${d2(1 / k)})`);
  let e = set('pd_r', d2(1 / 39916800));
  for (const k of [3628800, 362880, 40320, 5040, 720, 120, 24, 6, 2, 1, 1]) e += set('pd_r', `(f64x2.add (f64x2.mul ${g('pd_r')} ${g('pd_t')}) ${d2(1 / k)})`);
  return `(block (result v128)
    ${set('pd_x', `(f64x2.abs ${xd})`)}
    ${set('pd_e', `(i64x2.sub (i64x2.shr_u ${g('pd_x')} (i32.const 52)) ${i2(1023n)})`)}
    ${set('pd_m', `(v128.or (v128.and ${g('pd_x')} ${i2(0xfffffffffffffn)}) ${i2(0x3ff0000000000000n)})`)}
    ${set('pd_k', `(f64x2.gt ${g('pd_m')} ${d2(Math.SQRT2)})`)}
    ${set('pd_m', `(v128.bitselect (f64x2.mul ${g('pd_m')} ${d2(0.5)}) ${g('pd_m')} ${g('pd_k')})`)}
    ${set('pd_e', `(f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (i64x2.sub ${g('pd_e')} ${g('pd_k')}) ${g('pd_e')}))`)}
    ${set('pd_s', `(f64x2.div (f64x2.sub ${g('pd_m')} ${d2(1)}) (f64x2.add ${g('pd_m')} ${d2(1)}))`)}
    ${set('pd_z', `(f64x2.mul ${g('pd_s')} ${g('pd_s')})`)}
    ${q}
    ${set('pd_l', `(f64x2.add (f64x2.mul ${g('pd_e')} ${d2(Math.LN2)}) (f64x2.mul (f64x2.add ${g('pd_s')} ${g('pd_s')}) ${g('pd_l')}))`)}
    ${set('pd_l', `(v128.bitselect ${d2(-Infinity)} ${g('pd_l')} (f64x2.eq ${g('pd_x')} ${d2(0)}))`)}
    ${set('pd_l', `(v128.bitselect ${d2(Infinity)} ${g('pd_l')} (f64x2.eq ${g('pd_x')} ${d2(Infinity)}))`)}
    ;; e^t, t = y·ln|x| clamped to ±200 (far outside float32's range either way)
    ${set('pd_t', `(f64x2.pmax (f64x2.pmin (f64x2.mul ${yd} ${g('pd_l')}) ${d2(200)}) ${d2(-200)})`)}
    ${set('pd_k', `(f64x2.nearest (f64x2.mul ${g('pd_t')} ${d2(Math.LOG2E)}))`)}
    ${set('pd_t', `(f64x2.sub (f64x2.sub ${g('pd_t')} (f64x2.mul ${g('pd_k')} ${d2(LN2_HI_D)})) (f64x2.mul ${g('pd_k')} ${d2(LN2_LO_D)}))`)}
    ${e}
    (f64x2.mul ${g('pd_r')}
      (i64x2.shl (i64x2.add (f64x2.add ${g('pd_k')} ${d2(6755399441055744)}) ${i2(1023n)}) (i32.const 52))))`;
}

/** numpy/C99 powf: pow(x,0) = 1 and pow(1,y) = 1 even for NaN; x < 0 needs an integer y (else NaN), odd y keeps the sign. */
export function powF32x4(v: MathVariant, x: string, y: string): string {
  void v;
  const g = get;
  const hi = (e: string) => `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})`;
  return `(block (result v128)
    ${set('pw_x', x)}
    ${set('pw_y', y)}
    ${set('pw_r', `(f32x4.demote_f64x2_zero ${powAbsF64x2(`(f64x2.promote_low_f32x4 ${g('pw_x')})`, `(f64x2.promote_low_f32x4 ${g('pw_y')})`)})`)}
    ${set('pw_i', `(f32x4.demote_f64x2_zero ${powAbsF64x2(`(f64x2.promote_low_f32x4 ${hi(g('pw_x'))})`, `(f64x2.promote_low_f32x4 ${hi(g('pw_y'))})`)})`)}
    ${set('pw_r', `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${g('pw_r')} ${g('pw_i')})`)}
    ;; y integer? odd?
    ${set('pw_i', `(f32x4.eq (f32x4.nearest ${g('pw_y')}) ${g('pw_y')})`)}
    ${set('pw_r', `(v128.or ${g('pw_r')} (v128.and (v128.and ${g('pw_x')} ${ki(v, SIGN)}) (v128.andnot ${g('pw_i')} (f32x4.eq (f32x4.nearest (f32x4.mul ${g('pw_y')} ${k(v, 0.5)})) (f32x4.mul ${g('pw_y')} ${k(v, 0.5)})))))`)}
    ;; finite x < 0 with non-integer y, or any NaN → NaN
    ${set('pw_i', `(v128.or (v128.andnot (v128.and (f32x4.lt ${g('pw_x')} ${k(v, 0)}) (f32x4.ne ${g('pw_x')} ${k(v, -Infinity)})) ${g('pw_i')}) (v128.or (f32x4.ne ${g('pw_x')} ${g('pw_x')}) (f32x4.ne ${g('pw_y')} ${g('pw_y')})))`)}
    ${set('pw_r', `(v128.bitselect ${k(v, NaN)} ${g('pw_r')} ${g('pw_i')})`)}
    ;; y = 0, x = 1, or |x| = 1 with y = ±Inf → 1
    (v128.bitselect ${k(v, 1)} ${g('pw_r')}
      (v128.or (v128.or (f32x4.eq ${g('pw_y')} ${k(v, 0)}) (f32x4.eq ${g('pw_x')} ${k(v, 1)}))
        (v128.and (f32x4.eq (v128.and ${g('pw_x')} ${ki(v, ABS)}) ${k(v, 1)}) (f32x4.eq (v128.and ${g('pw_y')} ${ki(v, ABS)}) ${k(v, Infinity)})))))`;
}

// ---- expm1, log1p, softplus, mish

const EXPM1_Q = [1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880];

/**
 * e^x − 1 with full relative accuracy near 0: x + x²·Q(x) (Taylor to x⁹, truncation < 6e-10 relative)
 * for |x| < 0.5, e^x − 1 elsewhere (≤ 2.8u there since |e^x − 1| ≥ 0.39). ±Inf → +Inf/−1, NaN → NaN.
 */
export function expm1F32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('em_x', x)}
    ${horner(v, 'em_q', get('em_x'), EXPM1_Q)}
    ${set('em_q', madd(v, `(f32x4.mul ${get('em_x')} ${get('em_x')})`, get('em_q'), get('em_x')))}
    ${passNaN(get('em_x'), `(v128.bitselect ${get('em_q')} (f32x4.sub ${expF32x4(v, get('em_x'))} ${k(v, 1)})
      (f32x4.lt (v128.and ${get('em_x')} ${ki(v, ABS)}) ${k(v, 0.5)}))`)})`;
}

/**
 * log(1 + z) with full relative accuracy near 0: u = 1 + z rounded, then log(u)·(z/(u − 1)) corrects
 * the rounding of u (Goldberg's trick), or z itself where u = 1. log1p(−1) = −Inf, z < −1 → NaN, +Inf → +Inf.
 */
export function log1pF32x4(v: MathVariant, z: string): string {
  return `(block (result v128)
    ${set('l1_z', z)}
    ${set('l1_u', `(f32x4.add ${get('l1_z')} ${k(v, 1)})`)}
    ${set('l1_u', `(v128.bitselect ${get('l1_z')}
      (f32x4.mul ${logF32x4(v, get('l1_u'))} (f32x4.div ${get('l1_z')} (f32x4.sub ${get('l1_u')} ${k(v, 1)})))
      (v128.or (f32x4.eq ${get('l1_u')} ${k(v, 1)}) (f32x4.eq ${get('l1_z')} ${k(v, Infinity)})))`)}
    ${passNaN(get('l1_z'), get('l1_u'))})`;
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^−|x|): no overflow, e^x kept for x ≪ 0. */
export function softplusF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('sp_x', x)}
    ${passNaN(get('sp_x'), `(f32x4.add (f32x4.pmax ${get('sp_x')} ${k(v, 0)})
      ${log1pF32x4(v, expF32x4(v, `(v128.or ${get('sp_x')} ${ki(v, SIGN)})`))})`)})`;
}

/** mish(x) = x·tanh(softplus(x)). */
export function mishF32x4(v: MathVariant, x: string): string {
  // softplus leaves x in $m_sp_x, which tanh does not touch
  return `(f32x4.mul ${tanhF32x4(v, softplusF32x4(v, x))} ${get('sp_x')})`;
}

// ---- sin, cos: float64 inside (range reduction and polynomial), rounded once to float32

// π/2 in five parts of at most 22 significant bits (each the nearest 22-bit value to what the
// earlier parts leave of π/2; the remainder is 1.2e-36): n·part is exact for |n| < 2^31, so the
// Cody–Waite reduction below stays exact for every |x| ≤ 2^31 (tfjs' tan of values past 2^29)
const PIO2 = [1.5707964897155762, -1.6292068494294654e-7, 5.390302529957765e-15, 3.2820036682434026e-22, -1.2536991436265617e-29];

/** sin (quadrant 0) or cos (quadrant 1) of two f64 lanes; NaN for ±Inf and NaN. */
function sinCosF64x2(xd: string, quadrant: 0 | 1 | 'tan'): string {
  const g = get;
  // Taylor series of sin r and cos r, |r| ≤ π/4: truncation below 2.5e-14 (sin, to r^15) and 1.6e-15 (cos, to r^16)
  let sp = set('sd_s', d2(-1 / 1307674368000));
  for (const f of [6227020800, -39916800, 362880, -5040, 120, -6]) sp += set('sd_s', `(f64x2.add (f64x2.mul ${g('sd_s')} ${g('sd_z')}) ${d2(1 / f)})`);
  let cp = set('sd_c', d2(1 / 20922789888000));
  for (const f of [-87178291200, 479001600, -3628800, 40320, -720, 24, -2]) cp += set('sd_c', `(f64x2.add (f64x2.mul ${g('sd_c')} ${g('sd_z')}) ${d2(1 / f)})`);
  return `(block (result v128)
    ${set('sd_x', xd)}
    ${set('sd_n', `(f64x2.nearest (f64x2.mul ${g('sd_x')} ${d2(2 / Math.PI)}))`)}
    ${PIO2.map((part, i) => set('sd_r', `(f64x2.sub ${g(i === 0 ? 'sd_x' : 'sd_r')} (f64x2.mul ${g('sd_n')} ${d2(part)}))`)).join('\n    ')}
    ${set('sd_z', `(f64x2.mul ${g('sd_r')} ${g('sd_r')})`)}
    ${sp}
    ${set('sd_s', `(f64x2.add ${g('sd_r')} (f64x2.mul (f64x2.mul ${g('sd_r')} ${g('sd_z')}) ${g('sd_s')}))`)}
    ${cp}
    ${set('sd_c', `(f64x2.add ${d2(1)} (f64x2.mul ${g('sd_z')} ${g('sd_c')}))`)}
    ${quadrant === 'tan' ? `;; tan: sin r / cos r, or −cos r / sin r in odd quadrants
    ${set('sd_q', `(i64x2.ne (v128.and (f64x2.add ${g('sd_n')} ${d2(6755399441055744)}) ${i2(1n)}) ${i2(0n)})`)}
    (f64x2.div (v128.bitselect (f64x2.neg ${g('sd_c')}) ${g('sd_s')} ${g('sd_q')}) (v128.bitselect ${g('sd_s')} ${g('sd_c')} ${g('sd_q')})))` : tail(g, quadrant)}`;
}

function tail(g: (n: string) => string, quadrant: 0 | 1): string {
  return `;; quadrant q = (n + ${quadrant}) mod 4 from the low bits of n + 1.5·2^52 (|n| < 2^51)
    ${set('sd_q', `(i64x2.add (f64x2.add ${g('sd_n')} ${d2(6755399441055744)}) ${i2(BigInt(quadrant))})`)}
    ${set('sd_s', `(v128.bitselect ${g('sd_c')} ${g('sd_s')} (i64x2.ne (v128.and ${g('sd_q')} ${i2(1n)}) ${i2(0n)}))`)}
    (v128.xor ${g('sd_s')} (i64x2.shl (v128.and ${g('sd_q')} ${i2(2n)}) (i32.const 62))))`;
}

/**
 * sin(x) (cos: `cos` true) on f32x4, computed in float64 and rounded once: ≤ 0.5 ulp (+2^-40
 * relative) for |x| ≤ 2^31, where the five-part Cody–Waite reduction (PIO2) is exact. Past 2^31
 * (2.1e9) its products n·part would round: those lanes, like ±Inf and NaN, give NaN (documented
 * domain limit; a Payne–Hanek reduction would lift it).
 */
export function sinCosF32x4(v: MathVariant, x: string, cos: boolean | 'tan'): string {
  const hi = (e: string) => `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})`;
  const q = cos === 'tan' ? 'tan' : cos ? 1 : 0;
  return `(block (result v128)
    ${set('sc_x', x)}
    ${set('sc_lo', `(f32x4.demote_f64x2_zero ${sinCosF64x2(`(f64x2.promote_low_f32x4 ${get('sc_x')})`, q)})`)}
    ${set('sc_lo', `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get('sc_lo')}
      (f32x4.demote_f64x2_zero ${sinCosF64x2(`(f64x2.promote_low_f32x4 ${hi(get('sc_x'))})`, q)}))`)}
    ;; canonical NaN for |x| > 2^31 and ±Inf (x itself for NaN), whatever the arithmetic made of them
    (v128.bitselect ${k(v, NaN)} ${passNaN(get('sc_x'), get('sc_lo'))} (f32x4.gt (f32x4.abs ${get('sc_x')}) ${k(v, 2 ** 31)})))`;
}

// ---- hyperbolic functions and their inverses (float32, from exp/expm1/log/log1p)

const sgnOf = (v: MathVariant, x: string, r: string) => `(v128.or ${r} (v128.and ${x} ${ki(v, SIGN)}))`;

/** e^{a/2}·(e^{a/2}/2): e^a/2 for large a without overflowing before the result does. */
const halfExpSq = (v: MathVariant) =>
  `(block (result v128) ${set('hy_u', expF32x4(v, `(f32x4.mul ${get('hy_a')} ${k(v, 0.5)})`))} (f32x4.mul ${get('hy_u')} (f32x4.mul ${get('hy_u')} ${k(v, 0.5)})))`;

/** sinh = sign·(E + E/(E + 1))/2 with E = expm1(|x|) (fdlibm), e^{|x|}/2 from |x| ≥ 12. */
export function sinhF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('hy_x', x)}
    ${set('hy_a', `(f32x4.abs ${get('hy_x')})`)}
    ${set('hy_t', expm1F32x4(v, `(f32x4.pmin ${get('hy_a')} ${k(v, 12)})`))}
    ${set('hy_t', `(f32x4.mul (f32x4.add ${get('hy_t')} (f32x4.div ${get('hy_t')} (f32x4.add ${get('hy_t')} ${k(v, 1)}))) ${k(v, 0.5)})`)}
    ${set('hy_t', `(v128.bitselect ${halfExpSq(v)} ${get('hy_t')} (f32x4.ge ${get('hy_a')} ${k(v, 12)}))`)}
    ${passNaN(get('hy_x'), sgnOf(v, get('hy_x'), get('hy_t')))})`;
}

/** cosh = (e^{|x|} + e^{−|x|})/2, e^{|x|}/2 from |x| ≥ 12. */
export function coshF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('hy_x', x)}
    ${set('hy_a', `(f32x4.abs ${get('hy_x')})`)}
    ${set('hy_t', expF32x4(v, `(f32x4.pmin ${get('hy_a')} ${k(v, 12)})`))}
    ${set('hy_t', `(f32x4.mul (f32x4.add ${get('hy_t')} (f32x4.div ${k(v, 1)} ${get('hy_t')})) ${k(v, 0.5)})`)}
    ${set('hy_t', `(v128.bitselect ${halfExpSq(v)} ${get('hy_t')} (f32x4.ge ${get('hy_a')} ${k(v, 12)}))`)}
    ${passNaN(get('hy_x'), get('hy_t'))})`;
}

/** asinh = sign·log1p(a + a²/(1 + √(1 + a²))) (fdlibm), log(a) + ln2 from a = |x| ≥ 2^12. */
export function asinhF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('hy_x', x)}
    ${set('hy_a', `(f32x4.abs ${get('hy_x')})`)}
    ${set('hy_t', `(f32x4.add ${logF32x4(v, get('hy_a'))} ${k(v, Math.LN2)})`)}
    ${set('hy_u', `(f32x4.pmin ${get('hy_a')} ${k(v, 4096)})`)}
    ${set('hy_u', `(f32x4.mul ${get('hy_u')} ${get('hy_u')})`)}
    ${set('hy_u', log1pF32x4(v, `(f32x4.add ${get('hy_a')} (f32x4.div ${get('hy_u')} (f32x4.add ${k(v, 1)} (f32x4.sqrt (f32x4.add ${k(v, 1)} ${get('hy_u')})))))`))}
    ${passNaN(get('hy_x'), sgnOf(v, get('hy_x'), `(v128.bitselect ${get('hy_t')} ${get('hy_u')} (f32x4.ge ${get('hy_a')} ${k(v, 4096)}))`))})`;
}

/** acosh = log1p(t + √(2t + t²)), t = x − 1; log(x) + ln2 from x ≥ 2^12; x < 1 → NaN. */
export function acoshF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('hy_x', x)}
    ${set('hy_t', `(f32x4.add ${logF32x4(v, get('hy_x'))} ${k(v, Math.LN2)})`)}
    ${set('hy_a', `(f32x4.sub (f32x4.pmin ${get('hy_x')} ${k(v, 4096)}) ${k(v, 1)})`)}
    ${set('hy_u', log1pF32x4(v, `(f32x4.add ${get('hy_a')} (f32x4.sqrt (f32x4.mul ${get('hy_a')} (f32x4.add ${get('hy_a')} ${k(v, 2)}))))`))}
    ${passNaN(get('hy_x'), `(v128.or (v128.bitselect ${get('hy_t')} ${get('hy_u')} (f32x4.ge ${get('hy_x')} ${k(v, 4096)}))
      (v128.not (f32x4.ge ${get('hy_x')} ${k(v, 1)})))`)})`;
}

/** atanh = sign·½·log1p(2a/(1 − a)), a = |x|; ±1 → ±Inf, |x| > 1 → NaN. */
export function atanhF32x4(v: MathVariant, x: string): string {
  return `(block (result v128)
    ${set('hy_x', x)}
    ${set('hy_a', `(f32x4.abs ${get('hy_x')})`)}
    ${set('hy_t', `(f32x4.mul ${log1pF32x4(v, `(f32x4.div (f32x4.add ${get('hy_a')} ${get('hy_a')}) (f32x4.sub ${k(v, 1)} ${get('hy_a')}))`)} ${k(v, 0.5)})`)}
    ${passNaN(get('hy_x'), `(v128.or ${sgnOf(v, get('hy_x'), get('hy_t'))} (f32x4.gt ${get('hy_a')} ${k(v, 1)}))`)})`;
}

// ---- atan, asin, acos: float64 inside, rounded once

/** atan of two f64 lanes: 1/a above 1, (a − 1)/(a + 1) + π/4 above tan(π/8), Taylor series to w^27 (4e-12 relative). */
export function atanF64x2(td: string): string {
  const g = get;
  // P(z) = Σ (−1)^k z^k/(2k + 1), k = 0..13, by Horner from the top
  let p = set('ad_p', d2(-1 / 27));
  for (let kk = 12; kk >= 0; kk--) p += set('ad_p', `(f64x2.add (f64x2.mul ${g('ad_p')} ${g('ad_z')}) ${d2((kk % 2 ? -1 : 1) / (2 * kk + 1))})`);
  return `(block (result v128)
    ${set('ad_t', td)}
    ${set('ad_a', `(f64x2.abs ${g('ad_t')})`)}
    ${set('ad_i', `(f64x2.gt ${g('ad_a')} ${d2(1)})`)}
    ${set('ad_u', `(v128.bitselect (f64x2.div ${d2(1)} ${g('ad_a')}) ${g('ad_a')} ${g('ad_i')})`)}
    ${set('ad_m', `(f64x2.gt ${g('ad_u')} ${d2(Math.SQRT2 - 1)})`)}
    ${set('ad_u', `(v128.bitselect (f64x2.div (f64x2.sub ${g('ad_u')} ${d2(1)}) (f64x2.add ${g('ad_u')} ${d2(1)})) ${g('ad_u')} ${g('ad_m')})`)}
    ${set('ad_z', `(f64x2.mul ${g('ad_u')} ${g('ad_u')})`)}
    ${p}
    ${set('ad_p', `(f64x2.add (v128.and ${g('ad_m')} ${d2(Math.PI / 4)}) (f64x2.mul ${g('ad_u')} ${g('ad_p')}))`)}
    ${set('ad_p', `(v128.bitselect (f64x2.sub ${d2(Math.PI / 2)} ${g('ad_p')}) ${g('ad_p')} ${g('ad_i')})`)}
    (v128.or ${g('ad_p')} (v128.and ${g('ad_t')} ${i2(-0x8000000000000000n)})))`;
}

/** The argument atan gets (as f64x2 of one half of x), per op. */
function invTrigArg(kind: 'atan' | 'asin' | 'acos', xd: string): string {
  if (kind === 'atan') return xd;
  // 1 − x² is exact in float64 for |x| ≥ 2^-26 (and rounds harmlessly below); √ and ÷ correctly rounded
  const s = `(f64x2.sqrt (f64x2.sub ${d2(1)} (f64x2.mul ${get('at_x')} ${get('at_x')})))`;
  return kind === 'asin' ? `(block (result v128) ${set('at_x', xd)} (f64x2.div ${get('at_x')} ${s}))` : `(block (result v128) ${set('at_x', xd)} (f64x2.div ${s} (f64x2.abs ${get('at_x')})))`;
}

/**
 * atan(x), asin(x) = atan(x/√(1 − x²)), acos(x) = atan(√(1 − x²)/|x|) (π minus it for x < 0), all in
 * float64 and rounded once: ≤ 0.5 ulp + 2^-35 relative. asin/acos of |x| > 1 → NaN; NaN → NaN.
 */
export function invTrigF32x4(v: MathVariant, x: string, kind: 'atan' | 'asin' | 'acos'): string {
  const hi = (e: string) => `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})`;
  const half = (xd: string) => {
    const r = atanF64x2(invTrigArg(kind, xd));
    if (kind !== 'acos') return r;
    // acos: π − atan(...) where x is negative (sign bit, −0 included)
    return `(block (result v128) ${set('ad_a', r)}
      (v128.bitselect (f64x2.sub ${d2(Math.PI)} ${get('ad_a')}) ${get('ad_a')} (i64x2.lt_s ${get('at_x')} ${i2(0n)})))`;
  };
  return `(block (result v128)
    ${set('sc_x', x)}
    ${set('at_lo', `(f32x4.demote_f64x2_zero ${half(`(f64x2.promote_low_f32x4 ${get('sc_x')})`)})`)}
    ${set('at_lo', `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get('at_lo')}
      (f32x4.demote_f64x2_zero ${half(`(f64x2.promote_low_f32x4 ${hi(get('sc_x'))})`)}))`)}
    ${kind === 'atan' ? passNaN(get('sc_x'), get('at_lo')) : `(v128.bitselect ${k(v, NaN)} ${passNaN(get('sc_x'), get('at_lo'))} (f32x4.gt (f32x4.abs ${get('sc_x')}) ${k(v, 1)}))`})`;
}

/**
 * atan2(y, x) (C99), in float64 and rounded once: atan(|y|/|x|) (0 for 0/0, π/4 for ∞/∞), π minus
 * it where x has its sign bit set, with y's sign. NaN in either → NaN.
 */
export function atan2F32x4(v: MathVariant, y: string, x: string): string {
  const hi = (e: string) => `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})`;
  const half = (yd: string, xd: string) => `(block (result v128)
    ${set('at_x', `(f64x2.div (f64x2.abs ${yd}) (f64x2.abs ${xd}))`)}
    ;; 0/0 → 0 and ∞/∞ → 1 (atan 1 = π/4); these are the only NaN ratios of non-NaN inputs
    ${set('at_x', `(v128.bitselect (v128.and (f64x2.eq (f64x2.abs ${yd}) ${d2(Infinity)}) ${d2(1)}) ${get('at_x')} (f64x2.ne ${get('at_x')} ${get('at_x')}))`)}
    ${set('ad_a', atanF64x2(get('at_x')))}
    (v128.bitselect (f64x2.sub ${d2(Math.PI)} ${get('ad_a')}) ${get('ad_a')} (i64x2.lt_s ${xd} ${i2(0n)})))`;
  return `(block (result v128)
    ${set('sc_x', y)}
    ${set('hy_x', x)}
    ${set('at_lo', `(f32x4.demote_f64x2_zero ${half(`(f64x2.promote_low_f32x4 ${get('sc_x')})`, `(f64x2.promote_low_f32x4 ${get('hy_x')})`)})`)}
    ${set('at_lo', `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get('at_lo')}
      (f32x4.demote_f64x2_zero ${half(`(f64x2.promote_low_f32x4 ${hi(get('sc_x'))})`, `(f64x2.promote_low_f32x4 ${hi(get('hy_x'))})`)}))`)}
    ${set('at_lo', `(v128.or (v128.and ${get('at_lo')} ${ki(v, ABS)}) (v128.and ${get('sc_x')} ${ki(v, SIGN)}))`)}
    (v128.bitselect ${k(v, NaN)} ${get('at_lo')} (v128.or (f32x4.ne ${get('sc_x')} ${get('sc_x')}) (f32x4.ne ${get('hy_x')} ${get('hy_x')}))))`;
}
