/**
 * The `col2im` family: Col2Im (ONNX), the adjoint of im2col, carried as 3-D (D, H, W; leading 1s).
 *
 * `col2im(x, y, prm, start, end)`: output elements [start, end) of [N·C, D, H, W]. Element (img, d, h,
 *   w) gathers, in kernel order (kd, kh, kw), every column entry whose block covers it: along each
 *   axis q = pos + pad − k·dil must be a multiple of the stride with q / stride < blocks. x is
 *   [N, C·K, L] (K = KD·KH·KW taps, L = BD·BH·BW blocks), so the entry is x[(img·K + t)·L + b].
 *   prm: 19 i32s, see PARAMS. A gather (one writer per output), so threads never collide and the
 *   order of the sum is fixed.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export const PARAMS = ['D', 'H', 'W', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL', 'BD', 'BH', 'BW', 'K'] as const;

const g = (n: string) => `(local.get $${n})`;

/** Block index along one axis into $b{a}, or skip (br $skip{a}) when the tap misses every block. */
function axis(a: string, pos: string, P: string, S: string, Dl: string, B: string, k: string): string {
  return `(local.set $q${a} (i32.sub (i32.add ${g(pos)} ${g(P)}) (i32.mul ${g(k)} ${g(Dl)})))
        (br_if $skip${a} (i32.lt_s ${g(`q${a}`)} (i32.const 0)))
        (br_if $skip${a} (i32.rem_u ${g(`q${a}`)} ${g(S)}))
        (local.set $b${a} (i32.div_u ${g(`q${a}`)} ${g(S)}))
        (br_if $skip${a} (i32.ge_u ${g(`b${a}`)} ${g(B)}))`;
}

const COL2IM = `(func (export "col2im") (param $x i32) (param $y i32) (param $prm i32) (param $start i32) (param $end i32)
  ${PARAMS.map((n) => `(local $${n} i32)`).join(' ')}
  (local $e i32) (local $r i32) (local $d i32) (local $h i32) (local $w i32) (local $img i32) (local $L i32)
  (local $kd i32) (local $kh i32) (local $kw i32) (local $qd i32) (local $qh i32) (local $qw i32) (local $bd i32) (local $bh i32) (local $bw i32)
  (local $s f32) (local $base i32)
  ${PARAMS.map((n, k) => `(local.set $${n} (i32.load offset=${k * 4} ${g('prm')}))`).join('\n  ')}
  (local.set $L (i32.mul (i32.mul ${g('BD')} ${g('BH')}) ${g('BW')}))
  (local.set $e ${g('start')})
  (block $done (loop $next
    (br_if $done (i32.ge_u ${g('e')} ${g('end')}))
    (local.set $w (i32.rem_u ${g('e')} ${g('W')}))
    (local.set $r (i32.div_u ${g('e')} ${g('W')}))
    (local.set $h (i32.rem_u ${g('r')} ${g('H')}))
    (local.set $r (i32.div_u ${g('r')} ${g('H')}))
    (local.set $d (i32.rem_u ${g('r')} ${g('D')}))
    (local.set $img (i32.div_u ${g('r')} ${g('D')}))
    ;; column rows of this image start at x + img·K·L floats
    (local.set $base (i32.add ${g('x')} (i32.shl (i32.mul (i32.mul ${g('img')} ${g('K')}) ${g('L')}) (i32.const 2))))
    (local.set $s (f32.const 0))
    (local.set $kd (i32.const 0))
    (block $dx (loop $dl
      (br_if $dx (i32.ge_u ${g('kd')} ${g('KD')}))
      (block $skipd
        ${axis('d', 'd', 'PF', 'SD', 'DD', 'BD', 'kd')}
        (local.set $kh (i32.const 0))
        (block $hx (loop $hl
          (br_if $hx (i32.ge_u ${g('kh')} ${g('KH')}))
          (block $skiph
            ${axis('h', 'h', 'PT', 'SH', 'DH', 'BH', 'kh')}
            (local.set $kw (i32.const 0))
            (block $wx (loop $wl
              (br_if $wx (i32.ge_u ${g('kw')} ${g('KW')}))
              (block $skipw
                ${axis('w', 'w', 'PL', 'SW', 'DW', 'BW', 'kw')}
                ;; t = (kd·KH + kh)·KW + kw, b = (bd·BH + bh)·BW + bw
                (local.set $s (f32.add ${g('s')} (f32.load (i32.add ${g('base')} (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul ${g('kd')} ${g('KH')}) ${g('kh')}) ${g('KW')}) ${g('kw')}) ${g('L')})
                    (i32.add (i32.mul (i32.add (i32.mul ${g('bd')} ${g('BH')}) ${g('bh')}) ${g('BW')}) ${g('bw')}))
                  (i32.const 2)))))))
              (local.set $kw (i32.add ${g('kw')} (i32.const 1)))
              (br $wl))))
          (local.set $kh (i32.add ${g('kh')} (i32.const 1)))
          (br $hl))))
      (local.set $kd (i32.add ${g('kd')} (i32.const 1)))
      (br $dl)))
    (f32.store (i32.add ${g('y')} (i32.shl ${g('e')} (i32.const 2))) ${g('s')})
    (local.set $e (i32.add ${g('e')} (i32.const 1)))
    (br $next))))`;

function emit(v: WatVariant): string {
  return `(module\n  ${memoryImport(v)}\n  ${COL2IM}\n)`;
}

export const col2imFamily: WatFamily = { name: 'col2im', usesRelaxed: false, emit };
