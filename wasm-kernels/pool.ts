/** wasm launcher for MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool (family `pool`, see pool.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import { POOL_OPS, type PoolPlan } from '../ops/pool.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { PARAMS } from './pool.wat.js';

/**
 * Work is counted in window taps (one float read each). One thread does ~7 taps/ns in the NHWC path
 * (3×3 stride-2 MaxPool of [1,112,112,64]: 0.26 ms for 1.8M taps; tfjs-wasm/XNNPACK 0.25 ms) and
 * ~2–3 taps/ns in the NCHW paths (stride 1: one v128.load per tap; else lane loads). Waking a worker
 * costs ~20–40 µs (2 cores, Node 20), so each thread gets at least 64k taps (10–30 µs of work).
 * (On the shared 2-core build box a second thread showed no gain at any size, 37k–1.8M taps, as the
 * other core was busy; the threshold follows the wake cost, as the other families'.)
 */
const MIN_TAPS_PER_THREAD = 1 << 16;

function run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: PoolPlan, op: string): void {
  const w = ctx.wasm;
  const x = w.ptrOf(inputs[0]!, op);
  const y = w.ptrOf(outputs[0]!, op);
  if (p.global) {
    const taps = Math.max(1, p.W * (p.layout === 'NCHW' ? 1 : p.C));
    const minPerThread = Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / taps));
    if (p.layout === 'NCHW') w.parallelFor('pool', `${p.kind}_rows`, [x, y, p.W], p.N * p.C, { minPerThread, op });
    else w.parallelFor('pool', `${p.kind}_nhwc_global`, [x, y, p.W, p.C], p.N, { minPerThread, op });
    return;
  }
  const fn = p.dtype === 'int32' ? 'imax' : p.kind;
  const depthPass = p.KD !== 1 || p.SD !== 1 || p.PF !== 0 || p.PK !== 0 || p.D !== p.OD;
  if (!depthPass) {
    // 1-D, 2-D, or 3-D with a 1-deep window: 2-D pooling of every depth slice.
    pool2d(ctx, fn, x, y, p.D === 1 ? p : p.layout === 'NCHW' ? { ...p, C: p.C * p.D } : { ...p, N: p.N * p.D }, op);
    return;
  }
  // 3-D: max and average are separable. Pool each depth slice over (H, W) into t [.., D, OH, OW],
  // then pool t along D with a [KD, 1] window over rows of OH·OW. Average divides in each pass; the
  // divisors multiply to the 3-D window's (the per-axis counts of onnxruntime's rule multiply too).
  const esize = 4;
  const t = w.alloc(esize * p.N * p.C * p.D * p.OH * p.OW, op);
  try {
    pool2d(ctx, fn, x, t, p.layout === 'NCHW' ? { ...p, C: p.C * p.D } : { ...p, N: p.N * p.D }, op);
    const depth: Geometry = {
      ...p, H: p.D, W: p.OH * p.OW, OH: p.OD, OW: p.OH * p.OW, KH: p.KD, KW: 1, SH: p.SD, SW: 1, DH: p.DD, DW: 1, PT: p.PF, PB: p.PK, PL: 0, PR: 0,
    };
    pool2d(ctx, fn, t, y, depth, op);
  } finally {
    w.free(t);
  }
}

type Geometry = Pick<PoolPlan, 'layout' | 'N' | 'C' | 'H' | 'W' | 'OH' | 'OW' | 'KH' | 'KW' | 'SH' | 'SW' | 'DH' | 'DW' | 'PT' | 'PL' | 'PB' | 'PR' | 'countIncludePad' | 'ignoreNaN' | 'emptyZero'>;

/** The parameter words, and each parameter's index in them. */
const PARAM_WORDS = new Int32Array(PARAMS.length);
const AT = Object.fromEntries(PARAMS.map((k, i) => [k, i])) as Record<(typeof PARAMS)[number], number>;

/**
 * Every window lies wholly inside the input: no leading pad and the last window ends inside (a
 * trailing pad that no window reaches does not count). The NHWC kernel then skips the per-pixel tap
 * range divisions, and a 2×2 window runs its four taps unrolled, without the NaN mask where NaN taps
 * are ignored (tfjs). Kernel alone, one thread, 2×2/2 MaxPool with nanMode 'ignore': [1,96,96,16]
 * 38 → 15 µs, [1,64,64,24] 21 → 9.4 µs, [1,32,32,64] 10 → 6.2 µs; 3×3/2 AveragePool [1,32,32,24]
 * 5.2 → 4.2 µs (the old and new templates interleaved in one process, bit-identical outputs). The clipping walks
 * also skip the NaN mask under 'ignore': 3×3/2 SAME MaxPool [1,64,64,32] 35 → 24 µs.
 */
function inside(p: Geometry): boolean {
  return p.PT === 0 && p.PL === 0 && p.OH > 0 && p.OW > 0 && (p.OH - 1) * p.SH + (p.KH - 1) * p.DH < p.H && (p.OW - 1) * p.SW + (p.KW - 1) * p.DW < p.W;
}

/** One 2-D pooling pass of geometry `p` from x to y (`fn`: max, avg or imax). */
function pool2d(ctx: KernelContext, fn: string, x: number, y: number, p: Geometry, op: string): void {
  const w = ctx.wasm;
  const prm = w.alloc(PARAMS.length * 4, op);
  try {
    // written field by field into one reused buffer: spreading the plan into a record per call
    // showed up as most of a small pool's CPU time (8×8×16 2×2 MaxPool through tfjs: ~20 µs)
    const v = PARAM_WORDS;
    v[AT.C] = p.C; v[AT.H] = p.H; v[AT.W] = p.W; v[AT.OH] = p.OH; v[AT.OW] = p.OW; v[AT.KH] = p.KH; v[AT.KW] = p.KW; v[AT.SH] = p.SH; v[AT.SW] = p.SW;
    v[AT.DH] = p.DH; v[AT.DW] = p.DW; v[AT.PT] = p.PT; v[AT.PL] = p.PL; v[AT.PB] = p.PB; v[AT.PR] = p.PR;
    v[AT.CIP] = p.countIncludePad ? 1 : 0; v[AT.NANI] = p.ignoreNaN ? 1 : 0; v[AT.EZ] = p.emptyZero ? 1 : 0;
    w.i32(prm, PARAMS.length).set(v);
    const taps = Math.max(1, p.KH * p.KW);
    if (p.layout === 'NHWC') {
      const per = Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / (taps * Math.max(1, p.C))));
      const variant = !inside(p) ? '' : p.KH === 2 && p.KW === 2 ? '_in2x2' : '_in';
      w.parallelFor('pool', `${fn}_nhwc${variant}`, [x, y, prm], p.N * p.OH * p.OW, { minPerThread: per, op });
    } else {
      const per = Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / (taps * Math.max(1, p.OW))));
      w.parallelFor('pool', `${fn}_nchw${p.SW === 1 ? '_s1' : ''}`, [x, y, prm], p.N * p.C * p.OH, { minPerThread: per, op });
    }
  } finally {
    w.free(prm);
  }
}

for (const op of POOL_OPS) {
  registry.register<PoolPlan>({
    op,
    device: 'wasm',
    dtypes: op === 'MaxPool' ? ['float32', 'int32'] : ['float32'],
    kind: 'compute',
    family: 'pool',
    run: (ctx, inputs, outputs, plan) => run(ctx, inputs, outputs, plan, op),
  });
}
