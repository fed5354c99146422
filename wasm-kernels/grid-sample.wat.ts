/**
 * The `grid-sample` family: GridSample (ONNX) in two passes over float32.
 *
 * `taps_{2,3}d_{nearest,linear,cubic}(grid, taps, W, H, D, align, pad, start, end)`: output points
 *   [start, end) of the flattened N·outSpatial points. Each point reads its normalised coordinates
 *   (x, y[, z]) from grid, maps each to input pixels (align_corners or not), applies the padding rule
 *   (0 zeros, 1 border, 2 reflection) and writes its T taps (T = 1, 2^dims or 4^dims) as (i32 offset
 *   into one input image, f32 weight) pairs; a tap outside a zero-padded image gets offset -1.
 * `apply(x, taps, y, T, P, C, HWin, start, end)`: images r = (n, c) in [start, end) of the output
 *   (P points each), using the taps of batch entry n = r / C: y[r][p] = Σ_t w_t · X[r][off_t], where
 *   an offset of -1 reads 0 (so the tap adds w·0 and a NaN weight still gives NaN). The taps of 4
 *   consecutive points go as one v128 each (offsets, weights) with lane loads for the gather.
 *
 * `affine_grid_{2,3}d(theta, y, W, H, D, align, start, end)`: AffineGrid rows r = (n, d, h) in [start,
 *   end): the base coordinate of pixel i along an axis of length L is -1 + 2i/(L - 1) with align_corners
 *   (-1 when L = 1, as torch.linspace), (2i + 1)/L - 1 without, in float32; each point is theta[n] (2×3
 *   or 3×4, row-major) times (x, y[, z], 1), a scalar multiply-add per term.
 *
 * Per dimension (ONNX reference): u = ((g + 1)/2)(L - 1) with align_corners, ((g + 1)L - 1)/2
 * without; nearest rounds u half to even (f32.nearest, nearbyint: what the ONNX node tests' data and
 * onnxruntime do in 2-D and 3-D alike); a u outside [lo, hi] (lo, hi =
 * 0, L - 1 with align_corners, -0.5, L - 0.5 without) is clamped to [0, L - 1] (border) or reflected
 * into [lo, hi] (reflection). linear taps floor(u), floor(u) + 1 with weights 1 - t, t (t = u -
 * floor(u)); cubic taps floor(u) - 1 .. floor(u) + 2 with the cubic convolution weights for a =
 * -0.75. A tap index out of [0, L) reads 0 (zeros), the edge (border) or its reflection (reflection).
 * A NaN coordinate gives NaN; an infinite one clamps with border and gives NaN otherwise.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export type GridMode = 'nearest' | 'linear' | 'cubic';
export const TAPS: Record<GridMode, number> = { nearest: 1, linear: 2, cubic: 4 };

const g = (n: string) => `(local.get $${n})`;
const f = (x: number) => `(f32.const ${x})`;
const AXES = ['x', 'y', 'z'];
const SIZE: Record<string, string> = { x: 'W', y: 'H', z: 'D' };

/** Reflect f32 local $u into [lo, hi] (ONNX _gs_reflect); an empty range maps to lo. */
function reflect(a: string): string {
  const u = `$u${a}`;
  return `(local.set $rng (f32.sub ${g(`hi${a}`)} ${g(`lo${a}`)}))
    ;; an empty range (one pixel, align_corners) reflects everything onto its one point
    (if (i32.and (f32.le ${g('rng')} (f32.const 0)) (i32.or (f32.lt ${g(u.slice(1))} ${g(`lo${a}`)}) (f32.gt ${g(u.slice(1))} ${g(`hi${a}`)})))
      (then (local.set ${u} ${g(`lo${a}`)})))
    (if (f32.lt ${g(u.slice(1))} ${g(`lo${a}`)}) (then
      (local.set $dx (f32.sub ${g(`lo${a}`)} ${g(u.slice(1))}))
      (local.set $nr (f32.trunc (f32.div ${g('dx')} ${g('rng')})))
      (local.set $dx (f32.sub ${g('dx')} (f32.mul ${g('nr')} ${g('rng')})))
      (local.set ${u} (select (f32.add ${g(`lo${a}`)} ${g('dx')}) (f32.sub ${g(`hi${a}`)} ${g('dx')})
        (f32.eq (f32.sub ${g('nr')} (f32.mul (f32.const 2) (f32.floor (f32.mul ${g('nr')} (f32.const 0.5))))) (f32.const 0))))))
    (if (f32.gt ${g(u.slice(1))} ${g(`hi${a}`)}) (then
      (local.set $dx (f32.sub ${g(u.slice(1))} ${g(`hi${a}`)}))
      (local.set $nr (f32.trunc (f32.div ${g('dx')} ${g('rng')})))
      (local.set $dx (f32.sub ${g('dx')} (f32.mul ${g('nr')} ${g('rng')})))
      (local.set ${u} (select (f32.sub ${g(`hi${a}`)} ${g('dx')}) (f32.add ${g(`lo${a}`)} ${g('dx')})
        (f32.eq (f32.sub ${g('nr')} (f32.mul (f32.const 2) (f32.floor (f32.mul ${g('nr')} (f32.const 0.5))))) (f32.const 0))))))`;
}

