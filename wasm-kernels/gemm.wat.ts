/**
 * The `gemm` family: C[b] = act(alpha · op(A[b]) · op(B[b]) + beta · bias) for MatMul and Gemm.
 *
 * Layouts
 * - B is packed once per weight into panels of NR = 8 columns: panel p holds, for every k, the 8
 *   floats B(k, 8p..8p+7) (zero past N), K·8 floats per panel. `f32_gemm_pack_b8` does it for any
 *   B strides (transB included); it is a bit copy, so int32 uses it too.
 * - A is packed per (K block, row tile) into a per-task scratch slot as [k][MR] (`$pack_a_<MR>`),
 *   rows past M repeating the last row: those lanes then compute and store the same values into the
 *   same C row, so the microkernels need no row masking.
 *
 * Drivers `f32_gemm_<MR>x8(pb, t0, t1)` / `i32_gemm_4x8(pb, t0, t1)` read a parameter block `pb`
 * (layout: PB below) and run tasks [t0, t1). Work items are (batch, column group, row tile) with the
 * row tile fastest; task t owns items [t·W/T, (t+1)·W/T) and scratch slot t. Per item range:
 * for N block (NC_PANELS panels) → for K block (KC) → for row tile: pack A, sweep the panels with the
 * microkernel (accumulating into C after the first K block), and after the last K block run the
 * epilogue (alpha, bias, activation) over the tile's finished strip while it is in cache.
 *
 * `f32_gemv(pb, w0, w1)` serves M = 1 or N = 1 without packing: `dot` mode (y_j = x · row j) and
 * `axpy` mode (y = Σ_k x_k · row k); work items are (batch, group of outputs).
 *
 * Numerics: plain IEEE mul/add (or relaxed_madd), every product computed (0·Inf = NaN stays).
 * sigmoid/tanh/elu use an expm1 with Cody–Waite reduction and a degree-8 Taylor polynomial; gelu
 * uses erfc (Numerical Recipes' Chebyshev fit) with an exact-head exp. Measured against float64 over
 * 20k points in ±20: max relative error sigmoid 1.3e-7, tanh 1.6e-7, elu 7e-8, gelu 4.3e-7.
 */
