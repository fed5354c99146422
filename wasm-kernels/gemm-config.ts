/**
 * Tile choices for the `gemm` family: which MRxNR microkernel runs a problem, and the cache blocking.
 *
 * Every f32 microkernel keeps MR·NR/4 accumulators in xmm registers (V8/x64 allocates 15 of the 16
 * for wasm SIMD), loads A as `v128.load32_splat` from an A tile packed [k][MR], and B as NR/4
 * vectors from a panel packed [k][NR] once per weight. The k loop is NOT unrolled: TurboFan hoists
 * the loads of an unrolled body to its top and then spills the accumulators (kernel alone, relaxed
 * 6x8: 54.3 GFLOP/s rolled, 36.4 unrolled 2×, 27.8 unrolled 4×).
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
 * (lab driver: KC=256, unblocked N, scalar A packing; "p" = packed A.)
 * Integrated (`npm run bench --only=matmul`, same run, GFLOP/s 256³ / 512³ / 1024³ / GEMV 1×4096·4096²):
 *   tfjs-wasm 32.2/29.6/29.7/6.5; twinops 1t 38.7/37.6/37.8/6.6, 1t relaxed 53.1/52.1/51.0/6.8,
 *   2t 51.7/61.7/72.0/17.2, 2t relaxed 72.7/84.6/100.7/18.9.
 * So 6x8 with packed A for everything with M ≥ 5, and 4x8 only where M itself is small (fewer
 * wasted rows; see f32TileFor). One NR (8) for every tile, so a packed weight serves every M.
 */

export const NR = 8;

/**
 * Row counts of the f32 microkernels the module contains (all NR = 8). No 2x8: M = 2 on 4x8 (rows
 * repeated) already takes 0.08 ms at 2×512·512² against tfjs-wasm's 0.10 ms (1 thread, relaxed).
 */
export const F32_TILES = [6, 4] as const;
export type F32Tile = (typeof F32_TILES)[number];

/** int32 microkernel rows (NR = 8, i32x4.mul + i32x4.add). */
export const I32_MR = 4;

/**
 * K block: a 6x8 tile's packed A (12 KiB) and the B panel slice (16 KiB) stay in L1 (48 KiB); C is
 * read and written once per K block, so fewer, longer blocks cut its traffic.
 * N block in panels: KC × 8·NC_PANELS floats of packed B (768 KiB) stay in L2 (2 MiB per core)
 * while a task's row tiles sweep it.
 * Measured through the runtime (relaxed, GFLOP/s 1T / 2T at 1024³, quiet machine, best of 3 rounds):
 *   KC 256 / 128 panels  50.0 / 85.9 (1.72×)   KC 512 / 64  51.0 / 85.9 (1.69×)
 *   KC 512 / 48          50.8 / 90.9 (1.79×)   KC 768 / 40  49.6 / 87.7 (1.77×)
 */
export const KC = 512;
export const NC_PANELS = 48;

/**
 * The f32 tile for an M-row problem. M = 1 never gets here (GEMV path). 1 thread relaxed, ms: 3 and
 * 4×512·512² 0.08 (4x8), 5 and 6× 0.10 (6x8). For 7 ≤ M ≤ 16 the 4x8 tile pads fewer rows (M = 8: 8
 * against 12) and wins where its per-row rate is close to 6x8's: M×256·256², 1 thread, 4x8 time over
 * 6x8 time, process CPU time (tmp/d/ab-tile.ts, two rounds on a loaded machine):
 *   relaxed  M=7 0.85/1.13  M=8 0.74/0.87  M=9 1.24/1.18  M=12 1.25/1.12  M=13–16 1.01–1.15
 *   plain    M=7 0.76/0.78  M=8 0.70/0.64  M=9 0.88/0.97  M=10–12 0.89–1.02  M=13–16 0.87–0.92
 * (M = 5 and 6: 6x8 by 1.2–1.7× either way.)
 */
export function f32TileFor(M: number, relaxed: boolean): F32Tile {
  if (M <= 4) return 4;
  if (M <= 6) return 6;
  return M <= (relaxed ? 8 : 16) ? 4 : 6;
}
