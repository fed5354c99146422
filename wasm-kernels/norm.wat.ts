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
 * `lrn` / `lrn_last`: LRN across channels (channel axis strided / last), described at their functions.
 */
import { ConstPool, MATH_LOCALS, expF32x4, logF32x4, type MathVariant } from './templates/math.wat.js';
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

/**
 * `lrn(x, y, C, inner, lo, hi, bias, coef, nbeta, start, end)`: LRN on X viewed as [outer, C, inner],
 * work item i = (o, c) over outer·C. For each position j of the row (4 at a time, then one),
 * s = Σ x[o, c', j]² over c' ∈ [max(0, c − lo), min(C − 1, c + hi)] in channel order, then
 * y = x · exp(nbeta · log(bias + coef · s)) with nbeta = −beta. Per-element sums, so thread-independent.
 */
function lrn(w: WatVariant): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const one = (wide: boolean) => {
    const ld = (p: string) => (wide ? `(v128.load ${p})` : `(v128.load32_zero ${p})`);
    const f = `(f32x4.mul ${ld(g('q'))} ${expF32x4(v, `(f32x4.mul ${g('vnb')} ${logF32x4(v, `(f32x4.add ${g('vb')} (f32x4.mul ${g('vc')} ${g('acc')}))`)})`)})`;
    return `${set('acc', ZERO)} ${set('p', g('pw'))} ${set('k', g('c0'))}
        (block $sd${wide ? 'w' : 'n'} (loop $sl${wide ? 'w' : 'n'}
          (br_if $sd${wide ? 'w' : 'n'} (i32.gt_s ${g('k')} ${g('c1')}))
          ${set('t', ld(g('p')))}
          ${set('acc', `(f32x4.add ${g('acc')} (f32x4.mul ${g('t')} ${g('t')}))`)}
          ${set('p', add(g('p'), g('stride')))} ${set('k', add(g('k'), '(i32.const 1)'))}
          (br $sl${wide ? 'w' : 'n'})))
        ${wide ? `(v128.store ${g('r')} ${f})` : `(v128.store32_lane 0 ${g('r')} ${f})`}`;
  };
  const step = (n: number) => `${set('q', add(g('q'), `(i32.const ${n})`))} ${set('r', add(g('r'), `(i32.const ${n})`))} ${set('pw', add(g('pw'), `(i32.const ${n})`))} ${set('j', add(g('j'), `(i32.const ${n / 4})`))}`;
  const body = `${set('vb', `(f32x4.splat ${g('bias')})`)} ${set('vc', `(f32x4.splat ${g('coef')})`)} ${set('vnb', `(f32x4.splat ${g('nbeta')})`)}
    ${set('stride', shl2(g('inner')))}
    ${set('i', g('start'))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('o', `(i32.div_u ${g('i')} ${g('C')})`)}
      ${set('c', `(i32.sub ${g('i')} (i32.mul ${g('o')} ${g('C')}))`)}
      ${set('c0', `(select (i32.const 0) (i32.sub ${g('c')} ${g('lo')}) (i32.lt_s (i32.sub ${g('c')} ${g('lo')}) (i32.const 0)))`)}
      ${set('c1', `(select (i32.sub ${g('C')} (i32.const 1)) ${add(g('c'), g('hi'))} (i32.ge_s ${add(g('c'), g('hi'))} ${g('C')}))`)}
      ${set('q', add(g('x'), shl2(`(i32.mul ${g('i')} ${g('inner')})`)))}
      ${set('r', add(g('y'), shl2(`(i32.mul ${g('i')} ${g('inner')})`)))}
      ${set('pw', add(g('x'), shl2(`(i32.mul ${add(`(i32.mul ${g('o')} ${g('C')})`, g('c0'))} ${g('inner')})`)))}
      ${set('j', '(i32.const 0)')}
      (block $wd (loop $wl
        (br_if $wd (i32.gt_u ${add(g('j'), '(i32.const 4)')} ${g('inner')}))
        ${one(true)}
        ${step(16)}
        (br $wl)))
      (block $nd (loop $nl
        (br_if $nd (i32.ge_u ${g('j')} ${g('inner')}))
        ${one(false)}
        ${step(4)}
        (br $nl)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $items)))
`;
  return `(func (export "lrn") (param $x i32) (param $y i32) (param $C i32) (param $inner i32) (param $lo i32) (param $hi i32)
    (param $bias f32) (param $coef f32) (param $nbeta f32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32) (local $c i32) (local $c0 i32) (local $c1 i32) (local $k i32) (local $j i32) (local $stride i32)
    (local $p i32) (local $pw i32) (local $q i32) (local $r i32) (local $acc v128) (local $t v128) (local $vb v128) (local $vc v128) (local $vnb v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${body})`;
}

