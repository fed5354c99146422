/**
 * The `crop-resize` family: CropAndResize (TensorFlow's image.crop_and_resize) on NHWC float32.
 *
 *   crop_and_resize_f32(img, boxes, ind, B, H, W, C, cropH, cropW, nearest, extrap f32, out, start, end):
 *     output rows r = box·cropH + y for r in [start, end). A box (y1, x1, y2, x2) is normalised:
 *     sample y of cropH sits at in_y = y1·(H−1) + y·(y2 − y1)·(H−1)/(cropH − 1), or at the box's
 *     centre (y1 + y2)/2·(H−1) when cropH = 1 (x likewise). Coordinates are float64 (as TensorFlow
 *     computes them). A sample outside [0, H−1] × [0, W−1] is `extrap`; a box whose image index is
 *     outside [0, B) gives zeros. Bilinear: top/bottom rows floor/ceil(in_y), lerped in float32 along
 *     x then y; nearest: the pixel at round-half-up(in_y, in_x). Channels four at a time (SIMD),
 *     then a scalar tail.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const CROP = `(func (export "crop_and_resize_f32") (param $img i32) (param $boxes i32) (param $ind i32)
  (param $B i32) (param $H i32) (param $W i32) (param $C i32) (param $cropH i32) (param $cropW i32) (param $nearest i32)
  (param $extrap f32) (param $out i32) (param $start i32) (param $end i32)
  (local $r i32) (local $box i32) (local $y i32) (local $x i32) (local $b i32) (local $c i32)
  (local $y1 f64) (local $x1 f64) (local $y2 f64) (local $x2 f64) (local $iy f64) (local $ix f64)
  (local $top i32) (local $bot i32) (local $left i32) (local $right i32) (local $yl f32) (local $xl f32)
  (local $o i32) (local $rowBytes i32) (local $pixBytes i32) (local $base i32) (local $fill i32)
  (local $tl i32) (local $tr i32) (local $bl i32) (local $br i32) (local $vt v128) (local $vb v128) (local $vx v128) (local $vy v128)
  (local $st f32) (local $sb f32) (local $Hm f64) (local $Wm f64)
  (local.set $pixBytes (i32.shl (local.get $C) (i32.const 2)))
  (local.set $rowBytes (i32.mul (local.get $W) (local.get $pixBytes)))
  (local.set $Hm (f64.convert_i32_s (i32.sub (local.get $H) (i32.const 1))))
  (local.set $Wm (f64.convert_i32_s (i32.sub (local.get $W) (i32.const 1))))
  (local.set $r (local.get $start))
  (block $rx (loop $rl
    (br_if $rx (i32.ge_u (local.get $r) (local.get $end)))
    (local.set $box (i32.div_u (local.get $r) (local.get $cropH)))
    (local.set $y (i32.rem_u (local.get $r) (local.get $cropH)))
    (local.set $o (i32.add (local.get $out) (i32.mul (local.get $r) (i32.mul (local.get $cropW) (local.get $pixBytes)))))
    (local.set $b (i32.load (i32.add (local.get $ind) (i32.shl (local.get $box) (i32.const 2)))))
    (local.set $y1 (f64.promote_f32 (f32.load offset=0 (i32.add (local.get $boxes) (i32.shl (local.get $box) (i32.const 4))))))
    (local.set $x1 (f64.promote_f32 (f32.load offset=4 (i32.add (local.get $boxes) (i32.shl (local.get $box) (i32.const 4))))))
    (local.set $y2 (f64.promote_f32 (f32.load offset=8 (i32.add (local.get $boxes) (i32.shl (local.get $box) (i32.const 4))))))
    (local.set $x2 (f64.promote_f32 (f32.load offset=12 (i32.add (local.get $boxes) (i32.shl (local.get $box) (i32.const 4))))))
    (local.set $iy (if (result f64) (i32.gt_u (local.get $cropH) (i32.const 1))
      (then (f64.add (f64.mul (local.get $y1) (local.get $Hm))
        (f64.mul (f64.convert_i32_u (local.get $y)) (f64.div (f64.mul (f64.sub (local.get $y2) (local.get $y1)) (local.get $Hm)) (f64.convert_i32_u (i32.sub (local.get $cropH) (i32.const 1)))))))
      (else (f64.mul (f64.mul (f64.add (local.get $y1) (local.get $y2)) (f64.const 0.5)) (local.get $Hm)))))
    ;; fill: 0 = sample, 1 = extrapolation value, 2 = zeros (bad image index)
    (local.set $fill (select (i32.const 2)
      (select (i32.const 1) (i32.const 0) (i32.or (f64.lt (local.get $iy) (f64.const 0)) (i32.eqz (f64.le (local.get $iy) (local.get $Hm)))))
      (i32.ge_u (local.get $b) (local.get $B))))
    (local.set $top (i32.trunc_sat_f64_s (f64.floor (local.get $iy))))
    (local.set $bot (i32.trunc_sat_f64_s (f64.ceil (local.get $iy))))
    (local.set $yl (f32.demote_f64 (f64.sub (local.get $iy) (f64.floor (local.get $iy)))))
    (if (local.get $nearest) (then (local.set $top (i32.trunc_sat_f64_s (f64.floor (f64.add (local.get $iy) (f64.const 0.5)))))))
    (local.set $base (i32.add (local.get $img) (i32.mul (local.get $b) (i32.mul (local.get $H) (local.get $rowBytes)))))
    (local.set $x (i32.const 0))
    (block $xx (loop $xl
      (br_if $xx (i32.ge_u (local.get $x) (local.get $cropW)))
      (local.set $ix (if (result f64) (i32.gt_u (local.get $cropW) (i32.const 1))
        (then (f64.add (f64.mul (local.get $x1) (local.get $Wm))
          (f64.mul (f64.convert_i32_u (local.get $x)) (f64.div (f64.mul (f64.sub (local.get $x2) (local.get $x1)) (local.get $Wm)) (f64.convert_i32_u (i32.sub (local.get $cropW) (i32.const 1)))))))
        (else (f64.mul (f64.mul (f64.add (local.get $x1) (local.get $x2)) (f64.const 0.5)) (local.get $Wm)))))
      (if (i32.or (local.get $fill) (i32.or (f64.lt (local.get $ix) (f64.const 0)) (i32.eqz (f64.le (local.get $ix) (local.get $Wm)))))
        (then
          ;; a constant pixel
          (local.set $st (select (f32.const 0) (local.get $extrap) (i32.eq (local.get $fill) (i32.const 2))))
          (local.set $c (i32.const 0))
          (block $fx (loop $fl
            (br_if $fx (i32.ge_u (local.get $c) (local.get $C)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $st))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $fl))))
        (else (if (local.get $nearest)
          (then
            (local.set $tl (i32.add (i32.add (local.get $base) (i32.mul (local.get $top) (local.get $rowBytes)))
              (i32.mul (i32.trunc_sat_f64_s (f64.floor (f64.add (local.get $ix) (f64.const 0.5)))) (local.get $pixBytes))))
            (memory.copy (local.get $o) (local.get $tl) (local.get $pixBytes)))
          (else
            (local.set $left (i32.trunc_sat_f64_s (f64.floor (local.get $ix))))
            (local.set $right (i32.trunc_sat_f64_s (f64.ceil (local.get $ix))))
            (local.set $xl (f32.demote_f64 (f64.sub (local.get $ix) (f64.floor (local.get $ix)))))
            (local.set $tl (i32.add (i32.add (local.get $base) (i32.mul (local.get $top) (local.get $rowBytes))) (i32.mul (local.get $left) (local.get $pixBytes))))
            (local.set $tr (i32.add (i32.add (local.get $base) (i32.mul (local.get $top) (local.get $rowBytes))) (i32.mul (local.get $right) (local.get $pixBytes))))
            (local.set $bl (i32.add (i32.add (local.get $base) (i32.mul (local.get $bot) (local.get $rowBytes))) (i32.mul (local.get $left) (local.get $pixBytes))))
            (local.set $br (i32.add (i32.add (local.get $base) (i32.mul (local.get $bot) (local.get $rowBytes))) (i32.mul (local.get $right) (local.get $pixBytes))))
            (local.set $vx (f32x4.splat (local.get $xl)))
            (local.set $vy (f32x4.splat (local.get $yl)))
            (local.set $c (i32.const 0))
            (block $vx_ (loop $vl
              (br_if $vx_ (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $pixBytes)))
              (local.set $vt (v128.load (i32.add (local.get $tl) (local.get $c))))
              (local.set $vt (f32x4.add (local.get $vt) (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $tr) (local.get $c))) (local.get $vt)) (local.get $vx))))
              (local.set $vb (v128.load (i32.add (local.get $bl) (local.get $c))))
              (local.set $vb (f32x4.add (local.get $vb) (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $br) (local.get $c))) (local.get $vb)) (local.get $vx))))
              (v128.store (i32.add (local.get $o) (local.get $c)) (f32x4.add (local.get $vt) (f32x4.mul (f32x4.sub (local.get $vb) (local.get $vt)) (local.get $vy))))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br $vl)))
            (block $tx (loop $tl_
              (br_if $tx (i32.ge_u (local.get $c) (local.get $pixBytes)))
              (local.set $st (f32.load (i32.add (local.get $tl) (local.get $c))))
              (local.set $st (f32.add (local.get $st) (f32.mul (f32.sub (f32.load (i32.add (local.get $tr) (local.get $c))) (local.get $st)) (local.get $xl))))
              (local.set $sb (f32.load (i32.add (local.get $bl) (local.get $c))))
              (local.set $sb (f32.add (local.get $sb) (f32.mul (f32.sub (f32.load (i32.add (local.get $br) (local.get $c))) (local.get $sb)) (local.get $xl))))
              (f32.store (i32.add (local.get $o) (local.get $c)) (f32.add (local.get $st) (f32.mul (f32.sub (local.get $sb) (local.get $st)) (local.get $yl))))
              (local.set $c (i32.add (local.get $c) (i32.const 4)))
              (br $tl_)))))))
      (local.set $o (i32.add (local.get $o) (local.get $pixBytes)))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $xl)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rl))))`;

export const cropResizeFamily: WatFamily = {
  name: 'crop-resize',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${CROP}\n)`;
  },
};
