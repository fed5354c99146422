/**
 * The `select` family: kernels that pick or route rows by value or by index (TopK, segment sums,
 * SearchSorted).
 *
 * `topk_<v>_<ix>(x, vals, idx, n, k, inner, largest, start, end)` with v ∈ {f32, i32, i64} (values) and
 * ix ∈ {i32, i64} (indices out): the input viewed as [outer, n, inner], outputs as [outer, k,
 * inner]; work item r in [start, end) is one (o, i) lane of n values at stride inner. The outputs
 * themselves hold the best-so-far list, best first: a value better than the current k-th (or any,
 * while fewer than k are held) is inserted after every value it does not beat, so ties keep input
 * order. O(n) compares when few values enter the list, O(n·k) at worst (ascending input, largest).
 * `better(a, b)`: largest a > b, smallest a < b; NaN ranks above every number in both (f32).
 * k ≥ 1 (the launcher skips k = 0). Once k values are held, contiguous lanes (inner = 1) test 4
 * values per v128 compare against the k-th and skip them together (see skip4); rows run across
 * threads.
 *
 * `segment_sum_<v>(src, srcRows, dst, rows, counts, nRows, segs, inner, start, end)`: dst viewed as
 * [segs, inner]; dst row rows[i] += src row srcRows[i] (row i where srcRows is 0) for every i with
 * rows[i] ≥ 0 (in i order), after zeroing dst; then (counts ≠ 0) each row s with counts[s] > 1 is
 * divided by counts[s] (segment means; i32 truncates toward zero). Work items are groups of 4 columns: item range [start, end) owns columns
 * [4·start, min(4·end, inner)) of every row and moves them 16 bytes at a time, so each output
 * element is summed in the same order whatever the thread split (results are bit-identical).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

type V = 'f32' | 'i32' | 'i64';
type IX = 'i32' | 'i64';

function better(v: V): string {
  const body = v === 'f32'
    ? `(if (result i32) (local.get $largest)
      (then (i32.or (f32.gt (local.get $a) (local.get $b)) (i32.and (f32.ne (local.get $a) (local.get $a)) (f32.eq (local.get $b) (local.get $b)))))
      (else (i32.or (f32.lt (local.get $a) (local.get $b)) (i32.and (f32.eq (local.get $a) (local.get $a)) (f32.ne (local.get $b) (local.get $b))))))`
    : `(select (${v}.gt_s (local.get $a) (local.get $b)) (${v}.lt_s (local.get $a) (local.get $b)) (local.get $largest))`;
  return `(func $better_${v} (param $a ${v}) (param $b ${v}) (param $largest i32) (result i32)
    ${body})`;
}

/**
 * Once the list is full and the lane is contiguous (inner = 1), 4 values at a time are compared
 * with the current k-th in one v128 test, and skipped together when none beats it (the common case
 * on long rows); any hit falls through to the one-value path. f32 and i32 only (i64: scalar).
 */
function skip4(v: V): string {
  if (v === 'i64') return '';
  const g = (n: string) => `(local.get ${n})`;
  const t = `(${v}.load (i32.add ${g('$vb')} (i32.shl (i32.sub ${g('$k')} (i32.const 1)) (i32.const 2))))`;
  const mask = v === 'f32'
    ? `(if (result v128) ${g('$largest')}
          (then (v128.or (f32x4.gt ${g('$xv')} ${g('$tv')}) (v128.andnot (f32x4.ne ${g('$xv')} ${g('$xv')}) (f32x4.ne ${g('$tv')} ${g('$tv')}))))
          (else (v128.or (f32x4.lt ${g('$xv')} ${g('$tv')}) (v128.andnot (f32x4.eq ${g('$xv')} ${g('$xv')}) (f32x4.eq ${g('$tv')} ${g('$tv')})))))`
    : `(if (result v128) ${g('$largest')} (then (i32x4.gt_s ${g('$xv')} ${g('$tv')})) (else (i32x4.lt_s ${g('$xv')} ${g('$tv')})))`;
  return `(if (i32.and (i32.and (i32.eq ${g('$cnt')} ${g('$k')}) (i32.eq ${g('$inner')} (i32.const 1))) (i32.le_u (i32.add ${g('$j')} (i32.const 4)) ${g('$n')}))
          (then
            (local.set $xv (v128.load ${g('$px')}))
            (local.set $tv (${v}x4.splat ${t}))
            (if (i32.eqz (v128.any_true ${mask}))
              (then
                (local.set $px (i32.add ${g('$px')} (i32.const 16)))
                (local.set $j (i32.add ${g('$j')} (i32.const 4)))
                (br $elems)))))`;
}

