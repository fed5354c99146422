/**
 * The `resize-grad` family: the adjoint of the NHWC nearest/linear Resize (ops/resize-grad.ts).
 *
 * `grad_nhwc(dy, dx, H, W, C, OH, OW, yt, xt, start, end)`: input rows [start, end) of [N, H]; each
 * is zeroed, then for every output row oy whose tap i0 (weight 1 − wy) or i1 (weight wy) is this
 * row, dy's row oy is added in: per output column ox, dy[ox, :] · wy · wx into columns i0 (1 − wx)
 * and i1 (wx), 4 channels at a time (v128) and a scalar tail. Taps of weight 0 are skipped. yt / xt
 * are the forward's axis tables (i0, i1, w: each n words, back to back). A row is one thread's, so
 * the sums run in the same order on any number of threads.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const c = (v: number) => `(i32.const ${v})`;
const f4 = (p: string) => `(i32.shl ${p} ${c(2)})`;

/** dst[0..C) += src[0..C) · k ($k f32, $kv its splat), pointers in $a (dst) and $q (src). */
const axpy = `${set('kv', `(f32x4.splat ${g('k')})`)} ${set('m', g('C'))}
            (block $vd (loop $vl
              (br_if $vd (i32.lt_u ${g('m')} ${c(4)}))
              (v128.store ${g('a')} (f32x4.add (v128.load ${g('a')}) (f32x4.mul (v128.load ${g('q')}) ${g('kv')})))
              ${set('a', add(g('a'), c(16)))} ${set('q', add(g('q'), c(16)))} ${set('m', sub(g('m'), c(4)))}
              (br $vl)))
            (block $sd (loop $sl
              (br_if $sd (i32.eqz ${g('m')}))
              (f32.store ${g('a')} (f32.add (f32.load ${g('a')}) (f32.mul (f32.load ${g('q')}) ${g('k')})))
              ${set('a', add(g('a'), c(4)))} ${set('q', add(g('q'), c(4)))} ${set('m', sub(g('m'), c(1)))}
              (br $sl)))`;

/** Add dy row `oy` (pointer $dr) with row weight $wy into the dx row at $row. */
const addRow = `${set('ox', c(0))}
        (block $xd (loop $xl
          (br_if $xd (i32.ge_u ${g('ox')} ${g('OW')}))
          ${set('wx', `(f32.load ${add(g('xt'), f4(add(mul(g('OW'), c(2)), g('ox'))))})`)}
          ;; column i0 with 1 − wx, column i1 with wx
          ${set('k', `(f32.mul ${g('wy')} (f32.sub (f32.const 1) ${g('wx')}))`)}
          (if (f32.ne ${g('k')} (f32.const 0)) (then
            ${set('a', add(g('row'), f4(mul(`(i32.load ${add(g('xt'), f4(g('ox')))})`, g('C')))))}
            ${set('q', add(g('dr'), f4(mul(g('ox'), g('C')))))}
            ${axpy}))
          ${set('k', `(f32.mul ${g('wy')} ${g('wx')})`)}
          (if (f32.ne ${g('k')} (f32.const 0)) (then
            ${set('a', add(g('row'), f4(mul(`(i32.load ${add(g('xt'), f4(add(g('OW'), g('ox'))))})`, g('C')))))}
            ${set('q', add(g('dr'), f4(mul(g('ox'), g('C')))))}
            ${axpy}))
          ${set('ox', add(g('ox'), c(1)))}
          (br $xl)))`;

function grad(): string {
  return `(func (export "grad_nhwc") (param $dy i32) (param $dx i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $yt i32) (param $xt i32) (param $start i32) (param $end i32)
    (local $i i32) (local $n i32) (local $iy i32) (local $oy i32) (local $ox i32) (local $row i32) (local $dr i32) (local $a i32) (local $q i32) (local $m i32)
    (local $wy f32) (local $wx f32) (local $w f32) (local $k f32) (local $kv v128)
    ${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('n', `(i32.div_u ${g('i')} ${g('H')})`)} ${set('iy', `(i32.rem_u ${g('i')} ${g('H')})`)}
      ${set('row', add(g('dx'), f4(mul(mul(g('i'), g('W')), g('C')))))}
      (memory.fill ${g('row')} ${c(0)} ${f4(mul(g('W'), g('C')))})
      ${set('oy', c(0))}
      (block $yd (loop $yl
        (br_if $yd (i32.ge_u ${g('oy')} ${g('OH')}))
        ${set('w', `(f32.load ${add(g('yt'), f4(add(mul(g('OH'), c(2)), g('oy'))))})`)}
        ${set('dr', add(g('dy'), f4(mul(mul(add(mul(g('n'), g('OH')), g('oy')), g('OW')), g('C')))))}
        (if (i32.eq (i32.load ${add(g('yt'), f4(g('oy')))}) ${g('iy')}) (then
          ${set('wy', `(f32.sub (f32.const 1) ${g('w')})`)}
          (if (f32.ne ${g('wy')} (f32.const 0)) (then ${addRow}))))
        (if (i32.eq (i32.load ${add(g('yt'), f4(add(g('OH'), g('oy'))))}) ${g('iy')}) (then
          ${set('wy', g('w'))}
          (if (f32.ne ${g('wy')} (f32.const 0)) (then ${addRow}))))
        ${set('oy', add(g('oy'), c(1)))}
        (br $yl)))
      ${set('i', add(g('i'), c(1)))}
      (br $rows)))
  )`;
}

export const resizeGradFamily: WatFamily = {
  name: 'resize-grad',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${grad()}\n)`;
  },
};
