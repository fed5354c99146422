/** wasm launcher for Resize (family `resize`, see resize.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/resize.js';
import type { AxisTable, ResizePlan, TapTable } from '../ops/resize.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Work is counted in output elements. One thread, [1,64,112,112] → 224×224 (3.2M outputs, a loaded
 * 2-core box): bilinear NCHW in one pass (4 lane-gathers per output) ~10 ms, separable (hlerp_rows +
 * vlerp_rows) ~4 ms; nearest NCHW ~3 ms. NHWC bilinear walks output rows (no division per pixel):
 * 1.2–1.5× tfjs-wasm's resizeBilinear, measured side by side (per-pixel division had made it 0.5×);
 * when upsampling rows it now runs separable too (hlerp_nhwc + vlerp_rows, below).
 * A worker costs ~20–40 µs to wake (2 cores, Node 20): at least 32k outputs (≥ 20 µs) per thread.
 */
const MIN_OUTPUTS_PER_THREAD = 1 << 15;

/** Write an axis table (i0, i1, w back to back) at `ptr`. */
function writeTable(ctx: KernelContext, ptr: number, t: AxisTable): void {
  const n = t.i0.length;
  ctx.wasm.i32(ptr, n).set(t.i0);
  ctx.wasm.i32(ptr + 4 * n, n).set(t.i1);
  ctx.wasm.f32(ptr + 8 * n, n).set(t.w);
}

/**
 * The K-tap path: resize every input row horizontally (taps_h, into scratch [planes·H, OW·C]), then
 * blend K of those rows per output row (taps_v). Work is counted as outputs × K.
 */
function runTaps(ctx: KernelContext, x: number, y: number, p: ResizePlan, t: NonNullable<ResizePlan['taps']>): void {
  const op = 'Resize';
  const w = ctx.wasm;
  const n = p.OW * p.C;
  const bytes = 4 * (t.ys.idx.length + t.ys.w.length + t.xs.idx.length + t.xs.w.length);
  const tab = w.alloc(bytes, op);
  const mid = w.alloc(4 * Math.max(1, p.planes * p.H * n), op);
  try {
    const [yi, yw, xi, xw] = [tab, tab + 4 * t.ys.idx.length, tab + 8 * t.ys.idx.length, tab + 8 * t.ys.idx.length + 4 * t.xs.idx.length];
    w.i32(yi, t.ys.idx.length).set(t.ys.idx);
    w.f32(yw, t.ys.w.length).set(t.ys.w);
    w.i32(xi, t.xs.idx.length).set(t.xs.idx);
    w.f32(xw, t.xs.w.length).set(t.xs.w);
    const per = (k: number) => Math.max(1, Math.ceil(MIN_OUTPUTS_PER_THREAD / Math.max(1, n * k)));
    w.parallelFor('resize', 'taps_h', [x, mid, p.W, p.OW, p.C, t.xs.K, xi, xw], p.planes * p.H, { minPerThread: per(t.xs.K), op });
    w.parallelFor('resize', 'taps_v', [mid, y, p.H, p.OH, n, t.ys.K, yi, yw], p.planes * p.OH, { minPerThread: per(t.ys.K), op });
    extrapolate(ctx, y, p, t.ys, t.xs, t.extrapolation);
  } finally {
    w.free(mid);
    w.free(tab);
  }
}

/** tf_crop_and_resize: outputs whose row or column source lies outside the input get the extrapolation value. */
function extrapolate(ctx: KernelContext, y: number, p: ResizePlan, ys: TapTable, xs: TapTable, value: number): void {
  if (!ys.outside.includes(1) && !xs.outside.includes(1)) return;
  const n = p.OW * p.C;
  const out = ctx.wasm.f32(y, p.planes * p.OH * n);
  for (let r = 0; r < p.planes * p.OH; r++) {
    const row = out.subarray(r * n, (r + 1) * n);
    if (ys.outside[r % p.OH]) row.fill(value);
    else for (let ox = 0; ox < p.OW; ox++) if (xs.outside[ox]) row.fill(value, ox * p.C, (ox + 1) * p.C);
  }
}

registry.register<ResizePlan>({
  op: 'Resize',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'resize',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: ResizePlan): void {
    const op = 'Resize';
    const w = ctx.wasm;
    const x = w.ptrOf(inputs[0]!, op);
    const y = w.ptrOf(outputs[0]!, op);
    if (p.taps) {
      if (outputs[0]!.size > 0) runTaps(ctx, x, y, p, p.taps);
      return;
    }
    const tables = w.alloc(12 * (p.OH + p.OW), op);
    try {
      const yt = tables;
      const xt = tables + 12 * p.OH;
      writeTable(ctx, yt, p.ys);
      writeTable(ctx, xt, p.xs);
      const per = Math.max(1, Math.ceil(MIN_OUTPUTS_PER_THREAD / Math.max(1, p.OW)));
      if (p.layout === 'NCHW' && p.mode === 'linear' && 2 * p.OH >= p.H) {
        // Upsampling rows: resize every input row horizontally once, then blend pairs of rows.
        const t = w.alloc(4 * p.planes * p.H * p.OW, op);
        try {
          w.parallelFor('resize', 'hlerp_rows', [x, t, p.W, p.OW, xt], p.planes * p.H, { minPerThread: per, op });
          w.parallelFor('resize', 'vlerp_rows', [t, y, p.H, p.OH, p.OW, yt], p.planes * p.OH, { minPerThread: per, op });
        } finally {
          w.free(t);
        }
      } else if (p.layout === 'NCHW') {
        w.parallelFor('resize', `${p.mode}_nchw`, [x, y, p.H, p.W, p.OH, p.OW, yt, xt], p.planes * p.OH, { minPerThread: per, op });
      } else if (p.mode === 'linear' && 2 * p.OH >= p.H) {
        // NHWC, upsampling rows: the same separable passes over rows of OW·C floats (the same bits as
        // linear_nhwc). Kernels alone, one thread: [1,24,24,48] → 48×48 47.7 → 28.7 µs, [1,48,48,24] →
        // 96×96 106 → 59 µs; through rt.run next to tfjs-wasm's resizeBilinear: 1.56× → 1.13×, 1.48× → 1.01×.
        const n = p.OW * p.C;
        const perRow = Math.max(1, Math.ceil(MIN_OUTPUTS_PER_THREAD / Math.max(1, n)));
        const t = w.alloc(4 * Math.max(1, p.planes * p.H * n), op);
        try {
          w.parallelFor('resize', 'hlerp_nhwc', [x, t, p.W, p.OW, p.C, xt], p.planes * p.H, { minPerThread: perRow, op });
          w.parallelFor('resize', 'vlerp_rows', [t, y, p.H, p.OH, n, yt], p.planes * p.OH, { minPerThread: perRow, op });
        } finally {
          w.free(t);
        }
      } else {
        const perRow = Math.max(1, Math.ceil(MIN_OUTPUTS_PER_THREAD / Math.max(1, p.C * p.OW)));
        w.parallelFor('resize', `${p.mode}_nhwc`, [x, y, p.H, p.W, p.C, p.OH, p.OW, yt, xt], p.planes * p.OH, { minPerThread: perRow, op });
      }
    } finally {
      w.free(tables);
    }
  },
});
