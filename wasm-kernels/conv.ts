/**
 * wasm launcher for Conv (family `conv`, see conv.wat.ts; the GEMMs run in family `gemm`).
 *
 * - depthwise 1-D/2-D (one input channel per group, any multiplier): the direct kernels, bias
 *   and activation fused (3-D depthwise takes the grouped path below);
 * - group 1, 1-D/2-D, C < 32 and M ≤ 64 channels, not pointwise, or any C and M with a tiny output
 *   (one pixel, or ≤ 64 pixels and little work, see `tinyOutput`; pointwise included): the direct kernels of
 *   family `conv-direct` (4 pixels × 8 channels per tile; 1 pixel × 32 channels for output rows of
 *   1–2 pixels), no im2col, no transposes, either layout;
 * - other group 1: im2col (skipped for 1×1 convs with stride 1 and no padding) and one GEMM with the
 *   bias and activation in its epilogue. NHWC: Y[N·P, M] = col[N·P, K] · F[K, M], the HWIO filter
 *   read as K×M and packed once (cached on the filter tensor by gemm-launch). NCHW: X transposed
 *   to NHWC, the NHWC form with the filter as HWIO (cached), Y transposed back; NCHW 1×1: per
 *   image Y[M, P] = F[M, C] · X[C, P] with no copy;
 * - other groups: im2col, one GEMM per (image, group) batch entry without epilogue, then
 *   `f32_bias_act` adds the bias, applies the activation and (NHWC) scatters groups into place.
 */
import { Tensor } from '../core/tensor.js';
import type { ConvPlan } from '../ops/conv.js';
import '../ops/conv.js';
import type { GemmProblem } from '../ops/matmul.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { BIAS_ACT, CP, DWCONV_NCHW, DWCONV_NHWC, IM2COL_NCHW, IM2COL_NHWC, TRANSPOSE } from './conv.wat.js';
import { DW_STRIDES, DW_WIDTHS, dwNchwExport } from './dwconv.wat.js';
import { NHWC_WIDTHS, dwNhwcExport, dwNhwcFits } from './dwconv-nhwc.wat.js';
import { actParams, runGemm } from './gemm-launch.js';
import { CB } from './conv-gemm.wat.js';
import { DC, DIRECT_MRS, DIRECT_NR, PAD_EXPORT, PIXEL_EXPORT, directExport } from './conv-direct.wat.js';
import type { WasmBackend } from './runtime/backend.js';

const FAMILY = 'conv';
const OP = 'Conv';
/**
 * Floats written (im2col) or multiply-adds (depthwise) per thread below which a pass stays on the
 * calling thread. Waking a worker costs ~20–40 µs here (2 cores, Node 20). Measured, 1 thread,
 * relaxed: im2col of 56×56×64 3×3 (1.8M floats) ≈ 0.8 ms (~2.3 floats/ns); depthwise 3×3
 * 112×112×32 (3.6M MACs) ≈ 0.57 ms (~6 MACs/ns). 128k units is ≥ 20 µs of either.
 */
const MIN_UNITS_PER_THREAD = 1 << 17;

function minRows(unitsPerRow: number): number {
  return Math.max(1, Math.ceil(MIN_UNITS_PER_THREAD / Math.max(1, unitsPerRow)));
}

export function tempTensor(w: WasmBackend, shape: number[]): Tensor {
  const bytes = shape.reduce((a, b) => a * b, 1) * 4;
  return new Tensor('float32', shape, w.allocStorage(bytes, OP), w);
}

/** The parameter block is assembled in one reused buffer (block() copies it out before returning). */
const WORDS = new Int32Array(CP.words);
const WORDS_F32 = new Float32Array(WORDS.buffer);

/** What the parameter block reads from a Conv or ConvTranspose plan. */
export type ConvGeometry = Pick<ConvPlan, 'N' | 'C' | 'D' | 'H' | 'W' | 'M' | 'Cg' | 'Mg' | 'group' | 'kD' | 'kH' | 'kW' | 'sD' | 'sH' | 'sW' | 'dD' | 'dH' | 'dW' | 'padF' | 'padT' | 'padL' | 'oD' | 'oH' | 'oW' | 'activation'>;

/** Parameter block with the geometry, pointers and activation of the plan. */
export function block(w: WasmBackend, p: ConvGeometry, ptrs: { x: number; y: number; w?: number; bias?: number }, extra: Partial<Record<keyof typeof CP, number>> = {}): number {
  const blk = w.alloc(CP.words * 4, OP);
  const words = WORDS.fill(0);
  const f = WORDS_F32;
  const [act, p0, p1] = actParams(p.activation);
  // field by field (an object literal with computed keys per call cost more than the small convs it launches)
  words[CP.x] = ptrs.x; words[CP.y] = ptrs.y; words[CP.w] = ptrs.w ?? 0; words[CP.bias] = ptrs.bias ?? 0;
  words[CP.N] = p.N; words[CP.H] = p.H; words[CP.W] = p.W; words[CP.C] = p.C; words[CP.Cg] = p.Cg; words[CP.kH] = p.kH; words[CP.kW] = p.kW;
  words[CP.sH] = p.sH; words[CP.sW] = p.sW; words[CP.dH] = p.dH; words[CP.dW] = p.dW; words[CP.padT] = p.padT; words[CP.padL] = p.padL;
  words[CP.oH] = p.oH; words[CP.oW] = p.oW; words[CP.M] = p.M; words[CP.mult] = p.Mg; words[CP.act] = act; words[CP.G] = p.group;
  words[CP.D] = p.D; words[CP.kD] = p.kD; words[CP.sD] = p.sD; words[CP.dD] = p.dD; words[CP.padF] = p.padF; words[CP.oD] = p.oD;
  f[CP.p0] = p0;
  f[CP.p1] = p1;
  for (const [k, v] of Object.entries(extra)) words[CP[k as keyof typeof CP]] = v!;
  w.i32(blk, CP.words).set(words);
  return blk;
}

