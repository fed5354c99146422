/**
 * The `resize` family: nearest and bilinear resizing of the two spatial axes, driven by per-axis
 * tables the launcher writes (ops/resize.ts resizeAxis): for an axis of `n` outputs, table t holds
 * i0 [n] (i32), i1 [n] (i32), w [n] (f32) back to back.
 *
 * `{nearest,linear}_nchw(x, y, H, W, OH, OW, yt, xt, start, end)`: output rows [start, end) of
 * [planes·OH]; 4 output columns at a time gather their sources with lane loads (table indices loaded
 * as an i32x4), then a 1-column tail.
 * `{nearest,linear}_nhwc(x, y, H, W, C, OH, OW, yt, xt, start, end)`: output rows [start, end) of
 * [N·OH]; per pixel, channels 4 at a time, then a 1-channel tail.
 * Linear: (x00·(1 − wx) + x01·wx)·(1 − wy) + (x10·(1 − wx) + x11·wx)·wy. Nearest copies bits.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

type Mode = 'nearest' | 'linear';
const g = (n: string) => `(local.get $${n})`;
const set = (n: string, e: string) => `(local.set $${n} ${e})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const shl2 = (a: string) => `(i32.shl ${a} (i32.const 2))`;
const ONE = '(v128.const f32x4 1 1 1 1)';
/** Table entry k of field f (0 = i0, 1 = i1, 2 = w) for an axis of n outputs at t: byte address. */
const tab = (t: string, n: string, f: number, k: string) => add(add(g(t), shl2(mul(g(n), `(i32.const ${f})`))), shl2(k));

/** a·(1 − w) + b·w, with 1 − w kept in the local named `${w}1` (set once per row, column or pixel). */
const lerp = (a: string, b: string, w: string) => `(f32x4.add (f32x4.mul ${a} (local.get $${w}1)) (f32x4.mul ${b} (local.get $${w})))`;
const complement = (w: string) => set(`${w}1`, `(f32x4.sub ${ONE} ${g(w)})`);

/** 4 lanes gathered from row pointer `row` at the i32x4 element indices `idx`. */
function gather(row: string, idx: string): string {
  let e = `(v128.load32_zero ${add(row, shl2(`(i32x4.extract_lane 0 ${idx})`))})`;
  for (let l = 1; l < 4; l++) e = `(v128.load32_lane ${l} ${add(row, shl2(`(i32x4.extract_lane ${l} ${idx})`))} ${e})`;
  return e;
}
const one = (row: string, idx: string) => `(v128.load32_zero ${add(row, shl2(idx))})`;

/** A row loop over items [start, end) whose body fills n outputs at $q: 4 at a time ($o = column), then 1. */
function columns(n: string, wide: string, narrow: string): string {
  return `${set('o', '(i32.const 0)')}
      (block $wd (loop $wl
        (br_if $wd (i32.gt_u ${add(g('o'), '(i32.const 4)')} ${n}))
        (v128.store ${g('q')} (block (result v128) ${wide}))
        ${set('q', add(g('q'), '(i32.const 16)'))} ${set('o', add(g('o'), '(i32.const 4)'))}
        (br $wl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u ${g('o')} ${n}))
        (v128.store32_lane 0 ${g('q')} (block (result v128) ${narrow}))
        ${set('q', add(g('q'), '(i32.const 4)'))} ${set('o', add(g('o'), '(i32.const 1)'))}
        (br $tl)))`;
}

/**
 * Separable bilinear for NCHW upsampling (the launcher's choice when 2·OH ≥ H): `hlerp_rows(x, t,
 * W, OW, xt, start, end)` resizes input rows [start, end) horizontally into t [rows, OW] (gathers:
 * 2 per output instead of 4, and once per input row instead of once per output row), then
 * `vlerp_rows(t, y, H, OH, OW, yt, start, end)` blends two rows of t per output row with contiguous
 * loads. Same arithmetic, in the same order, as linear_nchw: the results are bit-identical.
 */
