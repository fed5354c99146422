/**
 * The `copy` family: data movement by element size, plus the two small arithmetic kernels that the
 * data-movement ops need (Where's select and Cast's conversions).
 *
 * `copy_strided_x{8,16,32,64}(src, dst, desc, start, end)`: the general strided copy. `desc` points at
 * 18 i32s: a rank-6 shape n0..n5, then source strides and destination strides in bytes (signed). For
 * every index i over the shape, dst[Σ i_d·dst_d] = src[Σ i_d·src_d]. Work item r in [start, end) is one
 * row (an index over n0..n4); the row's n5 elements go by the fastest path that fits:
 *   - both sides contiguous: 32/16-byte v128 moves, then element moves (`$move_bytes`);
 *   - a broadcast source (stride 0) into a contiguous row: one splat, v128 stores;
 *   - 4-byte elements, strided source into a contiguous row (transpose): 4 lane loads, one v128 store;
 *   - otherwise one element at a time.
 * Rows advance by an odometer over n4..n0 (one division per index only at the chunk's start).
 *
 * `copy_contig(src, dst, bytes)`: a single contiguous run, called directly for small moves.
 *
 * `gather_rows(src, dst, idx, nIdx, axisDim, rowBytes, start, end)`: row r = (o, j) copies the
 * rowBytes-byte row idx[j] of block o (idx: normalised int32). `scatter_rows(src, dst, idx, rowBytes,
 * start, end)` is its inverse: source row r goes to destination row idx[r].
 *
 * `select_x{8,16,32,64}(c, x, y, out, start, end)`: out = c ? x : y over contiguous equal-length
 * arrays (c: one byte per element, non-zero is true); 16 bytes of output per step through a lane mask.
 *
 * `cast_<from>_<to>(src, dst, start, end)` for every pair of distinct dtypes (see ops/copy.ts for the
 * semantics; float16 ⇄ float32 exact with round-to-nearest-even, float64 → float16 rounded once); the
 * pairs SIMD128 has lanes for (float32 ⇄ int32/float16/float64, widening integer casts, 32-bit
 * integers → float64) go 4 elements at a time.
 *
 * `gather_x{8,16,32,64}`: gather_rows for one-element rows (Gather on the last axis, GatherElements).
 * `put_x{8,16,32,64}(dst, pos, value, start, end)`: one value into listed positions (OneHot).
 */
import { BYTES_PER_ELEMENT, DTYPES, type DType } from '../core/dtype.js';
import { memoryImport, type WatFamily } from './templates/wat.js';

export const ELEM_BITS = [8, 16, 32, 64] as const;
const BYTES: Record<number, number> = { 8: 1, 16: 2, 32: 4, 64: 8 };

function ld(bits: number, addr: string): string {
  return bits === 64 ? `(i64.load ${addr})` : bits === 32 ? `(i32.load ${addr})` : bits === 16 ? `(i32.load16_u ${addr})` : `(i32.load8_u ${addr})`;
}
function st(bits: number, addr: string, v: string): string {
  return bits === 64 ? `(i64.store ${addr} ${v})` : bits === 32 ? `(i32.store ${addr} ${v})` : bits === 16 ? `(i32.store16 ${addr} ${v})` : `(i32.store8 ${addr} ${v})`;
}
function splat(bits: number, v: string): string {
  return bits === 64 ? `(i64x2.splat ${v})` : bits === 32 ? `(i32x4.splat ${v})` : bits === 16 ? `(i16x8.splat ${v})` : `(i8x16.splat ${v})`;
}

/** memmove-free forward copy of n bytes (n a multiple of `unit`, regions disjoint). */
const MOVE_BYTES = `(func $move_bytes (param $d i32) (param $s i32) (param $n i32)
    (local $e i32)
    (local.set $e (i32.add (local.get $d) (local.get $n)))
    (block $x32 (loop $l32
      (br_if $x32 (i32.gt_u (i32.add (local.get $d) (i32.const 32)) (local.get $e)))
      (v128.store (local.get $d) (v128.load (local.get $s)))
      (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 32)))
      (local.set $s (i32.add (local.get $s) (i32.const 32)))
      (br $l32)))
    (if (i32.le_u (i32.add (local.get $d) (i32.const 16)) (local.get $e)) (then
      (v128.store (local.get $d) (v128.load (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))))
    (if (i32.le_u (i32.add (local.get $d) (i32.const 8)) (local.get $e)) (then
      (i64.store (local.get $d) (i64.load (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 8)))
      (local.set $s (i32.add (local.get $s) (i32.const 8)))))
    (if (i32.le_u (i32.add (local.get $d) (i32.const 4)) (local.get $e)) (then
      (i32.store (local.get $d) (i32.load (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))))
    (block $x1 (loop $l1
      (br_if $x1 (i32.ge_u (local.get $d) (local.get $e)))
      (i32.store8 (local.get $d) (i32.load8_u (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $l1))))`;