function gemm(ctx: KernelContext, a: Tensor, b: Tensor, bias: Tensor | undefined, out: Tensor, prob: Omit<GemmProblem, 'alpha' | 'beta' | 'transA' | 'transB'>): void {
  runGemm(OP, ctx, bias ? [a, b, bias] : [a, b], [out], { ...prob, alpha: 1, beta: 1, transA: false, transB: false });
}

function depthwise(w: WasmBackend, p: ConvPlan, inputs: readonly Tensor[], y: number): void {
  const nhwc = p.layout === 'NHWC';
  const blk = block(w, p, { x: w.ptrOf(inputs[0]!, OP), y, w: w.ptrOf(inputs[1]!, OP), bias: inputs[2] ? w.ptrOf(inputs[2], OP) : 0 });
  try {
    const rows = nhwc ? p.N * p.oH : p.N * p.M * p.oH;
    const perRow = p.oW * p.kH * p.kW * (nhwc ? p.M : 1);
    // kernel width 3 or 5 (NCHW: horizontal stride 1/2, dilation 1; NHWC: multiplier 1): family dwconv's unrolled kernels
    const fn = nhwc ? (p.Mg === 1 && (NHWC_WIDTHS as readonly number[]).includes(p.kW) && dwNhwcFits(p.kH, p.kW, p.sW, p.dW, p.C) ? dwNhwcExport(p.kW) : undefined)
      : p.dW === 1 && (DW_WIDTHS as readonly number[]).includes(p.kW) && (DW_STRIDES as readonly number[]).includes(p.sW) ? dwNchwExport(p.kW, p.sW) : undefined;
    if (fn) w.parallelFor('dwconv', fn, [blk], rows, { minPerThread: minRows(perRow), op: OP });
    else w.parallelFor(FAMILY, nhwc ? DWCONV_NHWC : DWCONV_NCHW, [blk], rows, { minPerThread: minRows(perRow), op: OP });
  } finally {
    w.free(blk);
  }
}

const pixels = (p: ConvPlan) => p.oD * p.oH * p.oW;
const taps = (p: ConvPlan) => p.kD * p.kH * p.kW;

/** Patch matrix: NHWC [G, N·P, Kg], NCHW [N·G, Kg, P]. */
function im2col(w: WasmBackend, p: ConvPlan, x: number): Tensor {
  const P = pixels(p);
  const Kg = p.Cg * taps(p);
  const nhwc = p.layout === 'NHWC';
  const col = tempTensor(w, nhwc ? [p.group, p.N * P, Kg] : [p.N * p.group, Kg, P]);
  if (col.size === 0) return col;
  const blk = block(w, p, { x, y: w.ptrOf(col, OP) });
  try {
    const rows = nhwc ? p.group * p.N * P : p.N * p.group * Kg;
    w.parallelFor(FAMILY, nhwc ? IM2COL_NHWC : IM2COL_NCHW, [blk], rows, { minPerThread: minRows(nhwc ? Kg : P), op: OP });
  } catch (e) {
    col.dispose();
    throw e;
  } finally {
    w.free(blk);
  }
  return col;
}

const isPointwise = (p: ConvPlan) => taps(p) === 1 && p.sD === 1 && p.sH === 1 && p.sW === 1 && p.padF === 0 && p.padT === 0 && p.padL === 0 && pixels(p) === p.D * p.H * p.W;

/** src [batch, R, Cc] → dst [batch, Cc, R] on the pool. */
function transposeInto(w: WasmBackend, src: number, dst: number, batch: number, R: number, Cc: number): void {
  if (batch * R * Cc === 0) return;
  const blk = w.alloc(CP.words * 4, OP);
  try {
    const words = new Int32Array(CP.words);
    words[CP.src] = src;
    words[CP.y] = dst;
    words[CP.B] = R;
    words[CP.L] = Cc;
    w.i32(blk, CP.words).set(words);
    w.parallelFor(FAMILY, TRANSPOSE, [blk], batch * R, { minPerThread: minRows(Cc), op: OP });
  } finally {
    w.free(blk);
  }
}

/** OIHW [M, C, ...k] as HWIO [...k, C, M] (cached on the filter tensor), the B of the NHWC-form GEMM. */
function hwioFilter(w: WasmBackend, p: ConvPlan, f: Tensor): Tensor {
  const hit = f.derived.get('conv.hwio') as { t: Tensor; dispose(): void } | undefined;
  if (hit) return hit.t;
  const KK = taps(p);
  const t = tempTensor(w, [KK, p.C, p.M]);
  const src = w.f32(w.ptrOf(f, OP), f.size).slice();
  const dst = w.f32(w.ptrOf(t, OP), t.size);
  for (let m = 0; m < p.M; m++) for (let c = 0; c < p.C; c++) for (let k = 0; k < KK; k++) dst[(k * p.C + c) * p.M + m] = src[(m * p.C + c) * KK + k]!;
  const entry = { t, dispose: () => t.dispose() };
  f.derived.set('conv.hwio', entry);
  return t;
}

