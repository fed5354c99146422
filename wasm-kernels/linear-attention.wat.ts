/**
 * The `linear-attention` family: the recurrent (linear / gated / delta / gated-delta) attention of
 * ONNX LinearAttention, one state matrix S [Dk, Dv] per (batch, key/value head).
 *
 * `linear_attention(params, start, end)`: `params` points at an i32 block (layout in LA_PARAMS).
 * Work item r in [start, end) is (b = r / Hkv, kv head kh = r % Hkv); S lives in the present_state
 * output, initialised from past_state (or zeros). For t = 0 … T−1:
 *   gating:  row d of S *= e^(g[d])            (g per key dim, or one per head)
 *   delta:   u = β·(v − Sᵀ·(k ⊙ erase))        (erase optional; β per head or shared)
 *   else:    u = v
 *   write:   S += k ⊗ u
 *   read:    y_h = scale · Sᵀ·q_h for each query head h of the group (h = kh·group … + group − 1)
 * u is kept in the first query head's output row, which the read then overwrites. Inner loops run
 * 4 lanes of Dv at a time with a one-lane tail. Items are independent: any thread split gives
 * bit-identical results.
 */
import { ConstPool, MATH_LOCALS, expF32x4, type MathVariant } from './templates/math.wat.js';
import { madd, memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export const LA_PARAMS = {
  Q: 0, K: 1, V: 2, Y: 3, STATE: 4, PAST: 5,
  DECAY: 6, DECAY_PER_DIM: 7, BETA: 8, BETA_W: 9, ERASE: 10,
  LEN: 11, HQ: 12, HKV: 13, DK: 14, DV: 15, GROUP: 16, SCALE: 17,
} as const;
export const LA_PARAM_WORDS = 18;

const INT_FIELDS = Object.entries(LA_PARAMS).filter(([n]) => n !== 'SCALE');

function fn(w: WatVariant): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const g = (n: string) => `(local.get $${n})`;
  const set = (n: string, e: string) => `(local.set $${n} ${e})`;
  const add = (...e: string[]) => e.reduce((a, b) => `(i32.add ${a} ${b})`);
  const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
  const x4 = (e: string) => `(i32.shl ${e} (i32.const 2))`;
  /** for m over [0, Dv): `op(dst, src…)` on 4 lanes then on one; addresses are base + 4·m. */
  const overDv = (lbl: string, body: (ld: (p: string) => string, st: (p: string, e: string) => string, at: (p: string) => string) => string) => {
    const at = (p: string) => add(p, x4(g('m')));
    const wide = body((p) => `(v128.load ${at(p)})`, (p, e) => `(v128.store ${at(p)} ${e})`, at);
    const one = body((p) => `(v128.load32_zero ${at(p)})`, (p, e) => `(v128.store32_lane 0 ${at(p)} ${e})`, at);
    return `(local.set $m (i32.const 0))
        (block $${lbl}a (loop $${lbl}b
          (br_if $${lbl}a (i32.gt_s (i32.add ${g('m')} (i32.const 4)) ${g('dv')}))
          ${wide}
          (local.set $m (i32.add ${g('m')} (i32.const 4)))
          (br $${lbl}b)))
        (block $${lbl}c (loop $${lbl}e
          (br_if $${lbl}c (i32.ge_s ${g('m')} ${g('dv')}))
          ${one}
          (local.set $m (i32.add ${g('m')} (i32.const 1)))
          (br $${lbl}e)))`;
  };
  /** for d over [0, Dk) with $srow = row d of S. */
  const overDk = (lbl: string, body: string) => `(local.set $d (i32.const 0))
      (block $${lbl}x (loop $${lbl}y
        (br_if $${lbl}x (i32.ge_s ${g('d')} ${g('dk')}))
        ${set('srow', add(g('st'), x4(mul(g('d'), g('dv')))))}
        ${body}
        (local.set $d (i32.add ${g('d')} (i32.const 1)))
        (br $${lbl}y)))`;
  const fAt = (base: string, i: string) => `(f32.load ${add(base, x4(i))})`;
  const loads = INT_FIELDS.map(([n, i]) => set(n.toLowerCase(), `(i32.load offset=${4 * i} ${g('p')})`)).join('\n    ');
  const intLocals = INT_FIELDS.map(([n]) => `(local $${n.toLowerCase()} i32)`).join(' ');
  const body = `${loads}
    ${set('scale', `(f32.load offset=${4 * LA_PARAMS.SCALE} ${g('p')})`)}
    ${set('sv', `(f32x4.splat ${g('scale')})`)}
    ${set('r', g('start'))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
      ${set('b', `(i32.div_u ${g('r')} ${g('hkv')})`)}
      ${set('kh', `(i32.sub ${g('r')} ${mul(g('b'), g('hkv'))})`)}
      ${set('st', add(g('state'), x4(mul(g('r'), mul(g('dk'), g('dv'))))))}
      ;; S = past_state or 0
      ${overDk('init', overDv('i0', (ld, st) => st(g('srow'), `(if (result v128) ${g('past')} (then ${ld(add(g('past'), `(i32.sub ${g('srow')} ${g('state')})`))}) (else (v128.const i32x4 0 0 0 0)))`)))}
      ${set('t', '(i32.const 0)')}
      (block $tdone (loop $steps
        (br_if $tdone (i32.ge_s ${g('t')} ${g('len')}))
        ${set('bt', add(mul(g('b'), g('len')), g('t')))}
        ${set('kp', add(g('k'), x4(add(mul(g('bt'), mul(g('hkv'), g('dk'))), mul(g('kh'), g('dk'))))))}
        ${set('vp', add(g('v'), x4(add(mul(g('bt'), mul(g('hkv'), g('dv'))), mul(g('kh'), g('dv'))))))}
        ${set('h0', mul(g('kh'), g('group')))}
        ${set('up', add(g('y'), x4(add(mul(g('bt'), mul(g('hq'), g('dv'))), mul(g('h0'), g('dv'))))))}
        ;; gating: S row d *= e^g
        (if ${g('decay')} (then
          ${overDk('gate', `${set('e', `(f32x4.splat (f32x4.extract_lane 0 ${expF32x4(v, `(f32x4.splat (if (result f32) ${g('decay_per_dim')}
              (then ${fAt(g('decay'), add(mul(g('bt'), mul(g('hkv'), g('dk'))), mul(g('kh'), g('dk')), g('d')))})
              (else ${fAt(g('decay'), add(mul(g('bt'), g('hkv')), g('kh')))})))`)}))`)}
            ${overDv('g1', (ld, st) => st(g('srow'), `(f32x4.mul ${ld(g('srow'))} ${g('e')})`))}`)}))
        ;; u = beta·(v − Sᵀ(k ⊙ erase)) or v, into the first query head's output row
        (if ${g('beta')}
          (then
            ${overDv('u0', (_ld, st) => st(g('up'), '(v128.const i32x4 0 0 0 0)'))}
            ${overDk('ret', `${set('e', `(f32x4.splat (f32.mul ${fAt(g('kp'), g('d'))} (if (result f32) ${g('erase')} (then ${fAt(g('erase'), add(mul(g('bt'), mul(g('hkv'), g('dk'))), mul(g('kh'), g('dk')), g('d')))}) (else (f32.const 1)))))`)}
            ${overDv('u1', (ld, st) => st(g('up'), madd(v, g('e'), ld(g('srow')), ld(g('up')))))}`)}
            ${set('e', `(f32x4.splat ${fAt(g('beta'), add(mul(g('bt'), g('beta_w')), `(select (i32.const 0) ${g('kh')} (i32.eq ${g('beta_w')} (i32.const 1)))`))})`)}
            ${overDv('u2', (ld, st) => st(g('up'), `(f32x4.mul ${g('e')} (f32x4.sub ${ld(g('vp'))} ${ld(g('up'))}))`))})
          (else ${overDv('u3', (ld, st) => st(g('up'), ld(g('vp'))))}))
        ;; write: S += k ⊗ u
        ${overDk('wr', `${set('e', `(f32x4.splat ${fAt(g('kp'), g('d'))})`)}
          ${overDv('w1', (ld, st) => st(g('srow'), madd(v, g('e'), ld(g('up')), ld(g('srow')))))}`)}
        ;; read: y_h = scale·Sᵀq_h, last head of the group first so the u row is read before it is overwritten
        ${set('h', add(g('h0'), g('group')))}
        (block $hdone (loop $heads
          (br_if $hdone (i32.le_s ${g('h')} ${g('h0')}))
          ${set('h', `(i32.sub ${g('h')} (i32.const 1))`)}
          ${set('qp', add(g('q'), x4(add(mul(g('bt'), mul(g('hq'), g('dk'))), mul(g('h'), g('dk'))))))}
          ${set('yp', add(g('y'), x4(add(mul(g('bt'), mul(g('hq'), g('dv'))), mul(g('h'), g('dv'))))))}
          ${overDv('r0', (_ld, st) => st(g('yp'), '(v128.const i32x4 0 0 0 0)'))}
          ${overDk('rd', `${set('e', `(f32x4.splat ${fAt(g('qp'), g('d'))})`)}
            ${overDv('r1', (ld, st) => st(g('yp'), madd(v, g('e'), ld(g('srow')), ld(g('yp')))))}`)}
          ${overDv('r2', (ld, st) => st(g('yp'), `(f32x4.mul ${ld(g('yp'))} ${g('sv')})`))}
          (br $heads)))
        ${set('t', `(i32.add ${g('t')} (i32.const 1))`)}
        (br $steps)))
      ${set('r', `(i32.add ${g('r')} (i32.const 1))`)}
      (br $items)))`;
  return `(func (export "linear_attention") (param $p i32) (param $start i32) (param $end i32)
    ${intLocals}
    (local $scale f32) (local $r i32) (local $b i32) (local $kh i32) (local $t i32) (local $bt i32) (local $h i32) (local $h0 i32)
    (local $st i32) (local $srow i32) (local $kp i32) (local $vp i32) (local $qp i32) (local $yp i32) (local $up i32) (local $d i32) (local $m i32)
    (local $e v128) (local $sv v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${body})`;
}

export const linearAttentionFamily: WatFamily = {
  name: 'linear-attention',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module
  ${memoryImport(v)}
  ${fn(v)}
)`;
  },
};
