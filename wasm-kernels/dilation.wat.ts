/**
 * The `dilation` family: Dilation2D and its gradients (ops/dilation.ts), NHWC. Geometry in an i32
 * block at `prm` (PARAMS).
 *
 * `argmax(x, f, y, idx, prm, start, end)`: output pixels [start, end) of [N, OH, OW]; per channel
 *   (4 at a time in v128 lanes, then one at a time) the max of x + f over the window's taps inside
 *   the input, from −2^53 and replaced only by a strictly greater sum; its value to y (when y ≠ 0)
 *   and its tap kh·KW + kw, or −1, to idx (when idx ≠ 0).
 * `grad_input(dy, idx, dx, prm, start, end)`: images [start, end): dx's image zeroed, then each
 *   output's dy added at its argmax tap's input element (tap −1: the window's start clamped into the input).
 * `grad_filter(dy, idx, df, prm, start, end)`: channels [start, end): df[·, ·, c] zeroed, then
 *   every output's dy (images, rows, columns in order) added at its tap (−1: tap 0).
 * Each output element of the gradients is one thread's, so sums run in one order on any threads.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export const PARAMS = ['N', 'C', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL'] as const;

const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const c = (v: number) => `(i32.const ${v})`;
const f4 = (p: string) => `(i32.shl ${p} ${c(2)})`;
let labels = 0;
function loop(v: string, from: string, to: string, body: string): string {
  const l = `L${labels++}`;
  return `${set(v, from)}
    (block $${l}_d (loop $${l}
      (br_if $${l}_d (i32.ge_s ${g(v)} ${to}))
      ${body}
      ${set(v, add(g(v), c(1)))}
      (br $${l})))`;
}

const PARAM_LOCALS = PARAMS.map((n) => `(local $${n} i32)`).join(' ');
const LOAD = PARAMS.map((n, i) => set(n, `(i32.load offset=${i * 4} (local.get $prm))`)).join('\n    ');
/** v clamped to [0, n − 1] */
const clamp = (v: string, n: string) => `(select (select ${v} ${c(0)} (i32.gt_s ${v} ${c(0)})) ${sub(g(n), c(1))} (i32.lt_s ${v} ${g(n)}))`;
/** −2^53 as f32 (exact). */
const LOWEST = '(f32.const -9007199254740992)';

function argmax(): string {
  /** The window walk around `tap` (taps outside the input skipped). */
  const walk = (tap: string) => loop('kh', c(0), g('KH'), `${set('ih', add(sub(mul(g('oh'), g('SH')), g('PT')), mul(g('kh'), g('DH'))))}
          (if (i32.lt_u ${g('ih')} ${g('H')}) (then
          ${loop('kw', c(0), g('KW'), `${set('iw', add(sub(mul(g('ow'), g('SW')), g('PL')), mul(g('kw'), g('DW'))))}
            (if (i32.lt_u ${g('iw')} ${g('W')}) (then
              ${set('xa', add(g('x'), f4(add(mul(add(mul(add(mul(g('n'), g('H')), g('ih')), g('W')), g('iw')), g('C')), g('ch')))))}
              ${set('fa', add(g('f'), f4(add(mul(add(mul(g('kh'), g('KW')), g('kw')), g('C')), g('ch')))))}
              ${tap}))`)}))`);
  const tap4 = `${set('vv', '(f32x4.add (v128.load (local.get $xa)) (v128.load (local.get $fa)))')}
              ${set('tk', `(f32x4.gt ${g('vv')} ${g('bv')})`)}
              ${set('bv', `(v128.bitselect ${g('vv')} ${g('bv')} ${g('tk')})`)}
              ${set('bvi', `(v128.bitselect (i32x4.splat ${add(mul(g('kh'), g('KW')), g('kw'))}) ${g('bvi')} ${g('tk')})`)}`;
  const tap1 = `${set('v', '(f32.add (f32.load (local.get $xa)) (f32.load (local.get $fa)))')}
              (if (f32.gt ${g('v')} ${g('best')}) (then ${set('best', g('v'))} ${set('bi', add(mul(g('kh'), g('KW')), g('kw')))}))`;
  return `(func (export "argmax") (param $x i32) (param $f i32) (param $y i32) (param $idx i32) (param $prm i32) (param $start i32) (param $end i32)
    ${PARAM_LOCALS} (local $i i32) (local $n i32) (local $oh i32) (local $ow i32) (local $ch i32) (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32)
    (local $bi i32) (local $o i32) (local $xa i32) (local $fa i32) (local $v f32) (local $best f32) (local $vv v128) (local $bv v128) (local $bvi v128) (local $tk v128)
    ${LOAD}
    ${loop('i', g('start'), g('end'), `${set('ow', `(i32.rem_u ${g('i')} ${g('OW')})`)} ${set('oh', `(i32.rem_u (i32.div_u ${g('i')} ${g('OW')}) ${g('OH')})`)}
      ${set('n', `(i32.div_u ${g('i')} ${mul(g('OW'), g('OH'))})`)}
      ${set('ch', c(0))}
      ;; 4 channels at a time, then one at a time
      (block $vd (loop $vl
        (br_if $vd (i32.gt_u ${add(g('ch'), c(4))} ${g('C')}))
        ${set('bv', `(f32x4.splat ${LOWEST})`)} ${set('bvi', '(v128.const i32x4 -1 -1 -1 -1)')}
        ${walk(tap4)}
        ${set('o', add(mul(g('i'), g('C')), g('ch')))}
        (if ${g('y')} (then (v128.store ${add(g('y'), f4(g('o')))} ${g('bv')})))
        (if ${g('idx')} (then (v128.store ${add(g('idx'), f4(g('o')))} ${g('bvi')})))
        ${set('ch', add(g('ch'), c(4)))}
        (br $vl)))
      ${loop('ch', g('ch'), g('C'), `${set('best', LOWEST)} ${set('bi', c(-1))}
        ${walk(tap1)}
        ${set('o', add(mul(g('i'), g('C')), g('ch')))}
        (if ${g('y')} (then (f32.store ${add(g('y'), f4(g('o')))} ${g('best')})))
        (if ${g('idx')} (then (i32.store ${add(g('idx'), f4(g('o')))} ${g('bi')})))`)}`)}
  )`;
}

