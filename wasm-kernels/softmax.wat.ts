/**
 * The `softmax` family. The input is viewed as [outer, axis, inner].
 *
 * `rows(x, y, n, start, end)`: inner = 1, rows [start, end) of n contiguous floats. Per row: a max
 * pass (4 accumulators), an exp pass that stores e = exp(x − max) and sums it, and a scale pass by
 * 1/sum. Everything stays in L1 for rows up to ~8k floats.
 *
 * `strided(x, y, axis, inner, start, end)`: inner > 1, work item i = (o, column group g) with
 * g over ceil(inner/4) groups of 4 adjacent columns; the three passes run down the axis (stride
 * inner) on 4 columns at once. The last group of a row that has < 4 columns goes one column at a time.
 *
 * NaN anywhere in a row makes the row NaN; a row of -Inf is NaN (−Inf − −Inf); +Inf makes the row
 * NaN — what exp(x − max)/sum gives in float64.
 *
 * `log_rows` / `log_strided` (LogSoftmax): the same max pass, an exp pass that only sums, and
 * y = (x − max) − log(sum) (never log of a quotient, so tiny probabilities stay finite).
 * `hardmax(x, y, axis, inner, start, end)`: see its function.
 */
import { ConstPool, MATH_LOCALS, expNonPosF32x4, k, logF32x4, type MathVariant } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const LANE0 = '(v128.const i32x4 -1 0 0 0)';

function hmax(e: string): string {
  return `(f32x4.pmax (local.tee $h (f32x4.pmax ${e} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})))
    (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $h) (local.get $h)))`;
}

function hsum(e: string): string {
  return `(f32x4.add (local.tee $h (f32x4.add ${e} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})))
    (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $h) (local.get $h)))`;
}

function rows(w: WatVariant, log: boolean): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const g = (n: string) => `(local.get ${n})`;
  const ld = (off: number) => `(v128.load offset=${off} ${g('$p')})`;
  const ex = (xv: string) => expNonPosF32x4(v, `(f32x4.sub ${xv} ${g('$m')})`);
  // Softmax stores e = exp(x - max) in pass 2; LogSoftmax only sums it.
  const store = (q: string, e: string, off = 0, lane = false) =>
    log ? `(drop ${e})` : lane ? `(v128.store32_lane 0 ${q} ${e})` : `(v128.store offset=${off} ${q} ${e})`;
  const scalePass = `      (local.set $s (f32x4.div ${k(v, 1)} ${hsum(`(f32x4.add ${g('$s')} ${g('$s1')})`)}))
      ;; pass 3: scale by 1/sum
      (local.set $q (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $e (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 2))))
      (block $d5 (loop $l5
        (br_if $d5 (i32.gt_u (i32.add (local.get $q) (i32.const 32)) (local.get $e)))
        (v128.store ${g('$q')} (f32x4.mul (v128.load ${g('$q')}) ${g('$s')}))
        (v128.store offset=16 ${g('$q')} (f32x4.mul (v128.load offset=16 ${g('$q')}) ${g('$s')}))
        (local.set $q (i32.add ${g('$q')} (i32.const 32)))
        (br $l5)))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_u (local.get $q) (local.get $e)))
        (v128.store32_lane 0 ${g('$q')} (f32x4.mul (v128.load32_zero ${g('$q')}) ${g('$s')}))
        (local.set $q (i32.add ${g('$q')} (i32.const 4)))
        (br $l6)))
`;
  const lsub = (xv: string) => `(f32x4.sub (f32x4.sub ${xv} ${g('$m')}) ${g('$s')})`;
  const logPass = `      (local.set $s ${logF32x4(v, hsum(`(f32x4.add ${g('$s')} ${g('$s1')})`))})
      ;; pass 3: y = (x - max) - log(sum)
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $q (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (block $d5 (loop $l5
        (br_if $d5 (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (local.get $e)))
        (v128.store ${g('$q')} ${lsub(ld(0))})
        (v128.store offset=16 ${g('$q')} ${lsub(ld(16))})
        (local.set $p (i32.add ${g('$p')} (i32.const 32)))
        (local.set $q (i32.add ${g('$q')} (i32.const 32)))
        (br $l5)))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_u (local.get $p) (local.get $e)))
        (v128.store32_lane 0 ${g('$q')} ${lsub(`(v128.load32_zero ${g('$p')})`)})
        (local.set $p (i32.add ${g('$p')} (i32.const 4)))
        (local.set $q (i32.add ${g('$q')} (i32.const 4)))
        (br $l6)))
`;
  const body = `(local.set $r (local.get $start))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $e (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
      ;; pass 1: max (a NaN may be skipped here; it still turns the sum, so the row, into NaN)
      (local.set $m ${k(v, -Infinity)}) (local.set $m1 ${k(v, -Infinity)}) (local.set $m2 ${k(v, -Infinity)}) (local.set $m3 ${k(v, -Infinity)})
      (block $d1 (loop $l1
        (br_if $d1 (i32.gt_u (i32.add (local.get $p) (i32.const 64)) (local.get $e)))
        (local.set $m (f32x4.pmax ${g('$m')} ${ld(0)}))
        (local.set $m1 (f32x4.pmax ${g('$m1')} ${ld(16)}))
        (local.set $m2 (f32x4.pmax ${g('$m2')} ${ld(32)}))
        (local.set $m3 (f32x4.pmax ${g('$m3')} ${ld(48)}))
        (local.set $p (i32.add ${g('$p')} (i32.const 64)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $m (f32x4.pmax ${g('$m')} (v128.load32_splat ${g('$p')})))
        (local.set $p (i32.add ${g('$p')} (i32.const 4)))
        (br $l2)))
      (local.set $m ${hmax(`(f32x4.pmax (f32x4.pmax ${g('$m')} ${g('$m1')}) (f32x4.pmax ${g('$m2')} ${g('$m3')}))`)})
      ;; pass 2: e = exp(x - max) into y, summed
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $q (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $s (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (local.get $e)))
        ${store(g('$q'), `(local.tee $t ${ex(ld(0))})`)}
        (local.set $s (f32x4.add ${g('$s')} ${g('$t')}))
        ${store(g('$q'), `(local.tee $t ${ex(ld(16))})`, 16)}
        (local.set $s (f32x4.add ${g('$s')} ${g('$t')}))
        (local.set $p (i32.add ${g('$p')} (i32.const 32)))
        (local.set $q (i32.add ${g('$q')} (i32.const 32)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $p) (local.get $e)))
        ${store(g('$q'), `(local.tee $t ${ex(`(v128.load32_zero ${g('$p')})`)})`, 0, true)}
        (local.set $s (f32x4.add ${g('$s')} (v128.and ${g('$t')} ${LANE0})))
        (local.set $p (i32.add ${g('$p')} (i32.const 4)))
        (local.set $q (i32.add ${g('$q')} (i32.const 4)))
        (br $l4)))
${log ? logPass : scalePass}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))`;
  return `(func (export "${log ? 'log_rows' : 'rows'}") (param $x i32) (param $y i32) (param $n i32) (param $start i32) (param $end i32)
    (local $r i32) (local $p i32) (local $q i32) (local $e i32)
    (local $m v128) (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $s v128) (local $s1 v128) (local $h v128) (local $t v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${body})`;
}

