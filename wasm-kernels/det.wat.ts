/**
 * The `det` family: Det (ONNX), the determinant of each M×M matrix of a batch.
 *
 * `det_f32(x, y, scratch, M, start, end)`: matrices [start, end). Matrix r is widened to float64 in
 *   its own M·M slot of `scratch` and reduced by Gaussian elimination with partial pivoting (the row
 *   with the largest |pivot|; a swap flips the sign); the determinant is the signed product of the
 *   pivots, rounded once to float32. A zero pivot column gives 0; a NaN entry gives NaN; ±Inf
 *   entries give what the elimination makes of them (±Inf or NaN). M = 0 gives 1 (the empty product).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;
/** Address of element (i, j) of the float64 matrix at $a. */
const at = (i: string, j: string) => `(i32.add ${g('a')} (i32.shl (i32.add (i32.mul ${i} ${g('M')}) ${j}) (i32.const 3)))`;

const DET = `(func (export "det_f32") (param $x i32) (param $y i32) (param $scratch i32) (param $M i32) (param $start i32) (param $end i32)
  (local $r i32) (local $a i32) (local $s i32) (local $n i32) (local $i i32) (local $j i32) (local $k i32) (local $p i32)
  (local $nan i32) (local $det f64) (local $best f64) (local $v f64) (local $piv f64) (local $f f64) (local $t f64)
  (local.set $n (i32.mul ${g('M')} ${g('M')}))
  (local.set $r ${g('start')})
  (block $done (loop $mat
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    (local.set $a (i32.add ${g('scratch')} (i32.shl (i32.mul ${g('r')} ${g('n')}) (i32.const 3))))
    (local.set $s (i32.add ${g('x')} (i32.shl (i32.mul ${g('r')} ${g('n')}) (i32.const 2))))
    (local.set $i (i32.const 0))
    (local.set $nan (i32.const 0))
    (block $wx (loop $wl
      (br_if $wx (i32.ge_u ${g('i')} ${g('n')}))
      (local.set $v (f64.promote_f32 (f32.load (i32.add ${g('s')} (i32.shl ${g('i')} (i32.const 2))))))
      (local.set $nan (i32.or ${g('nan')} (f64.ne ${g('v')} ${g('v')})))
      (f64.store (i32.add ${g('a')} (i32.shl ${g('i')} (i32.const 3))) ${g('v')})
      (local.set $i (i32.add ${g('i')} (i32.const 1)))
      (br $wl)))
    (local.set $det (f64.const 1))
    (local.set $k (i32.const 0))
    (block $kx (loop $kl
      (br_if $kx (i32.ge_u ${g('k')} ${g('M')}))
      ;; pivot: the row p >= k with the largest |a[p][k]| (ties: the first)
      (local.set $p ${g('k')})
      (local.set $best (f64.abs (f64.load ${at(g('k'), g('k'))})))
      (local.set $i (i32.add ${g('k')} (i32.const 1)))
      (block $px (loop $pl
        (br_if $px (i32.ge_u ${g('i')} ${g('M')}))
        (local.set $v (f64.abs (f64.load ${at(g('i'), g('k'))})))
        (if (f64.gt ${g('v')} ${g('best')}) (then (local.set $best ${g('v')}) (local.set $p ${g('i')})))
        (local.set $i (i32.add ${g('i')} (i32.const 1)))
        (br $pl)))
      (if (i32.ne ${g('p')} ${g('k')}) (then
        (local.set $det (f64.neg ${g('det')}))
        (local.set $j ${g('k')})
        (block $sx (loop $sl
          (br_if $sx (i32.ge_u ${g('j')} ${g('M')}))
          (local.set $t (f64.load ${at(g('k'), g('j'))}))
          (f64.store ${at(g('k'), g('j'))} (f64.load ${at(g('p'), g('j'))}))
          (f64.store ${at(g('p'), g('j'))} ${g('t')})
          (local.set $j (i32.add ${g('j')} (i32.const 1)))
          (br $sl)))))
      (local.set $piv (f64.load ${at(g('k'), g('k'))}))
      (local.set $det (f64.mul ${g('det')} ${g('piv')}))
      ;; a zero pivot column: the determinant is 0
      (br_if $kx (f64.eq ${g('piv')} (f64.const 0)))
      (local.set $i (i32.add ${g('k')} (i32.const 1)))
      (block $ex (loop $el
        (br_if $ex (i32.ge_u ${g('i')} ${g('M')}))
        (local.set $f (f64.div (f64.load ${at(g('i'), g('k'))}) ${g('piv')}))
        (local.set $j (i32.add ${g('k')} (i32.const 1)))
        (block $cx (loop $cl
          (br_if $cx (i32.ge_u ${g('j')} ${g('M')}))
          (f64.store ${at(g('i'), g('j'))} (f64.sub (f64.load ${at(g('i'), g('j'))}) (f64.mul ${g('f')} (f64.load ${at(g('k'), g('j'))}))))
          (local.set $j (i32.add ${g('j')} (i32.const 1)))
          (br $cl)))
        (local.set $i (i32.add ${g('i')} (i32.const 1)))
        (br $el)))
      (local.set $k (i32.add ${g('k')} (i32.const 1)))
      (br $kl)))
    (f32.store (i32.add ${g('y')} (i32.shl ${g('r')} (i32.const 2))) (select (f32.const nan) (f32.demote_f64 ${g('det')}) ${g('nan')}))
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (br $mat))))`;

function emit(v: WatVariant): string {
  return `(module\n  ${memoryImport(v)}\n  ${DET}\n)`;
}

export const detFamily: WatFamily = { name: 'det', usesRelaxed: false, emit };
