/**
 * The `loss` family: per-position losses and their reductions.
 *
 * `nll_<t>(x, tgt, w, loss, wts, C, D, ignore, hasIgnore, start, end)`, t ∈ {i32, i64} the target
 * dtype: x viewed as [N, C, D] (D = the product of the trailing dims), targets [N, D]. Work item e in
 * [start, end) is position (n = e / D, d = e % D) with class c = tgt[e]:
 *   c = ignore (when hasIgnore): loss 0, weight 0;
 *   0 ≤ c < C: weight w[c] (1 when w = 0), loss −x[n, c, d]·weight;
 *   otherwise (out of range): loss and weight NaN, so a bad target shows in the result.
 * Losses go to loss[e]; weights to wts[e] when wts ≠ 0 (the mean needs them).
 *
 * `sum_f32(a, n, out)`: out[0] = Σ a (4 lanes + one-lane tail, fixed order: one thread).
 * `mean_f32(a, b, n, out)`: out[0] = Σ a / Σ b, both summed as sum_f32 (0/0 = NaN when every
 * position is ignored, as the float64 reference).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

function nll(t: 'i32' | 'i64'): string {
  const g = (n: string) => `(local.get $${n})`;
  const cls = t === 'i64'
    ? `(i64.load (i32.add ${g('tgt')} (i32.shl ${g('e')} (i32.const 3))))`
    : `(i64.extend_i32_s (i32.load (i32.add ${g('tgt')} (i32.shl ${g('e')} (i32.const 2)))))`;
  return `(func (export "nll_${t}") (param $x i32) (param $tgt i32) (param $w i32) (param $loss i32) (param $wts i32)
    (param $C i32) (param $D i32) (param $ignore i32) (param $hasIgnore i32) (param $start i32) (param $end i32)
    (local $e i32) (local $n i32) (local $d i32) (local $c64 i64) (local $c i32) (local $l f32) (local $wt f32)
    (local.set $e ${g('start')})
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('e')} ${g('end')}))
      (local.set $c64 ${cls})
      (if (i32.and ${g('hasIgnore')} (i64.eq ${g('c64')} (i64.extend_i32_s ${g('ignore')})))
        (then (local.set $l (f32.const 0)) (local.set $wt (f32.const 0)))
        (else
          (if (i32.and (i64.ge_s ${g('c64')} (i64.const 0)) (i64.lt_s ${g('c64')} (i64.extend_i32_s ${g('C')})))
            (then
              (local.set $c (i32.wrap_i64 ${g('c64')}))
              (local.set $wt (if (result f32) ${g('w')} (then (f32.load (i32.add ${g('w')} (i32.shl ${g('c')} (i32.const 2))))) (else (f32.const 1))))
              (local.set $n (i32.div_u ${g('e')} ${g('D')}))
              (local.set $d (i32.sub ${g('e')} (i32.mul ${g('n')} ${g('D')})))
              (local.set $l (f32.mul (f32.neg (f32.load (i32.add ${g('x')}
                (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${g('n')} ${g('C')}) ${g('c')}) ${g('D')}) ${g('d')}) (i32.const 2))))) ${g('wt')})))
            (else (local.set $l (f32.const nan)) (local.set $wt (f32.const nan))))))
      (f32.store (i32.add ${g('loss')} (i32.shl ${g('e')} (i32.const 2))) ${g('l')})
      (if ${g('wts')} (then (f32.store (i32.add ${g('wts')} (i32.shl ${g('e')} (i32.const 2))) ${g('wt')})))
      (local.set $e (i32.add ${g('e')} (i32.const 1)))
      (br $items))))`;
}

const SUM = `(func $sum (param $a i32) (param $n i32) (result f32)
    (local $p i32) (local $end i32) (local $s v128) (local $h v128) (local $t f32)
    (local.set $p (local.get $a))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $s (v128.const i32x4 0 0 0 0))
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
      (local.set $s (f32x4.add (local.get $s) (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $l4)))
    (local.set $h (f32x4.add (local.get $s) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
    (local.set $t (f32.add (f32x4.extract_lane 0 (local.get $h)) (f32x4.extract_lane 1 (local.get $h))))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $t (f32.add (local.get $t) (f32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l1)))
    (local.get $t))
  (func (export "sum_f32") (param $a i32) (param $n i32) (param $out i32)
    (f32.store (local.get $out) (call $sum (local.get $a) (local.get $n))))
  (func (export "mean_f32") (param $a i32) (param $b i32) (param $n i32) (param $out i32)
    (f32.store (local.get $out) (f32.div (call $sum (local.get $a) (local.get $n)) (call $sum (local.get $b) (local.get $n)))))`;

export const lossFamily: WatFamily = {
  name: 'loss',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module
  ${memoryImport(v)}
  ${nll('i32')}
  ${nll('i64')}
  ${SUM}
)`;
  },
};
