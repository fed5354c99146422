/**
 * The `reduce` family: reduction passes, ArgMax/ArgMin and cumulative scans. Every kernel views its
 * input as [outer, R, inner] (see ops/reduce.ts for how a multi-axis reduction becomes passes).
 *
 * `<mode>_<dt>_rows(x, y, R, start, end)` (inner = 1): rows [start, end) of R contiguous elements.
 * `<mode>_<dt>_cols(x, y, R, inner, start, end)` (inner > 1): work item i = (o, tile of 16 adjacent
 * columns) over ceil(inner/16) tiles per o; a tile reduces down R in four v128 accumulators, one
 * 64-byte line per row (tiles of 4 columns took 9× longer on [1024,1024] axis 0: every line was
 * fetched four times). A last tile of < 16 columns runs 4 columns at a time, then one column at a
 * time on splatted loads (all lanes equal, lane 0 stored).
 *
 * Float summation is pairwise: a block of > LEAF elements splits in two halves recursively, and a
 * leaf sums into 16 lanes (4 v128 accumulators), so the rounding error grows like
 * (LEAF/16 + log2(R/LEAF))·u instead of R·u. Columns split pairwise above COL_LEAF rows.
 * max/min give NaN when any element is NaN (numpy's np.max): the row leaf's hot loop runs pmax/pmin
 * (one instruction; V8 lowers the NaN-propagating f32x4.max to ~7: 0.43 → 0.18 ms on [1024,1024])
 * and or-s a NaN mask, everything else uses f32x4.max/min.
 * LogSumExp is m + log(Σ exp(x − m)) with m the max (replaced by 0 when ±Inf or NaN, so −Inf rows
 * give −Inf, +Inf gives +Inf and NaN gives NaN).
 *
 * `arg{max,min}_<dt>_{first,last}(x, y, R, inner, i64, start, end)`: per 4-column group, a running
 * best value and index; NaN beats every number (the first NaN, or the last with `last`), like numpy.
 * `arg{max,min}_<dt>_{first,last}_rows(x, y, R, i64, start, end)`: the same along contiguous rows.
 * y is int32, or int64 when i64 ≠ 0.
 * `cum{sum,prod}_<dt>(x, y, R, inner, exclusive, reverse, start, end)`: sequential scans down R,
 * work item = (o, tile of 16 columns), tails 4 then 1 columns at a time; `..._rows(x, y, R, exclusive,
 * reverse, start, end)` scans contiguous rows 4 elements per step.
 * `finish_{mean,sqrt,log}(y, d, start, end)`: y ← y/d, √y, log y over [start, end).
 * int64 reductions and arg-reductions: see reduce-i64.wat.ts; float64 reductions and scans: reduce-f64.wat.ts.
 */
import { ConstPool, MATH_LOCALS, expF32x4, logF32x4, type MathVariant } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';
import { REDUCE_F64_KERNELS } from './reduce-f64.wat.js';
import { REDUCE_I64_KERNELS } from './reduce-i64.wat.js';
import { EXP_F64X2, LOG_F64X2 } from './templates/math64.wat.js';

const LEAF = 512;
const COL_LEAF = 64;
const LANE0 = '(v128.const i32x4 -1 0 0 0)';
const SWAP64 = '8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7';
const SWAP32 = '4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11';

type Dt = 'f32' | 'i32';

interface Mode {
  name: string;
  dt: Dt;
  /** Identity as a v128 constant. */
  ident: string;
  comb(a: string, b: string): string;
  /**
   * Hot-loop combine that ignores a NaN operand (pmax/pmin: one instruction, where V8 lowers the
   * NaN-propagating f32x4.max to ~7); the leaf then tracks NaN lanes itself.
   */
  fast?: string;
  /** Element transform applied to loaded values. */
  xf(v: MathVariant, a: string, m?: string): string;
}

const g = (n: string) => `(local.get ${n})`;

const MODES: Mode[] = [
  { name: 'sum_f32', dt: 'f32', ident: '(v128.const f32x4 0 0 0 0)', comb: (a, b) => `(f32x4.add ${a} ${b})`, xf: (_, a) => a },
  { name: 'sumsq_f32', dt: 'f32', ident: '(v128.const f32x4 0 0 0 0)', comb: (a, b) => `(f32x4.add ${a} ${b})`, xf: (_, a) => `(block (result v128) (local.set $t ${a}) (f32x4.mul ${g('$t')} ${g('$t')}))` },
  { name: 'asum_f32', dt: 'f32', ident: '(v128.const f32x4 0 0 0 0)', comb: (a, b) => `(f32x4.add ${a} ${b})`, xf: (_, a) => `(f32x4.abs ${a})` },
  { name: 'max_f32', dt: 'f32', ident: '(v128.const f32x4 -inf -inf -inf -inf)', comb: (a, b) => `(f32x4.max ${a} ${b})`, fast: 'f32x4.pmax', xf: (_, a) => a },
  { name: 'min_f32', dt: 'f32', ident: '(v128.const f32x4 inf inf inf inf)', comb: (a, b) => `(f32x4.min ${a} ${b})`, fast: 'f32x4.pmin', xf: (_, a) => a },
  { name: 'prod_f32', dt: 'f32', ident: '(v128.const f32x4 1 1 1 1)', comb: (a, b) => `(f32x4.mul ${a} ${b})`, xf: (_, a) => a },
  // sum of exp(x − $m): the second sweep of LogSumExp
  { name: 'sexp_f32', dt: 'f32', ident: '(v128.const f32x4 0 0 0 0)', comb: (a, b) => `(f32x4.add ${a} ${b})`, xf: (v, a, mm = '$m') => expF32x4(v, `(f32x4.sub ${a} ${g(mm)})`) },
  { name: 'sum_i32', dt: 'i32', ident: '(v128.const i32x4 0 0 0 0)', comb: (a, b) => `(i32x4.add ${a} ${b})`, xf: (_, a) => a },
  { name: 'prod_i32', dt: 'i32', ident: '(v128.const i32x4 1 1 1 1)', comb: (a, b) => `(i32x4.mul ${a} ${b})`, xf: (_, a) => a },
  { name: 'max_i32', dt: 'i32', ident: '(v128.const i32x4 -2147483648 -2147483648 -2147483648 -2147483648)', comb: (a, b) => `(i32x4.max_s ${a} ${b})`, xf: (_, a) => a },
  { name: 'min_i32', dt: 'i32', ident: '(v128.const i32x4 2147483647 2147483647 2147483647 2147483647)', comb: (a, b) => `(i32x4.min_s ${a} ${b})`, xf: (_, a) => a },
];