function separable(): string {
  const wx = (ld: string) => `(local.set $wx (${ld} ${tab('xt', 'OW', 2, g('o'))})) ${complement('wx')}`;
  const h = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('r0', add(g('x'), shl2(mul(g('i'), g('W')))))}
      ${set('q', add(g('t'), shl2(mul(g('i'), g('OW')))))}
      ${columns(
        g('OW'),
        `${set('v0', `(v128.load ${tab('xt', 'OW', 0, g('o'))})`)} ${set('v1', `(v128.load ${tab('xt', 'OW', 1, g('o'))})`)} ${wx('v128.load')}
        ${lerp(gather(g('r0'), g('v0')), gather(g('r0'), g('v1')), 'wx')}`,
        `${wx('v128.load32_zero')} ${lerp(one(g('r0'), `(i32.load ${tab('xt', 'OW', 0, g('o'))})`), one(g('r0'), `(i32.load ${tab('xt', 'OW', 1, g('o'))})`), 'wx')}`,
      )}
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows)))`;
  const v = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('oy', `(i32.rem_u ${g('i')} ${g('OH')})`)}
      ${set('p', add(g('t'), shl2(mul(mul(`(i32.div_u ${g('i')} ${g('OH')})`, g('H')), g('OW')))))}
      ${set('r0', add(g('p'), shl2(mul(`(i32.load ${tab('yt', 'OH', 0, g('oy'))})`, g('OW')))))}
      ${set('r1', add(g('p'), shl2(mul(`(i32.load ${tab('yt', 'OH', 1, g('oy'))})`, g('OW')))))}
      ${set('wy', `(v128.load32_splat ${tab('yt', 'OH', 2, g('oy'))})`)} ${complement('wy')}
      ${set('q', add(g('y'), shl2(mul(g('i'), g('OW')))))}
      ${columns(
        g('OW'),
        lerp(`(v128.load ${add(g('r0'), shl2(g('o')))})`, `(v128.load ${add(g('r1'), shl2(g('o')))})`, 'wy'),
        lerp(`(v128.load32_zero ${add(g('r0'), shl2(g('o')))})`, `(v128.load32_zero ${add(g('r1'), shl2(g('o')))})`, 'wy'),
      )}
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows)))`;
  const locals = `(local $i i32) (local $oy i32) (local $o i32) (local $p i32) (local $q i32) (local $r0 i32) (local $r1 i32) (local $wx v128) (local $wy v128) (local $wx1 v128) (local $wy1 v128) (local $v0 v128) (local $v1 v128)`;
  return `(func (export "hlerp_rows") (param $x i32) (param $t i32) (param $W i32) (param $OW i32) (param $xt i32) (param $start i32) (param $end i32)
    ${locals}
    ${h})
  (func (export "vlerp_rows") (param $t i32) (param $y i32) (param $H i32) (param $OH i32) (param $OW i32) (param $yt i32) (param $start i32) (param $end i32)
    ${locals}
    ${v})`;
}

/**
 * `hlerp_nhwc(x, t, W, OW, C, xt, start, end)`: input rows [start, end) of [planes·H] (W pixels of C
 * floats) resized horizontally into t [planes·H, OW·C]: t[ox, c] = lerp(x[i0[ox], c], x[i1[ox], c],
 * w[ox]), channels 4 at a time then 1. With vlerp_rows over rows of OW·C floats this is the
 * separable NHWC bilinear: the same two horizontal lerps and one vertical lerp per output as
 * linear_nhwc, in the same order, so the same bits, but each input row's horizontal pass is shared
 * by the output rows that read it.
 */
function hlerpNhwc(): string {
  const step = (n: number) => ['a', 'b', 'q'].map((p) => set(p, add(g(p), `(i32.const ${n})`))).join(' ');
  const col = (xf: number) => add(g('r0'), shl2(mul(`(i32.load ${tab('xt', 'OW', xf, g('ox'))})`, g('C'))));
  return `(func (export "hlerp_nhwc") (param $x i32) (param $t i32) (param $W i32) (param $OW i32) (param $C i32) (param $xt i32) (param $start i32) (param $end i32)
    (local $i i32) (local $ox i32) (local $r0 i32) (local $a i32) (local $b i32) (local $q i32) (local $k i32) (local $wx v128) (local $wx1 v128)
    ${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('r0', add(g('x'), shl2(mul(mul(g('i'), g('W')), g('C')))))}
      ${set('q', add(g('t'), shl2(mul(mul(g('i'), g('OW')), g('C')))))}
      ${set('ox', '(i32.const 0)')}
      (block $pd (loop $pixels
        (br_if $pd (i32.ge_u ${g('ox')} ${g('OW')}))
        ${set('a', col(0))} ${set('b', col(1))}
        ${set('wx', `(v128.load32_splat ${tab('xt', 'OW', 2, g('ox'))})`)} ${complement('wx')}
        ${set('k', g('C'))}
        (block $wd (loop $wl
          (br_if $wd (i32.lt_u ${g('k')} (i32.const 4)))
          (v128.store ${g('q')} ${lerp(`(v128.load ${g('a')})`, `(v128.load ${g('b')})`, 'wx')})
          ${step(16)} ${set('k', `(i32.sub ${g('k')} (i32.const 4))`)}
          (br $wl)))
        (block $td (loop $tl
          (br_if $td (i32.eqz ${g('k')}))
          (v128.store32_lane 0 ${g('q')} ${lerp(`(v128.load32_zero ${g('a')})`, `(v128.load32_zero ${g('b')})`, 'wx')})
          ${step(4)} ${set('k', `(i32.sub ${g('k')} (i32.const 1))`)}
          (br $tl)))
        ${set('ox', add(g('ox'), '(i32.const 1)'))}
        (br $pixels)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows))))`;
}

