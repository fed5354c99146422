/**
 * NHWC depthwise kernels of the `dwconv` family, channel multiplier 1: `f32_dwconv_nhwc_k{K}` with
 * the kernel width K ∈ {3, 5} unrolled (any kernel height, strides, dilations, padding). The
 * parameter block is conv's (CP in conv.wat.ts); rows are (n, oh) in (r0, r1).
 *
 * Channels are the vector dim, so the stride only changes addressing. Per output row:
 * - interior pixels (every tap inside the row) go PX = 2 at a time: each filter vector loaded once
 *   serves both pixels (4 accumulators over 8 channels, then 2 over 4), which cuts the loads per
 *   multiply-add from 2 to 1.5; the taps need no range checks;
 * - border pixels, the odd interior pixel and channels past the last multiple of 4 go through
 *   `$dw_nhwc_px`, one pixel over its in-range taps.
 * Each output sums bias, then taps in (kh, kw) order skipping out-of-image taps, as conv's
 * `f32_dwconv_nhwc` does, so both give the same bits.
 */
import { CP } from './conv.wat.js';
import { perActivation, postSwitch } from './dwconv-act.wat.js';
import { ACT_CODES, EPI_LOCALS, activation } from './gemm.wat.js';
import { madd, type WatVariant } from './templates/wat.js';

/**
 * Interior tiles: PX pixels × PV vectors (8 channels), sharing each filter load across the pixels.
 * 1 thread, relaxed, same process, loaded machine (A/B against f32_dwconv_nhwc, medians): 2 × 2
 * gave 1.05–1.4× on the det and MobileNetV2 shapes; 2 pixels × 4 vectors lost up to 1.5× (8
 * accumulators + 4 filter vectors spill), 3 × 2, 4 × 1 and 4 × 2 were no better than 2 × 2.
 */
const PV = 2;
const PX = 2;
export const NHWC_WIDTHS = [3, 5] as const;
export const dwNhwcExport = (k: number) => `f32_dwconv_nhwc_k${k}`;

/**
 * Where the pair kernel beats conv's f32_dwconv_nhwc: a pixel pair's input window and filter taps
 * fit in L1 (32 KB). The pair kernel sweeps that window once per 8 channels (half a cache line),
 * so a window that does not fit is fetched twice; conv's kernel sweeps 16 channels (a line) per
 * pixel. Measured (A/B in one process, and inside PaddleOCR det in NHWC): 3×3 windows of 48–144
 * channels 1.1–1.3×; 5×5 × 192 (42 KB) 0.77–0.95×, 5×5 × 384 0.91×, 3×3 × 576 (48 KB) 1.0×.
 */
export function dwNhwcFits(kH: number, kW: number, sW: number, dW: number, C: number): boolean {
  return (kH * ((kW - 1) * dW + 1 + sW) + kH * kW) * C * 4 <= 32768;
}

const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const ld = (word: number) => `(i32.load offset=${word * 4} (local.get $pb))`;
const ldf = (word: number) => `(f32.load offset=${word * 4} (local.get $pb))`;
const add = (...xs: string[]) => xs.reduce((a, b) => `(i32.add ${a} ${b})`);
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const shl2 = (a: string) => `(i32.shl ${a} ${i(2)})`;
const set = (n: string, e: string) => `(local.set ${n} ${e})`;
const ZERO = '(v128.const i32x4 0 0 0 0)';
const GEOM = ['H', 'W', 'C', 'kH', 'kW', 'sH', 'sW', 'dH', 'dW', 'padT', 'padL', 'oH', 'oW'] as const;
const loadGeom = () => GEOM.map((n) => set(`$${n}`, ld(CP[n]))).join(' ');
const actParams = () => `${set('$v0', `(f32x4.splat ${ldf(CP.p0)})`)} ${set('$v1', `(f32x4.splat ${ldf(CP.p1)})`)}`;
/** Byte steps: next kh (dH input rows), next kw (dW pixels), next filter row (kW taps), one pixel (C floats). */
const steps = () => `${set('$cb', shl2(g('$C')))} ${set('$xsh', mul(mul(g('$dH'), g('$W')), g('$cb')))}
  ${set('$xsw', mul(g('$dW'), g('$cb')))} ${set('$wsh', mul(g('$kW'), g('$cb')))} ${set('$vend', `(i32.and ${g('$cb')} ${i(-16)})`)}`;

/**
 * One output pixel ow, channels from byte offset o0, over its in-range taps: kernel rows
 * [kh0, kh0 + nkh) are the caller's (xrow/wrow point at their first, xrow at input column −padL).
 */
