/**
 * The `rms-norm` family: row statistics for the normalisations the `norm` family does not cover.
 *
 * `rms_rows(x, y, scale, n, eps, start, end)`: rows [start, end) of n contiguous floats;
 * y = x · (1 / sqrt(Σx²/n + eps)) · scale[j] (RMSNormalization). Σx² in 4 lanes, then the lanes
 * and a one-lane tail; the reciprocal square root is one f32 sqrt and one divide.
 *
 * `moments_rows(x, mean, inv, n, eps, start, end)`: per row, mean = Σx/n and
 * inv = 1 / sqrt(Σ(x − mean)²/n + eps) (two passes, so a large mean does not cancel the variance):
 * the Mean and InvStdDev outputs of LayerNormalization.
 *
 * `lp_rows(x, y, n, inner, p, start, end)`: work item = (outer o, column c) of x viewed as
 * [outer, n, inner]; y = x / ‖x‖_p down the n elements at stride inner, p ∈ {1, 2}; a zero norm
 * divides by 1 instead (the ONNX reference), so an all-zero line stays 0.
 *
 * Rows are independent: any thread split gives bit-identical results.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const HSUM = (s: string) => `(f32.add
      (f32.add (f32x4.extract_lane 0 ${s}) (f32x4.extract_lane 1 ${s}))
      (f32.add (f32x4.extract_lane 2 ${s}) (f32x4.extract_lane 3 ${s})))`;

/** Σ f(x) over the row at $p .. $e (bytes) into f32 local $t, `sq` squares, `dev` subtracts $mean first. */
function rowSum(kind: 'sum' | 'sq' | 'dev'): string {
  const f4 = (e: string) => (kind === 'sum' ? e : kind === 'sq' ? `(f32x4.mul ${e} ${e})` : `(f32x4.mul (local.tee $dv (f32x4.sub ${e} (local.get $mv))) (local.get $dv))`);
  const f1 = (e: string) => (kind === 'sum' ? e : kind === 'sq' ? `(f32.mul (local.tee $ds ${e}) (local.get $ds))` : `(f32.mul (local.tee $ds (f32.sub ${e} (local.get $mean1))) (local.get $ds))`);
  return `(local.set $q (local.get $p))
      (local.set $s (v128.const i32x4 0 0 0 0))
      (block $a (loop $b
        (br_if $a (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $e)))
        (local.set $s (f32x4.add (local.get $s) ${f4('(v128.load (local.get $q))')}))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $b)))
      (local.set $t ${HSUM('(local.get $s)')})
      (block $c (loop $d
        (br_if $c (i32.ge_u (local.get $q) (local.get $e)))
        (local.set $t (f32.add (local.get $t) ${f1('(f32.load (local.get $q))')}))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $d)))`;
}

const LOCALS = '(local $r i32) (local $p i32) (local $e i32) (local $q i32) (local $o i32) (local $s v128) (local $dv v128) (local $mv v128) (local $t f32) (local $ds f32) (local $mean1 f32) (local $inv f32)';

const RMS = `(func (export "rms_rows") (param $x i32) (param $y i32) (param $scale i32) (param $n i32) (param $eps f32) (param $start i32) (param $end i32)
    ${LOCALS} (local $iv v128) (local $j i32)
    (local.set $r (local.get $start))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $e (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
      ${rowSum('sq')}
      (local.set $inv (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (local.get $t) (f32.convert_i32_u (local.get $n))) (local.get $eps)))))
      (local.set $iv (f32x4.splat (local.get $inv)))
      (local.set $o (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $a (loop $b
        (br_if $a (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $q (i32.shl (local.get $j) (i32.const 2)))
        (v128.store (i32.add (local.get $o) (local.get $q))
          (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $q))) (local.get $iv)) (v128.load (i32.add (local.get $scale) (local.get $q)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $b)))
      (block $c (loop $d
        (br_if $c (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $q (i32.shl (local.get $j) (i32.const 2)))
        (f32.store (i32.add (local.get $o) (local.get $q))
          (f32.mul (f32.mul (f32.load (i32.add (local.get $p) (local.get $q))) (local.get $inv)) (f32.load (i32.add (local.get $scale) (local.get $q)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $d)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))`;

const MOMENTS = `(func (export "moments_rows") (param $x i32) (param $mean i32) (param $invOut i32) (param $n i32) (param $eps f32) (param $start i32) (param $end i32)
    ${LOCALS}
    (local.set $r (local.get $start))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $e (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
      ${rowSum('sum')}
      (local.set $mean1 (f32.div (local.get $t) (f32.convert_i32_u (local.get $n))))
      (local.set $mv (f32x4.splat (local.get $mean1)))
      ${rowSum('dev')}
      (local.set $inv (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (local.get $t) (f32.convert_i32_u (local.get $n))) (local.get $eps)))))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2))) (local.get $mean1))
      (f32.store (i32.add (local.get $invOut) (i32.shl (local.get $r) (i32.const 2))) (local.get $inv))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))`;

const LP = `(func (export "lp_rows") (param $x i32) (param $y i32) (param $n i32) (param $inner i32) (param $pw i32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32) (local $c i32) (local $base i32) (local $k i32) (local $stride i32) (local $v f32) (local $t f32)
    (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $i (local.get $start))
    (block $done (loop $items
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $o (i32.div_u (local.get $i) (local.get $inner)))
      (local.set $c (i32.sub (local.get $i) (i32.mul (local.get $o) (local.get $inner))))
      (local.set $base (i32.shl (i32.add (i32.mul (i32.mul (local.get $o) (local.get $n)) (local.get $inner)) (local.get $c)) (i32.const 2)))
      (local.set $t (f32.const 0))
      (local.set $k (i32.const 0))
      (block $a (loop $b
        (br_if $a (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $v (f32.load (i32.add (local.get $x) (i32.add (local.get $base) (i32.mul (local.get $k) (local.get $stride))))))
        (local.set $t (f32.add (local.get $t) (if (result f32) (i32.eq (local.get $pw) (i32.const 1)) (then (f32.abs (local.get $v))) (else (f32.mul (local.get $v) (local.get $v))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $b)))
      (if (i32.eq (local.get $pw) (i32.const 2)) (then (local.set $t (f32.sqrt (local.get $t)))))
      (if (f32.eq (local.get $t) (f32.const 0)) (then (local.set $t (f32.const 1))))
      (local.set $k (i32.const 0))
      (block $c2 (loop $d2
        (br_if $c2 (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $v (f32.load (i32.add (local.get $x) (i32.add (local.get $base) (i32.mul (local.get $k) (local.get $stride))))))
        (f32.store (i32.add (local.get $y) (i32.add (local.get $base) (i32.mul (local.get $k) (local.get $stride)))) (f32.div (local.get $v) (local.get $t)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $d2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $items))))`;

export const rmsNormFamily: WatFamily = {
  name: 'rms-norm',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module
  ${memoryImport(v)}
  ${RMS}
  ${MOMENTS}
  ${LP}
)`;
  },
};