import { F32_TILES, I32_MR, KC, NR } from './gemm-config.js';
import { madd, memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';
import { f32ConvGemmExport, packAConv, packConvCall } from './conv-gemm.wat.js';

/** Parameter block: i32/f32 word indices. The launcher fills it (gemm-launch.ts). */
export const PB = {
  aTab: 0, bTab: 1, c: 2, M: 3, N: 4, K: 5, rsA: 6, csA: 7, KC: 8, NCP: 9, tilesM: 10, CG: 11, PPG: 12,
  W: 13, T: 14, scratch: 15, slotBytes: 16, flags: 17, alpha: 18, beta: 19, bias: 20, brs: 21, bcs: 22,
  act: 23, p0: 24, p1: 25, mode: 26, rs: 27, L: 28, G: 29, GPB: 30, xTab: 31,
  words: 32,
} as const;

/** flags bits */
export const EPI_APPLY = 1;
export const EPI_BIAS = 2;

/** Activation codes of the epilogue. */
export const ACT_CODES = { linear: 0, relu: 1, relu6: 2, leakyRelu: 3, clip: 4, sigmoid: 5, tanh: 6, gelu: 7, elu: 8, hardSigmoid: 9 } as const;

const rng = (n: number) => Array.from({ length: n }, (_, i) => i);
const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const f4 = (x: number) => `(v128.const f32x4 ${[x, x, x, x].map(lit).join(' ')})`;
function lit(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return Object.is(x, -0) ? '-0x0p+0' : x.toString();
}
const ld = (word: number) => `(i32.load offset=${word * 4} (local.get $pb))`;
const ldf = (word: number) => `(f32.load offset=${word * 4} (local.get $pb))`;
const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
const Z = '(v128.const i32x4 0 0 0 0)';

// ---------------------------------------------------------------- microkernels

/**
 * MR×8 microkernel over a packed A tile and a packed B panel slice: kc steps of one 8-float B row
 * (2 vectors) against MR splats of A. Stores nc (≤ 8) columns of MR rows (row pointers past mr repeat
 * the last row); adds to C when `accum`. int32 builds the same shape with i32x4.mul/add.
 */
function microkernel(v: WatVariant, MR: number, int: boolean): string {
  const NV = NR / 4;
  const acc = (r: number, j: number) => `$x${r}_${j}`;
  const L: string[] = [];
  L.push(`(func $uk_${int ? 'i32' : 'f32'}_${MR}x${NR} (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $kc i32) (param $mr i32) (param $nc i32) (param $accum i32)`);
  L.push(rng(MR).map((r) => `(local $c${r} i32)`).join(' ') + ' (local $n i32) (local $p i32) (local $va v128) (local $t v128)');
  L.push(rng(MR).flatMap((r) => rng(NV).map((j) => `(local ${acc(r, j)} v128)`)).join(' ') + ' ' + rng(NV).map((j) => `(local $vb${j} v128)`).join(' '));
  L.push(`(local.set $c0 ${g('$c')})`);
  for (let r = 1; r < MR; r++) L.push(`(local.set $c${r} (select (i32.add ${g(`$c${r - 1}`)} ${g('$ldc')}) ${g(`$c${r - 1}`)} (i32.gt_u ${g('$mr')} ${i(r)})))`);
  L.push(`(if ${g('$accum')} (then (if (i32.eq ${g('$nc')} ${i(NR)}) (then`);
  for (const r of rng(MR)) for (const j of rng(NV)) L.push(`(local.set ${acc(r, j)} (v128.load offset=${j * 16} ${g(`$c${r}`)}))`);
  L.push(`) (else`);
  for (const r of rng(MR)) L.push(partialLoad(NV, r, acc));
  L.push(`))) (else`);
  for (const r of rng(MR)) for (const j of rng(NV)) L.push(`(local.set ${acc(r, j)} ${Z})`);
  L.push(`))`);
  const fma = (a: string, b: string, c: string) => (int ? `(i32x4.add (i32x4.mul ${a} ${b}) ${c})` : madd(v, a, b, c));
  L.push(`(block $done (loop $k (br_if $done (i32.eqz ${g('$kc')}))`);
  for (const j of rng(NV)) L.push(`(local.set $vb${j} (v128.load offset=${j * 16} ${g('$b')}))`);
  for (const r of rng(MR)) {
    L.push(`(local.set $va (v128.load32_splat offset=${r * 4} ${g('$a')}))`);
    for (const j of rng(NV)) L.push(`(local.set ${acc(r, j)} ${fma(g('$va'), g(`$vb${j}`), g(acc(r, j)))})`);
  }
  L.push(`(local.set $a (i32.add ${g('$a')} ${i(MR * 4)})) (local.set $b (i32.add ${g('$b')} ${i(NR * 4)}))`);
  L.push(`(local.set $kc (i32.sub ${g('$kc')} ${i(1)})) (br $k)))`);
  L.push(`(if (i32.eq ${g('$nc')} ${i(NR)}) (then`);
  for (const r of rng(MR)) for (const j of rng(NV)) L.push(`(v128.store offset=${j * 16} ${g(`$c${r}`)} ${g(acc(r, j))})`);
  L.push(`) (else`);
  for (const r of rng(MR)) L.push(partialStore(NV, r, acc));
  L.push(`)))`);
  return L.join('\n');
}

/** Row r's accumulators = the first $nc (< NR) floats at $c<r>, the rest 0. */
function partialLoad(NV: number, r: number, acc: (r: number, j: number) => string): string {
  const S = [`(local.set $n ${g('$nc')}) (local.set $p ${g(`$c${r}`)})`];
  for (const j of rng(NV)) S.push(`(local.set ${acc(r, j)} ${Z})`);
  S.push(`(block $pl${r}`);
  for (const j of rng(NV)) {
    const a = acc(r, j);
    S.push(`(if (i32.lt_u ${g('$n')} ${i(4)}) (then
      (if (i32.and ${g('$n')} ${i(2)})
        (then (local.set ${a} (v128.load64_zero ${g('$p')}))
          (if (i32.and ${g('$n')} ${i(1)}) (then (local.set ${a} (v128.load32_lane offset=8 2 ${g('$p')} ${g(a)})))))
        (else (if (i32.and ${g('$n')} ${i(1)}) (then (local.set ${a} (v128.load32_zero ${g('$p')}))))))
      (br $pl${r})))
      (local.set ${a} (v128.load ${g('$p')})) (local.set $p (i32.add ${g('$p')} ${i(16)})) (local.set $n (i32.sub ${g('$n')} ${i(4)}))`);
  }
  S.push(`)`);
  return S.join('\n');
}

/** Store the first $nc (< NR) lanes of row r's accumulators at $c<r>. */
function partialStore(NV: number, r: number, acc: (r: number, j: number) => string): string {
  const S = [`(local.set $n ${g('$nc')}) (local.set $p ${g(`$c${r}`)})`];
  S.push(`(block $ps${r}`);
  for (const j of rng(NV)) {
    const a = acc(r, j);
    S.push(`(if (i32.lt_u ${g('$n')} ${i(4)}) (then (local.set $t ${g(a)})
      (if (i32.and ${g('$n')} ${i(2)}) (then (v128.store64_lane 0 ${g('$p')} ${g('$t')}) (local.set $p (i32.add ${g('$p')} ${i(8)}))
        (local.set $t (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 ${g('$t')} ${g('$t')}))))
      (if (i32.and ${g('$n')} ${i(1)}) (then (v128.store32_lane 0 ${g('$p')} ${g('$t')})))
      (br $ps${r})))
      (v128.store ${g('$p')} ${g(a)}) (local.set $p (i32.add ${g('$p')} ${i(16)})) (local.set $n (i32.sub ${g('$n')} ${i(4)}))`);
  }
  S.push(`)`);
  return S.join('\n');
}

// ---------------------------------------------------------------- packing

/** 4×4 transpose of $r0..$r3 into $r0..$r3 (through $u0..$u3). */
const TRANSPOSE4 = `
  (local.set $u0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 ${g('$r0')} ${g('$r1')}))
  (local.set $u1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 ${g('$r0')} ${g('$r1')}))
  (local.set $u2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 ${g('$r2')} ${g('$r3')}))
  (local.set $u3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 ${g('$r2')} ${g('$r3')}))
  (local.set $r0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${g('$u0')} ${g('$u2')}))
  (local.set $r1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${g('$u0')} ${g('$u2')}))
  (local.set $r2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${g('$u1')} ${g('$u3')}))
  (local.set $r3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${g('$u1')} ${g('$u3')}))`;
const TLOCALS = '(local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)';

/**
 * Pack an mr×kc block of A (element (r, k) at a + r·rsA + k·csA bytes) as [k][MR] at dst, rows ≥ mr
 * repeating row mr−1. Contiguous rows (csA = 4) go 4 k at a time through 4×4 transposes.
 */
function packA(MR: number): string {
  const L: string[] = [];
  L.push(`(func $pack_a_${MR} (param $a i32) (param $rsA i32) (param $csA i32) (param $mr i32) (param $kc i32) (param $dst i32)`);
  L.push(rng(MR).map((r) => `(local $a${r} i32)`).join(' ') + ` (local $k i32) ${TLOCALS}`);
  L.push(`(local.set $a0 ${g('$a')})`);
  for (let r = 1; r < MR; r++) L.push(`(local.set $a${r} (select (i32.add ${g(`$a${r - 1}`)} ${g('$rsA')}) ${g(`$a${r - 1}`)} (i32.gt_u ${g('$mr')} ${i(r)})))`);
  L.push(`(if (i32.eq ${g('$csA')} ${i(4)}) (then (block $d4 (loop $l4 (br_if $d4 (i32.lt_u ${g('$kc')} ${i(4)}))`);
  for (let r0 = 0; r0 < MR; r0 += 4) {
    const n = Math.min(4, MR - r0);
    for (const q of rng(4)) L.push(`(local.set $r${q} (v128.load ${g(`$a${r0 + Math.min(q, n - 1)}`)}))`);
    L.push(TRANSPOSE4);
    for (const u of rng(4)) {
      const off = (u * MR + r0) * 4;
      if (n === 4) L.push(`(v128.store offset=${off} ${g('$dst')} ${g(`$r${u}`)})`);
      else if (n === 2) L.push(`(v128.store64_lane offset=${off} 0 ${g('$dst')} ${g(`$r${u}`)})`);
      else throw new Error('pack_a: MR must be a sum of 4s and one 2');
    }
  }
  for (const r of rng(MR)) L.push(`(local.set $a${r} (i32.add ${g(`$a${r}`)} ${i(16)}))`);
  L.push(`(local.set $dst (i32.add ${g('$dst')} ${i(16 * MR)})) (local.set $kc (i32.sub ${g('$kc')} ${i(4)})) (br $l4)))))`);
  L.push(`(block $d1 (loop $l1 (br_if $d1 (i32.eqz ${g('$kc')}))`);
  for (const r of rng(MR)) L.push(`(i32.store offset=${r * 4} ${g('$dst')} (i32.load ${g(`$a${r}`)})) (local.set $a${r} (i32.add ${g(`$a${r}`)} ${g('$csA')}))`);
  L.push(`(local.set $dst (i32.add ${g('$dst')} ${i(MR * 4)})) (local.set $kc (i32.sub ${g('$kc')} ${i(1)})) (br $l1))))`);
  return L.join('\n');
}

/**
 * `f32_gemm_pack_b8(src, rsB, csB, K, N, dst, p0, p1)`: panels [p0, p1) of B (element (k, j) at
 * src + k·rsB + j·csB bytes) into dst as [panel][k][8]. Row-major full panels copy two vectors per k;
 * column-major full panels (transB) go through 4×4 transposes; edges element by element.
 */
function packB(): string {
  return `(func (export "f32_gemm_pack_b8") (param $src i32) (param $rsB i32) (param $csB i32) (param $K i32) (param $N i32) (param $dst i32) (param $p0 i32) (param $p1 i32)
  (local $p i32) (local $j0 i32) (local $nc i32) (local $s i32) (local $d i32) (local $k i32) (local $j i32) (local $q i32) (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) ${TLOCALS}
  (local.set $p ${g('$p0')})
  (block $pd (loop $pl (br_if $pd (i32.ge_u ${g('$p')} ${g('$p1')}))
    (local.set $j0 (i32.mul ${g('$p')} ${i(NR)}))
    (local.set $nc ${min(i(NR), `(i32.sub ${g('$N')} ${g('$j0')})`)})
    (local.set $s (i32.add ${g('$src')} (i32.mul ${g('$j0')} ${g('$csB')})))
    (local.set $d (i32.add ${g('$dst')} (i32.shl (i32.mul ${g('$p')} ${g('$K')}) ${i(5)})))
    (local.set $k ${i(0)})
    (if (i32.and (i32.eq ${g('$nc')} ${i(NR)}) (i32.eq ${g('$csB')} ${i(4)})) (then
      (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$k')} ${g('$K')}))
        (v128.store ${g('$d')} (v128.load ${g('$s')})) (v128.store offset=16 ${g('$d')} (v128.load offset=16 ${g('$s')}))
        (local.set $s (i32.add ${g('$s')} ${g('$rsB')})) (local.set $d (i32.add ${g('$d')} ${i(32)}))
        (local.set $k (i32.add ${g('$k')} ${i(1)})) (br $rl)))))
    (if (i32.and (i32.eq ${g('$nc')} ${i(NR)}) (i32.eq ${g('$rsB')} ${i(4)})) (then
      (block $td (loop $tl (br_if $td (i32.gt_u (i32.add ${g('$k')} ${i(4)}) ${g('$K')}))
        (local.set $q ${i(0)})
        (loop $ql
          (local.set $s0 (i32.add ${g('$s')} (i32.mul ${g('$q')} ${g('$csB')})))
          (local.set $s1 (i32.add ${g('$s0')} ${g('$csB')})) (local.set $s2 (i32.add ${g('$s1')} ${g('$csB')})) (local.set $s3 (i32.add ${g('$s2')} ${g('$csB')}))
          (local.set $r0 (v128.load ${g('$s0')})) (local.set $r1 (v128.load ${g('$s1')})) (local.set $r2 (v128.load ${g('$s2')})) (local.set $r3 (v128.load ${g('$s3')}))
          ${TRANSPOSE4}
          (local.set $s0 (i32.add ${g('$d')} (i32.shl ${g('$q')} ${i(2)})))
          (v128.store ${g('$s0')} ${g('$r0')}) (v128.store offset=32 ${g('$s0')} ${g('$r1')}) (v128.store offset=64 ${g('$s0')} ${g('$r2')}) (v128.store offset=96 ${g('$s0')} ${g('$r3')})
          (br_if $ql (i32.lt_u (local.tee $q (i32.add ${g('$q')} ${i(4)})) ${i(NR)})))
        (local.set $s (i32.add ${g('$s')} ${i(16)})) (local.set $d (i32.add ${g('$d')} ${i(128)}))
        (local.set $k (i32.add ${g('$k')} ${i(4)})) (br $tl)))))
    (block $ed (loop $el (br_if $ed (i32.ge_u ${g('$k')} ${g('$K')}))
      (local.set $j ${i(0)})
      (loop $jl
        (i32.store ${g('$d')} (if (result i32) (i32.lt_u ${g('$j')} ${g('$nc')}) (then (i32.load (i32.add ${g('$s')} (i32.mul ${g('$j')} ${g('$csB')})))) (else ${i(0)})))
        (local.set $d (i32.add ${g('$d')} ${i(4)}))
        (br_if $jl (i32.lt_u (local.tee $j (i32.add ${g('$j')} ${i(1)})) ${i(NR)})))
      (local.set $s (i32.add ${g('$s')} ${g('$rsB')}))
      (local.set $k (i32.add ${g('$k')} ${i(1)})) (br $el)))
    (local.set $p (i32.add ${g('$p')} ${i(1)})) (br $pl))))`;
}

// ---------------------------------------------------------------- drivers

/**
 * `<name>(pb, t0, t1)`: tasks [t0, t1) of a packed GEMM (see the file comment). `$core` does one
 * (batch, column group, row-tile range).
 */
function driver(name: string, MR: number, uk: string, epi: string, pack?: (MR: number) => string): string {
  const core = `$core_${name}`;
  return `(func ${core} (param $pb i32) (param $slot i32) (param $bt i32) (param $cg i32) (param $m0 i32) (param $m1 i32)
  (local $a i32) (local $bp i32) (local $c i32) (local $M i32) (local $N i32) (local $K i32) (local $rsA i32) (local $csA i32) (local $KC i32)
  (local $np i32) (local $p0 i32) (local $p1 i32) (local $nb i32) (local $nb1 i32) (local $k0 i32) (local $kc i32) (local $last i32)
  (local $mt i32) (local $i0 i32) (local $mr i32) (local $p i32) (local $crow i32) (local $ldc i32) (local $j0 i32)
  (local.set $M ${ld(PB.M)}) (local.set $N ${ld(PB.N)}) (local.set $K ${ld(PB.K)})
  (local.set $rsA ${ld(PB.rsA)}) (local.set $csA ${ld(PB.csA)}) (local.set $KC ${ld(PB.KC)})
  (local.set $a (i32.load (i32.add ${ld(PB.aTab)} (i32.shl ${g('$bt')} ${i(2)}))))
  (local.set $bp (i32.load (i32.add ${ld(PB.bTab)} (i32.shl ${g('$bt')} ${i(2)}))))
  (local.set $ldc (i32.shl ${g('$N')} ${i(2)}))
  (local.set $c (i32.add ${ld(PB.c)} (i32.mul (i32.mul ${g('$bt')} ${g('$M')}) ${g('$ldc')})))
  (local.set $np (i32.shr_u (i32.add ${g('$N')} ${i(NR - 1)}) ${i(3)}))
  (local.set $p0 (i32.mul ${g('$cg')} ${ld(PB.PPG)}))
  (local.set $p1 ${min(`(i32.add ${g('$p0')} ${ld(PB.PPG)})`, g('$np'))})
  (local.set $nb ${g('$p0')})
  (block $nd (loop $nl (br_if $nd (i32.ge_u ${g('$nb')} ${g('$p1')}))
    (local.set $nb1 ${min(`(i32.add ${g('$nb')} ${ld(PB.NCP)})`, g('$p1'))})
    (local.set $k0 ${i(0)})
    (loop $kl
      (local.set $kc ${min(g('$KC'), `(i32.sub ${g('$K')} ${g('$k0')})`)})
      (local.set $last (i32.ge_u (i32.add ${g('$k0')} ${g('$kc')}) ${g('$K')}))
      (local.set $mt ${g('$m0')})
      (block $md (loop $ml (br_if $md (i32.ge_u ${g('$mt')} ${g('$m1')}))
        (local.set $i0 (i32.mul ${g('$mt')} ${i(MR)}))
        (local.set $mr ${min(i(MR), `(i32.sub ${g('$M')} ${g('$i0')})`)})
        ${pack ? pack(MR) : `(call $pack_a_${MR} (i32.add ${g('$a')} (i32.add (i32.mul ${g('$i0')} ${g('$rsA')}) (i32.mul ${g('$k0')} ${g('$csA')})))
          ${g('$rsA')} ${g('$csA')} ${g('$mr')} ${g('$kc')} ${g('$slot')})`}
        (local.set $crow (i32.add ${g('$c')} (i32.mul ${g('$i0')} ${g('$ldc')})))
        (local.set $p ${g('$nb')})
        (block $pd (loop $pl (br_if $pd (i32.ge_u ${g('$p')} ${g('$nb1')}))
          (local.set $j0 (i32.shl ${g('$p')} ${i(3)}))
          (call ${uk} ${g('$slot')}
            (i32.add ${g('$bp')} (i32.shl (i32.add (i32.mul ${g('$p')} ${g('$K')}) ${g('$k0')}) ${i(5)}))
            (i32.add ${g('$crow')} (i32.shl ${g('$j0')} ${i(2)})) ${g('$ldc')} ${g('$kc')} ${g('$mr')}
            ${min(i(NR), `(i32.sub ${g('$N')} ${g('$j0')})`)} ${g('$k0')})
          (local.set $p (i32.add ${g('$p')} ${i(1)})) (br $pl)))
        (if (i32.and ${g('$last')} (i32.and ${ld(PB.flags)} ${i(EPI_APPLY)})) (then
          (local.set $j0 (i32.shl ${g('$nb')} ${i(3)}))
          (call ${epi} ${g('$pb')} (i32.add ${g('$crow')} (i32.shl ${g('$j0')} ${i(2)})) ${g('$ldc')} ${g('$mr')}
            (i32.sub ${min(`(i32.shl ${g('$nb1')} ${i(3)})`, g('$N'))} ${g('$j0')}) ${g('$i0')} ${g('$j0')})))
        (local.set $mt (i32.add ${g('$mt')} ${i(1)})) (br $ml)))
      (local.set $k0 (i32.add ${g('$k0')} ${g('$kc')}))
      (br_if $kl (i32.lt_u ${g('$k0')} ${g('$K')})))
    (local.set $nb ${g('$nb1')}) (br $nl))))
(func (export "${name}") (param $pb i32) (param $t0 i32) (param $t1 i32)
  (local $t i32) (local $w i32) (local $w1 i32) (local $q i32) (local $e i32) (local $tm i32) (local $cgs i32) (local $W i32) (local $T i32) (local $slot i32)
  (local.set $tm ${ld(PB.tilesM)}) (local.set $cgs ${ld(PB.CG)}) (local.set $W ${ld(PB.W)}) (local.set $T ${ld(PB.T)})
  (local.set $t ${g('$t0')})
  (block $td (loop $tl (br_if $td (i32.ge_u ${g('$t')} ${g('$t1')}))
    (local.set $slot (i32.add ${ld(PB.scratch)} (i32.mul ${g('$t')} ${ld(PB.slotBytes)})))
    (local.set $w (i32.wrap_i64 (i64.div_u (i64.mul (i64.extend_i32_u ${g('$t')}) (i64.extend_i32_u ${g('$W')})) (i64.extend_i32_u ${g('$T')}))))
    (local.set $w1 (i32.wrap_i64 (i64.div_u (i64.mul (i64.extend_i32_u (i32.add ${g('$t')} ${i(1)})) (i64.extend_i32_u ${g('$W')})) (i64.extend_i32_u ${g('$T')}))))
    (block $sd (loop $sl (br_if $sd (i32.ge_u ${g('$w')} ${g('$w1')}))
      (local.set $q (i32.div_u ${g('$w')} ${g('$tm')}))
      (local.set $e ${min(g('$w1'), `(i32.mul (i32.add ${g('$q')} ${i(1)}) ${g('$tm')})`)})
      (call ${core} ${g('$pb')} ${g('$slot')} (i32.div_u ${g('$q')} ${g('$cgs')}) (i32.rem_u ${g('$q')} ${g('$cgs')})
        (i32.sub ${g('$w')} (i32.mul ${g('$q')} ${g('$tm')})) (i32.sub ${g('$e')} (i32.mul ${g('$q')} ${g('$tm')})))
      (local.set $w ${g('$e')}) (br $sl)))
    (local.set $t (i32.add ${g('$t')} ${i(1)})) (br $tl))))`;
}

// ---------------------------------------------------------------- epilogue and activations

/** Vector math on the v128 in `$x`, through the scratch locals of EPI_LOCALS. */
export const EPI_LOCALS = '(local $x v128) (local $y v128) (local $z v128) (local $s v128) (local $nn v128) (local $e v128) (local $tt v128) (local $yl v128)';

/**
 * $e = expm1($y) (or exp($y) when `exp`), |error| ≤ 2 ulp. y is reduced as n·ln2 + r (Cody–Waite,
 * |r| ≤ ln2/2), expm1(r) by Taylor to r⁸, then 2ⁿ·(expm1 r) + (2ⁿ − 1). y < −87.3 gives exactly 0
 * (−1 for expm1), y > 88 gives +Inf; NaN propagates.
 */
function expm1Into(exp: boolean, lo = false): string {
  const c = [1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320];
  let p = f4(c[6]!);
  for (let k = 5; k >= 0; k--) p = `(f32x4.add ${f4(Math.fround(c[k]!))} (f32x4.mul ${g('$z')} ${p}))`;
  const y = lo ? `(f32x4.add ${g('$y')} ${g('$yl')})` : g('$y');
  const r = lo
    ? `(f32x4.add (f32x4.sub ${g('$y')} (f32x4.mul ${g('$nn')} ${f4(0.693359375)})) ${g('$yl')})`
    : `(f32x4.sub ${g('$z')} (f32x4.mul ${g('$nn')} ${f4(0.693359375)}))`;
  return `
  (local.set $z (f32x4.min (f32x4.max ${y} ${f4(-87.33654)}) ${f4(88)}))
  (local.set $nn (f32x4.nearest (f32x4.mul ${g('$z')} ${f4(1.44269504)})))
  (local.set $z (f32x4.sub ${r} (f32x4.mul ${g('$nn')} ${f4(-2.12194440e-4)})))
  (local.set $e (f32x4.add ${g('$z')} (f32x4.mul (f32x4.mul ${g('$z')} ${g('$z')}) ${p})))
  (local.set $s (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ${g('$nn')}) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
  (local.set $e (f32x4.add (f32x4.mul ${g('$s')} ${g('$e')}) ${exp ? g('$s') : `(f32x4.sub ${g('$s')} ${f4(1)})`}))
  (local.set $e (v128.bitselect ${f4(exp ? 0 : -1)} ${g('$e')} (f32x4.lt ${y} ${f4(-87.33654)})))
  (local.set $e (v128.bitselect ${f4(Infinity)} ${g('$e')} (f32x4.gt ${y} ${f4(88)})))`;
}

/**
 * $e = ½·erfc(a/√2) for a = $z ≥ 0: NR erfcc, t·exp(−a²/2 − 1.26551223 + t·P(t)). The argument is
 * carried as an exact head −ah²/2 (ah = a to 12 bits) plus a tail, so exp keeps full relative accuracy
 * out to a²/2 ≈ 100 (rounding a/√2 first would cost 2·(a²/2)·2⁻²⁴ relative).
 */
function halfErfcInto(): string {
  const c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
  let p = f4(c[9]!);
  for (let k = 8; k >= 0; k--) p = `(f32x4.add ${f4(c[k]!)} (f32x4.mul ${g('$tt')} ${p}))`;
  return `
  (local.set $tt (f32x4.div ${f4(1)} (f32x4.add ${f4(1)} (f32x4.mul ${f4(0.35355339)} ${g('$z')}))))
  (local.set $s (v128.and ${g('$z')} (v128.const i32x4 0xfffff000 0xfffff000 0xfffff000 0xfffff000)))
  (local.set $y (f32x4.mul (f32x4.mul ${g('$s')} ${g('$s')}) ${f4(-0.5)}))
  (local.set $yl (f32x4.sub ${p} (f32x4.mul (f32x4.mul (f32x4.sub ${g('$z')} ${g('$s')}) (f32x4.add ${g('$z')} ${g('$s')})) ${f4(0.5)})))
  ${expm1Into(true, true)}
  (local.set $e (f32x4.mul (f32x4.mul ${f4(0.5)} ${g('$tt')}) ${g('$e')}))`;
}

/** Activation code → WAT that maps $x in place (scalars in $q0/$q1 splatted as $v0/$v1). */
export function activation(act: number): string {
  const x = g('$x');
  switch (act) {
    case ACT_CODES.linear:
      return '';
    case ACT_CODES.relu:
      return `(local.set $x (f32x4.max ${x} ${f4(0)}))`;
    case ACT_CODES.relu6:
      return `(local.set $x (f32x4.min (f32x4.max ${x} ${f4(0)}) ${f4(6)}))`;
    case ACT_CODES.leakyRelu:
      return `(local.set $x (v128.bitselect (f32x4.mul ${x} ${g('$v0')}) ${x} (f32x4.lt ${x} ${f4(0)})))`;
    case ACT_CODES.clip:
      return `(local.set $x (f32x4.min (f32x4.max ${x} ${g('$v0')}) ${g('$v1')}))`;
    case ACT_CODES.hardSigmoid:
      return `(local.set $x (f32x4.min (f32x4.max (f32x4.add (f32x4.mul ${x} ${g('$v0')}) ${g('$v1')}) ${f4(0)}) ${f4(1)}))`;
    case ACT_CODES.sigmoid:
      return `(local.set $y (f32x4.neg ${x})) ${expm1Into(true)} (local.set $x (f32x4.div ${f4(1)} (f32x4.add ${f4(1)} ${g('$e')})))`;
    case ACT_CODES.tanh:
      // tanh|x| = e/(e+2) with e = expm1(2|x|) (no cancellation near 0); |x| > 10 is ±1 in f32
      return `(local.set $y (f32x4.min (f32x4.add (f32x4.abs ${x}) (f32x4.abs ${x})) ${f4(20)})) ${expm1Into(false)}
        (local.set $x (v128.bitselect ${x} (f32x4.div ${g('$e')} (f32x4.add ${g('$e')} ${f4(2)})) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))`;
    case ACT_CODES.gelu:
      // x·Φ(x), Φ(x) = 1 − ½erfc(x/√2) for x ≥ 0 and ½erfc(|x|/√2) below (no cancellation in the tail)
      return `(local.set $z (f32x4.min (f32x4.abs ${x}) ${f4(14.2)})) ${halfErfcInto()}
        (local.set $x (f32x4.mul ${x} (v128.bitselect (f32x4.sub ${f4(1)} ${g('$e')}) ${g('$e')} (f32x4.ge ${x} ${f4(0)}))))`;
    case ACT_CODES.elu:
      return `(local.set $y ${x}) ${expm1Into(false)} (local.set $x (v128.bitselect ${x} (f32x4.mul ${g('$v0')} ${g('$e')}) (f32x4.gt ${x} ${f4(0)})))`;
    default:
      throw new Error(`gemm: unknown activation code ${act}`);
  }
}

/**
 * `$epi_f32(pb, c, ldc, rows, cols, i0, j0)`: x = act(alpha·x + beta·bias(i0+r, j0+j)) over a rows×cols
 * block of C (row stride ldc bytes). One loop nest per activation; 4 columns at a time, then single
 * lanes. `$epi_i32` does alpha·x + beta·bias with wrapping i32 arithmetic.
 */
function epilogue(int: boolean): string {
  const acts = int ? [0] : Object.values(ACT_CODES);
  const mul = int ? 'i32x4.mul' : 'f32x4.mul';
  const add = int ? 'i32x4.add' : 'f32x4.add';
  const splat = int ? 'i32x4.splat' : 'f32x4.splat';
  const sload = int ? 'i32.load' : 'f32.load';
  const nest = (act: number) => {
    const body = (vec: boolean) => {
      const load = vec ? `(v128.load ${g('$cp')})` : `(v128.load32_splat ${g('$cp')})`;
      const bload = vec ? `(v128.load ${g('$bp')})` : `(v128.load32_splat ${g('$bp')})`;
      return `(local.set $x (${mul} ${load} ${g('$va')}))
        (if ${g('$hb')} (then (local.set $x (${add} ${g('$x')} (${mul} ${g('$vbeta')} (if (result v128) ${g('$bcs')} (then ${bload}) (else ${g('$bs')})))))))
        ${int ? '' : activation(act)}
        ${vec ? `(v128.store ${g('$cp')} ${g('$x')})` : `(v128.store32_lane 0 ${g('$cp')} ${g('$x')})`}`;
    };
    return `(local.set $r ${i(0)})
      (block $rd (loop $rl (br_if $rd (i32.ge_u ${g('$r')} ${g('$rows')}))
        (local.set $cp (i32.add ${g('$c')} (i32.mul ${g('$r')} ${g('$ldc')})))
        (local.set $ce (i32.add ${g('$cp')} (i32.shl ${g('$cols')} ${i(2)})))
        (local.set $bp (i32.add ${g('$bias')} (i32.add (i32.mul (i32.add ${g('$i0')} ${g('$r')}) ${g('$brs')}) (i32.mul ${g('$j0')} ${g('$bcs')}))))
        (if ${g('$hb')} (then (local.set $bs (${splat} (${sload} ${g('$bp')})))))
        (block $vd (loop $vl (br_if $vd (i32.gt_u (i32.add ${g('$cp')} ${i(16)}) ${g('$ce')}))
          ${body(true)}
          (local.set $cp (i32.add ${g('$cp')} ${i(16)})) (local.set $bp (i32.add ${g('$bp')} (i32.shl ${g('$bcs')} ${i(2)}))) (br $vl)))
        (block $sd (loop $sl (br_if $sd (i32.ge_u ${g('$cp')} ${g('$ce')}))
          ${body(false)}
          (local.set $cp (i32.add ${g('$cp')} ${i(4)})) (local.set $bp (i32.add ${g('$bp')} ${g('$bcs')})) (br $sl)))
        (local.set $r (i32.add ${g('$r')} ${i(1)})) (br $rl)))`;
  };
  const t = int ? 'i32' : 'f32';
  const cases = acts.map((a) => `$a${a}`);
  let sw = `(br_table ${cases.join(' ')} ${cases[0]} ${ld(PB.act)})`;
  for (const a of acts) sw = `(block $a${a} ${sw}) ${nest(a)} (br $out)`;
  return `(func $epi_${t} (param $pb i32) (param $c i32) (param $ldc i32) (param $rows i32) (param $cols i32) (param $i0 i32) (param $j0 i32)
  (local $r i32) (local $cp i32) (local $ce i32) (local $bp i32) (local $bias i32) (local $brs i32) (local $bcs i32) (local $hb i32)
  (local $va v128) (local $vbeta v128) (local $bs v128) (local $v0 v128) (local $v1 v128) ${EPI_LOCALS}
  (local.set $va (${splat} (${sload} offset=${PB.alpha * 4} ${g('$pb')})))
  (local.set $vbeta (${splat} (${sload} offset=${PB.beta * 4} ${g('$pb')})))
  (local.set $v0 (f32x4.splat ${ldf(PB.p0)})) (local.set $v1 (f32x4.splat ${ldf(PB.p1)}))
  (local.set $hb (i32.and ${ld(PB.flags)} ${i(EPI_BIAS)}))
  (local.set $bias ${ld(PB.bias)}) (local.set $brs ${ld(PB.brs)}) (local.set $bcs ${ld(PB.bcs)})
  (block $out ${sw}))`;
}

// ---------------------------------------------------------------- GEMV

/**
 * `$axpy(x, m, rs, y, K, n)`: y[0..n) = Σ_k x_k · m[k·rs + 4j], streaming 4 rows of m at a time over
 * column blocks of 1024 (4 KiB of y stays in L1; every row segment is read sequentially).
 */
function axpy(v: WatVariant): string {
  const rows = (R: number) => {
    const S: string[] = [];
    for (const r of rng(R)) S.push(`(local.set $x${r} (v128.load32_splat offset=${r * 4} ${g('$xp')})) (local.set $s${r} (f32.load offset=${r * 4} ${g('$xp')}))`);
    S.push(`(local.set $p0 (i32.add (i32.add ${g('$m')} (i32.mul ${g('$k')} ${g('$rs')})) (i32.shl ${g('$jb')} ${i(2)})))`);
    for (let r = 1; r < R; r++) S.push(`(local.set $p${r} (i32.add ${g(`$p${r - 1}`)} ${g('$rs')}))`);
    S.push(`(local.set $o ${i(0)})`);
    let e = `(v128.load (i32.add ${g('$yp')} ${g('$o')}))`;
    for (const r of rng(R)) e = madd(v, g(`$x${r}`), `(v128.load (i32.add ${g(`$p${r}`)} ${g('$o')}))`, e);
    S.push(`(block $vd${R} (loop $vl${R} (br_if $vd${R} (i32.ge_u ${g('$o')} ${g('$nv')}))
      (v128.store (i32.add ${g('$yp')} ${g('$o')}) ${e})
      (local.set $o (i32.add ${g('$o')} ${i(16)})) (br $vl${R})))`);
    let f = `(f32.load (i32.add ${g('$yp')} ${g('$o')}))`;
    for (const r of rng(R)) f = `(f32.add ${f} (f32.mul ${g(`$s${r}`)} (f32.load (i32.add ${g(`$p${r}`)} ${g('$o')}))))`;
    S.push(`(block $sd${R} (loop $sl${R} (br_if $sd${R} (i32.ge_u ${g('$o')} ${g('$nb')}))
      (f32.store (i32.add ${g('$yp')} ${g('$o')}) ${f})
      (local.set $o (i32.add ${g('$o')} ${i(4)})) (br $sl${R})))`);
    S.push(`(local.set $xp (i32.add ${g('$xp')} ${i(4 * R)})) (local.set $k (i32.add ${g('$k')} ${i(R)}))`);
    return S.join('\n');
  };
  return `(func $axpy (param $x i32) (param $m i32) (param $rs i32) (param $y i32) (param $K i32) (param $n i32)
  (local $jb i32) (local $nb i32) (local $nv i32) (local $k i32) (local $xp i32) (local $yp i32) (local $o i32)
  ${rng(4).map((r) => `(local $p${r} i32) (local $x${r} v128) (local $s${r} f32)`).join(' ')}
  (block $bd (loop $bl (br_if $bd (i32.ge_u ${g('$jb')} ${g('$n')}))
    (local.set $nb (i32.shl ${min(i(1024), `(i32.sub ${g('$n')} ${g('$jb')})`)} ${i(2)}))
    (local.set $nv (i32.and ${g('$nb')} ${i(-16)}))
    (local.set $yp (i32.add ${g('$y')} (i32.shl ${g('$jb')} ${i(2)})))
    (memory.fill ${g('$yp')} ${i(0)} ${g('$nb')})
    (local.set $k ${i(0)}) (local.set $xp ${g('$x')})
    (block $kd (loop $kl (br_if $kd (i32.gt_u (i32.add ${g('$k')} ${i(4)}) ${g('$K')}))
      ${rows(4)}
      (br $kl)))
    (block $k1d (loop $k1l (br_if $k1d (i32.ge_u ${g('$k')} ${g('$K')}))
      ${rows(1)}
      (br $k1l)))
    (local.set $jb (i32.add ${g('$jb')} ${i(1024)})) (br $bl))))`;
}

/**
 * `f32_gemv(pb, w0, w1)`: work item w = (batch w / GPB, group w % GPB of G outputs). dot mode: y_j =
 * Σ_k x_k·mat[j·rs + 4k] (4 rows at a time, two accumulators each); axpy mode: y_j = Σ_k
 * x_k·mat[k·rs + 4j] (`$axpy`, rows streamed). The epilogue then runs on the group.
 */
function gemv(v: WatVariant): string {
  const fma = (a: string, b: string, c: string) => madd(v, a, b, c);
  const hsum = (e: string) => `(f32x4.extract_lane 0 (f32x4.add (local.tee $h (f32x4.add ${e} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${e} ${e})))
    (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 ${g('$h')} ${g('$h')})))`;
  const dotRows = (R: number) => {
    const S: string[] = [];
    S.push(`(local.set $xp ${g('$x')}) (local.set $kk ${g('$K')})`);
    for (const r of rng(R)) S.push(`(local.set $q${r} (i32.add ${g('$row')} (i32.mul ${i(r)} ${g('$rs')}))) (local.set $d${r} ${Z}) (local.set $e${r} ${Z}) (local.set $f${r} (f32.const 0))`);
    S.push(`(block $d8 (loop $l8 (br_if $d8 (i32.lt_u ${g('$kk')} ${i(8)}))
      (local.set $x0 (v128.load ${g('$xp')})) (local.set $x1 (v128.load offset=16 ${g('$xp')}))`);
    for (const r of rng(R)) {
      S.push(`(local.set $d${r} ${fma(g('$x0'), `(v128.load ${g(`$q${r}`)})`, g(`$d${r}`))})`);
      S.push(`(local.set $e${r} ${fma(g('$x1'), `(v128.load offset=16 ${g(`$q${r}`)})`, g(`$e${r}`))})`);
      S.push(`(local.set $q${r} (i32.add ${g(`$q${r}`)} ${i(32)}))`);
    }
    S.push(`(local.set $xp (i32.add ${g('$xp')} ${i(32)})) (local.set $kk (i32.sub ${g('$kk')} ${i(8)})) (br $l8)))`);
    S.push(`(block $d1 (loop $l1 (br_if $d1 (i32.eqz ${g('$kk')})) (local.set $xs (f32.load ${g('$xp')}))`);
    for (const r of rng(R)) S.push(`(local.set $f${r} (f32.add ${g(`$f${r}`)} (f32.mul ${g('$xs')} (f32.load ${g(`$q${r}`)})))) (local.set $q${r} (i32.add ${g(`$q${r}`)} ${i(4)}))`);
    S.push(`(local.set $xp (i32.add ${g('$xp')} ${i(4)})) (local.set $kk (i32.sub ${g('$kk')} ${i(1)})) (br $l1)))`);
    for (const r of rng(R)) S.push(`(f32.store offset=${r * 4} ${g('$yp')} (f32.add ${hsum(`(f32x4.add ${g(`$d${r}`)} ${g(`$e${r}`)})`)} ${g(`$f${r}`)}))`);
    return S.join('\n');
  };
  const vloc = (p: string, n: number) => rng(n).map((k) => `(local ${p}${k} v128)`).join(' ');
  return `(func (export "f32_gemv") (param $pb i32) (param $w0 i32) (param $w1 i32)
  (local $w i32) (local $bt i32) (local $j i32) (local $j1 i32) (local $x i32) (local $mat i32) (local $y i32) (local $K i32) (local $rs i32)
  (local $row i32) (local $yp i32) (local $xp i32) (local $kk i32) (local $xs f32) (local $h v128) (local $x0 v128) (local $x1 v128)
  ${rng(4).map((r) => `(local $q${r} i32) (local $f${r} f32)`).join(' ')} ${vloc('$d', 4)} ${vloc('$e', 4)}
  (local.set $K ${ld(PB.K)}) (local.set $rs ${ld(PB.rs)})
  (local.set $w ${g('$w0')})
  (block $wd (loop $wl (br_if $wd (i32.ge_u ${g('$w')} ${g('$w1')}))
    (local.set $bt (i32.div_u ${g('$w')} ${ld(PB.GPB)}))
    (local.set $j (i32.mul (i32.rem_u ${g('$w')} ${ld(PB.GPB)}) ${ld(PB.G)}))
    (local.set $j1 ${min(`(i32.add ${g('$j')} ${ld(PB.G)})`, ld(PB.L))})
    (local.set $x (i32.load (i32.add ${ld(PB.xTab)} (i32.shl ${g('$bt')} ${i(2)}))))
    (local.set $mat (i32.load (i32.add ${ld(PB.bTab)} (i32.shl ${g('$bt')} ${i(2)}))))
    (local.set $y (i32.add ${ld(PB.c)} (i32.shl (i32.mul ${g('$bt')} ${ld(PB.L)}) ${i(2)})))
    (local.set $yp (i32.add ${g('$y')} (i32.shl ${g('$j')} ${i(2)})))
    (if (i32.eqz ${ld(PB.mode)}) (then
      (local.set $row (i32.add ${g('$mat')} (i32.mul ${g('$j')} ${g('$rs')})))
      (block $r4d (loop $r4l (br_if $r4d (i32.gt_u (i32.add ${g('$j')} ${i(4)}) ${g('$j1')}))
        ${dotRows(4)}
        (local.set $row (i32.add ${g('$row')} (i32.shl ${g('$rs')} ${i(2)}))) (local.set $yp (i32.add ${g('$yp')} ${i(16)}))
        (local.set $j (i32.add ${g('$j')} ${i(4)})) (br $r4l)))
      (block $r1d (loop $r1l (br_if $r1d (i32.ge_u ${g('$j')} ${g('$j1')}))
        ${dotRows(1)}
        (local.set $row (i32.add ${g('$row')} ${g('$rs')})) (local.set $yp (i32.add ${g('$yp')} ${i(4)}))
        (local.set $j (i32.add ${g('$j')} ${i(1)})) (br $r1l))))
    (else
      (local.set $row (i32.add ${g('$mat')} (i32.shl ${g('$j')} ${i(2)})))
      (call $axpy ${g('$x')} (i32.add ${g('$mat')} (i32.shl ${g('$j')} ${i(2)})) ${g('$rs')} ${g('$yp')} ${g('$K')} (i32.sub ${g('$j1')} ${g('$j')}))))
    (if (i32.and ${ld(PB.flags)} ${i(EPI_APPLY)}) (then
      (local.set $j (i32.mul (i32.rem_u ${g('$w')} ${ld(PB.GPB)}) ${ld(PB.G)}))
      (call $epi_f32 ${g('$pb')} (i32.add ${g('$y')} (i32.shl ${g('$j')} ${i(2)})) ${i(0)} ${i(1)} (i32.sub ${g('$j1')} ${g('$j')}) ${i(0)} ${g('$j')})))
    (local.set $w (i32.add ${g('$w')} ${i(1)})) (br $wl))))`;
}

/** Export name of the f32 driver for an MR×8 tile. */
export const f32GemmExport = (mr: number) => `f32_gemm_${mr}x${NR}`;
export const I32_GEMM_EXPORT = `i32_gemm_${I32_MR}x${NR}`;
export const PACK_B_EXPORT = 'f32_gemm_pack_b8';
export const GEMV_EXPORT = 'f32_gemv';
/** Bytes of one task's packed-A slot for an MR-row tile. */
export const slotBytes = (mr: number) => mr * KC * 4;

/**
 * float64 MatMul (no packing: double models are small), `f64_matmul(a, b, c, offs, desc, start, end)`.
 * Work item r = one output row (batch r / M, row r % M). `offs` holds the A and B start of each batch
 * (element offsets, interleaved); `desc` 11 i32s: M, N, K, A row/column strides, B row/column strides,
 * whether there is a bias, its pointer and its row/column strides. The row is cleared, then C[i,:] +=
 * A[i,k]·B[k,:] for k in order (two lanes at a time where B's row is contiguous), then the bias is
 * added: each element sums in the same order on every path, so threads agree bit for bit.
 */
const F64_MATMUL = (() => {
  const g = (n: string) => `(local.get ${n})`;
  const d = (k: number) => `(i32.load offset=${4 * k} ${g('$desc')})`;
  return `(func (export "f64_matmul") (param $a i32) (param $b i32) (param $c i32) (param $offs i32) (param $desc i32) (param $start i32) (param $end i32)
  (local $M i32) (local $N i32) (local $K i32) (local $rsA i32) (local $csA i32) (local $rsB i32) (local $csB i32)
  (local $r i32) (local $bi i32) (local $i i32) (local $k i32) (local $j i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $pe i32) (local $q i32)
  (local $av f64) (local $avv v128)
  (local.set $M ${d(0)}) (local.set $N ${d(1)}) (local.set $K ${d(2)})
  (local.set $rsA ${d(3)}) (local.set $csA ${d(4)}) (local.set $rsB ${d(5)}) (local.set $csB ${d(6)})
  (local.set $r ${g('$start')})
  (block $done (loop $rows
    (br_if $done (i32.ge_u ${g('$r')} ${g('$end')}))
    (local.set $bi (i32.div_u ${g('$r')} ${g('$M')}))
    (local.set $i (i32.sub ${g('$r')} (i32.mul ${g('$bi')} ${g('$M')})))
    (local.set $pc (i32.add ${g('$c')} (i32.shl (i32.mul ${g('$r')} ${g('$N')}) (i32.const 3))))
    (local.set $pe (i32.add ${g('$pc')} (i32.shl ${g('$N')} (i32.const 3))))
    (local.set $q ${g('$pc')})
    (block $zd (loop $zl (br_if $zd (i32.ge_u ${g('$q')} ${g('$pe')}))
      (f64.store ${g('$q')} (f64.const 0)) (local.set $q (i32.add ${g('$q')} (i32.const 8))) (br $zl)))
    ;; A[i, 0] and B[0, 0] of this batch
    (local.set $pa (i32.add ${g('$a')} (i32.shl (i32.add (i32.load (i32.add ${g('$offs')} (i32.shl ${g('$bi')} (i32.const 3)))) (i32.mul ${g('$i')} ${g('$rsA')})) (i32.const 3))))
    (local.set $pb (i32.add ${g('$b')} (i32.shl (i32.load offset=4 (i32.add ${g('$offs')} (i32.shl ${g('$bi')} (i32.const 3)))) (i32.const 3))))
    (local.set $k (i32.const 0))
    (block $kd (loop $kl
      (br_if $kd (i32.ge_u ${g('$k')} ${g('$K')}))
      (local.set $av (f64.load ${g('$pa')}))
      (local.set $avv (f64x2.splat ${g('$av')}))
      (local.set $q ${g('$pc')})
      (local.set $j ${g('$pb')})
      (if (i32.eq ${g('$csB')} (i32.const 1)) (then
        (block $vd (loop $vl
          (br_if $vd (i32.gt_u (i32.add ${g('$q')} (i32.const 16)) ${g('$pe')}))
          (v128.store ${g('$q')} (f64x2.add (v128.load ${g('$q')}) (f64x2.mul ${g('$avv')} (v128.load ${g('$j')}))))
          (local.set $q (i32.add ${g('$q')} (i32.const 16)))
          (local.set $j (i32.add ${g('$j')} (i32.const 16)))
          (br $vl)))))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u ${g('$q')} ${g('$pe')}))
        (f64.store ${g('$q')} (f64.add (f64.load ${g('$q')}) (f64.mul ${g('$av')} (f64.load ${g('$j')}))))
        (local.set $q (i32.add ${g('$q')} (i32.const 8)))
        (local.set $j (i32.add ${g('$j')} (i32.shl ${g('$csB')} (i32.const 3))))
        (br $sl)))
      (local.set $pa (i32.add ${g('$pa')} (i32.shl ${g('$csA')} (i32.const 3))))
      (local.set $pb (i32.add ${g('$pb')} (i32.shl ${g('$rsB')} (i32.const 3))))
      (local.set $k (i32.add ${g('$k')} (i32.const 1)))
      (br $kl)))
    (if ${d(7)} (then
      (local.set $q ${g('$pc')})
      (local.set $j (i32.add ${d(8)} (i32.shl (i32.mul ${g('$i')} ${d(9)}) (i32.const 3))))
      (block $bd (loop $bl
        (br_if $bd (i32.ge_u ${g('$q')} ${g('$pe')}))
        (f64.store ${g('$q')} (f64.add (f64.load ${g('$q')}) (f64.load ${g('$j')})))
        (local.set $q (i32.add ${g('$q')} (i32.const 8)))
        (local.set $j (i32.add ${g('$j')} (i32.shl ${d(10)} (i32.const 3))))
        (br $bl)))))
    (local.set $r (i32.add ${g('$r')} (i32.const 1)))
    (br $rows))))`;
})();
export const F64_MATMUL_EXPORT = 'f64_matmul';

export const gemmFamily: WatFamily = {
  name: 'gemm',
  usesRelaxed: true,
  emit(v: WatVariant): string {
    if (NR !== 8) throw new Error('gemm: the drivers and pack routines assume NR = 8 (shifts by 3 and 5)');
    const mrs = [...new Set<number>([...F32_TILES, I32_MR])];
    return `(module ${memoryImport(v)}
${mrs.map(packA).join('\n')}
${F32_TILES.map((mr) => microkernel(v, mr, false)).join('\n')}
${microkernel(v, I32_MR, true)}
${epilogue(false)}
${epilogue(true)}
${F32_TILES.map((mr) => driver(f32GemmExport(mr), mr, `$uk_f32_${mr}x${NR}`, '$epi_f32')).join('\n')}
${F32_TILES.map((mr) => packAConv(mr, TRANSPOSE4, TLOCALS)).join('\n')}
${F32_TILES.map((mr) => driver(f32ConvGemmExport(mr), mr, `$uk_f32_${mr}x${NR}`, '$epi_f32', packConvCall)).join('\n')}
${driver(I32_GEMM_EXPORT, I32_MR, `$uk_i32_${I32_MR}x${NR}`, '$epi_i32')}
${packB()}
${axpy(v)}
${gemv(v)}
${F64_MATMUL}
)`;
  },
};