function pixel(v: WatVariant): string {
  const nest = (act: number) => {
    const tile = (nv: number) => {
      const J = nv === 0 ? [0] : Array.from({ length: nv }, (_, j) => j);
      const load = (p: string, j: number) => (nv === 0 ? `(v128.load32_splat ${p})` : `(v128.load offset=${16 * j} ${p})`);
      return `${J.map((j) => set(`$acc${j}`, `(if (result v128) ${g('$bias')} (then ${load(add(g('$bias'), g('$o')), j)}) (else ${ZERO}))`)).join(' ')}
        ${set('$xh', add(g('$xc'), g('$o')))} ${set('$wh', add(g('$wk'), g('$o')))} ${set('$kh', g('$nkh'))}
        (block $hd (loop $hl (br_if $hd (i32.eqz ${g('$kh')}))
          ${set('$xq', g('$xh'))} ${set('$wq', g('$wh'))} ${set('$kw', g('$nk'))}
          (block $wd (loop $wl (br_if $wd (i32.eqz ${g('$kw')}))
            ${J.map((j) => set(`$acc${j}`, madd(v, load(g('$xq'), j), load(g('$wq'), j), g(`$acc${j}`)))).join(' ')}
            ${set('$xq', add(g('$xq'), g('$xsw')))} ${set('$wq', add(g('$wq'), g('$cb')))} ${set('$kw', sub(g('$kw'), i(1)))} (br $wl)))
          ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), g('$wsh')))} ${set('$kh', sub(g('$kh'), i(1)))} (br $hl)))
        ${J.map((j) => `${set('$x', g(`$acc${j}`))} ${activation(act)} ${nv === 0 ? `(v128.store32_lane 0 ${add(g('$yp'), g('$o'))} ${g('$x')})` : `(v128.store offset=${16 * j} ${add(g('$yp'), g('$o'))} ${g('$x')})`}`).join(' ')}`;
    };
    const loop = (nv: number, lbl: string) => {
      const bytes = nv === 0 ? 4 : 16 * nv;
      const cond = nv === 0 ? `(i32.ge_u ${g('$o')} ${g('$cb')})` : `(i32.gt_u ${add(g('$o'), i(bytes))} ${g('$vend')})`;
      return `(block $${lbl}d (loop $${lbl}l (br_if $${lbl}d ${cond})
        ${tile(nv)}
        ${set('$o', add(g('$o'), i(bytes)))} (br $${lbl}l)))`;
    };
    return `${loop(4, 't4')} ${loop(1, 't1')} ${loop(0, 't0')}`;
  };
  return `(func $dw_nhwc_px (param $pb i32) (param $xrow i32) (param $wrow i32) (param $yrow i32) (param $ow i32) (param $o i32) (param $nkh i32)
  ${[...GEOM, 'iwb', 'kw0', 'nk', 'xc', 'wk', 'yp', 'xh', 'wh', 'xq', 'wq', 'kh', 'kw', 'cb', 'xsh', 'xsw', 'wsh', 'vend', 'bias'].map((n) => `(local $${n} i32)`).join(' ')}
  (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $v0 v128) (local $v1 v128) ${EPI_LOCALS}
  ${loadGeom()} ${actParams()} ${steps()} ${set('$bias', ld(CP.bias))}
  ;; taps kw in [kw0, kw0 + nk) with 0 ≤ iwb + kw·dW < W
  ${set('$iwb', sub(mul(g('$ow'), g('$sW')), g('$padL')))}
  ${set('$kw0', `(select (i32.div_u ${add(sub(i(0), g('$iwb')), g('$dW'), i(-1))} ${g('$dW')}) ${i(0)} (i32.lt_s ${g('$iwb')} ${i(0)}))`)}
  ${set('$nk', `(select (i32.div_u ${add(sub(g('$W'), g('$iwb')), g('$dW'), i(-1))} ${g('$dW')}) ${i(0)} (i32.gt_s ${g('$W')} ${g('$iwb')}))`)}
  (if (i32.gt_u ${g('$nk')} ${g('$kW')}) (then ${set('$nk', g('$kW'))}))
  ${set('$nk', `(select ${sub(g('$nk'), g('$kw0'))} ${i(0)} (i32.gt_s ${g('$nk')} ${g('$kw0')}))`)}
  ${set('$xc', add(g('$xrow'), mul(add(mul(g('$ow'), g('$sW')), mul(g('$kw0'), g('$dW'))), g('$cb'))))}
  ${set('$wk', add(g('$wrow'), mul(g('$kw0'), g('$cb'))))}
  ${set('$yp', add(g('$yrow'), mul(g('$ow'), g('$cb'))))}
  ${perActivation(nest)})`;
}