function nchw(mode: Mode): string {
  const value = (wide: boolean) => {
    const ld = wide ? 'v128.load' : 'v128.load32_zero';
    const fetch = wide ? gather : (row: string, idx: string) => one(row, `(i32.load ${idx})`);
    const i0 = wide ? g('v0') : tab('xt', 'OW', 0, g('o'));
    const i1 = wide ? g('v1') : tab('xt', 'OW', 1, g('o'));
    const idx = wide ? `${set('v0', `(v128.load ${tab('xt', 'OW', 0, g('o'))})`)} ${mode === 'linear' ? set('v1', `(v128.load ${tab('xt', 'OW', 1, g('o'))})`) : ''}` : '';
    if (mode === 'nearest') return `${idx} ${fetch(g('r0'), i0)}`;
    const wx = `(${ld} ${tab('xt', 'OW', 2, g('o'))})`;
    return `${idx} (local.set $wx ${wx}) ${complement('wx')}
        ${lerp(lerp(fetch(g('r0'), i0), fetch(g('r0'), i1), 'wx'), lerp(fetch(g('r1'), i0), fetch(g('r1'), i1), 'wx'), 'wy')}`;
  };
  const body = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('oy', `(i32.rem_u ${g('i')} ${g('OH')})`)}
      ${set('p', add(g('x'), shl2(mul(`(i32.div_u ${g('i')} ${g('OH')})`, mul(g('H'), g('W'))))))}
      ${set('r0', add(g('p'), shl2(mul(`(i32.load ${tab('yt', 'OH', 0, g('oy'))})`, g('W')))))}
      ${set('r1', add(g('p'), shl2(mul(`(i32.load ${tab('yt', 'OH', 1, g('oy'))})`, g('W')))))}
      ${mode === 'linear' ? `${set('wy', `(v128.load32_splat ${tab('yt', 'OH', 2, g('oy'))})`)} ${complement('wy')}` : ''}
      ${set('q', add(g('y'), shl2(mul(g('i'), g('OW')))))}
      ${set('o', '(i32.const 0)')}
      (block $wd (loop $wl
        (br_if $wd (i32.gt_u ${add(g('o'), '(i32.const 4)')} ${g('OW')}))
        (v128.store ${g('q')} (block (result v128) ${value(true)}))
        ${set('q', add(g('q'), '(i32.const 16)'))} ${set('o', add(g('o'), '(i32.const 4)'))}
        (br $wl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u ${g('o')} ${g('OW')}))
        (v128.store32_lane 0 ${g('q')} (block (result v128) ${value(false)}))
        ${set('q', add(g('q'), '(i32.const 4)'))} ${set('o', add(g('o'), '(i32.const 1)'))}
        (br $tl)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows)))`;
  return `(func (export "${mode}_nchw") (param $x i32) (param $y i32) (param $H i32) (param $W i32) (param $OH i32) (param $OW i32) (param $yt i32) (param $xt i32) (param $start i32) (param $end i32)
    (local $i i32) (local $oy i32) (local $o i32) (local $p i32) (local $q i32) (local $r0 i32) (local $r1 i32) (local $wx v128) (local $wy v128) (local $wx1 v128) (local $wy1 v128) (local $v0 v128) (local $v1 v128)
    ${body})`;
}

function nhwc(mode: Mode): string {
  // $a/$b/$c/$d: pointers to the 4 source pixels (nearest: $a only), walked along the channels.
  const value = (ld: string) =>
    mode === 'nearest'
      ? `(${ld} ${g('a')})`
      : lerp(lerp(`(${ld} ${g('a')})`, `(${ld} ${g('b')})`, 'wx'), lerp(`(${ld} ${g('c')})`, `(${ld} ${g('d')})`, 'wx'), 'wy');
  const step = (n: number) => ['a', 'b', 'c', 'd', 'q'].map((p) => set(p, add(g(p), `(i32.const ${n})`))).join(' ');
  const col = (row: string, xf: number) => add(g(row), shl2(mul(`(i32.load ${tab('xt', 'OW', xf, g('ox'))})`, g('C'))));
  const row = (yf: number) => add(g('img'), shl2(mul(mul(`(i32.load ${tab('yt', 'OH', yf, g('oy'))})`, g('W')), g('C'))));
  // item i = output row (n, oy): one division per row, none per pixel
  const body = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('oy', `(i32.rem_u ${g('i')} ${g('OH')})`)}
      ${set('img', add(g('x'), shl2(mul(`(i32.div_u ${g('i')} ${g('OH')})`, mul(mul(g('H'), g('W')), g('C'))))))}
      ${set('r0', row(0))} ${set('r1', row(1))}
      ${mode === 'linear' ? `${set('wy', `(v128.load32_splat ${tab('yt', 'OH', 2, g('oy'))})`)} ${complement('wy')}` : ''}
      ${set('q', add(g('y'), shl2(mul(mul(g('i'), g('OW')), g('C')))))}
      ${set('ox', '(i32.const 0)')}
      (block $pd (loop $pixels
        (br_if $pd (i32.ge_u ${g('ox')} ${g('OW')}))
        ${set('a', col('r0', 0))} ${set('b', col('r0', 1))} ${set('c', col('r1', 0))} ${set('d', col('r1', 1))}
        ${mode === 'linear' ? `${set('wx', `(v128.load32_splat ${tab('xt', 'OW', 2, g('ox'))})`)} ${complement('wx')}` : ''}
        ${set('k', g('C'))}
        (block $wd (loop $wl
          (br_if $wd (i32.lt_u ${g('k')} (i32.const 4)))
          (v128.store ${g('q')} ${value('v128.load')})
          ${step(16)} ${set('k', `(i32.sub ${g('k')} (i32.const 4))`)}
          (br $wl)))
        (block $td (loop $tl
          (br_if $td (i32.eqz ${g('k')}))
          (v128.store32_lane 0 ${g('q')} ${value('v128.load32_zero')})
          ${step(4)} ${set('k', `(i32.sub ${g('k')} (i32.const 1))`)}
          (br $tl)))
        ${set('ox', add(g('ox'), '(i32.const 1)'))}
        (br $pixels)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows)))`;
  return `(func (export "${mode}_nhwc") (param $x i32) (param $y i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32) (param $yt i32) (param $xt i32) (param $start i32) (param $end i32)
    (local $i i32) (local $oy i32) (local $ox i32) (local $img i32) (local $r0 i32) (local $r1 i32) (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $q i32) (local $k i32)
    (local $wx v128) (local $wy v128) (local $wx1 v128) (local $wy1 v128)
    ${body})`;
}

