/**
 * The `fft` family: discrete Fourier transforms of complex rows held as two planar float32 arrays
 * (real parts, imaginary parts), each row of length n, rows [start, end) per call.
 *
 *   fft_pow2_f32(xr, xi, yr, yi, sr, si, twr, twi, n, log2n, scale f32, start, end):
 *     radix-2 Stockham (self-sorting, no bit reversal) for n = 2^log2n. Stage t (half length
 *     m = n >> (t+1), stride s = 2^t) maps a = src[q + s·p], b = src[q + s·(p + m)] to
 *     dst[q + 2s·p] = a + b, dst[q + s·(2p + 1)] = (a − b)·w^(p·s) for p < m, q < s, with the
 *     twiddles w^k = (twr[k], twi[k]), k < n/2, a table from the launcher (conjugated for the
 *     inverse). The q loop is contiguous: four lanes a vector once s ≥ 4, scalar for s = 1, 2.
 *     Stages ping-pong between the output row and a scratch row (sr, si), arranged so the last
 *     stage writes the output; the input is never written. `scale` (1/n for the inverse) multiplies
 *     the result in a final vector pass when it is not 1.
 *   dft_f64acc(xr, xi, yr, yi, tw, n, scale f64, start, end): direct O(n²) transform for any n,
 *     y[k] = scale·Σ_j x[j]·w^(j·k mod n), twiddles a float64 table of (cos, sin) pairs (16 bytes
 *     each, n of them), products and sums in float64 on f64x2 (re, im) lanes, rounded once.
 *   complex_abs_f32(xr, xi, y, start, end): |x| = sqrt(re² + im²) in float64 (no overflow or
 *     underflow for float32 parts), rounded once; ±Inf in either part gives +Inf (as hypot).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** One Stockham stage over one row: params are byte pointers; $s, $m counts of elements. */
const STAGE = `(func $stage (param $ar i32) (param $ai i32) (param $br i32) (param $bi i32) (param $twr i32) (param $twi i32) (param $s i32) (param $m i32)
  (local $p i32) (local $q i32) (local $wr f32) (local $wi f32) (local $vwr v128) (local $vwi v128)
  (local $src i32) (local $dst i32) (local $half i32) (local $sb i32) (local $tw i32)
  (local $xr v128) (local $xi v128) (local $yr v128) (local $yi v128) (local $dr v128) (local $di v128)
  (local $fr f32) (local $fi f32) (local $gr f32) (local $gi f32) (local $er f32) (local $ei f32)
  (local.set $sb (i32.shl (local.get $s) (i32.const 2)))
  (local.set $half (i32.mul (local.get $m) (local.get $sb)))
  (local.set $p (i32.const 0))
  (block $px (loop $pl
    (br_if $px (i32.ge_u (local.get $p) (local.get $m)))
    (local.set $tw (i32.shl (i32.mul (local.get $p) (local.get $s)) (i32.const 2)))
    (local.set $wr (f32.load (i32.add (local.get $twr) (local.get $tw))))
    (local.set $wi (f32.load (i32.add (local.get $twi) (local.get $tw))))
    ;; src offset s·p, dst offset 2s·p (bytes)
    (local.set $src (i32.mul (local.get $p) (local.get $sb)))
    (local.set $dst (i32.shl (local.get $src) (i32.const 1)))
    (local.set $q (i32.const 0))
    (if (i32.ge_u (local.get $s) (i32.const 4)) (then
      (local.set $vwr (f32x4.splat (local.get $wr)))
      (local.set $vwi (f32x4.splat (local.get $wi)))
      (block $vx (loop $vl
        (br_if $vx (i32.ge_u (local.get $q) (local.get $sb)))
        (local.set $xr (v128.load (i32.add (local.get $ar) (i32.add (local.get $src) (local.get $q)))))
        (local.set $xi (v128.load (i32.add (local.get $ai) (i32.add (local.get $src) (local.get $q)))))
        (local.set $yr (v128.load (i32.add (local.get $ar) (i32.add (i32.add (local.get $src) (local.get $half)) (local.get $q)))))
        (local.set $yi (v128.load (i32.add (local.get $ai) (i32.add (i32.add (local.get $src) (local.get $half)) (local.get $q)))))
        (v128.store (i32.add (local.get $br) (i32.add (local.get $dst) (local.get $q))) (f32x4.add (local.get $xr) (local.get $yr)))
        (v128.store (i32.add (local.get $bi) (i32.add (local.get $dst) (local.get $q))) (f32x4.add (local.get $xi) (local.get $yi)))
        (local.set $dr (f32x4.sub (local.get $xr) (local.get $yr)))
        (local.set $di (f32x4.sub (local.get $xi) (local.get $yi)))
        (v128.store (i32.add (local.get $br) (i32.add (i32.add (local.get $dst) (local.get $sb)) (local.get $q)))
          (f32x4.sub (f32x4.mul (local.get $dr) (local.get $vwr)) (f32x4.mul (local.get $di) (local.get $vwi))))
        (v128.store (i32.add (local.get $bi) (i32.add (i32.add (local.get $dst) (local.get $sb)) (local.get $q)))
          (f32x4.add (f32x4.mul (local.get $dr) (local.get $vwi)) (f32x4.mul (local.get $di) (local.get $vwr))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $vl))))
    (else
      (block $tx (loop $tl
        (br_if $tx (i32.ge_u (local.get $q) (local.get $sb)))
        (local.set $fr (f32.load (i32.add (local.get $ar) (i32.add (local.get $src) (local.get $q)))))
        (local.set $fi (f32.load (i32.add (local.get $ai) (i32.add (local.get $src) (local.get $q)))))
        (local.set $gr (f32.load (i32.add (local.get $ar) (i32.add (i32.add (local.get $src) (local.get $half)) (local.get $q)))))
        (local.set $gi (f32.load (i32.add (local.get $ai) (i32.add (i32.add (local.get $src) (local.get $half)) (local.get $q)))))
        (f32.store (i32.add (local.get $br) (i32.add (local.get $dst) (local.get $q))) (f32.add (local.get $fr) (local.get $gr)))
        (f32.store (i32.add (local.get $bi) (i32.add (local.get $dst) (local.get $q))) (f32.add (local.get $fi) (local.get $gi)))
        (local.set $er (f32.sub (local.get $fr) (local.get $gr)))
        (local.set $ei (f32.sub (local.get $fi) (local.get $gi)))
        (f32.store (i32.add (local.get $br) (i32.add (i32.add (local.get $dst) (local.get $sb)) (local.get $q)))
          (f32.sub (f32.mul (local.get $er) (local.get $wr)) (f32.mul (local.get $ei) (local.get $wi))))
        (f32.store (i32.add (local.get $bi) (i32.add (i32.add (local.get $dst) (local.get $sb)) (local.get $q)))
          (f32.add (f32.mul (local.get $er) (local.get $wi)) (f32.mul (local.get $ei) (local.get $wr))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $tl)))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $pl))))`;

