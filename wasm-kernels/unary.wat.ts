/**
 * The `unary` family: elementwise activations and math on contiguous tensors.
 *
 * Every op exports `<Op>_<f32|i32>(x, y, ...attrs, start, end)` over flat elements [start, end):
 * a SIMD loop (two vectors per iteration for the cheap ops) and a one-lane tail for the last < 4.
 * Attributes are f32 (or i32 for int32 Clip) scalars, splatted once into $c0..$c2.
 * Predicates (`IsNaN_f32`, `IsInf_f32`) write one bool byte per element, 16 per iteration;
 * `Not_u8` works on bool bytes (any non-zero byte is true). `<Op>_i64` (Abs, Neg, Sign) take int64,
 * `<Op>_f64` float64 (see F64_KERNELS).
 */
import { MATH_LOCALS, erfF32x4, expm1F32x4, f4, geluF32x4, i4, log1pF32x4, logF32x4, mishF32x4, sinCosF32x4, sinhF32x4, coshF32x4, asinhF32x4, acoshF32x4, atanhF32x4, invTrigF32x4, sigmoidF32x4, softplusF32x4, tanhF32x4 } from './templates/math.wat.js';
import { EXP_F64X2, LOG_F64X2 } from './templates/math64.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

interface UnOp {
  /** Export name. */
  name: string;
  /** Extra parameters (between y and start). */
  params: readonly { name: string; type: 'f32' | 'i32' }[];
  /** Setup statements (splat attributes into the v128 locals $c0/$c1). */
  setup?: string;
  body: (v: WatVariant, x: string) => string;
  /** Cheap ops get a 2× unrolled loop; the transcendental ones are long enough as they are. */
  cheap: boolean;
}

const F = (name: string, body: UnOp['body'], cheap = true, params: UnOp['params'] = [], setup = ''): UnOp => ({ name, params, setup, body, cheap });