function mode(name: string): Mode {
  return MODES.find((m) => m.name === name)!;
}

/** Horizontal combine of the 4 lanes (result in every lane). */
function horiz(m: Mode, e: string): string {
  return `(block (result v128) (local.set $h ${e}) (local.set $h ${m.comb(g('$h'), `(i8x16.shuffle ${SWAP64} ${g('$h')} ${g('$h')})`)})
    ${m.comb(g('$h'), `(i8x16.shuffle ${SWAP32} ${g('$h')} ${g('$h')})`)})`;
}

function header(v: MathVariant): string {
  return `(local $t v128) (local $h v128) ${MATH_LOCALS} ${v.consts!.decls()}`;
}

/** $<mode>_blk(p, n, m): 4 lane partials of n contiguous elements from p, pairwise above LEAF. */
function rowBlock(w: WatVariant, m: Mode): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const ld = (off: number) => m.xf(v, `(v128.load offset=${off} ${g('$p')})`);
  // the acc operand of pmax/pmin is never NaN, so a NaN load leaves it alone and sets its lane in $nan
  const hot = (i: number) =>
    m.fast
      ? `(local.set $a${i} (${m.fast} ${g(`$a${i}`)} (local.tee $u ${ld(16 * i)}))) (local.set $nan (v128.or ${g('$nan')} (f32x4.ne ${g('$u')} ${g('$u')})))`
      : `(local.set $a${i} ${m.comb(g(`$a${i}`), ld(16 * i))})`;
  const combined = m.comb(m.comb(g('$a0'), g('$a1')), m.comb(g('$a2'), g('$a3')));
  const body = `(if (i32.gt_u ${g('$n')} (i32.const ${LEAF})) (then
      (local.set $half (i32.and (i32.shr_u ${g('$n')} (i32.const 1)) (i32.const -16)))
      (return ${m.comb(`(call $${m.name}_blk ${g('$p')} ${g('$half')} ${g('$m')})`,
        `(call $${m.name}_blk (i32.add ${g('$p')} (i32.shl ${g('$half')} (i32.const 2))) (i32.sub ${g('$n')} ${g('$half')}) ${g('$m')})`)})))
    (local.set $a0 ${m.ident}) (local.set $a1 ${m.ident}) (local.set $a2 ${m.ident}) (local.set $a3 ${m.ident})
    (local.set $e (i32.add ${g('$p')} (i32.shl ${g('$n')} (i32.const 2))))
    (block $d1 (loop $l1
      (br_if $d1 (i32.gt_u (i32.add ${g('$p')} (i32.const 64)) ${g('$e')}))
      ${[0, 1, 2, 3].map((i) => hot(i)).join('\n      ')}
      (local.set $p (i32.add ${g('$p')} (i32.const 64)))
      (br $l1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.gt_u (i32.add ${g('$p')} (i32.const 16)) ${g('$e')}))
      (local.set $a0 ${m.comb(g('$a0'), ld(0))})
      (local.set $p (i32.add ${g('$p')} (i32.const 16)))
      (br $l2)))
    (block $d3 (loop $l3
      (br_if $d3 (i32.ge_u ${g('$p')} ${g('$e')}))
      (local.set $a1 ${m.comb(g('$a1'), `(v128.bitselect ${m.xf(v, `(v128.load32_splat ${g('$p')})`)} ${m.ident} ${LANE0})`)})
      (local.set $p (i32.add ${g('$p')} (i32.const 4)))
      (br $l3)))
    ${m.fast ? `(v128.bitselect (v128.const f32x4 nan nan nan nan) ${combined} ${g('$nan')})` : combined}`;
  return `(func $${m.name}_blk (param $p i32) (param $n i32) (param $m v128) (result v128)
    (local $half i32) (local $e i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $u v128) (local $nan v128) ${header(v)}
    ${v.consts!.init()}
    ${body})`;
}

