/**
 * The `pool` family: max and average pooling over 2-D windows (1-D windows run with H = 1; the
 * launcher composes 3-D windows from a per-slice pass and a depth pass).
 * Window geometry comes in a block of i32 parameters at `prm` (see PARAMS; the launcher writes it).
 *
 * `{max,avg,imax}_nhwc_in`: the same where every window lies inside the input (no clipping);
 * `{max,avg,imax}_nhwc_in2x2`: and the window is 2×2 (its four taps unrolled).
 * `{max,avg}_nhwc(x, y, prm, start, end)`: output pixels [start, end) of [N, OH, OW]; per pixel the
 * channels go 16, then 8 at a time (4 or 2 accumulators per walk of the window), then 4, then
 * 1 (v128 loads down the window, channels contiguous).
 * `{max,avg}_nchw(x, y, prm, start, end)`: output rows [start, end) of [N·C, OH]; along a row, 4
 * output columns whose windows lie inside the input horizontally go together (lane loads at stride
 * SW), the border columns one at a time with their window clipped.
 * `{max,avg,imax}_nchw_s1`: the same for SW = 1, where 4 adjacent columns' taps are one v128.load.
 * `imax_nhwc`, `imax_nchw`: int32 MaxPool, the same walks with i32x4.max_s.
 * `{max,avg}_rows(x, y, n, start, end)`: global pooling of rows [start, end) of n contiguous floats (NCHW).
 * `{max,avg}_nhwc_global(x, y, HW, C, start, end)`: global pooling of images [start, end) in NHWC.
 *
 * Max gives NaN when any tap is NaN (numpy's max): the window walks keep a NaN mask beside pmax (see
 * windowLoop), the global walks use f32x4.max/f32.max. With NANI (nanMode 'ignore', tfjs) the window
 * walks drop the mask: pmax(acc, NaN) keeps acc, so NaN taps are skipped. Average sums in window order (kh, then kw)
 * and divides by the count (ONNX/onnxruntime divisor rules, see axisCount); with EZ (emptyAverage
 * 'zero') by at least 1, so a window holding no input gives 0.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Order of the i32 parameter block. */
export const PARAMS = ['C', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'PB', 'PR', 'CIP', 'NANI', 'EZ'] as const;

/** 'imax': int32 MaxPool (i32x4.max_s, an empty window gives INT32_MIN). */
type Kind = 'max' | 'avg' | 'imax';
const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
const NEG_INF = '(v128.const f32x4 -inf -inf -inf -inf)';
const ZERO = '(v128.const i32x4 0 0 0 0)';
const INT_MIN = '(v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)';
const NAN = '(v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)';

const PARAM_LOCALS = PARAMS.map((n) => `(local $${n} i32)`).join(' ');
// $nk: the lanes of the NaN mask that count (all of them, or none with NANI: MaxPool nanMode 'ignore')
const LOAD_PARAMS = `${PARAMS.map((n, i) => set(n, `(i32.load offset=${i * 4} (local.get $prm))`)).join('\n    ')}
    ${set('nk', `(i32x4.splat (i32.sub (local.get $NANI) (i32.const 1)))`)}
    ${set('ez', '(f32.convert_i32_u (local.get $EZ))')}`;
const LOCALS = `${PARAM_LOCALS} (local $i i32) (local $hs i32) (local $ws i32) (local $hlo i32) (local $hhi i32) (local $wlo i32) (local $whi i32)
    (local $q i32) (local $r i32) (local $a i32) (local $b i32) (local $p0 i32) (local $dhs i32) (local $dws i32) (local $t i32) (local $u i32)
    (local $cnt f32) (local $acc v128) (local $v v128) (local $nm v128) (local $acc2 v128) (local $v2 v128) (local $nm2 v128)
    (local $acc3 v128) (local $v3 v128) (local $nm3 v128) (local $acc4 v128) (local $v4 v128) (local $nm4 v128) (local $nk v128) (local $ez f32)`;