/**
 * The K-tap separable path (cubic, antialias, exclude_outside), tables idx [n·K] (i32) and w [n·K]
 * (f32) per axis, taps summed in order k = 0 … K−1 from 0.
 * `taps_h(x, t, W, OW, C, K, idx, w, start, end)`: input rows [start, end) of [planes·H], each W
 * pixels of C floats → OW pixels: t[ox, c] = Σ_k w[ox·K + k]·x[idx[ox·K + k], c], channels 4 at a
 * time then 1 (NCHW is C = 1).
 * `taps_v(t, y, H, OH, n, K, idx, w, start, end)`: output rows [start, end) of [planes·OH], n = OW·C
 * contiguous floats: y[j] = Σ_k w[oy·K + k]·t[plane, idx[oy·K + k], j], 4 at a time then 1.
 */
function taps(): string {
  const sum = (wide: boolean, addr: (k: string) => string, wgt: string) => {
    const ld = (a: string) => (wide ? `(v128.load ${a})` : `(v128.load32_zero ${a})`);
    return `${set('acc', '(v128.const i32x4 0 0 0 0)')} ${set('k', '(i32.const 0)')}
          (block $kd${wide ? 'w' : 'n'} (loop $kl${wide ? 'w' : 'n'}
            (br_if $kd${wide ? 'w' : 'n'} (i32.ge_u ${g('k')} ${g('K')}))
            ${set('acc', `(f32x4.add ${g('acc')} (f32x4.mul (v128.load32_splat ${add(wgt, shl2(g('k')))}) ${ld(addr(g('k')))}))`)}
            ${set('k', add(g('k'), '(i32.const 1)'))}
            (br $kl${wide ? 'w' : 'n'})))`;
  };
  const idxAt = (base: string, k: string) => `(i32.load ${add(base, shl2(k))})`;
  const h = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('src', add(g('x'), shl2(mul(mul(g('i'), g('W')), g('C')))))}
      ${set('q', add(g('t'), shl2(mul(mul(g('i'), g('OW')), g('C')))))}
      ${set('ox', '(i32.const 0)')}
      (block $pd (loop $pixels
        (br_if $pd (i32.ge_u ${g('ox')} ${g('OW')}))
        ${set('ip', add(g('idx'), shl2(mul(g('ox'), g('K')))))} ${set('wp', add(g('w'), shl2(mul(g('ox'), g('K')))))}
        ${set('c', '(i32.const 0)')}
        (block $wd (loop $wl
          (br_if $wd (i32.gt_u ${add(g('c'), '(i32.const 4)')} ${g('C')}))
          ${sum(true, (k) => add(g('src'), shl2(add(mul(idxAt(g('ip'), k), g('C')), g('c')))), g('wp'))}
          (v128.store ${g('q')} ${g('acc')})
          ${set('q', add(g('q'), '(i32.const 16)'))} ${set('c', add(g('c'), '(i32.const 4)'))}
          (br $wl)))
        (block $td (loop $tl
          (br_if $td (i32.ge_u ${g('c')} ${g('C')}))
          ${sum(false, (k) => add(g('src'), shl2(add(mul(idxAt(g('ip'), k), g('C')), g('c')))), g('wp'))}
          (v128.store32_lane 0 ${g('q')} ${g('acc')})
          ${set('q', add(g('q'), '(i32.const 4)'))} ${set('c', add(g('c'), '(i32.const 1)'))}
          (br $tl)))
        ${set('ox', add(g('ox'), '(i32.const 1)'))}
        (br $pixels)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows)))`;
  const v = `${set('i', g('start'))}
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      ${set('oy', `(i32.rem_u ${g('i')} ${g('OH')})`)}
      ${set('src', add(g('t'), shl2(mul(mul(`(i32.div_u ${g('i')} ${g('OH')})`, g('H')), g('n')))))}
      ${set('ip', add(g('idx'), shl2(mul(g('oy'), g('K')))))} ${set('wp', add(g('w'), shl2(mul(g('oy'), g('K')))))}
      ${set('q', add(g('y'), shl2(mul(g('i'), g('n')))))}
      ${set('c', '(i32.const 0)')}
      (block $wd (loop $wl
        (br_if $wd (i32.gt_u ${add(g('c'), '(i32.const 4)')} ${g('n')}))
        ${sum(true, (k) => add(g('src'), shl2(add(mul(idxAt(g('ip'), k), g('n')), g('c')))), g('wp'))}
        (v128.store ${g('q')} ${g('acc')})
        ${set('q', add(g('q'), '(i32.const 16)'))} ${set('c', add(g('c'), '(i32.const 4)'))}
        (br $wl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u ${g('c')} ${g('n')}))
        ${sum(false, (k) => add(g('src'), shl2(add(mul(idxAt(g('ip'), k), g('n')), g('c')))), g('wp'))}
        (v128.store32_lane 0 ${g('q')} ${g('acc')})
        ${set('q', add(g('q'), '(i32.const 4)'))} ${set('c', add(g('c'), '(i32.const 1)'))}
        (br $tl)))
      ${set('i', add(g('i'), '(i32.const 1)'))}
      (br $rows)))`;
  const locals = '(local $i i32) (local $src i32) (local $q i32) (local $ip i32) (local $wp i32) (local $c i32) (local $k i32) (local $acc v128)';
  return `(func (export "taps_h") (param $x i32) (param $t i32) (param $W i32) (param $OW i32) (param $C i32) (param $K i32) (param $idx i32) (param $w i32) (param $start i32) (param $end i32)
    ${locals} (local $ox i32)
    ${h})
  (func (export "taps_v") (param $t i32) (param $y i32) (param $H i32) (param $OH i32) (param $n i32) (param $K i32) (param $idx i32) (param $w i32) (param $start i32) (param $end i32)
    ${locals} (local $oy i32)
    ${v})`;
}

export const resizeFamily: WatFamily = {
  name: 'resize',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${nchw('nearest')}\n${nchw('linear')}\n${nhwc('nearest')}\n${nhwc('linear')}\n${separable()}\n${hlerpNhwc()}\n${taps()}\n)`;
  },
};
