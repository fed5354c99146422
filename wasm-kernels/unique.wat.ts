/**
 * The `unique` family: the distinct slices of x viewed as [outer, n, inner] along its middle axis
 * (a slice is x[:, i, :]), one export per element type T (f32, i32, i64, u8):
 *
 *   unique_T(x, outer, n, inner, sorted, first, inverse, counts, count, scratch):
 *     first[k]   the index of the first slice equal to unique slice k (k < u),
 *     inverse[i] the unique slice that slice i equals,
 *     counts[k]  how many slices equal unique slice k,
 *     count[0]   u, the number of unique slices (outputs are sized n; the rest is left as is).
 *   Unique slices are numbered by first occurrence, or, when `sorted` is 1, in ascending
 *   lexicographic order of their elements (each one's rank is the number of unique slices below it;
 *   scratch holds 2·n int32 for the ranks and the reordering).
 *   Equality and order per element: float32 treats NaN as equal to NaN and above every number, and
 *   −0 as equal to 0; integers compare as signed (u8 unsigned).
 *
 * Each slice is compared with each unique slice found so far: O(n·u·slice) time, sequential (a
 * slice's number depends on the ones before it).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

interface ElemType {
  name: string;
  bytes: number;
  load: string;
  /** 1 when a < b, given a and b of the value type in locals $a and $b */
  lt: string;
  eq: string;
  valType: string;
}

const TYPES: ElemType[] = [
  {
    name: 'f32', bytes: 4, load: 'f32.load', valType: 'f32',
    eq: '(i32.or (f32.eq (local.get $a) (local.get $b)) (i32.and (f32.ne (local.get $a) (local.get $a)) (f32.ne (local.get $b) (local.get $b))))',
    lt: '(i32.or (f32.lt (local.get $a) (local.get $b)) (i32.and (f32.eq (local.get $a) (local.get $a)) (f32.ne (local.get $b) (local.get $b))))',
  },
  { name: 'i32', bytes: 4, load: 'i32.load', valType: 'i32', eq: '(i32.eq (local.get $a) (local.get $b))', lt: '(i32.lt_s (local.get $a) (local.get $b))' },
  { name: 'i64', bytes: 8, load: 'i64.load', valType: 'i64', eq: '(i64.eq (local.get $a) (local.get $b))', lt: '(i64.lt_s (local.get $a) (local.get $b))' },
  { name: 'u8', bytes: 1, load: 'i32.load8_u', valType: 'i32', eq: '(i32.eq (local.get $a) (local.get $b))', lt: '(i32.lt_u (local.get $a) (local.get $b))' },
];

const shift = (bytes: number) => Math.log2(bytes);

