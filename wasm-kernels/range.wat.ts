/**
 * The `range` family: y[i] = start + i·delta for i in [start, end) (Range).
 *
 *   Range_f32(y, start f64, delta f64, s, e): start + i·delta in float64 (exact for the float32
 *     start/delta the contract passes while i < 2^29), rounded once to float32; two lanes a vector.
 *   Range_i32(y, start, delta, s, e): wrapping int32, four lanes a vector.
 *   Range_i64(y, startLo, startHi, deltaLo, deltaHi, s, e): wrapping int64 (halves as i32, so the
 *     thread pool passes plain numbers), two lanes a vector.
 * Each runs a vector loop and a one-element tail.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const i64Of = (lo: string, hi: string) => `(i64.or (i64.extend_i32_u (local.get ${lo})) (i64.shl (i64.extend_i32_u (local.get ${hi})) (i64.const 32)))`;

const RANGE_F32 = `(func (export "Range_f32") (param $y i32) (param $a f64) (param $d f64) (param $s i32) (param $e i32)
  (local $p i32) (local $pe i32) (local $i v128) (local $va v128) (local $vd v128)
  (local.set $p (i32.add (local.get $y) (i32.shl (local.get $s) (i32.const 2))))
  (local.set $pe (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const 2))))
  (local.set $va (f64x2.splat (local.get $a)))
  (local.set $vd (f64x2.splat (local.get $d)))
  (local.set $i (f64x2.replace_lane 1 (f64x2.splat (f64.convert_i32_u (local.get $s))) (f64.convert_i32_u (i32.add (local.get $s) (i32.const 1)))))
  (block $vx (loop $vl
    (br_if $vx (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $pe)))
    (v128.store64_lane 0 (local.get $p) (f32x4.demote_f64x2_zero (f64x2.add (local.get $va) (f64x2.mul (local.get $i) (local.get $vd)))))
    (local.set $i (f64x2.add (local.get $i) (v128.const f64x2 2 2)))
    (local.set $p (i32.add (local.get $p) (i32.const 8)))
    (br $vl)))
  (if (i32.lt_u (local.get $p) (local.get $pe)) (then
    (f32.store (local.get $p) (f32.demote_f64 (f64.add (local.get $a) (f64.mul (f64x2.extract_lane 0 (local.get $i)) (local.get $d))))))))`;

const RANGE_I32 = `(func (export "Range_i32") (param $y i32) (param $a i32) (param $d i32) (param $s i32) (param $e i32)
  (local $p i32) (local $pe i32) (local $v v128) (local $step v128)
  (local.set $p (i32.add (local.get $y) (i32.shl (local.get $s) (i32.const 2))))
  (local.set $pe (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const 2))))
  ;; lanes: a + (s + k)·d, k = 0..3
  (local.set $v (i32x4.add (i32x4.splat (i32.add (local.get $a) (i32.mul (local.get $s) (local.get $d))))
    (i32x4.mul (i32x4.splat (local.get $d)) (v128.const i32x4 0 1 2 3))))
  (local.set $step (i32x4.splat (i32.shl (local.get $d) (i32.const 2))))
  (block $vx (loop $vl
    (br_if $vx (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $pe)))
    (v128.store (local.get $p) (local.get $v))
    (local.set $v (i32x4.add (local.get $v) (local.get $step)))
    (local.set $p (i32.add (local.get $p) (i32.const 16)))
    (br $vl)))
  (block $tx (loop $tl
    (br_if $tx (i32.ge_u (local.get $p) (local.get $pe)))
    (i32.store (local.get $p) (i32x4.extract_lane 0 (local.get $v)))
    (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $d))))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (br $tl))))`;

const RANGE_I64 = `(func (export "Range_i64") (param $y i32) (param $al i32) (param $ah i32) (param $dl i32) (param $dh i32) (param $s i32) (param $e i32)
  (local $p i32) (local $pe i32) (local $a i64) (local $d i64) (local $v v128) (local $step v128)
  (local.set $a ${i64Of('$al', '$ah')})
  (local.set $d ${i64Of('$dl', '$dh')})
  (local.set $p (i32.add (local.get $y) (i32.shl (local.get $s) (i32.const 3))))
  (local.set $pe (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const 3))))
  ;; lanes: a + s·d and a + (s + 1)·d
  (local.set $v (i64x2.splat (i64.add (local.get $a) (i64.mul (i64.extend_i32_u (local.get $s)) (local.get $d)))))
  (local.set $v (i64x2.replace_lane 1 (local.get $v) (i64.add (i64x2.extract_lane 0 (local.get $v)) (local.get $d))))
  (local.set $step (i64x2.splat (i64.shl (local.get $d) (i64.const 1))))
  (block $vx (loop $vl
    (br_if $vx (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $pe)))
    (v128.store (local.get $p) (local.get $v))
    (local.set $v (i64x2.add (local.get $v) (local.get $step)))
    (local.set $p (i32.add (local.get $p) (i32.const 16)))
    (br $vl)))
  (if (i32.lt_u (local.get $p) (local.get $pe)) (then
    (i64.store (local.get $p) (i64x2.extract_lane 0 (local.get $v))))))`;

export const rangeFamily: WatFamily = {
  name: 'range',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${RANGE_F32}\n${RANGE_I32}\n${RANGE_I64}\n)`;
  },
};