/** The three passes down one column group at $base (x) / $obase (y), `wide` = 4 columns, else 1. */
function columnPasses(v: MathVariant, wide: boolean, log: boolean): string {
  const g = (n: string) => `(local.get ${n})`;
  const ld = (p: string) => (wide ? `(v128.load ${p})` : `(v128.load32_zero ${p})`);
  const st = (p: string, e: string) => (wide ? `(v128.store ${p} ${e})` : `(v128.store32_lane 0 ${p} ${e})`);
  const loop = (lbl: string, body: string) => `(local.set $p ${g('$base')}) (local.set $q ${g('$obase')}) (local.set $k (local.get $axis))
    (block $d${lbl} (loop $l${lbl}
      (br_if $d${lbl} (i32.eqz (local.get $k)))
      ${body}
      (local.set $p (i32.add ${g('$p')} ${g('$stride')}))
      (local.set $q (i32.add ${g('$q')} ${g('$stride')}))
      (local.set $k (i32.sub ${g('$k')} (i32.const 1)))
      (br $l${lbl})))`;
  // Softmax stores e = exp(x - max) in pass b; LogSoftmax only sums it and re-reads x in pass c.
  const te = `(local.tee $t ${expNonPosF32x4(v, `(f32x4.sub ${ld(g('$p'))} ${g('$m')})`)})`;
  return `(local.set $m ${k(v, -Infinity)})
    ${loop('a', `(local.set $m (f32x4.pmax ${g('$m')} ${ld(g('$p'))}))`)}
    (local.set $s (v128.const i32x4 0 0 0 0))
    ${loop('b', `${log ? `(drop ${te})` : st(g('$q'), te)}
      (local.set $s (f32x4.add ${g('$s')} ${g('$t')}))`)}
    ${
      log
        ? `(local.set $s ${logF32x4(v, g('$s'))})
    ${loop('c', st(g('$q'), `(f32x4.sub (f32x4.sub ${ld(g('$p'))} ${g('$m')}) ${g('$s')})`))}`
        : `(local.set $s (f32x4.div ${k(v, 1)} ${g('$s')}))
    ${loop('c', st(g('$q'), `(f32x4.mul ${ld(g('$q'))} ${g('$s')})`))}`
    }`;
}

