/**
 * Depthwise integer convolution of the `quant` family (one input channel per group, 2-D or 1-D):
 * ConvInteger / QLinearConv layers such as MobileNet's, in one parallel call per layer instead of a
 * GEMM per channel.
 *
 * `dwconv_<x>_<out>(g, start, end)`: item = one output row (n, m, oh) of N·M·oH. g: i32 words
 * [x, wp, y, zx, C, H, W, kH, kW, sH, sW, dH, dW, padT, padL, oH, oW, Mg, M, mult, zy, bias, owLo, owHi, KP].
 * wp holds W as i16 rows of KP pairs (pack_a layout, zero point subtracted), row m at wp + m·KP·4.
 * Output channel m reads input channel m / Mg. acc = bias[m] + Σ (x − zx)·w, stored as i32 or
 * requantised with mult[m] and zy as qgemm does.
 * Columns [owLo, owHi) (stride 1 or 2; every tap, and every byte a load reads, in bounds) run 8 at a
 * time: x widened to i16 (stride 2 keeps the even bytes of a 16-byte load),
 * i32x4.extmul_{low,high}_i16x8_s by the splatted tap weight. The rest run one output at a time.
 */
import { loadScalar, requant1, requant4, type QType } from './quant.wat.js';

const g = (n: string) => `(local.get $${n})`;
const NAMES = ['x', 'wp', 'y', 'zx', 'C', 'H', 'W', 'kH', 'kW', 'sH', 'sW', 'dH', 'dW', 'padT', 'padL', 'oH', 'oW', 'Mg', 'M', 'mult', 'zy', 'bias', 'owLo', 'owHi', 'KP'];

/** Store one output at $dst (column $ow) from i32 $acc. */
function storeOne(out: 'i32' | QType): string {
  if (out === 'i32') return `(i32.store (i32.add ${g('dst')} (i32.shl ${g('ow')} (i32.const 2))) ${g('acc')})`;
  return `(i32.store8 (i32.add ${g('dst')} ${g('ow')}) ${requant1(out, `(f32.mul (f32.convert_i32_s ${g('acc')}) ${g('mv')})`, `(f32.convert_i32_s ${g('zy')})`)})`;
}

/** Store 8 outputs at column $ow from $a0 (columns 0–3) and $a1 (4–7). */
function storeEight(out: 'i32' | QType): string {
  if (out === 'i32') {
    return `(local.set $p (i32.add ${g('dst')} (i32.shl ${g('ow')} (i32.const 2))))
          (v128.store ${g('p')} ${g('a0')}) (v128.store offset=16 ${g('p')} ${g('a1')})`;
  }
  const q = (a: string) => requant4(out, `(f32x4.mul (f32x4.convert_i32x4_s ${a}) (f32x4.splat ${g('mv')}))`, `(f32x4.splat (f32.convert_i32_s ${g('zy')}))`);
  return `(local.set $v (i16x8.narrow_i32x4_s ${q(g('a0'))} ${q(g('a1'))}))
          (v128.store64_lane 0 (i32.add ${g('dst')} ${g('ow')}) (i8x16.narrow_i16x8_${out.signed ? 's' : 'u'} ${g('v')} ${g('v')}))`;
}

/** 8 input bytes for 8 consecutive outputs at $p: contiguous (stride 1), or the even bytes of 16 (stride 2). */
function load8(stride: 1 | 2): string {
  return stride === 1 ? `(v128.load64_zero ${g('p')})` : `(i8x16.shuffle 0 2 4 6 8 10 12 14 0 2 4 6 8 10 12 14 (v128.load ${g('p')}) (v128.const i32x4 0 0 0 0))`;
}