/** Valid kernel taps [lo, hi) along one axis for a window starting at `s` on an axis of `n`. */
function range(lo: string, hi: string, s: string, n: string, k: string, d: string): string {
  return `${set(lo, `(if (result i32) (i32.lt_s ${s} (i32.const 0)) (then (i32.div_u ${add(sub('(i32.const 0)', s), sub(d, '(i32.const 1)'))} ${d})) (else (i32.const 0)))`)}
    ${set(hi, `(if (result i32) (i32.gt_s ${sub(n, s)} (i32.const 0)) (then ${min(k, `(i32.div_u ${add(sub(n, s), sub(d, '(i32.const 1)'))} ${d})`)}) (else (i32.const 0)))`)}
    (if (i32.lt_s ${g(hi)} ${g(lo)}) (then ${set(hi, g(lo))}))`;
}

/**
 * Average divisor along one axis: with countIncludePad the taps inside the padded input, min(k,
 * ceil((n + padEnd − s) / d)) (min(s + k, n + padEnd) − s without dilation, as onnxruntime), else the
 * valid taps.
 */
function axisCount(s: string, n: string, k: string, pe: string, lo: string, hi: string, d: string): string {
  return `(select ${min(k, `(i32.div_u ${add(sub(add(n, pe), s), sub(d, '(i32.const 1)'))} ${d})`)} ${sub(g(hi), g(lo))} ${g('CIP')})`;
}

/** The accumulator's start: -Inf (max), INT_MIN (integer max) or 0 (avg). */
function initOf(kind: Kind): string {
  return kind === 'max' ? NEG_INF : kind === 'imax' ? INT_MIN : ZERO;
}

/** One tap `v` into accumulator $acc<r> (max also ORs its NaN mask into $nm<r>). */
function tapOp(kind: Kind, v: string, r: string): string {
  return kind === 'max'
    ? `${set(`acc${r}`, `(f32x4.pmax ${g(`acc${r}`)} (local.tee $v${r} ${v}))`)} ${set(`nm${r}`, `(v128.or ${g(`nm${r}`)} (f32x4.ne ${g(`v${r}`)} ${g(`v${r}`)}))`)}`
    : set(`acc${r}`, `(${kind === 'imax' ? 'i32x4.max_s' : 'f32x4.add'} ${g(`acc${r}`)} ${v})`);
}

/** After the window: avg divides by the tap count, max puts NaN back where a tap was NaN (unless NaNs are ignored). */
function finishOp(kind: Kind, r: string): string {
  return kind === 'avg'
    ? set(`acc${r}`, `(f32x4.div ${g(`acc${r}`)} (f32x4.splat (f32.max ${g('cnt')} ${g('ez')})))`)
    : kind === 'max'
      ? set(`acc${r}`, `(v128.bitselect ${NAN} ${g(`acc${r}`)} (v128.and ${g(`nm${r}`)} ${g('nk')}))`)
      : '';
}

/**
 * acc ← reduction over taps [hlo,hhi)×[wlo,whi) starting at pointer p0, strides dhs/dws bytes.
 * Max runs on f32x4.pmax (one maxps on x64; f32x4.max's NaN handling costs several more instructions:
 * 3×3 NHWC [1,112,112,64] went from 4.0 to 1.5 ms) and ORs a NaN mask alongside, so a NaN tap still gives NaN.
 */
