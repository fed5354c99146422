/**
 * WAT template of the `conv` family: the non-GEMM halves of convolution. Every export takes a
 * parameter block `pb` (i32 words at CP below, f32 activation scalars) and a row range (r0, r1).
 *
 * - `f32_im2col_nhwc`: rows (g, n, od, oh, ow) of a [G, N·P, kD·kH·kW·Cg] patch matrix (P output
 *   pixels), one copy (or zero fill for padding) of Cg channels per tap, or of kW·C channels per
 *   kernel row when the row lies inside the image;
 * - `f32_im2col_nchw`: rows (n, g, c, kd, kh, kw) of [N·G, Cg·kD·kH·kW, P] (B operands of W·col),
 *   the stride-1 case as one copy per output row with zero-filled edges;
 * - `f32_dwconv_nhwc`: depthwise convolution on output rows (n, oh), 4 channels per vector, bias
 *   and activation fused (channel multiplier > 1 goes one channel at a time);
 * - `f32_dwconv_nchw`: depthwise on output rows (n, m, oh), 4 output columns per vector where the
 *   stride is 1 and the taps are inside the image, single columns elsewhere;
 * - `f32_bias_act`: y = act(src + bias) over strided rows (the epilogue of grouped convs);
 * - `f32_transpose`: per batch, [R, Cc] → [Cc, R] (NCHW ↔ NHWC around the GEMM of NCHW convs);
 * - `f32_col2im`: ConvTranspose's gather from the [N·G, D·H·W, Mg·taps] column matrix, one output
 *   pixel (all its channels) per row: each output is written by one thread, summing its taps in a
 *   fixed order (no races, the same bits on any thread count); bias and activation fused.
 *   NHWC sums 4 channels per vector (the columns hold a tap's channels contiguously).
 * Activations are the GEMM epilogue's own code (gemm.wat.ts), so fused results agree across ops.
 */