export function dwconv(x: QType, out: 'i32' | QType): string {
  const decl = NAMES.map((n) => `(local $${n} i32)`).join(' ');
  const init = NAMES.map((n, i) => `(local.set $${n} (i32.load offset=${i * 4} (local.get $g)))`).join(' ');
  const ob = out === 'i32' ? 4 : 1;
  const su = x.signed ? 's' : 'u';
  // one output at column $ow, any stride, taps outside the input skipped (they read the zero point)
  const scalar = `(local.set $acc ${g('bv')})
          (local.set $ky (i32.const 0))
          (block $dy (loop $ly
            (br_if $dy (i32.ge_u ${g('ky')} ${g('kH')}))
            (local.set $iy (i32.add ${g('iy0')} (i32.mul ${g('ky')} ${g('dH')})))
            (if (i32.lt_u ${g('iy')} ${g('H')}) (then
              (local.set $kx (i32.const 0))
              (block $dx (loop $lx
                (br_if $dx (i32.ge_u ${g('kx')} ${g('kW')}))
                (local.set $ix (i32.add (i32.sub (i32.mul ${g('ow')} ${g('sW')}) ${g('padL')}) (i32.mul ${g('kx')} ${g('dW')})))
                (if (i32.lt_u ${g('ix')} ${g('W')}) (then
                  (local.set $acc (i32.add ${g('acc')} (i32.mul
                    (i32.sub ${loadScalar(x, `(i32.add ${g('plane')} (i32.add (i32.mul ${g('iy')} ${g('W')}) ${g('ix')}))`)} ${g('zx')})
                    (i32.load16_s (i32.add ${g('wrow')} (i32.shl (i32.add (i32.mul ${g('ky')} ${g('kW')}) ${g('kx')}) (i32.const 1)))))))))
                (local.set $kx (i32.add ${g('kx')} (i32.const 1)))
                (br $lx)))))
            (local.set $ky (i32.add ${g('ky')} (i32.const 1)))
            (br $ly)))
          ${storeOne(out)}
          (local.set $ow (i32.add ${g('ow')} (i32.const 1)))`;
  const scalarTo = (lbl: string, limit: string) => `(block $d${lbl} (loop $l${lbl}
        (br_if $d${lbl} (i32.ge_u ${g('ow')} ${limit}))
          ${scalar}
        (br $l${lbl})))`;
  // 8 outputs at column $ow, stride 1 or 2, every tap (and every byte loaded) in bounds along x
  const vector = (stride: 1 | 2) => `(local.set $a0 (i32x4.splat ${g('bv')})) (local.set $a1 (local.get $a0))
          (local.set $ky (i32.const 0))
          (block $dvy${stride} (loop $lvy${stride}
            (br_if $dvy${stride} (i32.ge_u ${g('ky')} ${g('kH')}))
            (local.set $iy (i32.add ${g('iy0')} (i32.mul ${g('ky')} ${g('dH')})))
            (if (i32.lt_u ${g('iy')} ${g('H')}) (then
              (local.set $p (i32.add ${g('plane')} (i32.sub (i32.add (i32.mul ${g('iy')} ${g('W')}) (i32.mul ${g('ow')} ${g('sW')})) ${g('padL')})))
              (local.set $wq (i32.add ${g('wrow')} (i32.shl (i32.mul ${g('ky')} ${g('kW')}) (i32.const 1))))
              (local.set $kx (i32.const 0))
              (block $dvx${stride} (loop $lvx${stride}
                (br_if $dvx${stride} (i32.ge_u ${g('kx')} ${g('kW')}))
                (local.set $xv (i16x8.sub (i16x8.extend_low_i8x16_${su} ${load8(stride)}) ${g('zxv')}))
                (local.set $wv (i16x8.splat (i32.load16_s ${g('wq')})))
                (local.set $a0 (i32x4.add ${g('a0')} (i32x4.extmul_low_i16x8_s ${g('xv')} ${g('wv')})))
                (local.set $a1 (i32x4.add ${g('a1')} (i32x4.extmul_high_i16x8_s ${g('xv')} ${g('wv')})))
                (local.set $p (i32.add ${g('p')} ${g('dW')}))
                (local.set $wq (i32.add ${g('wq')} (i32.const 2)))
                (local.set $kx (i32.add ${g('kx')} (i32.const 1)))
                (br $lvx${stride})))))
            (local.set $ky (i32.add ${g('ky')} (i32.const 1)))
            (br $lvy${stride})))
          ${storeEight(out)}
          (local.set $ow (i32.add ${g('ow')} (i32.const 8)))`;
  return `(func (export "dwconv_${x.tag}_${out === 'i32' ? 'i32' : out.tag}") (param $g i32) (param $start i32) (param $end i32)
    ${decl}
    (local $i i32) (local $nm i32) (local $oh i32) (local $m i32) (local $n i32) (local $plane i32) (local $wrow i32) (local $dst i32)
    (local $bv i32) (local $mv f32) (local $acc i32) (local $qt i32) (local $iy0 i32) (local $iy i32) (local $ix i32) (local $ky i32) (local $kx i32)
    (local $ow i32) (local $p i32) (local $wq i32) (local $hi i32) (local $a0 v128) (local $a1 v128) (local $xv v128) (local $wv v128) (local $zxv v128) (local $v v128)
    ${init}
    (local.set $zxv (i16x8.splat ${g('zx')}))
    (local.set $i ${g('start')})
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      (local.set $nm (i32.div_u ${g('i')} ${g('oH')}))
      (local.set $oh (i32.sub ${g('i')} (i32.mul ${g('nm')} ${g('oH')})))
      (local.set $n (i32.div_u ${g('nm')} ${g('M')}))
      (local.set $m (i32.sub ${g('nm')} (i32.mul ${g('n')} ${g('M')})))
      (local.set $plane (i32.add ${g('x')} (i32.mul (i32.add (i32.mul ${g('n')} ${g('C')}) (i32.div_u ${g('m')} ${g('Mg')})) (i32.mul ${g('H')} ${g('W')}))))
      (local.set $wrow (i32.add ${g('wp')} (i32.shl (i32.mul ${g('m')} ${g('KP')}) (i32.const 2))))
      (local.set $dst (i32.add ${g('y')} (i32.mul ${g('i')} (i32.mul ${g('oW')} (i32.const ${ob})))))
      (local.set $bv (if (result i32) ${g('bias')} (then (i32.load (i32.add ${g('bias')} (i32.shl ${g('m')} (i32.const 2))))) (else (i32.const 0))))
      ${out === 'i32' ? '' : `(local.set $mv (f32.load (i32.add ${g('mult')} (i32.shl ${g('m')} (i32.const 2)))))`}
      (local.set $iy0 (i32.sub (i32.mul ${g('oh')} ${g('sH')}) ${g('padT')}))
      (local.set $ow (i32.const 0))
      ${scalarTo('a', g('owLo'))}
      (if (i32.eq ${g('sW')} (i32.const 1))
        (then
          (block $dv (loop $lv
            (br_if $dv (i32.gt_u (i32.add ${g('ow')} (i32.const 8)) ${g('owHi')}))
            ${vector(1)}
            (br $lv))))
        (else
          (block $dv2 (loop $lv2
            (br_if $dv2 (i32.gt_u (i32.add ${g('ow')} (i32.const 8)) ${g('owHi')}))
            ${vector(2)}
            (br $lv2)))))
      ${scalarTo('b', g('oW'))}
      (local.set $i (i32.add ${g('i')} (i32.const 1)))
      (br $items)))
  )`;
}