function windowLoop(kind: Kind, load: (p: string) => string, group = 1): string {
  const init = initOf(kind);
  // `group` accumulators ($acc, $acc2, ...) over consecutive 4-channel vectors (offsets 16, 32, ...) share one walk of the window.
  const regs = ['', '2', '3', '4'].slice(0, group);
  const tap = (v: string, r: string) => tapOp(kind, v, r);
  const finish = (r: string) => finishOp(kind, r);
  const src = (k: number) => (k === 0 ? load(g('r')) : `(v128.load offset=${16 * k} ${g('r')})`);
  const taps = regs.map((r, k) => tap(src(k), r)).join(' ');
  const walk = (t: string) => `${set('q', g('p0'))} ${set('a', sub(g('hhi'), g('hlo')))}
      (block $hd (loop $hl
        (br_if $hd (i32.le_s ${g('a')} (i32.const 0)))
        ${set('r', g('q'))} ${set('b', sub(g('whi'), g('wlo')))}
        (block $wd (loop $wl
          (br_if $wd (i32.le_s ${g('b')} (i32.const 0)))
          ${t}
          ${set('r', add(g('r'), g('dws')))} ${set('b', sub(g('b'), '(i32.const 1)'))}
          (br $wl)))
        ${set('q', add(g('q'), g('dhs')))} ${set('a', sub(g('a'), '(i32.const 1)'))}
        (br $hl)))`;
  // max with NANI (nanMode 'ignore'): the NaN mask would be dropped at the end, so it is not kept
  const body = kind === 'max'
    ? `(if ${g('NANI')} (then ${walk(regs.map((r, k) => set(`acc${r}`, `(f32x4.pmax ${g(`acc${r}`)} ${src(k)})`)).join(' '))})
      (else ${walk(taps)} ${regs.map(finish).join(' ')}))`
    : `${walk(taps)}
      ${regs.map(finish).join(' ')}`;
  return `${regs.map((r) => `${set(`acc${r}`, init)} ${kind === 'max' ? set(`nm${r}`, ZERO) : ''}`).join(' ')}
      ${body}`;
}

/**
 * windowLoop for a whole 2×2 window, unrolled: taps (0,0) (0,1) (1,0) (1,1) in windowLoop's order
 * (kh, then kw) through the same operations, so the results are the same bits; no loop counters.
 * $r, $q, $a, $b hold the four tap pointers.
 */
function window2x2(kind: Kind, load: (p: string) => string, group = 1): string {
  const init = initOf(kind);
  const regs = ['', '2', '3', '4'].slice(0, group);
  const tap = (v: string, r: string) => tapOp(kind, v, r);
  const finish = (r: string) => finishOp(kind, r);
  const ptrs = ['r', 'q', 'a', 'b'];
  const src = (pp: string, k: number) => (k === 0 ? load(g(pp)) : `(v128.load offset=${16 * k} ${g(pp)})`);
  const taps = ptrs.map((pp) => regs.map((r, k) => tap(src(pp, k), r)).join(' ')).join('\n      ');
  // max with NANI (nanMode 'ignore'): the NaN mask is dropped at the end anyway, so it is not kept
  const body = kind === 'max'
    ? `(if ${g('NANI')} (then ${ptrs.map((pp) => regs.map((r, k) => set(`acc${r}`, `(f32x4.pmax ${g(`acc${r}`)} ${src(pp, k)})`)).join(' ')).join('\n        ')})
      (else ${taps} ${regs.map(finish).join(' ')}))`
    : `${taps}
      ${regs.map(finish).join(' ')}`;
  return `${regs.map((r) => `${set(`acc${r}`, init)} ${kind === 'max' ? set(`nm${r}`, ZERO) : ''}`).join(' ')}
      ${set('r', g('p0'))} ${set('q', add(g('p0'), g('dws')))} ${set('a', add(g('p0'), g('dhs')))} ${set('b', add(g('a'), g('dws')))}
      ${body}`;
}

const ld4 = (p: string) => `(v128.load ${p})`;
const ld1 = (p: string) => `(v128.load32_zero ${p})`;

/**
 * `inside`: every window lies wholly inside the input (PT = PL = 0 and the last window fits; the
 * launcher checks), so the valid tap ranges are the whole window, set once: no per-pixel range
 * divisions, which cost more than a 2×2 window's taps at C = 16 ([1,96,96,16] 2×2/2 MaxPool: see
 * pool.ts). The same window walk in the same tap order, so results equal the general kernel's.
 */
