/**
 * Tile choices for the `gemm` family: which MRxNR microkernel runs a problem, and the cache blocking.
 *
 * Every f32 microkernel keeps MR·NR/4 accumulators in xmm registers (V8/x64 allocates 15 of the 16
 * for wasm SIMD), loads A as `v128.load32_splat` from an A tile packed [k][MR], and B as NR/4
 * vectors from a panel packed [k][NR] once per weight. The k loop is NOT unrolled: TurboFan hoists
 * the loads of an unrolled body to its top and then spills the accumulators (measured 30–40% slower).
 *
 * Measured (lab, /tmp/gemm-lab, Xeon with AVX-512 2 vCPU, Node 20.20 / V8 11.3, 1 thread, medians of
 * 9 after warm-up, same process as tfjs-backend-wasm 4.22, GFLOP/s at 256³ / 512³ / 1024³):
 *   tfjs-backend-wasm (XNNPACK)   19.7 / 26.5 / 28.2
 *   plain   4x8 36.4/35.0/34.6  5x8 38.1/36.9/34.4  6x8 36.9/36.7/31.2 (A unpacked)
 *           4x8p 35.6/37.3/36.1 5x8p 35.9/37.8/36.7 6x8p 35.2/37.5/36.7 3x12 37.5/38.4/36.6 3x16 35.1/35.5/33.1
 *   relaxed 4x8 44.6/41.6/40.6  5x8 50.8/48.7/46.8  6x8 52.1/49.1/47.0 (A unpacked)
 *           4x8p 42.6/43.4/41.2 5x8p 49.6/48.6/46.8 6x8p 51.8/50.7/48.2 3x12 49.0/48.1/45.8 3x16 38.1/36.9/35.4
 *   kernel alone (A, B in L1, KC=256): plain ≈ 37–40 for 4x8..6x8; relaxed 4x8 46.6, 6x8 54.3.
 *   4x16/3x16 spill (16+ live vectors); NR=16 tiles lose 20–30% with relaxed SIMD.
 * So 6x8 with packed A for everything with M ≥ 6; narrower MR only where M itself is small (fewer
 * wasted rows: an M=4 problem on a 6-row tile does 1.5× the work). One NR (8) for every tile, so a
 * packed weight serves every M.
 */

export const NR = 8;

/** Row counts of the f32 microkernels the module contains (all NR = 8). */
export const F32_TILES = [6, 4, 2] as const;
export type F32Tile = (typeof F32_TILES)[number];

/** int32 microkernel rows (NR = 8, i32x4.mul + i32x4.add). */
export const I32_MR = 4;

/** K block: a 6x8 tile's packed A (6 KiB) and the B panel slice (8 KiB) stay in L1 (48 KiB). */
export const KC = Number(process.env.KC ?? 256);

/** N block in panels: KC × 8·NCP floats of packed B (1 MiB at KC=256) stay in L2 (2 MiB per core). */
export const NC_PANELS = Number(process.env.NCP ?? 128);

/** The f32 tile for an M-row problem (relaxed or not: the same choice won both ways). */
export function f32TileFor(M: number, relaxed: boolean): F32Tile {
  void relaxed;
  if (M >= 6 || M === 5) return 6;
  if (M >= 3) return 4;
  return 2;
}
