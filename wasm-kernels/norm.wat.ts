/**
 * The `norm` family. Inputs are viewed as rows of n contiguous floats; each export takes
 * (start, end) over rows.
 *
 * `affine_rows(x, y, a, b, n, C, start, end)`: y = x·a[c] + b[c] with c = row mod C (BatchNormalization
 * NCHW; a, b folded from scale/B/mean/var by the launcher).
 * `affine_cols(x, y, a, b, n, start, end)`: y[j] = x[j]·a[j] + b[j] (BatchNormalization NHWC, n = C).
 * `norm_channel(x, y, s, b, n, C, eps, start, end)`: InstanceNormalization, per row: mean, then the
 * population variance of x − mean (two passes, no cancellation), y = (x − mean)·(s[c]·rstd) + b[c].
 * `norm_element(x, y, s, b, n, eps, start, end)`: LayerNormalization, y[j] = (x[j] − mean)·rstd·s[j] + b[j].
 * Sums run in 4 lanes (plus a scalar tail), reduced once per row, so results do not depend on threads.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const shl2 = (a: string) => `(i32.shl ${a} (i32.const 2))`;
const ZERO = '(v128.const i32x4 0 0 0 0)';

/** Walk row pointers $p (x) / $q (y) / $j (element index) over n elements: a 4-wide body, then a 1-wide tail. */
function walk(label: string, wide: string, narrow: string): string {
  return `${set('p', g('px'))} ${set('q', g('py'))} ${set('j', '(i32.const 0)')}
      (block $${label}d (loop $${label}l
        (br_if $${label}d (i32.gt_u ${add(g('j'), '(i32.const 4)')} ${g('n')}))
        ${wide}
        ${set('p', add(g('p'), '(i32.const 16)'))} ${set('q', add(g('q'), '(i32.const 16)'))} ${set('j', add(g('j'), '(i32.const 4)'))}
        (br $${label}l)))
      (block $${label}td (loop $${label}tl
        (br_if $${label}td (i32.ge_u ${g('j')} ${g('n')}))
        ${narrow}
        ${set('p', add(g('p'), '(i32.const 4)'))} ${set('q', add(g('q'), '(i32.const 4)'))} ${set('j', add(g('j'), '(i32.const 1)'))}
        (br $${label}tl)))`;
}

const hsum = (v: string) => `(f32.add (f32.add (f32x4.extract_lane 0 ${v}) (f32x4.extract_lane 1 ${v})) (f32.add (f32x4.extract_lane 2 ${v}) (f32x4.extract_lane 3 ${v})))`;

/** A row loop: sets $px/$py to the row's start, runs `body`. */
function rowLoop(body: string): string {
  return `${set('r', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
      ${set('px', add(g('x'), shl2(`(i32.mul ${g('r')} ${g('n')})`)))}
      ${set('py', add(g('y'), shl2(`(i32.mul ${g('r')} ${g('n')})`)))}
      ${body}
      ${set('r', add(g('r'), '(i32.const 1)'))}
      (br $rows)))`;
}

const LOCALS = `(local $r i32) (local $px i32) (local $py i32) (local $p i32) (local $q i32) (local $j i32)
    (local $va v128) (local $vb v128) (local $acc v128) (local $sa f32) (local $sb f32) (local $mean f32) (local $rstd f32) (local $vm v128)`;

function affineRows(): string {
  const body = `${set('va', `(v128.load32_splat ${add(g('a'), shl2(`(i32.rem_u ${g('r')} ${g('C')})`))})`)}
      ${set('vb', `(v128.load32_splat ${add(g('b'), shl2(`(i32.rem_u ${g('r')} ${g('C')})`))})`)}
      ${walk('w', `(v128.store ${g('q')} (f32x4.add (f32x4.mul (v128.load ${g('p')}) ${g('va')}) ${g('vb')}))`, `(v128.store32_lane 0 ${g('q')} (f32x4.add (f32x4.mul (v128.load32_zero ${g('p')}) ${g('va')}) ${g('vb')}))`)}`;
  return `(func (export "affine_rows") (param $x i32) (param $y i32) (param $a i32) (param $b i32) (param $n i32) (param $C i32) (param $start i32) (param $end i32)
    ${LOCALS}
    ${rowLoop(body)})`;
}