export const UNARY_KERNELS: readonly UnOp[] = [
  // pmax(x, 0) = x < 0 ? 0 : x keeps NaN
  F('Relu_f32', (_v, x) => `(f32x4.pmax ${x} ${f4(0)})`),
  F('LeakyRelu_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect (f32x4.mul (local.get $t) (local.get $c0)) (local.get $t) (f32x4.lt (local.get $t) ${f4(0)})))`,
    true, [{ name: '$alpha', type: 'f32' }], '(local.set $c0 (f32x4.splat (local.get $alpha)))'),
  // pmin(pmax(x, lo), hi) keeps NaN (x is the first operand of both)
  F('Clip_f32', (_v, x) => `(f32x4.pmin (f32x4.pmax ${x} (local.get $c0)) (local.get $c1))`,
    true, [{ name: '$lo', type: 'f32' }, { name: '$hi', type: 'f32' }],
    '(local.set $c0 (f32x4.splat (local.get $lo))) (local.set $c1 (f32x4.splat (local.get $hi)))'),
  F('Abs_f32', (_v, x) => `(f32x4.abs ${x})`),
  F('Neg_f32', (_v, x) => `(f32x4.neg ${x})`),
  F('Sqrt_f32', (_v, x) => `(f32x4.sqrt ${x})`),
  // e^x in float64 ($exp_f64x2, two lanes at a time), rounded once: correctly rounded but for
  // double-rounding ties (tfjs checks exp(10) to under one float32 step); softmax keeps expF32x4
  F('Exp_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (call $exp_f64x2 (f64x2.promote_low_f32x4 (local.get $t))))
        (f32x4.demote_f64x2_zero (call $exp_f64x2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))))))`, false),
  F('Log_f32', (v, x) => logF32x4(v, x), false),
  F('Sigmoid_f32', (v, x) => sigmoidF32x4(v, x), false),
  F('Tanh_f32', (v, x) => tanhF32x4(v, x), false),
  F('Erf_f32', (v, x) => erfF32x4(v, x), false),
  F('Gelu_f32', (v, x) => geluF32x4(v, x, 'none'), false),
  F('GeluTanh_f32', (v, x) => geluF32x4(v, x, 'tanh'), false),
  F('Floor_f32', (_v, x) => `(f32x4.floor ${x})`),
  F('Ceil_f32', (_v, x) => `(f32x4.ceil ${x})`),
  // round half to even
  F('Round_f32', (_v, x) => `(f32x4.nearest ${x})`),
  F('Reciprocal_f32', (_v, x) => `(f32x4.div ${f4(1)} ${x})`),
  F('Square_f32', (_v, x) => `(block (result v128) (local.set $t ${x}) (f32x4.mul (local.get $t) (local.get $t)))`),
  F('Rsqrt_f32', (_v, x) => `(f32x4.div ${f4(1)} (f32x4.sqrt ${x}))`),
  // 1, -1, or x itself for ±0 and NaN
  F('Sign_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect ${f4(1)} (v128.bitselect ${f4(-1)} (local.get $t) (f32x4.lt (local.get $t) ${f4(0)})) (f32x4.gt (local.get $t) ${f4(0)})))`),
  F('Relu6_f32', (_v, x) => `(f32x4.pmin (f32x4.pmax ${x} ${f4(0)}) ${f4(6)})`),
  F('Elu_f32', (v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect (f32x4.mul (local.get $c0) ${expm1F32x4(v, '(local.get $t)')}) (local.get $t) (f32x4.lt (local.get $t) ${f4(0)})))`,
    false, [{ name: '$alpha', type: 'f32' }], '(local.set $c0 (f32x4.splat (local.get $alpha)))'),
  F('Celu_f32', (v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect (f32x4.mul (local.get $c0) ${expm1F32x4(v, '(f32x4.div (local.get $t) (local.get $c0))')}) (local.get $t) (f32x4.lt (local.get $t) ${f4(0)})))`,
    false, [{ name: '$alpha', type: 'f32' }], '(local.set $c0 (f32x4.splat (local.get $alpha)))'),
  // gamma·x above 0, (gamma·alpha)·expm1(x) below (the launcher passes the product rounded once)
  F('Selu_f32', (v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect (f32x4.mul (local.get $c0) ${expm1F32x4(v, '(local.get $t)')}) (f32x4.mul (local.get $c1) (local.get $t)) (f32x4.le (local.get $t) ${f4(0)})))`,
    false, [{ name: '$ga', type: 'f32' }, { name: '$gamma', type: 'f32' }],
    '(local.set $c0 (f32x4.splat (local.get $ga))) (local.set $c1 (f32x4.splat (local.get $gamma)))'),
  // clamp(alpha·x + beta, 0, 1) with NaN passing (pmax/pmin keep their first operand when unordered)
  F('HardSigmoid_f32', (_v, x) => `(f32x4.pmin (f32x4.pmax (f32x4.add (f32x4.mul ${x} (local.get $c0)) (local.get $c1)) ${f4(0)}) ${f4(1)})`,
    true, [{ name: '$alpha', type: 'f32' }, { name: '$beta', type: 'f32' }],
    '(local.set $c0 (f32x4.splat (local.get $alpha))) (local.set $c1 (f32x4.splat (local.get $beta)))'),
  F('HardSwish_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (f32x4.mul (local.get $t) (f32x4.pmin (f32x4.pmax (f32x4.add (f32x4.mul (local.get $t) ${f4(1 / 6)}) ${f4(0.5)}) ${f4(0)}) ${f4(1)})))`),
  F('Softplus_f32', (v, x) => softplusF32x4(v, x), false),
  // x/(1+|x|), ±Inf → ±1
  F('Softsign_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect (v128.or ${f4(1)} (v128.and (local.get $t) ${i4(0x80000000)}))
        (f32x4.div (local.get $t) (f32x4.add (f32x4.abs (local.get $t)) ${f4(1)}))
        (f32x4.eq (f32x4.abs (local.get $t)) ${f4(Infinity)})))`),
  F('Expm1_f32', (v, x) => expm1F32x4(v, x), false),
  F('Log1p_f32', (v, x) => log1pF32x4(v, x), false),
  F('Mish_f32', (v, x) => mishF32x4(v, x), false),
  F('Sin_f32', (v, x) => sinCosF32x4(v, x, false), false),
  F('Cos_f32', (v, x) => sinCosF32x4(v, x, true), false),
  F('Tan_f32', (v, x) => sinCosF32x4(v, x, 'tan'), false),
  F('Sinh_f32', (v, x) => sinhF32x4(v, x), false),
  F('Cosh_f32', (v, x) => coshF32x4(v, x), false),
  F('Asinh_f32', (v, x) => asinhF32x4(v, x), false),
  F('Acosh_f32', (v, x) => acoshF32x4(v, x), false),
  F('Atanh_f32', (v, x) => atanhF32x4(v, x), false),
  F('Atan_f32', (v, x) => invTrigF32x4(v, x, 'atan'), false),
  F('Asin_f32', (v, x) => invTrigF32x4(v, x, 'asin'), false),
  F('Acos_f32', (v, x) => invTrigF32x4(v, x, 'acos'), false),
  // ONNX: x > alpha ? x : 0 (NaN → 0)
  F('ThresholdedRelu_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (v128.and (local.get $t) (f32x4.gt (local.get $t) (local.get $c0))))`,
    true, [{ name: '$alpha', type: 'f32' }], '(local.set $c0 (f32x4.splat (local.get $alpha)))'),
  // ONNX: x < -lambd ? x + bias : x > lambd ? x - bias : 0 (NaN → 0)
  F('Shrink_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (v128.or
        (v128.and (f32x4.add (local.get $t) (local.get $c0)) (f32x4.lt (local.get $t) (local.get $c2)))
        (v128.and (f32x4.sub (local.get $t) (local.get $c0)) (f32x4.gt (local.get $t) (local.get $c1)))))`,
    true, [{ name: '$bias', type: 'f32' }, { name: '$lambd', type: 'f32' }],
    '(local.set $c0 (f32x4.splat (local.get $bias))) (local.set $c1 (f32x4.splat (local.get $lambd))) (local.set $c2 (f32x4.neg (local.get $c1)))'),
  // tfjs: x > 0 ? 1 : alpha, NaN → NaN
  F('Step_f32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect ${f4(1)} (v128.bitselect (local.get $t) (local.get $c0) (f32x4.ne (local.get $t) (local.get $t))) (f32x4.gt (local.get $t) ${f4(0)})))`,
    true, [{ name: '$alpha', type: 'f32' }], '(local.set $c0 (f32x4.splat (local.get $alpha)))'),
  F('Sign_i32', (_v, x) => `(block (result v128) (local.set $t ${x})
      (i32x4.sub (i32x4.lt_s (local.get $t) ${i4(0)}) (i32x4.gt_s (local.get $t) ${i4(0)})))`),
  F('Square_i32', (_v, x) => `(block (result v128) (local.set $t ${x}) (i32x4.mul (local.get $t) (local.get $t)))`),
  F('Relu_i32', (_v, x) => `(i32x4.max_s ${x} (v128.const i32x4 0 0 0 0))`),
  F('Abs_i32', (_v, x) => `(i32x4.abs ${x})`),
  F('Neg_i32', (_v, x) => `(i32x4.neg ${x})`),
  F('Clip_i32', (_v, x) => `(i32x4.min_s (i32x4.max_s ${x} (local.get $c0)) (local.get $c1))`,
    true, [{ name: '$lo', type: 'i32' }, { name: '$hi', type: 'i32' }],
    '(local.set $c0 (i32x4.splat (local.get $lo))) (local.set $c1 (i32x4.splat (local.get $hi)))'),
];