import { EPI_LOCALS, activation } from './gemm.wat.js';
import { ACT_CODES } from './gemm.wat.js';
import { madd, memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Parameter block word indices. */
export const CP = {
  x: 0, y: 1, w: 2, bias: 3, N: 4, H: 5, W: 6, C: 7, Cg: 8, kH: 9, kW: 10, sH: 11, sW: 12, dH: 13, dW: 14,
  padT: 15, padL: 16, oH: 17, oW: 18, M: 19, mult: 20, act: 21, p0: 22, p1: 23, G: 24,
  // f32_bias_act: row r = a·B + b reads src + a·sa + b·sb, writes y + a·da + b·db, bias + b·bb (bstep: vector bias)
  src: 25, B: 26, sa: 27, sb: 28, da: 29, db: 30, bb: 31, bstep: 32, L: 33,
  // depth (3-D convs; 1, 1, 1, 1, 0, 1 otherwise), read by the im2col kernels only
  D: 34, kD: 35, sD: 36, dD: 37, padF: 38, oD: 39,
  // f32_col2im: column matrix at src, element (output channel mm of a group, tap k) at mm·sm + k·sk; nhwc flag
  sm: 40, sk: 41, nhwc: 42,
  words: 43,
} as const;

export const IM2COL_NHWC = 'f32_im2col_nhwc';
export const IM2COL_NCHW = 'f32_im2col_nchw';
export const DWCONV_NHWC = 'f32_dwconv_nhwc';
export const DWCONV_NCHW = 'f32_dwconv_nchw';
export const BIAS_ACT = 'f32_bias_act';
export const COL2IM = 'f32_col2im';
export const TRANSPOSE = 'f32_transpose';

const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const ld = (word: number) => `(i32.load offset=${word * 4} (local.get $pb))`;
const ldf = (word: number) => `(f32.load offset=${word * 4} (local.get $pb))`;
const add = (...xs: string[]) => xs.reduce((a, b) => `(i32.add ${a} ${b})`);
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const ZERO = '(v128.const i32x4 0 0 0 0)';
const set = (n: string, e: string) => `(local.set ${n} ${e})`;
const locals = (names: string[], t = 'i32') => names.map((n) => `(local $${n} ${t})`).join(' ');
/** Geometry of the block loaded into same-named locals. */
const GEOM = ['N', 'H', 'W', 'C', 'Cg', 'kH', 'kW', 'sH', 'sW', 'dH', 'dW', 'padT', 'padL', 'oH', 'oW', 'M', 'G'] as const;
const DEPTH = ['D', 'kD', 'sD', 'dD', 'padF', 'oD'] as const;
const loadDepth = () => DEPTH.map((n) => set(`$${n}`, ld(CP[n]))).join(' ');
const loadGeom = () => GEOM.map((n) => set(`$${n}`, ld(CP[n]))).join(' ');

/** One copy of `nest(act)` per activation code, chosen by br_table on the block's act word. */
function perActivation(nest: (act: number) => string): string {
  const acts = Object.values(ACT_CODES);
  let sw = `(br_table ${acts.map((a) => `$a${a}`).join(' ')} $a0 ${ld(CP.act)})`;
  for (const a of acts) sw = `(block $a${a} ${sw}) ${nest(a)} (br $out)`;
  return `(block $out ${sw})`;
}

const ACT_LOCALS = `(local $v0 v128) (local $v1 v128) ${EPI_LOCALS}`;
const loadActParams = () => `${set('$v0', `(f32x4.splat ${ldf(CP.p0)})`)} ${set('$v1', `(f32x4.splat ${ldf(CP.p1)})`)}`;

/**
 * Byte copy and zero fill for the short runs of im2col (a few channels per tap): v128 then i32
 * moves inline; `memory.copy`/`memory.fill` are engine calls that cost more than such a run
 * (NHWC im2col of a 3-channel 5×5 conv spent most of its time in them). n is a multiple of 4.
 */
function byteHelpers(): string {
  return `(func $copy_bytes (param $d i32) (param $s i32) (param $n i32)
  (if (i32.ge_u (local.get $n) (i32.const 256)) (then (memory.copy (local.get $d) (local.get $s) (local.get $n)) (return)))
  (block $vd (loop $vl (br_if $vd (i32.lt_u (local.get $n) (i32.const 16)))
    (v128.store (local.get $d) (v128.load (local.get $s)))
    (local.set $d (i32.add (local.get $d) (i32.const 16))) (local.set $s (i32.add (local.get $s) (i32.const 16)))
    (local.set $n (i32.sub (local.get $n) (i32.const 16))) (br $vl)))
  (block $sd (loop $sl (br_if $sd (i32.eqz (local.get $n)))
    (i32.store (local.get $d) (i32.load (local.get $s)))
    (local.set $d (i32.add (local.get $d) (i32.const 4))) (local.set $s (i32.add (local.get $s) (i32.const 4)))
    (local.set $n (i32.sub (local.get $n) (i32.const 4))) (br $sl))))
(func $zero_bytes (param $d i32) (param $n i32)
  (if (i32.ge_u (local.get $n) (i32.const 256)) (then (memory.fill (local.get $d) (i32.const 0) (local.get $n)) (return)))
  (block $vd (loop $vl (br_if $vd (i32.lt_u (local.get $n) (i32.const 16)))
    (v128.store (local.get $d) (v128.const i32x4 0 0 0 0))
    (local.set $d (i32.add (local.get $d) (i32.const 16))) (local.set $n (i32.sub (local.get $n) (i32.const 16))) (br $vl)))
  (block $sd (loop $sl (br_if $sd (i32.eqz (local.get $n)))
    (i32.store (local.get $d) (i32.const 0))
    (local.set $d (i32.add (local.get $d) (i32.const 4))) (local.set $n (i32.sub (local.get $n) (i32.const 4))) (br $sl))))`;
}

function im2colNhwc(): string {
  return `(func (export "${IM2COL_NHWC}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals([...GEOM, ...DEPTH, 'r', 'P', 'HW', 'NP', 'cb', 'dst', 'rr', 'n', 'p', 'q', 'id', 'ih', 'iw', 'idb', 'ihb', 'iwb', 'kd', 'kh', 'kw', 'base', 'x', 'gi', 'od', 'oh', 'ow'])}
  ${loadGeom()} ${loadDepth()}
  ${set('$x', ld(CP.x))}
  ${set('$HW', mul(g('$oH'), g('$oW')))} ${set('$P', mul(g('$oD'), g('$HW')))} ${set('$NP', mul(g('$N'), g('$P')))} ${set('$cb', `(i32.shl ${g('$Cg')} ${i(2)})`)}
  ${set('$dst', add(ld(CP.y), mul(g('$r0'), mul(mul(mul(g('$kD'), g('$kH')), g('$kW')), g('$cb')))))}
  ;; the row's (group, n, od, oh, ow) by division once, then by counting (divisions per row cost
  ;; more than copying a few channels: 1-channel 28×28 5×5 went from ~80 to ~15 µs)
  ${set('$r', g('$r0'))}
  ${set('$gi', `(i32.div_u ${g('$r')} ${g('$NP')})`)} ${set('$rr', `(i32.rem_u ${g('$r')} ${g('$NP')})`)}
  ${set('$n', `(i32.div_u ${g('$rr')} ${g('$P')})`)} ${set('$p', `(i32.rem_u ${g('$rr')} ${g('$P')})`)}
  ${set('$od', `(i32.div_u ${g('$p')} ${g('$HW')})`)} ${set('$q', `(i32.rem_u ${g('$p')} ${g('$HW')})`)}
  ${set('$oh', `(i32.div_u ${g('$q')} ${g('$oW')})`)} ${set('$ow', `(i32.rem_u ${g('$q')} ${g('$oW')})`)}
  (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
    ${set('$idb', `(i32.sub ${mul(g('$od'), g('$sD'))} ${g('$padF')})`)}
    ${set('$ihb', `(i32.sub ${mul(g('$oh'), g('$sH'))} ${g('$padT')})`)}
    ${set('$iwb', `(i32.sub ${mul(g('$ow'), g('$sW'))} ${g('$padL')})`)}
    ${set('$base', add(g('$x'), `(i32.shl ${add(mul(mul(mul(mul(g('$n'), g('$D')), g('$H')), g('$W')), g('$C')), mul(g('$gi'), g('$Cg')))} ${i(2)})`))}
    ${set('$kd', i(0))}
    (block $dd (loop $dl (br_if $dd (i32.ge_u ${g('$kd')} ${g('$kD')}))
      ${set('$id', add(g('$idb'), mul(g('$kd'), g('$dD'))))}
      ${set('$kh', i(0))}
      (block $hd (loop $hl (br_if $hd (i32.ge_u ${g('$kh')} ${g('$kH')}))
        ${set('$ih', add(g('$ihb'), mul(g('$kh'), g('$dH'))))}
        ;; dilation 1 and one group with the whole kernel row inside the image: the kW taps are
        ;; one contiguous run of kW·C floats, copied at once
        (if (i32.and (i32.and (i32.eq ${g('$dW')} ${i(1)}) (i32.eq ${g('$Cg')} ${g('$C')}))
              (i32.and (i32.and (i32.lt_u ${g('$id')} ${g('$D')}) (i32.lt_u ${g('$ih')} ${g('$H')}))
                (i32.and (i32.ge_s ${g('$iwb')} ${i(0)}) (i32.le_s ${add(g('$iwb'), g('$kW'))} ${g('$W')}))))
          (then
            (call $copy_bytes ${g('$dst')} ${add(g('$base'), `(i32.shl ${mul(add(mul(add(mul(g('$id'), g('$H')), g('$ih')), g('$W')), g('$iwb')), g('$C'))} ${i(2)})`)} ${mul(g('$kW'), g('$cb'))})
            ${set('$dst', add(g('$dst'), mul(g('$kW'), g('$cb'))))})
          (else
        ${set('$kw', i(0))}
        (block $wd (loop $wl (br_if $wd (i32.ge_u ${g('$kw')} ${g('$kW')}))
          ${set('$iw', add(g('$iwb'), mul(g('$kw'), g('$dW'))))}
          (if (i32.and (i32.and (i32.lt_u ${g('$id')} ${g('$D')}) (i32.lt_u ${g('$ih')} ${g('$H')})) (i32.lt_u ${g('$iw')} ${g('$W')}))
            (then (call $copy_bytes ${g('$dst')} ${add(g('$base'), `(i32.shl ${mul(add(mul(add(mul(g('$id'), g('$H')), g('$ih')), g('$W')), g('$iw')), g('$C'))} ${i(2)})`)} ${g('$cb')}))
            (else (call $zero_bytes ${g('$dst')} ${g('$cb')})))
          ${set('$dst', add(g('$dst'), g('$cb')))}
          ${set('$kw', add(g('$kw'), i(1)))} (br $wl)))))
        ${set('$kh', add(g('$kh'), i(1)))} (br $hl)))
      ${set('$kd', add(g('$kd'), i(1)))} (br $dl)))
    ;; next row: ow, then oh, od, n, group
    ${set('$ow', add(g('$ow'), i(1)))}
    (if (i32.eq ${g('$ow')} ${g('$oW')}) (then ${set('$ow', i(0))} ${set('$oh', add(g('$oh'), i(1)))}
      (if (i32.eq ${g('$oh')} ${g('$oH')}) (then ${set('$oh', i(0))} ${set('$od', add(g('$od'), i(1)))}
        (if (i32.eq ${g('$od')} ${g('$oD')}) (then ${set('$od', i(0))} ${set('$n', add(g('$n'), i(1)))}
          (if (i32.eq ${g('$n')} ${g('$N')}) (then ${set('$n', i(0))} ${set('$gi', add(g('$gi'), i(1)))}))))))))
    ${set('$r', add(g('$r'), i(1)))} (br $rl))))`;
}

function im2colNchw(): string {
  return `(func (export "${IM2COL_NCHW}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals([...GEOM, ...DEPTH, 'r', 'P', 'KK', 'Kg', 'b', 'k', 't', 'c', 'kd', 'kh', 'kw', 'plane', 'dst', 'od', 'oh', 'ow', 'id', 'ih', 'iw', 'off', 'lo', 'hi', 'row'])}
  ${loadGeom()} ${loadDepth()}
  ${set('$P', mul(mul(g('$oD'), g('$oH')), g('$oW')))} ${set('$KK', mul(mul(g('$kD'), g('$kH')), g('$kW')))} ${set('$Kg', mul(g('$Cg'), g('$KK')))}
  ${set('$r', g('$r0'))}
  (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
    ${set('$b', `(i32.div_u ${g('$r')} ${g('$Kg')})`)} ${set('$k', `(i32.rem_u ${g('$r')} ${g('$Kg')})`)}
    ${set('$c', `(i32.div_u ${g('$k')} ${g('$KK')})`)} ${set('$t', `(i32.rem_u ${g('$k')} ${g('$KK')})`)}
    ${set('$kw', `(i32.rem_u ${g('$t')} ${g('$kW')})`)} ${set('$t', `(i32.div_u ${g('$t')} ${g('$kW')})`)}
    ${set('$kh', `(i32.rem_u ${g('$t')} ${g('$kH')})`)} ${set('$kd', `(i32.div_u ${g('$t')} ${g('$kH')})`)}
    ;; input channel (n·C + g·Cg + c) = b / G · C + b % G · Cg + c
    ${set('$plane', add(ld(CP.x), `(i32.shl ${mul(add(mul(`(i32.div_u ${g('$b')} ${g('$G')})`, g('$C')), mul(`(i32.rem_u ${g('$b')} ${g('$G')})`, g('$Cg')), g('$c')), mul(mul(g('$D'), g('$H')), g('$W')))} ${i(2)})`))}
    ${set('$dst', add(ld(CP.y), `(i32.shl ${mul(g('$r'), g('$P'))} ${i(2)})`))}
    ${set('$off', `(i32.sub ${mul(g('$kw'), g('$dW'))} ${g('$padL')})`)}
    ;; stride 1: columns [lo, hi) read the input row at ow + off
    ${set('$lo', `(select ${i(0)} (i32.sub ${i(0)} ${g('$off')}) (i32.gt_s ${g('$off')} ${i(0)}))`)}
    ${set('$lo', `(select ${g('$lo')} ${g('$oW')} (i32.lt_s ${g('$lo')} ${g('$oW')}))`)}
    ${set('$hi', `(i32.sub ${g('$W')} ${g('$off')})`)}
    ${set('$hi', `(select ${g('$hi')} ${g('$oW')} (i32.lt_s ${g('$hi')} ${g('$oW')}))`)}
    ${set('$hi', `(select ${g('$hi')} ${g('$lo')} (i32.gt_s ${g('$hi')} ${g('$lo')}))`)}
    ${set('$od', i(0))}
    (block $dd (loop $dl (br_if $dd (i32.ge_u ${g('$od')} ${g('$oD')}))
    ${set('$id', add(`(i32.sub ${mul(g('$od'), g('$sD'))} ${g('$padF')})`, mul(g('$kd'), g('$dD'))))}
    ${set('$oh', i(0))}
    (block $hd (loop $hl (br_if $hd (i32.ge_u ${g('$oh')} ${g('$oH')}))
      ${set('$ih', add(`(i32.sub ${mul(g('$oh'), g('$sH'))} ${g('$padT')})`, mul(g('$kh'), g('$dH'))))}
      (if (i32.or (i32.ge_u ${g('$id')} ${g('$D')}) (i32.ge_u ${g('$ih')} ${g('$H')}))
        (then (memory.fill ${g('$dst')} ${i(0)} (i32.shl ${g('$oW')} ${i(2)})))
        (else
          ${set('$row', add(g('$plane'), `(i32.shl ${mul(add(mul(g('$id'), g('$H')), g('$ih')), g('$W'))} ${i(2)})`))}
          (if (i32.eq ${g('$sW')} ${i(1)})
            (then
              (memory.fill ${g('$dst')} ${i(0)} (i32.shl ${g('$lo')} ${i(2)}))
              (memory.copy (i32.add ${g('$dst')} (i32.shl ${g('$lo')} ${i(2)})) (i32.add ${g('$row')} (i32.shl (i32.add ${g('$lo')} ${g('$off')}) ${i(2)})) (i32.shl (i32.sub ${g('$hi')} ${g('$lo')}) ${i(2)}))
              (memory.fill (i32.add ${g('$dst')} (i32.shl ${g('$hi')} ${i(2)})) ${i(0)} (i32.shl (i32.sub ${g('$oW')} ${g('$hi')}) ${i(2)})))
            (else
              ${set('$ow', i(0))}
              (block $wd (loop $wl (br_if $wd (i32.ge_u ${g('$ow')} ${g('$oW')}))
                ${set('$iw', add(mul(g('$ow'), g('$sW')), g('$off')))}
                (f32.store (i32.add ${g('$dst')} (i32.shl ${g('$ow')} ${i(2)}))
                  (if (result f32) (i32.lt_u ${g('$iw')} ${g('$W')}) (then (f32.load (i32.add ${g('$row')} (i32.shl ${g('$iw')} ${i(2)})))) (else (f32.const 0))))
                ${set('$ow', add(g('$ow'), i(1)))} (br $wl)))))))
      ${set('$dst', add(g('$dst'), `(i32.shl ${g('$oW')} ${i(2)})`))}
      ${set('$oh', add(g('$oh'), i(1)))} (br $hl)))
    ${set('$od', add(g('$od'), i(1)))} (br $dl)))
    ${set('$r', add(g('$r'), i(1)))} (br $rl))))`;
}

/** [lo, hi) of taps t in [0, k) with 0 ≤ base + t·d < n (scan: kernels are small). */
function tapRange(lo: string, hi: string, base: string, k: string, d: string, n: string, t: string, lbl: string): string {
  return `${set(lo, i(0))} ${set(hi, i(0))} ${set(t, i(0))}
    (block $${lbl}d (loop $${lbl}l (br_if $${lbl}d (i32.ge_u ${g(t)} ${g(k)}))
      (if (i32.lt_u ${add(g(base), mul(g(t), g(d)))} ${g(n)})
        (then (if (i32.eq ${g(hi)} ${i(0)}) (then ${set(lo, g(t))})) ${set(hi, add(g(t), i(1)))}))
      ${set(t, add(g(t), i(1)))} (br $${lbl}l)))
    (if (i32.eqz ${g(hi)}) (then ${set(lo, i(0))}))`;
}

function dwNhwc(v: WatVariant): string {
  const nest = (act: number) => {
    // nv vectors (4 channels each) at byte offset $o; nv = 0: one channel, splatted (multiplier > 1 or a tail)
    const body = (nv: number) => {
      const accs = nv === 0 ? [0] : Array.from({ length: nv }, (_, j) => j);
      const load = (p: string, j: number) => (nv === 0 ? `(v128.load32_splat ${p})` : `(v128.load offset=${16 * j} ${p})`);
      const S: string[] = [];
      for (const j of accs) S.push(set(`$acc${j}`, `(if (result v128) ${g('$bias')} (then ${load(add(g('$bias'), g('$o')), j)}) (else ${ZERO}))`));
      S.push(set('$xh', add(g('$xr0'), g('$xc0'), nv === 0 ? g('$xo') : g('$o'))), set('$wh', add(g('$wk0'), g('$o'))), set('$kh', g('$kh0')));
      S.push(`(block $hd (loop $hl (br_if $hd (i32.ge_u ${g('$kh')} ${g('$kh1')}))
          ${set('$xq', g('$xh'))} ${set('$wq', g('$wh'))} ${set('$kw', g('$nkw'))}
          (block $wd (loop $wl (br_if $wd (i32.eqz ${g('$kw')}))
            ${accs.map((j) => set(`$acc${j}`, madd(v, load(g('$xq'), j), load(g('$wq'), j), g(`$acc${j}`)))).join(' ')}
            ${set('$xq', add(g('$xq'), g('$xsw')))} ${set('$wq', add(g('$wq'), g('$wsw')))} ${set('$kw', `(i32.sub ${g('$kw')} ${i(1)})`)} (br $wl)))
          ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), g('$wsh')))} ${set('$kh', add(g('$kh'), i(1)))} (br $hl)))`);
      for (const j of accs) {
        S.push(set('$x', g(`$acc${j}`)), activation(act));
        S.push(nv === 0 ? `(v128.store32_lane 0 ${add(g('$yp'), g('$o'))} ${g('$x')})` : `(v128.store offset=${16 * j} ${add(g('$yp'), g('$o'))} ${g('$x')})`);
      }
      return S.join('\n');
    };
    return `${set('$r', g('$r0'))}
    (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
      ${set('$ihb', `(i32.sub ${mul(`(i32.rem_u ${g('$r')} ${g('$oH')})`, g('$sH'))} ${g('$padT')})`)}
      ${tapRange('$kh0', '$kh1', '$ihb', '$kH', '$dH', '$H', '$t', 'th')}
      ${set('$xr0', add(g('$x0'), `(i32.shl ${mul(add(mul(mul(`(i32.div_u ${g('$r')} ${g('$oH')})`, g('$H')), g('$W')), mul(add(g('$ihb'), mul(g('$kh0'), g('$dH'))), g('$W'))), g('$C'))} ${i(2)})`))}
      ${set('$ow', i(0))}
      (block $od (loop $ol (br_if $od (i32.ge_u ${g('$ow')} ${g('$oW')}))
        ${set('$iwb', `(i32.sub ${mul(g('$ow'), g('$sW'))} ${g('$padL')})`)}
        ${tapRange('$kw0', '$kw1', '$iwb', '$kW', '$dW', '$W', '$t', 'tw')}
        ${set('$nkw', `(i32.sub ${g('$kw1')} ${g('$kw0')})`)}
        ${set('$xc0', `(i32.shl ${mul(add(g('$iwb'), mul(g('$kw0'), g('$dW'))), g('$C'))} ${i(2)})`)}
        ${set('$wk0', add(g('$w'), `(i32.shl ${mul(add(mul(g('$kh0'), g('$kW')), g('$kw0')), g('$M'))} ${i(2)})`))}
        ${set('$yp', add(g('$yb'), `(i32.shl ${mul(add(mul(g('$r'), g('$oW')), g('$ow')), g('$M'))} ${i(2)})`))}
        ${set('$o', i(0))}
        ;; 16 channels per pass where there are that many: four independent FMA chains per tap
        (block $v4d (loop $v4l (br_if $v4d (i32.gt_u (i32.add ${g('$o')} ${i(64)}) ${g('$vend')}))
          ${body(4)}
          ${set('$o', add(g('$o'), i(64)))} (br $v4l)))
        (block $v2d (loop $v2l (br_if $v2d (i32.gt_u (i32.add ${g('$o')} ${i(32)}) ${g('$vend')}))
          ${body(2)}
          ${set('$o', add(g('$o'), i(32)))} (br $v2l)))
        (block $vd (loop $vl (br_if $vd (i32.gt_u (i32.add ${g('$o')} ${i(16)}) ${g('$vend')}))
          ${body(1)}
          ${set('$o', add(g('$o'), i(16)))} (br $vl)))
        (block $sd (loop $sl (br_if $sd (i32.ge_u ${g('$o')} ${g('$mb')}))
          ${set('$xo', `(i32.shl (i32.div_u (i32.shr_u ${g('$o')} ${i(2)}) ${g('$mult')}) ${i(2)})`)}
          ${body(0)}
          ${set('$o', add(g('$o'), i(4)))} (br $sl)))
        ${set('$ow', add(g('$ow'), i(1)))} (br $ol)))
      ${set('$r', add(g('$r'), i(1)))} (br $rl)))`;
  };
  return `(func (export "${DWCONV_NHWC}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals([...GEOM, 'r', 'ow', 'o', 'xo', 'kh', 'kw', 'kh0', 'kh1', 'kw0', 'kw1', 'nkw', 't', 'ihb', 'iwb', 'x0', 'xr0', 'xc0', 'wk0', 'xh', 'wh', 'xq', 'wq', 'xsh', 'wsh', 'xsw', 'wsw', 'yb', 'yp', 'w', 'bias', 'mult', 'mb', 'vend'])}
  (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) ${ACT_LOCALS}
  ${loadGeom()} ${loadActParams()}
  ${set('$x0', ld(CP.x))} ${set('$yb', ld(CP.y))} ${set('$w', ld(CP.w))} ${set('$bias', ld(CP.bias))} ${set('$mult', ld(CP.mult))}
  ${set('$mb', `(i32.shl ${g('$M')} ${i(2)})`)}
  ;; pointer steps: next kh (input row dH down, filter row), next kw (dW pixels right, next filter tap)
  ${set('$xsh', `(i32.shl ${mul(mul(g('$dH'), g('$W')), g('$C'))} ${i(2)})`)} ${set('$wsh', `(i32.shl ${mul(g('$kW'), g('$M'))} ${i(2)})`)}
  ${set('$xsw', `(i32.shl ${mul(g('$dW'), g('$C'))} ${i(2)})`)} ${set('$wsw', `(i32.shl ${g('$M')} ${i(2)})`)}
  ;; the vector path needs input channel = output channel (multiplier 1)
  ${set('$vend', `(select (i32.and ${g('$mb')} ${i(-16)}) ${i(0)} (i32.eq ${g('$mult')} ${i(1)}))`)}
  ${perActivation(nest)})`;
}

function dwNchw(v: WatVariant): string {
  const nest = (act: number) => {
    // nv vectors: 4·nv output columns at stride 1, every tap inside the row; nv = 0: one column
    const body = (nv: number) => {
      const accs = nv === 0 ? [0] : Array.from({ length: nv }, (_, j) => j);
      const xload = (j: number) => (nv === 0 ? `(v128.load32_splat ${g('$xq')})` : `(v128.load offset=${16 * j} ${g('$xq')})`);
      const S: string[] = accs.map((j) => set(`$acc${j}`, g('$bs')));
      S.push(set('$xh', add(g('$plane'), `(i32.shl ${add(mul(add(g('$ihb'), mul(g('$kh0'), g('$dH'))), g('$W')), g('$iwb'), nv === 0 ? mul(g('$kw0'), g('$dW')) : i(0))} ${i(2)})`)));
      S.push(set('$wh', add(g('$wm'), `(i32.shl ${add(mul(g('$kh0'), g('$kW')), nv === 0 ? g('$kw0') : i(0))} ${i(2)})`)));
      S.push(set('$nk', nv === 0 ? `(i32.sub ${g('$kw1')} ${g('$kw0')})` : g('$kW')), set('$kh', g('$kh0')));
      S.push(`(block $hd (loop $hl (br_if $hd (i32.ge_u ${g('$kh')} ${g('$kh1')}))
          ${set('$xq', g('$xh'))} ${set('$wq', g('$wh'))} ${set('$kw', g('$nk'))}
          (block $wd (loop $wl (br_if $wd (i32.eqz ${g('$kw')}))
            ${set('$wv', `(v128.load32_splat ${g('$wq')})`)}
            ${accs.map((j) => set(`$acc${j}`, madd(v, xload(j), g('$wv'), g(`$acc${j}`)))).join(' ')}
            ${set('$xq', add(g('$xq'), g('$xsw')))} ${set('$wq', add(g('$wq'), i(4)))} ${set('$kw', `(i32.sub ${g('$kw')} ${i(1)})`)} (br $wl)))
          ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), g('$wsh')))} ${set('$kh', add(g('$kh'), i(1)))} (br $hl)))`);
      for (const j of accs) {
        S.push(set('$x', g(`$acc${j}`)), activation(act));
        S.push(nv === 0 ? `(v128.store32_lane 0 ${g('$yp')} ${g('$x')})` : `(v128.store offset=${16 * j} ${g('$yp')} ${g('$x')})`);
      }
      return S.join('\n');
    };
    // can nv vectors start at ow: stride 1, 4·nv columns left, all their taps inside the row
    const fits = (nv: number) => `(i32.and (i32.and ${g('$s1')} (i32.le_u (i32.add ${g('$ow')} ${i(4 * nv)}) ${g('$oW')}))
              (i32.and (i32.ge_s ${g('$iwb')} ${i(0)}) (i32.lt_s (i32.add ${g('$iwb')} (i32.add ${g('$span')} ${i(4 * nv - 1)})) ${g('$W')})))`;
    return `${set('$r', g('$r0'))}
    (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
      ${set('$b', `(i32.div_u ${g('$r')} ${g('$oH')})`)}
      ${set('$m', `(i32.rem_u ${g('$b')} ${g('$M')})`)}
      ${set('$ihb', `(i32.sub ${mul(`(i32.rem_u ${g('$r')} ${g('$oH')})`, g('$sH'))} ${g('$padT')})`)}
      ${tapRange('$kh0', '$kh1', '$ihb', '$kH', '$dH', '$H', '$t', 'th')}
      ;; input plane n·C + m / mult
      ${set('$plane', add(g('$x0'), `(i32.shl ${mul(add(mul(`(i32.div_u ${g('$b')} ${g('$M')})`, g('$C')), `(i32.div_u ${g('$m')} ${g('$mult')})`), mul(g('$H'), g('$W')))} ${i(2)})`))}
      ${set('$wm', add(g('$w'), `(i32.shl ${mul(g('$m'), mul(g('$kH'), g('$kW')))} ${i(2)})`))}
      ${set('$bs', `(if (result v128) ${g('$bias')} (then (v128.load32_splat ${add(g('$bias'), `(i32.shl ${g('$m')} ${i(2)})`)})) (else ${ZERO}))`)}
      ${set('$yp', add(g('$yb'), `(i32.shl ${mul(g('$r'), g('$oW'))} ${i(2)})`))}
      ${set('$ow', i(0))}
      (block $od (loop $ol (br_if $od (i32.ge_u ${g('$ow')} ${g('$oW')}))
        ${set('$iwb', `(i32.sub ${mul(g('$ow'), g('$sW'))} ${g('$padL')})`)}
        (if ${fits(2)}
          (then
            ${body(2)}
            ${set('$yp', add(g('$yp'), i(32)))} ${set('$ow', add(g('$ow'), i(8)))})
          (else (if ${fits(1)}
            (then
              ${body(1)}
              ${set('$yp', add(g('$yp'), i(16)))} ${set('$ow', add(g('$ow'), i(4)))})
            (else
              ${tapRange('$kw0', '$kw1', '$iwb', '$kW', '$dW', '$W', '$t', 'tw')}
              ${body(0)}
              ${set('$yp', add(g('$yp'), i(4)))} ${set('$ow', add(g('$ow'), i(1)))}))))
        (br $ol)))
      ${set('$r', add(g('$r'), i(1)))} (br $rl)))`;
  };
  return `(func (export "${DWCONV_NCHW}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals([...GEOM, 'r', 'b', 'm', 'ow', 'kh', 'kw', 'kh0', 'kh1', 'kw0', 'kw1', 'nk', 't', 'ihb', 'iwb', 'x0', 'plane', 'xh', 'wh', 'xq', 'wq', 'xsh', 'wsh', 'xsw', 'wm', 'yb', 'yp', 'w', 'bias', 'mult', 'span', 's1'])}
  (local $bs v128) (local $wv v128) (local $acc0 v128) (local $acc1 v128) ${ACT_LOCALS}
  ${loadGeom()} ${loadActParams()}
  ${set('$x0', ld(CP.x))} ${set('$yb', ld(CP.y))} ${set('$w', ld(CP.w))} ${set('$bias', ld(CP.bias))} ${set('$mult', ld(CP.mult))}
  ;; taps of one output column span (kW − 1)·dW input columns; steps: next kh (dH rows down, next filter row), next kw
  ${set('$span', mul(`(i32.sub ${g('$kW')} ${i(1)})`, g('$dW')))}
  ${set('$xsh', `(i32.shl ${mul(g('$dH'), g('$W'))} ${i(2)})`)} ${set('$wsh', `(i32.shl ${g('$kW')} ${i(2)})`)} ${set('$xsw', `(i32.shl ${g('$dW')} ${i(2)})`)}
  ${set('$s1', `(i32.eq ${g('$sW')} ${i(1)})`)}
  ${perActivation(nest)})`;
}

function biasAct(): string {
  const nest = (act: number) => {
    const body = (vec: boolean) => {
      const l = (p: string) => (vec ? `(v128.load ${p})` : `(v128.load32_splat ${p})`);
      return `${set('$x', l(add(g('$sp'), g('$o'))))}
        (if ${g('$bias')} (then ${set('$x', `(f32x4.add ${g('$x')} (if (result v128) ${g('$bstep')} (then ${l(add(g('$bp'), g('$o')))}) (else ${g('$bs')})))`)}))
        ${activation(act)}
        ${vec ? `(v128.store ${add(g('$dp'), g('$o'))} ${g('$x')})` : `(v128.store32_lane 0 ${add(g('$dp'), g('$o'))} ${g('$x')})`}`;
    };
    return `${set('$r', g('$r0'))}
    (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
      ${set('$a', `(i32.div_u ${g('$r')} ${g('$B')})`)} ${set('$b', `(i32.rem_u ${g('$r')} ${g('$B')})`)}
      ${set('$sp', add(ld(CP.src), mul(g('$a'), ld(CP.sa)), mul(g('$b'), ld(CP.sb))))}
      ${set('$dp', add(ld(CP.y), mul(g('$a'), ld(CP.da)), mul(g('$b'), ld(CP.db))))}
      ${set('$bp', add(g('$bias'), mul(g('$b'), ld(CP.bb))))}
      (if (i32.and (i32.ne ${g('$bias')} ${i(0)}) (i32.eqz ${g('$bstep')})) (then ${set('$bs', `(v128.load32_splat ${g('$bp')})`)}))
      ${set('$o', i(0))}
      (block $vd (loop $vl (br_if $vd (i32.gt_u (i32.add ${g('$o')} ${i(16)}) ${g('$lb')}))
        ${body(true)}
        ${set('$o', add(g('$o'), i(16)))} (br $vl)))
      (block $sd (loop $sl (br_if $sd (i32.ge_u ${g('$o')} ${g('$lb')}))
        ${body(false)}
        ${set('$o', add(g('$o'), i(4)))} (br $sl)))
      ${set('$r', add(g('$r'), i(1)))} (br $rl)))`;
  };
  return `(func (export "${BIAS_ACT}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals(['r', 'a', 'b', 'B', 'sp', 'dp', 'bp', 'bias', 'bstep', 'o', 'lb'])}
  (local $bs v128) ${ACT_LOCALS}
  ${loadActParams()}
  ${set('$B', ld(CP.B))} ${set('$bias', ld(CP.bias))} ${set('$bstep', ld(CP.bstep))} ${set('$lb', `(i32.shl ${ld(CP.L)} ${i(2)})`)}
  ${perActivation(nest)})`;
}

function col2im(v: WatVariant): string {
  void v;
  // one spatial dim: t = o + pad − k·dil must be a non-negative multiple of the stride, t / stride < n
  const dimLoop = (o: string, k: string, kn: string, pad: string, dil: string, st: string, n: string, idx: string, inner: string, lbl: string) => `
    ${set(k, i(0))}
    (block $${lbl}d (loop $${lbl}l (br_if $${lbl}d (i32.ge_u ${g(k)} ${g(kn)}))
      ${set('$t', `(i32.sub ${add(g(o), g(pad))} ${mul(g(k), g(dil))})`)}
      (if (i32.and (i32.ge_s ${g('$t')} ${i(0)}) (i32.eqz (i32.rem_u ${g('$t')} ${g(st)})))
        (then
          ${set(idx, `(i32.div_u ${g('$t')} ${g(st)})`)}
          (if (i32.lt_u ${g(idx)} ${g(n)}) (then ${inner}))))
      ${set(k, add(g(k), i(1)))} (br $${lbl}l)))`;
  // one valid tap: y[pixel, group channels] += its column segment (NHWC: 4 channels per vector; NCHW: strided)
  const tap = `
    ${set('$src', add(g('$cb'), `(i32.shl ${add(mul(add(mul(add(mul(g('$id'), g('$H')), g('$ih')), g('$W')), g('$iw')), g('$MgKK')), mul(add(mul(add(mul(g('$kd'), g('$kH')), g('$kh')), g('$kW')), g('$kw')), g('$sk')))} ${i(2)})`))}
    (if ${g('$nhwc')}
      (then
        ${set('$o', i(0))}
        (block $avd (loop $avl (br_if $avd (i32.gt_u (i32.add ${g('$o')} ${i(16)}) ${g('$mgb')}))
          (v128.store ${add(g('$yg'), g('$o'))} (f32x4.add (v128.load ${add(g('$yg'), g('$o'))}) (v128.load ${add(g('$src'), g('$o'))})))
          ${set('$o', add(g('$o'), i(16)))} (br $avl)))
        (block $asd (loop $asl (br_if $asd (i32.ge_u ${g('$o')} ${g('$mgb')}))
          (f32.store ${add(g('$yg'), g('$o'))} (f32.add (f32.load ${add(g('$yg'), g('$o'))}) (f32.load ${add(g('$src'), g('$o'))})))
          ${set('$o', add(g('$o'), i(4)))} (br $asl))))
      (else
        ${set('$o', i(0))} ${set('$yp', g('$yg'))}
        (block $bsd (loop $bsl (br_if $bsd (i32.ge_u ${g('$o')} ${g('$Mg')}))
          (f32.store ${g('$yp')} (f32.add (f32.load ${g('$yp')}) (f32.load ${add(g('$src'), `(i32.shl ${mul(g('$o'), g('$sm'))} ${i(2)})`)})))
          ${set('$yp', add(g('$yp'), g('$ystr')))} ${set('$o', add(g('$o'), i(1)))} (br $bsl)))))`;
  const loops = dimLoop('$od', '$kd', '$kD', '$padF', '$dD', '$sD', '$D', '$id', dimLoop('$oh', '$kh', '$kH', '$padT', '$dH', '$sH', '$H', '$ih', dimLoop('$ow', '$kw', '$kW', '$padL', '$dW', '$sW', '$W', '$iw', tap, 'cw'), 'ch'), 'cd');
  const epi = (vec: boolean) => {
    const l = (p: string) => (vec ? `(v128.load ${p})` : `(v128.load32_splat ${p})`);
    return `${set('$x', l(g('$yp')))}
      (if ${g('$bias')} (then ${set('$x', `(f32x4.add ${g('$x')} ${l(add(g('$bias'), `(i32.shl ${g('$o')} ${i(2)})`))})`)}))`;
  };
  const nest = (act: number) => `${set('$r', g('$r0'))}
    (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
      ${set('$n', `(i32.div_u ${g('$r')} ${g('$Pout')})`)} ${set('$q', `(i32.rem_u ${g('$r')} ${g('$Pout')})`)}
      ${set('$ypix', add(g('$yb'), `(i32.shl (if (result i32) ${g('$nhwc')} (then ${mul(g('$r'), g('$M'))}) (else ${add(mul(mul(g('$n'), g('$M')), g('$Pout')), g('$q'))})) ${i(2)})`))}
      ${set('$ow', `(i32.rem_u ${g('$q')} ${g('$oW')})`)} ${set('$q', `(i32.div_u ${g('$q')} ${g('$oW')})`)}
      ${set('$oh', `(i32.rem_u ${g('$q')} ${g('$oH')})`)} ${set('$od', `(i32.div_u ${g('$q')} ${g('$oH')})`)}
      ;; zero the pixel's M outputs
      ${set('$o', i(0))} ${set('$yp', g('$ypix'))}
      (block $zd (loop $zl (br_if $zd (i32.ge_u ${g('$o')} ${g('$M')}))
        (f32.store ${g('$yp')} (f32.const 0))
        ${set('$yp', add(g('$yp'), g('$ystr')))} ${set('$o', add(g('$o'), i(1)))} (br $zl)))
      ${set('$gi', i(0))}
      (block $gd (loop $gl (br_if $gd (i32.ge_u ${g('$gi')} ${g('$G')}))
        ${set('$cb', add(g('$col'), `(i32.shl ${mul(mul(add(mul(g('$n'), g('$G')), g('$gi')), g('$Pin')), g('$MgKK'))} ${i(2)})`))}
        ${set('$yg', add(g('$ypix'), mul(mul(g('$gi'), g('$Mg')), g('$ystr'))))}
        ${loops}
        ${set('$gi', add(g('$gi'), i(1)))} (br $gl)))
      ;; bias and activation over the pixel's outputs
      ${set('$o', i(0))} ${set('$yp', g('$ypix'))}
      (if ${g('$nhwc')} (then
        (block $evd (loop $evl (br_if $evd (i32.gt_u (i32.add ${g('$o')} ${i(4)}) ${g('$M')}))
          ${epi(true)} ${activation(act)} (v128.store ${g('$yp')} ${g('$x')})
          ${set('$yp', add(g('$yp'), i(16)))} ${set('$o', add(g('$o'), i(4)))} (br $evl)))))
      (block $esd (loop $esl (br_if $esd (i32.ge_u ${g('$o')} ${g('$M')}))
        ${epi(false)} ${activation(act)} (v128.store32_lane 0 ${g('$yp')} ${g('$x')})
        ${set('$yp', add(g('$yp'), g('$ystr')))} ${set('$o', add(g('$o'), i(1)))} (br $esl)))
      ${set('$r', add(g('$r'), i(1)))} (br $rl)))`;
  return `(func (export "${COL2IM}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals([...GEOM, ...DEPTH, 'r', 'n', 'q', 'o', 'gi', 'od', 'oh', 'ow', 'kd', 'kh', 'kw', 'id', 'ih', 'iw', 't', 'cb', 'src', 'col', 'yb', 'ypix', 'yg', 'yp', 'ystr', 'bias', 'Mg', 'mgb', 'Pin', 'Pout', 'MgKK', 'sm', 'sk', 'nhwc'])}
  ${ACT_LOCALS}
  ${loadGeom()} ${loadDepth()} ${loadActParams()}
  ${set('$col', ld(CP.src))} ${set('$yb', ld(CP.y))} ${set('$bias', ld(CP.bias))} ${set('$Mg', ld(CP.mult))}
  ${set('$sm', ld(CP.sm))} ${set('$sk', ld(CP.sk))} ${set('$nhwc', ld(CP.nhwc))}
  ${set('$Pin', mul(mul(g('$D'), g('$H')), g('$W')))} ${set('$Pout', mul(mul(g('$oD'), g('$oH')), g('$oW')))}
  ${set('$MgKK', mul(g('$Mg'), mul(mul(g('$kD'), g('$kH')), g('$kW'))))} ${set('$mgb', `(i32.shl ${g('$Mg')} ${i(2)})`)}
  ;; output channel stride: 1 float (NHWC) or a whole plane (NCHW)
  ${set('$ystr', `(i32.shl (select ${i(1)} ${g('$Pout')} ${g('$nhwc')}) ${i(2)})`)}
  ${perActivation(nest)})`;
}

/** Rows r = (b, i) of src [batch, R, Cc] (R = B word, Cc = L word) scattered to column i of y [batch, Cc, R]. */
function transpose(): string {
  return `(func (export "${TRANSPOSE}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals(['r', 'R', 'Cc', 'sp', 'se', 'dp', 'step'])}
  ${set('$R', ld(CP.B))} ${set('$Cc', ld(CP.L))} ${set('$step', `(i32.shl ${g('$R')} ${i(2)})`)}
  ${set('$r', g('$r0'))}
  (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
    ${set('$sp', add(ld(CP.src), `(i32.shl ${mul(g('$r'), g('$Cc'))} ${i(2)})`))}
    ${set('$se', add(g('$sp'), `(i32.shl ${g('$Cc')} ${i(2)})`))}
    ;; row r = b·R + i starts column i of batch b: y + (b·Cc·R + i)·4
    ${set('$dp', add(ld(CP.y), `(i32.shl ${add(mul(mul(`(i32.div_u ${g('$r')} ${g('$R')})`, g('$Cc')), g('$R')), `(i32.rem_u ${g('$r')} ${g('$R')})`)} ${i(2)})`))}
    (block $cd (loop $cl (br_if $cd (i32.ge_u ${g('$sp')} ${g('$se')}))
      (f32.store ${g('$dp')} (f32.load ${g('$sp')}))
      ${set('$sp', add(g('$sp'), i(4)))} ${set('$dp', add(g('$dp'), g('$step')))} (br $cl)))
    ${set('$r', add(g('$r'), i(1)))} (br $rl))))`;
}

export const convFamily: WatFamily = {
  name: 'conv',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module ${memoryImport(v)}
${byteHelpers()}
${im2colNhwc()}
${im2colNchw()}
${dwNhwc(v)}
${dwNchw(v)}
${biasAct()}
${col2im(v)}
${transpose()}
)`;
  },
};
