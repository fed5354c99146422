/**
 * The `lp-pool` family: LpPool (NCHW, 1-D to 3-D windows carried as 3-D), y = (Σ |x|^p)^(1/p).
 *
 * `lp_window(x, y, prm, p, start, end)`: output elements [start, end) of [N·C, OD, OH, OW]; each sums
 *   |x|^p (p ≥ 1 an integer: p − 1 multiplications) over the taps of its window that fall inside the
 *   input (padding adds 0), in window order (kd, kh, kw). prm: 19 i32s, see PARAMS.
 * `lp_root_{sqrt,pow}(y, pinv, start, end)`: y = y^(1/p) in place, four lanes a step: f32x4.sqrt for
 *   p = 2 (correctly rounded), powF32x4 (float64 inside, 0.5 ulp) with exponent pinv = f32(1/p)
 *   otherwise (as onnxruntime's powf(s, 1.0f / p)); the tail goes as a partial vector through lane loads and stores. p = 1 needs no root.
 * NaN in a window gives NaN (|NaN|^p is NaN); an Inf gives Inf.
 * `max_index(x, y, v, prm, order, start, end)`: MaxPool with its Indices output, onnxruntime's rule:
 *   per window the running maximum starts from the lowest finite float and takes strictly larger
 *   values (NaN never does), y (float32) gets it and v (int64) its index in the whole input,
 *   ((img·D + d)·H + h)·W + w (order 0) or img·H·W + h + w·H (order 1, 2-D); a window of only
 *   -Inf/NaN gives -FLT_MAX and -1.
 */
import { MATH_LOCALS, powF32x4 } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