function kernel(v: WatVariant, op: UnOp): string {
  const params = op.params.map((p) => `(param ${p.name} ${p.type})`).join(' ');
  const per = op.cheap ? 2 : 1;
  const body = (off: number) => `(v128.store offset=${off} (local.get $q) ${op.body(v, `(v128.load offset=${off} (local.get $p))`)})`;
  return `(func (export "${op.name}") (param $x i32) (param $y i32) ${params} (param $start i32) (param $end i32)
    (local $p i32) (local $q i32) (local $e i32) (local $t v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) ${op.cheap ? '' : MATH_LOCALS}
    ${op.setup ?? ''}
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $q (i32.add (local.get $y) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $end) (i32.const 2))))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $p) (i32.const ${16 * per})) (local.get $e)))
      ${body(0)} ${per === 2 ? body(16) : ''}
      (local.set $p (i32.add (local.get $p) (i32.const ${16 * per})))
      (local.set $q (i32.add (local.get $q) (i32.const ${16 * per})))
      (br $vl)))
    (block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $p) (local.get $e)))
      (v128.store32_lane 0 (local.get $q) ${op.body(v, '(v128.load32_zero (local.get $p))')})
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (br $tl))))`;
}

/** int64 Abs/Neg/Sign: two lanes a vector, one-element tail (wrapping: Abs/Neg of INT64_MIN is INT64_MIN). */
const I64_KERNELS: readonly { name: string; body: (x: string) => string }[] = [
  { name: 'Abs_i64', body: (x) => `(i64x2.abs ${x})` },
  { name: 'Neg_i64', body: (x) => `(i64x2.neg ${x})` },
  // (x < 0) - (x > 0) on lane masks (-1/0): -1, 0 or 1
  { name: 'Sign_i64', body: (x) => `(block (result v128) (local.set $t ${x})
      (i64x2.sub (i64x2.lt_s (local.get $t) (v128.const i64x2 0 0)) (i64x2.gt_s (local.get $t) (v128.const i64x2 0 0))))` },
];

