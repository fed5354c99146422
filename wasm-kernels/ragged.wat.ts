/**
 * The `ragged` family: RaggedRange in two passes (the value count depends on the data).
 *
 *   ragged_range_splits_T(starts, limits, deltas, n, bs, bl, bd, splits, status):
 *     row r's range (element 0 of an input whose flag b· is 1, broadcast) has
 *     size = 0 when delta points away from limit, else ceil(|limit − start| / |delta|) (float64);
 *     splits[0] = 0, splits[r + 1] = splits[r] + size. status[0] = 0, or 1 + r with a zero delta at
 *     row r, or −(1 + r) when a size or the running total passes 2^31 − 1 (the kernel stops there).
 *   ragged_range_values_T(starts, deltas, splits, bs, bd, out, start, end):
 *     rows [start, end): out[splits[r] + i] = start + i·delta for i < size, computed in float64 and
 *     rounded once (int32: exact, wrapping like int32).
 * T is f32 or i32 (starts, limits, deltas and values share it).
 *
 * RaggedTensorToTensor's output positions, one partition level at a time (TensorFlow's
 * "output index": where each item of the level starts in the dense output, −1 when the dense shape
 * cuts it off); `mult` is the product of the output dims after this level's:
 *   ragged_index_first(n, nOut, mult, out): out[r] = r·mult for r < min(n, nOut), else −1.
 *   ragged_index_splits(parent, nParent, splits, dim, mult, out, items): items of row r (splits[r]
 *     to splits[r + 1], positions below `items` only) at k < dim → parent[r] + k·mult when
 *     parent[r] ≥ 0, else −1.
 *   ragged_index_rowids(parent, nParent, rowids, n, dim, mult, out): item i of row rowids[i] (rows
 *     ascending), k-th of its row → parent[row] + k·mult when parent[row] ≥ 0 and k < dim, else −1.
 *     Returns −(1 + i) for the first item whose row is ≥ nParent or below the previous one, else 0.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const TYPES = [
  { name: 'f32', load: (p: string) => `(f64.promote_f32 (f32.load ${p}))`, store: (p: string, v: string) => `(f32.store ${p} (f32.demote_f64 ${v}))` },
  { name: 'i32', load: (p: string) => `(f64.convert_i32_s (i32.load ${p}))`, store: (p: string, v: string) => `(i32.store ${p} (i32.wrap_i64 (i64.trunc_sat_f64_s ${v})))` },
];

/** element `r` of an input, or element 0 when its broadcast flag is set */
const elem = (base: string, flag: string) => `(i32.add (local.get ${base}) (select (i32.const 0) (i32.shl (local.get $r) (i32.const 2)) (local.get ${flag})))`;

function emit(t: (typeof TYPES)[number]): string {
  const splits = `(func (export "ragged_range_splits_${t.name}") (param $starts i32) (param $limits i32) (param $deltas i32) (param $n i32)
  (param $bs i32) (param $bl i32) (param $bd i32) (param $splits i32) (param $status i32)
  (local $r i32) (local $s f64) (local $l f64) (local $d f64) (local $size f64) (local $total f64)
  (i32.store (local.get $splits) (i32.const 0))
  (i32.store (local.get $status) (i32.const 0))
  (block $x (loop $l_
    (br_if $x (i32.ge_u (local.get $r) (local.get $n)))
    (local.set $s ${t.load(elem('$starts', '$bs'))})
    (local.set $l ${t.load(elem('$limits', '$bl'))})
    (local.set $d ${t.load(elem('$deltas', '$bd'))})
    (if (f64.eq (local.get $d) (f64.const 0)) (then
      (i32.store (local.get $status) (i32.add (local.get $r) (i32.const 1)))
      (return)))
    (local.set $size (if (result f64) (i32.or (i32.and (f64.gt (local.get $d) (f64.const 0)) (f64.lt (local.get $l) (local.get $s)))
                                              (i32.and (f64.lt (local.get $d) (f64.const 0)) (f64.gt (local.get $l) (local.get $s))))
      (then (f64.const 0))
      (else (f64.ceil (f64.abs (f64.div (f64.sub (local.get $l) (local.get $s)) (local.get $d)))))))
    (local.set $total (f64.add (local.get $total) (local.get $size)))
    (if (i32.eqz (f64.le (local.get $total) (f64.const 2147483647))) (then
      (i32.store (local.get $status) (i32.sub (i32.const -1) (local.get $r)))
      (return)))
    (i32.store (i32.add (local.get $splits) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2))) (i32.trunc_f64_u (local.get $total)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $l_))))`;
  const values = `(func (export "ragged_range_values_${t.name}") (param $starts i32) (param $deltas i32) (param $splits i32)
  (param $bs i32) (param $bd i32) (param $out i32) (param $start i32) (param $end i32)
  (local $r i32) (local $i i32) (local $a i32) (local $b i32) (local $s f64) (local $d f64)
  (local.set $r (local.get $start))
  (block $x (loop $l_
    (br_if $x (i32.ge_u (local.get $r) (local.get $end)))
    (local.set $s ${t.load(elem('$starts', '$bs'))})
    (local.set $d ${t.load(elem('$deltas', '$bd'))})
    (local.set $a (i32.load (i32.add (local.get $splits) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $b (i32.load (i32.add (local.get $splits) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
    (local.set $i (i32.const 0))
    (block $y (loop $m
      (br_if $y (i32.ge_u (i32.add (local.get $a) (local.get $i)) (local.get $b)))
      ${t.store('(i32.add (local.get $out) (i32.shl (i32.add (local.get $a) (local.get $i)) (i32.const 2)))', '(f64.add (local.get $s) (f64.mul (f64.convert_i32_u (local.get $i)) (local.get $d)))')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $m)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $l_))))`;
  return `${splits}\n${values}`;
}