function nhwc(kind: Kind, inside = false, k2 = false): string {
  const walk = (load: (p: string) => string, group = 1) => (k2 ? window2x2(kind, load, group) : windowLoop(kind, load, group));
  // item i = output pixel (n, oh, ow), divided out once at start and then counted (no division per pixel)
  const body = `${set('i', g('start'))}
    ${set('dws', `(i32.shl ${mul(g('DW'), g('C'))} (i32.const 2))`)}
    ${set('dhs', `(i32.shl ${mul(mul(g('DH'), g('W')), g('C'))} (i32.const 2))`)}
    ${set('n', `(i32.div_u ${g('i')} ${mul(g('OH'), g('OW'))})`)}
    ${set('u', sub(g('i'), mul(g('n'), mul(g('OH'), g('OW')))))}
    ${set('oh', `(i32.div_u ${g('u')} ${g('OW')})`)} ${set('ow', sub(g('u'), mul(g('oh'), g('OW'))))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('t', g('n'))}
      ${set('hs', sub(mul(g('oh'), g('SH')), g('PT')))}
      ${set('ws', sub(mul(g('ow'), g('SW')), g('PL')))}
      ${inside ? '' : `${range('hlo', 'hhi', g('hs'), g('H'), g('KH'), g('DH'))}
      ${range('wlo', 'whi', g('ws'), g('W'), g('KW'), g('DW'))}
      ${kind === 'avg' ? set('cnt', `(f32.convert_i32_u ${mul(axisCount(g('hs'), g('H'), g('KH'), g('PB'), 'hlo', 'hhi', g('DH')), axisCount(g('ws'), g('W'), g('KW'), g('PR'), 'wlo', 'whi', g('DW')))})`) : ''}`}
      ;; p0 = x + ((t·H + hs + hlo·DH)·W + ws + wlo·DW)·C floats; $u walks the channels
      ${set('p0', add(g('x'), `(i32.shl ${mul(add(mul(add(mul(g('t'), g('H')), add(g('hs'), mul(g('hlo'), g('DH')))), g('W')), add(g('ws'), mul(g('wlo'), g('DW')))), g('C'))} (i32.const 2))`))}
      ${set('t', add(g('y'), `(i32.shl ${mul(g('i'), g('C'))} (i32.const 2))`))}
      ${set('u', g('C'))}
      (block $qd (loop $ql
        (br_if $qd (i32.lt_u ${g('u')} (i32.const 16)))
        ${walk(ld4, 4)}
        (v128.store ${g('t')} ${g('acc')}) (v128.store offset=16 ${g('t')} ${g('acc2')}) (v128.store offset=32 ${g('t')} ${g('acc3')}) (v128.store offset=48 ${g('t')} ${g('acc4')})
        ${set('p0', add(g('p0'), '(i32.const 64)'))} ${set('t', add(g('t'), '(i32.const 64)'))} ${set('u', sub(g('u'), '(i32.const 16)'))}
        (br $ql)))
      (block $pd (loop $pl
        (br_if $pd (i32.lt_u ${g('u')} (i32.const 8)))
        ${walk(ld4, 2)}
        (v128.store ${g('t')} ${g('acc')}) (v128.store offset=16 ${g('t')} ${g('acc2')})
        ${set('p0', add(g('p0'), '(i32.const 32)'))} ${set('t', add(g('t'), '(i32.const 32)'))} ${set('u', sub(g('u'), '(i32.const 8)'))}
        (br $pl)))
      (block $cd (loop $cl
        (br_if $cd (i32.lt_u ${g('u')} (i32.const 4)))
        ${walk(ld4)}
        (v128.store ${g('t')} ${g('acc')})
        ${set('p0', add(g('p0'), '(i32.const 16)'))} ${set('t', add(g('t'), '(i32.const 16)'))} ${set('u', sub(g('u'), '(i32.const 4)'))}
        (br $cl)))
      (block $td (loop $tl
        (br_if $td (i32.eqz ${g('u')}))
        ${walk(ld1)}
        (v128.store32_lane 0 ${g('t')} ${g('acc')})
        ${set('p0', add(g('p0'), '(i32.const 4)'))} ${set('t', add(g('t'), '(i32.const 4)'))} ${set('u', sub(g('u'), '(i32.const 1)'))}
        (br $tl)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      ${set('ow', add(g('ow'), '(i32.const 1)'))}
      (if (i32.eq ${g('ow')} ${g('OW')}) (then ${set('ow', '(i32.const 0)')} ${set('oh', add(g('oh'), '(i32.const 1)'))}
        (if (i32.eq ${g('oh')} ${g('OH')}) (then ${set('oh', '(i32.const 0)')} ${set('n', add(g('n'), '(i32.const 1)'))}))))
      (br $items)))`;
  // inside: the whole window is valid, and an average divides by its size (both divisor rules agree)
  const whole = `${set('hlo', '(i32.const 0)')} ${set('hhi', g('KH'))} ${set('wlo', '(i32.const 0)')} ${set('whi', g('KW'))}
    ${kind === 'avg' ? set('cnt', `(f32.convert_i32_u ${mul(g('KH'), g('KW'))})`) : ''}`;
  return `(func (export "${kind}_nhwc${inside ? (k2 ? '_in2x2' : '_in') : ''}") (param $x i32) (param $y i32) (param $prm i32) (param $start i32) (param $end i32)
    ${LOCALS} (local $n i32) (local $oh i32) (local $ow i32)
    ${LOAD_PARAMS}
    ${inside ? whole : ''}
    ${body})`;
}