/** f64x2 constant with both lanes x. */
const d2 = (x: number) => `(v128.const f64x2 ${x} ${x})`;

/**
 * float64 kernels (`<Op>_f64`): two lanes a vector, a one-element tail. Exp and Log call the fdlibm
 * ports of templates/math64.wat.ts (< 1 ulp); Sigmoid is 1/(1 + exp(−x)); the rest are IEEE ops.
 */
/** One per op of FLOAT64_UNARY_OPS (ops/unary.ts). */
const F64_KERNELS: readonly { name: string; params?: string; setup?: string; body: (x: string) => string }[] = [
  { name: 'Relu_f64', body: (x) => `(f64x2.pmax ${x} ${d2(0)})` },
  { name: 'Abs_f64', body: (x) => `(f64x2.abs ${x})` },
  { name: 'Neg_f64', body: (x) => `(f64x2.neg ${x})` },
  { name: 'Sqrt_f64', body: (x) => `(f64x2.sqrt ${x})` },
  { name: 'Floor_f64', body: (x) => `(f64x2.floor ${x})` },
  { name: 'Ceil_f64', body: (x) => `(f64x2.ceil ${x})` },
  // round half to even
  { name: 'Round_f64', body: (x) => `(f64x2.nearest ${x})` },
  { name: 'Reciprocal_f64', body: (x) => `(f64x2.div ${d2(1)} ${x})` },
  { name: 'Rsqrt_f64', body: (x) => `(f64x2.div ${d2(1)} (f64x2.sqrt ${x}))` },
  { name: 'Square_f64', body: (x) => `(block (result v128) (local.set $t ${x}) (f64x2.mul (local.get $t) (local.get $t)))` },
  // 1, −1, or x itself for ±0 and NaN
  { name: 'Sign_f64', body: (x) => `(block (result v128) (local.set $t ${x})
      (v128.bitselect ${d2(1)} (v128.bitselect ${d2(-1)} (local.get $t) (f64x2.lt (local.get $t) ${d2(0)})) (f64x2.gt (local.get $t) ${d2(0)})))` },
  { name: 'Exp_f64', body: (x) => `(call $exp_f64x2 ${x})` },
  { name: 'Log_f64', body: (x) => `(call $log_f64x2 ${x})` },
  { name: 'Sigmoid_f64', body: (x) => `(f64x2.div ${d2(1)} (f64x2.add ${d2(1)} (call $exp_f64x2 (f64x2.neg ${x}))))` },
  // pmin(pmax(x, lo), hi) keeps NaN
  {
    name: 'Clip_f64',
    params: '(param $lo f64) (param $hi f64)',
    setup: '(local.set $c0 (f64x2.splat (local.get $lo))) (local.set $c1 (f64x2.splat (local.get $hi)))',
    body: (x) => `(f64x2.pmin (f64x2.pmax ${x} (local.get $c0)) (local.get $c1))`,
  },
];

/** An elementwise kernel over 8-byte elements (int64 and float64), two lanes per vector and a one-lane tail. */
function kernel64(op: (typeof F64_KERNELS)[number]): string {
  return `(func (export "${op.name}") (param $x i32) (param $y i32) ${op.params ?? ''} (param $start i32) (param $end i32)
    (local $p i32) (local $q i32) (local $e i32) (local $t v128) (local $c0 v128) (local $c1 v128)
    ${op.setup ?? ''}
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $q (i32.add (local.get $y) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $end) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
      (v128.store (local.get $q) ${op.body('(v128.load (local.get $p))')})
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $p) (local.get $e)) (then
      (v128.store64_lane 0 (local.get $q) ${op.body('(v128.load64_zero (local.get $p))')}))))`;
}