const INDEX = `(func (export "ragged_index_first") (param $n i32) (param $nOut i32) (param $mult i32) (param $out i32)
  (local $r i32)
  (block $x (loop $l
    (br_if $x (i32.ge_u (local.get $r) (local.get $n)))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
      (select (i32.mul (local.get $r) (local.get $mult)) (i32.const -1) (i32.lt_u (local.get $r) (local.get $nOut))))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $l))))
(func (export "ragged_index_splits") (param $parent i32) (param $nParent i32) (param $splits i32) (param $dim i32) (param $mult i32) (param $out i32) (param $items i32)
  (local $r i32) (local $j i32) (local $a i32) (local $b i32) (local $p i32)
  (block $x (loop $l
    (br_if $x (i32.ge_u (local.get $r) (local.get $nParent)))
    (local.set $p (i32.load (i32.add (local.get $parent) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $a (i32.load (i32.add (local.get $splits) (i32.shl (local.get $r) (i32.const 2)))))
    (local.set $b (i32.load (i32.add (local.get $splits) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
    (local.set $j (local.get $a))
    (block $y (loop $m
      (br_if $y (i32.ge_s (local.get $j) (local.get $b)))
      (br_if $y (i32.ge_u (local.get $j) (local.get $items)))
      (i32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
        (select (i32.add (local.get $p) (i32.mul (i32.sub (local.get $j) (local.get $a)) (local.get $mult))) (i32.const -1)
          (i32.and (i32.ge_s (local.get $p) (i32.const 0)) (i32.lt_s (i32.sub (local.get $j) (local.get $a)) (local.get $dim)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $m)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $l))))
(func (export "ragged_index_rowids") (param $parent i32) (param $nParent i32) (param $rowids i32) (param $n i32) (param $dim i32) (param $mult i32) (param $out i32) (result i32)
  (local $i i32) (local $row i32) (local $prev i32) (local $k i32) (local $p i32)
  (local.set $prev (i32.const -1))
  (block $x (loop $l
    (br_if $x (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $row (i32.load (i32.add (local.get $rowids) (i32.shl (local.get $i) (i32.const 2)))))
    (if (i32.or (i32.ge_u (local.get $row) (local.get $nParent)) (i32.lt_s (local.get $row) (local.get $prev)))
      (then (return (i32.sub (i32.const -1) (local.get $i)))))
    (local.set $k (select (i32.add (local.get $k) (i32.const 1)) (i32.const 0) (i32.eq (local.get $row) (local.get $prev))))
    (local.set $prev (local.get $row))
    (local.set $p (i32.load (i32.add (local.get $parent) (i32.shl (local.get $row) (i32.const 2)))))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
      (select (i32.add (local.get $p) (i32.mul (local.get $k) (local.get $mult))) (i32.const -1)
        (i32.and (i32.ge_s (local.get $p) (i32.const 0)) (i32.lt_s (local.get $k) (local.get $dim)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l)))
  (i32.const 0))`;

export const raggedFamily: WatFamily = {
  name: 'ragged',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${TYPES.map(emit).join('\n')}\n${INDEX}\n)`;
  },
};