/** `unit`: stride-1 columns, whose 4 lanes are adjacent floats (one v128.load instead of 4 lane loads). */
function nchw(kind: Kind, unit = false): string {
  // item i = output row (nc, oh); $t = output column, $u = pointer to the input plane's first tap row
  const lanes = (p: string) => unit ? `(v128.load ${p})` :
    `(v128.load32_lane 3 ${add(p, g('l3'))} (v128.load32_lane 2 ${add(p, g('l2'))} (v128.load32_lane 1 ${add(p, g('l1'))} (v128.load32_zero ${p}))))`;
  const body = `${set('i', g('start'))}
    ${set('dws', `(i32.shl ${g('DW')} (i32.const 2))`)}
    ${set('dhs', `(i32.shl ${mul(g('DH'), g('W'))} (i32.const 2))`)}
    ${set('l1', `(i32.shl ${g('SW')} (i32.const 2))`)} ${set('l2', `(i32.shl ${g('SW')} (i32.const 3))`)} ${set('l3', add(g('l1'), g('l2')))}
    ;; ext = (KW − 1)·DW: the window's last tap offset
    ${set('ext', mul(sub(g('KW'), '(i32.const 1)'), g('DW')))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('hs', sub(mul(`(i32.rem_u ${g('i')} ${g('OH')})`, g('SH')), g('PT')))}
      ${range('hlo', 'hhi', g('hs'), g('H'), g('KH'), g('DH'))}
      ${set('hcnt', axisCount(g('hs'), g('H'), g('KH'), g('PB'), 'hlo', 'hhi', g('DH')))}
      ;; u = plane start + first valid tap row
      ${set('u', add(g('x'), `(i32.shl ${mul(add(mul(`(i32.div_u ${g('i')} ${g('OH')})`, g('H')), add(g('hs'), mul(g('hlo'), g('DH')))), g('W'))} (i32.const 2))`))}
      ${set('yr', add(g('y'), `(i32.shl ${mul(g('i'), g('OW'))} (i32.const 2))`))}
      ${set('t', '(i32.const 0)')}
      (block $cd (loop $cl
        (br_if $cd (i32.ge_u ${g('t')} ${g('OW')}))
        ${set('ws', sub(mul(g('t'), g('SW')), g('PL')))}
        (if (i32.and (i32.and (i32.ge_s ${g('ws')} (i32.const 0)) (i32.le_u ${add(g('t'), '(i32.const 4)')} ${g('OW')}))
              (i32.lt_s ${add(add(g('ws'), mul('(i32.const 3)', g('SW'))), g('ext'))} ${g('W')}))
          (then
            ;; 4 interior columns: every horizontal tap is valid
            ${set('wlo', '(i32.const 0)')} ${set('whi', g('KW'))}
            ${kind === 'avg' ? set('cnt', `(f32.convert_i32_u ${mul(g('hcnt'), g('KW'))})`) : ''}
            ${set('p0', add(g('u'), `(i32.shl ${g('ws')} (i32.const 2))`))}
            ${windowLoop(kind, lanes)}
            (v128.store ${g('yr')} ${g('acc')})
            ${set('yr', add(g('yr'), '(i32.const 16)'))} ${set('t', add(g('t'), '(i32.const 4)'))})
          (else
            ${range('wlo', 'whi', g('ws'), g('W'), g('KW'), g('DW'))}
            ${kind === 'avg' ? set('cnt', `(f32.convert_i32_u ${mul(g('hcnt'), axisCount(g('ws'), g('W'), g('KW'), g('PR'), 'wlo', 'whi', g('DW')))})`) : ''}
            ${set('p0', add(g('u'), `(i32.shl ${add(g('ws'), mul(g('wlo'), g('DW')))} (i32.const 2))`))}
            ${windowLoop(kind, ld1)}
            (v128.store32_lane 0 ${g('yr')} ${g('acc')})
            ${set('yr', add(g('yr'), '(i32.const 4)'))} ${set('t', add(g('t'), '(i32.const 1)'))}))
        (br $cl)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $items)))`;
  return `(func (export "${kind}_nchw${unit ? '_s1' : ''}") (param $x i32) (param $y i32) (param $prm i32) (param $start i32) (param $end i32)
    ${LOCALS} (local $l1 i32) (local $l2 i32) (local $l3 i32) (local $ext i32) (local $hcnt i32) (local $yr i32)
    ${LOAD_PARAMS}
    ${body})`;
}