/**
 * Clip on the other integer dtypes (`Clip_{i8,u8,i16,u16,u32}(x, y, lo, hi, start, end)`): one element
 * at a time on the extended values, lo/hi already clamped to the dtype's range by the launcher, so
 * min(max(x, lo), hi) (signed or unsigned compares) stores back without wrapping.
 */
const INT_CLIPS: readonly { name: string; load: string; store: string; bytes: number; s: 's' | 'u' }[] = [
  { name: 'Clip_i8', load: 'i32.load8_s', store: 'i32.store8', bytes: 1, s: 's' },
  { name: 'Clip_u8', load: 'i32.load8_u', store: 'i32.store8', bytes: 1, s: 'u' },
  { name: 'Clip_i16', load: 'i32.load16_s', store: 'i32.store16', bytes: 2, s: 's' },
  { name: 'Clip_u16', load: 'i32.load16_u', store: 'i32.store16', bytes: 2, s: 'u' },
  { name: 'Clip_u32', load: 'i32.load', store: 'i32.store', bytes: 4, s: 'u' },
];

function intClip(k: (typeof INT_CLIPS)[number]): string {
  const sh = Math.log2(k.bytes);
  return `(func (export "${k.name}") (param $x i32) (param $y i32) (param $lo i32) (param $hi i32) (param $start i32) (param $end i32)
    (local $p i32) (local $q i32) (local $e i32) (local $v i32)
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $start) (i32.const ${sh}))))
    (local.set $q (i32.add (local.get $y) (i32.shl (local.get $start) (i32.const ${sh}))))
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $end) (i32.const ${sh}))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $e)))
      (local.set $v (${k.load} (local.get $p)))
      (local.set $v (select (local.get $v) (local.get $lo) (i32.gt_${k.s} (local.get $v) (local.get $lo))))
      (local.set $v (select (local.get $v) (local.get $hi) (i32.lt_${k.s} (local.get $v) (local.get $hi))))
      (${k.store} (local.get $q) (local.get $v))
      (local.set $p (i32.add (local.get $p) (i32.const ${k.bytes})))
      (local.set $q (i32.add (local.get $q) (i32.const ${k.bytes})))
      (br $l))))`;
}

/**
 * Abs, Neg and Sign on the other integer dtypes (`<Op>_{i8,u8,i16,u16,u32,u64}(x, y, start, end)`),
 * one element at a time on the extended value, stored back at the dtype's width: Abs and Neg wrap
 * (Abs of the minimum is the minimum), Abs of an unsigned value is itself, Sign gives −1/0/1 (0/1
 * unsigned). Neg is defined on the signed ones only (ONNX).
 */
const INT_UNARY_DTS: readonly { dt: string; load: string; store: string; bytes: number; signed: boolean; t: 'i32' | 'i64' }[] = [
  { dt: 'i8', load: 'i32.load8_s', store: 'i32.store8', bytes: 1, signed: true, t: 'i32' },
  { dt: 'u8', load: 'i32.load8_u', store: 'i32.store8', bytes: 1, signed: false, t: 'i32' },
  { dt: 'i16', load: 'i32.load16_s', store: 'i32.store16', bytes: 2, signed: true, t: 'i32' },
  { dt: 'u16', load: 'i32.load16_u', store: 'i32.store16', bytes: 2, signed: false, t: 'i32' },
  { dt: 'u32', load: 'i32.load', store: 'i32.store', bytes: 4, signed: false, t: 'i32' },
  { dt: 'u64', load: 'i64.load', store: 'i64.store', bytes: 8, signed: false, t: 'i64' },
];