/** Width-K kernel: PX interior pixels per pass. */
function kernel(v: WatVariant, K: number): string {
  const pair = (nv: number, act: number) => {
    const J = Array.from({ length: nv }, (_, j) => j);
    const acc = (p: number, j: number) => `$acc${p}${j}`;
    const PS = Array.from({ length: PX }, (_, q) => q);
    const T: string[] = [];
    for (let kw = 0; kw < K; kw++) {
      for (let q = 1; q < PX; q++) T.push(set(`$xq${q}`, add(g(q > 1 ? `$xq${q - 1}` : '$xq'), g('$xpix'))));
      for (const j of J) T.push(set(`$wv${j}`, `(v128.load offset=${16 * j} ${g('$wq')})`));
      for (const j of J) {
        for (const q of PS) T.push(set(acc(q, j), madd(v, `(v128.load offset=${16 * j} ${g(q ? `$xq${q}` : '$xq')})`, g(`$wv${j}`), g(acc(q, j)))));
      }
      if (kw < K - 1) T.push(set('$xq', add(g('$xq'), g('$xsw'))), set('$wq', add(g('$wq'), g('$cb'))));
    }
    const store = (p: number, j: number) => `${set('$x', g(acc(p, j)))} ${activation(act)} (v128.store offset=${16 * j} ${add(g('$yp'), p ? mul(g('$cb'), i(p)) : i(0), g('$o'))} ${g('$x')})`;
    return `${J.map((j) => `${set(acc(0, j), `(if (result v128) ${g('$bias')} (then (v128.load offset=${16 * j} ${add(g('$bias'), g('$o'))})) (else ${ZERO}))`)} ${PS.slice(1).map((q) => set(acc(q, j), g(acc(0, j)))).join(' ')}`).join(' ')}
        ${set('$xh', add(g('$xp'), g('$o')))} ${set('$wh', add(g('$wrow'), g('$o')))} ${set('$kh', g('$nkh'))}
        (block $hd (loop $hl (br_if $hd (i32.eqz ${g('$kh')}))
          ${set('$xq', g('$xh'))} ${set('$wq', g('$wh'))}
          ${T.join('\n          ')}
          ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), g('$wsh')))} ${set('$kh', sub(g('$kh'), i(1)))} (br $hl)))
        ${J.map((j) => PS.map((q) => store(q, j)).join(' ')).join('\n        ')}`;
  };
  const px = (ow: string, o: string) => `(call $dw_nhwc_px ${g('$pb')} ${g('$xrow')} ${g('$wrow')} ${g('$yrow')} ${ow} ${o} ${g('$nkh')})`;
  const nest = (act: number) => {
    const post = act === ACT_CODES.linear ? postSwitch('$yrow', '$cnt') : '';
    return `${set('$r', g('$r0'))}
    (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
      ${set('$ihb', sub(mul(`(i32.rem_u ${g('$r')} ${g('$oH')})`, g('$sH')), g('$padT')))}
      ;; [kh0, kh0 + nkh): the kernel rows inside the image
      ${set('$kh0', i(0))} ${set('$nkh', i(0))} ${set('$t', i(0))}
      (block $thd (loop $thl (br_if $thd (i32.ge_u ${g('$t')} ${g('$kH')}))
        (if (i32.lt_u ${add(g('$ihb'), mul(g('$t'), g('$dH')))} ${g('$H')})
          (then (if (i32.eqz ${g('$nkh')}) (then ${set('$kh0', g('$t'))})) ${set('$nkh', sub(add(g('$t'), i(1)), g('$kh0')))}))
        ${set('$t', add(g('$t'), i(1)))} (br $thl)))
      ;; image n's first in-range kernel row, at input column −padL
      ${set('$xrow', add(g('$x0'), mul(sub(mul(add(mul(`(i32.div_u ${g('$r')} ${g('$oH')})`, g('$H')), g('$ihb'), mul(g('$kh0'), g('$dH'))), g('$W')), g('$padL')), g('$cb'))))}
      ${set('$wrow', add(g('$w'), mul(g('$kh0'), g('$wsh'))))}
      ${set('$yrow', add(g('$yb'), mul(mul(g('$r'), g('$oW')), g('$cb'))))}
      ${set('$ow', i(0))}
      (block $lbd (loop $lbl (br_if $lbd (i32.ge_s ${g('$ow')} ${g('$owL')}))
        ${px(g('$ow'), i(0))} ${set('$ow', add(g('$ow'), i(1)))} (br $lbl)))
      (block $pd (loop $pl (br_if $pd (i32.gt_s ${add(g('$ow'), i(PX))} ${g('$owR')}))
        ${set('$xp', add(g('$xrow'), mul(g('$ow'), g('$xpix'))))} ${set('$yp', add(g('$yrow'), mul(g('$ow'), g('$cb'))))} ${set('$o', i(0))}
        (block $p4d (loop $p4l (br_if $p4d (i32.gt_u ${add(g('$o'), i(16 * PV))} ${g('$vend')}))
          ${pair(PV, act)}
          ${set('$o', add(g('$o'), i(16 * PV)))} (br $p4l)))
        (block $p1d (loop $p1l (br_if $p1d (i32.gt_u ${add(g('$o'), i(16))} ${g('$vend')}))
          ${pair(1, act)}
          ${set('$o', add(g('$o'), i(16)))} (br $p1l)))
        (if (i32.lt_u ${g('$o')} ${g('$cb')}) (then ${Array.from({ length: PX }, (_, q) => px(q ? add(g('$ow'), i(q)) : g('$ow'), g('$o'))).join(' ')}))
        ${set('$ow', add(g('$ow'), i(PX)))} (br $pl)))
      (block $rbd (loop $rbl (br_if $rbd (i32.ge_s ${g('$ow')} ${g('$oW')}))
        ${px(g('$ow'), i(0))} ${set('$ow', add(g('$ow'), i(1)))} (br $rbl)))
      ${post}
      ${set('$r', add(g('$r'), i(1)))} (br $rl)))`;
  };
  const names = [...GEOM, 'r', 't', 'ihb', 'kh0', 'nkh', 'kh', 'x0', 'w', 'yb', 'bias', 'xrow', 'wrow', 'yrow', 'xp', 'yp', 'xh', 'wh', 'xq', ...Array.from({ length: PX - 1 }, (_, q) => `xq${q + 1}`), 'wq', 'o', 'ow', 'owL', 'owR', 'cb', 'xsh', 'xsw', 'wsh', 'xpix', 'vend', 'act', 'cnt', 'yq'];
  const vecs = [...Array.from({ length: PV }, (_, j) => `wv${j}`), ...Array.from({ length: PX }, (_, p) => Array.from({ length: PV }, (_, j) => `acc${p}${j}`)).flat()];
  return `(func (export "${dwNhwcExport(K)}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${names.map((n) => `(local $${n} i32)`).join(' ')}
  ${vecs.map((n) => `(local $${n} v128)`).join(' ')} (local $v0 v128) (local $v1 v128) ${EPI_LOCALS}
  ${loadGeom()} ${actParams()} ${steps()}
  ${set('$x0', ld(CP.x))} ${set('$yb', ld(CP.y))} ${set('$w', ld(CP.w))} ${set('$bias', ld(CP.bias))} ${set('$act', ld(CP.act))}
  ${set('$xpix', mul(g('$sW'), g('$cb')))} ${set('$cnt', mul(g('$oW'), g('$C')))}
  ;; interior pixels [owL, owR): ow·sW − padL ≥ 0 and ow·sW − padL + (K − 1)·dW < W
  ${set('$owL', `(i32.div_u ${add(g('$padL'), g('$sW'), i(-1))} ${g('$sW')})`)}
  (if (i32.gt_s ${g('$owL')} ${g('$oW')}) (then ${set('$owL', g('$oW'))}))
  ${set('$t', sub(add(g('$W'), g('$padL')), add(mul(i(K - 1), g('$dW')), i(1))))}
  ${set('$owR', `(select (i32.add (i32.div_u ${g('$t')} ${g('$sW')}) ${i(1)}) ${i(0)} (i32.ge_s ${g('$t')} ${i(0)}))`)}
  (if (i32.gt_s ${g('$owR')} ${g('$oW')}) (then ${set('$owR', g('$oW'))}))
  (if (i32.lt_s ${g('$owR')} ${g('$owL')}) (then ${set('$owR', g('$owL'))}))
  ${perActivation(nest)})`;
}

export function nhwcKernels(v: WatVariant): string {
  return [pixel(v), ...NHWC_WIDTHS.map((k) => kernel(v, k))].join('\n');
}