/**
 * NCHW, group 1, not pointwise: transpose X to NHWC, run the NHWC form (patch rows · cached packed
 * HWIO filter), transpose Y back. The two transposes move only activations, and the filter is packed
 * once instead of packing the patch matrix every call. 1 thread, relaxed, 3×3 64→64 on 56×56 (best
 * of 100, same process, loaded machine): 9.6 ms as F·col per image (im2col [C·9, P], B packed per
 * call), 7.1 ms this way, NHWC itself 6.2–6.6 ms.
 */
function nchwViaNhwc(ctx: KernelContext, p: ConvPlan, inputs: readonly Tensor[], out: Tensor): void {
  const w = ctx.wasm;
  const [x, f, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  const Pin = p.D * p.H * p.W;
  const P = pixels(p);
  const K = p.C * taps(p);
  const fh = hwioFilter(w, p, f);
  const xt = tempTensor(w, [p.N, Pin, p.C]);
  let col: Tensor | undefined;
  let yt: Tensor | undefined;
  try {
    transposeInto(w, w.ptrOf(x, OP), w.ptrOf(xt, OP), p.N, p.C, Pin);
    yt = tempTensor(w, [p.N * P, p.M]);
    if (implicitOk(p)) implicitNhwc(ctx, { ...p, layout: 'NHWC' }, xt, fh, bias, yt);
    else {
      col = im2col(w, { ...p, layout: 'NHWC' }, w.ptrOf(xt, OP));
      gemm(ctx, col, fh, bias, yt, { bias: bias ? { rowStride: 0, colStride: 1 } : undefined, activation: p.activation, M: p.N * P, N: p.M, K, batch: 1, aOffsets: [0], bOffsets: [0], sharedB: true });
    }
    transposeInto(w, w.ptrOf(yt, OP), w.ptrOf(out, OP), p.N, P, p.M);
  } finally {
    xt.dispose();
    col?.dispose();
    yt?.dispose();
  }
}

/**
 * NHWC, one group, 1-D/2-D, not pointwise: the GEMM packs its A tiles straight from the image
 * (implicit GEMM, see conv-gemm.wat.ts), so no im2col matrix is written and read back. Measured
 * (1 thread, relaxed, best of 15 on a loaded machine): the im2col copy was 35–55% of these convs,
 * e.g. 63×63×64 3×3 → 32: 7.2 ms with im2col, GEMM part alone 4.6 ms.
 */
function implicitNhwc(ctx: KernelContext, p: ConvPlan, xt: Tensor, f: Tensor, bias: Tensor | undefined, out: Tensor): void {
  const w = ctx.wasm;
  const P = pixels(p);
  const K = p.C * taps(p);
  const cb = w.alloc(CB.words * 4, OP);
  const zero = w.alloc(p.C * 4, OP);
  try {
    w.f32(zero, p.C).fill(0);
    const words = w.i32(cb, CB.words);
    words[CB.x] = w.ptrOf(xt, OP);
    words[CB.H] = p.H;
    words[CB.W] = p.W;
    words[CB.C] = p.C;
    words[CB.kW] = p.kW;
    words[CB.sH] = p.sH;
    words[CB.sW] = p.sW;
    words[CB.dH] = p.dH;
    words[CB.dW] = p.dW;
    words[CB.padT] = p.padT;
    words[CB.padL] = p.padL;
    words[CB.oH] = p.oH;
    words[CB.oW] = p.oW;
    words[CB.zero] = zero;
    runGemm(OP, ctx, bias ? [xt, f, bias] : [xt, f], [out], { bias: bias ? { rowStride: 0, colStride: 1 } : undefined, activation: p.activation, M: p.N * P, N: p.M, K, batch: 1, aOffsets: [0], bOffsets: [0], sharedB: true, alpha: 1, beta: 1, transA: false, transB: false }, cb);
  } finally {
    w.free(zero);
    w.free(cb);
  }
}

/**
 * Where the implicit GEMM runs: its packing pays a per-tap cost (row addresses, padding checks) that
 * a run of C channels amortises; with few channels im2col's contiguous kernel-row copies win
 * (1 thread, loaded machine: 256×256×3 5×5/2 → 24 im2col ≈ 4 ms, implicit ≈ 12 ms; 14×14×8 5×5 → 16
 * im2col 62 µs, implicit 73 µs; at 16 channels they are level, 12×12 3×3 → 16: 35 vs 30 µs).
 */
const IMPLICIT_MIN_CHANNELS = 16;
/**
 * NCHW, one group, below this many input channels: F·col on the NCHW patch matrix (one copy per
 * output row and tap) instead of transposing to NHWC: 1-channel 28×28 5×5 → 8 (mnist-8's first
 * conv), 1 thread, best of 200: 84 µs via NHWC, 55 µs this way; 8 channels 14×14 5×5 → 16: 79 µs
 * via NHWC, 116 µs this way.
 */
const NCHW_VIA_NHWC_MIN_C = 8;

const implicitOk = (p: ConvPlan) => p.group === 1 && p.D === 1 && p.kD === 1 && p.C >= IMPLICIT_MIN_CHANNELS && p.N * pixels(p) > 1 && p.M > 1;

/** Group 1, NHWC (implicit GEMM, or im2col for the rest, unless pointwise) or NCHW pointwise (X is the B operand as it is). */
function singleGroup(ctx: KernelContext, p: ConvPlan, inputs: readonly Tensor[], out: Tensor): void {
  const w = ctx.wasm;
  const [x, f, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  const P = pixels(p);
  const K = p.C * taps(p);
  const common = { bias: bias ? (p.layout === 'NHWC' ? { rowStride: 0, colStride: 1 } : { rowStride: 1, colStride: 0 }) : undefined, activation: p.activation };
  const direct = isPointwise(p);
  if (!direct && p.layout === 'NHWC' && implicitOk(p)) return implicitNhwc(ctx, p, x, f, bias, out);
  const col = direct ? x : im2col(w, p, w.ptrOf(x, OP));
  try {
    if (p.layout === 'NHWC') {
      gemm(ctx, col, f, bias, out, { ...common, M: p.N * P, N: p.M, K, batch: 1, aOffsets: [0], bOffsets: [0], sharedB: true });
    } else {
      const offs = Array.from({ length: p.N }, (_, n) => n * K * P);
      gemm(ctx, f, col, bias, out, { ...common, M: p.M, N: P, K, batch: p.N, aOffsets: new Array<number>(p.N).fill(0), bOffsets: offs, sharedB: false });
    }
  } finally {
    if (!direct) col.dispose();
  }
}

/** HWIO [kH, kW, Cg, M] regrouped as [G, kH·kW·Cg, Mg] (cached on the filter tensor). */
function groupedFilter(w: WasmBackend, p: ConvPlan, f: Tensor): Tensor {
  const key = `conv.groups:${p.group}`;
  const hit = f.derived.get(key) as { t: Tensor; dispose(): void } | undefined;
  if (hit) return hit.t;
  const Kg = taps(p) * p.Cg;
  const t = tempTensor(w, [p.group, Kg, p.Mg]);
  const src = w.f32(w.ptrOf(f, OP), f.size).slice();
  const dst = w.f32(w.ptrOf(t, OP), t.size);
  for (let g = 0; g < p.group; g++) {
    for (let k = 0; k < Kg; k++) for (let j = 0; j < p.Mg; j++) dst[(g * Kg + k) * p.Mg + j] = src[k * p.M + g * p.Mg + j]!;
  }
  const entry = { t, dispose: () => t.dispose() };
  f.derived.set(key, entry);
  return t;
}

function groupedN(ctx: KernelContext, p: ConvPlan, inputs: readonly Tensor[], out: Tensor): void {
  const w = ctx.wasm;
  const [x, f, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  const { group: G, Mg, M, N } = p;
  const P = pixels(p);
  const Kg = p.Cg * taps(p);
  const linear = { bias: undefined, activation: { kind: 'linear' } as const };
  const col = im2col(w, p, w.ptrOf(x, OP));
  let tmp: Tensor | undefined;
  try {
    const biasPtr = bias ? w.ptrOf(bias, OP) : 0;
    let extra: Partial<Record<keyof typeof CP, number>>;
    let rows: number;
    if (p.layout === 'NCHW') {
      const B = N * G;
      const aOffsets = Array.from({ length: B }, (_, b) => (b % G) * Mg * Kg);
      const bOffsets = Array.from({ length: B }, (_, b) => b * Kg * P);
      gemm(ctx, f, col, undefined, out, { ...linear, M: Mg, N: P, K: Kg, batch: B, aOffsets, bOffsets, sharedB: false });
      if (!bias && p.activation.kind === 'linear') return;
      const y = w.ptrOf(out, OP);
      extra = { src: y, B: M, sa: M * P * 4, sb: P * 4, da: M * P * 4, db: P * 4, bb: 4, bstep: 0, L: P };
      rows = N * M;
    } else {
      const fg = groupedFilter(w, p, f);
      tmp = tempTensor(w, [G, N * P, Mg]);
      const aOffsets = Array.from({ length: G }, (_, g) => g * N * P * Kg);
      const bOffsets = Array.from({ length: G }, (_, g) => g * Kg * Mg);
      gemm(ctx, col, fg, undefined, tmp, { ...linear, M: N * P, N: Mg, K: Kg, batch: G, aOffsets, bOffsets, sharedB: false });
      extra = { src: w.ptrOf(tmp, OP), B: G, sa: Mg * 4, sb: N * P * Mg * 4, da: M * 4, db: Mg * 4, bb: Mg * 4, bstep: 1, L: Mg };
      rows = N * P * G;
    }
    const blk = block(w, p, { x: 0, y: w.ptrOf(out, OP), bias: biasPtr }, extra);
    try {
      w.parallelFor(FAMILY, BIAS_ACT, [blk], rows, { minPerThread: minRows(extra.L!), op: OP });
    } finally {
      w.free(blk);
    }
  } finally {
    col.dispose();
    tmp?.dispose();
  }
}

const DIRECT_FAMILY = 'conv-direct';

/**
 * The direct path's switches and channel limits, read per call (benchmarks flip them for A/B runs
 * in one process, the tests run both padding paths): the limits' measurements are at `directOk`,
 * the padded copy's at `prepadPays`, the tiny-output region's (`tiny*`) at `tinyOutput`, the
 * pointwise flattening's at `pointwiseRow`, the one-pixel kernel's (`pixel`) at `usePixelKernel`.
 */
export const convDirect = { enabled: true, maxC: 32, maxM: 64, prepad: true, tiny: true, tinyPixels: 64, tinyMacs: 640 * 1024, tinyPixelMacs: 192 * 1024, pointwiseRow: true, pixel: 'auto' as 'auto' | 'always' | 'never' };

/**
 * Filter packed for conv-direct (cached on the filter tensor): [ceil(M/8)][kH][taps of a kernel
 * row][8 output channels], zero past M; a kernel row's taps run (kw, c) for NHWC, (c, kw) for NCHW.
 */
function directFilter(w: WasmBackend, p: ConvPlan, f: Tensor): Tensor {
  const key = p.layout === 'NHWC' ? 'conv.direct:NHWC' : 'conv.direct:NCHW';
  const hit = f.derived.get(key) as { t: Tensor; dispose(): void } | undefined;
  if (hit) return hit.t;
  const { C, M, kH, kW } = p;
  const nb = Math.ceil(M / DIRECT_NR);
  const t = tempTensor(w, [nb * kH * kW * C * DIRECT_NR]);
  const src = w.f32(w.ptrOf(f, OP), f.size).slice();
  const dst = w.f32(w.ptrOf(t, OP), t.size);
  const nhwc = p.layout === 'NHWC';
  let o = 0;
  for (let jb = 0; jb < nb; jb++) {
    for (let kh = 0; kh < kH; kh++) {
      for (let a = 0; a < (nhwc ? kW : C); a++) {
        for (let b = 0; b < (nhwc ? C : kW); b++) {
          const [kw, c] = nhwc ? [a, b] : [b, a];
          for (let l = 0; l < DIRECT_NR; l++, o++) {
            const m = jb * DIRECT_NR + l;
            // HWIO [kH, kW, C, M] or OIHW [M, C, kH, kW]
            dst[o] = m >= M ? 0 : nhwc ? src[((kh * kW + kw) * C + c) * M + m]! : src[((m * C + c) * kH + kh) * kW + kw]!;
          }
        }
      }
    }
  }
  const entry = { t, dispose: () => t.dispose() };
  f.derived.set(key, entry);
  return t;
}

const DWORDS = new Int32Array(DC.words);
const DWORDS_F32 = new Float32Array(DWORDS.buffer);

/**
 * Group 1, 1-D/2-D, either layout: the direct kernel (conv-direct.wat.ts), no im2col, no transposes.
 * Work items are output rows (n, oh); a worker is woken only for ≥ DIRECT_MIN_MACS per thread.
 */
function directConv(ctx: KernelContext, plan: ConvPlan, inputs: readonly Tensor[], out: Tensor): void {
  const p = convDirect.pointwiseRow && isPointwise(plan) ? pointwiseRow(plan) : plan;
  const w = ctx.wasm;
  const [x, f, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  const { C, kH, kW, oH, oW } = p;
  let { H, W, padT, padL } = p;
  const packed = directFilter(w, p, f);
  const nhwc = p.layout === 'NHWC';
  let xPtr = w.ptrOf(x, OP);
  // padded copy: the rows and columns the taps reach, from -padT / -padL
  const Hp = Math.max(padT + H, (oH - 1) * p.sH + (kH - 1) * p.dH + 1);
  const Wp = Math.max(padL + W, (oW - 1) * p.sW + (kW - 1) * p.dW + 1);
  // the one-pixel kernel needs every tap inside the image: always the padded copy
  const pixel = H * W > 0 && usePixelKernel(p);
  const xp = H * W > 0 && (Hp > H || Wp > W) && (pixel || (convDirect.prepad && prepadPays(p, Hp, Wp))) ? w.alloc(p.N * C * Hp * Wp * 4, OP) : 0;
  try {
    if (xp) {
      const pix = nhwc ? C * 4 : 4;
      w.exports(DIRECT_FAMILY)[PAD_EXPORT]!(xPtr, xp, p.N * C * Hp * Wp * 4, nhwc ? p.N * H : p.N * C * H, H, Hp, Wp, padT, padL, pix, W * pix);
      [xPtr, H, W, padT, padL] = [xp, Hp, Wp, 0, 0];
    }
    directRun(w, p, { x: xPtr, H, W, padT, padL }, packed, bias, out, pixel ? PIXEL_EXPORT : directExport(DIRECT_MRS[0]));
  } finally {
    if (xp) w.free(xp);
  }
}

/**
 * A pointwise conv as one output row per image (NCHW: H·W pixels) or one row for the batch (NHWC:
 * N·H·W pixels), so that tiles run across image rows instead of repeating pixels at each row's end
 * (pointwise convs take the direct kernels only with tiny outputs, which stay on one thread). NHWC,
 * 1 thread, relaxed, interleaved medians (GEMM / direct per image row / one row, µs): 6×6×128 1×1 →
 * 128 45.7/51.7/42.3, 5×5×64 1×1 → 64 13.6/12.3/9.8, 3×3×128 1×1 → 128 17.0/13.4/12.9, 4×4×128
 * 1×1 → 128 (no row ends) 21.3/16.4/15.9.
 */
function pointwiseRow(p: ConvPlan): ConvPlan {
  const nhwc = p.layout === 'NHWC';
  const px = p.H * p.W * (nhwc ? p.N : 1);
  return { ...p, N: nhwc ? 1 : p.N, H: 1, W: px, oH: 1, oW: px };
}

/**
 * Whether copying the input into a padded image pays: it turns every tile into an interior one
 * (the `$uk_*` loop, no per-tap pointer selects), at the price of a copy of Hp·Wp pixels. Taken
 * when the share of tiles that are not interior exceeds 4× the copy's pixels per multiply-add ×
 * C (copyRatio below). Measured (whole Conv, interleaved, 1 thread, relaxed; direct without /
 * with the copy, µs): mnist-8 conv1 NCHW 23.7/17.6, NHWC 22.7/16.2 (border share 0.4, copy ratio
 * 0.007); conv2 NCHW 55.1/45.7, NHWC 50.8/41.2 (0.64, 0.004); 32×32×3 3×3 → 16 39.0/32.7 (0.30,
 * 0.008); 128×128×3 5×5/2 → 24 380.8/345.8 (0.15, 0.007); 64×64×3 3×3/2 → 32 60.6/56.6 (0.15,
 * 0.014); but PaddleOCR cls 3×48×192 3×3/2 → 8 35.5/38.3 (0.08, 0.058), 192×192×3 3×3/2 → 16
 * 235.8/242.9 (0.05, 0.028), 1-D 8×500 k5 → 16 20.9/21.4 (0.016, 0.013).
 */
function prepadPays(p: ConvPlan, Hp: number, Wp: number): boolean {
  const MR = DIRECT_MRS[0];
  const { H, W, oH, oW } = p;
  const rowLo = Math.ceil(p.padT / p.sH);
  const rowHi = Math.floor((H - 1 - (p.kH - 1) * p.dH + p.padT) / p.sH);
  const rows = Math.max(0, Math.min(oH - 1, rowHi) - rowLo + 1);
  let tiles = 0;
  let inside = 0;
  for (let ow0 = 0; ow0 < oW; ow0 += MR, tiles++) {
    const o = oW >= MR ? Math.min(ow0, oW - MR) : ow0;
    const iw = o * p.sW - p.padL;
    if (oW >= MR && iw >= 0 && iw + (MR - 1) * p.sW + (p.kW - 1) * p.dW < W) inside++;
  }
  const border = 1 - (rows / oH) * (inside / tiles);
  const copyRatio = (Hp * Wp) / (oH * oW * Math.ceil(p.M / DIRECT_NR) * DIRECT_NR * p.kH * p.kW);
  return border > 4 * copyRatio;
}

/**
 * Whether the one-pixel kernel (1 pixel × 32 channels) runs: output rows of 1–2 pixels, where the
 * 4-pixel tile repeats pixels to 2–4× the work (see `tinyOutput` for the tiny outputs; at 3 pixels
 * a row the 4×8 tile still won: 3×3×128 1×1 → 128 13.4 vs 15.4 µs, 3×3×32 1×1 → 4 level). Tall
 * images in the C < 32 region too (NHWC, 1 thread, relaxed, interleaved medians; 4×8 / 1×32, µs):
 * 64×2×8 3×3 same → 8 23.3/20.1, → 32 50.0/31.3; 64×1×3 3×3 same → 16 17.3/8.5; 32×2×16 1×1 → 4
 * 7.3/6.7.
 */
function usePixelKernel(p: ConvPlan): boolean {
  if (convDirect.pixel !== 'auto') return convDirect.pixel === 'always';
  return p.oW <= 2;
}

/** Fill the parameter block (input geometry as given: the padded copy's or the tensor's) and run the kernel over output rows. */
function directRun(w: WasmBackend, p: ConvPlan, xg: { x: number; H: number; W: number; padT: number; padL: number }, packed: Tensor, bias: Tensor | undefined, out: Tensor, fn: string): void {
  const { C, M, kH, kW, oH, oW } = p;
  const { x: xPtr, H, W, padT, padL } = xg;
  const nb = Math.ceil(M / DIRECT_NR);
  const nhwc = p.layout === 'NHWC';
  // block, then a zero vector (what a padding pixel reads, channel step 0), then the bias padded to 8 channels
  const zeroWords = 4;
  const blk = w.alloc((DC.words + zeroWords + nb * DIRECT_NR) * 4, OP);
  try {
    const zero = blk + DC.words * 4;
    const biasAt = zero + zeroWords * 4;
    const d = DWORDS.fill(0);
    const [act, p0, p1] = actParams(p.activation);
    d[DC.x] = xPtr; d[DC.y] = w.ptrOf(out, OP); d[DC.w] = w.ptrOf(packed, OP); d[DC.zero] = zero; d[DC.bias] = biasAt;
    d[DC.H] = H; d[DC.W] = W; d[DC.M] = M; d[DC.C] = C; d[DC.kH] = kH; d[DC.kW] = kW; d[DC.sH] = p.sH; d[DC.sW] = p.sW; d[DC.dH] = p.dH; d[DC.dW] = p.dW;
    d[DC.padT] = padT; d[DC.padL] = padL; d[DC.oH] = oH; d[DC.oW] = oW; d[DC.act] = act;
    DWORDS_F32[DC.p0] = p0;
    DWORDS_F32[DC.p1] = p1;
    if (nhwc) {
      d[DC.xImg] = H * W * C * 4; d[DC.xRow] = W * C * 4; d[DC.xCol] = C * 4; d[DC.xCh] = 4;
      d[DC.yImg] = oH * oW * M * 4; d[DC.yRow] = oW * M * 4; d[DC.yCol] = M * 4; d[DC.yCh] = 4;
      // a kernel row is kW runs of C channels, one run of kW·C when they touch (dilation 1)
      if (p.dW === 1) { d[DC.A] = 1; d[DC.B] = kW * C; d[DC.sB] = 4; d[DC.sA] = kW * C * 4; }
      else { d[DC.A] = kW; d[DC.B] = C; d[DC.sB] = 4; d[DC.sA] = p.dW * C * 4; }
      d[DC.fKw] = C * DIRECT_NR * 4; d[DC.fC] = DIRECT_NR * 4;
    } else {
      d[DC.xImg] = C * H * W * 4; d[DC.xRow] = W * 4; d[DC.xCol] = 4; d[DC.xCh] = H * W * 4;
      d[DC.yImg] = M * oH * oW * 4; d[DC.yRow] = oW * 4; d[DC.yCol] = 4; d[DC.yCh] = oH * oW * 4;
      d[DC.A] = C; d[DC.sA] = H * W * 4; d[DC.B] = kW; d[DC.sB] = p.dW * 4;
      d[DC.fKw] = DIRECT_NR * 4; d[DC.fC] = kW * DIRECT_NR * 4;
    }
    const mem = w.f32(blk, DC.words + zeroWords + nb * DIRECT_NR);
    new Int32Array(mem.buffer, mem.byteOffset, DC.words).set(d);
    mem.fill(0, DC.words);
    if (bias) mem.set(w.f32(w.ptrOf(bias, OP), M), DC.words + zeroWords);
    const perRow = oW * nb * DIRECT_NR * kH * kW * C;
    w.parallelFor(DIRECT_FAMILY, fn, [blk], p.N * oH, { minPerThread: Math.max(1, Math.ceil(DIRECT_MIN_MACS / perRow)), op: OP });
  } finally {
    w.free(blk);
  }
}

/**
 * Multiply-adds per thread below which the direct kernel stays on the calling thread: the GEMM's
 * bound (gemm-launch.ts, from the ~20–40 µs a worker takes to wake); the direct kernel runs at
 * about the GEMM's rate on these shapes, so ~1M multiply-adds is ≥ 40 µs of work. (Not re-measured:
 * with the machine's load average at 8–15 on 2 cores, 2 threads gave no speedup at any size.)
 */
const DIRECT_MIN_MACS = 1 << 20;

/**
 * Tiny outputs (tfjs human models' heads: 1–16 output pixels, K = taps·C up to 512, M up to 1404)
 * take the direct kernels at any C and M, pointwise included: the GEMM path pads its M = N·P rows to
 * its tile and pays its launch (packing, per-call objects) for a few thousand multiply-adds. Whole
 * Conv calls through the runtime, NHWC/HWIO + bias + relu, 1 thread, relaxed, interleaved in one
 * process, medians of 200, loaded machine (GEMM / 4×8 direct / 1×32 pixel kernel, µs):
 * one pixel: 2×2×128 2×2 → 15 19.8/12.3/11.3, → 213 52.7/48.4/26.4, 3×3×32 3×3 → 1 11.2/4.7/4.1,
 * → 266 19.9/22.0/12.1, → 1404 71.3/98.9/41.8, 1×1×256 1×1 → 256 11.7/15.4/9.6; two pixels
 * 1×2×256 1×1 → 256 19.2/15.4/15.8; 2×2×64 1×1 → 128 15.4/10.7/8.8, 2×2×128 1×1 → 64
 * 13.3/8.8/7.6, 2×2×64 1×1 → 512 16.2/19.3/15.4, 3×3×32 1×1 → 32 8.4/4.9/4.4, 3×3×128 1×1 → 128
 * 15.4/13.4/15.4, 4×4×64 1×1 → 128 27.6/21.2/23.6, 8×8×64 1×1 → 64 19.7/17.0/23.8. With more work
 * the GEMM wins: 2×2×32 3×3 same → 266 (306k multiply-adds) 20.6/37.2/31.4, 3×3×32 3×3 same → 266
 * 41.5/51.9/62.8, 4×4×128 3×3 same → 128 108.8/105.5/194, 5×5×256 1×1 → 256 83.7/118/135,
 * 6×6×64 3×3 same → 64 57.7/79.7/110. One pixel wins at every K·M measured, up to 4 MB filters
 * (dispatch off / on, µs): 1×1×1024 1×1 → 1000 166/151, 7×7×64 7×7 → 512 256/232; two pixels of
 * those stream the filter twice: 1×2×1024 1×1 → 1000 249/285. Between 192k and 2.3M multiply-adds
 * it goes by the work the 4×8 tiles do, row ends rounded up to whole tiles (GEMM / 4×8 direct, µs;
 * pointwise convs as one row, `pointwiseRow`): wins at 4×4×128 1×1 → 128 (256k) 21.3/15.9,
 * 8×8×64 1×1 → 128 (512k) 33.2/30.0, 6×6×128 1×1 → 128 (576k) 45.7/42.3, 4×4×64 3×3 same → 64
 * (590k) 34.8/31.8, 8×8×32 3×3 same → 32 (590k) 35.3/30.8; losses at 3×3×32 3×3 same → 266 (940k
 * as tiles) above, 6×6×64 3×3 same → 64 (1.8M as tiles) above, 12×12×128 1×1 → 128 (2.3M)
 * 108.9/114.6, 24×24×64 1×1 → 64 (2.3M) 115.5/121.6; the pixel kernel over more than one pixel lost
 * at 2×2×32 3×3 same → 266 (306k) above. Hence: one output pixel always, else ≤ 64 pixels
 * (`convDirect.tinyPixels`) and ≤ 640k multiply-adds as 4×8 tiles (`tinyMacs`) or ≤ 192k on the
 * pixel kernel (`tinyPixelMacs`); all read per call for A/B runs.
 */
function tinyOutput(p: ConvPlan): boolean {
  const np = p.N * p.oH * p.oW;
  if (np === 1) return true;
  if (np > convDirect.tinyPixels) return false;
  const g = convDirect.pointwiseRow && isPointwise(p) ? pointwiseRow(p) : p;
  const perPixel = p.M * p.C * p.kH * p.kW;
  if (usePixelKernel(g)) return np * perPixel <= convDirect.tinyPixelMacs;
  // what the 4×8 tiles compute: rows rounded up to whole tiles
  return g.N * g.oH * Math.ceil(g.oW / DIRECT_MRS[0]) * DIRECT_MRS[0] * perPixel <= convDirect.tinyMacs;
}

/**
 * Where the direct kernel runs: group 1, 1-D/2-D, C < 32 input channels, M ≤ 64 output channels,
 * not pointwise, either layout. Measured against the previous paths (im2col/implicit GEMM, NCHW via NHWC transposes),
 * whole Conv calls through the runtime, interleaved in one process, medians, 1 thread, relaxed,
 * machine loaded (old / direct, µs): C ≤ 15 always wins — mnist-8 conv1 1×28×28 5×5 → 8 NCHW
 * 48/29, NHWC 69/26; conv2 8×14×14 5×5 → 16 NCHW 74/54, NHWC 66/54; PaddleOCR cls 3×48×192 3×3/2
 * → 8 NCHW 112/50; NHWC 3-channel firsts 32×32 3×3 → 16 79/45, 128×128 5×5/2 → 24 627/408,
 * 192×192 3×3/2 → 16 538/264, 224×224 7×7/2 → 64 7116/6024 (NCHW 8824/6644). 16 ≤ C < 32 still
 * wins: 16×28×28 3×3 → 16 NCHW 167/104, NHWC 141/89; 24×28×28 → 24 NCHW 270/211, NHWC 230/188;
 * 16×56×56 → 64 NCHW 1605/1560, NHWC 1414/1358. From 32 on it loses or ties: 32×28×28 → 64 NCHW
 * 734/757, NHWC 638/669; 48×14×14 → 48 NCHW 210/234, NHWC 181/216; 64×28×28 → 64 1684/1667.
 * Many output channels favour the GEMM (its im2col is paid once for all of them, the direct kernel
 * redoes its per-tap work per block of 8): 28×28×8 3×3 → 128 NCHW 458/413 but NHWC 375/411;
 * 56×56×3 → 256 NCHW 1425/2108, NHWC 1459/1771; 14×14×12 → 192 NHWC 188/248; 28×28×16 → 96 NCHW
 * 545/539, NHWC 489/522; 28×28×24 → 128 NCHW 1153/1148, NHWC 987/1106.
 */
function directOk(p: ConvPlan): boolean {
  if (!convDirect.enabled || p.group !== 1 || p.spatialRank > 2 || p.D !== 1 || p.kD !== 1) return false;
  if (p.layout === 'NHWC' && p.filterLayout !== 'HWIO') return false;
  if (p.N * p.oH * p.oW * p.M * p.C === 0) return false; // (C = 0: the bias alone, on the GEMM path)
  if (convDirect.tiny && tinyOutput(p)) return true;
  return !isPointwise(p) && p.C < convDirect.maxC && p.M <= convDirect.maxM;
}

registry.register<ConvPlan>({
  op: 'Conv',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: FAMILY,
  run(ctx, inputs, outputs, p) {
    const out = outputs[0]!;
    if (p.group > 1 && p.Cg === 1 && p.spatialRank < 3) depthwise(ctx.wasm, p, inputs, ctx.wasm.ptrOf(out, OP));
    else if (directOk(p)) directConv(ctx, p, inputs, out);
    else if (p.group === 1 && p.layout === 'NCHW' && !isPointwise(p) && p.C >= NCHW_VIA_NHWC_MIN_C) nchwViaNhwc(ctx, p, inputs, out);
    else if (p.group === 1) singleGroup(ctx, p, inputs, out);
    else groupedN(ctx, p, inputs, out);
  },
});
