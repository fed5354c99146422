/**
 * WAT template of the `conv-direct` family: direct 2-D convolution (one group, few input channels)
 * with no im2col and no transposes, for NCHW and NHWC alike.
 *
 * `f32_conv_direct_<MR>x8(pb, r0, r1)` computes output rows r = (n, oh) in [r0, r1): for each block
 * of 8 output channels and each run of MR output pixels along the row, MR×8 accumulators (two f32x4
 * per pixel) start at the bias and take one multiply-add per (tap, input channel): the filter row of
 * 8 channels is two v128 loads, each pixel's input value one splat load.
 *
 * Addressing is generic over layout: input (n, c, ih, iw) at x + n·xImg + ih·xRow + iw·xCol + c·xCh
 * bytes, output (n, j, oh, ow) at y + n·yImg + oh·yRow + ow·yCol + j·yCh. The filter is packed by the
 * launcher as [ceil(M/8)][kH][A·B][8] (zero past M), where per kernel row the taps run as A outer
 * steps of sA bytes and B inner steps of sB bytes through the image: NHWC (kw, c) — one run of kW·C
 * when the dilation is 1 — and NCHW (c, kw). A tile whose taps all lie inside the image runs in
 * `$uk_*` (one kernel-row loop nest, one input pointer with immediate offsets for the common pixel
 * strides); a tile inside the image row walks the same order per valid kernel row; elsewhere
 * (edges, padding rows, the row tail) each tap's pixel pointer is computed per kw with a select: a
 * pixel in the padding reads a zero word (channel step 0), so 0·w is still computed as with
 * im2col's zeros (0·Inf = NaN), and pixels past the row end repeat the last pixel (computed, not
 * stored).
 *
 * Each output is one thread's fixed-order sum, so results do not depend on the thread count.
 * Epilogue: the activation codes of the GEMM (relu inline, the rest through `$act`), then vector
 * stores when channels are contiguous (yCh = 4) and the block is full; full NCHW tiles (4 pixels ×
 * 8 channels) through 4×4 transposes as one vector of 4 pixels per channel; lane stores otherwise.
 * The summation order of an output depends on its tile's path (interior: the packed order;
 * elsewhere: kw, then c), never on the thread count.
 *
 * `f32_conv_direct_1x32(pb, r0, r1)` (see `pixelKernel`): the same block and packed filter, one
 * output pixel × 4 blocks of 8 channels per tile, for output rows of 1–2 pixels (tiny outputs:
 * GEMV-like convs with large K and M); every tap inside the image (the launcher pads a copy).
 */
