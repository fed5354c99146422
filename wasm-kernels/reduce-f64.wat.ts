/**
 * float64 kernels of the `reduce` family (emitted into its module by reduce.wat.ts, with the f64x2
 * exp/log of templates/math64.wat.ts). Scalar, one output item per work unit: float64 reductions
 * serve the ONNX double models and tests, on few elements, where the float32 kernels' 16-column
 * tiles would not pay.
 *
 * `<mode>_f64(x, y, R, inner, start, end)`, mode sum | sumsq | asum | prod | max | min | lse: output
 * items [start, end) of [outer, inner], each folding R elements at stride `inner` of x viewed as
 * [outer, R, inner], summing sequentially in double. max/min propagate NaN (np.max); lse is
 * m + log(Σ exp(x − m)) with m the max (0 when ±Inf or NaN, as the float32 kernel). R = 0 gives the
 * identity (0, 1, −Inf, +Inf, −Inf).
 * `finish_{mean,sqrt,log}_f64(y, d, start, end)`: y ← y/d, √y, log y.
 * `cum{sum,prod}_f64(x, y, R, inner, exclusive, reverse, start, end)`: a sequential scan down R per
 * output item (o, column).
 */
const g = (n: string) => `(local.get ${n})`;
const exp = (e: string) => `(f64x2.extract_lane 0 (call $exp_f64x2 (f64x2.splat ${e})))`;
const log = (e: string) => `(f64x2.extract_lane 0 (call $log_f64x2 (f64x2.splat ${e})))`;

const MODES_F64: { name: string; ident: string; comb: string }[] = [
  { name: 'sum', ident: '0', comb: `(f64.add ${g('$acc')} ${g('$v')})` },
  { name: 'sumsq', ident: '0', comb: `(f64.add ${g('$acc')} (f64.mul ${g('$v')} ${g('$v')}))` },
  { name: 'asum', ident: '0', comb: `(f64.add ${g('$acc')} (f64.abs ${g('$v')}))` },
  { name: 'prod', ident: '1', comb: `(f64.mul ${g('$acc')} ${g('$v')})` },
  { name: 'max', ident: '-inf', comb: `(f64.max ${g('$acc')} ${g('$v')})` },
  { name: 'min', ident: 'inf', comb: `(f64.min ${g('$acc')} ${g('$v')})` },
];

/** $p ← the first element of output item $i (of [outer, inner]), for x viewed as [outer, R, inner]. */
const locate = `(local.set $o (i32.div_u ${g('$i')} ${g('$inner')}))
    (local.set $p (i32.add ${g('$x')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$R')}) ${g('$inner')}) (i32.sub ${g('$i')} (i32.mul ${g('$o')} ${g('$inner')}))) (i32.const 3))))`;

/** A fold of R elements from $p at stride $step into $acc. */
const fold = (ident: string, comb: string, lbl: string) => `(local.set $acc (f64.const ${ident}))
    (local.set $q ${g('$p')})
    (local.set $k ${g('$R')})
    (block $${lbl}d (loop $${lbl}l
      (br_if $${lbl}d (i32.eqz ${g('$k')}))
      (local.set $v (f64.load ${g('$q')}))
      (local.set $acc ${comb})
      (local.set $q (i32.add ${g('$q')} ${g('$step')}))
      (local.set $k (i32.sub ${g('$k')} (i32.const 1)))
      (br $${lbl}l)))`;

function passKernel(name: string, body: string): string {
  return `(func (export "${name}_f64") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $start i32) (param $end i32)
  (local $i i32) (local $o i32) (local $p i32) (local $q i32) (local $k i32) (local $step i32) (local $acc f64) (local $v f64) (local $m f64)
  (local.set $step (i32.shl ${g('$inner')} (i32.const 3)))
  (local.set $i ${g('$start')})
  (block $d (loop $l
    (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
    ${locate}
    ${body}
    (f64.store (i32.add ${g('$y')} (i32.shl ${g('$i')} (i32.const 3))) ${g('$acc')})
    (local.set $i (i32.add ${g('$i')} (i32.const 1)))
    (br $l))))`;
}

