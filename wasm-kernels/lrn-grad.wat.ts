/**
 * The `lrn-grad` family (ops/lrn-grad.ts), channels last.
 *
 * `rows(x, y, dy, dx, s, C, lo, hi, bias, coef, beta, start, end)`: pixels [start, end), each a row
 * of C channels, with scratch s (2·C floats per pixel). Per row: n_i = bias + coef·Σ x² over the
 * forward window [i − lo, i + hi] (scalar); then, 4 lanes at a time with a scalar-lane tail,
 * p_i = n_i^(−beta) and t_i = dy_i·y_i / n_i into the scratch; then dx_k = dy_k·p_k −
 * 2·coef·beta·x_k·Σ t over [k − hi, k + lo] (scalar).
 */
import { ConstPool, MATH_LOCALS, powF32x4, type MathVariant } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const c = (v: number) => `(i32.const ${v})`;
const f4 = (p: string) => `(i32.shl ${p} ${c(2)})`;
const max = (a: string, b: string) => `(select ${a} ${b} (i32.gt_s ${a} ${b}))`;
const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;

function rows(w: WatVariant): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const at = (base: string, i: string) => add(g(base), f4(i));
  // p and t of 4 lanes from n (in $nv): loads of y/dy at lane offset $e
  const vec = (load: (p: string) => string, store: (p: string, e: string) => string) => `${set('nv', load(at('sn', g('e'))))}
          ${store(at('sp', g('e')), powF32x4(v, g('nv'), g('mb')))}
          ${store(at('st', g('e')), `(f32x4.div (f32x4.mul ${load(at('dyr', g('e')))} ${load(at('yr', g('e')))}) ${g('nv')})`)}`;
  const body = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('xr', add(g('x'), f4(mul(g('i'), g('C')))))} ${set('yr', add(g('y'), f4(mul(g('i'), g('C')))))}
      ${set('dyr', add(g('dy'), f4(mul(g('i'), g('C')))))} ${set('dxr', add(g('dx'), f4(mul(g('i'), g('C')))))}
      ;; scratch: n then p at sn = sp, t at st
      ${set('sn', add(g('s'), f4(mul(g('i'), mul(g('C'), c(2))))))} ${set('sp', g('sn'))} ${set('st', add(g('sn'), f4(g('C'))))}
      ${set('e', c(0))}
      (block $nd (loop $nl
        (br_if $nd (i32.ge_u ${g('e')} ${g('C')}))
        ${set('a', `(f32.const 0)`)}
        ${set('j', max(c(0), sub(g('e'), g('lo'))))} ${set('k', min(sub(g('C'), c(1)), add(g('e'), g('hi'))))}
        (block $wd (loop $wl
          (br_if $wd (i32.gt_s ${g('j')} ${g('k')}))
          ${set('b', `(f32.load ${at('xr', g('j'))})`)}
          ${set('a', `(f32.add ${g('a')} (f32.mul ${g('b')} ${g('b')}))`)}
          ${set('j', add(g('j'), c(1)))}
          (br $wl)))
        (f32.store ${at('sn', g('e'))} (f32.add ${g('bias')} (f32.mul ${g('coef')} ${g('a')})))
        ${set('e', add(g('e'), c(1)))}
        (br $nl)))
      ${set('e', c(0))}
      (block $vd (loop $vl
        (br_if $vd (i32.gt_u ${add(g('e'), c(4))} ${g('C')}))
        ${vec((p) => `(v128.load ${p})`, (p, e) => `(v128.store ${p} ${e})`)}
        ${set('e', add(g('e'), c(4)))}
        (br $vl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u ${g('e')} ${g('C')}))
        ${vec((p) => `(v128.load32_zero ${p})`, (p, e) => `(v128.store32_lane 0 ${p} ${e})`)}
        ${set('e', add(g('e'), c(1)))}
        (br $tl)))
      ${set('e', c(0))}
      (block $gd (loop $gl
        (br_if $gd (i32.ge_u ${g('e')} ${g('C')}))
        ${set('a', `(f32.const 0)`)}
        ${set('j', max(c(0), sub(g('e'), g('hi'))))} ${set('k', min(sub(g('C'), c(1)), add(g('e'), g('lo'))))}
        (block $sd (loop $sl
          (br_if $sd (i32.gt_s ${g('j')} ${g('k')}))
          ${set('a', `(f32.add ${g('a')} (f32.load ${at('st', g('j'))}))`)}
          ${set('j', add(g('j'), c(1)))}
          (br $sl)))
        (f32.store ${at('dxr', g('e'))} (f32.sub (f32.mul (f32.load ${at('dyr', g('e'))}) (f32.load ${at('sp', g('e'))}))
          (f32.mul (f32.mul ${g('cf2')} (f32.load ${at('xr', g('e'))})) ${g('a')})))
        ${set('e', add(g('e'), c(1)))}
        (br $gl)))
      ${set('i', add(g('i'), c(1)))}
      (br $rows)))`;
  return `(func (export "rows") (param $x i32) (param $y i32) (param $dy i32) (param $dx i32) (param $s i32) (param $C i32) (param $lo i32) (param $hi i32)
    (param $bias f32) (param $coef f32) (param $beta f32) (param $start i32) (param $end i32)
    (local $i i32) (local $e i32) (local $j i32) (local $k i32) (local $xr i32) (local $yr i32) (local $dyr i32) (local $dxr i32) (local $sn i32) (local $sp i32) (local $st i32)
    (local $a f32) (local $b f32) (local $cf2 f32) (local $nv v128) (local $mb v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${set('mb', `(f32x4.splat (f32.neg ${g('beta')}))`)}
    ${set('cf2', `(f32.mul (f32.mul (f32.const 2) ${g('coef')}) ${g('beta')})`)}
    ${body})`;
}

export const lrnGradFamily: WatFamily = {
  name: 'lrn-grad',
  // powF32x4 emits no madd: one build serves both
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${rows(v)}\n)`;
  },
};
