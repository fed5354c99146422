/**
 * The `pool-grad` family: pooling gradients and argmax, channels last ([N, D, H, W, C]; 1-D and 2-D
 * windows run with D = 1 and H = 1). Window geometry comes in an i32 block at `prm` (PARAMS).
 *
 * `argmax(x, y, idx, prm, base, start, end)`: output pixels [start, end) of [N, OD, OH, OW]; per
 *   channel (4 at a time in v128 lanes, then one at a time), the window's first tap greater than all
 *   earlier ones (NaN: the first NaN, unless NANI skips NaN taps), its value to y (when y ≠ 0) and
 *   its flat index ((d·H + h)·W + w)·C + c, plus n·base, to idx (-1 and -Infinity for a window
 *   without one).
 * `scatter(dy, idx, dx, nIn, nOut, start, end)`: images [start, end): dx's nIn floats of the image
 *   are zeroed, then each of its nOut dy values is added at its idx (skipping -1).
 * `avg_grad(dy, dx, prm, start, end)`: input pixels [start, end) of [N, D, H, W]: the sum over the
 *   windows holding the pixel of dy / divisor, 4 channels at a time (v128) and a scalar tail. Average
 *   pooling has no dilation, so the windows holding d are od in [⌈(d + PF − KD + 1) / SD⌉, ⌊(d + PF) / SD⌋].
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export const PARAMS = ['C', 'D', 'H', 'W', 'OD', 'OH', 'OW', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL', 'PK', 'PB', 'PR', 'CIP', 'NANI'] as const;

const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const c = (v: number) => `(i32.const ${v})`;
const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
const max = (a: string, b: string) => `(select ${a} ${b} (i32.gt_s ${a} ${b}))`;
const f4 = (p: string) => `(i32.shl ${p} ${c(2)})`;
/** for (v = from; v < to; v++) body, with a unique label. */
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
const LOAD_PARAMS = PARAMS.map((n, i) => set(n, `(i32.load offset=${i * 4} (local.get $prm))`)).join('\n    ');

/** Split pixel index `i` of [N, A, B, E] (A, B, E named) into n, a, b, e. */
function split(i: string, A: string, B: string, E: string, names: [string, string, string, string]): string {
  const [n, a, b, e] = names;
  return `${set(e, `(i32.rem_u ${i} ${g(E)})`)} ${set('r', `(i32.div_u ${i} ${g(E)})`)}
    ${set(b, `(i32.rem_u ${g('r')} ${g(B)})`)} ${set('r', `(i32.div_u ${g('r')} ${g(B)})`)}
    ${set(a, `(i32.rem_u ${g('r')} ${g(A)})`)} ${set(n, `(i32.div_u ${g('r')} ${g(A)})`)}`;
}

