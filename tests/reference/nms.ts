/** Greedy (soft-)NMS by its definition, in float64, as TensorFlow describes it. */
function iou(b: ArrayLike<number>, i: number, j: number, center: boolean): number {
  const ext = (k: number, axis: number) => {
    const a = b[4 * k + axis]!;
    const c = b[4 * k + axis + 2]!;
    return center ? [a - c / 2, a + c / 2] : [Math.min(a, c), Math.max(a, c)];
  };
  const [ay0, ay1] = ext(i, 0);
  const [ax0, ax1] = ext(i, 1);
  const [by0, by1] = ext(j, 0);
  const [bx0, bx1] = ext(j, 1);
  const areaA = (ay1! - ay0!) * (ax1! - ax0!);
  const areaB = (by1! - by0!) * (bx1! - bx0!);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(0, Math.min(ay1!, by1!) - Math.max(ay0!, by0!)) * Math.max(0, Math.min(ax1!, bx1!) - Math.max(ax0!, bx0!));
  return inter / (areaA + areaB - inter);
}

export function nmsRef(boxes: ArrayLike<number>, scores: ArrayLike<number>, maxOut: number, iouThr: number, scoreThr: number, sigma: number, strict = false, center = false) {
  const cands = Array.from(scores, (s, i) => ({ i, s, begin: 0 })).filter((c) => c.s > scoreThr);
  const sel: number[] = [];
  const selScores: number[] = [];
  while (sel.length < maxOut && cands.length) {
    let bi = 0;
    for (let k = 1; k < cands.length; k++) if (cands[k]!.s > cands[bi]!.s || (cands[k]!.s === cands[bi]!.s && cands[k]!.i < cands[bi]!.i)) bi = k;
    const c = cands.splice(bi, 1)[0]!;
    const orig = c.s;
    let ignore = false;
    for (let j = sel.length - 1; j >= c.begin; j--) {
      const v = iou(boxes, c.i, sel[j]!, center);
      if (strict ? v > iouThr : v >= iouThr) {
        ignore = true;
        break;
      }
      if (sigma > 0) c.s = Math.fround(c.s * Math.exp((-0.5 / sigma) * v * v));
      if (c.s <= scoreThr) break;
    }
    c.begin = sel.length;
    if (ignore) continue;
    if (c.s === orig) {
      sel.push(c.i);
      selScores.push(c.s);
    } else if (c.s > scoreThr) cands.push(c);
  }
  return { sel, selScores };
}