function strided(w: WatVariant, log: boolean): string {
  const v: MathVariant = { ...w, consts: new ConstPool() };
  const g = (n: string) => `(local.get ${n})`;
  const body = `    (local.set $groups (i32.shr_u (i32.add (local.get $inner) (i32.const 3)) (i32.const 2)))
    (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $i (local.get $start))
    (block $done (loop $items
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $o (i32.div_u ${g('$i')} ${g('$groups')}))
      (local.set $col (i32.shl (i32.sub ${g('$i')} (i32.mul ${g('$o')} ${g('$groups')})) (i32.const 2)))
      (local.set $off (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$axis')}) ${g('$inner')}) ${g('$col')}) (i32.const 2)))
      (local.set $base (i32.add ${g('$x')} ${g('$off')}))
      (local.set $obase (i32.add ${g('$y')} ${g('$off')}))
      (if (i32.le_u (i32.add ${g('$col')} (i32.const 4)) ${g('$inner')})
        (then ${columnPasses(v, true, log)})
        (else
          (block $cd (loop $cl
            (br_if $cd (i32.ge_u ${g('$col')} ${g('$inner')}))
            ${columnPasses(v, false, log)}
            (local.set $col (i32.add ${g('$col')} (i32.const 1)))
            (local.set $base (i32.add ${g('$base')} (i32.const 4)))
            (local.set $obase (i32.add ${g('$obase')} (i32.const 4)))
            (br $cl)))))
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $items)))`;
  return `(func (export "${log ? 'log_strided' : 'strided'}") (param $x i32) (param $y i32) (param $axis i32) (param $inner i32) (param $start i32) (param $end i32)
    (local $groups i32) (local $i i32) (local $o i32) (local $col i32) (local $off i32) (local $base i32) (local $obase i32)
    (local $stride i32) (local $p i32) (local $q i32) (local $k i32) (local $m v128) (local $s v128) (local $t v128)
    ${MATH_LOCALS} ${v.consts!.decls()}
    ${v.consts!.init()}
    ${body})`;
}

/**
 * `hardmax(x, y, axis, inner, start, end)`: work item i = (o, column j) over outer·inner; scans the
 * axis (stride inner) for the first maximum, a NaN beating any number (numpy's argmax), then writes
 * 1 there and 0 elsewhere. Scalar: the scan is a dependent chain of compares either way.
 */
function hardmax(): string {
  const g = (n: string) => `(local.get $${n})`;
  return `(func (export "hardmax") (param $x i32) (param $y i32) (param $axis i32) (param $inner i32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32) (local $off i32) (local $stride i32) (local $k i32) (local $best i32) (local $m f32) (local $v f32) (local $p i32)
    (local.set $stride (i32.shl ${g('inner')} (i32.const 2)))
    (local.set $i ${g('start')})
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      (local.set $o (i32.div_u ${g('i')} ${g('inner')}))
      (local.set $off (i32.shl (i32.add (i32.mul (i32.mul ${g('o')} ${g('axis')}) ${g('inner')}) (i32.sub ${g('i')} (i32.mul ${g('o')} ${g('inner')}))) (i32.const 2)))
      (local.set $p (i32.add ${g('x')} ${g('off')}))
      (local.set $m (f32.load ${g('p')}))
      (local.set $best (i32.const 0))
      (local.set $k (i32.const 1))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u ${g('k')} ${g('axis')}))
        (local.set $p (i32.add ${g('p')} ${g('stride')}))
        (local.set $v (f32.load ${g('p')}))
        (if (i32.or (f32.gt ${g('v')} ${g('m')}) (i32.and (f32.ne ${g('v')} ${g('v')}) (f32.eq ${g('m')} ${g('m')})))
          (then (local.set $m ${g('v')}) (local.set $best ${g('k')})))
        (local.set $k (i32.add ${g('k')} (i32.const 1)))
        (br $sl)))
      (local.set $p (i32.add ${g('y')} ${g('off')}))
      (local.set $k (i32.const 0))
      (block $wd (loop $wl
        (br_if $wd (i32.ge_u ${g('k')} ${g('axis')}))
        (f32.store ${g('p')} (select (f32.const 1) (f32.const 0) (i32.eq ${g('k')} ${g('best')})))
        (local.set $p (i32.add ${g('p')} ${g('stride')}))
        (local.set $k (i32.add ${g('k')} (i32.const 1)))
        (br $wl)))
      (local.set $i (i32.add ${g('i')} (i32.const 1)))
      (br $items)))
  )`;
}

export const softmaxFamily: WatFamily = {
  name: 'softmax',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${rows(v, false)}\n${strided(v, false)}\n${rows(v, true)}\n${strided(v, true)}\n${hardmax()}\n)`;
  },
};