/** $<mode>_col{w,n}(p, n, stride, m): n rows of 4 columns (w) or one splatted column (n), pairwise above COL_LEAF. */
function colBlock(w: WatVariant, m: Mode, wide: boolean): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const fn = `$${m.name}_col${wide ? 'w' : 'n'}`;
  const ld = (p: string) => m.xf(v, wide ? `(v128.load ${p})` : `(v128.load32_splat ${p})`);
  const body = `(if (i32.gt_u ${g('$n')} (i32.const ${COL_LEAF})) (then
      (local.set $half (i32.shr_u ${g('$n')} (i32.const 1)))
      (return ${m.comb(`(call ${fn} ${g('$p')} ${g('$half')} ${g('$s')} ${g('$m')})`,
        `(call ${fn} (i32.add ${g('$p')} (i32.mul ${g('$half')} ${g('$s')})) (i32.sub ${g('$n')} ${g('$half')}) ${g('$s')} ${g('$m')})`)})))
    (local.set $a0 ${m.ident}) (local.set $a1 ${m.ident})
    (block $d (loop $l
      (br_if $d (i32.lt_u ${g('$n')} (i32.const 2)))
      (local.set $a0 ${m.comb(g('$a0'), ld(g('$p')))})
      (local.set $a1 ${m.comb(g('$a1'), ld(`(i32.add ${g('$p')} ${g('$s')})`))})
      (local.set $p (i32.add ${g('$p')} (i32.shl ${g('$s')} (i32.const 1))))
      (local.set $n (i32.sub ${g('$n')} (i32.const 2)))
      (br $l)))
    (if (i32.ne ${g('$n')} (i32.const 0)) (then (local.set $a0 ${m.comb(g('$a0'), ld(g('$p')))})))
    ${m.comb(g('$a0'), g('$a1'))}`;
  return `(func ${fn} (param $p i32) (param $n i32) (param $s i32) (param $m v128) (result v128)
    (local $half i32) (local $a0 v128) (local $a1 v128) ${header(v)}
    ${v.consts!.init()}
    ${body})`;
}

/**
 * $<mode>_col16(p, n, s, m0..m3): n rows of a 16-column tile (one cache line per row), four v128
 * results; pairwise above COL_LEAF rows. m0..m3 are the per-column-quad maxima LogSumExp subtracts.
 */
function colTile(w: WatVariant, m: Mode): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const fn = `$${m.name}_col16`;
  const ms = ['$m0', '$m1', '$m2', '$m3'];
  const call = (p: string, n: string, set: string) =>
    `(call ${fn} ${p} ${n} ${g('$s')} ${ms.map(g).join(' ')}) ${[3, 2, 1, 0].map((i) => `(local.set $${set}${i})`).join(' ')}`;
  const body = `(if (i32.gt_u ${g('$n')} (i32.const ${COL_LEAF})) (then
      (local.set $half (i32.shr_u ${g('$n')} (i32.const 1)))
      ${call(g('$p'), g('$half'), 'b')}
      ${call(`(i32.add ${g('$p')} (i32.mul ${g('$half')} ${g('$s')}))`, `(i32.sub ${g('$n')} ${g('$half')})`, 'a')}
      (return ${[0, 1, 2, 3].map((i) => m.comb(g(`$b${i}`), g(`$a${i}`))).join(' ')})))
    ${[0, 1, 2, 3].map((i) => `(local.set $a${i} ${m.ident})`).join(' ')}
    (block $d (loop $l
      (br_if $d (i32.eqz ${g('$n')}))
      ${[0, 1, 2, 3].map((i) => `(local.set $a${i} ${m.comb(g(`$a${i}`), m.xf(v, `(v128.load offset=${16 * i} ${g('$p')})`, ms[i]))})`).join('\n      ')}
      (local.set $p (i32.add ${g('$p')} ${g('$s')}))
      (local.set $n (i32.sub ${g('$n')} (i32.const 1)))
      (br $l)))
    ${[0, 1, 2, 3].map((i) => g(`$a${i}`)).join(' ')}`;
  return `(func ${fn} (param $p i32) (param $n i32) (param $s i32) ${ms.map((x) => `(param ${x} v128)`).join(' ')} (result v128 v128 v128 v128)
    (local $half i32) ${[0, 1, 2, 3].map((i) => `(local $a${i} v128) (local $b${i} v128)`).join(' ')} ${header(v)}
    ${v.consts!.init()}
    ${body})`;
}

/** m, with ±Inf/NaN lanes replaced by 0 (x − x ≠ 0 exactly there). */
function safeMax(mx: string): string {
  return `(v128.bitselect ${mx} (v128.const f32x4 0 0 0 0) (f32x4.eq (f32x4.sub ${mx} ${mx}) (v128.const f32x4 0 0 0 0)))`;
}

/** m + log(s), the LogSumExp result from the max m and s = Σ exp(x − safe(m)). */
function lseResult(v: MathVariant, mx: string, s: string): string {
  return `(f32x4.add ${mx} ${logF32x4(v, s)})`;
}

const NONE = '(v128.const i32x4 0 0 0 0)';