/** Resolve tap index local $i{a}{k} (i32) against the padding: -1 (zeros, outside), clamped (border), reflected (reflection). */
function resolveTap(a: string, k: number): string {
  const i = `i${a}${k}`;
  const L = SIZE[a]!;
  return `(if (i32.or (i32.lt_s ${g(i)} (i32.const 0)) (i32.ge_s ${g(i)} ${g(L)})) (then
      (if (i32.eqz ${g('pad')}) (then (local.set $${i} (i32.const -1)))
      (else (if (i32.eq ${g('pad')} (i32.const 1))
        (then (local.set $${i} (select (i32.const 0) (i32.sub ${g(L)} (i32.const 1)) (i32.lt_s ${g(i)} (i32.const 0)))))
        (else
          (local.set $u${a} (f32.convert_i32_s ${g(i)}))
          ${reflect(a)}
          (local.set $${i} (i32.trunc_sat_f32_s ${g(`u${a}`)}))
          ;; rounding can land a reflected index on the far edge: keep it inside
          (if (i32.lt_s ${g(i)} (i32.const 0)) (then (local.set $${i} (i32.const 0))))
          (if (i32.ge_s ${g(i)} ${g(L)}) (then (local.set $${i} (i32.sub ${g(L)} (i32.const 1)))))))))))`;
}

/** Per-axis code: from the grid value at byte offset `off` to taps $i{a}{k} / $w{a}{k}. */
function axisTaps(a: string, off: number, mode: GridMode): string {
  const L = SIZE[a]!;
  const Lf = `(f32.convert_i32_s ${g(L)})`;
  const lines: string[] = [];
  lines.push(`(local.set $u${a} (f32.load offset=${off} ${g('gp')}))`);
  lines.push(`(local.set $u${a} (if (result f32) ${g('align')}
      (then (f32.mul (f32.mul (f32.add ${g(`u${a}`)} ${f(1)}) ${f(0.5)}) (f32.sub ${Lf} ${f(1)})))
      (else (f32.mul (f32.sub (f32.mul (f32.add ${g(`u${a}`)} ${f(1)}) ${Lf}) ${f(1)}) ${f(0.5)}))))`);
  if (mode === 'nearest') lines.push(`(local.set $u${a} (f32.nearest ${g(`u${a}`)}))`);
  lines.push(`(local.set $lo${a} (select ${f(0)} ${f(-0.5)} ${g('align')}))`);
  lines.push(`(local.set $hi${a} (select (f32.sub ${Lf} ${f(1)}) (f32.sub ${Lf} ${f(0.5)}) ${g('align')}))`);
  // non-finite coordinates: NaN unless border (which clamps them)
  lines.push(`(if (i32.and (i32.ne ${g('pad')} (i32.const 1)) (i32.eqz (f32.lt (f32.abs ${g(`u${a}`)}) (f32.const inf)))) (then (local.set $u${a} (f32.const nan))))`);
  lines.push(`(if (i32.or (f32.lt ${g(`u${a}`)} ${g(`lo${a}`)}) (f32.gt ${g(`u${a}`)} ${g(`hi${a}`)})) (then
      (if (i32.eq ${g('pad')} (i32.const 1))
        (then (local.set $u${a} (f32.min (f32.max ${g(`u${a}`)} ${f(0)}) (f32.sub ${Lf} ${f(1)}))))
        (else (if (i32.eq ${g('pad')} (i32.const 2)) (then ${reflect(a)}))))))`);
  if (mode === 'nearest') {
    lines.push(`(local.set $i${a}0 (i32.trunc_sat_f32_s ${g(`u${a}`)}))`);
    lines.push(`(local.set $w${a}0 (select (f32.const nan) ${f(1)} (f32.ne ${g(`u${a}`)} ${g(`u${a}`)})))`);
  } else {
    lines.push(`(local.set $fl (f32.floor ${g(`u${a}`)}))`);
    lines.push(`(local.set $t (f32.sub ${g(`u${a}`)} ${g('fl')}))`);
    const base = `(i32.trunc_sat_f32_s ${g('fl')})`;
    if (mode === 'linear') {
      lines.push(`(local.set $i${a}0 ${base})`, `(local.set $i${a}1 (i32.add ${g(`i${a}0`)} (i32.const 1)))`);
      lines.push(`(local.set $w${a}0 (f32.sub ${f(1)} ${g('t')}))`, `(local.set $w${a}1 ${g('t')})`);
    } else {
      // cubic convolution, a = -0.75: distances 1 + t, t, 1 - t, 2 - t
      const A = -0.75;
      const near = (d: string) => `(f32.add (f32.mul (f32.mul (f32.sub (f32.mul ${f(A + 2)} ${d}) ${f(A + 3)}) ${d}) ${d}) ${f(1)})`;
      const far = (d: string) => `(f32.sub (f32.mul (f32.add (f32.mul (f32.sub (f32.mul ${f(A)} ${d}) ${f(5 * A)}) ${d}) ${f(8 * A)}) ${d}) ${f(4 * A)})`;
      lines.push(`(local.set $i${a}0 (i32.sub ${base} (i32.const 1)))`);
      for (let k = 1; k < 4; k++) lines.push(`(local.set $i${a}${k} (i32.add ${g(`i${a}0`)} (i32.const ${k})))`);
      lines.push(`(local.set $w${a}0 ${far(`(f32.add ${f(1)} ${g('t')})`)})`);
      lines.push(`(local.set $w${a}1 ${near(g('t'))})`);
      lines.push(`(local.set $w${a}2 ${near(`(f32.sub ${f(1)} ${g('t')})`)})`);
      lines.push(`(local.set $w${a}3 ${far(`(f32.sub ${f(2)} ${g('t')})`)})`);
    }
  }
  for (let k = 0; k < TAPS[mode]; k++) lines.push(resolveTap(a, k));
  return lines.join('\n    ');
}