function affineCols(): string {
  const el = (ld: string, off: string) => `(${ld} ${add(g(off), shl2(g('j')))})`;
  const body = walk(
    'w',
    `(v128.store ${g('q')} (f32x4.add (f32x4.mul (v128.load ${g('p')}) ${el('v128.load', 'a')}) ${el('v128.load', 'b')}))`,
    `(v128.store32_lane 0 ${g('q')} (f32x4.add (f32x4.mul (v128.load32_zero ${g('p')}) ${el('v128.load32_zero', 'a')}) ${el('v128.load32_zero', 'b')}))`,
  );
  return `(func (export "affine_cols") (param $x i32) (param $y i32) (param $a i32) (param $b i32) (param $n i32) (param $start i32) (param $end i32)
    ${LOCALS}
    ${rowLoop(body)})`;
}

/** mean and rstd of the row at $px (two passes). */
const STATS = `${set('acc', ZERO)} ${set('sa', '(f32.const 0)')}
      ${walk('m', set('acc', `(f32x4.add ${g('acc')} (v128.load ${g('p')}))`), set('sa', `(f32.add ${g('sa')} (f32.load ${g('p')}))`))}
      ${set('mean', `(f32.div (f32.add ${hsum(g('acc'))} ${g('sa')}) (f32.convert_i32_u ${g('n')}))`)}
      ${set('vm', `(f32x4.splat ${g('mean')})`)}
      ${set('acc', ZERO)} ${set('sa', '(f32.const 0)')}
      ${walk('v', `${set('va', `(f32x4.sub (v128.load ${g('p')}) ${g('vm')})`)} ${set('acc', `(f32x4.add ${g('acc')} (f32x4.mul ${g('va')} ${g('va')}))`)}`, `${set('sb', `(f32.sub (f32.load ${g('p')}) ${g('mean')})`)} ${set('sa', `(f32.add ${g('sa')} (f32.mul ${g('sb')} ${g('sb')}))`)}`)}
      ${set('rstd', `(f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (f32.add ${hsum(g('acc'))} ${g('sa')}) (f32.convert_i32_u ${g('n')})) ${g('eps')})))`)}`;

function normChannel(): string {
  const c = `(i32.rem_u ${g('r')} ${g('C')})`;
  const body = `${STATS}
      ${set('va', `(f32x4.splat (f32.mul (f32.load ${add(g('s'), shl2(c))}) ${g('rstd')}))`)}
      ${set('vb', `(v128.load32_splat ${add(g('b'), shl2(c))})`)}
      ${walk('w', `(v128.store ${g('q')} (f32x4.add (f32x4.mul (f32x4.sub (v128.load ${g('p')}) ${g('vm')}) ${g('va')}) ${g('vb')}))`, `(v128.store32_lane 0 ${g('q')} (f32x4.add (f32x4.mul (f32x4.sub (v128.load32_zero ${g('p')}) ${g('vm')}) ${g('va')}) ${g('vb')}))`)}`;
  return `(func (export "norm_channel") (param $x i32) (param $y i32) (param $s i32) (param $b i32) (param $n i32) (param $C i32) (param $eps f32) (param $start i32) (param $end i32)
    ${LOCALS}
    ${rowLoop(body)})`;
}

function normElement(): string {
  const el = (ld: string, off: string) => `(${ld} ${add(g(off), shl2(g('j')))})`;
  const f = (ld: string) => `(f32x4.add (f32x4.mul (f32x4.mul (f32x4.sub (${ld} ${g('p')}) ${g('vm')}) ${g('va')}) ${el(ld, 's')}) ${el(ld, 'b')})`;
  const body = `${STATS}
      ${set('va', `(f32x4.splat ${g('rstd')})`)}
      ${walk('w', `(v128.store ${g('q')} ${f('v128.load')})`, `(v128.store32_lane 0 ${g('q')} ${f('v128.load32_zero')})`)}`;
  return `(func (export "norm_element") (param $x i32) (param $y i32) (param $s i32) (param $b i32) (param $n i32) (param $eps f32) (param $start i32) (param $end i32)
    ${LOCALS}
    ${rowLoop(body)})`;
}

export const normFamily: WatFamily = {
  name: 'norm',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${affineRows()}\n${affineCols()}\n${normChannel()}\n${normElement()}\n)`;
  },
};