function strided(bits: number): string {
  const B = BYTES[bits]!;
  const g = (n: string) => `(local.get ${n})`;
  const dv = (k: number) => `(i32.load offset=${k * 4} (local.get $desc))`;
  // odometer after a row: axis 4 steps, and carries into axis 3, then 2, ... (built inside out)
  let carry = '';
  for (let a = 0; a <= 4; a++) {
    const inner = carry;
    carry = `(local.set $i${a} (i32.add ${g(`$i${a}`)} (i32.const 1)))
      (local.set $sp (i32.add ${g('$sp')} ${g(`$s${a}`)}))
      (local.set $dp (i32.add ${g('$dp')} ${g(`$d${a}`)}))
      (if (i32.eq ${g(`$i${a}`)} ${g(`$n${a}`)}) (then
        (local.set $i${a} (i32.const 0))
        (local.set $sp (i32.sub ${g('$sp')} (i32.mul ${g(`$n${a}`)} ${g(`$s${a}`)})))
        (local.set $dp (i32.sub ${g('$dp')} (i32.mul ${g(`$n${a}`)} ${g(`$d${a}`)})))
        ${inner}))`;
  }
  const loads = Array.from({ length: 6 }, (_, k) => `(local.set $n${k} ${dv(k)}) (local.set $s${k} ${dv(6 + k)}) (local.set $d${k} ${dv(12 + k)})`).join('\n    ');
  const decompose = [4, 3, 2, 1, 0]
    .map((a) => `(local.set $i${a} (i32.rem_u ${g('$r')} ${g(`$n${a}`)})) (local.set $r (i32.div_u ${g('$r')} ${g(`$n${a}`)}))
    (local.set $sp (i32.add ${g('$sp')} (i32.mul ${g(`$i${a}`)} ${g(`$s${a}`)})))
    (local.set $dp (i32.add ${g('$dp')} (i32.mul ${g(`$i${a}`)} ${g(`$d${a}`)})))`)
    .join('\n    ');
  const lanes4 = `(block $xg (loop $lg
          (br_if $xg (i32.gt_u (i32.add ${g('$q')} (i32.const 16)) ${g('$qe')}))
          (local.set $v (v128.load32_lane 0 ${g('$p')} ${g('$v')}))
          (local.set $v (v128.load32_lane 1 (i32.add ${g('$p')} ${g('$s5')}) ${g('$v')}))
          (local.set $v (v128.load32_lane 2 (local.tee $t (i32.add ${g('$p')} (i32.shl ${g('$s5')} (i32.const 1)))) ${g('$v')}))
          (local.set $v (v128.load32_lane 3 (i32.add ${g('$t')} ${g('$s5')}) ${g('$v')}))
          (v128.store ${g('$q')} ${g('$v')})
          (local.set $p (i32.add ${g('$t')} (i32.shl ${g('$s5')} (i32.const 1))))
          (local.set $q (i32.add ${g('$q')} (i32.const 16)))
          (br $lg)))`;
  return `(func (export "copy_strided_x${bits}") (param $src i32) (param $dst i32) (param $desc i32) (param $start i32) (param $end i32)
    (local $n0 i32) (local $n1 i32) (local $n2 i32) (local $n3 i32) (local $n4 i32) (local $n5 i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $s4 i32) (local $s5 i32)
    (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32) (local $d4 i32) (local $d5 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32) (local $i4 i32)
    (local $r i32) (local $row i32) (local $sp i32) (local $dp i32) (local $p i32) (local $q i32) (local $qe i32) (local $t i32)
    (local $mode i32) (local $v v128)
    ${loads}
    (local.set $sp ${g('$src')}) (local.set $dp ${g('$dst')}) (local.set $r ${g('$start')})
    ${decompose}
    ;; row kind: 0 contiguous, 1 broadcast source, 2 gather 4-byte lanes, 3 element by element
    (local.set $mode (i32.const 3))
    (if (i32.eq ${g('$d5')} (i32.const ${B})) (then
      (if (i32.eq ${g('$s5')} (i32.const ${B})) (then (local.set $mode (i32.const 0)))
      (else (if (i32.eqz ${g('$s5')}) (then (local.set $mode (i32.const 1)))
      ${B === 4 ? '(else (local.set $mode (i32.const 2)))' : ''})))))
    (local.set $row ${g('$start')})
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('$row')} ${g('$end')}))
      (local.set $p ${g('$sp')}) (local.set $q ${g('$dp')})
      (local.set $qe (i32.add ${g('$dp')} (i32.mul ${g('$n5')} ${g('$d5')})))
      (block $row_done
        (if (i32.eqz ${g('$mode')}) (then
          (call $move_bytes ${g('$dp')} ${g('$sp')} (i32.mul ${g('$n5')} (i32.const ${B})))
          (br $row_done)))
        (if (i32.eq ${g('$mode')} (i32.const 1)) (then
          (local.set $v ${splat(bits, ld(bits, g('$p')))})
          (block $xb (loop $lb
            (br_if $xb (i32.gt_u (i32.add ${g('$q')} (i32.const 16)) ${g('$qe')}))
            (v128.store ${g('$q')} ${g('$v')})
            (local.set $q (i32.add ${g('$q')} (i32.const 16)))
            (br $lb)))))
        ${B === 4 ? `(if (i32.eq ${g('$mode')} (i32.const 2)) (then ${lanes4}))` : ''}
        ;; element by element (and the tails of modes 1 and 2)
        (block $xe (loop $le
          (br_if $xe (i32.eq ${g('$q')} ${g('$qe')}))
          ${st(bits, g('$q'), ld(bits, g('$p')))}
          (local.set $p (i32.add ${g('$p')} ${g('$s5')}))
          (local.set $q (i32.add ${g('$q')} ${g('$d5')}))
          (br $le))))
      ${carry}
      (local.set $row (i32.add ${g('$row')} (i32.const 1)))
      (br $rows))))`;
}

