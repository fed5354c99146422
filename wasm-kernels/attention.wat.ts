/**
 * The `attention` family: scaled dot-product attention, fused per query row.
 *
 * `attention_rows(params, start, end)`: `params` points at an i32 block (layout in ATTN_PARAMS,
 * written by the launcher) holding pointers, sizes, element strides and two f32 scalars. Work item r
 * in [start, end) is one query row (b, h, i) of the [B, Hq, Sq] rows. Keys go in blocks of 4 (then
 * one at a time for the tail); per block:
 *
 *   s = (q · k_j) · scale                      4 dot products at once (SIMD over Dk, one-lane tail),
 *                                              reduced to one vector of 4 scores by a transpose-add
 *   s = softcap · tanh(s / softcap)            (softcap > 0)
 *   s = -inf where j ≥ jmax (causal frontier, nonpad length), j ≥ the mask's width, or a bool mask is
 *       false; s + mask[j] for a float mask
 *
 * and an online softmax (running max m, running sum l, the output row itself as accumulator): a
 * block whose max raises m rescales l and the row by e^(m_old − m_new) (one exp per block), then
 * p = e^(s − m) for the 4 keys in one vector exp, l += Σp, y += Σ p_j · v_j (4 multiply-adds per
 * output vector, one load/store of y per block). At the end y /= l. Keys at -inf contribute 0, so a
 * row with every key masked has l = 0 and stays 0 (the ONNX rule for fully masked rows); a NaN or
 * +Inf score makes the row NaN (as numpy's softmax). Rows are independent, so any thread split gives
 * bit-identical results.
 *
 * With a qk output (pointer ≠ 0), row r of the [B·Hq·Sq, Skv] matrix receives, per `mode`: 0 the
 * scaled scores, 1 after softcap, 2 after the mask, 3 the softmax probabilities (written as mode-2
 * scores during the pass, then turned into e^(s − m)/l in place; 0 for fully masked rows).
 */
