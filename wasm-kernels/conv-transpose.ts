/**
 * wasm launcher for ConvTranspose (family `conv`; the GEMM runs in family `gemm`): one GEMM makes the
 * column matrix col[n, g][input pixel, (output channel, tap)] = Σ_c X[n, pixel, g·Cg + c]·F[c, ...],
 * then `f32_col2im` gathers every output element from the columns that reach it, adding the bias
 * and applying the activation.
 *   NCHW, IOHW filter [C, Mg, ...k]: per (n, g), col = X[n, g]ᵀ (pixels × Cg) · F[g] (Cg × Mg·taps),
 *     columns ordered (channel, tap);
 *   NHWC, HWOI filter [...k, M, C] (group 1): col = X (N·pixels × C) · Fᵀ, F read as (taps·M) × C,
 *     columns ordered (tap, channel); the packed filter is cached on the filter tensor.
 */
import type { Tensor } from '../core/tensor.js';
import type { ConvTransposePlan } from '../ops/conv-transpose.js';
import '../ops/conv-transpose.js';
import { registry } from '../registry/registry.js';
import { block, tempTensor } from './conv.js';
import { COL2IM } from './conv.wat.js';
import { runGemm } from './gemm-launch.js';

const OP = 'ConvTranspose';
/**
 * Output elements per thread below which the gather stays on the calling thread. Measured, 1 thread,
 * relaxed: 3×3 stride 2, 28×28×64 → 56×56×32 takes ≈ 0.84 ms, ~0.3 ms of it the GEMM, so the gather
 * costs ~5 ns per output; a worker costs ~20–40 µs to wake (2 cores, Node 20): 8k outputs ≈ 40 µs.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 13;

registry.register<ConvTransposePlan>({
  op: OP,
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'conv',
  run(ctx, inputs, outputs, p) {
    const w = ctx.wasm;
    const [x, f, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
    const y = outputs[0]!;
    const taps = p.kD * p.kH * p.kW;
    const Pin = p.D * p.H * p.W;
    const { N, group: G, Cg, Mg } = p;
    const nchw = p.layout === 'NCHW';
    const col = tempTensor(w, [N * G, Pin, Mg * taps]);
    try {
      if (col.size > 0) {
        const linear = { bias: undefined, activation: { kind: 'linear' } as const, alpha: 1, beta: 1 };
        if (nchw) {
          const B = N * G;
          const aOffsets = Array.from({ length: B }, (_, b) => b * Cg * Pin);
          const bOffsets = Array.from({ length: B }, (_, b) => (b % G) * Cg * Mg * taps);
          runGemm(OP, ctx, [x, f], [col], { ...linear, M: Pin, N: Mg * taps, K: Cg, transA: true, transB: false, batch: B, aOffsets, bOffsets, sharedB: G === 1 });
        } else {
          runGemm(OP, ctx, [x, f], [col], { ...linear, M: N * Pin, N: p.M * taps, K: p.C, transA: false, transB: true, batch: 1, aOffsets: [0], bOffsets: [0], sharedB: true });
        }
      }
      const blk = block(w, p, { x: 0, y: w.ptrOf(y, OP), bias: bias ? w.ptrOf(bias, OP) : 0 }, {
        src: col.size > 0 ? w.ptrOf(col, OP) : 0,
        sm: nchw ? taps : 1,
        sk: nchw ? 1 : p.M,
        nhwc: nchw ? 0 : 1,
      });
      try {
        const pixels = N * p.oD * p.oH * p.oW;
        w.parallelFor('conv', COL2IM, [blk], pixels, { minPerThread: Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, p.M))), op: OP });
      } finally {
        w.free(blk);
      }
    } finally {
      col.dispose();
    }
  },
});