function topk(v: V, ix: IX): string {
  const IB = ix === 'i64' ? 3 : 2;
  const VB = v === 'i64' ? 3 : 2;
  const g = (n: string) => `(local.get ${n})`;
  const storeIdx = (addr: string, val: string) => (ix === 'i64' ? `(i64.store ${addr} (i64.extend_i32_u ${val}))` : `(i32.store ${addr} ${val})`);
  const moveIdx = (to: string, from: string) => `(${ix}.store ${to} (${ix}.load ${from}))`;
  return `(func (export "topk_${v}_${ix}") (param $x i32) (param $vals i32) (param $idx i32) (param $n i32) (param $k i32) (param $inner i32) (param $largest i32) (param $start i32) (param $end i32)
    (local $r i32) (local $o i32) (local $s i32) (local $si i32) (local $px i32) (local $vb i32) (local $ib i32)
    (local $j i32) (local $cnt i32) (local $p i32) (local $a ${v}) (local $b ${v}) (local $xv v128) (local $tv v128)
    (local.set $s (i32.shl ${g('$inner')} (i32.const ${VB})))
    (local.set $si (i32.shl ${g('$inner')} (i32.const ${IB})))
    (local.set $r ${g('$start')})
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u ${g('$r')} ${g('$end')}))
      (local.set $o (i32.div_u ${g('$r')} ${g('$inner')}))
      ;; lane (o, i): element offsets o·n·inner + i in, o·k·inner + i out, with i = r − o·inner
      (local.set $px (i32.add ${g('$x')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$n')}) ${g('$inner')}) (i32.sub ${g('$r')} (i32.mul ${g('$o')} ${g('$inner')}))) (i32.const ${VB}))))
      (local.set $p (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$k')}) ${g('$inner')}) (i32.sub ${g('$r')} (i32.mul ${g('$o')} ${g('$inner')}))))
      (local.set $vb (i32.add ${g('$vals')} (i32.shl ${g('$p')} (i32.const ${VB}))))
      (local.set $ib (i32.add ${g('$idx')} (i32.shl ${g('$p')} (i32.const ${IB}))))
      (local.set $cnt (i32.const 0))
      (local.set $j (i32.const 0))
      (block $elems_done (loop $elems
        (br_if $elems_done (i32.ge_u ${g('$j')} ${g('$n')}))
        ${skip4(v)}
        (local.set $a (${v}.load ${g('$px')}))
        (block $next
          (if (i32.eq ${g('$cnt')} ${g('$k')})
            (then
              (br_if $next (i32.eqz (call $better_${v} ${g('$a')} (${v}.load (i32.add ${g('$vb')} (i32.mul (i32.sub ${g('$k')} (i32.const 1)) ${g('$s')}))) ${g('$largest')})))
              (local.set $p (i32.sub ${g('$k')} (i32.const 1))))
            (else
              (local.set $p ${g('$cnt')})
              (local.set $cnt (i32.add ${g('$cnt')} (i32.const 1)))))
          ;; shift worse entries down one place until a does not beat the one above
          (block $placed (loop $shift
            (br_if $placed (i32.eqz ${g('$p')}))
            (local.set $b (${v}.load (i32.add ${g('$vb')} (i32.mul (i32.sub ${g('$p')} (i32.const 1)) ${g('$s')}))))
            (br_if $placed (i32.eqz (call $better_${v} ${g('$a')} ${g('$b')} ${g('$largest')})))
            (${v}.store (i32.add ${g('$vb')} (i32.mul ${g('$p')} ${g('$s')})) ${g('$b')})
            ${moveIdx(`(i32.add ${g('$ib')} (i32.mul ${g('$p')} ${g('$si')}))`, `(i32.add ${g('$ib')} (i32.mul (i32.sub ${g('$p')} (i32.const 1)) ${g('$si')}))`)}
            (local.set $p (i32.sub ${g('$p')} (i32.const 1)))
            (br $shift)))
          (${v}.store (i32.add ${g('$vb')} (i32.mul ${g('$p')} ${g('$s')})) ${g('$a')})
          ${storeIdx(`(i32.add ${g('$ib')} (i32.mul ${g('$p')} ${g('$si')}))`, g('$j'))})
        (local.set $px (i32.add ${g('$px')} ${g('$s')}))
        (local.set $j (i32.add ${g('$j')} (i32.const 1)))
        (br $elems)))
      (local.set $r (i32.add ${g('$r')} (i32.const 1)))
      (br $rows)))
  )`;
}