import { ConstPool, MATH_LOCALS, expNonPosF32x4, k, tanhF32x4, type MathVariant } from './templates/math.wat.js';
import { madd, memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Word index of each field of the params block (i32, except SCALE and SOFTCAP: f32). */
export const ATTN_PARAMS = {
  Q: 0, K: 1, V: 2, Y: 3,
  MASK: 4, MASK_KIND: 5, MS_B: 6, MS_H: 7, MS_S: 8, MASK_W: 9,
  NONPAD: 10, QK: 11, MODE: 12,
  HQ: 13, SQ: 14, SKV: 15, DK: 16, DV: 17, GROUP: 18,
  QS_B: 19, QS_H: 20, QS_S: 21, KS_B: 22, KS_H: 23, KS_S: 24, VS_B: 25, VS_H: 26, VS_S: 27, YS_B: 28, YS_H: 29, YS_S: 30,
  CAUSAL: 31, CAUSAL_OFFSET: 32, SCALE: 33, SOFTCAP: 34,
} as const;
export const ATTN_PARAM_WORDS = 35;

const INT_FIELDS = Object.entries(ATTN_PARAMS).filter(([n]) => n !== 'SCALE' && n !== 'SOFTCAP');

function rowsFn(w: WatVariant): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const g = (n: string) => `(local.get $${n})`;
  const set = (n: string, e: string) => `(local.set $${n} ${e})`;
  const add = (...e: string[]) => e.reduce((a, b) => `(i32.add ${a} ${b})`);
  const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
  const x4 = (e: string) => `(i32.shl ${e} (i32.const 2))`;
  const lane0 = (e: string) => `(f32x4.extract_lane 0 ${e})`;
  const expS = (d: string) => lane0(expNonPosF32x4(v, `(f32x4.splat ${d})`));
  const hsum = (e: string) => `(f32x4.add (local.tee $h4 (f32x4.add ${e} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})))
      (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $h4) (local.get $h4)))`;
  /** Loop $d over [0, n): `body4(ptrOffsetBytes)` on 4 lanes while 4 remain, `body1` on one lane after. */
  const lanes = (n: string, lbl: string, body4: string, body1: string) => `(local.set $d (i32.const 0))
      (block $${lbl}a (loop $${lbl}b
        (br_if $${lbl}a (i32.gt_s (i32.add ${g('d')} (i32.const 4)) ${n}))
        ${body4}
        (local.set $d (i32.add ${g('d')} (i32.const 4)))
        (br $${lbl}b)))
      (block $${lbl}c (loop $${lbl}e
        (br_if $${lbl}c (i32.ge_s ${g('d')} ${n}))
        ${body1}
        (local.set $d (i32.add ${g('d')} (i32.const 1)))
        (br $${lbl}e)))`;
  const at = (base: string) => add(base, x4(g('d')));
  const scaleRow = (f: string) =>
    lanes(g('dv'), 'sc', `(v128.store ${at(g('yp'))} (f32x4.mul (v128.load ${at(g('yp'))}) ${f}))`, `(v128.store32_lane 0 ${at(g('yp'))} (f32x4.mul (v128.load32_zero ${at(g('yp'))}) ${f}))`);
  const loads = INT_FIELDS.map(([n, i]) => set(n.toLowerCase(), `(i32.load offset=${4 * i} ${g('p')})`)).join('\n    ');
  const intLocals = INT_FIELDS.map(([n]) => `(local $${n.toLowerCase()} i32)`).join(' ');
  /** One block of nb (4 or 1) keys from $j: scores, mask, online softmax update; advances $j by nb. */
  const keyBlock = (nb: 4 | 1): string => {
    const L = [0, 1, 2, 3].slice(0, nb);
    const kpt = (l: number) => `$kp${l}`;
    const dotWide = L.map((l) => set(`acc${l}`, madd(v, g('qv'), `(v128.load ${at(g(kpt(l).slice(1)))})`, g(`acc${l}`)))).join(' ');
    const dotOne = L.map((l) => set(`acc${l}`, madd(v, g('qv'), `(v128.load32_zero ${at(g(kpt(l).slice(1)))})`, g(`acc${l}`)))).join(' ');
    const sh = (a: string, b: string, lanesSel: number[]) => `(i8x16.shuffle ${lanesSel.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]).join(' ')} ${a} ${b})`;
    const reduce = nb === 4
      ? `${set('ta', `(f32x4.add ${sh(g('acc0'), g('acc1'), [0, 1, 4, 5])} ${sh(g('acc0'), g('acc1'), [2, 3, 6, 7])})`)}
        ${set('tb', `(f32x4.add ${sh(g('acc2'), g('acc3'), [0, 1, 4, 5])} ${sh(g('acc2'), g('acc3'), [2, 3, 6, 7])})`)}
        ${set('s4', `(f32x4.add ${sh(g('ta'), g('tb'), [0, 2, 4, 6])} ${sh(g('ta'), g('tb'), [1, 3, 5, 7])})`)}`
      : set('s4', `(f32x4.replace_lane 0 ${k(v, -Infinity)} ${lane0(hsum(g('acc0')))})`);
    const qkStore4 = (modes: string) => `(if (i32.and (i32.ne ${g('qk')} (i32.const 0)) ${modes}) (then ${
      nb === 4 ? `(v128.store ${add(g('op'), x4(g('j')))} ${g('s4')})` : `(v128.store32_lane 0 ${add(g('op'), x4(g('j')))} ${g('s4')})`
    }))`;
    const laneMask = L.map((l) => `${set('jl', add(g('j'), `(i32.const ${l})`))}
        ${set('ok', `(i32.lt_s ${g('jl')} ${g('lim')})`)}
        (if (i32.and ${g('ok')} (i32.eq ${g('mask_kind')} (i32.const 2))) (then ${set('ok', `(i32.ne (i32.load8_u ${add(g('mp'), g('jl'))}) (i32.const 0))`)}))
        (if (i32.and ${g('ok')} (i32.eq ${g('mask_kind')} (i32.const 1))) (then ${set('add4', `(f32x4.replace_lane ${l} ${g('add4')} (f32.load ${add(g('mp'), x4(g('jl')))}))`)}))
        ${set('ok4', `(i32x4.replace_lane ${l} ${g('ok4')} (i32.sub (i32.const 0) ${g('ok')}))`)}`).join('\n        ');
    const axpyWide = L.map((l) => `(v128.load ${at(g(`vp${l}`))})`).reduce((acc, vl, l) => madd(v, g(`pv${l}`), vl, acc), `(v128.load ${at(g('yp'))})`);
    const axpyOne = L.map((l) => `(v128.load32_zero ${at(g(`vp${l}`))})`).reduce((acc, vl, l) => madd(v, g(`pv${l}`), vl, acc), `(v128.load32_zero ${at(g('yp'))})`);
    return `${L.map((l) => set(`kp${l}`, add(g('kb'), x4(mul(add(g('j'), `(i32.const ${l})`), g('ks_s')))))).join(' ')}
        ${L.map((l) => set(`acc${l}`, '(v128.const i32x4 0 0 0 0)')).join(' ')}
        ${lanes(g('dk'), `dot${nb}`, `${set('qv', `(v128.load ${at(g('qp'))})`)} ${dotWide}`, `${set('qv', `(v128.load32_zero ${at(g('qp'))})`)} ${dotOne}`)}
        ${reduce}
        ${set('s4', `(f32x4.mul ${g('s4')} (f32x4.splat ${g('scale')}))`)}
        ${qkStore4(`(i32.eqz ${g('mode')})`)}
        (if (f32.gt ${g('softcap')} (f32.const 0)) (then
          ${set('fv', `(f32x4.splat ${g('softcap')})`)}
          ${set('s4', `(f32x4.mul ${g('fv')} ${tanhF32x4(v, `(f32x4.div ${g('s4')} ${g('fv')})`)})`)}))
        ${qkStore4(`(i32.eq ${g('mode')} (i32.const 1))`)}
        ${set('ok4', '(v128.const i32x4 0 0 0 0)')}
        ${set('add4', '(v128.const i32x4 0 0 0 0)')}
        ${laneMask}
        ${set('s4', `(v128.bitselect (f32x4.add ${g('s4')} ${g('add4')}) ${k(v, -Infinity)} ${g('ok4')})`)}
        ${qkStore4(`(i32.ge_u ${g('mode')} (i32.const 2))`)}
        ;; online softmax over the block: NaN or +Inf anywhere makes the row NaN
        ${set('ta', `(f32x4.max ${g('s4')} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${g('s4')} ${g('s4')}))`)}
        ${set('m4', lane0(`(f32x4.max ${g('ta')} (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 ${g('ta')} ${g('ta')}))`))}
        (if (i32.or (f32.ne ${g('m4')} ${g('m4')}) (f32.eq ${g('m4')} (f32.const inf))) (then ${set('bad', '(i32.const 1)')}))
        (if (i32.and (i32.eqz ${g('bad')}) (f32.ne ${g('m4')} (f32.const -inf))) (then
          (if (f32.gt ${g('m4')} ${g('m')}) (then
            (if (f32.ne ${g('m')} (f32.const -inf)) (then
              ${set('c', expS(`(f32.sub ${g('m')} ${g('m4')})`))}
              ${set('l', `(f32.mul ${g('l')} ${g('c')})`)}
              ${set('fv', `(f32x4.splat ${g('c')})`)}
              ${scaleRow(g('fv'))}))
            ${set('m', g('m4'))}))
          ${set('p4', expNonPosF32x4(v, `(f32x4.sub ${g('s4')} (f32x4.splat ${g('m')}))`))}
          ${set('l', `(f32.add ${g('l')} ${lane0(hsum(g('p4')))})`)}
          ${L.map((l) => `${set(`pv${l}`, `(f32x4.splat (f32x4.extract_lane ${l} ${g('p4')}))`)} ${set(`vp${l}`, add(g('vb'), x4(mul(add(g('j'), `(i32.const ${l})`), g('vs_s')))))}`).join('\n          ')}
          ${lanes(g('dv'), `ax${nb}`, `(v128.store ${at(g('yp'))} ${axpyWide})`, `(v128.store32_lane 0 ${at(g('yp'))} ${axpyOne})`)}))
        ${set('j', add(g('j'), `(i32.const ${nb})`))}`;
  };
  const body = `${loads}
    ${set('scale', `(f32.load offset=${4 * ATTN_PARAMS.SCALE} ${g('p')})`)}
    ${set('softcap', `(f32.load offset=${4 * ATTN_PARAMS.SOFTCAP} ${g('p')})`)}
    ${set('hs', mul(g('hq'), g('sq')))}
    ${set('r', g('start'))}
    (block $done (loop $row
      (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
      ${set('b', `(i32.div_u ${g('r')} ${g('hs')})`)}
      ${set('t', `(i32.sub ${g('r')} ${mul(g('b'), g('hs'))})`)}
      ${set('h', `(i32.div_u ${g('t')} ${g('sq')})`)}
      ${set('i', `(i32.sub ${g('t')} ${mul(g('h'), g('sq'))})`)}
      ${set('kh', `(i32.div_u ${g('h')} ${g('group')})`)}
      ${set('qp', add(g('q'), x4(add(mul(g('b'), g('qs_b')), mul(g('h'), g('qs_h')), mul(g('i'), g('qs_s'))))))}
      ${set('kb', add(g('k'), x4(add(mul(g('b'), g('ks_b')), mul(g('kh'), g('ks_h'))))))}
      ${set('vb', add(g('v'), x4(add(mul(g('b'), g('vs_b')), mul(g('kh'), g('vs_h'))))))}
      ${set('yp', add(g('y'), x4(add(mul(g('b'), g('ys_b')), mul(g('h'), g('ys_h')), mul(g('i'), g('ys_s'))))))}
      ${set('mp', add(g('mask'), `(i32.shl ${add(mul(g('b'), g('ms_b')), mul(g('h'), g('ms_h')), mul(g('i'), g('ms_s')))} (select (i32.const 2) (i32.const 0) (i32.eq ${g('mask_kind')} (i32.const 1))))`))}
      ${set('op', add(g('qk'), x4(mul(g('r'), g('skv')))))}
      ;; keys j < jmax may be attended: the causal frontier (fixed offset, or nonpad[b] - Sq), the nonpad length
      ${set('jmax', g('skv'))}
      (if (i32.ne ${g('nonpad')} (i32.const 0)) (then
        ${set('t', `(i32.wrap_i64 (i64.load ${add(g('nonpad'), `(i32.shl ${g('b')} (i32.const 3))`)}))`)}
        (if (i32.lt_s ${g('t')} ${g('jmax')}) (then ${set('jmax', g('t'))}))))
      (if (i32.ne ${g('causal')} (i32.const 0)) (then
        ${set('t', add(g('i'), g('causal_offset'), '(i32.const 1)'))}
        (if (i32.eq ${g('causal')} (i32.const 2)) (then
          ${set('t', `(i32.sub (i32.add ${g('t')} (i32.wrap_i64 (i64.load ${add(g('nonpad'), `(i32.shl ${g('b')} (i32.const 3))`)}))) ${g('sq')})`)}))
        (if (i32.lt_s ${g('t')} ${g('jmax')}) (then ${set('jmax', g('t'))}))))
      ${lanes(g('dv'), 'z', `(v128.store ${at(g('yp'))} (v128.const i32x4 0 0 0 0))`, `(f32.store ${at(g('yp'))} (f32.const 0))`)}
      ${set('m', '(f32.const -inf)')}
      ${set('l', '(f32.const 0)')}
      ${set('bad', '(i32.const 0)')}
      ${set('lim', `(select ${g('jmax')} ${g('mask_w')} (i32.lt_s ${g('jmax')} ${g('mask_w')}))`)}
      ${set('j', '(i32.const 0)')}
      (block $k4done (loop $k4
        (br_if $k4done (i32.gt_s (i32.add ${g('j')} (i32.const 4)) ${g('skv')}))
        ${keyBlock(4)}
        (br $k4)))
      (block $k1done (loop $k1
        (br_if $k1done (i32.ge_s ${g('j')} ${g('skv')}))
        ${keyBlock(1)}
        (br $k1)))
      (if ${g('bad')}
        (then ${lanes(g('dv'), 'nan', `(v128.store ${at(g('yp'))} ${k(v, NaN)})`, `(f32.store ${at(g('yp'))} (f32.const nan))`)})
        (else (if (f32.ne ${g('l')} (f32.const 0)) (then
          ${set('fv', `(f32x4.splat (f32.div (f32.const 1) ${g('l')}))`)}
          ${scaleRow(g('fv'))}))))
      (if (i32.and (i32.ne ${g('qk')} (i32.const 0)) (i32.eq ${g('mode')} (i32.const 3))) (then
        ${set('j', '(i32.const 0)')}
        (block $pd (loop $pl
          (br_if $pd (i32.ge_s ${g('j')} ${g('skv')}))
          ${set('s', `(f32.load ${add(g('op'), x4(g('j')))})`)}
          (f32.store ${add(g('op'), x4(g('j')))}
            (if (result f32) ${g('bad')} (then (f32.const nan))
              (else (select (f32.const 0) (f32.div ${expS(`(f32.sub ${g('s')} ${g('m')})`)} ${g('l')})
                (i32.or (f32.eq ${g('s')} (f32.const -inf)) (f32.eq ${g('l')} (f32.const 0)))))))
          ${set('j', `(i32.add ${g('j')} (i32.const 1))`)}
          (br $pl)))))
      ${set('r', `(i32.add ${g('r')} (i32.const 1))`)}
      (br $row)))`;
  return `(func (export "attention_rows") (param $p i32) (param $start i32) (param $end i32)
    ${intLocals}
    (local $scale f32) (local $softcap f32)
    (local $r i32) (local $hs i32) (local $b i32) (local $h i32) (local $i i32) (local $kh i32) (local $t i32)
    (local $qp i32) (local $kb i32) (local $vb i32) (local $yp i32) (local $mp i32) (local $op i32)
    (local $j i32) (local $jmax i32) (local $d i32) (local $ok i32)
    (local $s f32) (local $m f32) (local $l f32) (local $c f32)
    (local $fv v128) (local $h4 v128)
    (local $bad i32) (local $lim i32) (local $jl i32) (local $m4 f32)
    (local $kp0 i32) (local $kp1 i32) (local $kp2 i32) (local $kp3 i32) (local $vp0 i32) (local $vp1 i32) (local $vp2 i32) (local $vp3 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $qv v128) (local $ta v128) (local $tb v128)
    (local $s4 v128) (local $ok4 v128) (local $add4 v128) (local $p4 v128) (local $pv0 v128) (local $pv1 v128) (local $pv2 v128) (local $pv3 v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${body})`;
}

export const attentionFamily: WatFamily = {
  name: 'attention',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module
  ${memoryImport(v)}
  ${rowsFn(v)}
)`;
  },
};