/** Exported pass kernels for one reduction name (a Mode name, or 'lse_f32'). */
function passKernels(w: WatVariant, name: string): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const rowValue =
    name === 'lse_f32'
      ? `(block (result v128)
          (local.set $mx ${horiz(mode('max_f32'), `(call $max_f32_blk ${g('$p')} ${g('$R')} ${NONE})`)})
          ${lseResult(v, g('$mx'), horiz(mode('sexp_f32'), `(call $sexp_f32_blk ${g('$p')} ${g('$R')} ${safeMax(g('$mx'))})`))})`
      : horiz(mode(name), `(call $${name}_blk ${g('$p')} ${g('$R')} ${NONE})`);
  // the cols function has its own constant pool (LogSumExp's log uses it)
  const v2: MathVariant = { ...w, consts: new ConstPool() };
  const colValue = (wd: 'w' | 'n') =>
    name === 'lse_f32'
      ? `(block (result v128)
          (local.set $mx (call $max_f32_col${wd} ${g('$p')} ${g('$R')} ${g('$s')} ${NONE}))
          ${lseResult(v2, g('$mx'), `(call $sexp_f32_col${wd} ${g('$p')} ${g('$R')} ${g('$s')} ${safeMax(g('$mx'))})`)})`
      : `(call $${name}_col${wd} ${g('$p')} ${g('$R')} ${g('$s')} ${NONE})`;
  const cw = colValue('w');
  const cn = colValue('n');
  const rows = `(func (export "${name}_rows") (param $x i32) (param $y i32) (param $R i32) (param $start i32) (param $end i32)
    (local $r i32) (local $p i32) (local $mx v128) ${header(v)}
    ${v.consts!.init()}
    (local.set $r ${g('$start')})
    (block $d (loop $l
      (br_if $d (i32.ge_u ${g('$r')} ${g('$end')}))
      (local.set $p (i32.add ${g('$x')} (i32.shl (i32.mul ${g('$r')} ${g('$R')}) (i32.const 2))))
      (v128.store32_lane 0 (i32.add ${g('$y')} (i32.shl ${g('$r')} (i32.const 2))) ${rowValue})
      (local.set $r (i32.add ${g('$r')} (i32.const 1)))
      (br $l))))`;
  const zeros4 = [NONE, NONE, NONE, NONE].join(' ');
  const tile =
    name === 'lse_f32'
      ? `(call $max_f32_col16 ${g('$p')} ${g('$R')} ${g('$s')} ${zeros4}) (local.set $r3) (local.set $r2) (local.set $r1) (local.set $r0)
        (call $sexp_f32_col16 ${g('$p')} ${g('$R')} ${g('$s')} ${[0, 1, 2, 3].map((i) => safeMax(g(`$r${i}`))).join(' ')})
        (local.set $t3) (local.set $t2) (local.set $t1) (local.set $t0)
        ${[0, 1, 2, 3].map((i) => `(v128.store offset=${16 * i} ${g('$q')} ${lseResult(v2, g(`$r${i}`), g(`$t${i}`))})`).join('\n        ')}`
      : `(call $${name}_col16 ${g('$p')} ${g('$R')} ${g('$s')} ${zeros4}) (local.set $r3) (local.set $r2) (local.set $r1) (local.set $r0)
        ${[0, 1, 2, 3].map((i) => `(v128.store offset=${16 * i} ${g('$q')} ${g(`$r${i}`)})`).join(' ')}`;
  const cols = `(func (export "${name}_cols") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32) (local $col i32) (local $groups i32) (local $s i32) (local $p i32) (local $q i32) (local $mx v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) ${header(v2)}
    ${v2.consts!.init()}
    (local.set $groups (i32.shr_u (i32.add ${g('$inner')} (i32.const 15)) (i32.const 4)))
    (local.set $s (i32.shl ${g('$inner')} (i32.const 2)))
    (local.set $i ${g('$start')})
    (block $d (loop $l
      (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
      (local.set $o (i32.div_u ${g('$i')} ${g('$groups')}))
      (local.set $col (i32.shl (i32.sub ${g('$i')} (i32.mul ${g('$o')} ${g('$groups')})) (i32.const 4)))
      (local.set $p (i32.add ${g('$x')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$R')}) ${g('$inner')}) ${g('$col')}) (i32.const 2))))
      (local.set $q (i32.add ${g('$y')} (i32.shl (i32.add (i32.mul ${g('$o')} ${g('$inner')}) ${g('$col')}) (i32.const 2))))
      (if (i32.le_u (i32.add ${g('$col')} (i32.const 16)) ${g('$inner')})
        (then ${tile})
        (else
          (block $wd (loop $wl
            (br_if $wd (i32.gt_u (i32.add ${g('$col')} (i32.const 4)) ${g('$inner')}))
            (v128.store ${g('$q')} ${cw})
            (local.set $col (i32.add ${g('$col')} (i32.const 4)))
            (local.set $p (i32.add ${g('$p')} (i32.const 16)))
            (local.set $q (i32.add ${g('$q')} (i32.const 16)))
            (br $wl)))
          (block $cd (loop $cl
            (br_if $cd (i32.ge_u ${g('$col')} ${g('$inner')}))
            (v128.store32_lane 0 ${g('$q')} ${cn})
            (local.set $col (i32.add ${g('$col')} (i32.const 1)))
            (local.set $p (i32.add ${g('$p')} (i32.const 4)))
            (local.set $q (i32.add ${g('$q')} (i32.const 4)))
            (br $cl)))))
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $l))))`;
  return `${rows}\n${cols}`;
}

