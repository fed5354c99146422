/**
 * The `transform` family: projective image transforms (TensorFlow's ImageProjectiveTransformV3,
 * tfjs image.transform) on NHWC float32.
 *
 *   transform_f32(img, tr, trStride, H, W, C, outH, outW, nearest, mode, fill f32, out, start, end):
 *     output rows r = b·outH + y for r in [start, end); batch b's transform is the 8 floats at
 *     tr + b·trStride (trStride 0 shares one). Output pixel (x, y) samples the input at
 *     ((a0·x + a1·y + a2)/p, (b0·x + b1·y + b2)/p), p = c0·x + c1·y + 1 (p = 0 gives `fill`), all in
 *     float64. The coordinates are first mapped by `mode` (0 constant: as is, 1 reflect, 2 wrap,
 *     3 nearest: clamped; reflect/wrap as TensorFlow folds them, then clamped), then read nearest
 *     (round half up) or bilinear (floor and floor + 1); a read outside the image gives `fill`.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** Map coordinate $c of an axis of length $len by the fill mode (TensorFlow's map_coordinate). */
const MAP = `(func $map (param $c f64) (param $len i32) (param $mode i32) (result f64)
  (local $n f64) (local $sz f64)
  (local.set $n (f64.convert_i32_s (local.get $len)))
  (if (i32.eqz (local.get $mode)) (then (return (local.get $c))))
  (if (i32.eq (local.get $mode) (i32.const 1)) (then
    (if (f64.lt (local.get $c) (f64.const 0))
      (then (if (i32.le_s (local.get $len) (i32.const 1))
        (then (local.set $c (f64.const 0)))
        (else
          (local.set $sz (f64.mul (f64.const 2) (local.get $n)))
          (if (f64.lt (local.get $c) (local.get $sz)) (then
            (local.set $c (f64.add (f64.mul (local.get $sz) (f64.trunc (f64.div (f64.neg (local.get $c)) (local.get $sz)))) (local.get $c)))))
          (local.set $c (select (f64.add (local.get $c) (local.get $sz)) (f64.sub (f64.neg (local.get $c)) (f64.const 1)) (f64.lt (local.get $c) (f64.neg (local.get $n))))))))
      (else (if (f64.gt (local.get $c) (f64.sub (local.get $n) (f64.const 1)))
        (then (if (i32.le_s (local.get $len) (i32.const 1))
          (then (local.set $c (f64.const 0)))
          (else
            (local.set $sz (f64.mul (f64.const 2) (local.get $n)))
            (local.set $c (f64.sub (local.get $c) (f64.mul (local.get $sz) (f64.trunc (f64.div (local.get $c) (local.get $sz))))))
            (if (f64.ge (local.get $c) (local.get $n)) (then (local.set $c (f64.sub (f64.sub (local.get $sz) (local.get $c)) (f64.const 1)))))))))))))
  (if (i32.eq (local.get $mode) (i32.const 2)) (then
    (if (f64.lt (local.get $c) (f64.const 0))
      (then (if (i32.le_s (local.get $len) (i32.const 1))
        (then (local.set $c (f64.const 0)))
        (else
          (local.set $sz (f64.sub (local.get $n) (f64.const 1)))
          (local.set $c (f64.add (local.get $c) (f64.mul (local.get $n) (f64.add (f64.trunc (f64.div (f64.neg (local.get $c)) (local.get $sz))) (f64.const 1))))))))
      (else (if (f64.gt (local.get $c) (f64.sub (local.get $n) (f64.const 1)))
        (then (if (i32.le_s (local.get $len) (i32.const 1))
          (then (local.set $c (f64.const 0)))
          (else
            (local.set $sz (f64.sub (local.get $n) (f64.const 1)))
            (local.set $c (f64.sub (local.get $c) (f64.mul (local.get $n) (f64.trunc (f64.div (local.get $c) (local.get $sz))))))))))))))
  (f64.min (f64.max (local.get $c) (f64.const 0)) (f64.sub (local.get $n) (f64.const 1))))`;

/** The address of pixel (y, x) of the batch image at $base, or −1 when outside it. */
const AT = `(func $at (param $base i32) (param $H i32) (param $W i32) (param $C i32) (param $y f64) (param $x f64) (result i32)
  (if (i32.or (i32.or (f64.lt (local.get $y) (f64.const 0)) (i32.eqz (f64.lt (local.get $y) (f64.convert_i32_s (local.get $H)))))
              (i32.or (f64.lt (local.get $x) (f64.const 0)) (i32.eqz (f64.lt (local.get $x) (f64.convert_i32_s (local.get $W))))))
    (then (return (i32.const -1))))
  (i32.add (local.get $base) (i32.shl (i32.mul (i32.add (i32.mul (i32.trunc_f64_s (local.get $y)) (local.get $W)) (i32.trunc_f64_s (local.get $x))) (local.get $C)) (i32.const 2))))`;

const rd = (p: string, c: string) => `(if (result f64) (i32.lt_s (local.get ${p}) (i32.const 0)) (then (local.get $fv)) (else (f64.promote_f32 (f32.load (i32.add (local.get ${p}) ${c})))))`;