/** `copy_contig(src, dst, bytes)`: one contiguous run (memory.copy: memmove semantics). */
const COPY_CONTIG = `(func (export "copy_contig") (param $src i32) (param $dst i32) (param $n i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $n)))`;

/**
 * `pad_rows_x{bits}(src, dst, nb, ss, ds, off, tot, val, start, end)`: constant Pad in one pass over
 * the output (the fill-then-copy plan writes the interior twice). Row r of the collapsed interior
 * ([R, n], n·B = nb contiguous bytes, source rows ss bytes apart) goes to dst + off + r·ds; the
 * bytes after it up to the next row (the right pad of this row and the left pad of the next) are
 * filled with the element at `val`, clipped at tot bytes. The launcher fills [0, off) and what
 * follows the last row.
 */
function padRows(bits: number): string {
  const B = BYTES[bits]!;
  return `(func (export "pad_rows_x${bits}") (param $src i32) (param $dst i32) (param $nb i32) (param $ss i32) (param $ds i32) (param $off i32) (param $tot i32) (param $val i32) (param $start i32) (param $end i32)
    (local $r i32) (local $q i32) (local $qe i32) (local $lim i32) (local $v v128) (local $x ${bits === 64 ? 'i64' : 'i32'})
    (local.set $x ${ld(bits, '(local.get $val)')})
    (local.set $v ${splat(bits, '(local.get $x)')})
    (local.set $lim (i32.add (local.get $dst) (local.get $tot)))
    (local.set $r (local.get $start))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $q (i32.add (i32.add (local.get $dst) (local.get $off)) (i32.mul (local.get $r) (local.get $ds))))
      (call $move_bytes (local.get $q) (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $ss))) (local.get $nb))
      (local.set $q (i32.add (local.get $q) (local.get $nb)))
      (local.set $qe (i32.add (i32.sub (local.get $q) (local.get $nb)) (local.get $ds)))
      (if (i32.gt_u (local.get $qe) (local.get $lim)) (then (local.set $qe (local.get $lim))))
      (block $xv (loop $lv
        (br_if $xv (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $qe)))
        (v128.store (local.get $q) (local.get $v))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $lv)))
      (block $xe (loop $le
        (br_if $xe (i32.ge_u (local.get $q) (local.get $qe)))
        ${st(bits, '(local.get $q)', '(local.get $x)')}
        (local.set $q (i32.add (local.get $q) (i32.const ${B})))
        (br $le)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

const GATHER = `(func (export "gather_rows") (param $src i32) (param $dst i32) (param $idx i32) (param $nIdx i32) (param $axisDim i32) (param $rowBytes i32) (param $start i32) (param $end i32)
    (local $r i32) (local $o i32) (local $j i32)
    (local.set $r (local.get $start))
    (local.set $o (i32.div_u (local.get $r) (local.get $nIdx)))
    (local.set $j (i32.sub (local.get $r) (i32.mul (local.get $o) (local.get $nIdx))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (call $move_bytes
        (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $rowBytes)))
        (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $o) (local.get $axisDim)) (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2))))) (local.get $rowBytes)))
        (local.get $rowBytes))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (if (i32.eq (local.get $j) (local.get $nIdx)) (then (local.set $j (i32.const 0)) (local.set $o (i32.add (local.get $o) (i32.const 1)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;

/** gather_rows for rows of one element (bits wide): a load and a store per element, no copy call. */
function gatherElems(bits: number): string {
  const B = BYTES[bits]!;
  return `(func (export "gather_x${bits}") (param $src i32) (param $dst i32) (param $idx i32) (param $nIdx i32) (param $axisDim i32) (param $start i32) (param $end i32)
    (local $r i32) (local $o i32) (local $j i32)
    (local.set $r (local.get $start))
    (local.set $o (i32.div_u (local.get $r) (local.get $nIdx)))
    (local.set $j (i32.sub (local.get $r) (i32.mul (local.get $o) (local.get $nIdx))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      ${st(bits, `(i32.add (local.get $dst) (i32.mul (local.get $r) (i32.const ${B})))`, ld(bits, `(i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $o) (local.get $axisDim)) (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2))))) (i32.const ${B})))`))}
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (if (i32.eq (local.get $j) (local.get $nIdx)) (then (local.set $j (i32.const 0)) (local.set $o (i32.add (local.get $o) (i32.const 1)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

/** put_x{bits}(dst, pos, value, start, end): dst element pos[r] = the element at `value` (OneHot's on-values). */
function put(bits: number): string {
  const B = BYTES[bits]!;
  return `(func (export "put_x${bits}") (param $dst i32) (param $pos i32) (param $value i32) (param $start i32) (param $end i32)
    (local $r i32)
    (local.set $r (local.get $start))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      ${st(bits, `(i32.add (local.get $dst) (i32.mul (i32.load (i32.add (local.get $pos) (i32.shl (local.get $r) (i32.const 2)))) (i32.const ${B})))`, ld(bits, '(local.get $value)'))}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $l))))`;
}

const SCATTER = `(func (export "scatter_rows") (param $src i32) (param $dst i32) (param $idx i32) (param $rowBytes i32) (param $start i32) (param $end i32)
    (local $r i32)
    (local.set $r (local.get $start))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (call $move_bytes
        (i32.add (local.get $dst) (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $r) (i32.const 2)))) (local.get $rowBytes)))
        (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rowBytes)))
        (local.get $rowBytes))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;

