/**
 * WAT template of the `dwconv` family: depthwise convolution kernels (NHWC ones in
 * dwconv-nhwc.wat.ts). NCHW depthwise convolution with the kernel width and the
 * horizontal stride fixed per export, `f32_dwconv_nchw_k{K}s{S}` for K ∈ {3, 5}, S ∈ {1, 2}
 * (dilation 1 across; any kernel height, vertical stride, vertical dilation, padding and channel
 * multiplier). The parameter block is conv's (CP in conv.wat.ts); rows are (n, m, oh) in (r0, r1).
 *
 * Per output row the columns split into a left border, an interior where every tap of 4 output
 * columns lies inside the input row, and a right border:
 * - interior: 16 output columns per pass (four accumulators, so four independent FMA chains), then
 *   4; the last interior columns are finished by one 4-column pass ending at the interior's end
 *   (it recomputes a few columns with the same bits). The kW taps are unrolled with constant load
 *   offsets; at stride 2, output lanes l read input 2l + kw, the even or odd lanes of two
 *   consecutive v128 loads (one shuffle), a load pair serving two taps;
 * - stride-1 kernels with vertical stride and dilation 1 take two output rows of a plane at once
 *   where both are full height: each input vector loaded serves both rows (filter rows t and t − 1);
 * - borders: one column at a time over its in-range taps. (Masked 4-column vector blocks for the
 *   borders, bitselect on the accumulator or on both operands, with the columns gathered or loaded
 *   around the row, all ran 5–30% slower than this in V8, A/B in one process.)
 * Every output sums bias, then taps in (kh, kw) order skipping out-of-image taps (zero padding), on
 * both paths, so the border and interior agree with each other and give the same bits as conv's
 * generic `f32_dwconv_nchw`. Measured against it (1 thread, relaxed, same process, interleaved,
 * medians, loaded machine): 3×3/2 32×160×160 2.4–6.4 ms → 0.26–0.40 ms, 48×80×80 0.86 → 0.11 ms,
 * 5×5/2 192×20×20 0.40 → 0.10 ms; stride 1 1.5–2.1× (3×3 48×80×80 0.56 → 0.27 ms).
 */
