/**
 * The `swiglu` family: the gated activations Swish(x) = x·sigmoid(α·x) and SwiGLU(a, b) = Swish(a)·b,
 * elementwise over [start, end), 4 lanes at a time with a one-lane tail:
 *   `swish(x, y, alpha, start, end)`, `swiglu(a, b, y, alpha, start, end)`.
 * sigmoid is the shared sigmoidF32x4 (2.2 ulp, e^-|z| form: no overflow for large |α·x|).
 */
import { ConstPool, MATH_LOCALS, sigmoidF32x4, type MathVariant } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

function kernel(w: WatVariant, glu: boolean): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const g = (n: string) => `(local.get $${n})`;
  const at = (p: string) => `(i32.add ${g(p)} (i32.shl ${g('i')} (i32.const 2)))`;
  const body = (ld: (a: string) => string, st: (a: string, e: string) => string) =>
    `(local.set $xv ${ld(at('x'))})
        ${st(at('y'), `(f32x4.mul ${glu ? `(f32x4.mul ${g('xv')} ${ld(at('b'))})` : g('xv')} ${sigmoidF32x4(v, `(f32x4.mul ${g('xv')} ${g('av')})`)})`)}`;
  const wide = body((a) => `(v128.load ${a})`, (a, e) => `(v128.store ${a} ${e})`);
  const one = body((a) => `(v128.load32_zero ${a})`, (a, e) => `(v128.store32_lane 0 ${a} ${e})`);
  const fn = `(local.set $av (f32x4.splat ${g('alpha')}))
    (local.set $i ${g('start')})
    (block $wa (loop $wb
      (br_if $wa (i32.gt_u (i32.add ${g('i')} (i32.const 4)) ${g('end')}))
      ${wide}
      (local.set $i (i32.add ${g('i')} (i32.const 4)))
      (br $wb)))
    (block $oa (loop $ob
      (br_if $oa (i32.ge_u ${g('i')} ${g('end')}))
      ${one}
      (local.set $i (i32.add ${g('i')} (i32.const 1)))
      (br $ob)))`;
  return `(func (export "${glu ? 'swiglu' : 'swish'}") (param $x i32) ${glu ? '(param $b i32) ' : ''}(param $y i32) (param $alpha f32) (param $start i32) (param $end i32)
    (local $i i32) (local $xv v128) (local $av v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${fn})`;
}

export const swigluFamily: WatFamily = {
  name: 'swiglu',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module
  ${memoryImport(v)}
  ${kernel(v, false)}
  ${kernel(v, true)}
)`;
  },
};