const TRANSFORM = `(func (export "transform_f32") (param $img i32) (param $tr i32) (param $trStride i32) (param $H i32) (param $W i32) (param $C i32)
  (param $outH i32) (param $outW i32) (param $nearest i32) (param $mode i32) (param $fill f32) (param $out i32) (param $start i32) (param $end i32)
  (local $r i32) (local $b i32) (local $y i32) (local $x i32) (local $c i32) (local $t i32) (local $base i32) (local $o i32) (local $cb i32)
  (local $p f64) (local $ix f64) (local $iy f64) (local $fx f64) (local $fy f64) (local $fv f64)
  (local $p00 i32) (local $p01 i32) (local $p10 i32) (local $p11 i32) (local $skip i32)
  (local.set $fv (f64.promote_f32 (local.get $fill)))
  (local.set $r (local.get $start))
  (block $rx (loop $rl
    (br_if $rx (i32.ge_u (local.get $r) (local.get $end)))
    (local.set $b (i32.div_u (local.get $r) (local.get $outH)))
    (local.set $y (i32.rem_u (local.get $r) (local.get $outH)))
    (local.set $t (i32.add (local.get $tr) (i32.mul (local.get $b) (local.get $trStride))))
    (local.set $base (i32.add (local.get $img) (i32.shl (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C))) (i32.const 2))))
    (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (i32.mul (local.get $outW) (local.get $C))) (i32.const 2))))
    (local.set $x (i32.const 0))
    (block $xx (loop $xl
      (br_if $xx (i32.ge_u (local.get $x) (local.get $outW)))
      (local.set $p (f64.add (f64.add
        (f64.mul (f64.promote_f32 (f32.load offset=24 (local.get $t))) (f64.convert_i32_u (local.get $x)))
        (f64.mul (f64.promote_f32 (f32.load offset=28 (local.get $t))) (f64.convert_i32_u (local.get $y)))) (f64.const 1)))
      (local.set $skip (f64.eq (local.get $p) (f64.const 0)))
      (if (i32.eqz (local.get $skip))
        (then
          (local.set $ix (call $map (f64.div (f64.add (f64.add
            (f64.mul (f64.promote_f32 (f32.load offset=0 (local.get $t))) (f64.convert_i32_u (local.get $x)))
            (f64.mul (f64.promote_f32 (f32.load offset=4 (local.get $t))) (f64.convert_i32_u (local.get $y))))
            (f64.promote_f32 (f32.load offset=8 (local.get $t)))) (local.get $p)) (local.get $W) (local.get $mode)))
          (local.set $iy (call $map (f64.div (f64.add (f64.add
            (f64.mul (f64.promote_f32 (f32.load offset=12 (local.get $t))) (f64.convert_i32_u (local.get $x)))
            (f64.mul (f64.promote_f32 (f32.load offset=16 (local.get $t))) (f64.convert_i32_u (local.get $y))))
            (f64.promote_f32 (f32.load offset=20 (local.get $t)))) (local.get $p)) (local.get $H) (local.get $mode)))))
      (local.set $c (i32.const 0))
      (if (local.get $skip)
        (then
          ;; p = 0: the fill value
          (block $fx_ (loop $fl
            (br_if $fx_ (i32.ge_u (local.get $c) (local.get $C)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $fill))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $fl))))
        (else (if (local.get $nearest)
          (then
            (local.set $p00 (call $at (local.get $base) (local.get $H) (local.get $W) (local.get $C)
              (f64.floor (f64.add (local.get $iy) (f64.const 0.5))) (f64.floor (f64.add (local.get $ix) (f64.const 0.5)))))
            (block $nx (loop $nl
              (br_if $nx (i32.ge_u (local.get $c) (local.get $C)))
              (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
              (f32.store (i32.add (local.get $o) (local.get $cb)) (f32.demote_f64 ${rd('$p00', '(local.get $cb)')}))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br $nl))))
          (else
            (local.set $fy (f64.floor (local.get $iy)))
            (local.set $fx (f64.floor (local.get $ix)))
            (local.set $p00 (call $at (local.get $base) (local.get $H) (local.get $W) (local.get $C) (local.get $fy) (local.get $fx)))
            (local.set $p01 (call $at (local.get $base) (local.get $H) (local.get $W) (local.get $C) (local.get $fy) (f64.add (local.get $fx) (f64.const 1))))
            (local.set $p10 (call $at (local.get $base) (local.get $H) (local.get $W) (local.get $C) (f64.add (local.get $fy) (f64.const 1)) (local.get $fx)))
            (local.set $p11 (call $at (local.get $base) (local.get $H) (local.get $W) (local.get $C) (f64.add (local.get $fy) (f64.const 1)) (f64.add (local.get $fx) (f64.const 1))))
            (block $bx (loop $bl
              (br_if $bx (i32.ge_u (local.get $c) (local.get $C)))
              (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
              ;; (yc − y)·row(yf) + (y − yf)·row(yc), each row (xc − x)·v(xf) + (x − xf)·v(xc)
              (f32.store (i32.add (local.get $o) (local.get $cb)) (f32.demote_f64 (f64.add
                (f64.mul (f64.sub (f64.add (local.get $fy) (f64.const 1)) (local.get $iy))
                  (f64.add (f64.mul (f64.sub (f64.add (local.get $fx) (f64.const 1)) (local.get $ix)) ${rd('$p00', '(local.get $cb)')})
                           (f64.mul (f64.sub (local.get $ix) (local.get $fx)) ${rd('$p01', '(local.get $cb)')})))
                (f64.mul (f64.sub (local.get $iy) (local.get $fy))
                  (f64.add (f64.mul (f64.sub (f64.add (local.get $fx) (f64.const 1)) (local.get $ix)) ${rd('$p10', '(local.get $cb)')})
                           (f64.mul (f64.sub (local.get $ix) (local.get $fx)) ${rd('$p11', '(local.get $cb)')}))))))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br $bl)))))))
      (local.set $o (i32.add (local.get $o) (i32.shl (local.get $C) (i32.const 2))))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $xl)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rl))))`;

export const transformFamily: WatFamily = {
  name: 'transform',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${MAP}\n${AT}\n${TRANSFORM}\n)`;
  },
};