import { CP } from './conv.wat.js';
import { ACT_CODES, EPI_LOCALS, activation } from './gemm.wat.js';
import { perActivation, postSwitch } from './dwconv-act.wat.js';
import { nhwcKernels } from './dwconv-nhwc.wat.js';
import { madd, memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Kernel widths with unrolled kernels (7 would add ~40 KB per module for shapes none of the benchmark models has; it takes conv's generic kernels). */
export const DW_WIDTHS = [3, 5] as const;
export const DW_STRIDES = [1, 2] as const;
export const dwNchwExport = (k: number, s: number) => `f32_dwconv_nchw_k${k}s${s}`;

const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const ld = (word: number) => `(i32.load offset=${word * 4} (local.get $pb))`;
const ldf = (word: number) => `(f32.load offset=${word * 4} (local.get $pb))`;
const add = (...xs: string[]) => xs.reduce((a, b) => `(i32.add ${a} ${b})`);
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const shl2 = (a: string) => `(i32.shl ${a} ${i(2)})`;
const set = (n: string, e: string) => `(local.set ${n} ${e})`;
/**
 * Vectors (4 columns each) per pass of the stride-1 row pairs. 1 thread, relaxed, A/B in one
 * process against single rows: 2 gave 1.02–1.16× (3×3 96×40×40 1.16×, 48×80×80 1.10×; 5×5 rows of
 * 10–20 columns, border-bound, 1.02–1.05×); 3 the same, 4 (8 accumulators) 1.04–1.09×.
 */
const PAIR_V = 2;
const ZERO = '(v128.const i32x4 0 0 0 0)';
const EVEN = '0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27';
const ODD = '4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31';
const GEOM = ['H', 'W', 'C', 'kH', 'sH', 'dH', 'padT', 'padL', 'oH', 'oW', 'M'] as const;

/** Stride-2 tap kw: the load pair (element offset q, q + 4) and which lanes; the last tap of an odd K pairs with its left neighbour so no load reads past the taps' span. */
function s2Tap(k: number, kw: number): { q: number; odd: boolean } {
  if (kw % 2 === 0 && kw === k - 1) return { q: kw - 1, odd: true };
  return { q: kw & ~1, odd: (kw & 1) === 1 };
}

function kernel(v: WatVariant, K: number, S: number): string {
  // nv output vectors at column $ow: acc_j = bias + Σ taps
  const vecBody = (nv: number, act: number) => {
    const J = Array.from({ length: nv }, (_, j) => j);
    const out: string[] = J.map((j) => set(`$acc${j}`, g('$bs')));
    out.push(set('$xh', add(g('$xrow'), shl2(mul(g('$ow'), i(S))))), set('$wh', g('$wrow')), set('$kh', g('$nkh')));
    const taps: string[] = [];
    const loaded = new Set<string>();
    const load = (j: number, q: number) => {
      const name = `$l${j}_${q}`;
      if (!loaded.has(name)) {
        loaded.add(name);
        taps.push(set(name, `(v128.load offset=${(8 * j + q) * 4} ${g('$xh')})`));
      }
      return g(name);
    };
    for (let kw = 0; kw < K; kw++) {
      taps.push(set('$wv', `(v128.load32_splat offset=${kw * 4} ${g('$wh')})`));
      for (const j of J) {
        let xv: string;
        if (S === 1) xv = `(v128.load offset=${(4 * j + kw) * 4} ${g('$xh')})`;
        else {
          const { q, odd } = s2Tap(K, kw);
          const a = load(j, q);
          const b = load(j, q + 4);
          xv = `(i8x16.shuffle ${odd ? ODD : EVEN} ${a} ${b})`;
        }
        taps.push(set(`$acc${j}`, madd(v, xv, g('$wv'), g(`$acc${j}`))));
      }
    }
    out.push(`(block $hd (loop $hl (br_if $hd (i32.eqz ${g('$kh')}))
        ${taps.join('\n        ')}
        ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), i(K * 4)))} ${set('$kh', sub(g('$kh'), i(1)))} (br $hl)))`);
    const yp = add(g('$yp'), shl2(g('$ow')));
    for (const j of J) out.push(set('$x', g(`$acc${j}`)), activation(act), `(v128.store offset=${16 * j} ${yp} ${g('$x')})`);
    return out.join('\n      ');
  };
  // stride 1: nv vectors at column $ow of two output rows (r, r + 1, both full height): each input
  // row t is loaded once and feeds row r with filter row t and row r + 1 with filter row t − 1
  const pairBody = (nv: number, act: number) => {
    const J = Array.from({ length: nv }, (_, j) => j);
    const a0 = (j: number) => `$acc${j}`;
    const a1 = (j: number) => `$acc${4 + j}`;
    const taps = (rows: (0 | 1)[], wOff: (kw: number, row: 0 | 1) => number) => {
      const T: string[] = [];
      for (let kw = 0; kw < K; kw++) {
        for (const row of rows) T.push(set(row ? '$wb' : '$wa', `(v128.load32_splat offset=${wOff(kw, row) * 4} ${g('$wh')})`));
        for (const j of J) {
          T.push(set('$xv', `(v128.load offset=${(4 * j + kw) * 4} ${g('$xh')})`));
          for (const row of rows) T.push(set(row ? a1(j) : a0(j), madd(v, g('$xv'), g(row ? '$wb' : '$wa'), g(row ? a1(j) : a0(j)))));
        }
      }
      return T.join('\n        ');
    };
    const yp = add(g('$yp'), shl2(g('$ow')));
    return `${J.map((j) => `${set(a0(j), g('$bs'))} ${set(a1(j), g('$bs'))}`).join(' ')}
      ${set('$xh', add(g('$xrow'), shl2(g('$ow'))))} ${set('$wh', g('$wrow'))}
      ;; input row 0: output row r only
      ${taps([0], (kw) => kw)}
      ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$kh', sub(g('$kH'), i(1)))}
      (block $phd (loop $phl (br_if $phd (i32.eqz ${g('$kh')}))
        ${taps([0, 1], (kw, row) => (row ? kw : K + kw))}
        ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), i(K * 4)))} ${set('$kh', sub(g('$kh'), i(1)))} (br $phl)))
      ;; input row kH: output row r + 1 only (filter row kH − 1)
      ${taps([1], (kw) => kw)}
      ${J.map((j) => `${set('$x', g(a0(j)))} ${activation(act)} (v128.store offset=${16 * j} ${yp} ${g('$x')})
      ${set('$x', g(a1(j)))} ${activation(act)} (v128.store offset=${16 * j} ${add(yp, g('$ydn'))} ${g('$x')})`).join('\n      ')}`;
  };
  // one output column at $ow over its in-range taps [kw0, kw1)
  const scalarCol = (act: number) => `
      ${set('$iwb', sub(mul(g('$ow'), i(S)), g('$padL')))}
      ${set('$kw0', `(select ${i(0)} (i32.sub ${i(0)} ${g('$iwb')}) (i32.ge_s ${g('$iwb')} ${i(0)}))`)}
      ${set('$kw1', `(select ${i(K)} ${sub(g('$W'), g('$iwb'))} (i32.le_s ${add(g('$iwb'), i(K))} ${g('$W')}))`)}
      ${set('$acc0', g('$bs'))}
      (if (i32.lt_s ${g('$kw0')} ${g('$kw1')}) (then
        ${set('$xh', add(g('$xrow'), shl2(add(mul(g('$ow'), i(S)), g('$kw0')))))} ${set('$wh', add(g('$wrow'), shl2(g('$kw0'))))} ${set('$kh', g('$nkh'))}
        (block $shd (loop $shl (br_if $shd (i32.eqz ${g('$kh')}))
          ${set('$xq', g('$xh'))} ${set('$wq', g('$wh'))} ${set('$kw', sub(g('$kw1'), g('$kw0')))}
          (block $swd (loop $swl
            ${set('$acc0', madd(v, `(v128.load32_splat ${g('$xq')})`, `(v128.load32_splat ${g('$wq')})`, g('$acc0')))}
            ${set('$xq', add(g('$xq'), i(4)))} ${set('$wq', add(g('$wq'), i(4)))} ${set('$kw', sub(g('$kw'), i(1)))}
            (br_if $swl ${g('$kw')})))
          ${set('$xh', add(g('$xh'), g('$xsh')))} ${set('$wh', add(g('$wh'), i(K * 4)))} ${set('$kh', sub(g('$kh'), i(1)))} (br $shl)))))
      ${set('$x', g('$acc0'))} ${activation(act)}
      (v128.store32_lane 0 ${add(g('$yp'), shl2(g('$ow')))} ${g('$x')})`;
  const scalarTo = (end: string, act: number, lbl: string) => `(block $${lbl}d (loop $${lbl}l (br_if $${lbl}d (i32.ge_s ${g('$ow')} ${end}))
      ${scalarCol(act)}
      ${set('$ow', add(g('$ow'), i(1)))} (br $${lbl}l)))`;
  // rows r and r + 1 together where both are full height in one plane (stride 1 and dilation 1 down): then on to r + 2
  const pairRows = (act: number) => `(if (i32.and (i32.and ${g('$pairs')} (i32.lt_u ${add(g('$r'), i(1))} ${g('$r1')}))
          (i32.and (i32.and (i32.ne (i32.rem_u ${add(g('$r'), i(1))} ${g('$oH')}) ${i(0)}) (i32.eq ${g('$nkh')} ${g('$kH')})) (i32.lt_s ${add(g('$ihb'), g('$kH'))} ${g('$H')})))
        (then
          ${set('$ow', g('$owL'))}
          (block $q4d (loop $q4l (br_if $q4d (i32.gt_s ${add(g('$ow'), i(4 * PAIR_V))} ${g('$owR')}))
            ${pairBody(PAIR_V, act)}
            ${set('$ow', add(g('$ow'), i(4 * PAIR_V)))} (br $q4l)))
          (block $q1d (loop $q1l (br_if $q1d (i32.ge_s ${g('$ow')} ${g('$owR')}))
            (if (i32.gt_s ${add(g('$ow'), i(4))} ${g('$owR')}) (then
              (br_if $q1d (i32.lt_s ${sub(g('$owR'), g('$owL'))} ${i(4)}))
              ${set('$ow', sub(g('$owR'), i(4)))}))
            ${pairBody(1, act)}
            ${set('$ow', add(g('$ow'), i(4)))} (br $q1l)))
          ;; each row's borders (and interior columns the vectors left) one column at a time
          ${set('$oe', g('$ow'))}
          ${set('$ow', i(0))} ${scalarTo(g('$owL'), act, 'pl0')} ${set('$ow', g('$oe'))} ${scalarTo(g('$oW'), act, 'pr0')}
          ${set('$xrow', add(g('$xrow'), g('$xsh')))} ${set('$yp', add(g('$yp'), g('$ydn')))}
          ${set('$ow', i(0))} ${scalarTo(g('$owL'), act, 'pl1')} ${set('$ow', g('$oe'))} ${scalarTo(g('$oW'), act, 'pr1')}
          ${set('$yp', sub(g('$yp'), g('$ydn')))}
          ${act === ACT_CODES.linear ? postSwitch('$yp', '$oW2') : ''}
          ${set('$r', add(g('$r'), i(2)))} (br $rl)))`;
  const nest = (act: number) => {
    const post = act === ACT_CODES.linear ? postSwitch('$yp', '$oW') : '';
    return `${set('$r', g('$r0'))}
    (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$r1')}))
      ${set('$b', `(i32.div_u ${g('$r')} ${g('$oH')})`)}
      ${set('$m', `(i32.rem_u ${g('$b')} ${g('$M')})`)}
      ${set('$ihb', sub(mul(`(i32.rem_u ${g('$r')} ${g('$oH')})`, g('$sH')), g('$padT')))}
      ;; [kh0, kh0 + nkh): the kernel rows inside the image
      ${set('$kh0', i(0))} ${set('$nkh', i(0))} ${set('$t', i(0))}
      (block $thd (loop $thl (br_if $thd (i32.ge_u ${g('$t')} ${g('$kH')}))
        (if (i32.lt_u ${add(g('$ihb'), mul(g('$t'), g('$dH')))} ${g('$H')})
          (then (if (i32.eqz ${g('$nkh')}) (then ${set('$kh0', g('$t'))})) ${set('$nkh', sub(add(g('$t'), i(1)), g('$kh0')))}))
        ${set('$t', add(g('$t'), i(1)))} (br $thl)))
      ;; input plane n·C + m / mult, at its column −padL of the first kernel row inside the image
      ${set('$xrow', add(g('$x0'), shl2(add(mul(add(mul(`(i32.div_u ${g('$b')} ${g('$M')})`, g('$C')), `(i32.div_u ${g('$m')} ${g('$mult')})`), g('$HW')), sub(mul(add(g('$ihb'), mul(g('$kh0'), g('$dH'))), g('$W')), g('$padL'))))))}
      ${set('$wrow', add(g('$w'), shl2(mul(add(mul(g('$m'), g('$kH')), g('$kh0')), i(K)))))}
      ${set('$bs', `(if (result v128) ${g('$bias')} (then (v128.load32_splat ${add(g('$bias'), shl2(g('$m')))})) (else ${ZERO}))`)}
      ${set('$yp', add(g('$yb'), shl2(mul(g('$r'), g('$oW')))))}
      ${S === 1 ? pairRows(act) : ''}
      ${set('$ow', i(0))}
      ${scalarTo(g('$owL'), act, 'lb')}
      (block $v4d (loop $v4l (br_if $v4d (i32.gt_s ${add(g('$ow'), i(16))} ${g('$owR')}))
        ${vecBody(4, act)}
        ${set('$ow', add(g('$ow'), i(16)))} (br $v4l)))
      ;; 4 columns at a time; the last pass ends at owR (overlapping the previous one) when the interior has 4 columns
      (block $v1d (loop $v1l (br_if $v1d (i32.ge_s ${g('$ow')} ${g('$owR')}))
        (if (i32.gt_s ${add(g('$ow'), i(4))} ${g('$owR')}) (then
          (br_if $v1d (i32.lt_s ${sub(g('$owR'), g('$owL'))} ${i(4)}))
          ${set('$ow', sub(g('$owR'), i(4)))}))
        ${vecBody(1, act)}
        ${set('$ow', add(g('$ow'), i(4)))} (br $v1l)))
      ${scalarTo(g('$oW'), act, 'rb')}
      ${post}
      ${set('$r', add(g('$r'), i(1)))} (br $rl)))`;
  };
  const names = [...GEOM, 'r', 'b', 'm', 'ow', 'kh', 'kw', 'kh0', 'nkh', 'kw0', 'kw1', 't', 'ihb', 'iwb', 'x0', 'HW', 'xrow', 'wrow', 'xh', 'wh', 'xq', 'wq', 'xsh', 'yb', 'yp', 'yq', 'w', 'bias', 'mult', 'owL', 'owR', 'act', 'pairs', 'oe', 'ydn', 'oW2'];
  const vl = ['bs', 'wv', 'wa', 'wb', 'xv', ...Array.from({ length: 8 }, (_, j) => `acc${j}`)];
  if (S === 2) for (let j = 0; j < 4; j++) for (let q = 0; q <= K + 3; q++) vl.push(`l${j}_${q}`);
  return `(func (export "${dwNchwExport(K, S)}") (param $pb i32) (param $r0 i32) (param $r1 i32)
  ${names.map((n) => `(local $${n} i32)`).join(' ')}
  ${vl.map((n) => `(local $${n} v128)`).join(' ')} (local $v0 v128) (local $v1 v128) ${EPI_LOCALS}
  ${GEOM.map((n) => set(`$${n}`, ld(CP[n]))).join(' ')}
  ${set('$v0', `(f32x4.splat ${ldf(CP.p0)})`)} ${set('$v1', `(f32x4.splat ${ldf(CP.p1)})`)}
  ${set('$x0', ld(CP.x))} ${set('$yb', ld(CP.y))} ${set('$w', ld(CP.w))} ${set('$bias', ld(CP.bias))} ${set('$mult', ld(CP.mult))}
  ${set('$HW', mul(g('$H'), g('$W')))}
  ;; row pairs (stride-1 kernels): one row down in the input (sH = dH = 1), one in the output
  ${set('$pairs', `(i32.and (i32.eq ${g('$sH')} ${i(1)}) (i32.eq ${g('$dH')} ${i(1)}))`)} ${set('$ydn', shl2(g('$oW')))} ${set('$oW2', `(i32.shl ${g('$oW')} ${i(1)})`)} ${set('$act', ld(CP.act))}
  ${set('$xsh', shl2(mul(g('$dH'), g('$W'))))}
  ;; interior columns [owL, owR): ow·S − padL ≥ 0 and ow·S − padL + K − 1 < W
  ${set('$owL', `(i32.div_u ${add(g('$padL'), i(S - 1))} ${i(S)})`)}
  (if (i32.gt_s ${g('$owL')} ${g('$oW')}) (then ${set('$owL', g('$oW'))}))
  ${set('$t', sub(add(g('$W'), g('$padL')), i(K)))}
  ${set('$owR', `(select (i32.add (i32.div_u ${g('$t')} ${i(S)}) ${i(1)}) ${i(0)} (i32.ge_s ${g('$t')} ${i(0)}))`)}
  (if (i32.gt_s ${g('$owR')} ${g('$oW')}) (then ${set('$owR', g('$oW'))}))
  (if (i32.lt_s ${g('$owR')} ${g('$owL')}) (then ${set('$owR', g('$owL'))}))
  ${perActivation(nest)})`;
}

export const dwconvFamily: WatFamily = {
  name: 'dwconv',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    const fns: string[] = [];
    for (const k of DW_WIDTHS) for (const s of DW_STRIDES) fns.push(kernel(v, k, s));
    fns.push(nhwcKernels(v));
    return `(module ${memoryImport(v)}
${fns.join('\n')}
)`;
  },
};
