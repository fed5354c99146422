/**
 * The `nms` family: greedy non-maximum suppression over one class of boxes, with soft-NMS.
 *
 *   nms_f32(boxes, scores, n, maxOut, iouThr f64, scoreThr f64, softScale f32, flags,
 *           selIdx, selScores, count, scratch):
 *     boxes [n, 4] float32: corners (y1, x1, y2, x2) in any order, or with flags bit 1
 *     (x_center, y_center, width, height); scores [n].
 *     Candidates are the boxes scoring above scoreThr. Repeatedly the best candidate (highest
 *     current score, the lower index on ties) is taken; it is compared with the boxes selected since
 *     it was last looked at, newest first: an IoU at or above iouThr (above it only, with flags
 *     bit 0, ONNX's rule) drops it, and each IoU ≤ iouThr scales its score by
 *     exp(softScale·IoU²) (softScale = −0.5/σ; 0 gives plain NMS). A candidate whose score did not
 *     change is selected (selIdx[k], selScores[k]); one whose score fell but stays above scoreThr
 *     goes back among the candidates, and one at or below it is dropped. Stops after maxOut
 *     selections; count[0] = the number selected.
 *     IoU in float64: intersection / (area_a + area_b − intersection), 0 when either area is ≤ 0.
 *     scratch: 3·n words (current score, first selection not yet compared, alive flag).
 * Thresholds compare in float64 (as TensorFlow.js compares float32 scores with JS numbers).
 * O(maxOut·n) for the candidate scans plus O(maxOut²) IoUs; sequential.
 */
import { MATH_LOCALS, expF32x4, type MathVariant } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** The (lo, hi) extent of box `b` along one axis: corners c0/c2, or center ± half size. */
function extents(b: string, axis: 0 | 1, tag: string): string {
  const c = (k: number) => `(f64.promote_f32 (f32.load offset=${4 * k} (local.get ${b})))`;
  return `(if (local.get $center)
    (then
      (local.set $lo${tag} (f64.sub ${c(axis)} (f64.mul ${c(axis + 2)} (f64.const 0.5))))
      (local.set $hi${tag} (f64.add ${c(axis)} (f64.mul ${c(axis + 2)} (f64.const 0.5)))))
    (else
      (local.set $lo${tag} (f64.min ${c(axis)} ${c(axis + 2)}))
      (local.set $hi${tag} (f64.max ${c(axis)} ${c(axis + 2)}))))`;
}

const IOU = `(func $iou (param $a i32) (param $b i32) (param $center i32) (result f64)
  (local $loA f64) (local $hiA f64) (local $loB f64) (local $hiB f64) (local $loC f64) (local $hiC f64) (local $loD f64) (local $hiD f64)
  (local $areaA f64) (local $areaB f64) (local $inter f64)
  ${extents('$a', 0, 'A')}
  ${extents('$a', 1, 'C')}
  ${extents('$b', 0, 'B')}
  ${extents('$b', 1, 'D')}
  (local.set $areaA (f64.mul (f64.sub (local.get $hiA) (local.get $loA)) (f64.sub (local.get $hiC) (local.get $loC))))
  (local.set $areaB (f64.mul (f64.sub (local.get $hiB) (local.get $loB)) (f64.sub (local.get $hiD) (local.get $loD))))
  (if (i32.or (f64.le (local.get $areaA) (f64.const 0)) (f64.le (local.get $areaB) (f64.const 0))) (then (return (f64.const 0))))
  (local.set $inter (f64.mul
    (f64.max (f64.const 0) (f64.sub (f64.min (local.get $hiA) (local.get $hiB)) (f64.max (local.get $loA) (local.get $loB))))
    (f64.max (f64.const 0) (f64.sub (f64.min (local.get $hiC) (local.get $hiD)) (f64.max (local.get $loC) (local.get $loD))))))
  (f64.div (local.get $inter) (f64.sub (f64.add (local.get $areaA) (local.get $areaB)) (local.get $inter))))`;

