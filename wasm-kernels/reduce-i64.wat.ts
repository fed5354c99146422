/**
 * int64 kernels of the `reduce` family (emitted into its module by reduce.wat.ts). Scalar: int64
 * reductions and arg-reductions run in shape subgraphs on a handful of elements, where the float
 * kernels' 16-column tiles would not pay.
 *
 * `<mode>_i64(x, y, R, inner, start, end)`, mode sum | prod | max | min: output items [start, end)
 * of [outer, inner], each folding R elements at stride `inner` of x viewed as [outer, R, inner];
 * wrapping sum and product; R = 0 gives the identity (0, 1, INT64_MIN, INT64_MAX).
 * `arg{max,min}_i64_{first,last}(x, y, R, inner, i64, start, end)`: the index of the extreme value
 * along R for output items [start, end) (ties: the first, or the last); y is int32, or int64 when
 * i64 ≠ 0.
 */
const g = (n: string) => `(local.get ${n})`;

const MODES_I64: { name: string; ident: string; comb: string }[] = [
  { name: 'sum', ident: '0', comb: `(i64.add ${g('$acc')} ${g('$v')})` },
  { name: 'prod', ident: '1', comb: `(i64.mul ${g('$acc')} ${g('$v')})` },
  { name: 'max', ident: '-9223372036854775808', comb: `(select ${g('$acc')} ${g('$v')} (i64.ge_s ${g('$acc')} ${g('$v')}))` },
  { name: 'min', ident: '9223372036854775807', comb: `(select ${g('$acc')} ${g('$v')} (i64.le_s ${g('$acc')} ${g('$v')}))` },
];

/** The walk shared by both kernels: $p ← the first element of output item $i, $step ← the stride in bytes. */
const locate = `(local.set $o (i32.div_u ${g('$i')} ${g('$inner')}))
      (local.set $p (i32.add ${g('$x')} (i32.shl (i32.add (i32.mul (i32.mul ${g('$o')} ${g('$R')}) ${g('$inner')}) (i32.sub ${g('$i')} (i32.mul ${g('$o')} ${g('$inner')}))) (i32.const 3))))`;

function reduceI64(m: (typeof MODES_I64)[number]): string {
  return `(func (export "${m.name}_i64") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $start i32) (param $end i32)
  (local $i i32) (local $o i32) (local $p i32) (local $k i32) (local $step i32) (local $acc i64) (local $v i64)
  (local.set $step (i32.shl ${g('$inner')} (i32.const 3)))
  (local.set $i ${g('$start')})
  (block $d (loop $l
    (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
    ${locate}
    (local.set $acc (i64.const ${m.ident}))
    (local.set $k ${g('$R')})
    (block $rd (loop $rl
      (br_if $rd (i32.eqz ${g('$k')}))
      (local.set $v (i64.load ${g('$p')}))
      (local.set $acc ${m.comb})
      (local.set $p (i32.add ${g('$p')} ${g('$step')}))
      (local.set $k (i32.sub ${g('$k')} (i32.const 1)))
      (br $rl)))
    (i64.store (i32.add ${g('$y')} (i32.shl ${g('$i')} (i32.const 3))) ${g('$acc')})
    (local.set $i (i32.add ${g('$i')} (i32.const 1)))
    (br $l))))`;
}

function argI64(op: 'max' | 'min', last: boolean): string {
  // a later element replaces the best when strictly better (first) or at least as good (last)
  const better = `(i64.${op === 'max' ? 'g' : 'l'}${last ? 'e' : 't'}_s ${g('$v')} ${g('$best')})`;
  return `(func (export "arg${op}_i64_${last ? 'last' : 'first'}") (param $x i32) (param $y i32) (param $R i32) (param $inner i32) (param $i64 i32) (param $start i32) (param $end i32)
  (local $i i32) (local $o i32) (local $p i32) (local $k i32) (local $step i32) (local $best i64) (local $v i64) (local $bi i32)
  (local.set $step (i32.shl ${g('$inner')} (i32.const 3)))
  (local.set $i ${g('$start')})
  (block $d (loop $l
    (br_if $d (i32.ge_u ${g('$i')} ${g('$end')}))
    ${locate}
    (local.set $best (i64.load ${g('$p')}))
    (local.set $bi (i32.const 0))
    (local.set $k (i32.const 1))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u ${g('$k')} ${g('$R')}))
      (local.set $p (i32.add ${g('$p')} ${g('$step')}))
      (local.set $v (i64.load ${g('$p')}))
      (if ${better} (then (local.set $best ${g('$v')}) (local.set $bi ${g('$k')})))
      (local.set $k (i32.add ${g('$k')} (i32.const 1)))
      (br $rl)))
    (if ${g('$i64')}
      (then (i64.store (i32.add ${g('$y')} (i32.shl ${g('$i')} (i32.const 3))) (i64.extend_i32_u ${g('$bi')})))
      (else (i32.store (i32.add ${g('$y')} (i32.shl ${g('$i')} (i32.const 2))) ${g('$bi')})))
    (local.set $i (i32.add ${g('$i')} (i32.const 1)))
    (br $l))))`;
}

export const REDUCE_I64_KERNELS: readonly string[] = [
  ...MODES_I64.map(reduceI64),
  ...(['max', 'min'] as const).flatMap((op) => [argI64(op, false), argI64(op, true)]),
];