function argmax(): string {
  const inRange = (v: string, n: string) => `(i32.lt_u ${g(v)} ${g(n)})`;
  /** The window walk around `tap` (d, h, w order; taps outside the input skipped). */
  const walk = (tap: string) => loop('kd', c(0), g('KD'), `${set('id', add(sub(mul(g('od'), g('SD')), g('PF')), mul(g('kd'), g('DD'))))}
          (if ${inRange('id', 'D')} (then
          ${loop('kh', c(0), g('KH'), `${set('ih', add(sub(mul(g('oh'), g('SH')), g('PT')), mul(g('kh'), g('DH'))))}
            (if ${inRange('ih', 'H')} (then
            ${loop('kw', c(0), g('KW'), `${set('iw', add(sub(mul(g('ow'), g('SW')), g('PL')), mul(g('kw'), g('DW'))))}
              (if ${inRange('iw', 'W')} (then ${tap}))`)}))`)}))`);
  const pos = set('pos', add(mul(add(mul(add(mul(g('id'), g('H')), g('ih')), g('W')), g('iw')), g('C')), g('ch')));
  // 4 channels at once: take where v > best, or (propagating NaN) v is the lane's first NaN
  const tap4 = `${pos}
          ${set('vv', `(v128.load ${add(g('xn'), f4(g('pos')))})`)}
          ${set('tk', `(v128.or (f32x4.gt ${g('vv')} ${g('bv')})
            (v128.and ${g('np')} (v128.and (f32x4.ne ${g('vv')} ${g('vv')}) (f32x4.eq ${g('bv')} ${g('bv')}))))`)}
          ${set('bv', `(v128.bitselect ${g('vv')} ${g('bv')} ${g('tk')})`)}
          ${set('bvi', `(v128.bitselect (i32x4.add (i32x4.splat ${g('pos')}) (v128.const i32x4 0 1 2 3)) ${g('bvi')} ${g('tk')})`)}`;
  // one channel: the same rule on scalars
  const tap1 = `${pos}
          ${set('v', `(f32.load ${add(g('xn'), f4(g('pos')))})`)}
          (if (i32.or (f32.gt ${g('v')} ${g('best')})
                (i32.and (i32.eqz ${g('NANI')}) (i32.and (f32.ne ${g('v')} ${g('v')}) (f32.eq ${g('best')} ${g('best')}))))
            (then ${set('best', g('v'))} ${set('bi', g('pos'))}))`;
  return `(func (export "argmax") (param $x i32) (param $y i32) (param $idx i32) (param $prm i32) (param $base i32) (param $start i32) (param $end i32)
    ${PARAM_LOCALS} (local $i i32) (local $r i32) (local $n i32) (local $od i32) (local $oh i32) (local $ow i32) (local $ch i32)
    (local $kd i32) (local $kh i32) (local $kw i32) (local $id i32) (local $ih i32) (local $iw i32) (local $pos i32) (local $bi i32)
    (local $xn i32) (local $o i32) (local $v f32) (local $best f32)
    (local $vv v128) (local $bv v128) (local $bvi v128) (local $tk v128) (local $np v128)
    ${LOAD_PARAMS}
    ;; $np: all ones where NaN propagates (NANI = 0)
    ${set('np', `(i32x4.splat (i32.sub (i32.const 0) (i32.eqz ${g('NANI')})))`)}
    ${loop('i', g('start'), g('end'), `${split(g('i'), 'OD', 'OH', 'OW', ['n', 'od', 'oh', 'ow'])}
      ${set('xn', add(g('x'), f4(mul(mul(mul(mul(g('n'), g('D')), g('H')), g('W')), g('C')))))}
      ${set('ch', c(0))}
      (block $vd (loop $vl
        (br_if $vd (i32.gt_u ${add(g('ch'), c(4))} ${g('C')}))
        ${set('bv', '(v128.const f32x4 -inf -inf -inf -inf)')} ${set('bvi', '(v128.const i32x4 -1 -1 -1 -1)')}
        ${walk(tap4)}
        ${set('o', add(mul(g('i'), g('C')), g('ch')))}
        (if ${g('y')} (then (v128.store ${add(g('y'), f4(g('o')))} ${g('bv')})))
        (v128.store ${add(g('idx'), f4(g('o')))} (v128.bitselect (i32x4.add ${g('bvi')} (i32x4.splat ${mul(g('n'), g('base'))}))
          (v128.const i32x4 -1 -1 -1 -1) (i32x4.ge_s ${g('bvi')} (v128.const i32x4 0 0 0 0))))
        ${set('ch', add(g('ch'), c(4)))}
        (br $vl)))
      ${loop('ch', g('ch'), g('C'), `${set('best', '(f32.const -inf)')} ${set('bi', c(-1))}
        ${walk(tap1)}
        ${set('o', add(mul(g('i'), g('C')), g('ch')))}
        (if ${g('y')} (then (f32.store ${add(g('y'), f4(g('o')))} ${g('best')})))
        (i32.store ${add(g('idx'), f4(g('o')))} (select ${add(g('bi'), mul(g('n'), g('base')))} ${c(-1)} (i32.ge_s ${g('bi')} ${c(0)})))`)}`)}
  )`;
}

function scatter(): string {
  return `(func (export "scatter") (param $dy i32) (param $idx i32) (param $dx i32) (param $nIn i32) (param $nOut i32) (param $start i32) (param $end i32)
    (local $n i32) (local $j i32) (local $k i32) (local $p i32) (local $q i32) (local $a i32)
    ${loop('n', g('start'), g('end'), `${set('p', add(g('dx'), f4(mul(g('n'), g('nIn')))))}
      (memory.fill ${g('p')} ${c(0)} ${f4(g('nIn'))})
      ${set('q', mul(g('n'), g('nOut')))}
      ${loop('j', c(0), g('nOut'), `${set('k', `(i32.load ${add(g('idx'), f4(add(g('q'), g('j'))))})`)}
        (if (i32.ge_s ${g('k')} ${c(0)}) (then
          ${set('a', add(g('p'), f4(g('k'))))}
          (f32.store ${g('a')} (f32.add (f32.load ${g('a')}) (f32.load ${add(g('dy'), f4(add(g('q'), g('j'))))})))))`)}`)}
  )`;
}