/** A lane mask (all ones where the condition byte is non-zero) for 16 bytes of `bits`-wide output. */
function condMask(bits: number, c: string): string {
  const z = '(v128.const i32x4 0 0 0 0)';
  if (bits === 8) return `(i8x16.ne (v128.load ${c}) ${z})`;
  if (bits === 16) return `(i16x8.ne (i16x8.extend_low_i8x16_u (v128.load64_zero ${c})) ${z})`;
  if (bits === 32) return `(i32x4.ne (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero ${c}))) ${z})`;
  return `(i64x2.ne (i64x2.extend_low_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load16_lane 0 ${c} ${z})))) ${z})`;
}

function select(bits: number): string {
  const B = BYTES[bits]!;
  const per = 16 / B;
  const g = (n: string) => `(local.get ${n})`;
  return `(func (export "select_x${bits}") (param $c i32) (param $x i32) (param $y i32) (param $out i32) (param $start i32) (param $end i32)
    (local $i i32) (local $o i32)
    (local.set $i ${g('$start')})
    (block $xv (loop $lv
      (br_if $xv (i32.gt_u (i32.add ${g('$i')} (i32.const ${per})) ${g('$end')}))
      (local.set $o (i32.mul ${g('$i')} (i32.const ${B})))
      (v128.store (i32.add ${g('$out')} ${g('$o')})
        (v128.bitselect (v128.load (i32.add ${g('$x')} ${g('$o')})) (v128.load (i32.add ${g('$y')} ${g('$o')})) ${condMask(bits, `(i32.add ${g('$c')} ${g('$i')})`)}))
      (local.set $i (i32.add ${g('$i')} (i32.const ${per})))
      (br $lv)))
    (block $xs (loop $ls
      (br_if $xs (i32.ge_u ${g('$i')} ${g('$end')}))
      (local.set $o (i32.mul ${g('$i')} (i32.const ${B})))
      ${st(bits, `(i32.add ${g('$out')} ${g('$o')})`, `(select ${ld(bits, `(i32.add ${g('$x')} ${g('$o')})`)} ${ld(bits, `(i32.add ${g('$y')} ${g('$o')})`)} (i32.load8_u (i32.add ${g('$c')} ${g('$i')})))`)}
      (local.set $i (i32.add ${g('$i')} (i32.const 1)))
      (br $ls))))`;
}