function nms(v: MathVariant): string {
  const at = (base: string, i: string) => `(i32.add (local.get ${base}) (i32.shl ${i} (i32.const 2)))`;
  return `(func (export "nms_f32") (param $boxes i32) (param $scores i32) (param $n i32) (param $maxOut i32)
  (param $iouThr f64) (param $scoreThr f64) (param $softScale f32) (param $flags i32)
  (param $selIdx i32) (param $selScores i32) (param $count i32) (param $scratch i32)
  (local $cs i32) (local $cb i32) (local $alive i32) (local $i i32) (local $j i32) (local $best i32) (local $bestScore f32)
  (local $sel i32) (local $orig f32) (local $cur f32) (local $iou f64) (local $ignore i32) (local $center i32) (local $w v128)
  ${MATH_LOCALS}
  (local.set $center (i32.and (i32.shr_u (local.get $flags) (i32.const 1)) (i32.const 1)))
  (local.set $cs (local.get $scratch))
  (local.set $cb (i32.add (local.get $scratch) (i32.shl (local.get $n) (i32.const 2))))
  (local.set $alive (i32.add (local.get $scratch) (i32.shl (local.get $n) (i32.const 3))))
  (block $ix (loop $il
    (br_if $ix (i32.ge_u (local.get $i) (local.get $n)))
    (f32.store ${at('$cs', '(local.get $i)')} (f32.load ${at('$scores', '(local.get $i)')}))
    (i32.store ${at('$cb', '(local.get $i)')} (i32.const 0))
    (i32.store ${at('$alive', '(local.get $i)')} (f64.gt (f64.promote_f32 (f32.load ${at('$scores', '(local.get $i)')})) (local.get $scoreThr)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $il)))
  (block $done (loop $step
    (br_if $done (i32.ge_u (local.get $sel) (local.get $maxOut)))
    ;; the best live candidate: highest score, lowest index on ties
    (local.set $best (i32.const -1))
    (local.set $i (i32.const 0))
    (block $fx (loop $fl
      (br_if $fx (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.load ${at('$alive', '(local.get $i)')}) (then
        (local.set $cur (f32.load ${at('$cs', '(local.get $i)')}))
        (if (i32.or (i32.lt_s (local.get $best) (i32.const 0)) (f32.gt (local.get $cur) (local.get $bestScore))) (then
          (local.set $best (local.get $i))
          (local.set $bestScore (local.get $cur))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $fl)))
    (br_if $done (i32.lt_s (local.get $best) (i32.const 0)))
    (i32.store ${at('$alive', '(local.get $best)')} (i32.const 0))
    (local.set $orig (local.get $bestScore))
    (local.set $cur (local.get $bestScore))
    (local.set $ignore (i32.const 0))
    ;; compare with the selections made since it was last looked at, newest first
    (local.set $j (local.get $sel))
    (block $jx (loop $jl
      (br_if $jx (i32.le_s (local.get $j) (i32.load ${at('$cb', '(local.get $best)')})))
      (local.set $j (i32.sub (local.get $j) (i32.const 1)))
      (local.set $iou (call $iou
        (i32.add (local.get $boxes) (i32.shl (local.get $best) (i32.const 4)))
        (i32.add (local.get $boxes) (i32.shl (i32.load ${at('$selIdx', '(local.get $j)')}) (i32.const 4)))
        (local.get $center)))
      (if (if (result i32) (i32.and (local.get $flags) (i32.const 1))
            (then (f64.gt (local.get $iou) (local.get $iouThr)))
            (else (f64.ge (local.get $iou) (local.get $iouThr))))
        (then (local.set $ignore (i32.const 1)) (br $jx)))
      (if (f32.ne (local.get $softScale) (f32.const 0)) (then
        (local.set $w (f32x4.splat (f32.mul (local.get $softScale) (f32.demote_f64 (f64.mul (local.get $iou) (local.get $iou))))))
        (local.set $cur (f32.mul (local.get $cur) (f32x4.extract_lane 0 ${expF32x4(v, '(local.get $w)')})))))
      (br_if $jx (f64.le (f64.promote_f32 (local.get $cur)) (local.get $scoreThr)))
      (br $jl)))
    (i32.store ${at('$cb', '(local.get $best)')} (local.get $sel))
    (if (i32.eqz (local.get $ignore)) (then
      (if (f32.eq (local.get $cur) (local.get $orig))
        (then
          (i32.store ${at('$selIdx', '(local.get $sel)')} (local.get $best))
          (f32.store ${at('$selScores', '(local.get $sel)')} (local.get $cur))
          (local.set $sel (i32.add (local.get $sel) (i32.const 1))))
        (else (if (f64.gt (f64.promote_f32 (local.get $cur)) (local.get $scoreThr)) (then
          (f32.store ${at('$cs', '(local.get $best)')} (local.get $cur))
          (i32.store ${at('$alive', '(local.get $best)')} (i32.const 1))))))))
    (br $step)))
  (i32.store (local.get $count) (local.get $sel)))`;
}

export const nmsFamily: WatFamily = {
  name: 'nms',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${IOU}\n${nms(v)}\n)`;
  },
};