function intUnary(k: (typeof INT_UNARY_DTS)[number]): string {
  const { t } = k;
  const v = '(local.get $v)';
  // comparisons give i32: widened for the 64-bit dtype
  const w = (cmp: string) => (t === 'i64' ? `(i64.extend_i32_u ${cmp})` : cmp);
  const ops: [string, string][] = [
    ['Abs', k.signed ? `(select ${v} (${t}.sub (${t}.const 0) ${v}) (${t}.ge_s ${v} (${t}.const 0)))` : v],
    ['Sign', k.signed ? `(${t}.sub ${w(`(${t}.gt_s ${v} (${t}.const 0))`)} ${w(`(${t}.lt_s ${v} (${t}.const 0))`)})` : w(`(${t}.ne ${v} (${t}.const 0))`)],
    ...(k.signed ? ([['Neg', `(${t}.sub (${t}.const 0) ${v})`]] as [string, string][]) : []),
  ];
  const sh = Math.log2(k.bytes);
  return ops
    .map(([name, expr]) => `(func (export "${name}_${k.dt}") (param $x i32) (param $y i32) (param $start i32) (param $end i32)
    (local $p i32) (local $q i32) (local $e i32) (local $v ${t})
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $start) (i32.const ${sh}))))
    (local.set $q (i32.add (local.get $y) (i32.shl (local.get $start) (i32.const ${sh}))))
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $end) (i32.const ${sh}))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $e)))
      (local.set $v (${k.load} (local.get $p)))
      (${k.store} (local.get $q) ${expr})
      (local.set $p (i32.add (local.get $p) (i32.const ${k.bytes})))
      (local.set $q (i32.add (local.get $q) (i32.const ${k.bytes})))
      (br $l))))`)
    .join('\n');
}

/** f32 → bool predicates: a lane mask of the input vector. */
const PREDICATES: readonly { name: string; params: string; setup: string; mask: (x: string) => string }[] = [
  { name: 'IsNaN_f32', params: '', setup: '', mask: (x) => `(block (result v128) (local.set $t ${x}) (f32x4.ne (local.get $t) (local.get $t)))` },
  // x == pv or x == nv: the launcher passes +Inf / -Inf for the infinities to detect, NaN (never equal) for the others
  {
    name: 'IsInf_f32',
    params: '(param $pv f32) (param $nv f32)',
    setup: '(local.set $c0 (f32x4.splat (local.get $pv))) (local.set $c1 (f32x4.splat (local.get $nv)))',
    mask: (x) => `(block (result v128) (local.set $t ${x}) (v128.or (f32x4.eq (local.get $t) (local.get $c0)) (f32x4.eq (local.get $t) (local.get $c1))))`,
  },
];

function predicate(p: (typeof PREDICATES)[number]): string {
  const m = (off: number) => p.mask(`(v128.load offset=${off} (local.get $p))`);
  return `(func (export "${p.name}") (param $x i32) (param $y i32) ${p.params} (param $start i32) (param $end i32)
    (local $p i32) (local $q i32) (local $e i32) (local $t v128) (local $c0 v128) (local $c1 v128)
    ${p.setup}
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $q (i32.add (local.get $y) (local.get $start)))
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $end) (i32.const 2))))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $p) (i32.const 64)) (local.get $e)))
      (v128.store (local.get $q) (v128.and ${i4(0x01010101)}
        (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${m(0)} ${m(16)}) (i16x8.narrow_i32x4_s ${m(32)} ${m(48)}))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $vl)))
    (block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $p) (local.get $e)))
      (i32.store8 (local.get $q) (i32.and (i32x4.extract_lane 0 ${p.mask('(v128.load32_zero (local.get $p))')}) (i32.const 1)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $tl))))`;
}

/** Logical not on bool bytes: y = (x == 0). */
const NOT_U8 = `(func (export "Not_u8") (param $x i32) (param $y i32) (param $start i32) (param $end i32)
    (local $p i32) (local $q i32) (local $e i32)
    (local.set $p (i32.add (local.get $x) (local.get $start)))
    (local.set $q (i32.add (local.get $y) (local.get $start)))
    (local.set $e (i32.add (local.get $x) (local.get $end)))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
      (v128.store (local.get $q) (v128.and (i8x16.eq (v128.load (local.get $p)) ${i4(0)}) ${i4(0x01010101)}))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $vl)))
    (block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $p) (local.get $e)))
      (i32.store8 (local.get $q) (i32.eqz (i32.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $tl))))`;

export const unaryFamily: WatFamily = {
  name: 'unary',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${UNARY_KERNELS.map((op) => kernel(v, op)).join('\n')}\n${PREDICATES.map(predicate).join('\n')}\n${I64_KERNELS.map(kernel64).join('\n')}\n${EXP_F64X2}\n${LOG_F64X2}\n${F64_KERNELS.map(kernel64).join('\n')}\n${INT_CLIPS.map(intClip).join('\n')}\n${INT_UNARY_DTS.map(intUnary).join('\n')}\n${NOT_U8}\n)`;
  },
};