/** ArgMax/ArgMin over [outer, R, inner], 4 columns per work item (R ≥ 1). */
/** `ignore` (f32, first): nanMode 'ignore', a plain strict comparison that NaN never passes (export suffix _ignore). */
function argKernel(op: 'max' | 'min', dt: Dt, last: boolean, ignore = false): string {
  const t = dt === 'f32' ? 'f32x4' : 'i32x4';
  const cmp = (strict: boolean) => (dt === 'f32' ? `${t}.${op === 'max' ? 'g' : 'l'}${strict ? 't' : 'e'}` : `${t}.${op === 'max' ? 'g' : 'l'}${strict ? 't' : 'e'}_s`);
  const take = (x: string, b: string) => {
    const base = `(${cmp(!last)} ${x} ${b})`;
    if (dt === 'i32' || ignore) return base;
    const xNan = `(f32x4.ne ${x} ${x})`;
    return last ? `(v128.or ${base} ${xNan})` : `(v128.or ${base} (v128.and ${xNan} (f32x4.eq ${b} ${b})))`;
  };
  const scan = (wide: boolean) => {
    const ld = (p: string) => (wide ? `(v128.load ${p})` : `(v128.load32_splat ${p})`);
    const store = wide
      ? `(if ${g('$i64')}
          (then (v128.store ${g('$q')} (i64x2.extend_low_i32x4_u ${g('$bi')})) (v128.store offset=16 ${g('$q')} (i64x2.extend_high_i32x4_u ${g('$bi')})))
          (else (v128.store ${g('$q')} ${g('$bi')})))`
      : `(if ${g('$i64')}
          (then (i64.store ${g('$q')} (i64.extend_i32_u (i32x4.extract_lane 0 ${g('$bi')}))))
          (else (v128.store32_lane 0 ${g('$q')} ${g('$bi')})))`;
    return `(local.set $b ${ld(g('$p'))}) (local.set $bi (v128.const i32x4 0 0 0 0)) (local.set $kv (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.const 1)) (local.set $pp (i32.add ${g('$p')} ${g('$s')}))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u ${g('$k')} ${g('$R')}))
        (local.set $kv (i32x4.add ${g('$kv')} (v128.const i32x4 1 1 1 1)))
        (local.set $xv ${ld(g('$pp'))})
        (local.set $tk ${take(g('$xv'), g('$b'))})
        (local.set $b (v128.bitselect ${g('$xv')} ${g('$b')} ${g('$tk')}))
        (local.set $bi (v128.bitselect ${g('$kv')} ${g('$bi')} ${g('$tk')}))
        (local.set $pp (i32.add ${g('$pp')} ${g('$s')}))
        (local.set $k (i32.add ${g('$k')} (i32.const 1)))
        (br $sl)))
      ${store}`;
  };
  return `(func (export "arg${op}_${dt}_${last ? 'last' : 'first'}${ignore ? '_ignore' : ''}") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $i64 i32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32) (local $col i32) (local $groups i32) (local $s i32) (local $p i32) (local $q i32) (local $pp i32) (local $k i32) (local $osz i32)
    (local $b v128) (local $bi v128) (local $kv v128) (local $xv v128) (local $tk v128)
    (local.set $osz (i32.add (i32.const 4) (i32.shl ${g('$i64')} (i32.const 2))))
    (local.set $groups (i32.shr_u (i32.add ${g('$inner')} (i32.const 3)) (i32.const 2)))
    (local.set $s (i32.shl ${g('$inner')} (i32.const 2)))
    (local.set $i ${g('$start')})
    (block $d (loop $l
      (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
      (local.set $o (i32.div_u ${g('$i')} ${g('$groups')}))
      (local.set $col (i32.shl (i32.sub ${g('$i')} (i32.mul ${g('$o')} ${g('$groups')})) (i32.const 2)))
      (local.set $p (i32.add ${g('$x')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$R')}) ${g('$inner')}) ${g('$col')}) (i32.const 2))))
      (local.set $q (i32.add ${g('$y')} (i32.mul (i32.add (i32.mul ${g('$o')} ${g('$inner')}) ${g('$col')}) ${g('$osz')})))
      (if (i32.le_u (i32.add ${g('$col')} (i32.const 4)) ${g('$inner')})
        (then ${scan(true)})
        (else
          (block $cd (loop $cl
            (br_if $cd (i32.ge_u ${g('$col')} ${g('$inner')}))
            ${scan(false)}
            (local.set $col (i32.add ${g('$col')} (i32.const 1)))
            (local.set $p (i32.add ${g('$p')} (i32.const 4)))
            (local.set $q (i32.add ${g('$q')} ${g('$osz')}))
            (br $cl)))))
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $l))))`;
}

/**
 * ArgMax/ArgMin along contiguous rows (inner = 1): lane j keeps the best of elements k ≡ j (mod 4)
 * with its index, then the four lane winners and the < 4 tail elements merge by the scalar rule
 * (better value; equal values or both NaN: the smaller index, or the larger with `last`).
 */
