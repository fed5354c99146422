/**
 * The `unary` family: elementwise activations and math on contiguous tensors.
 *
 * Every op exports `<Op>_<f32|i32>(x, y, ...attrs, start, end)` over flat elements [start, end):
 * a SIMD loop (two vectors per iteration for the cheap ops) and a one-lane tail for the last < 4.
 * Attributes are LeakyRelu's alpha (f32) and Clip's min/max (f32, or i32 for the int kernel).
 */
import { MATH_LOCALS, erfF32x4, expF32x4, f4, geluF32x4, logF32x4, sigmoidF32x4, tanhF32x4 } from './templates/math.wat.js';
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
  F('Exp_f32', (v, x) => expF32x4(v, x), false),
  F('Log_f32', (v, x) => logF32x4(v, x), false),
  F('Sigmoid_f32', (v, x) => sigmoidF32x4(v, x), false),
  F('Tanh_f32', (v, x) => tanhF32x4(v, x), false),
  F('Erf_f32', (v, x) => erfF32x4(v, x), false),
  F('Gelu_f32', (v, x) => geluF32x4(v, x, 'none'), false),
  F('GeluTanh_f32', (v, x) => geluF32x4(v, x, 'tanh'), false),
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
    (local $p i32) (local $q i32) (local $e i32) (local $t v128) (local $c0 v128) (local $c1 v128) ${op.cheap ? '' : MATH_LOCALS}
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

export const unaryFamily: WatFamily = {
  name: 'unary',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${UNARY_KERNELS.map((op) => kernel(v, op)).join('\n')}\n)`;
  },
};