/** float16 bits (low 16 of an i32) → f32, exact (subnormals, ±Inf, NaN payloads kept). */
const H2F = `(func $h2f (param $h i32) (result f32)
    (local $s i32) (local $e i32) (local $m i32)
    (local.set $s (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16)))
    (local.set $e (i32.and (i32.shr_u (local.get $h) (i32.const 10)) (i32.const 0x1f)))
    (local.set $m (i32.and (local.get $h) (i32.const 0x3ff)))
    (if (result f32) (i32.eq (local.get $e) (i32.const 31))
      (then (f32.reinterpret_i32 (i32.or (i32.or (local.get $s) (i32.const 0x7f800000)) (i32.shl (local.get $m) (i32.const 13)))))
      (else (if (result f32) (i32.eqz (local.get $e))
        (then (f32.reinterpret_i32 (i32.or (local.get $s) (i32.reinterpret_f32 (f32.mul (f32.convert_i32_u (local.get $m)) (f32.const 0x1p-24))))))
        (else (f32.reinterpret_i32 (i32.or (local.get $s) (i32.or (i32.shl (i32.add (local.get $e) (i32.const 112)) (i32.const 23)) (i32.shl (local.get $m) (i32.const 13))))))))))`;

/** f32 → float16 bits, round to nearest even; overflow to ±Inf, NaN stays NaN (quiet). */
const F2H = `(func $f2h (param $f f32) (result i32)
    (local $x i32) (local $a i32) (local $s i32)
    (local.set $x (i32.reinterpret_f32 (local.get $f)))
    (local.set $s (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 0x8000)))
    (local.set $a (i32.and (local.get $x) (i32.const 0x7fffffff)))
    (if (i32.gt_u (local.get $a) (i32.const 0x7f800000)) (then
      (return (i32.or (local.get $s) (i32.or (i32.const 0x7e00) (i32.and (i32.shr_u (local.get $a) (i32.const 13)) (i32.const 0x3ff)))))))
    (if (i32.ge_u (local.get $a) (i32.const 0x477ff000)) (then (return (i32.or (local.get $s) (i32.const 0x7c00)))))
    (if (i32.lt_u (local.get $a) (i32.const 0x38800000)) (then
      ;; below 2^-14: adding 0.5 puts the half-precision subnormal unit at the float32 ulp, so the
      ;; hardware's round-to-nearest-even does the rounding
      (return (i32.or (local.get $s) (i32.sub (i32.reinterpret_f32 (f32.add (f32.reinterpret_i32 (local.get $a)) (f32.const 0.5))) (i32.const 0x3f000000))))))
    (i32.or (local.get $s) (i32.shr_u
      (i32.add (i32.add (local.get $a) (i32.const 0xc8000fff)) (i32.and (i32.shr_u (local.get $a) (i32.const 13)) (i32.const 1)))
      (i32.const 13))))`;

/**
 * Each source dtype loads as one of six canonical scalars: f32 (float32, float16), f64, i32 (the
 * signed integers up to 32 bits, sign-extended), u32 (the unsigned ones and bool, zero-extended), i64, u64.
 */
type Canon = 'f32' | 'f64' | 'i32' | 'u32' | 'i64' | 'u64';
const CANON: Record<DType, Canon> = {
  float32: 'f32', float16: 'f32', float64: 'f64',
  int32: 'i32', int16: 'i32', int8: 'i32', int4: 'i32',
  uint32: 'u32', uint16: 'u32', uint8: 'u32', uint4: 'u32', bool: 'u32',
  int64: 'i64', uint64: 'u64',
};
const SIZE: Record<DType, number> = BYTES_PER_ELEMENT;

function loadAs(dt: DType, a: string): string {
  switch (dt) {
    case 'float32': return `(f32.load ${a})`;
    case 'float16': return `(call $h2f (i32.load16_u ${a}))`;
    case 'float64': return `(f64.load ${a})`;
    case 'int32': case 'uint32': return `(i32.load ${a})`;
    case 'int16': return `(i32.load16_s ${a})`;
    case 'uint16': return `(i32.load16_u ${a})`;
    case 'int8': case 'int4': return `(i32.load8_s ${a})`;
    case 'uint8': case 'uint4': case 'bool': return `(i32.load8_u ${a})`;
    case 'int64': case 'uint64': return `(i64.load ${a})`;
  }
}

/** float → int32 as x86-64 cvttss2si/cvttsd2si: truncation, and INT32_MIN for NaN, ±Inf and out-of-range values. */
const F2I32 = `(func $f2i32 (param $f f32) (result i32)
    (select (i32.trunc_sat_f32_s (local.get $f)) (i32.const 0x80000000) (f32.lt (f32.abs (local.get $f)) (f32.const 0x1p31))))`;
const F2I64 = `(func $f2i64 (param $f f32) (result i64)
    (select (i64.trunc_sat_f32_s (local.get $f)) (i64.const 0x8000000000000000) (f32.lt (f32.abs (local.get $f)) (f32.const 0x1p63))))`;
const D2I32 = `(func $d2i32 (param $f f64) (result i32)
    (select (i32.trunc_sat_f64_s (local.get $f)) (i32.const 0x80000000) (f64.lt (f64.abs (local.get $f)) (f64.const 0x1p31))))`;