function argRowsKernel(op: 'max' | 'min', dt: Dt, last: boolean): string {
  const t = dt === 'f32' ? 'f32x4' : 'i32x4';
  const s = dt === 'f32' ? 'f32' : 'i32';
  const vcmp = `${t}.${op === 'max' ? 'g' : 'l'}${last ? 'e' : 't'}${dt === 'i32' ? '_s' : ''}`;
  const vtake = (x: string, b: string) => {
    const base = `(${vcmp} ${x} ${b})`;
    if (dt === 'i32') return base;
    const xNan = `(f32x4.ne ${x} ${x})`;
    return last ? `(v128.or ${base} ${xNan})` : `(v128.or ${base} (v128.and ${xNan} (f32x4.eq ${b} ${b})))`;
  };
  const strict = `(${s}.${op === 'max' ? 'gt' : 'lt'}${dt === 'i32' ? '_s' : ''} ${g('$sv')} ${g('$bv')})`;
  const pref = `(i32.${last ? 'gt_u' : 'lt_u'} ${g('$si')} ${g('$bidx')})`;
  const better =
    dt === 'i32'
      ? `(i32.or ${strict} (i32.and (i32.eq ${g('$sv')} ${g('$bv')}) ${pref}))`
      : `(i32.or (i32.or ${strict} (i32.and (f32.ne ${g('$sv')} ${g('$sv')}) (f32.eq ${g('$bv')} ${g('$bv')})))
          (i32.and (i32.or (f32.eq ${g('$sv')} ${g('$bv')}) (i32.and (f32.ne ${g('$sv')} ${g('$sv')}) (f32.ne ${g('$bv')} ${g('$bv')}))) ${pref}))`;
  const merge = `(if ${better} (then (local.set $bv ${g('$sv')}) (local.set $bidx ${g('$si')})))`;
  const lane = (i: number) => `(local.set $sv (${t}.extract_lane ${i} ${g('$b')})) (local.set $si (i32x4.extract_lane ${i} ${g('$bi')})) ${merge}`;
  return `(func (export "arg${op}_${dt}_${last ? 'last' : 'first'}_rows") (param $x i32) (param $y i32) (param $R i32) (param $i64 i32) (param $start i32) (param $end i32)
    (local $r i32) (local $p i32) (local $k i32) (local $si i32) (local $bidx i32) (local $sv ${s}) (local $bv ${s})
    (local $b v128) (local $bi v128) (local $kv v128) (local $xv v128) (local $tk v128)
    (local.set $r ${g('$start')})
    (block $d (loop $l
      (br_if $d (i32.ge_u ${g('$r')} ${g('$end')}))
      (local.set $p (i32.add ${g('$x')} (i32.shl (i32.mul ${g('$r')} ${g('$R')}) (i32.const 2))))
      (if (i32.ge_u ${g('$R')} (i32.const 4))
        (then
          (local.set $b (v128.load ${g('$p')}))
          (local.set $bi (v128.const i32x4 0 1 2 3)) (local.set $kv (v128.const i32x4 0 1 2 3))
          (local.set $k (i32.const 4))
          (block $vd (loop $vl
            (br_if $vd (i32.gt_u (i32.add ${g('$k')} (i32.const 4)) ${g('$R')}))
            (local.set $kv (i32x4.add ${g('$kv')} (v128.const i32x4 4 4 4 4)))
            (local.set $xv (v128.load (i32.add ${g('$p')} (i32.shl ${g('$k')} (i32.const 2)))))
            (local.set $tk ${vtake(g('$xv'), g('$b'))})
            (local.set $b (v128.bitselect ${g('$xv')} ${g('$b')} ${g('$tk')}))
            (local.set $bi (v128.bitselect ${g('$kv')} ${g('$bi')} ${g('$tk')}))
            (local.set $k (i32.add ${g('$k')} (i32.const 4)))
            (br $vl)))
          (local.set $bv (${t}.extract_lane 0 ${g('$b')})) (local.set $bidx (i32x4.extract_lane 0 ${g('$bi')}))
          ${lane(1)} ${lane(2)} ${lane(3)})
        (else (local.set $bv (${s}.load ${g('$p')})) (local.set $bidx (i32.const 0)) (local.set $k (i32.const 1))))
      (block $td (loop $tl
        (br_if $td (i32.ge_u ${g('$k')} ${g('$R')}))
        (local.set $sv (${s}.load (i32.add ${g('$p')} (i32.shl ${g('$k')} (i32.const 2))))) (local.set $si ${g('$k')})
        ${merge}
        (local.set $k (i32.add ${g('$k')} (i32.const 1)))
        (br $tl)))
      (if ${g('$i64')}
        (then (i64.store (i32.add ${g('$y')} (i32.shl ${g('$r')} (i32.const 3))) (i64.extend_i32_u ${g('$bidx')})))
        (else (i32.store (i32.add ${g('$y')} (i32.shl ${g('$r')} (i32.const 2))) ${g('$bidx')})))
      (local.set $r (i32.add ${g('$r')} (i32.const 1)))
      (br $l))))`;
}