/** Global pooling of contiguous rows: 4-lane accumulator, a scalar tail, one horizontal reduction. */
function rows(kind: 'max' | 'avg'): string {
  const v = kind === 'max' ? 'f32x4.max' : 'f32x4.add';
  const s = kind === 'max' ? 'f32.max' : 'f32.add';
  const lane = (i: number) => `(f32x4.extract_lane ${i} ${g('acc')})`;
  const reduce = `(${s} (${s} ${lane(0)} ${lane(1)}) (${s} ${lane(2)} ${lane(3)}))`;
  return `(func (export "${kind}_rows") (param $x i32) (param $y i32) (param $n i32) (param $start i32) (param $end i32)
    (local $i i32) (local $p i32) (local $e i32) (local $acc v128) (local $s f32)
    ${set('i', g('start'))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('p', add(g('x'), `(i32.shl ${mul(g('i'), g('n'))} (i32.const 2))`))}
      ${set('e', add(g('p'), `(i32.shl ${g('n')} (i32.const 2))`))}
      ${set('acc', kind === 'max' ? NEG_INF : ZERO)}
      (block $vd (loop $vl
        (br_if $vd (i32.gt_u ${add(g('p'), '(i32.const 16)')} ${g('e')}))
        ${set('acc', `(${v} ${g('acc')} (v128.load ${g('p')}))`)}
        ${set('p', add(g('p'), '(i32.const 16)'))}
        (br $vl)))
      ${set('s', reduce)}
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u ${g('p')} ${g('e')}))
        ${set('s', `(${s} ${g('s')} (f32.load ${g('p')}))`)}
        ${set('p', add(g('p'), '(i32.const 4)'))}
        (br $sl)))
      (f32.store ${add(g('y'), `(i32.shl ${g('i')} (i32.const 2))`)} ${kind === 'avg' ? `(f32.div ${g('s')} (f32.convert_i32_u ${g('n')}))` : g('s')})
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $items)))
  )`;
}