function segmentSum(v: 'f32' | 'i32'): string {
  const g = (n: string) => `(local.get ${n})`;
  const vadd = v === 'f32' ? 'f32x4.add' : 'i32x4.add';
  // columns [c, c + w) of one row: q[j] = op(q[j], p[j]); `zero` stores 0 instead
  const cols = (zero: boolean) => `(local.set $j (i32.const 0))
        (block $v_done (loop $v_loop
          (br_if $v_done (i32.gt_u (i32.add ${g('$j')} (i32.const 4)) ${g('$w')}))
          (v128.store (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2))) ${zero ? '(v128.const i32x4 0 0 0 0)' : `(${vadd} (v128.load (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2)))) (v128.load (i32.add ${g('$p')} (i32.shl ${g('$j')} (i32.const 2)))))`})
          (local.set $j (i32.add ${g('$j')} (i32.const 4)))
          (br $v_loop)))
        (block $s_done (loop $s_loop
          (br_if $s_done (i32.ge_u ${g('$j')} ${g('$w')}))
          (${v}.store (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2))) ${zero ? `(${v}.const 0)` : `(${v}.add (${v}.load (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2)))) (${v}.load (i32.add ${g('$p')} (i32.shl ${g('$j')} (i32.const 2)))))`})
          (local.set $j (i32.add ${g('$j')} (i32.const 1)))
          (br $s_loop)))`;
  // means: divide each segment's columns by its count where the count is > 1 (i32: truncating)
  const vecDiv = v === 'f32'
    ? `(block $dv_done (loop $dv
            (br_if $dv_done (i32.gt_u (i32.add ${g('$j')} (i32.const 4)) ${g('$w')}))
            (v128.store (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2))) (f32x4.div (v128.load (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2)))) (f32x4.splat (f32.convert_i32_s ${g('$r')}))))
            (local.set $j (i32.add ${g('$j')} (i32.const 4)))
            (br $dv)))`
    : '';
  const scalarDiv = v === 'f32' ? `(f32.div (f32.load $A) (f32.convert_i32_s ${g('$r')}))` : `(i32.div_s (i32.load $A) ${g('$r')})`;
  const divide = `(if ${g('$counts')} (then
      (local.set $i (i32.const 0))
      (block $d_done (loop $d
        (br_if $d_done (i32.ge_u ${g('$i')} ${g('$segs')}))
        (local.set $r (i32.load (i32.add ${g('$counts')} (i32.shl ${g('$i')} (i32.const 2)))))
        (if (i32.gt_s ${g('$r')} (i32.const 1)) (then
          (local.set $q (i32.add ${g('$dst')} (i32.shl (i32.add (i32.mul ${g('$i')} ${g('$inner')}) ${g('$c')}) (i32.const 2))))
          (local.set $j (i32.const 0))
          ${vecDiv}
          (block $ds_done (loop $ds
            (br_if $ds_done (i32.ge_u ${g('$j')} ${g('$w')}))
            (${v}.store (i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2))) ${scalarDiv.replace(/\$A/g, `(i32.add ${g('$q')} (i32.shl ${g('$j')} (i32.const 2)))`)})
            (local.set $j (i32.add ${g('$j')} (i32.const 1)))
            (br $ds)))))
        (local.set $i (i32.add ${g('$i')} (i32.const 1)))
        (br $d)))))`;
  return `(func (export "segment_sum_${v}") (param $src i32) (param $srcRows i32) (param $dst i32) (param $rows i32) (param $counts i32) (param $nRows i32) (param $segs i32) (param $inner i32) (param $start i32) (param $end i32)
    (local $c i32) (local $w i32) (local $i i32) (local $r i32) (local $p i32) (local $q i32) (local $j i32)
    (local.set $c (i32.shl ${g('$start')} (i32.const 2)))
    (local.set $w (i32.shl ${g('$end')} (i32.const 2)))
    (if (i32.gt_u ${g('$w')} ${g('$inner')}) (then (local.set $w ${g('$inner')})))
    (br_if 0 (i32.ge_u ${g('$c')} ${g('$w')}))
    (local.set $w (i32.sub ${g('$w')} ${g('$c')}))
    (local.set $i (i32.const 0))
    (block $z_done (loop $z
      (br_if $z_done (i32.ge_u ${g('$i')} ${g('$segs')}))
      (local.set $q (i32.add ${g('$dst')} (i32.shl (i32.add (i32.mul ${g('$i')} ${g('$inner')}) ${g('$c')}) (i32.const 2))))
      ${cols(true)}
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $z)))
    (local.set $i (i32.const 0))
    (block $a_done (loop $acc
      (br_if $a_done (i32.ge_u ${g('$i')} ${g('$nRows')}))
      (local.set $r (i32.load (i32.add ${g('$rows')} (i32.shl ${g('$i')} (i32.const 2)))))
      (if (i32.ge_s ${g('$r')} (i32.const 0)) (then
        (local.set $p (i32.add ${g('$src')} (i32.shl (i32.add (i32.mul
          (if (result i32) ${g('$srcRows')} (then (i32.load (i32.add ${g('$srcRows')} (i32.shl ${g('$i')} (i32.const 2))))) (else ${g('$i')}))
          ${g('$inner')}) ${g('$c')}) (i32.const 2))))
        (local.set $q (i32.add ${g('$dst')} (i32.shl (i32.add (i32.mul ${g('$r')} ${g('$inner')}) ${g('$c')}) (i32.const 2))))
        ${cols(false)}))
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $acc)))
    ${divide}
  )`;
}