const LSE_BODY = `${fold('-inf', `(f64.max ${g('$acc')} ${g('$v')})`, 'm')}
    ;; a safe shift: 0 when the max is ±Inf or NaN (−Inf rows stay −Inf, +Inf gives +Inf, NaN gives NaN)
    (local.set $m (select ${g('$acc')} (f64.const 0) (f64.lt (f64.abs ${g('$acc')}) (f64.const inf))))
    ${fold('0', `(f64.add ${g('$acc')} ${exp(`(f64.sub ${g('$v')} ${g('$m')})`)})`, 's')}
    (local.set $acc (f64.add ${g('$m')} ${log(g('$acc'))}))`;

function finish(name: string, expr: string): string {
  return `(func (export "finish_${name}_f64") (param $y i32) (param $d f64) (param $start i32) (param $end i32)
  (local $p i32) (local $e i32) (local $v f64)
  (local.set $p (i32.add ${g('$y')} (i32.shl ${g('$start')} (i32.const 3))))
  (local.set $e (i32.add ${g('$y')} (i32.shl ${g('$end')} (i32.const 3))))
  (block $d (loop $l
    (br_if $d (i32.ge_u ${g('$p')} ${g('$e')}))
    (local.set $v (f64.load ${g('$p')}))
    (f64.store ${g('$p')} ${expr})
    (local.set $p (i32.add ${g('$p')} (i32.const 8)))
    (br $l))))`;
}

/** Inclusive or exclusive scan, forward or reverse, down R for each output item. */
function cum(name: string, ident: string, op: string): string {
  return `(func (export "${name}_f64") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $excl i32) (param $rev i32) (param $start i32) (param $end i32)
  (local $i i32) (local $o i32) (local $p i32) (local $q i32) (local $k i32) (local $step i32) (local $acc f64) (local $v f64)
  (local.set $step (i32.shl ${g('$inner')} (i32.const 3)))
  (local.set $i ${g('$start')})
  (block $d (loop $l
    (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
    ${locate}
    (if (i32.and ${g('$rev')} (i32.gt_u ${g('$R')} (i32.const 0)))
      (then (local.set $p (i32.add ${g('$p')} (i32.mul (i32.sub ${g('$R')} (i32.const 1)) ${g('$step')})))
        (local.set $step (i32.sub (i32.const 0) ${g('$step')}))))
    (local.set $q (i32.add ${g('$p')} (i32.sub ${g('$y')} ${g('$x')})))
    (local.set $acc (f64.const ${ident}))
    (local.set $k ${g('$R')})
    (block $sd (loop $sl
      (br_if $sd (i32.eqz ${g('$k')}))
      (local.set $v (f64.load ${g('$p')}))
      (if ${g('$excl')}
        (then (f64.store ${g('$q')} ${g('$acc')}) (local.set $acc (${op} ${g('$acc')} ${g('$v')})))
        (else (local.set $acc (${op} ${g('$acc')} ${g('$v')})) (f64.store ${g('$q')} ${g('$acc')})))
      (local.set $p (i32.add ${g('$p')} ${g('$step')}))
      (local.set $q (i32.add ${g('$q')} ${g('$step')}))
      (local.set $k (i32.sub ${g('$k')} (i32.const 1)))
      (br $sl)))
    (local.set $step (i32.shl ${g('$inner')} (i32.const 3)))
    (local.set $i (i32.add ${g('$i')} (i32.const 1)))
    (br $l))))`;
}

export const REDUCE_F64_KERNELS: readonly string[] = [
  ...MODES_F64.map((m) => passKernel(m.name, fold(m.ident, m.comb, 'r'))),
  passKernel('lse', LSE_BODY),
  finish('mean', `(f64.div ${g('$v')} ${g('$d')})`),
  finish('sqrt', `(f64.sqrt ${g('$v')})`),
  finish('log', log(g('$v'))),
  cum('cumsum', '0', 'f64.add'),
  cum('cumprod', '1', 'f64.mul'),
];