/** CumSum/CumProd over [outer, R, inner], a tile of 16 columns per work item (4 v128 running values). */
function cumKernel(m: Mode, name: string): string {
  /** Scan `lanes` v128 columns (4 = a 16-column tile), or one splatted column when lanes = 0. */
  const scan = (lanes: number) => {
    const ids = lanes ? [...Array(lanes).keys()] : [0];
    const ld = (i: number) => (lanes ? `(v128.load offset=${16 * i} ${g('$pp')})` : `(v128.load32_splat ${g('$pp')})`);
    const st = (i: number) => (lanes ? `(v128.store offset=${16 * i} ${g('$qq')} ${g(`$acc${i}`)})` : `(v128.store32_lane 0 ${g('$qq')} ${g('$acc0')})`);
    const add = (i: number) => `(local.set $acc${i} ${m.comb(g(`$acc${i}`), ld(i))})`;
    return `${ids.map((i) => `(local.set $acc${i} ${m.ident})`).join(' ')}
      (local.set $pp ${g('$p')}) (local.set $qq ${g('$q')})
      (if ${g('$rev')} (then
        (local.set $pp (i32.add ${g('$pp')} (i32.mul (i32.sub ${g('$R')} (i32.const 1)) ${g('$s')})))
        (local.set $qq (i32.add ${g('$qq')} (i32.mul (i32.sub ${g('$R')} (i32.const 1)) ${g('$s')})))))
      (local.set $k (i32.const 0))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u ${g('$k')} ${g('$R')}))
        (if ${g('$excl')}
          (then ${ids.map(st).join(' ')} ${ids.map(add).join(' ')})
          (else ${ids.map(add).join(' ')} ${ids.map(st).join(' ')}))
        (local.set $pp (i32.add ${g('$pp')} ${g('$step')}))
        (local.set $qq (i32.add ${g('$qq')} ${g('$step')}))
        (local.set $k (i32.add ${g('$k')} (i32.const 1)))
        (br $sl)))`;
  };
  return `(func (export "${name}") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $excl i32) (param $rev i32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32) (local $col i32) (local $groups i32) (local $s i32) (local $step i32) (local $p i32) (local $q i32) (local $pp i32) (local $qq i32) (local $k i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $groups (i32.shr_u (i32.add ${g('$inner')} (i32.const 15)) (i32.const 4)))
    (local.set $s (i32.shl ${g('$inner')} (i32.const 2)))
    (local.set $step (select (i32.sub (i32.const 0) ${g('$s')}) ${g('$s')} ${g('$rev')}))
    (local.set $i ${g('$start')})
    (block $d (loop $l
      (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
      (local.set $o (i32.div_u ${g('$i')} ${g('$groups')}))
      (local.set $col (i32.shl (i32.sub ${g('$i')} (i32.mul ${g('$o')} ${g('$groups')})) (i32.const 4)))
      (local.set $p (i32.add ${g('$x')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$R')}) ${g('$inner')}) ${g('$col')}) (i32.const 2))))
      (local.set $q (i32.add ${g('$y')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$R')}) ${g('$inner')}) ${g('$col')}) (i32.const 2))))
      (if (i32.le_u (i32.add ${g('$col')} (i32.const 16)) ${g('$inner')})
        (then ${scan(4)})
        (else
          (block $wd (loop $wl
            (br_if $wd (i32.gt_u (i32.add ${g('$col')} (i32.const 4)) ${g('$inner')}))
            ${scan(1)}
            (local.set $col (i32.add ${g('$col')} (i32.const 4)))
            (local.set $p (i32.add ${g('$p')} (i32.const 16)))
            (local.set $q (i32.add ${g('$q')} (i32.const 16)))
            (br $wl)))
          (block $cd (loop $cl
            (br_if $cd (i32.ge_u ${g('$col')} ${g('$inner')}))
            ${scan(0)}
            (local.set $col (i32.add ${g('$col')} (i32.const 1)))
            (local.set $p (i32.add ${g('$p')} (i32.const 4)))
            (local.set $q (i32.add ${g('$q')} (i32.const 4)))
            (br $cl)))))
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $l))))`;
}

/**
 * CumSum/CumProd along contiguous rows (inner = 1): 4 elements per step, scanned inside the vector
 * in two shift-and-combine steps (a Hillis–Steele prefix), then combined with the running value
 * splatted from the previous vector's last lane (first lane when reversed). Each output takes at
 * most 3 roundings more than a sequential scan, well inside its R·u bound. A tail of < 4 elements
 * continues one at a time.
 */
function cumRowsKernel(m: Mode, name: string): string {
  const b = (lanes: number[]) => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ');
  // lane indices 0–3 pick from the first operand, 4–7 from the second
  const sh = (a: string, v: string, lanes: number[]) => `(i8x16.shuffle ${b(lanes)} ${a} ${v})`;
  const id = m.ident;
  const vec = (rev: boolean) => {
    const s1 = rev ? [5, 6, 7, 3] : [0, 4, 5, 6];
    const s2 = rev ? [6, 7, 2, 3] : [0, 1, 4, 5];
    const last = rev ? 0 : 3;
    return `(local.set $v (v128.load ${g('$pp')}))
        (local.set $v ${m.comb(g('$v'), sh(id, g('$v'), s1))})
        (local.set $v ${m.comb(g('$v'), sh(id, g('$v'), s2))})
        (local.set $v ${m.comb(g('$v'), g('$acc'))})
        (if ${g('$excl')}
          (then (v128.store ${g('$qq')} ${sh(g('$acc'), g('$v'), s1)}))
          (else (v128.store ${g('$qq')} ${g('$v')})))
        (local.set $acc (i8x16.shuffle ${b([last, last, last, last])} ${g('$v')} ${g('$v')}))`;
  };
  const one = `(if ${g('$excl')}
          (then (v128.store32_lane 0 ${g('$qq')} ${g('$acc')}) (local.set $acc ${m.comb(g('$acc'), `(v128.load32_splat ${g('$pp')})`)}))
          (else (local.set $acc ${m.comb(g('$acc'), `(v128.load32_splat ${g('$pp')})`)}) (v128.store32_lane 0 ${g('$qq')} ${g('$acc')})))`;
  return `(func (export "${name}_rows") (param $x i32) (param $y i32) (param $R i32) (param $excl i32) (param $rev i32) (param $start i32) (param $end i32)
    (local $r i32) (local $k i32) (local $pp i32) (local $qq i32) (local $off i32) (local $v v128) (local $acc v128)
    (local.set $r ${g('$start')})
    (block $d (loop $l
      (br_if $d (i32.ge_u ${g('$r')} ${g('$end')}))
      (local.set $off (i32.shl (i32.mul ${g('$r')} ${g('$R')}) (i32.const 2)))
      (local.set $acc ${id})
      (if ${g('$rev')}
        (then
          (local.set $k ${g('$R')})
          (block $vd (loop $vl
            (br_if $vd (i32.lt_u ${g('$k')} (i32.const 4)))
            (local.set $k (i32.sub ${g('$k')} (i32.const 4)))
            (local.set $pp (i32.add (i32.add ${g('$x')} ${g('$off')}) (i32.shl ${g('$k')} (i32.const 2))))
            (local.set $qq (i32.add (i32.add ${g('$y')} ${g('$off')}) (i32.shl ${g('$k')} (i32.const 2))))
            ${vec(true)}
            (br $vl)))
          (block $td (loop $tl
            (br_if $td (i32.eqz ${g('$k')}))
            (local.set $k (i32.sub ${g('$k')} (i32.const 1)))
            (local.set $pp (i32.add (i32.add ${g('$x')} ${g('$off')}) (i32.shl ${g('$k')} (i32.const 2))))
            (local.set $qq (i32.add (i32.add ${g('$y')} ${g('$off')}) (i32.shl ${g('$k')} (i32.const 2))))
            ${one}
            (br $tl))))
        (else
          (local.set $k (i32.const 0))
          (local.set $pp (i32.add ${g('$x')} ${g('$off')}))
          (local.set $qq (i32.add ${g('$y')} ${g('$off')}))
          (block $vd (loop $vl
            (br_if $vd (i32.gt_u (i32.add ${g('$k')} (i32.const 4)) ${g('$R')}))
            ${vec(false)}
            (local.set $k (i32.add ${g('$k')} (i32.const 4)))
            (local.set $pp (i32.add ${g('$pp')} (i32.const 16)))
            (local.set $qq (i32.add ${g('$qq')} (i32.const 16)))
            (br $vl)))
          (block $td (loop $tl
            (br_if $td (i32.ge_u ${g('$k')} ${g('$R')}))
            ${one}
            (local.set $k (i32.add ${g('$k')} (i32.const 1)))
            (local.set $pp (i32.add ${g('$pp')} (i32.const 4)))
            (local.set $qq (i32.add ${g('$qq')} (i32.const 4)))
            (br $tl)))))
      (local.set $r (i32.add ${g('$r')} (i32.const 1)))
      (br $l))))`;
}