const D2I64 = `(func $d2i64 (param $f f64) (result i64)
    (select (i64.trunc_sat_f64_s (local.get $f)) (i64.const 0x8000000000000000) (f64.lt (f64.abs (local.get $f)) (f64.const 0x1p63))))`;
/**
 * float → uint64 as the x86-64 code compilers emit for it: below 2^63 the signed conversion
 * (negative values wrap to two's complement), [2^63, 2^64) exactly, NaN and beyond 2^64 give 2^63.
 */
const D2U64 = `(func $d2u64 (param $f f64) (result i64)
    (if (result i64) (f64.lt (local.get $f) (f64.const 0x1p63))
      (then (call $d2i64 (local.get $f)))
      (else (select (i64.trunc_sat_f64_u (local.get $f)) (i64.const 0x8000000000000000) (f64.lt (local.get $f) (f64.const 0x1p64))))))`;
/**
 * float64 → float16 bits, rounded once to nearest even: demote to float32 rounding to odd (an inexact
 * result gets its last bit set, after stepping toward zero if the even rounding went up), which keeps
 * the information the second rounding needs, then $f2h.
 */
const D2H = `(func $d2h (param $d f64) (result i32)
    (local $r f32) (local $b i32)
    (local.set $r (f32.demote_f64 (local.get $d)))
    (local.set $b (i32.reinterpret_f32 (local.get $r)))
    (if (i32.and (f64.ne (f64.promote_f32 (local.get $r)) (local.get $d)) (f64.eq (local.get $d) (local.get $d))) (then
      (if (f64.gt (f64.abs (f64.promote_f32 (local.get $r))) (f64.abs (local.get $d))) (then
        (local.set $b (i32.sub (local.get $b) (i32.const 1)))))
      (local.set $b (i32.or (local.get $b) (i32.const 1)))))
    (call $f2h (f32.reinterpret_i32 (local.get $b))))`;

function asF64(c: Canon, v: string): string {
  return { f64: v, f32: `(f64.promote_f32 ${v})`, i32: `(f64.convert_i32_s ${v})`, u32: `(f64.convert_i32_u ${v})`, i64: `(f64.convert_i64_s ${v})`, u64: `(f64.convert_i64_u ${v})` }[c];
}
function asF32(c: Canon, v: string): string {
  return { f32: v, f64: `(f32.demote_f64 ${v})`, i32: `(f32.convert_i32_s ${v})`, u32: `(f32.convert_i32_u ${v})`, i64: `(f32.convert_i64_s ${v})`, u64: `(f32.convert_i64_u ${v})` }[c];
}
/** The low 32 bits of the integer (floats through the int32 conversion). */
function asI32(c: Canon, v: string): string {
  return { f32: `(call $f2i32 ${v})`, f64: `(call $d2i32 ${v})`, i32: v, u32: v, i64: `(i32.wrap_i64 ${v})`, u64: `(i32.wrap_i64 ${v})` }[c];
}
/** As a 64-bit integer; floats convert signed, or to uint64 with $d2u64 when `unsigned`. */
function asI64(c: Canon, v: string, unsigned: boolean): string {
  if (c === 'f32' || c === 'f64') {
    const d = c === 'f32' ? `(f64.promote_f32 ${v})` : v;
    return unsigned ? `(call $d2u64 ${d})` : c === 'f32' ? `(call $f2i64 ${v})` : `(call $d2i64 ${v})`;
  }
  return { i32: `(i64.extend_i32_s ${v})`, u32: `(i64.extend_i32_u ${v})`, i64: v, u64: v }[c];
}
function nonZero(c: Canon, v: string): string {
  return { f32: `(f32.ne ${v} (f32.const 0))`, f64: `(f64.ne ${v} (f64.const 0))`, i32: `(i32.ne ${v} (i32.const 0))`, u32: `(i32.ne ${v} (i32.const 0))`, i64: `(i64.ne ${v} (i64.const 0))`, u64: `(i64.ne ${v} (i64.const 0))` }[c];
}

function storeFrom(to: DType, c: Canon, a: string, v: string): string {
  switch (to) {
    case 'float32': return `(f32.store ${a} ${asF32(c, v)})`;
    case 'float64': return `(f64.store ${a} ${asF64(c, v)})`;
    case 'float16': return `(i32.store16 ${a} ${c === 'f64' ? `(call $d2h ${v})` : `(call $f2h ${asF32(c, v)})`})`;
    case 'int32': return `(i32.store ${a} ${asI32(c, v)})`;
    // float → uint32 converts through int64 (as x86-64 does), so [2^31, 2^32) stays exact
    case 'uint32': return `(i32.store ${a} ${c === 'f32' || c === 'f64' ? `(i32.wrap_i64 ${asI64(c, v, false)})` : asI32(c, v)})`;
    case 'int16': case 'uint16': return `(i32.store16 ${a} ${asI32(c, v)})`;
    case 'int8': case 'uint8': return `(i32.store8 ${a} ${asI32(c, v)})`;
    case 'int4': return `(i32.store8 ${a} (i32.shr_s (i32.shl ${asI32(c, v)} (i32.const 28)) (i32.const 28)))`;
    case 'uint4': return `(i32.store8 ${a} (i32.and ${asI32(c, v)} (i32.const 15)))`;
    case 'int64': return `(i64.store ${a} ${asI64(c, v, false)})`;
    case 'uint64': return `(i64.store ${a} ${asI64(c, v, true)})`;
    case 'bool': return `(i32.store8 ${a} ${nonZero(c, v)})`;
  }
}

