/**
 * The `rotary` family: RotaryEmbedding (rotary position embedding).
 *
 * `rotary_rows(params, start, end)`: `params` points at an i32 block (layout in ROPE_PARAMS). Work
 * item r in [start, end) is one head row (b, s, h) of D elements (r = (b·S + s)·H + h), read from
 * x and written to y in the input's layout (4-D [B, H, S, D] or 3-D [B, S, H·D]). The row's cos/sin
 * rows (half = rd/2 values each) are those of position position_ids[b, s] (int64; a position outside
 * the caches gives a NaN row) or, without position ids, of row (b, s) of [B, S, half] caches. Then
 *   halves (interleaved = 0): y[i] = c·x[i] − s·x[i+half], y[i+half] = s·x[i] + c·x[i+half]
 *   pairs (interleaved = 1):  y[2i] = c·x[2i] − s·x[2i+1], y[2i+1] = s·x[2i] + c·x[2i+1]
 * for i < half, 4 lanes at a time (pairs deinterleaved and re-interleaved by shuffles) with one-lane
 * tails; elements from rd to D are copied. Rows are independent: any thread split is bit-identical.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export const ROPE_PARAMS = { X: 0, Y: 1, COS: 2, SIN: 3, PID: 4, H: 5, S: 6, D: 7, RD: 8, INTERLEAVED: 9, THREE: 10, MAXPOS: 11 } as const;
export const ROPE_PARAM_WORDS = 12;

const sh = (a: string, b: string, lanes: number[]) => `(i8x16.shuffle ${lanes.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]).join(' ')} ${a} ${b})`;

function fn(): string {
  const g = (n: string) => `(local.get $${n})`;
  const set = (n: string, e: string) => `(local.set $${n} ${e})`;
  const add = (...e: string[]) => e.reduce((a, b) => `(i32.add ${a} ${b})`);
  const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
  const x4 = (e: string) => `(i32.shl ${e} (i32.const 2))`;
  const fields = Object.entries(ROPE_PARAMS);
  const loads = fields.map(([n, i]) => set(n.toLowerCase(), `(i32.load offset=${4 * i} ${g('p')})`)).join('\n    ');
  const locals = fields.map(([n]) => `(local $${n.toLowerCase()} i32)`).join(' ');
  /** Loop $i over [0, n) by 4 while 4 remain, then by 1: body(wide). */
  const lanes = (n: string, lbl: string, body: (wide: boolean) => string) => `${set('i', '(i32.const 0)')}
      (block $${lbl}a (loop $${lbl}b
        (br_if $${lbl}a (i32.gt_s (i32.add ${g('i')} (i32.const 4)) ${n}))
        ${body(true)}
        ${set('i', '(i32.add (local.get $i) (i32.const 4))')}
        (br $${lbl}b)))
      (block $${lbl}c (loop $${lbl}d
        (br_if $${lbl}c (i32.ge_s ${g('i')} ${n}))
        ${body(false)}
        ${set('i', '(i32.add (local.get $i) (i32.const 1))')}
        (br $${lbl}d)))`;
  const ld = (wide: boolean, a: string) => (wide ? `(v128.load ${a})` : `(v128.load32_zero ${a})`);
  const st = (wide: boolean, a: string, e: string) => (wide ? `(v128.store ${a} ${e})` : `(v128.store32_lane 0 ${a} ${e})`);
  const rot = `${set('re', `(f32x4.sub (f32x4.mul ${g('c')} ${g('x1')}) (f32x4.mul ${g('sn')} ${g('x2')}))`)}
        ${set('im', `(f32x4.add (f32x4.mul ${g('sn')} ${g('x1')}) (f32x4.mul ${g('c')} ${g('x2')}))`)}`;
  const cs = (wide: boolean) => `${set('c', ld(wide, add(g('cp'), x4(g('i')))))} ${set('sn', ld(wide, add(g('sp'), x4(g('i')))))}`;
  const halves = (wide: boolean) => `${cs(wide)}
        ${set('x1', ld(wide, add(g('xp'), x4(g('i')))))}
        ${set('x2', ld(wide, add(g('xp'), x4(add(g('i'), g('half'))))))}
        ${rot}
        ${st(wide, add(g('yp'), x4(g('i'))), g('re'))}
        ${st(wide, add(g('yp'), x4(add(g('i'), g('half')))), g('im'))}`;
  const pairs = (wide: boolean) =>
    wide
      ? `${cs(true)}
        ${set('v0', `(v128.load ${add(g('xp'), `(i32.shl ${g('i')} (i32.const 3))`)})`)}
        ${set('v1', `(v128.load offset=16 ${add(g('xp'), `(i32.shl ${g('i')} (i32.const 3))`)})`)}
        ${set('x1', sh(g('v0'), g('v1'), [0, 2, 4, 6]))}
        ${set('x2', sh(g('v0'), g('v1'), [1, 3, 5, 7]))}
        ${rot}
        (v128.store ${add(g('yp'), `(i32.shl ${g('i')} (i32.const 3))`)} ${sh(g('re'), g('im'), [0, 4, 1, 5])})
        (v128.store offset=16 ${add(g('yp'), `(i32.shl ${g('i')} (i32.const 3))`)} ${sh(g('re'), g('im'), [2, 6, 3, 7])})`
      : `${cs(false)}
        ${set('x1', `(v128.load32_zero ${add(g('xp'), `(i32.shl ${g('i')} (i32.const 3))`)})`)}
        ${set('x2', `(v128.load32_zero offset=4 ${add(g('xp'), `(i32.shl ${g('i')} (i32.const 3))`)})`)}
        ${rot}
        (v128.store32_lane 0 ${add(g('yp'), `(i32.shl ${g('i')} (i32.const 3))`)} ${g('re')})
        (v128.store32_lane offset=4 0 ${add(g('yp'), `(i32.shl ${g('i')} (i32.const 3))`)} ${g('im')})`;
  return `(func (export "rotary_rows") (param $p i32) (param $start i32) (param $end i32)
    ${locals}
    (local $r i32) (local $bi i32) (local $si i32) (local $hi i32) (local $t i32) (local $half i32) (local $pos i64) (local $i i32)
    (local $xp i32) (local $yp i32) (local $cp i32) (local $sp i32) (local $badrow i32)
    (local $c v128) (local $sn v128) (local $x1 v128) (local $x2 v128) (local $re v128) (local $im v128) (local $v0 v128) (local $v1 v128)
    ${loads}
    ${set('half', `(i32.shr_u ${g('rd')} (i32.const 1))`)}
    ${set('r', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
      ${set('t', `(i32.div_u ${g('r')} ${g('h')})`)}
      ${set('hi', `(i32.sub ${g('r')} ${mul(g('t'), g('h'))})`)}
      ${set('bi', `(i32.div_u ${g('t')} ${g('s')})`)}
      ${set('si', `(i32.sub ${g('t')} ${mul(g('bi'), g('s'))})`)}
      ;; x and y rows: 4-D ((b·H + h)·S + s)·D, 3-D (b·S + s)·H·D + h·D = (t·H + h)·D
      ${set('xp', `(if (result i32) ${g('three')}
        (then ${mul(add(mul(g('t'), g('h')), g('hi')), g('d'))})
        (else ${mul(add(mul(add(mul(g('bi'), g('h')), g('hi')), g('s')), g('si')), g('d'))}))`)}
      ${set('yp', add(g('y'), x4(g('xp'))))}
      ${set('xp', add(g('x'), x4(g('xp'))))}
      ;; cache rows: position_ids[b, s] (range-checked) or row (b, s) = t
      ${set('badrow', '(i32.const 0)')}
      (if ${g('pid')}
        (then
          ${set('pos', `(i64.load ${add(g('pid'), `(i32.shl ${g('t')} (i32.const 3))`)})`)}
          (if (i32.or (i64.lt_s ${g('pos')} (i64.const 0)) (i64.ge_s ${g('pos')} (i64.extend_i32_u ${g('maxpos')})))
            (then ${set('badrow', '(i32.const 1)')} ${set('pos', '(i64.const 0)')}))
          ${set('t', `(i32.wrap_i64 ${g('pos')})`)}))
      ${set('cp', add(g('cos'), x4(mul(g('t'), g('half')))))}
      ${set('sp', add(g('sin'), x4(mul(g('t'), g('half')))))}
      (if ${g('interleaved')}
        (then ${lanes(g('half'), 'pr', pairs)})
        (else ${lanes(g('half'), 'hv', halves)}))
      (if ${g('badrow')} (then
        ${lanes(g('rd'), 'nn', (wide) => st(wide, add(g('yp'), x4(g('i'))), '(v128.const f32x4 nan nan nan nan)'))}))
      ;; the unrotated tail
      ${set('xp', add(g('xp'), x4(g('rd'))))}
      ${set('yp', add(g('yp'), x4(g('rd'))))}
      ${lanes(`(i32.sub ${g('d')} ${g('rd')})`, 'cp', (wide) => st(wide, add(g('yp'), x4(g('i'))), ld(wide, add(g('xp'), x4(g('i'))))))}
      ${set('r', `(i32.add ${g('r')} (i32.const 1))`)}
      (br $rows)))
  )`;
}

export const rotaryFamily: WatFamily = {
  name: 'rotary',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module
  ${memoryImport(v)}
  ${fn()}
)`;
  },
};