function gradInput(): string {
  // per image: zero, then walk its outputs
  return `(func (export "grad_input") (param $dy i32) (param $idx i32) (param $dx i32) (param $prm i32) (param $start i32) (param $end i32)
    ${PARAM_LOCALS} (local $n i32) (local $oh i32) (local $ow i32) (local $ch i32) (local $t i32) (local $ih i32) (local $iw i32) (local $o i32) (local $a i32) (local $img i32)
    ${LOAD}
    ${loop('n', g('start'), g('end'), `${set('img', add(g('dx'), f4(mul(mul(mul(g('n'), g('H')), g('W')), g('C')))))}
      (memory.fill ${g('img')} ${c(0)} ${f4(mul(mul(g('H'), g('W')), g('C')))})
      ${loop('oh', c(0), g('OH'), loop('ow', c(0), g('OW'), loop('ch', c(0), g('C'), `${set('o', add(mul(add(mul(add(mul(g('n'), g('OH')), g('oh')), g('OW')), g('ow')), g('C')), g('ch')))}
          ${set('t', `(i32.load ${add(g('idx'), f4(g('o')))})`)}
          ${set('ih', sub(mul(g('oh'), g('SH')), g('PT')))} ${set('iw', sub(mul(g('ow'), g('SW')), g('PL')))}
          (if (i32.ge_s ${g('t')} ${c(0)})
            (then ${set('ih', add(g('ih'), mul(`(i32.div_u ${g('t')} ${g('KW')})`, g('DH'))))} ${set('iw', add(g('iw'), mul(`(i32.rem_u ${g('t')} ${g('KW')})`, g('DW'))))})
            (else ${set('ih', clamp(g('ih'), 'H'))} ${set('iw', clamp(g('iw'), 'W'))}))
          ${set('a', add(g('img'), f4(add(mul(add(mul(g('ih'), g('W')), g('iw')), g('C')), g('ch')))))}
          (f32.store ${g('a')} (f32.add (f32.load ${g('a')}) (f32.load ${add(g('dy'), f4(g('o')))})))`)))}`)}
  )`;
}

function gradFilter(): string {
  return `(func (export "grad_filter") (param $dy i32) (param $idx i32) (param $df i32) (param $prm i32) (param $start i32) (param $end i32)
    ${PARAM_LOCALS} (local $ch i32) (local $k i32) (local $o i32) (local $t i32) (local $a i32) (local $total i32)
    ${LOAD}
    ${set('total', mul(mul(g('N'), g('OH')), g('OW')))}
    ${loop('ch', g('start'), g('end'), `${loop('k', c(0), mul(g('KH'), g('KW')), `(f32.store ${add(g('df'), f4(add(mul(g('k'), g('C')), g('ch'))))} (f32.const 0))`)}
      ${loop('o', c(0), g('total'), `${set('t', `(i32.load ${add(g('idx'), f4(add(mul(g('o'), g('C')), g('ch'))))})`)}
        ${set('t', `(select ${g('t')} ${c(0)} (i32.ge_s ${g('t')} ${c(0)}))`)}
        ${set('a', add(g('df'), f4(add(mul(g('t'), g('C')), g('ch')))))}
        (f32.store ${g('a')} (f32.add (f32.load ${g('a')}) (f32.load ${add(g('dy'), f4(add(mul(g('o'), g('C')), g('ch'))))})))`)}`)}
  )`;
}

export const dilationFamily: WatFamily = {
  name: 'dilation',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    labels = 0;
    return `(module\n${memoryImport(v)}\n${argmax()}\n${gradInput()}\n${gradFilter()}\n)`;
  },
};