function tapsFn(dims: 2 | 3, mode: GridMode): string {
  const T1 = TAPS[mode];
  const axes = AXES.slice(0, dims);
  const locals: string[] = ['(local $p i32) (local $gp i32) (local $tp i32) (local $rng f32) (local $dx f32) (local $nr f32) (local $fl f32) (local $t f32) (local $o i32) (local $w f32)'];
  for (const a of axes) {
    locals.push(`(local $u${a} f32) (local $lo${a} f32) (local $hi${a} f32)`);
    for (let k = 0; k < T1; k++) locals.push(`(local $i${a}${k} i32) (local $w${a}${k} f32)`);
  }
  // taps in row-major order over (z, y, x): offset = (iz·H + iy)·W + ix, weight = wz·wy·wx
  const stores: string[] = [];
  let n = 0;
  const ks = (d: number): number[][] => (d === 0 ? [[]] : ks(d - 1).flatMap((r) => Array.from({ length: T1 }, (_, k) => [...r, k])));
  for (const combo of ks(dims)) {
    // combo is [k_outer .. k_x]: outermost axis first
    const byAxis = [...axes].reverse().map((a, j) => [a, combo[j]!] as const);
    const valid = byAxis.map(([a, k]) => `(i32.ge_s ${g(`i${a}${k}`)} (i32.const 0))`).reduce((p, c) => `(i32.and ${p} ${c})`);
    let off = g(`i${byAxis[0]![0]}${byAxis[0]![1]}`);
    for (let j = 1; j < byAxis.length; j++) {
      const [a, k] = byAxis[j]!;
      off = `(i32.add (i32.mul ${off} ${g(SIZE[a]!)}) ${g(`i${a}${k}`)})`;
    }
    const w = byAxis.map(([a, k]) => g(`w${a}${k}`)).reduce((p, c) => `(f32.mul ${p} ${c})`);
    stores.push(`(i32.store offset=${n * 8} ${g('tp')} (select ${off} (i32.const -1) ${valid}))
    (f32.store offset=${n * 8 + 4} ${g('tp')} ${w})`);
    n++;
  }
  const T = n;
  return `(func (export "taps_${dims}d_${mode}") (param $grid i32) (param $taps i32) (param $W i32) (param $H i32) (param $D i32) (param $align i32) (param $pad i32) (param $start i32) (param $end i32)
  ${locals.join(' ')}
  (local.set $p ${g('start')})
  (block $done (loop $next
    (br_if $done (i32.ge_u ${g('p')} ${g('end')}))
    (local.set $gp (i32.add ${g('grid')} (i32.mul ${g('p')} (i32.const ${dims * 4}))))
    (local.set $tp (i32.add ${g('taps')} (i32.mul ${g('p')} (i32.const ${T * 8}))))
    ${axes.map((a, d) => axisTaps(a, d * 4, mode)).join('\n    ')}
    ${stores.join('\n    ')}
    (local.set $p (i32.add ${g('p')} (i32.const 1)))
    (br $next))))`;
}

