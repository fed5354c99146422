/**
 * The `rotate` family: RotateWithOffset (tf.image.rotateWithOffset) on NHWC images of 4-byte
 * elements (float32, int32: a gather copies bits).
 *
 *   rotate_x32(img, out, fill, H, W, C, cx f64, cy f64, sin f64, cos f64, start, end):
 *     output rows r = b·H + y for r in [start, end). Output pixel (x, y) reads input pixel
 *     (round(dx·cos − dy·sin + cx), round(dx·sin + dy·cos + cy)), dx = x − cx, dy = y − cy, in
 *     float64 in that order (so it matches tfjs-backend-cpu's JavaScript bit for bit), rounding half
 *     up as Math.round; outside the image (or NaN) the pixel is the C words at `fill`. The C words
 *     of a pixel are copied 4 at a time with v128, then one at a time.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Math.round: floor, plus one when the exact fraction v − floor(v) is at least 1/2. */
const ROUND = `(func $round (param $v f64) (result f64) (local $f f64)
  (local.set $f (f64.floor (local.get $v)))
  (select (f64.add (local.get $f) (f64.const 1)) (local.get $f) (f64.ge (f64.sub (local.get $v) (local.get $f)) (f64.const 0.5))))`;

const ROTATE = `(func (export "rotate_x32") (param $img i32) (param $out i32) (param $fill i32) (param $H i32) (param $W i32) (param $C i32)
  (param $cx f64) (param $cy f64) (param $sin f64) (param $cos f64) (param $start i32) (param $end i32)
  (local $r i32) (local $b i32) (local $y i32) (local $x i32) (local $c i32) (local $c4 i32) (local $cb i32)
  (local $base i32) (local $o i32) (local $src i32) (local $pix i32)
  (local $dx f64) (local $dy f64) (local $sx f64) (local $sy f64) (local $wf f64) (local $hf f64)
  (local.set $wf (f64.convert_i32_s (local.get $W)))
  (local.set $hf (f64.convert_i32_s (local.get $H)))
  (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
  (local.set $c4 (i32.and (local.get $C) (i32.const -4)))
  (local.set $r (local.get $start))
  (block $rx (loop $rl
    (br_if $rx (i32.ge_u (local.get $r) (local.get $end)))
    (local.set $b (i32.div_u (local.get $r) (local.get $H)))
    (local.set $y (i32.rem_u (local.get $r) (local.get $H)))
    (local.set $base (i32.add (local.get $img) (i32.mul (i32.mul (local.get $b) (i32.mul (local.get $H) (local.get $W))) (local.get $pix))))
    (local.set $o (i32.add (local.get $out) (i32.mul (i32.mul (local.get $r) (local.get $W)) (local.get $pix))))
    (local.set $dy (f64.sub (f64.convert_i32_u (local.get $y)) (local.get $cy)))
    (local.set $x (i32.const 0))
    (block $xx (loop $xl
      (br_if $xx (i32.ge_u (local.get $x) (local.get $W)))
      (local.set $dx (f64.sub (f64.convert_i32_u (local.get $x)) (local.get $cx)))
      (local.set $sx (call $round (f64.add (f64.sub (f64.mul (local.get $dx) (local.get $cos)) (f64.mul (local.get $dy) (local.get $sin))) (local.get $cx))))
      (local.set $sy (call $round (f64.add (f64.add (f64.mul (local.get $dx) (local.get $sin)) (f64.mul (local.get $dy) (local.get $cos))) (local.get $cy))))
      (local.set $src (if (result i32)
        (i32.and (i32.and (f64.ge (local.get $sx) (f64.const 0)) (f64.lt (local.get $sx) (local.get $wf)))
                 (i32.and (f64.ge (local.get $sy) (f64.const 0)) (f64.lt (local.get $sy) (local.get $hf))))
        (then (i32.add (local.get $base) (i32.mul (i32.add (i32.mul (i32.trunc_f64_s (local.get $sy)) (local.get $W)) (i32.trunc_f64_s (local.get $sx))) (local.get $pix))))
        (else (local.get $fill))))
      (local.set $c (i32.const 0))
      (block $vx (loop $vl
        (br_if $vx (i32.ge_u (local.get $c) (local.get $c4)))
        (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
        (v128.store align=4 (i32.add (local.get $o) (local.get $cb)) (v128.load align=4 (i32.add (local.get $src) (local.get $cb))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vl)))
      (block $tx (loop $sl
        (br_if $tx (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
        (i32.store (i32.add (local.get $o) (local.get $cb)) (i32.load (i32.add (local.get $src) (local.get $cb))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $sl)))
      (local.set $o (i32.add (local.get $o) (local.get $pix)))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $xl)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rl))))`;

export const rotateFamily: WatFamily = {
  name: 'rotate',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${ROUND}\n${ROTATE}\n)`;
  },
};