/**
 * Global pooling in NHWC: item n runs over its HW pixels in order, folding each pixel's C channels
 * into y (which stays in L1), 4 channels at a time plus a tail; the average divides at the end.
 * The same tap order as the window path, read sequentially.
 */
function nhwcGlobal(kind: 'max' | 'avg'): string {
  const op = kind === 'max' ? 'f32x4.max' : 'f32x4.add';
  const walk = (body4: string, body1: string) => `${set('q', g('yr'))} ${set('k', g('C'))}
        (block $wd (loop $wl
          (br_if $wd (i32.lt_u ${g('k')} (i32.const 4)))
          ${body4}
          ${set('p', add(g('p'), '(i32.const 16)'))} ${set('q', add(g('q'), '(i32.const 16)'))} ${set('k', sub(g('k'), '(i32.const 4)'))}
          (br $wl)))
        (block $td (loop $tl
          (br_if $td (i32.eqz ${g('k')}))
          ${body1}
          ${set('p', add(g('p'), '(i32.const 4)'))} ${set('q', add(g('q'), '(i32.const 4)'))} ${set('k', sub(g('k'), '(i32.const 1)'))}
          (br $tl)))`;
  const init = kind === 'max' ? NEG_INF : ZERO;
  return `(func (export "${kind}_nhwc_global") (param $x i32) (param $y i32) (param $hw i32) (param $C i32) (param $start i32) (param $end i32)
    (local $i i32) (local $j i32) (local $k i32) (local $p i32) (local $q i32) (local $yr i32) (local $d v128)
    ${set('i', g('start'))}
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('yr', add(g('y'), `(i32.shl ${mul(g('i'), g('C'))} (i32.const 2))`))}
      ${set('p', g('yr'))}
      ${walk(`(v128.store ${g('q')} ${init})`, `(v128.store32_lane 0 ${g('q')} ${init})`)}
      ${set('p', add(g('x'), `(i32.shl ${mul(mul(g('i'), g('hw')), g('C'))} (i32.const 2))`))}
      ${set('j', g('hw'))}
      (block $pd (loop $pl
        (br_if $pd (i32.eqz ${g('j')}))
        ${walk(`(v128.store ${g('q')} (${op} (v128.load ${g('q')}) (v128.load ${g('p')})))`, `(v128.store32_lane 0 ${g('q')} (${op} (v128.load32_zero ${g('q')}) (v128.load32_zero ${g('p')})))`)}
        ${set('j', sub(g('j'), '(i32.const 1)'))}
        (br $pl)))
      ${
        kind === 'avg'
          ? `${set('d', `(f32x4.splat (f32.convert_i32_u ${g('hw')}))`)} ${set('p', g('yr'))}
      ${walk(`(v128.store ${g('q')} (f32x4.div (v128.load ${g('q')}) ${g('d')}))`, `(v128.store32_lane 0 ${g('q')} (f32x4.div (v128.load32_zero ${g('q')}) ${g('d')}))`)}`
          : ''
      }
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $items)))
  )`;
}

export const poolFamily: WatFamily = {
  name: 'pool',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${nhwc('max')}\n${nhwc('avg')}\n${nhwc('imax')}\n${nhwc('max', true)}\n${nhwc('avg', true)}\n${nhwc('imax', true)}\n${nhwc('max', true, true)}\n${nhwc('avg', true, true)}\n${nhwc('imax', true, true)}\n${nchw('max')}\n${nchw('avg')}\n${nchw('imax')}\n${nchw('max', true)}\n${nchw('avg', true)}\n${nchw('imax', true)}\n${rows('max')}\n${rows('avg')}\n${nhwcGlobal('max')}\n${nhwcGlobal('avg')}\n)`;
  },
};