/**
 * `lrn_last(x, y, C, lo, hi, bias, coef, nbeta, start, end)`: LRN with the channel axis last (NHWC,
 * inner = 1), work item = pixel of C contiguous channels. Channel groups of 4 whose whole window lies
 * inside the pixel (c ≥ lo, c + 3 + hi < C) load 4 windows at once; the others go one channel at a
 * time. Both sum channels in ascending order from 0, as `lrn`, so results equal lrn's bit for bit.
 */
function lrnLast(w: WatVariant): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const f = (ld: string) => `(f32x4.mul ${ld} ${expF32x4(v, `(f32x4.mul ${g('vnb')} ${logF32x4(v, `(f32x4.add ${g('vb')} (f32x4.mul ${g('vc')} ${g('acc')}))`)})`)})`;
  const body = `${set('vb', `(f32x4.splat ${g('bias')})`)} ${set('vc', `(f32x4.splat ${g('coef')})`)} ${set('vnb', `(f32x4.splat ${g('nbeta')})`)}
    ${set('i', g('start'))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('row', add(g('x'), shl2(`(i32.mul ${g('i')} ${g('C')})`)))}
      ${set('orow', add(g('y'), shl2(`(i32.mul ${g('i')} ${g('C')})`)))}
      ${set('c', '(i32.const 0)')}
      (block $cd (loop $cl
        (br_if $cd (i32.ge_u ${g('c')} ${g('C')}))
        (if (i32.and (i32.ge_u ${g('c')} ${g('lo')}) (i32.lt_u ${add(add(g('c'), '(i32.const 3)'), g('hi'))} ${g('C')}))
          (then
            ${set('acc', ZERO)}
            ${set('p', add(g('row'), shl2(`(i32.sub ${g('c')} ${g('lo')})`)))}
            ${set('e', add(g('row'), shl2(add(g('c'), g('hi')))))}
            (block $sd (loop $sl
              (br_if $sd (i32.gt_u ${g('p')} ${g('e')}))
              ${set('t', `(v128.load ${g('p')})`)}
              ${set('acc', `(f32x4.add ${g('acc')} (f32x4.mul ${g('t')} ${g('t')}))`)}
              ${set('p', add(g('p'), '(i32.const 4)'))}
              (br $sl)))
            (v128.store ${add(g('orow'), shl2(g('c')))} ${f(`(v128.load ${add(g('row'), shl2(g('c')))})`)})
            ${set('c', add(g('c'), '(i32.const 4)'))})
          (else
            ${set('acc', ZERO)}
            ${set('k', `(select (i32.const 0) (i32.sub ${g('c')} ${g('lo')}) (i32.lt_s (i32.sub ${g('c')} ${g('lo')}) (i32.const 0)))`)}
            ${set('c1', `(select (i32.sub ${g('C')} (i32.const 1)) ${add(g('c'), g('hi'))} (i32.ge_s ${add(g('c'), g('hi'))} ${g('C')}))`)}
            (block $td (loop $tl
              (br_if $td (i32.gt_s ${g('k')} ${g('c1')}))
              ${set('t', `(v128.load32_zero ${add(g('row'), shl2(g('k')))})`)}
              ${set('acc', `(f32x4.add ${g('acc')} (f32x4.mul ${g('t')} ${g('t')}))`)}
              ${set('k', add(g('k'), '(i32.const 1)'))}
              (br $tl)))
            (v128.store32_lane 0 ${add(g('orow'), shl2(g('c')))} ${f(`(v128.load32_zero ${add(g('row'), shl2(g('c')))})`)})
            ${set('c', add(g('c'), '(i32.const 1)'))}))
        (br $cl)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $items)))`;
  return `(func (export "lrn_last") (param $x i32) (param $y i32) (param $C i32) (param $lo i32) (param $hi i32)
    (param $bias f32) (param $coef f32) (param $nbeta f32) (param $start i32) (param $end i32)
    (local $i i32) (local $c i32) (local $c1 i32) (local $k i32) (local $p i32) (local $e i32) (local $row i32) (local $orow i32)
    (local $acc v128) (local $t v128) (local $vb v128) (local $vc v128) (local $vnb v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${body})`;
}

export const normFamily: WatFamily = {
  name: 'norm',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${affineRows()}\n${affineCols()}\n${normChannel()}\n${normElement()}\n${lrn(v)}\n${lrnLast(v)}\n)`;
  },
};
