/**
 * The `roi-align` family: RoiAlign (ONNX, onnxruntime's sampling), float32, NCHW.
 *
 * `roi_align_{avg,max}(x, rois, bidx, y, prm, scale f32, start, end)`: output points r = (roi, ph, pw)
 *   in [start, end) of [R, OH, OW]; each walks its bin's sample grid (gh × gw points at the centres of
 *   a regular subdivision) and, per channel, accumulates into y[roi, c, ph, pw]. A sample's bilinear
 *   weights and 4 taps follow onnxruntime: a sample outside [-1, H] × [-1, W] gets weights 0 at tap 0
 *   (it still counts); one below 0 moves to 0; one at or past the last row/column uses that row/column
 *   twice. avg: Σ over samples of w1·v1 + … + w4·v4, divided by max(gh·gw, 1). max: the largest
 *   weighted corner value max(wk·vk) over all samples (onnxruntime's definition). prm: i32 C, H, W, OH, OW,
 *   sampling_ratio, half_pixel; bidx: int32 batch index per roi (checked by the launcher).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;

function fn(mode: 'avg' | 'max'): string {
  const P = ['C', 'H', 'W', 'OH', 'OW', 'SR', 'HP'];
  const tap = (o: string, w: string) => `(f32.mul ${g(w)} (f32.load (i32.add ${g('xb')} (i32.shl ${o} (i32.const 2)))))`;
  const combine =
    mode === 'avg'
      ? `(f32.add (f32.load ${g('yp')}) (f32.add (f32.add ${tap(g('o1'), 'w1')} ${tap(g('o2'), 'w2')}) (f32.add ${tap(g('o3'), 'w3')} ${tap(g('o4'), 'w4')})))`
      : `(select
          (local.tee $t (f32.max (f32.max ${tap(g('o1'), 'w1')} ${tap(g('o2'), 'w2')}) (f32.max ${tap(g('o3'), 'w3')} ${tap(g('o4'), 'w4')})))
          (f32.max (f32.load ${g('yp')}) ${g('t')})
          (i32.eqz ${g('seen')}))`;
  return `(func (export "roi_align_${mode}") (param $x i32) (param $rois i32) (param $bidx i32) (param $y i32) (param $prm i32) (param $scale f32) (param $start i32) (param $end i32)
  ${P.map((n) => `(local $${n} i32)`).join(' ')}
  (local $r i32) (local $roi i32) (local $ph i32) (local $pw i32) (local $c i32) (local $iy i32) (local $ix i32) (local $gh i32) (local $gw i32) (local $seen i32)
  (local $x0 f32) (local $y0 f32) (local $rw f32) (local $rh f32) (local $bw f32) (local $bh f32) (local $off f32) (local $yy f32) (local $xx f32) (local $t f32)
  (local $yl i32) (local $xl i32) (local $yh i32) (local $xh i32) (local $ly f32) (local $lx f32)
  (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $w1 f32) (local $w2 f32) (local $w3 f32) (local $w4 f32)
  (local $xb i32) (local $yp i32) (local $HW i32) (local $OHW i32) (local $cnt f32) (local $rp i32)
  ${P.map((n, k) => `(local.set $${n} (i32.load offset=${k * 4} ${g('prm')}))`).join('\n  ')}
  (local.set $HW (i32.mul ${g('H')} ${g('W')}))
  (local.set $OHW (i32.mul ${g('OH')} ${g('OW')}))
  (local.set $off (select (f32.const 0.5) (f32.const 0) ${g('HP')}))
  (local.set $r ${g('start')})
  (block $done (loop $next
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    (local.set $pw (i32.rem_u ${g('r')} ${g('OW')}))
    (local.set $ph (i32.rem_u (i32.div_u ${g('r')} ${g('OW')}) ${g('OH')}))
    (local.set $roi (i32.div_u ${g('r')} ${g('OHW')}))
    (local.set $rp (i32.add ${g('rois')} (i32.shl ${g('roi')} (i32.const 4))))
    (local.set $x0 (f32.sub (f32.mul (f32.load ${g('rp')}) ${g('scale')}) ${g('off')}))
    (local.set $y0 (f32.sub (f32.mul (f32.load offset=4 ${g('rp')}) ${g('scale')}) ${g('off')}))
    (local.set $rw (f32.sub (f32.sub (f32.mul (f32.load offset=8 ${g('rp')}) ${g('scale')}) ${g('off')}) ${g('x0')}))
    (local.set $rh (f32.sub (f32.sub (f32.mul (f32.load offset=12 ${g('rp')}) ${g('scale')}) ${g('off')}) ${g('y0')}))
    ;; output_half_pixel (legacy): rois at least 1×1
    (if (i32.eqz ${g('HP')}) (then (local.set $rw (f32.max ${g('rw')} (f32.const 1))) (local.set $rh (f32.max ${g('rh')} (f32.const 1)))))
    (local.set $bw (f32.div ${g('rw')} (f32.convert_i32_u ${g('OW')})))
    (local.set $bh (f32.div ${g('rh')} (f32.convert_i32_u ${g('OH')})))
    (local.set $gh (if (result i32) (i32.gt_s ${g('SR')} (i32.const 0)) (then ${g('SR')}) (else (i32.trunc_sat_f32_s (f32.ceil (f32.div ${g('rh')} (f32.convert_i32_u ${g('OH')})))))))
    (local.set $gw (if (result i32) (i32.gt_s ${g('SR')} (i32.const 0)) (then ${g('SR')}) (else (i32.trunc_sat_f32_s (f32.ceil (f32.div ${g('rw')} (f32.convert_i32_u ${g('OW')})))))))
    (local.set $cnt (f32.convert_i32_s (select (i32.mul ${g('gh')} ${g('gw')}) (i32.const 1) (i32.gt_s (i32.mul ${g('gh')} ${g('gw')}) (i32.const 1)))))
    (local.set $xb (i32.add ${g('x')} (i32.shl (i32.mul (i32.mul (i32.load (i32.add ${g('bidx')} (i32.shl ${g('roi')} (i32.const 2)))) ${g('C')}) ${g('HW')}) (i32.const 2))))
    ;; y[roi, c, ph, pw] = 0 for every channel
    (local.set $c (i32.const 0))
    (block $zx (loop $zl
      (br_if $zx (i32.ge_u ${g('c')} ${g('C')}))
      (f32.store (i32.add ${g('y')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${g('roi')} ${g('C')}) ${g('c')}) ${g('OHW')}) (i32.add (i32.mul ${g('ph')} ${g('OW')}) ${g('pw')})) (i32.const 2))) (f32.const 0))
      (local.set $c (i32.add ${g('c')} (i32.const 1)))
      (br $zl)))
    (local.set $seen (i32.const 0))
    (local.set $iy (i32.const 0))
    (block $yx (loop $yl2
      (br_if $yx (i32.ge_s ${g('iy')} ${g('gh')}))
      (local.set $yy (f32.add (f32.add ${g('y0')} (f32.mul (f32.convert_i32_u ${g('ph')}) ${g('bh')}))
        (f32.div (f32.mul (f32.add (f32.convert_i32_s ${g('iy')}) (f32.const 0.5)) ${g('bh')}) (f32.convert_i32_s ${g('gh')}))))
      (local.set $ix (i32.const 0))
      (block $xx2 (loop $xl2
        (br_if $xx2 (i32.ge_s ${g('ix')} ${g('gw')}))
        (local.set $xx (f32.add (f32.add ${g('x0')} (f32.mul (f32.convert_i32_u ${g('pw')}) ${g('bw')}))
          (f32.div (f32.mul (f32.add (f32.convert_i32_s ${g('ix')}) (f32.const 0.5)) ${g('bw')}) (f32.convert_i32_s ${g('gw')}))))
        ;; outside [-1, H] × [-1, W]: weights 0 at tap 0 (the sample still counts, adding 0·x[0], as onnxruntime)
        (if (i32.or (i32.or (f32.lt ${g('yy')} (f32.const -1)) (f32.gt ${g('yy')} (f32.convert_i32_u ${g('H')})))
            (i32.or (f32.lt ${g('xx')} (f32.const -1)) (f32.gt ${g('xx')} (f32.convert_i32_u ${g('W')}))))
          (then
            (local.set $w1 (f32.const 0)) (local.set $w2 (f32.const 0)) (local.set $w3 (f32.const 0)) (local.set $w4 (f32.const 0))
            (local.set $o1 (i32.const 0)) (local.set $o2 (i32.const 0)) (local.set $o3 (i32.const 0)) (local.set $o4 (i32.const 0)))
          (else
          (local.set $yy (f32.max ${g('yy')} (f32.const 0)))
          (local.set $xx (f32.max ${g('xx')} (f32.const 0)))
          (local.set $yl (i32.trunc_sat_f32_s ${g('yy')}))
          (local.set $xl (i32.trunc_sat_f32_s ${g('xx')}))
          (if (i32.ge_s ${g('yl')} (i32.sub ${g('H')} (i32.const 1)))
            (then (local.set $yl (i32.sub ${g('H')} (i32.const 1))) (local.set $yh ${g('yl')}) (local.set $yy (f32.convert_i32_s ${g('yl')})))
            (else (local.set $yh (i32.add ${g('yl')} (i32.const 1)))))
          (if (i32.ge_s ${g('xl')} (i32.sub ${g('W')} (i32.const 1)))
            (then (local.set $xl (i32.sub ${g('W')} (i32.const 1))) (local.set $xh ${g('xl')}) (local.set $xx (f32.convert_i32_s ${g('xl')})))
            (else (local.set $xh (i32.add ${g('xl')} (i32.const 1)))))
          (local.set $ly (f32.sub ${g('yy')} (f32.convert_i32_s ${g('yl')})))
          (local.set $lx (f32.sub ${g('xx')} (f32.convert_i32_s ${g('xl')})))
          (local.set $w1 (f32.mul (f32.sub (f32.const 1) ${g('ly')}) (f32.sub (f32.const 1) ${g('lx')})))
          (local.set $w2 (f32.mul (f32.sub (f32.const 1) ${g('ly')}) ${g('lx')}))
          (local.set $w3 (f32.mul ${g('ly')} (f32.sub (f32.const 1) ${g('lx')})))
          (local.set $w4 (f32.mul ${g('ly')} ${g('lx')}))
          (local.set $o1 (i32.add (i32.mul ${g('yl')} ${g('W')}) ${g('xl')}))
          (local.set $o2 (i32.add (i32.mul ${g('yl')} ${g('W')}) ${g('xh')}))
          (local.set $o3 (i32.add (i32.mul ${g('yh')} ${g('W')}) ${g('xl')}))
          (local.set $o4 (i32.add (i32.mul ${g('yh')} ${g('W')}) ${g('xh')}))))
          (local.set $c (i32.const 0))
          (block $cx (loop $cl
            (br_if $cx (i32.ge_u ${g('c')} ${g('C')}))
            (local.set $yp (i32.add ${g('y')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${g('roi')} ${g('C')}) ${g('c')}) ${g('OHW')}) (i32.add (i32.mul ${g('ph')} ${g('OW')}) ${g('pw')})) (i32.const 2))))
            (f32.store ${g('yp')} ${combine})
            (local.set $xb (i32.add ${g('xb')} (i32.shl ${g('HW')} (i32.const 2))))
            (local.set $c (i32.add ${g('c')} (i32.const 1)))
            (br $cl)))
          (local.set $xb (i32.sub ${g('xb')} (i32.shl (i32.mul ${g('HW')} ${g('C')}) (i32.const 2))))
          (local.set $seen (i32.const 1))
        (local.set $ix (i32.add ${g('ix')} (i32.const 1)))
        (br $xl2)))
      (local.set $iy (i32.add ${g('iy')} (i32.const 1)))
      (br $yl2)))
    ${
      mode === 'avg'
        ? `(local.set $c (i32.const 0))
    (block $dx (loop $dl
      (br_if $dx (i32.ge_u ${g('c')} ${g('C')}))
      (local.set $yp (i32.add ${g('y')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${g('roi')} ${g('C')}) ${g('c')}) ${g('OHW')}) (i32.add (i32.mul ${g('ph')} ${g('OW')}) ${g('pw')})) (i32.const 2))))
      (f32.store ${g('yp')} (f32.div (f32.load ${g('yp')}) ${g('cnt')}))
      (local.set $c (i32.add ${g('c')} (i32.const 1)))
      (br $dl)))`
        : ''
    }
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (br $next))))`;
}

function emit(v: WatVariant): string {
  return `(module\n  ${memoryImport(v)}\n  ${fn('avg')}\n  ${fn('max')}\n)`;
}

export const roiAlignFamily: WatFamily = { name: 'roi-align', usesRelaxed: false, emit };