/** Windows holding input coordinate `x` along an axis: [lo, hi] of outputs. */
function windows(lo: string, hi: string, x: string, P: string, K: string, S: string, O: string): string {
  const first = sub(add(x, g(P)), sub(g(K), c(1)));
  return `${set('t', first)}
      ${set(lo, `(if (result i32) (i32.le_s ${g('t')} ${c(0)}) (then ${c(0)}) (else (i32.div_u ${add(g('t'), sub(g(S), c(1)))} ${g(S)})))`)}
      ${set(hi, min(sub(g(O), c(1)), `(i32.div_u ${add(x, g(P))} ${g(S)})`))}`;
}

/** The divisor's factor along one axis for the window starting at s (CIP: clipped to the padded input). */
function axisCount(s: string, n: string, k: string, pe: string): string {
  return `(select ${sub(min(add(s, k), add(n, pe)), s)} ${sub(min(add(s, k), n), max(s, c(0)))} ${g('CIP')})`;
}

function avgGrad(): string {
  const s = (o: string, S: string, P: string) => sub(mul(g(o), g(S)), g(P));
  const body = `${split(g('i'), 'D', 'H', 'W', ['n', 'd', 'h', 'w'])}
      ${set('p', add(g('dx'), f4(mul(g('i'), g('C')))))}
      (memory.fill ${g('p')} ${c(0)} ${f4(g('C'))})
      ${windows('od0', 'od1', g('d'), 'PF', 'KD', 'SD', 'OD')}
      ${windows('oh0', 'oh1', g('h'), 'PT', 'KH', 'SH', 'OH')}
      ${windows('ow0', 'ow1', g('w'), 'PL', 'KW', 'SW', 'OW')}
      ${loop('od', g('od0'), add(g('od1'), c(1)), `${loop('oh', g('oh0'), add(g('oh1'), c(1)), `${loop('ow', g('ow0'), add(g('ow1'), c(1)), `
        ${set('rcp', `(f32.div (f32.const 1) (f32.convert_i32_s ${mul(mul(axisCount(s('od', 'SD', 'PF'), g('D'), g('KD'), g('PK')), axisCount(s('oh', 'SH', 'PT'), g('H'), g('KH'), g('PB'))), axisCount(s('ow', 'SW', 'PL'), g('W'), g('KW'), g('PR')))}))`)}
        ${set('rv', `(f32x4.splat ${g('rcp')})`)}
        ${set('q', add(g('dy'), f4(mul(add(mul(add(mul(add(mul(g('n'), g('OD')), g('od')), g('OH')), g('oh')), g('OW')), g('ow')), g('C')))))}
        ${set('a', g('p'))} ${set('k', g('C'))}
        (block $vd (loop $vl
          (br_if $vd (i32.lt_u ${g('k')} ${c(4)}))
          (v128.store ${g('a')} (f32x4.add (v128.load ${g('a')}) (f32x4.mul (v128.load ${g('q')}) ${g('rv')})))
          ${set('a', add(g('a'), c(16)))} ${set('q', add(g('q'), c(16)))} ${set('k', sub(g('k'), c(4)))}
          (br $vl)))
        (block $sd (loop $sl
          (br_if $sd (i32.eqz ${g('k')}))
          (f32.store ${g('a')} (f32.add (f32.load ${g('a')}) (f32.mul (f32.load ${g('q')}) ${g('rcp')})))
          ${set('a', add(g('a'), c(4)))} ${set('q', add(g('q'), c(4)))} ${set('k', sub(g('k'), c(1)))}
          (br $sl)))`)}`)}`)}`;
  return `(func (export "avg_grad") (param $dy i32) (param $dx i32) (param $prm i32) (param $start i32) (param $end i32)
    ${PARAM_LOCALS} (local $i i32) (local $r i32) (local $t i32) (local $n i32) (local $d i32) (local $h i32) (local $w i32)
    (local $od0 i32) (local $od1 i32) (local $oh0 i32) (local $oh1 i32) (local $ow0 i32) (local $ow1 i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $p i32) (local $q i32) (local $a i32) (local $k i32) (local $rcp f32) (local $rv v128)
    ${LOAD_PARAMS}
    ${loop('i', g('start'), g('end'), body)}
  )`;
}

export const poolGradFamily: WatFamily = {
  name: 'pool-grad',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    labels = 0;
    return `(module\n${memoryImport(v)}\n${argmax()}\n${scatter()}\n${avgGrad()}\n)`;
  },
};