/** Multiply (or copy, scale 1) `bytes` of a row: vector loop, scalar tail. */
const SCALE = `(func $scale (param $xr i32) (param $yr i32) (param $bytes i32) (param $k f32)
  (local $o i32) (local $vk v128)
  (local.set $vk (f32x4.splat (local.get $k)))
  (block $vx (loop $vl
    (br_if $vx (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $bytes)))
    (v128.store (i32.add (local.get $yr) (local.get $o)) (f32x4.mul (v128.load (i32.add (local.get $xr) (local.get $o))) (local.get $vk)))
    (local.set $o (i32.add (local.get $o) (i32.const 16)))
    (br $vl)))
  (block $tx (loop $tl
    (br_if $tx (i32.ge_u (local.get $o) (local.get $bytes)))
    (f32.store (i32.add (local.get $yr) (local.get $o)) (f32.mul (f32.load (i32.add (local.get $xr) (local.get $o))) (local.get $k)))
    (local.set $o (i32.add (local.get $o) (i32.const 4)))
    (br $tl))))`;

const FFT_POW2 = `(func (export "fft_pow2_f32") (param $xr i32) (param $xi i32) (param $yr i32) (param $yi i32) (param $sr i32) (param $si i32)
  (param $twr i32) (param $twi i32) (param $n i32) (param $log2n i32) (param $k f32) (param $start i32) (param $end i32)
  (local $row i32) (local $off i32) (local $t i32) (local $ar i32) (local $ai i32) (local $br i32) (local $bi i32) (local $bytes i32)
  (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
  (local.set $row (local.get $start))
  (block $rx (loop $rl
    (br_if $rx (i32.ge_u (local.get $row) (local.get $end)))
    (local.set $off (i32.mul (local.get $row) (local.get $bytes)))
    (if (i32.eqz (local.get $log2n))
      (then
        (call $scale (i32.add (local.get $xr) (local.get $off)) (i32.add (local.get $yr) (local.get $off)) (local.get $bytes) (local.get $k))
        (call $scale (i32.add (local.get $xi) (local.get $off)) (i32.add (local.get $yi) (local.get $off)) (local.get $bytes) (local.get $k)))
      (else
        (local.set $ar (i32.add (local.get $xr) (local.get $off)))
        (local.set $ai (i32.add (local.get $xi) (local.get $off)))
        (local.set $t (i32.const 0))
        (block $sx (loop $sl
          (br_if $sx (i32.ge_u (local.get $t) (local.get $log2n)))
          ;; the last stage (t = log2n − 1) writes the output; earlier ones alternate back from it
          (if (i32.and (i32.sub (i32.sub (local.get $log2n) (i32.const 1)) (local.get $t)) (i32.const 1))
            (then (local.set $br (i32.add (local.get $sr) (local.get $off))) (local.set $bi (i32.add (local.get $si) (local.get $off))))
            (else (local.set $br (i32.add (local.get $yr) (local.get $off))) (local.set $bi (i32.add (local.get $yi) (local.get $off)))))
          (call $stage (local.get $ar) (local.get $ai) (local.get $br) (local.get $bi) (local.get $twr) (local.get $twi)
            (i32.shl (i32.const 1) (local.get $t)) (i32.shr_u (local.get $n) (i32.add (local.get $t) (i32.const 1))))
          (local.set $ar (local.get $br))
          (local.set $ai (local.get $bi))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $sl)))
        (if (f32.ne (local.get $k) (f32.const 1)) (then
          (call $scale (i32.add (local.get $yr) (local.get $off)) (i32.add (local.get $yr) (local.get $off)) (local.get $bytes) (local.get $k))
          (call $scale (i32.add (local.get $yi) (local.get $off)) (i32.add (local.get $yi) (local.get $off)) (local.get $bytes) (local.get $k))))))
    (local.set $row (i32.add (local.get $row) (i32.const 1)))
    (br $rl))))`;