/**
 * y[r][p] = Σ_t w·X[r][off] (off -1 reads 0): four points at a time, each tap a v128 of four
 * offsets and one of four weights (the taps of point p are T pairs; four points' tap t are gathered
 * by lane loads), then a scalar tail.
 */
const APPLY = `(func (export "apply") (param $x i32) (param $taps i32) (param $y i32) (param $T i32) (param $P i32) (param $C i32) (param $HW i32) (param $start i32) (param $end i32)
  (local $r i32) (local $xb i32) (local $yb i32) (local $tb i32) (local $p i32) (local $t i32) (local $q i32)
  (local $acc v128) (local $o v128) (local $v v128) (local $w v128) (local $s f32) (local $oi i32) (local $stride i32)
  (local.set $stride (i32.shl ${g('T')} (i32.const 3)))
  (local.set $r ${g('start')})
  (block $done (loop $img
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    (local.set $xb (i32.add ${g('x')} (i32.shl (i32.mul ${g('r')} ${g('HW')}) (i32.const 2))))
    (local.set $yb (i32.add ${g('y')} (i32.shl (i32.mul ${g('r')} ${g('P')}) (i32.const 2))))
    ;; the taps of batch entry r / C
    (local.set $tb (i32.add ${g('taps')} (i32.mul (i32.mul (i32.div_u ${g('r')} ${g('C')}) ${g('P')}) ${g('stride')})))
    (local.set $p (i32.const 0))
    (block $vx (loop $vl
      (br_if $vx (i32.gt_u (i32.add ${g('p')} (i32.const 4)) ${g('P')}))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $q (i32.add ${g('tb')} (i32.mul ${g('p')} ${g('stride')})))
      (local.set $t (i32.const 0))
      (block $tx (loop $tl
        (br_if $tx (i32.ge_u ${g('t')} ${g('T')}))
        (local.set $o (v128.load32_lane 0 ${g('q')} (local.get $o)))
        (local.set $o (v128.load32_lane 1 (i32.add ${g('q')} ${g('stride')}) (local.get $o)))
        (local.set $o (v128.load32_lane 2 (i32.add ${g('q')} (i32.shl ${g('stride')} (i32.const 1))) (local.get $o)))
        (local.set $o (v128.load32_lane 3 (i32.add ${g('q')} (i32.mul ${g('stride')} (i32.const 3))) (local.get $o)))
        (local.set $w (v128.load32_lane offset=4 0 ${g('q')} (local.get $w)))
        (local.set $w (v128.load32_lane offset=4 1 (i32.add ${g('q')} ${g('stride')}) (local.get $w)))
        (local.set $w (v128.load32_lane offset=4 2 (i32.add ${g('q')} (i32.shl ${g('stride')} (i32.const 1))) (local.get $w)))
        (local.set $w (v128.load32_lane offset=4 3 (i32.add ${g('q')} (i32.mul ${g('stride')} (i32.const 3))) (local.get $w)))
        ;; gather X at the offsets (-1 → lane 0 value masked to 0 below)
        ${[0, 1, 2, 3].map((l) => `(local.set $oi (i32x4.extract_lane ${l} (local.get $o)))
        (local.set $v (f32x4.replace_lane ${l} (local.get $v) (select (f32.load (i32.add ${g('xb')} (i32.shl (select ${g('oi')} (i32.const 0) (i32.ge_s ${g('oi')} (i32.const 0))) (i32.const 2)))) (f32.const 0) (i32.ge_s ${g('oi')} (i32.const 0)))))`).join('\n        ')}
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w) (local.get $v))))
        (local.set $q (i32.add ${g('q')} (i32.const 8)))
        (local.set $t (i32.add ${g('t')} (i32.const 1)))
        (br $tl)))
      (v128.store (i32.add ${g('yb')} (i32.shl ${g('p')} (i32.const 2))) (local.get $acc))
      (local.set $p (i32.add ${g('p')} (i32.const 4)))
      (br $vl)))
    (block $sx (loop $sl
      (br_if $sx (i32.ge_u ${g('p')} ${g('P')}))
      (local.set $s (f32.const 0))
      (local.set $q (i32.add ${g('tb')} (i32.mul ${g('p')} ${g('stride')})))
      (local.set $t (i32.const 0))
      (block $ux (loop $ul
        (br_if $ux (i32.ge_u ${g('t')} ${g('T')}))
        (local.set $oi (i32.load ${g('q')}))
        (local.set $s (f32.add ${g('s')} (f32.mul (f32.load offset=4 ${g('q')})
          (select (f32.load (i32.add ${g('xb')} (i32.shl (select ${g('oi')} (i32.const 0) (i32.ge_s ${g('oi')} (i32.const 0))) (i32.const 2)))) (f32.const 0) (i32.ge_s ${g('oi')} (i32.const 0))))))
        (local.set $q (i32.add ${g('q')} (i32.const 8)))
        (local.set $t (i32.add ${g('t')} (i32.const 1)))
        (br $ul)))
      (f32.store (i32.add ${g('yb')} (i32.shl ${g('p')} (i32.const 2))) ${g('s')})
      (local.set $p (i32.add ${g('p')} (i32.const 1)))
      (br $sl)))
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (br $img))))`;

