/**
 * The `multinomial` family: categorical sampling.
 *
 *   multinomial_f32(probs, k, numSamples, seed, out, start, end): rows [start, end) of probs
 *     [rows, k] (non-negative weights, not necessarily normalised). Sample s of row b draws
 *     u = (fmix32(seed + (b·numSamples + s)·0x9E3779B9) >> 8)·2^-24 ∈ [0, 1) — a counter-based
 *     stream (MurmurHash3's finaliser over a Weyl sequence), so results do not depend on how rows
 *     are split among threads — and picks the first outcome whose running sum (float64) exceeds
 *     u·Σ weights; rounding past the end picks the last outcome with a positive weight.
 *     Outcomes are int32.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const FMIX = `(func $fmix (param $h i32) (result i32)
  (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))) (i32.const 0x85ebca6b)))
  (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))) (i32.const 0xc2b2ae35)))
  (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))`;

const SAMPLE = `(func (export "multinomial_f32") (param $probs i32) (param $k i32) (param $n i32) (param $seed i32) (param $out i32) (param $start i32) (param $end i32)
  (local $b i32) (local $s i32) (local $i i32) (local $row i32) (local $total f64) (local $u f64) (local $cum f64) (local $last i32) (local $pick i32) (local $p f64)
  (local.set $b (local.get $start))
  (block $bx (loop $bl
    (br_if $bx (i32.ge_u (local.get $b) (local.get $end)))
    (local.set $row (i32.add (local.get $probs) (i32.shl (i32.mul (local.get $b) (local.get $k)) (i32.const 2))))
    (local.set $total (f64.const 0))
    (local.set $last (i32.const 0))
    (local.set $i (i32.const 0))
    (block $tx (loop $tl
      (br_if $tx (i32.ge_u (local.get $i) (local.get $k)))
      (local.set $p (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
      (if (f64.gt (local.get $p) (f64.const 0)) (then
        (local.set $total (f64.add (local.get $total) (local.get $p)))
        (local.set $last (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tl)))
    (local.set $s (i32.const 0))
    (block $sx (loop $sl
      (br_if $sx (i32.ge_u (local.get $s) (local.get $n)))
      (local.set $u (f64.mul (f64.mul (f64.convert_i32_u (i32.shr_u
        (call $fmix (i32.add (local.get $seed) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $n)) (local.get $s)) (i32.const 0x9e3779b9))))
        (i32.const 8))) (f64.const 0x1p-24)) (local.get $total)))
      (local.set $pick (local.get $last))
      (local.set $cum (f64.const 0))
      (local.set $i (i32.const 0))
      (block $fx (loop $fl
        (br_if $fx (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $p (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (if (f64.gt (local.get $p) (f64.const 0)) (then
          (local.set $cum (f64.add (local.get $cum) (local.get $p)))
          (if (f64.gt (local.get $cum) (local.get $u)) (then (local.set $pick (local.get $i)) (br $fx)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fl)))
      (i32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $n)) (local.get $s)) (i32.const 2))) (local.get $pick))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $sl)))
    (local.set $b (i32.add (local.get $b) (i32.const 1)))
    (br $bl))))`;

export const multinomialFamily: WatFamily = {
  name: 'multinomial',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${FMIX}\n${SAMPLE}\n)`;
  },
};