export const CAST_DTYPES: readonly DType[] = DTYPES;

const i4 = (x: number) => `(v128.const i32x4 ${x} ${x} ${x} ${x})`;
const g = (n: string) => `(local.get ${n})`;

/** float16 → float32 on 4 lanes of $v (halves zero-extended to i32), exact: the scalar $h2f, branch-free. */
const H2F_X4 = `(v128.or (i32x4.shl (v128.and ${g('$v')} ${i4(0x8000)}) (i32.const 16))
    (v128.bitselect
      (f32x4.sub (i32x4.add (local.tee $w (i32x4.add (local.tee $u (i32x4.shl (v128.and ${g('$v')} ${i4(0x7fff)}) (i32.const 13))) ${i4(0x38000000)})) ${i4(0x00800000)}) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))
      (v128.bitselect (i32x4.add ${g('$w')} ${i4(0x38000000)}) ${g('$w')} (i32x4.eq (v128.and ${g('$u')} ${i4(0x0f800000)}) ${i4(0x0f800000)}))
      (i32x4.eq (v128.and ${g('$u')} ${i4(0x0f800000)}) ${i4(0)})))`;

/** float32 → float16 bits on 4 lanes of $v, the scalar $f2h's four cases selected by lane masks. */
const F2H_X4 = `(v128.or (v128.and (i32x4.shr_u ${g('$v')} (i32.const 16)) ${i4(0x8000)})
    (v128.bitselect (v128.or ${i4(0x7e00)} (v128.and (i32x4.shr_u (local.tee $u (v128.and ${g('$v')} ${i4(0x7fffffff)})) (i32.const 13)) ${i4(0x3ff)}))
      (v128.bitselect ${i4(0x7c00)}
        (v128.bitselect (i32x4.sub (f32x4.add ${g('$u')} (v128.const f32x4 0.5 0.5 0.5 0.5)) ${i4(0x3f000000)})
          (i32x4.shr_u (i32x4.add (i32x4.add ${g('$u')} ${i4(0xc8000fff | 0)}) (v128.and (i32x4.shr_u ${g('$u')} (i32.const 13)) ${i4(1)})) (i32.const 13))
          (i32x4.lt_u ${g('$u')} ${i4(0x38800000)}))
        (i32x4.ge_u ${g('$u')} ${i4(0x477ff000)}))
      (i32x4.gt_u ${g('$u')} ${i4(0x7f800000)})))`;

interface CastX4 {
  /** Loads 4 source elements into $v (as 32-bit lanes). */
  load: (addr: string) => string;
  body: string;
  store: (addr: string, v: string) => string;
}
/** A whole step of 4 elements, for pairs whose lanes change width (a: source of element i, b: its destination). */
type CastStep4 = (a: string, b: string) => string;
const LOAD128 = (a: string) => `(v128.load ${a})`;
const STORE128 = (a: string, v: string) => `(v128.store ${a} ${v})`;
const STORE64 = (a: string, v: string) => `(v128.store64_lane 0 ${a} ${v})`;
const widen16 = (signed: boolean) => (a: string) => `(i32x4.extend_low_i16x8_${signed ? 's' : 'u'} (v128.load64_zero ${a}))`;
const widen8 = (signed: boolean) => (a: string) => `(i32x4.extend_low_i16x8_${signed ? 's' : 'u'} (i16x8.extend_low_i8x16_${signed ? 's' : 'u'} (v128.load32_zero ${a})))`;
/** Two f64x2 halves of four 32-bit lanes loaded 8 bytes at a time. */
const toF64x2 = (conv: string, ea: number): CastStep4 => (a, b) =>
  `(v128.store ${b} (${conv} (v128.load64_zero ${a})))
      (v128.store offset=16 ${b} (${conv} (v128.load64_zero offset=${2 * ea} ${a})))`;