import { ACT_CODES, EPI_LOCALS, activation } from './gemm.wat.js';
import { madd, memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Output channels per block (two f32x4 accumulators per pixel). */
export const DIRECT_NR = 8;
/**
 * Pixel tiles the family exports: 4. MR 6 (12 accumulators) was slower on every shape measured
 * (kernel alone, interleaved, relaxed, loaded machine): 8×14×14 5×5 → 16 NCHW 46 vs 62 µs,
 * 128×128×3 5×5/2 → 24 NHWC 431 vs 575 µs, 20×20×12 3×3 → 32 NHWC 73 vs 117 µs; so was MR 5, and
 * MR 6 stayed slower inside `$uk_*` with one input pointer (16×30×30 3×3 → 32 NCHW 167 vs 270 µs).
 * Inner loops unrolled by 4 with immediate offsets were slower too (46 → 52, 431 → 500, 73 → 88 µs:
 * TurboFan hoists the unrolled loads, as gemm-config.ts notes).
 */
export const DIRECT_MRS = [4] as const;
export const directExport = (mr: number) => `f32_conv_direct_${mr}x${DIRECT_NR}`;

/** Parameter block: i32 words (p0, p1 are f32); the launcher puts a zero vector and the bias (padded to 8) after it. */
export const DC = {
  x: 0, y: 1, w: 2, zero: 3, bias: 4, H: 5, W: 6, M: 7, kH: 8, kW: 9, sH: 10, sW: 11, dH: 12, dW: 13,
  padT: 14, padL: 15, oH: 16, oW: 17, act: 18, p0: 19, p1: 20,
  xImg: 21, xRow: 22, xCol: 23, xCh: 24, yImg: 25, yRow: 26, yCol: 27, yCh: 28,
  A: 29, B: 30, sA: 31, sB: 32, fKw: 33, fC: 34, C: 35,
  words: 36,
} as const;

const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const set = (n: string, e: string) => `(local.set ${n} ${e})`;
const ld = (word: number) => `(i32.load offset=${word * 4} (local.get $pb))`;
const ldf = (word: number) => `(f32.load offset=${word * 4} (local.get $pb))`;
const add = (...xs: string[]) => xs.reduce((a, b) => `(i32.add ${a} ${b})`);
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const rng = (n: number) => Array.from({ length: n }, (_, k) => k);

/** `$act(x, code, v0, v1)`: the GEMM epilogue's activation `code` on x (codes ≥ 2; 0 and 1 are inline). */
function actFn(): string {
  const acts = Object.values(ACT_CODES);
  let sw = `(br_table ${acts.map((a) => `$a${a}`).join(' ')} $a0 ${g('$code')})`;
  for (const a of acts) sw = `(block $a${a} ${sw}) ${activation(a)} (return ${g('$x')})`;
  return `(func $act (param $x v128) (param $code i32) (param $v0 v128) (param $v1 v128) (result v128) ${EPI_LOCALS.replace('(local $x v128) ', '')}
  ${sw}
  ${g('$x')})`;
}

/**
 * One multiply-add step for MR pixels, the filter row of 8 channels at $wp: pixel r's input at
 * $a<r>, or at $a0 + r·P bytes when the pixel stride P is given.
 */
function step(v: WatVariant, MR: number, P?: number): string {
  const S: string[] = [set('$w0', `(v128.load ${g('$wp')})`), set('$w1', `(v128.load offset=16 ${g('$wp')})`)];
  for (const r of rng(MR)) {
    S.push(set('$xv', P === undefined ? `(v128.load32_splat ${g(`$a${r}`)})` : `(v128.load32_splat offset=${r * P} ${g('$a0')})`));
    S.push(set(`$c${r}a`, madd(v, g('$xv'), g('$w0'), g(`$c${r}a`))));
    S.push(set(`$c${r}b`, madd(v, g('$xv'), g('$w1'), g(`$c${r}b`))));
  }
  return S.join(' ');
}

const bump = (MR: number, by: string) => rng(MR).map((r) => set(`$a${r}`, add(g(`$a${r}`), by))).join(' ');

/**
 * `$uk_<tag>(p, pst, rs, wp, kH, A, Bb, sB, adjA, bp) → MR×2 accumulators`: a whole tile whose taps
 * all lie inside the image, in one loop nest with no per-row checks: accumulators from the bias at
 * bp, then per kernel row (input rows rs bytes apart) A × B steps as in the interior loop; with a
 * pixel stride P, one input pointer and immediate offsets.
 */
export function ukInterior(v: WatVariant, MR: number, tag: string, P?: number): string {
  const accs = rng(MR).flatMap((r) => [`$c${r}a`, `$c${r}b`]);
  return `(func $uk_${tag} (param $p i32) (param $pst i32) (param $rs i32) (param $wp i32) (param $kH i32) (param $A i32) (param $Bb i32) (param $sB i32) (param $adjA i32) (param $bp i32)
  (result ${accs.map(() => 'v128').join(' ')})
  ${rng(MR).map((r) => `(local $a${r} i32)`).join(' ')} (local $e i32) (local $a i32) (local $w0 v128) (local $w1 v128) (local $xv v128)
  ${accs.map((n) => `(local ${n} v128)`).join(' ')}
  ;; pixel stride ${P ?? 'generic'}
  ${set('$c0a', `(v128.load ${g('$bp')})`)} ${set('$c0b', `(v128.load offset=16 ${g('$bp')})`)}
  ${rng(MR).slice(1).map((r) => `${set(`$c${r}a`, g('$c0a'))} ${set(`$c${r}b`, g('$c0b'))}`).join(' ')}
  (loop $lh
    ${rng(P === undefined ? MR : 1).map((r) => set(`$a${r}`, r === 0 ? g('$p') : add(g(`$a${r - 1}`), g('$pst')))).join(' ')}
    ${set('$a', g('$A'))}
    (loop $la
      ${set('$e', add(g('$a0'), g('$Bb')))}
      (loop $lb
        ${step(v, MR, P)}
        ${bump(P === undefined ? MR : 1, g('$sB'))}
        ${set('$wp', add(g('$wp'), i(32)))}
        (br_if $lb (i32.ne ${g('$a0')} ${g('$e')})))
      ${bump(P === undefined ? MR : 1, g('$adjA'))}
      ${set('$a', `(i32.sub ${g('$a')} ${i(1)})`)}
      (br_if $la ${g('$a')}))
    ${set('$p', add(g('$p'), g('$rs')))}
    ${set('$kH', `(i32.sub ${g('$kH')} ${i(1)})`)}
    (br_if $lh ${g('$kH')}))
  ${accs.map(g).join(' ')})`;
}

/**
 * Pixel strides (bytes) with their own interior loop: the MR inputs of a step are one pointer plus
 * immediate offsets instead of MR pointers (NCHW with horizontal stride 1 or 2; NHWC 1–3 channels).
 * Kernel alone, interleaved, relaxed: PaddleOCR cls 3×48×192 3×3/2 → 8 NCHW 45.1 → 42.6 µs, mnist-8
 * conv1 NHWC 17.2 → 16.6 µs; other shapes level.
 */
const FIXED_PIXEL_STRIDES = [4, 8, 12, 24];

/**
 * `name`: the export's name; `fixed`: pixel strides with their own interior loops; `nchwTranspose`:
 * store full NCHW tiles through 4×4 transposes (vector stores along the row) rather than lane by
 * lane — kernel alone: mnist-8 conv1 NCHW 19.9 → 16.6 µs, cls 3×48×192 41.6 → 32.9 µs, 12×20×20
 * 3×3 → 32 78.5 → 72.0 µs; `uk`: tiles with every tap inside the image run in `$uk_*` — cls
 * 34.8 → 30.2 µs, 56×56×3 3×3 → 64 (no padding) 400 → 340 µs, 32×32×3 → 16 34.5 → 32.2 µs, the
 * rest level. Scratch benchmarks emit variants side by side under other names.
 */
export function kernel(v: WatVariant, MR: number, name = directExport(MR), fixed: readonly number[] = FIXED_PIXEL_STRIDES, nchwTranspose = true, uk = true): string {
  const names = ['H', 'W', 'M', 'C', 'kH', 'kW', 'sH', 'sW', 'dH', 'dW', 'padT', 'padL', 'oH', 'oW', 'xImg', 'xRow', 'xCol', 'xCh', 'yImg', 'yRow', 'yCol', 'yCh', 'A', 'B', 'sA', 'sB', 'fKw', 'fC'] as const;
  const L = [
    ...names, 'x', 'y', 'w', 'zero', 'bias', 'act', 'row', 'n', 'oh', 'ihb', 'xn', 'yr', 'jb', 'nb', 'wb', 'fBlk', 'fKh', 'ow0', 'mr', 'iwb0', 'interior',
    'kh', 'ih', 'wk', 'wp', 'p', 'e', 'adjA', 'pst', 'Bb', 'a', 'kw', 'iw', 'ok', 'rowp', 'c', 'yp', 'mc', 'ihv',
    ...rng(MR).flatMap((r) => [`a${r}`, `s${r}`, `iwp${r}`]),
  ];
  const vlocals = ['w0', 'w1', 'xv', 'v0', 'v1', 'xa', 'xb', 't0', 't1', 't2', 't3', ...rng(MR).flatMap((r) => [`c${r}a`, `c${r}b`])].map((n) => `(local $${n} v128)`).join(' ');
  const locals = L.map((n) => `(local $${n} i32)`).join(' ') + ' ' + vlocals;
  const lastW = `(i32.add ${mul(i(MR - 1), g('$sW'))} ${mul(`(i32.sub ${g('$kW')} ${i(1)})`, g('$dW'))})`;

  // interior kernel row: pixel pointers from one base, A × B steps (B contiguous floats when sB = 4)
  const fast = `
    ${set('$p', add(g('$xn'), mul(g('$ih'), g('$xRow')), mul(g('$iwb0'), g('$xCol'))))}
    ${rng(MR).map((r) => set(`$a${r}`, r === 0 ? g('$p') : add(g(`$a${r - 1}`), g('$pst')))).join(' ')}
    ${set('$wp', g('$wk'))} ${set('$a', g('$A'))}
    ${fixed.map((P) => `(if (i32.eq ${g('$pst')} ${i(P)}) (then
      (loop $la${P}
        ${set('$e', add(g('$a0'), g('$Bb')))}
        (loop $lb${P}
          ${step(v, MR, P)}
          ${set('$a0', add(g('$a0'), g('$sB')))}
          ${set('$wp', add(g('$wp'), i(32)))}
          (br_if $lb${P} (i32.ne ${g('$a0')} ${g('$e')})))
        ${set('$a0', add(g('$a0'), g('$adjA')))}
        ${set('$a', `(i32.sub ${g('$a')} ${i(1)})`)}
        (br_if $la${P} ${g('$a')}))) (else `).join('')}
    (loop $la
      ${set('$e', add(g('$a0'), g('$Bb')))}
      (loop $lb
        ${step(v, MR)}
        ${bump(MR, g('$sB'))}
        ${set('$wp', add(g('$wp'), i(32)))}
        (br_if $lb (i32.ne ${g('$a0')} ${g('$e')})))
      ${bump(MR, g('$adjA'))}
      ${set('$a', `(i32.sub ${g('$a')} ${i(1)})`)}
      (br_if $la ${g('$a')}))${fixed.map(() => '))').join('')}`;

  // edge / padding / tail kernel row: per kw, each pixel's pointer and channel step (0 in the padding)
  const border = `
    ${set('$ihv', `(i32.lt_u ${g('$ih')} ${g('$H')})`)}
    ${set('$rowp', add(g('$xn'), mul(g('$ih'), g('$xRow'))))}
    ${set('$kw', i(0))}
    (loop $lk
      ${rng(MR).map((r) => `${set('$iw', add(g(`$iwp${r}`), mul(g('$kw'), g('$dW'))))}
        ${set('$ok', `(i32.and ${g('$ihv')} (i32.lt_u ${g('$iw')} ${g('$W')}))`)}
        ${set(`$a${r}`, `(select ${add(g('$rowp'), mul(g('$iw'), g('$xCol')))} ${g('$zero')} ${g('$ok')})`)}
        ${set(`$s${r}`, `(select ${g('$xCh')} ${i(0)} ${g('$ok')})`)}`).join('\n')}
      ${set('$wp', add(g('$wk'), mul(g('$kw'), g('$fKw'))))}
      ${set('$c', g('$C'))}
      (loop $lc
        ${step(v, MR)}
        ${rng(MR).map((r) => set(`$a${r}`, add(g(`$a${r}`), g(`$s${r}`)))).join(' ')}
        ${set('$wp', add(g('$wp'), g('$fC')))}
        ${set('$c', `(i32.sub ${g('$c')} ${i(1)})`)}
        (br_if $lc ${g('$c')}))
      ${set('$kw', add(g('$kw'), i(1)))}
      (br_if $lk (i32.lt_u ${g('$kw')} ${g('$kW')})))`;

  const actOn = (x: string) => `(if (i32.eq ${g('$act')} ${i(ACT_CODES.relu)}) (then ${set(x, `(f32x4.max ${g(x)} (v128.const f32x4 0 0 0 0))`)})
      (else (if (i32.gt_u ${g('$act')} ${i(ACT_CODES.relu)}) (then ${set(x, `(call $act ${g(x)} ${g('$act')} ${g('$v0')} ${g('$v1')})`)}))))`;
  // lane stores of one pixel: channel lane l < mc at yp + l·yCh
  const laneStores = rng(8).map((l) => `(if (i32.gt_u ${g('$mc')} ${i(l)}) (then (v128.store32_lane ${l % 4} (i32.add ${g('$yp')} ${mul(i(l), g('$yCh'))}) ${g(l < 4 ? '$xa' : '$xb')})))`).join('\n          ');
  const pixelStores = rng(MR).map((r) => `
      (if (i32.gt_u ${g('$mr')} ${i(r)}) (then
        ${set('$xa', g(`$c${r}a`))} ${set('$xb', g(`$c${r}b`))}
        ${set('$yp', add(g('$yr'), mul(add(g('$ow0'), i(r)), g('$yCol')), mul(`(i32.shl ${g('$jb')} ${i(3)})`, g('$yCh'))))}
        (if (i32.and (i32.eq ${g('$yCh')} ${i(4)}) (i32.eq ${g('$mc')} ${i(8)}))
          (then (v128.store ${g('$yp')} ${g('$xa')}) (v128.store offset=16 ${g('$yp')} ${g('$xb')}))
          (else
          ${laneStores}))))`).join('');
  // NCHW full tile (4 pixels, 8 channels): 4×4 transposes, then one vector of 4 pixels per channel
  const tr = (h: 'a' | 'b') => {
    const c = (r: number) => g(`$c${r}${h}`);
    // t0 = [c0.0 c1.0 c0.1 c1.1], t1 = [c2.0 c3.0 c2.1 c3.1], t2/t3 the same for lanes 2, 3
    const z = (x: string, y: string, lo: number) => `(i8x16.shuffle ${[lo, lo + 4, lo + 1, lo + 5].flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ')} ${x} ${y})`;
    const pick = (x: string, y: string, lo: number) => `(i8x16.shuffle ${[lo, lo + 1].flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ')} ${[lo, lo + 1].flatMap((l) => [16 + 4 * l, 17 + 4 * l, 18 + 4 * l, 19 + 4 * l]).join(' ')} ${x} ${y})`;
    return `${set('$t0', z(c(0), c(1), 0))} ${set('$t1', z(c(2), c(3), 0))} ${set('$t2', z(c(0), c(1), 2))} ${set('$t3', z(c(2), c(3), 2))}
        (v128.store ${g('$yp')} ${pick(g('$t0'), g('$t1'), 0)}) ${set('$yp', add(g('$yp'), g('$yCh')))}
        (v128.store ${g('$yp')} ${pick(g('$t0'), g('$t1'), 2)}) ${set('$yp', add(g('$yp'), g('$yCh')))}
        (v128.store ${g('$yp')} ${pick(g('$t2'), g('$t3'), 0)}) ${set('$yp', add(g('$yp'), g('$yCh')))}
        (v128.store ${g('$yp')} ${pick(g('$t2'), g('$t3'), 2)}) ${set('$yp', add(g('$yp'), g('$yCh')))}`;
  };
  const transposed = `
        ${set('$yp', add(g('$yr'), `(i32.shl ${g('$ow0')} ${i(2)})`, mul(`(i32.shl ${g('$jb')} ${i(3)})`, g('$yCh'))))}
        ${tr('a')}
        ${tr('b')}`;
  const store = `
      (if ${g('$act')} (then ${rng(MR).map((r) => `${actOn(`$c${r}a`)} ${actOn(`$c${r}b`)}`).join('\n        ')}))
      ${MR === 4 && nchwTranspose ? `(if (i32.and (i32.eq ${g('$yCol')} ${i(4)}) (i32.and (i32.eq ${g('$mr')} ${i(4)}) (i32.eq ${g('$mc')} ${i(8)})))
        (then ${transposed})
        (else ${pixelStores}))` : pixelStores}`;

  const ukArgs = `${add(g('$xn'), mul(g('$ihb'), g('$xRow')), mul(g('$iwb0'), g('$xCol')))} ${g('$pst')} ${mul(g('$dH'), g('$xRow'))} ${g('$wb')} ${g('$kH')} ${g('$A')} ${g('$Bb')} ${g('$sB')} ${g('$adjA')} (i32.add ${g('$bias')} (i32.shl ${g('$jb')} ${i(5)}))`;
  const accT = `(result ${rng(2 * MR).map(() => 'v128').join(' ')})`;
  let ukCall = `(call $uk_${name} ${ukArgs})`;
  for (const P of [...fixed].reverse()) ukCall = `(if ${accT} (i32.eq ${g('$pst')} ${i(P)}) (then (call $uk_${name}_${P} ${ukArgs})) (else ${ukCall}))`;
  const rowwise = `
        ${set('$c0a', `(v128.load (i32.add ${g('$bias')} (i32.shl ${g('$jb')} ${i(5)})))`)}
        ${set('$c0b', `(v128.load offset=16 (i32.add ${g('$bias')} (i32.shl ${g('$jb')} ${i(5)})))`)}
        ${rng(MR).slice(1).map((r) => `${set(`$c${r}a`, g('$c0a'))} ${set(`$c${r}b`, g('$c0b'))}`).join(' ')}
        ${set('$wk', g('$wb'))} ${set('$kh', i(0))}
        (loop $lh
          ${set('$ih', add(g('$ihb'), mul(g('$kh'), g('$dH'))))}
          (if (i32.and ${g('$interior')} (i32.lt_u ${g('$ih')} ${g('$H')}))
            (then ${fast})
            (else ${border}))
          ${set('$wk', add(g('$wk'), g('$fKh')))}
          ${set('$kh', add(g('$kh'), i(1)))}
          (br_if $lh (i32.lt_u ${g('$kh')} ${g('$kH')})))`;

  // one MR×8 tile: pixels ow0.. of output row (n, oh), channel block jb
  const tile = `
        ${set('$iwb0', `(i32.sub ${mul(g('$ow0'), g('$sW'))} ${g('$padL')})`)}
        ${set('$interior', `(i32.and (i32.and (i32.eq ${g('$mr')} ${i(MR)}) (i32.ge_s ${g('$iwb0')} ${i(0)})) (i32.lt_s (i32.add ${g('$iwb0')} ${lastW}) ${g('$W')}))`)}
        ${rng(MR).map((r) => set(`$iwp${r}`, `(i32.sub ${mul(`(select ${add(g('$ow0'), i(r))} (i32.sub ${g('$oW')} ${i(1)}) (i32.gt_u ${g('$mr')} ${i(r)}))`, g('$sW'))} ${g('$padL')})`)).join(' ')}
        ${uk ? `(if (i32.and ${g('$interior')} (i32.and (i32.ge_s ${g('$ihb')} ${i(0)}) (i32.lt_s (i32.add ${g('$ihb')} ${mul(`(i32.sub ${g('$kH')} ${i(1)})`, g('$dH'))}) ${g('$H')})))
          (then
            ${ukCall}
            ${rng(MR).flatMap((r) => [`$c${r}a`, `$c${r}b`]).reverse().map((n) => `(local.set ${n})`).join(' ')})
          (else ${rowwise}))` : rowwise}
        ${store}`;

  return `${uk ? [ukInterior(v, MR, name), ...fixed.map((P) => ukInterior(v, MR, `${name}_${P}`, P))].join('\n') : ''}
(func (export "${name}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${locals}
  ${names.map((n) => set(`$${n}`, ld(DC[n]))).join(' ')}
  ${set('$x', ld(DC.x))} ${set('$y', ld(DC.y))} ${set('$w', ld(DC.w))} ${set('$zero', ld(DC.zero))} ${set('$bias', ld(DC.bias))} ${set('$act', ld(DC.act))}
  ${set('$v0', `(f32x4.splat ${ldf(DC.p0)})`)} ${set('$v1', `(f32x4.splat ${ldf(DC.p1)})`)}
  ${set('$nb', `(i32.shr_u (i32.add ${g('$M')} ${i(7)}) ${i(3)})`)}
  ${set('$fKh', `(i32.shl ${mul(mul(g('$A'), g('$B')), i(8))} ${i(2)})`)}
  ${set('$fBlk', mul(g('$fKh'), g('$kH')))}
  ${set('$Bb', mul(g('$B'), g('$sB')))}
  ${set('$adjA', `(i32.sub ${g('$sA')} ${g('$Bb')})`)}
  ${set('$pst', mul(g('$sW'), g('$xCol')))}
  ${set('$row', g('$r0'))}
  ${set('$n', `(i32.div_u ${g('$row')} ${g('$oH')})`)} ${set('$oh', `(i32.rem_u ${g('$row')} ${g('$oH')})`)}
  (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$row')} ${g('$r1')}))
    ${set('$xn', add(g('$x'), mul(g('$n'), g('$xImg'))))}
    ${set('$yr', add(g('$y'), mul(g('$n'), g('$yImg')), mul(g('$oh'), g('$yRow'))))}
    ${set('$ihb', `(i32.sub ${mul(g('$oh'), g('$sH'))} ${g('$padT')})`)}
    ${set('$jb', i(0))} ${set('$wb', g('$w'))}
    (loop $lj
      ${set('$mc', `(i32.sub ${g('$M')} (i32.shl ${g('$jb')} ${i(3)}))`)}
      (if (i32.gt_u ${g('$mc')} ${i(8)}) (then ${set('$mc', i(8))}))
      ${set('$ow0', i(0))}
      (loop $lt
        ${set('$mr', `(i32.sub ${g('$oW')} ${g('$ow0')})`)}
        (if (i32.gt_u ${g('$mr')} ${i(MR)}) (then ${set('$mr', i(MR))}))
        ;; a short last tile moves back over the previous one when the row has MR pixels
        (if (i32.and (i32.lt_u ${g('$mr')} ${i(MR)}) (i32.ge_u ${g('$oW')} ${i(MR)})) (then ${set('$ow0', `(i32.sub ${g('$oW')} ${i(MR)})`)} ${set('$mr', i(MR))}))
        ${tile}
        ${set('$ow0', add(g('$ow0'), i(MR)))}
        (br_if $lt (i32.lt_u ${g('$ow0')} ${g('$oW')})))
      ${set('$wb', add(g('$wb'), g('$fBlk')))}
      ${set('$jb', add(g('$jb'), i(1)))}
      (br_if $lj (i32.lt_u ${g('$jb')} ${g('$nb')})))
    ${set('$row', add(g('$row'), i(1)))}
    ${set('$oh', add(g('$oh'), i(1)))}
    (if (i32.eq ${g('$oh')} ${g('$oH')}) (then ${set('$oh', i(0))} ${set('$n', add(g('$n'), i(1)))}))
    (br $rl))))`;
}

export const PAD_EXPORT = 'f32_conv_direct_pad';

/**
 * `f32_conv_direct_pad(x, xp, size, rows, H, Hp, Wp, padT, padL, pix, bytes)`: the input copied into
 * a zeroed padded image (size bytes at xp), so that every tap of the conv lies inside it. Run
 * r = (o, h), o = r / H (image, or image × channel for NCHW), is `bytes` at x + r·bytes, copied to
 * xp + ((o·Hp + padT + h)·Wp + padL)·pix (pix = bytes per pixel).
 */
function padFn(): string {
  return `(func (export "${PAD_EXPORT}") (param $x i32) (param $xp i32) (param $size i32) (param $rows i32) (param $H i32) (param $Hp i32) (param $Wp i32) (param $padT i32) (param $padL i32) (param $pix i32) (param $bytes i32)
  (local $r i32) (local $o i32) (local $h i32)
  (memory.fill ${g('$xp')} ${i(0)} ${g('$size')})
  (block $d (loop $l (br_if $d (i32.ge_u ${g('$r')} ${g('$rows')}))
    (memory.copy ${add(g('$xp'), mul(add(mul(add(mul(g('$o'), g('$Hp')), g('$padT'), g('$h')), g('$Wp')), g('$padL')), g('$pix')))} ${g('$x')} ${g('$bytes')})
    ${set('$x', add(g('$x'), g('$bytes')))}
    ${set('$r', add(g('$r'), i(1)))}
    ${set('$h', add(g('$h'), i(1)))}
    (if (i32.eq ${g('$h')} ${g('$H')}) (then ${set('$h', i(0))} ${set('$o', add(g('$o'), i(1)))}))
    (br $l))))`;
}


/** Channel blocks (of 8) per tile of the one-pixel kernel: 4 blocks = 8 independent accumulators. */
export const PIXEL_BLOCKS = 4;
export const PIXEL_EXPORT = `f32_conv_direct_1x${PIXEL_BLOCKS * DIRECT_NR}`;

/**
 * `$px<Q>(p, rs, w, fBlk, kH, A, Bb, sB, adjA, bp) → 2Q accumulators`: one output pixel × Q blocks
 * of 8 channels, every tap inside the image: the Q blocks' packed filters are Q streams fBlk bytes
 * apart, read in the packed order (kernel row, then A × B), one input splat per step for all Q.
 */
function pixelTile(v: WatVariant, Q: number): string {
  const accs = rng(Q).flatMap((q) => [`$c${q}a`, `$c${q}b`]);
  const ws = rng(Q).map((q) => `$w${q}`);
  return `(func $px${Q} (param $p i32) (param $rs i32) (param $w0 i32) (param $fBlk i32) (param $kH i32) (param $A i32) (param $Bb i32) (param $sB i32) (param $adjA i32) (param $bp i32)
  (result ${accs.map(() => 'v128').join(' ')})
  (local $a0 i32) (local $e i32) (local $a i32) ${ws.slice(1).map((n) => `(local ${n} i32)`).join(' ')} (local $xv v128)
  ${accs.map((n) => `(local ${n} v128)`).join(' ')}
  ${rng(Q).map((q) => `${set(`$c${q}a`, `(v128.load offset=${32 * q} ${g('$bp')})`)} ${set(`$c${q}b`, `(v128.load offset=${32 * q + 16} ${g('$bp')})`)}`).join(' ')}
  ${ws.slice(1).map((n, q) => set(n, add(g(ws[q]!), g('$fBlk')))).join(' ')}
  (loop $lh
    ${set('$a0', g('$p'))} ${set('$a', g('$A'))}
    (loop $la
      ${set('$e', add(g('$a0'), g('$Bb')))}
      (loop $lb
        ${set('$xv', `(v128.load32_splat ${g('$a0')})`)}
        ${rng(Q).map((q) => `${set(`$c${q}a`, madd(v, g('$xv'), `(v128.load ${g(ws[q]!)})`, g(`$c${q}a`)))} ${set(`$c${q}b`, madd(v, g('$xv'), `(v128.load offset=16 ${g(ws[q]!)})`, g(`$c${q}b`)))}`).join('\n        ')}
        ${set('$a0', add(g('$a0'), g('$sB')))}
        ${ws.map((n) => set(n, add(g(n), i(32)))).join(' ')}
        (br_if $lb (i32.ne ${g('$a0')} ${g('$e')})))
      ${set('$a0', add(g('$a0'), g('$adjA')))}
      ${set('$a', `(i32.sub ${g('$a')} ${i(1)})`)}
      (br_if $la ${g('$a')}))
    ${set('$p', add(g('$p'), g('$rs')))}
    ${set('$kH', `(i32.sub ${g('$kH')} ${i(1)})`)}
    (br_if $lh ${g('$kH')}))
  ${accs.map(g).join(' ')})`;
}

/**
 * `f32_conv_direct_1x32(pb, r0, r1)`: output rows r = (n, oh) in [r0, r1) one pixel at a time, 4
 * channel blocks (32 channels) per tile and single blocks for the rest, for outputs whose rows are
 * shorter than the 4-pixel tile (the 4×8 kernel repeats the last pixel there: up to 4× the work).
 * Same parameter block, packed filter and epilogue as the 4×8 kernel, summation in the packed order
 * (the 4×8 kernel's interior order); every tap must lie inside the image (the launcher pads a copy).
 */
function pixelKernel(v: WatVariant): string {
  const Q = PIXEL_BLOCKS;
  const names = ['M', 'kH', 'sH', 'sW', 'dH', 'padT', 'padL', 'oH', 'oW', 'xImg', 'xRow', 'xCol', 'yImg', 'yRow', 'yCol', 'yCh', 'A', 'B', 'sA', 'sB'] as const;
  const L = [...names, 'x', 'y', 'w', 'bias', 'act', 'row', 'n', 'oh', 'xn', 'yr', 'p', 'rs', 'ow', 'jb', 'nb', 'wb', 'fBlk', 'Bb', 'adjA', 'yp', 'mc', 'q'];
  const vl = ['v0', 'v1', 'xa', 'xb', ...rng(Q).flatMap((q) => [`c${q}a`, `c${q}b`])];
  const actOn = (x: string) => `(if (i32.eq ${g('$act')} ${i(ACT_CODES.relu)}) (then ${set(x, `(f32x4.max ${g(x)} (v128.const f32x4 0 0 0 0))`)})
      (else (if (i32.gt_u ${g('$act')} ${i(ACT_CODES.relu)}) (then ${set(x, `(call $act ${g(x)} ${g('$act')} ${g('$v0')} ${g('$v1')})`)}))))`;
  const laneStores = rng(8).map((l) => `(if (i32.gt_u ${g('$mc')} ${i(l)}) (then (v128.store32_lane ${l % 4} (i32.add ${g('$yp')} ${mul(i(l), g('$yCh'))}) ${g(l < 4 ? '$xa' : '$xb')})))`).join('\n          ');
  // block jb + q of the tile: activation, then vector stores (contiguous full block) or lane stores
  const storeBlock = (q: number) => `
      ${set('$xa', g(`$c${q}a`))} ${set('$xb', g(`$c${q}b`))}
      (if ${g('$act')} (then ${actOn('$xa')} ${actOn('$xb')}))
      ${set('$mc', `(i32.sub ${g('$M')} (i32.shl (i32.add ${g('$jb')} ${i(q)}) ${i(3)}))`)}
      ${set('$yp', add(g('$yr'), mul(g('$ow'), g('$yCol')), mul(`(i32.shl (i32.add ${g('$jb')} ${i(q)}) ${i(3)})`, g('$yCh'))))}
      (if (i32.and (i32.eq ${g('$yCh')} ${i(4)}) (i32.ge_s ${g('$mc')} ${i(8)}))
        (then (v128.store ${g('$yp')} ${g('$xa')}) (v128.store offset=16 ${g('$yp')} ${g('$xb')}))
        (else
          ${laneStores}))`;
  const args = `${g('$p')} ${g('$rs')} ${g('$wb')} ${g('$fBlk')} ${g('$kH')} ${g('$A')} ${g('$Bb')} ${g('$sB')} ${g('$adjA')} (i32.add ${g('$bias')} (i32.shl ${g('$jb')} ${i(5)}))`;
  const takeAccs = (n: number) => rng(n).flatMap((q) => [`$c${q}a`, `$c${q}b`]).reverse().map((x) => `(local.set ${x})`).join(' ');
  return `${pixelTile(v, Q)}
${pixelTile(v, 1)}
(func (export "${PIXEL_EXPORT}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${L.map((n) => `(local $${n} i32)`).join(' ')} ${vl.map((n) => `(local $${n} v128)`).join(' ')}
  ${names.map((n) => set(`$${n}`, ld(DC[n]))).join(' ')}
  ${set('$x', ld(DC.x))} ${set('$y', ld(DC.y))} ${set('$w', ld(DC.w))} ${set('$bias', ld(DC.bias))} ${set('$act', ld(DC.act))}
  ${set('$v0', `(f32x4.splat ${ldf(DC.p0)})`)} ${set('$v1', `(f32x4.splat ${ldf(DC.p1)})`)}
  ${set('$nb', `(i32.shr_u (i32.add ${g('$M')} ${i(7)}) ${i(3)})`)}
  ${set('$fBlk', mul(`(i32.shl ${mul(mul(g('$A'), g('$B')), i(8))} ${i(2)})`, g('$kH')))}
  ${set('$Bb', mul(g('$B'), g('$sB')))}
  ${set('$adjA', `(i32.sub ${g('$sA')} ${g('$Bb')})`)}
  ${set('$rs', mul(g('$dH'), g('$xRow')))}
  ${set('$row', g('$r0'))}
  ${set('$n', `(i32.div_u ${g('$row')} ${g('$oH')})`)} ${set('$oh', `(i32.rem_u ${g('$row')} ${g('$oH')})`)}
  (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$row')} ${g('$r1')}))
    ${set('$xn', add(g('$x'), mul(g('$n'), g('$xImg')), mul(`(i32.sub ${mul(g('$oh'), g('$sH'))} ${g('$padT')})`, g('$xRow'))))}
    ${set('$yr', add(g('$y'), mul(g('$n'), g('$yImg')), mul(g('$oh'), g('$yRow'))))}
    ${set('$ow', i(0))}
    (loop $lw
      ${set('$p', add(g('$xn'), mul(`(i32.sub ${mul(g('$ow'), g('$sW'))} ${g('$padL')})`, g('$xCol'))))}
      ${set('$jb', i(0))} ${set('$wb', g('$w'))}
      (block $qd (loop $lq (br_if $qd (i32.gt_u (i32.add ${g('$jb')} ${i(Q)}) ${g('$nb')}))
        (call $px${Q} ${args}) ${takeAccs(Q)}
        ${rng(Q).map(storeBlock).join('')}
        ${set('$jb', add(g('$jb'), i(Q)))} ${set('$wb', add(g('$wb'), mul(g('$fBlk'), i(Q))))}
        (br $lq)))
      (block $sd (loop $ls (br_if $sd (i32.ge_u ${g('$jb')} ${g('$nb')}))
        (call $px1 ${args}) ${takeAccs(1)}
        ${storeBlock(0)}
        ${set('$jb', add(g('$jb'), i(1)))} ${set('$wb', add(g('$wb'), g('$fBlk')))}
        (br $ls)))
      ${set('$ow', add(g('$ow'), i(1)))}
      (br_if $lw (i32.lt_u ${g('$ow')} ${g('$oW')})))
    ${set('$row', add(g('$row'), i(1)))}
    ${set('$oh', add(g('$oh'), i(1)))}
    (if (i32.eq ${g('$oh')} ${g('$oH')}) (then ${set('$oh', i(0))} ${set('$n', add(g('$n'), i(1)))}))
    (br $rl))))`;
}

export const convDirectFamily: WatFamily = {
  name: 'conv-direct',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module ${memoryImport(v)}
${actFn()}
${padFn()}
${DIRECT_MRS.map((mr) => kernel(v, mr)).join('\n')}
${pixelKernel(v)}
)`;
  },
};
