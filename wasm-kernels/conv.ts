/**
 * wasm launcher for Conv (family `conv`, see conv.wat.ts; the GEMMs run in family `gemm`).
 *
 * - depthwise 1-D/2-D (one input channel per group, any multiplier): the direct kernels, bias
 *   and activation fused (3-D depthwise takes the grouped path below);
 * - group 1: im2col (skipped for 1×1 convs with stride 1 and no padding) and one GEMM with the
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
import { actParams, runGemm } from './gemm-launch.js';
import { CB } from './conv-gemm.wat.js';
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
    w.parallelFor(FAMILY, nhwc ? DWCONV_NHWC : DWCONV_NCHW, [blk], rows, { minPerThread: minRows(perRow), op: OP });
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

registry.register<ConvPlan>({
  op: 'Conv',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: FAMILY,
  run(ctx, inputs, outputs, p) {
    const out = outputs[0]!;
    if (p.group > 1 && p.Cg === 1 && p.spatialRank < 3) depthwise(ctx.wasm, p, inputs, ctx.wasm.ptrOf(out, OP));
    else if (p.group === 1 && p.layout === 'NCHW' && !isPointwise(p) && p.C >= NCHW_VIA_NHWC_MIN_C) nchwViaNhwc(ctx, p, inputs, out);
    else if (p.group === 1) singleGroup(ctx, p, inputs, out);
    else groupedN(ctx, p, inputs, out);
  },
});
