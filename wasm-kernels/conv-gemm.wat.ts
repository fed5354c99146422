/**
 * Implicit-GEMM convolution for the `gemm` family: NHWC, one group, 1-D/2-D. The GEMM drivers pack
 * every (K block, row tile) of A into a scratch slot anyway, so for a convolution that packing step
 * reads the patches straight from the image instead of from a materialised im2col matrix: row i of
 * A is output pixel i = (n, oh, ow), column k = (kh, kw, c) in HWIO order. Each tap's C channels
 * are contiguous in NHWC, so a tap is copied 4 channels × 4 rows at a time through 4×4 transposes;
 * a tap that falls in the padding reads a zero buffer of C floats instead.
 *
 * Drivers `f32_conv_gemm_<MR>x8` are the packed-GEMM drivers with this pack routine; the batch
 * table entry (aTab[0]) points at a conv block (CB below) instead of A.
 */
import { NR } from './gemm-config.js';

/** Conv block: i32 words the launcher fills (wasm-kernels/conv.ts). */
export const CB = { x: 0, H: 1, W: 2, C: 3, kW: 4, sH: 5, sW: 6, dH: 7, dW: 8, padT: 9, padL: 10, oH: 11, oW: 12, zero: 13, words: 14 } as const;

export const f32ConvGemmExport = (mr: number) => `f32_conv_gemm_${mr}x${NR}`;

const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const ld = (w: number) => `(i32.load offset=${w * 4} (local.get $cb))`;
const rng = (n: number) => Array.from({ length: n }, (_, k) => k);

/** The call the driver makes for a conv tile (driver locals: $a = conv block, $i0, $mr, $k0, $kc, $slot). */
export const packConvCall = (MR: number) => `(call $pack_a_conv_${MR} ${g('$a')} ${g('$i0')} ${g('$mr')} ${g('$k0')} ${g('$kc')} ${g('$slot')})`;

/**
 * `$pack_a_conv_<MR>(cb, i0, mr, k0, kc, dst)`: rows [i0, i0 + mr) and columns [k0, k0 + kc) of the
 * implicit patch matrix, packed [k][MR] at dst like `$pack_a_<MR>` (rows ≥ mr repeat row mr − 1).
 * `transpose`/`tlocals` are the gemm module's 4×4 transpose (on $r0..$r3) and its locals.
 */