export const PARAMS = ['D', 'H', 'W', 'OD', 'OH', 'OW', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL', 'IMG'] as const;

const g = (n: string) => `(local.get $${n})`;
const i = (n: number) => `(i32.const ${n})`;

/**
 * One output element per e in [start, end): walks its window (depth, rows, columns; taps outside the
 * input skipped) with `tap` run on each in-range tap, whose value address is in $addr. The
 * element's image, od, oh, ow are in locals; `init` runs before the walk and `store` after it.
 */
function windowWalk(name: string, extraParams: string, extraLocals: string, init: string, tap: string, store: string): string {
  return `(func (export "${name}") (param $x i32) (param $y i32) ${extraParams} (param $prm i32) (param $p i32) (param $start i32) (param $end i32)
  ${PARAMS.map((n) => `(local $${n} i32)`).join(' ')}
  (local $e i32) (local $r i32) (local $od i32) (local $oh i32) (local $ow i32) (local $img i32)
  (local $kd i32) (local $kh i32) (local $kw i32) (local $id i32) (local $ih i32) (local $iw i32)
  (local $s f32) (local $a f32) (local $base i32) (local $addr i32) ${extraLocals}
  ${PARAMS.map((n, k) => `(local.set $${n} (i32.load offset=${k * 4} ${g('prm')}))`).join('\n  ')}
  (local.set $e ${g('start')})
  (block $done (loop $next
    (br_if $done (i32.ge_u ${g('e')} ${g('end')}))
    ;; e = ((img·OD + od)·OH + oh)·OW + ow
    (local.set $ow (i32.rem_u ${g('e')} ${g('OW')}))
    (local.set $r (i32.div_u ${g('e')} ${g('OW')}))
    (local.set $oh (i32.rem_u ${g('r')} ${g('OH')}))
    (local.set $r (i32.div_u ${g('r')} ${g('OH')}))
    (local.set $od (i32.rem_u ${g('r')} ${g('OD')}))
    (local.set $img (i32.div_u ${g('r')} ${g('OD')}))
    (local.set $base (i32.add ${g('x')} (i32.shl (i32.mul ${g('img')} ${g('IMG')}) ${i(2)})))
    ${init}
    (local.set $kd ${i(0)})
    (block $dx (loop $dl
      (br_if $dx (i32.ge_u ${g('kd')} ${g('KD')}))
      (local.set $id (i32.add (i32.sub (i32.mul ${g('od')} ${g('SD')}) ${g('PF')}) (i32.mul ${g('kd')} ${g('DD')})))
      (if (i32.lt_u ${g('id')} ${g('D')}) (then
        (local.set $kh ${i(0)})
        (block $hx (loop $hl
          (br_if $hx (i32.ge_u ${g('kh')} ${g('KH')}))
          (local.set $ih (i32.add (i32.sub (i32.mul ${g('oh')} ${g('SH')}) ${g('PT')}) (i32.mul ${g('kh')} ${g('DH')})))
          (if (i32.lt_u ${g('ih')} ${g('H')}) (then
            (local.set $kw ${i(0)})
            (block $wx (loop $wl
              (br_if $wx (i32.ge_u ${g('kw')} ${g('KW')}))
              (local.set $iw (i32.add (i32.sub (i32.mul ${g('ow')} ${g('SW')}) ${g('PL')}) (i32.mul ${g('kw')} ${g('DW')})))
              (if (i32.lt_u ${g('iw')} ${g('W')}) (then
                (local.set $addr (i32.add ${g('base')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${g('id')} ${g('H')}) ${g('ih')}) ${g('W')}) ${g('iw')}) ${i(2)})))
                ${tap}))
              (local.set $kw (i32.add ${g('kw')} ${i(1)}))
              (br $wl)))))
          (local.set $kh (i32.add ${g('kh')} ${i(1)}))
          (br $hl)))))
      (local.set $kd (i32.add ${g('kd')} ${i(1)}))
      (br $dl)))
    ${store}
    (local.set $e (i32.add ${g('e')} ${i(1)}))
    (br $next))))`;
}

/** `lp_window(x, y, prm, p, start, end)`: y = Σ |x|^p over each window (integer p ≥ 1; the root is a separate pass). */
const WINDOW = windowWalk(
  'lp_window',
  '',
  '(local $t f32) (local $q i32)',
  '(local.set $s (f32.const 0))',
  `(local.set $a (f32.abs (f32.load ${g('addr')})))
                (local.set $t ${g('a')})
                (local.set $q ${i(1)})
                (block $px (loop $pl
                  (br_if $px (i32.ge_u ${g('q')} ${g('p')}))
                  (local.set $t (f32.mul ${g('t')} ${g('a')}))
                  (local.set $q (i32.add ${g('q')} ${i(1)}))
                  (br $pl)))
                (local.set $s (f32.add ${g('s')} ${g('t')}))`,
  `(f32.store (i32.add ${g('y')} (i32.shl ${g('e')} ${i(2)})) ${g('s')})`,
);

/** `max_index(x, y, v, prm, p, start, end)`: each window's max into y and its flat input index (int64) into v. */
const ARGMAX = windowWalk(
  'max_index',
  '(param $v i32)',
  '(local $best i64)',
  '(local.set $s (f32.const -3.40282347e+38)) (local.set $best (i64.const -1))',
  `(local.set $a (f32.load ${g('addr')}))
                ;; the first strictly larger value wins (NaN never does); index in the whole input, row-major (p = 0) or h + w·H (p = 1)
                (if (f32.gt ${g('a')} ${g('s')}) (then
                  (local.set $s ${g('a')})
                  (local.set $best (i64.add (i64.extend_i32_u (i32.mul ${g('img')} ${g('IMG')}))
                    (i64.extend_i32_u (if (result i32) ${g('p')}
                      (then (i32.add ${g('ih')} (i32.mul ${g('iw')} ${g('H')})))
                      (else (i32.add (i32.mul (i32.add (i32.mul ${g('id')} ${g('H')}) ${g('ih')}) ${g('W')}) ${g('iw')}))))))))`,
  `(f32.store (i32.add ${g('y')} (i32.shl ${g('e')} ${i(2)})) ${g('s')})
    (i64.store (i32.add ${g('v')} (i32.shl ${g('e')} ${i(3)})) ${g('best')})`,
);

function root(v: WatVariant, kind: 'sqrt' | 'pow'): string {
  const f = (e: string) => (kind === 'sqrt' ? `(f32x4.sqrt ${e})` : powF32x4(v, e, `(f32x4.splat ${g('pinv')})`));
  return `(func (export "lp_root_${kind}") (param $y i32) (param $pinv f32) (param $start i32) (param $end i32)
  (local $p i32) (local $pe i32) (local $v v128) ${kind === 'pow' ? MATH_LOCALS : ''}
  (local.set $p (i32.add ${g('y')} (i32.shl ${g('start')} ${i(2)})))
  (local.set $pe (i32.add ${g('y')} (i32.shl ${g('end')} ${i(2)})))
  (block $vx (loop $vl
    (br_if $vx (i32.gt_u (i32.add ${g('p')} ${i(16)}) ${g('pe')}))
    (v128.store ${g('p')} ${f(`(v128.load ${g('p')})`)})
    (local.set $p (i32.add ${g('p')} ${i(16)}))
    (br $vl)))
  ;; tail: up to 3 lanes through a partial vector
  (if (i32.lt_u ${g('p')} ${g('pe')}) (then
    (local.set $v (f32x4.splat (f32.load ${g('p')})))
    (if (i32.lt_u (i32.add ${g('p')} ${i(4)}) ${g('pe')}) (then (local.set $v (v128.load32_lane offset=4 1 ${g('p')} (local.get $v)))))
    (if (i32.lt_u (i32.add ${g('p')} ${i(8)}) ${g('pe')}) (then (local.set $v (v128.load32_lane offset=8 2 ${g('p')} (local.get $v)))))
    (local.set $v ${f('(local.get $v)')})
    (v128.store32_lane 0 ${g('p')} (local.get $v))
    (if (i32.lt_u (i32.add ${g('p')} ${i(4)}) ${g('pe')}) (then (v128.store32_lane offset=4 1 ${g('p')} (local.get $v))))
    (if (i32.lt_u (i32.add ${g('p')} ${i(8)}) ${g('pe')}) (then (v128.store32_lane offset=8 2 ${g('p')} (local.get $v)))))))`;
}

function emit(v: WatVariant): string {
  return `(module
  ${memoryImport(v)}
  ${WINDOW}
  ${ARGMAX}
  ${root(v, 'sqrt')}
  ${root(v, 'pow')}
)`;
}

export const lpPoolFamily: WatFamily = { name: 'lp-pool', usesRelaxed: false, emit };