function base(i: string, L: string): string {
  const Lf = `(f32.convert_i32_s ${L})`;
  const fi = `(f32.convert_i32_s ${i})`;
  return `(if (result f32) ${g('align')}
      (then (if (result f32) (i32.le_s ${L} (i32.const 1)) (then (f32.const -1))
        (else (f32.sub (f32.div (f32.mul (f32.const 2) ${fi}) (f32.sub ${Lf} (f32.const 1))) (f32.const 1)))))
      (else (f32.sub (f32.div (f32.add (f32.mul (f32.const 2) ${fi}) (f32.const 1)) ${Lf}) (f32.const 1))))`;
}

function affineFn(dims: 2 | 3): string {
  const cols = dims + 1;
  const tb = dims * cols * 4;
  // output component j = Σ_k theta[j][k]·c_k + theta[j][dims]: c = (x, y[, z])
  const comp = (j: number) => {
    const t = (k: number) => `(f32.load offset=${(j * cols + k) * 4} ${g('tp')})`;
    const cs = ['bx', 'by', 'bz'].slice(0, dims);
    return cs.reduce((acc, c, k) => `(f32.add ${acc} (f32.mul ${t(k)} ${g(c)}))`, t(dims));
  };
  return `(func (export "affine_grid_${dims}d") (param $theta i32) (param $y i32) (param $W i32) (param $H i32) (param $D i32) (param $align i32) (param $start i32) (param $end i32)
  (local $r i32) (local $w i32) (local $h i32) (local $d i32) (local $n i32) (local $tp i32) (local $yp i32) (local $bx f32) (local $by f32) (local $bz f32)
  (local.set $r ${g('start')})
  (block $done (loop $row
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    (local.set $h (i32.rem_u ${g('r')} ${g('H')}))
    (local.set $d (i32.rem_u (i32.div_u ${g('r')} ${g('H')}) ${g('D')}))
    (local.set $n (i32.div_u (i32.div_u ${g('r')} ${g('H')}) ${g('D')}))
    (local.set $tp (i32.add ${g('theta')} (i32.mul ${g('n')} (i32.const ${tb}))))
    (local.set $yp (i32.add ${g('y')} (i32.mul (i32.mul ${g('r')} ${g('W')}) (i32.const ${dims * 4}))))
    (local.set $by ${base(g('h'), g('H'))})
    (local.set $bz ${base(g('d'), g('D'))})
    (local.set $w (i32.const 0))
    (block $wx (loop $wl
      (br_if $wx (i32.ge_u ${g('w')} ${g('W')}))
      (local.set $bx ${base(g('w'), g('W'))})
      ${Array.from({ length: dims }, (_, j) => `(f32.store offset=${j * 4} ${g('yp')} ${comp(j)})`).join('\n      ')}
      (local.set $yp (i32.add ${g('yp')} (i32.const ${dims * 4})))
      (local.set $w (i32.add ${g('w')} (i32.const 1)))
      (br $wl)))
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (br $row))))`;
}

function emit(v: WatVariant): string {
  const fns = [tapsFn(2, 'nearest'), tapsFn(2, 'linear'), tapsFn(2, 'cubic'), tapsFn(3, 'nearest'), tapsFn(3, 'linear')];
  return `(module
  ${memoryImport(v)}
  ${fns.join('\n  ')}
  ${APPLY}
  ${affineFn(2)}
  ${affineFn(3)}
)`;
}

export const gridSampleFamily: WatFamily = { name: 'grid-sample', usesRelaxed: false, emit };