/**
 * `search_sorted_<v>_<side>(seq, vals, out, n, m, start, end)`: item i in [start, end) is value i of
 * the [batch, m] values; out[i] = the first index of its row b = i / m of seq [batch, n] where
 * !(seq < v) (left) or !(seq <= v) (right), found by binary search.
 */
function searchSorted(v: 'f32' | 'i32', right: boolean): string {
  const g = (n: string) => `(local.get ${n})`;
  const lt = v === 'f32' ? (right ? 'f32.le' : 'f32.lt') : right ? 'i32.le_s' : 'i32.lt_s';
  return `(func (export "search_sorted_${v}_${right ? 'right' : 'left'}") (param $seq i32) (param $vals i32) (param $out i32) (param $n i32) (param $m i32) (param $start i32) (param $end i32)
    (local $i i32) (local $row i32) (local $lo i32) (local $hi i32) (local $mid i32) (local $x ${v})
    (local.set $i ${g('$start')})
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('$i')} ${g('$end')}))
      (local.set $row (i32.add ${g('$seq')} (i32.shl (i32.mul (i32.div_u ${g('$i')} ${g('$m')}) ${g('$n')}) (i32.const 2))))
      (local.set $x (${v}.load (i32.add ${g('$vals')} (i32.shl ${g('$i')} (i32.const 2)))))
      (local.set $lo (i32.const 0))
      (local.set $hi ${g('$n')})
      (block $found (loop $bisect
        (br_if $found (i32.ge_u ${g('$lo')} ${g('$hi')}))
        (local.set $mid (i32.shr_u (i32.add ${g('$lo')} ${g('$hi')}) (i32.const 1)))
        (if (${lt} (${v}.load (i32.add ${g('$row')} (i32.shl ${g('$mid')} (i32.const 2)))) ${g('$x')})
          (then (local.set $lo (i32.add ${g('$mid')} (i32.const 1))))
          (else (local.set $hi ${g('$mid')})))
        (br $bisect)))
      (i32.store (i32.add ${g('$out')} (i32.shl ${g('$i')} (i32.const 2))) ${g('$lo')})
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $items)))
  )`;
}

/**
 * `linspace_f32(out, first, step, last, stop, start, end)`: out[i] = f32(first + i·step) in float64
 * for i in [start, end), except out[last] = stop (LinSpace; not a selection, kept here as a one-loop
 * generator rather than a family of its own).
 */
const LINSPACE = `(func (export "linspace_f32") (param $out i32) (param $first f64) (param $step f64) (param $last i32) (param $stop f32) (param $start i32) (param $end i32)
    (local $i i32)
    (local.set $i (local.get $start))
    (block $done (loop $items
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
        (select (local.get $stop)
          (f32.demote_f64 (f64.add (local.get $first) (f64.mul (f64.convert_i32_u (local.get $i)) (local.get $step))))
          (i32.eq (local.get $i) (local.get $last))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $items)))
  )`;

export const selectFamily: WatFamily = {
  name: 'select',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    const parts = [memoryImport(v), better('f32'), better('i32'), better('i64')];
    for (const val of ['f32', 'i32', 'i64'] as const) {
      for (const ix of ['i32', 'i64'] as const) parts.push(topk(val, ix));
    }
    parts.push(segmentSum('f32'), segmentSum('i32'));
    for (const val of ['f32', 'i32'] as const) parts.push(searchSorted(val, false), searchSorted(val, true));
    parts.push(LINSPACE);
    return `(module\n${parts.join('\n')}\n)`;
  },
};