const DFT = `(func (export "dft_f64acc") (param $xr i32) (param $xi i32) (param $yr i32) (param $yi i32) (param $tw i32) (param $n i32) (param $k f64) (param $start i32) (param $end i32)
  (local $row i32) (local $off i32) (local $bytes i32) (local $o i32) (local $j i32) (local $idx i32) (local $step i32)
  (local $acc v128) (local $w v128) (local $wrot v128)
  (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
  (local.set $row (local.get $start))
  (block $rx (loop $rl
    (br_if $rx (i32.ge_u (local.get $row) (local.get $end)))
    (local.set $off (i32.mul (local.get $row) (local.get $bytes)))
    (local.set $step (i32.const 0))
    (block $kx (loop $kl
      (br_if $kx (i32.ge_u (local.get $step) (local.get $n)))
      (local.set $acc (v128.const f64x2 0 0))
      (local.set $idx (i32.const 0))
      (local.set $j (i32.const 0))
      (block $jx (loop $jl
        (br_if $jx (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $o (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 2))))
        ;; w = (cos, sin); x·w = (xr·cos − xi·sin, xr·sin + xi·cos) = xr·(cos, sin) + xi·(−sin, cos)
        (local.set $w (v128.load (i32.add (local.get $tw) (i32.shl (local.get $idx) (i32.const 4)))))
        (local.set $wrot (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)) (v128.const f64x2 -1 1)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.add (f64x2.mul (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $xr) (local.get $o))))) (local.get $w))
                     (f64x2.mul (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $xi) (local.get $o))))) (local.get $wrot)))))
        (local.set $idx (i32.add (local.get $idx) (local.get $step)))
        (if (i32.ge_u (local.get $idx) (local.get $n)) (then (local.set $idx (i32.sub (local.get $idx) (local.get $n)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $acc (f64x2.mul (local.get $acc) (f64x2.splat (local.get $k))))
      (local.set $o (i32.add (local.get $off) (i32.shl (local.get $step) (i32.const 2))))
      (f32.store (i32.add (local.get $yr) (local.get $o)) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc))))
      (f32.store (i32.add (local.get $yi) (local.get $o)) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc))))
      (local.set $step (i32.add (local.get $step) (i32.const 1)))
      (br $kl)))
    (local.set $row (i32.add (local.get $row) (i32.const 1)))
    (br $rl))))`;

const ABS = `(func (export "complex_abs_f32") (param $xr i32) (param $xi i32) (param $y i32) (param $start i32) (param $end i32)
  (local $o i32) (local $oe i32) (local $a v128) (local $b v128) (local $r v128) (local $inf v128)
  (local.set $o (i32.shl (local.get $start) (i32.const 2)))
  (local.set $oe (i32.shl (local.get $end) (i32.const 2)))
  (block $x (loop $l
    (br_if $x (i32.ge_u (local.get $o) (local.get $oe)))
    ;; two elements a step (one in the tail): promote, square-sum, sqrt, demote
    (if (i32.le_u (i32.add (local.get $o) (i32.const 8)) (local.get $oe))
      (then
        (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $xr) (local.get $o)))))
        (local.set $b (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $xi) (local.get $o))))))
      (else
        (local.set $a (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $xr) (local.get $o)))))
        (local.set $b (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $xi) (local.get $o)))))))
    (local.set $r (f64x2.sqrt (f64x2.add (f64x2.mul (local.get $a) (local.get $a)) (f64x2.mul (local.get $b) (local.get $b)))))
    (local.set $inf (v128.or (f64x2.eq (f64x2.abs (local.get $a)) (v128.const f64x2 inf inf)) (f64x2.eq (f64x2.abs (local.get $b)) (v128.const f64x2 inf inf))))
    (local.set $r (f32x4.demote_f64x2_zero (v128.bitselect (v128.const f64x2 inf inf) (local.get $r) (local.get $inf))))
    (f32.store (i32.add (local.get $y) (local.get $o)) (f32x4.extract_lane 0 (local.get $r)))
    (if (i32.le_u (i32.add (local.get $o) (i32.const 8)) (local.get $oe)) (then
      (f32.store (i32.add (local.get $y) (i32.add (local.get $o) (i32.const 4))) (f32x4.extract_lane 1 (local.get $r)))))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (br $l))))`;

export const fftFamily: WatFamily = {
  name: 'fft',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${STAGE}\n${SCALE}\n${FFT_POW2}\n${DFT}\n${ABS}\n)`;
  },
};