export function packAConv(MR: number, transpose: string, tlocals: string): string {
  const L: string[] = [];
  const per = (name: string) => rng(MR).map((r) => `(local $${name}${r} i32)`).join(' ');
  L.push(`(func $pack_a_conv_${MR} (param $cb i32) (param $i0 i32) (param $mr i32) (param $k0 i32) (param $kc i32) (param $dst i32)`);
  L.push(`(local $H i32) (local $W i32) (local $C i32) (local $kW i32) (local $dH i32) (local $dW i32) (local $P i32) (local $oW i32) (local $zero i32)`);
  L.push(`(local $k i32) (local $tap i32) (local $c i32) (local $run i32) (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $row i32) (local $q i32)`);
  L.push(`${per('hb')} ${per('wb')} ${per('base')} ${per('a')} ${tlocals}`);
  L.push(`(local.set $H ${ld(CB.H)}) (local.set $W ${ld(CB.W)}) (local.set $C ${ld(CB.C)}) (local.set $kW ${ld(CB.kW)})`);
  L.push(`(local.set $dH ${ld(CB.dH)}) (local.set $dW ${ld(CB.dW)}) (local.set $oW ${ld(CB.oW)}) (local.set $zero ${ld(CB.zero)})`);
  L.push(`(local.set $P (i32.mul ${ld(CB.oH)} ${g('$oW')}))`);
  for (const r of rng(MR)) {
    // row i0 + r, or the last real row where r ≥ mr
    L.push(`(local.set $row (i32.add ${g('$i0')} (select ${i(r)} (i32.sub ${g('$mr')} ${i(1)}) (i32.gt_u ${g('$mr')} ${i(r)}))))`);
    L.push(`(local.set $q (i32.rem_u ${g('$row')} ${g('$P')}))`);
    L.push(`(local.set $hb${r} (i32.sub (i32.mul (i32.div_u ${g('$q')} ${g('$oW')}) ${ld(CB.sH)}) ${ld(CB.padT)}))`);
    L.push(`(local.set $wb${r} (i32.sub (i32.mul (i32.rem_u ${g('$q')} ${g('$oW')}) ${ld(CB.sW)}) ${ld(CB.padL)}))`);
    L.push(`(local.set $base${r} (i32.add ${ld(CB.x)} (i32.shl (i32.mul (i32.div_u ${g('$row')} ${g('$P')}) (i32.mul (i32.mul ${g('$H')} ${g('$W')}) ${g('$C')})) ${i(2)})))`);
  }
  L.push(`(local.set $k ${g('$k0')})`);
  L.push(`(block $kd (loop $kl (br_if $kd (i32.eqz ${g('$kc')}))`);
  L.push(`(local.set $tap (i32.div_u ${g('$k')} ${g('$C')})) (local.set $c (i32.sub ${g('$k')} (i32.mul ${g('$tap')} ${g('$C')})))`);
  L.push(`(local.set $kh (i32.div_u ${g('$tap')} ${g('$kW')})) (local.set $kw (i32.sub ${g('$tap')} (i32.mul ${g('$kh')} ${g('$kW')})))`);
  L.push(`(local.set $run (i32.sub ${g('$C')} ${g('$c')}))`);
  L.push(`(if (i32.gt_u ${g('$run')} ${g('$kc')}) (then (local.set $run ${g('$kc')})))`);
  L.push(`(local.set $kc (i32.sub ${g('$kc')} ${g('$run')})) (local.set $k (i32.add ${g('$k')} ${g('$run')}))`);
  for (const r of rng(MR)) {
    L.push(`(local.set $ih (i32.add ${g(`$hb${r}`)} (i32.mul ${g('$kh')} ${g('$dH')}))) (local.set $iw (i32.add ${g(`$wb${r}`)} (i32.mul ${g('$kw')} ${g('$dW')})))`);
    L.push(`(local.set $a${r} (select (i32.add ${g(`$base${r}`)} (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${g('$ih')} ${g('$W')}) ${g('$iw')}) ${g('$C')}) ${g('$c')}) ${i(2)}))`);
    L.push(`  (i32.add ${g('$zero')} (i32.shl ${g('$c')} ${i(2)})) (i32.and (i32.lt_u ${g('$ih')} ${g('$H')}) (i32.lt_u ${g('$iw')} ${g('$W')}))))`);
  }
  // 4 channels of MR rows at a time
  L.push(`(block $d4 (loop $l4 (br_if $d4 (i32.lt_u ${g('$run')} ${i(4)}))`);
  for (let r0 = 0; r0 < MR; r0 += 4) {
    const n = Math.min(4, MR - r0);
    for (const q of rng(4)) L.push(`(local.set $r${q} (v128.load ${g(`$a${r0 + Math.min(q, n - 1)}`)}))`);
    L.push(transpose);
    for (const u of rng(4)) {
      const off = (u * MR + r0) * 4;
      if (n === 4) L.push(`(v128.store offset=${off} ${g('$dst')} ${g(`$r${u}`)})`);
      else if (n === 2) L.push(`(v128.store64_lane offset=${off} 0 ${g('$dst')} ${g(`$r${u}`)})`);
      else throw new Error('pack_a_conv: MR must be a sum of 4s and one 2');
    }
  }
  for (const r of rng(MR)) L.push(`(local.set $a${r} (i32.add ${g(`$a${r}`)} ${i(16)}))`);
  L.push(`(local.set $dst (i32.add ${g('$dst')} ${i(16 * MR)})) (local.set $run (i32.sub ${g('$run')} ${i(4)})) (br $l4)))`);
  // the rest one channel at a time
  L.push(`(block $d1 (loop $l1 (br_if $d1 (i32.eqz ${g('$run')}))`);
  for (const r of rng(MR)) L.push(`(i32.store offset=${r * 4} ${g('$dst')} (i32.load ${g(`$a${r}`)})) (local.set $a${r} (i32.add ${g(`$a${r}`)} ${i(4)}))`);
  L.push(`(local.set $dst (i32.add ${g('$dst')} ${i(MR * 4)})) (local.set $run (i32.sub ${g('$run')} ${i(1)})) (br $l1)))`);
  L.push(`(br $kl))))`);
  return L.join('\n');
}