/** y[i] ← f(y[i]) over [start, end), 4 at a time with a single-element tail. */
function finishKernel(w: WatVariant, name: string, f: (v: MathVariant, a: string) => string): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const wideF = f(v, `(v128.load ${g('$p')})`);
  const narrowF = f(v, `(v128.load32_splat ${g('$p')})`);
  return `(func (export "finish_${name}") (param $y i32) (param $d f32) (param $start i32) (param $end i32)
    (local $p i32) (local $e i32) (local $dv v128) ${header(v)}
    ${v.consts!.init()}
    (local.set $dv (f32x4.splat ${g('$d')}))
    (local.set $p (i32.add ${g('$y')} (i32.shl ${g('$start')} (i32.const 2))))
    (local.set $e (i32.add ${g('$y')} (i32.shl ${g('$end')} (i32.const 2))))
    (block $d1 (loop $l1
      (br_if $d1 (i32.gt_u (i32.add ${g('$p')} (i32.const 16)) ${g('$e')}))
      (v128.store ${g('$p')} ${wideF})
      (local.set $p (i32.add ${g('$p')} (i32.const 16)))
      (br $l1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u ${g('$p')} ${g('$e')}))
      (v128.store32_lane 0 ${g('$p')} ${narrowF})
      (local.set $p (i32.add ${g('$p')} (i32.const 4)))
      (br $l2))))`;
}

/** Pass kernels the launcher can call, by ReduceMode and dtype. */
export const PASS_KERNELS = ['sum_f32', 'sumsq_f32', 'asum_f32', 'max_f32', 'min_f32', 'prod_f32', 'lse_f32', 'sum_i32', 'prod_i32', 'max_i32', 'min_i32'] as const;

export const reduceFamily: WatFamily = {
  name: 'reduce',
  usesRelaxed: false,
  emit(w: WatVariant): string {
    const parts: string[] = [memoryImport(w)];
    for (const m of MODES) parts.push(rowBlock(w, m), colBlock(w, m, true), colBlock(w, m, false), colTile(w, m));
    for (const name of PASS_KERNELS) parts.push(passKernels(w, name));
    for (const op of ['max', 'min'] as const) for (const dt of ['f32', 'i32'] as const) for (const last of [false, true]) parts.push(argKernel(op, dt, last), argRowsKernel(op, dt, last));
    parts.push(argKernel('max', 'f32', false, true), argKernel('min', 'f32', false, true));
    for (const [md, name] of [['sum_f32', 'cumsum_f32'], ['prod_f32', 'cumprod_f32'], ['sum_i32', 'cumsum_i32'], ['prod_i32', 'cumprod_i32']] as const) {
      parts.push(cumKernel(mode(md), name), cumRowsKernel(mode(md), name));
    }
    parts.push(finishKernel(w, 'mean', (_, a) => `(f32x4.div ${a} ${g('$dv')})`));
    parts.push(finishKernel(w, 'sqrt', (_, a) => `(f32x4.sqrt ${a})`));
    parts.push(finishKernel(w, 'log', (v, a) => logF32x4(v, a)));
    parts.push(...REDUCE_I64_KERNELS);
    parts.push(EXP_F64X2, LOG_F64X2, ...REDUCE_F64_KERNELS);
    return `(module\n${parts.join('\n')}\n)`;
  },
};
