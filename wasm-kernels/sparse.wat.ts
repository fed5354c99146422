/**
 * The `sparse` family: index arithmetic on COO sparse tensors (int32 indices [nnz, rank]).
 *
 *   sparse_reshape_i32(idx, inRank, inStrides, outRank, outStrides, out, start, end):
 *     rows [start, end): the linear position Σ idx[k]·inStrides[k] (int64 strides, an int64 sum)
 *     split again by the output strides: out[k] = (pos / outStrides[k]) then pos %= outStrides[k].
 *   fill_empty_rows_b32(idx, vals, dflt, n, rank, denseRows, outIdx, outVals, empty, rev, count, scratch):
 *     SparseFillEmptyRows over 4-byte values: entries are regrouped by row (order kept within a
 *     row), every row without entries gets one at (row, 0, ..., 0) holding *dflt, empty[row] (u8)
 *     flags those rows, rev[i] is entry i's output position, count[0] the number of output
 *     entries. A row index outside [0, denseRows) stops the kernel with count[0] = −(i + 1) for the
 *     first such entry i. scratch: 2·denseRows int32 (row end offsets, entries placed per row).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const RESHAPE = `(func (export "sparse_reshape_i32") (param $idx i32) (param $inRank i32) (param $inStrides i32) (param $outRank i32) (param $outStrides i32) (param $out i32) (param $start i32) (param $end i32)
  (local $i i32) (local $k i32) (local $pos i64) (local $s i64) (local $p i32) (local $q i32)
  (local.set $i (local.get $start))
  (block $ix (loop $il
    (br_if $ix (i32.ge_u (local.get $i) (local.get $end)))
    (local.set $p (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $i) (local.get $inRank)) (i32.const 2))))
    (local.set $pos (i64.const 0))
    (local.set $k (i32.const 0))
    (block $ax (loop $al
      (br_if $ax (i32.ge_u (local.get $k) (local.get $inRank)))
      (local.set $pos (i64.add (local.get $pos) (i64.mul (i64.extend_i32_s (i32.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))))
        (i64.load (i32.add (local.get $inStrides) (i32.shl (local.get $k) (i32.const 3)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $al)))
    (local.set $q (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $outRank)) (i32.const 2))))
    (local.set $k (i32.const 0))
    (block $bx (loop $bl
      (br_if $bx (i32.ge_u (local.get $k) (local.get $outRank)))
      (local.set $s (i64.load (i32.add (local.get $outStrides) (i32.shl (local.get $k) (i32.const 3)))))
      (i32.store (i32.add (local.get $q) (i32.shl (local.get $k) (i32.const 2))) (i32.wrap_i64 (i64.div_s (local.get $pos) (local.get $s))))
      (local.set $pos (i64.rem_s (local.get $pos) (local.get $s)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $bl)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $il))))`;

const FILL = `(func (export "fill_empty_rows_b32") (param $idx i32) (param $vals i32) (param $dflt i32) (param $n i32) (param $rank i32) (param $rows i32)
  (param $outIdx i32) (param $outVals i32) (param $empty i32) (param $rev i32) (param $count i32) (param $scratch i32)
  (local $i i32) (local $r i32) (local $k i32) (local $row i32) (local $csr i32) (local $filled i32) (local $pos i32) (local $c i32) (local $rowBytes i32)
  (local.set $csr (local.get $scratch))
  (local.set $filled (i32.add (local.get $scratch) (i32.shl (local.get $rows) (i32.const 2))))
  (local.set $rowBytes (i32.shl (local.get $rank) (i32.const 2)))
  (memory.fill (local.get $scratch) (i32.const 0) (i32.shl (local.get $rows) (i32.const 3)))
  ;; entries per row, checking each row index
  (block $ax (loop $al
    (br_if $ax (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $row (i32.load (i32.add (local.get $idx) (i32.mul (local.get $i) (local.get $rowBytes)))))
    (if (i32.ge_u (local.get $row) (local.get $rows)) (then
      (i32.store (local.get $count) (i32.sub (i32.const -1) (local.get $i)))
      (return)))
    (i32.store (i32.add (local.get $csr) (i32.shl (local.get $row) (i32.const 2)))
      (i32.add (i32.load (i32.add (local.get $csr) (i32.shl (local.get $row) (i32.const 2)))) (i32.const 1)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $al)))
  ;; empty flags; end offsets with one slot for each empty row
  (local.set $pos (i32.const 0))
  (block $bx (loop $bl
    (br_if $bx (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $c (i32.load (i32.add (local.get $csr) (i32.shl (local.get $r) (i32.const 2)))))
    (i32.store8 (i32.add (local.get $empty) (local.get $r)) (i32.eqz (local.get $c)))
    (local.set $pos (i32.add (local.get $pos) (select (local.get $c) (i32.const 1) (local.get $c))))
    (i32.store (i32.add (local.get $csr) (i32.shl (local.get $r) (i32.const 2))) (local.get $pos))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $bl)))
  (i32.store (local.get $count) (local.get $pos))
  ;; entries to their row's next slot
  (local.set $i (i32.const 0))
  (block $cx (loop $cl
    (br_if $cx (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $row (i32.load (i32.add (local.get $idx) (i32.mul (local.get $i) (local.get $rowBytes)))))
    (local.set $c (i32.load (i32.add (local.get $filled) (i32.shl (local.get $row) (i32.const 2)))))
    (local.set $pos (i32.add (local.get $c)
      (if (result i32) (local.get $row) (then (i32.load (i32.add (local.get $csr) (i32.shl (i32.sub (local.get $row) (i32.const 1)) (i32.const 2))))) (else (i32.const 0)))))
    (i32.store (i32.add (local.get $filled) (i32.shl (local.get $row) (i32.const 2))) (i32.add (local.get $c) (i32.const 1)))
    (memory.copy (i32.add (local.get $outIdx) (i32.mul (local.get $pos) (local.get $rowBytes))) (i32.add (local.get $idx) (i32.mul (local.get $i) (local.get $rowBytes))) (local.get $rowBytes))
    (i32.store (i32.add (local.get $outVals) (i32.shl (local.get $pos) (i32.const 2))) (i32.load (i32.add (local.get $vals) (i32.shl (local.get $i) (i32.const 2)))))
    (i32.store (i32.add (local.get $rev) (i32.shl (local.get $i) (i32.const 2))) (local.get $pos))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $cl)))
  ;; the default entry of each empty row
  (local.set $r (i32.const 0))
  (block $dx (loop $dl
    (br_if $dx (i32.ge_u (local.get $r) (local.get $rows)))
    (if (i32.eqz (i32.load (i32.add (local.get $filled) (i32.shl (local.get $r) (i32.const 2))))) (then
      (local.set $pos (if (result i32) (local.get $r) (then (i32.load (i32.add (local.get $csr) (i32.shl (i32.sub (local.get $r) (i32.const 1)) (i32.const 2))))) (else (i32.const 0))))
      (memory.fill (i32.add (local.get $outIdx) (i32.mul (local.get $pos) (local.get $rowBytes))) (i32.const 0) (local.get $rowBytes))
      (i32.store (i32.add (local.get $outIdx) (i32.mul (local.get $pos) (local.get $rowBytes))) (local.get $r))
      (i32.store (i32.add (local.get $outVals) (i32.shl (local.get $pos) (i32.const 2))) (i32.load (local.get $dflt)))))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $dl))))`;

export const sparseFamily: WatFamily = {
  name: 'sparse',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    return `(module\n${memoryImport(v)}\n${RESHAPE}\n${FILL}\n)`;
  },
};