function emitType(t: ElemType): string {
  const sh = shift(t.bytes);
  const scale = (v: string) => (sh === 0 ? v : `(i32.shl ${v} (i32.const ${sh}))`);
  // compare slices i and j: −1, 0 or 1 (lexicographic over o, then j within the inner run)
  const cmp = `(func $cmp_${t.name} (param $x i32) (param $outer i32) (param $n i32) (param $inner i32) (param $i i32) (param $j i32) (result i32)
  (local $o i32) (local $e i32) (local $pa i32) (local $pb i32) (local $a ${t.valType}) (local $b ${t.valType}) (local $row i32)
  (local.set $row ${scale('(i32.mul (local.get $n) (local.get $inner))')})
  (local.set $pa (i32.add (local.get $x) ${scale('(i32.mul (local.get $i) (local.get $inner))')}))
  (local.set $pb (i32.add (local.get $x) ${scale('(i32.mul (local.get $j) (local.get $inner))')}))
  (block $ox (loop $ol
    (br_if $ox (i32.ge_u (local.get $o) (local.get $outer)))
    (local.set $e (i32.const 0))
    (block $ex (loop $el
      (br_if $ex (i32.ge_u (local.get $e) (local.get $inner)))
      (local.set $a (${t.load} (i32.add (local.get $pa) ${scale('(local.get $e)')})))
      (local.set $b (${t.load} (i32.add (local.get $pb) ${scale('(local.get $e)')})))
      (if (i32.eqz ${t.eq}) (then (return (select (i32.const -1) (i32.const 1) ${t.lt}))))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $el)))
    (local.set $pa (i32.add (local.get $pa) (local.get $row)))
    (local.set $pb (i32.add (local.get $pb) (local.get $row)))
    (local.set $o (i32.add (local.get $o) (i32.const 1)))
    (br $ol)))
  (i32.const 0))`;
  const ld = (base: string, idx: string) => `(i32.load (i32.add (local.get ${base}) (i32.shl ${idx} (i32.const 2))))`;
  const st = (base: string, idx: string, v: string) => `(i32.store (i32.add (local.get ${base}) (i32.shl ${idx} (i32.const 2))) ${v})`;
  const main = `(func (export "unique_${t.name}") (param $x i32) (param $outer i32) (param $n i32) (param $inner i32) (param $sorted i32)
  (param $first i32) (param $inverse i32) (param $counts i32) (param $count i32) (param $scratch i32)
  (local $i i32) (local $k i32) (local $u i32) (local $found i32) (local $r i32) (local $tmp i32)
  (block $ix (loop $il
    (br_if $ix (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $found (i32.const -1))
    (local.set $k (i32.const 0))
    (block $kx (loop $kl
      (br_if $kx (i32.ge_u (local.get $k) (local.get $u)))
      (if (i32.eqz (call $cmp_${t.name} (local.get $x) (local.get $outer) (local.get $n) (local.get $inner) (local.get $i) ${ld('$first', '(local.get $k)')}))
        (then (local.set $found (local.get $k)) (br $kx)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kl)))
    (if (i32.lt_s (local.get $found) (i32.const 0)) (then
      ${st('$first', '(local.get $u)', '(local.get $i)')}
      ${st('$counts', '(local.get $u)', '(i32.const 0)')}
      (local.set $found (local.get $u))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))))
    ${st('$inverse', '(local.get $i)', '(local.get $found)')}
    ${st('$counts', '(local.get $found)', `(i32.add ${ld('$counts', '(local.get $found)')} (i32.const 1))`)}
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $il)))
  (if (local.get $sorted) (then
    (local.set $tmp (i32.add (local.get $scratch) (i32.shl (local.get $n) (i32.const 2))))
    ;; rank[k] = number of unique slices below unique slice k
    (local.set $k (i32.const 0))
    (block $rx (loop $rl
      (br_if $rx (i32.ge_u (local.get $k) (local.get $u)))
      (local.set $r (i32.const 0))
      (local.set $i (i32.const 0))
      (block $jx (loop $jl
        (br_if $jx (i32.ge_u (local.get $i) (local.get $u)))
        (if (i32.lt_s (call $cmp_${t.name} (local.get $x) (local.get $outer) (local.get $n) (local.get $inner) ${ld('$first', '(local.get $i)')} ${ld('$first', '(local.get $k)')}) (i32.const 0))
          (then (local.set $r (i32.add (local.get $r) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $jl)))
      ${st('$scratch', '(local.get $k)', '(local.get $r)')}
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $rl)))
    ;; first and counts move to their ranks (through tmp); inverse is renumbered
    (local.set $k (i32.const 0))
    (block $ax (loop $al
      (br_if $ax (i32.ge_u (local.get $k) (local.get $u)))
      ${st('$tmp', ld('$scratch', '(local.get $k)'), ld('$first', '(local.get $k)'))}
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $al)))
    (memory.copy (local.get $first) (local.get $tmp) (i32.shl (local.get $u) (i32.const 2)))
    (local.set $k (i32.const 0))
    (block $bx (loop $bl
      (br_if $bx (i32.ge_u (local.get $k) (local.get $u)))
      ${st('$tmp', ld('$scratch', '(local.get $k)'), ld('$counts', '(local.get $k)'))}
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $bl)))
    (memory.copy (local.get $counts) (local.get $tmp) (i32.shl (local.get $u) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $cx (loop $cl
      (br_if $cx (i32.ge_u (local.get $i) (local.get $n)))
      ${st('$inverse', '(local.get $i)', ld('$scratch', ld('$inverse', '(local.get $i)')))}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $cl)))))
  (i32.store (local.get $count) (local.get $u)))`;
  return `${cmp}\n${main}`;
}

export const UNIQUE_TYPES = TYPES.map((t) => t.name);

export const uniqueFamily: WatFamily = {
  name: 'unique',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${TYPES.map(emitType).join('\n')}\n)`;
  },
};