/** Four-lane bodies for the conversions SIMD128 has (the scalar loop takes the tail). */
const CAST_X4: Partial<Record<string, CastX4 | CastStep4>> = {
  // x86 cvttss2si: NaN, ±Inf and |x| ≥ 2^31 give INT32_MIN
  float32_int32: {
    load: LOAD128,
    body: `(v128.bitselect (i32x4.trunc_sat_f32x4_s ${g('$v')}) ${i4(0x80000000 | 0)} (f32x4.lt (f32x4.abs ${g('$v')}) (v128.const f32x4 0x1p31 0x1p31 0x1p31 0x1p31)))`,
    store: STORE128,
  },
  int32_float32: { load: LOAD128, body: `(f32x4.convert_i32x4_s ${g('$v')})`, store: STORE128 },
  uint32_float32: { load: LOAD128, body: `(f32x4.convert_i32x4_u ${g('$v')})`, store: STORE128 },
  float16_float32: { load: (a) => `(i32x4.extend_low_i16x8_u (v128.load64_zero ${a}))`, body: H2F_X4, store: STORE128 },
  float32_float16: { load: LOAD128, body: F2H_X4, store: (a, v) => `(v128.store64_lane 0 ${a} (i16x8.narrow_i32x4_u ${v} ${v}))` },
  // widening integer casts and small integers to float32
  int16_int32: { load: widen16(true), body: g('$v'), store: STORE128 },
  uint16_int32: { load: widen16(false), body: g('$v'), store: STORE128 },
  int16_float32: { load: widen16(true), body: `(f32x4.convert_i32x4_s ${g('$v')})`, store: STORE128 },
  uint16_float32: { load: widen16(false), body: `(f32x4.convert_i32x4_s ${g('$v')})`, store: STORE128 },
  uint8_float32: { load: widen8(false), body: `(f32x4.convert_i32x4_s ${g('$v')})`, store: STORE128 },
  int8_float32: { load: widen8(true), body: `(f32x4.convert_i32x4_s ${g('$v')})`, store: STORE128 },
  int8_int16: { load: widen8(true), body: `(i16x8.narrow_i32x4_s ${g('$v')} ${g('$v')})`, store: STORE64 },
  uint8_uint16: { load: widen8(false), body: `(i16x8.narrow_i32x4_u ${g('$v')} ${g('$v')})`, store: STORE64 },
  // integer narrowing wraps: keep the low half of each lane
  int32_int16: { load: LOAD128, body: `(i8x16.shuffle 0 1 4 5 8 9 12 13 0 1 4 5 8 9 12 13 ${g('$v')} ${g('$v')})`, store: STORE64 },
  // float64 ⇄ float32 and 32-bit integers → float64, two lanes per f64x2
  float32_float64: toF64x2('f64x2.promote_low_f32x4', 4),
  int32_float64: toF64x2('f64x2.convert_low_i32x4_s', 4),
  uint32_float64: toF64x2('f64x2.convert_low_i32x4_u', 4),
  float64_float32: (a, b) => `(v128.store ${b} (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (v128.load ${a})) (f32x4.demote_f64x2_zero (v128.load offset=16 ${a}))))`,
};

function cast(from: DType, to: DType): string {
  const x4 = CAST_X4[`${from}_${to}`];
  const a = `(i32.add (local.get $src) (i32.mul (local.get $i) (i32.const ${SIZE[from]})))`;
  const b = `(i32.add (local.get $dst) (i32.mul (local.get $i) (i32.const ${SIZE[to]})))`;
  const step = x4 === undefined ? '' : typeof x4 === 'function' ? x4(a, b) : `(local.set $v ${x4.load(a)})
      ${x4.store(b, x4.body)}`;
  return `(func (export "cast_${from}_${to}") (param $src i32) (param $dst i32) (param $start i32) (param $end i32)
    (local $i i32) (local $v v128) (local $u v128) (local $w v128)
    (local.set $i (local.get $start))
    ${x4 ? `(block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $end)))
      ${step}
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vl)))` : ''}
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      ${storeFrom(to, CANON[from], b, loadAs(from, a))}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))`;
}

export const copyFamily: WatFamily = {
  name: 'copy',
  usesRelaxed: false,
  emit(v) {
    const casts: string[] = [];
    for (const f of CAST_DTYPES) for (const t of CAST_DTYPES) if (f !== t) casts.push(cast(f, t));
    return `(module\n${memoryImport(v)}\n${MOVE_BYTES}\n${ELEM_BITS.map(strided).join('\n')}\n${ELEM_BITS.map(padRows).join('\n')}\n${COPY_CONTIG}\n${GATHER}\n${ELEM_BITS.map(gatherElems).join('\n')}\n${ELEM_BITS.map(put).join('\n')}\n${SCATTER}\n${ELEM_BITS.map(select).join('\n')}\n${H2F}\n${F2H}\n${F2I32}\n${F2I64}\n${D2I32}\n${D2I64}\n${D2U64}\n${D2H}\n${casts.join('\n')}\n)`;
  },
};
