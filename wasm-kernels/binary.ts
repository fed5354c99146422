/**
 * wasm launchers for the elementwise binary ops (family `binary`, see binary.wat.ts).
 *
 * A problem that collapses to one row runs `<op>_<dt>_flat` (strides as arguments); a contiguous
 * operand against a repeating vector or a per-row scalar runs the row-vector / row-scalar kernels
 * (runRowVec); anything else writes its collapsed problem into a small i32 block in wasm memory:
 *   [outerDims, n, saInner, sbInner, (size, sa, sb) per outer dim, innermost first]
 * for the general row walker. The flat output range is split across threads in multiples of 16 elements.
 */
import type { Tensor } from '../core/tensor.js';
import { ARITHMETIC_OPS, BITWISE_OPS, COMPARISON_OPS, LOGICAL_OPS, binaryDTypes, type BinaryPlan } from '../ops/binary.js';
import '../ops/logical.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { ROWVEC_OPS, binaryExport, rowscalExport, rowvecExport } from './binary.wat.js';

/**
 * Small ops run on one thread below a measured threshold (elements per thread). Measured on 2 cores,
 * Node 20: waking a worker costs ~20–40 µs; one thread does Add at 0.12 ns/element in cache and
 * 0.45 ns/element from memory (1M: 0.45 ms), int Div at 1.7, float Pow at ~10 and int Pow at up to
 * ~17 ns/element. A thread's share should be worth ≥ ~20 µs: 64k elements for the streaming ops,
 * 16k for int Div, 4k for Pow. Later ops, measured next to Add: PRelu 1.2×, FloorDiv 2.5×,
 * SquaredDifference up to 5× Add (streaming), int Mod/FloorDiv/BitShift like int Div (scalar), float
 * Mod ~150× Add (scalar float64 reduction) and Atan2 ~0.8× Pow (float64 inside): as Pow.
 */
const MIN_PER_THREAD_CHEAP = 1 << 16;
const MIN_PER_THREAD_DIV = 1 << 14;
const MIN_PER_THREAD_POW = 1 << 12;
/** Ops whose int32 kernels run one element at a time, like int Div (float Mod is scalar float64: as Pow). */
const SCALAR = new Set(['Div', 'Mod', 'FloorDiv', 'BitShift']);
/**
 * int64, measured the same way (64k elements, one thread): Add 1.1, Mul 2.1, Max 2.0, Less 1.5 ns/element
 * (16k per thread, as int32 Div); Div 7.9, Mod 5.1 ns/element and Pow (a loop per element): 4k, as Pow.
 */
const I64_SLOW = new Set(['Div', 'Mod', 'Pow']);

/** Export suffix per input dtype (`u8` is bool, for the logical ops). */
const DT: Partial<Record<string, 'f32' | 'i32' | 'i64' | 'u8' | 'i8' | 'ui8' | 'i16' | 'u16' | 'u32' | 'u64' | 'f64'>> = {
  float32: 'f32', int32: 'i32', int64: 'i64', bool: 'u8', int8: 'i8', uint8: 'ui8',
  int16: 'i16', uint16: 'u16', uint32: 'u32', uint64: 'u64', float64: 'f64',
};
/**
 * The wide dtypes (int16, uint16, uint32, uint64, float64), one thread, 64k elements, best of 40 on
 * the shared 2-core machine under load (load average ~20: lower bounds, ratios only): Add 0.18
 * (uint16) to 0.41 ns/element (float64, uint64), float64 Div 0.69, Less 0.77; uint16 Div 1.8,
 * uint64 Div 2.9, float64 Mod 3.2. So Div and Mod get 16k elements a thread (~30–50 µs), the
 * rest 64k, as the int32 classes.
 */
const WIDE = new Set(['i16', 'u16', 'u32', 'u64', 'f64']);

function runBinary(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: BinaryPlan): void {
  const op = plan.op;
  const w = ctx.wasm;
  const dt = DT[plan.dispatchDType] ?? 'f32';
  const name = op === 'Mod' && plan.fmod ? 'FMod' : op === 'BitShift' ? (plan.left ? 'ShiftLeft' : 'ShiftRight') : op;
  if ((dt === 'f32' || dt === 'i32') && ROWVEC_OPS[op]?.includes(dt) && runRowVec(ctx, inputs, outputs, plan, dt)) return;
  if (plan.shape.length <= 1) {
    // one row (same shapes, or a scalar against a tensor): strides as arguments, no meta block
    const s = plan.shape.length === 1;
    w.parallelFor('binary', `${binaryExport(name, dt)}_flat`, [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), s ? plan.aStrides[0]! : 0, s ? plan.bStrides[0]! : 0], outputs[0]!.size, {
      grain: 16,
      minPerThread: minPerThreadOf(op, dt),
      op,
    });
    return;
  }
  const shape = plan.shape;
  const r = shape.length;
  const meta = w.alloc(16 + 12 * (r - 1), op);
  try {
    const m = w.i32(meta, 4 + 3 * (r - 1));
    m[0] = r - 1;
    m[1] = shape[r - 1]!;
    m[2] = plan.aStrides[r - 1]!;
    m[3] = plan.bStrides[r - 1]!;
    for (let k = 0; k < r - 1; k++) {
      const d = r - 2 - k;
      m[4 + 3 * k] = shape[d]!;
      m[5 + 3 * k] = plan.aStrides[d]!;
      m[6 + 3 * k] = plan.bStrides[d]!;
    }
    w.parallelFor('binary', binaryExport(name, dt), [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), meta], outputs[0]!.size, {
      grain: 16,
      minPerThread: minPerThreadOf(op, dt),
      op,
    });
  } finally {
    w.free(meta);
  }
}

function minPerThreadOf(op: string, dt: string): number {
  return op === 'Pow' || op === 'Atan2' || (op === 'Mod' && dt === 'f32') || (dt === 'i64' && I64_SLOW.has(op)) ? MIN_PER_THREAD_POW
    : (SCALAR.has(op) && (dt === 'i32' || WIDE.has(dt))) || dt === 'i64' || dt === 'i8' || dt === 'ui8' ? MIN_PER_THREAD_DIV
    : MIN_PER_THREAD_CHEAP;
}

/** Vectors shorter than this, or not a multiple of 4 lanes, are repeated into a scratch period. */
const ROWVEC_MIN = 64;
/** Longer vectors that are not a multiple of 4 lanes take the strided path (their rows are long). */
const ROWVEC_EXPAND_MAX = 1024;

/**
 * A contiguous operand against one scalar per row (collapsed shape [rows, n], strides (n, 1) and
 * (1, 0)): the row-scalar kernel, one splat a row and no call per row (rows of 3–100 elements:
 * 0.4–0.7× the row walker's time; [96,25] Add 2.9 → 1.6 µs).
 * A contiguous operand against a vector repeating along it (collapsed shape [rows, n], strides
 * (n, 1) and (0, 1)): the row-vector kernel, one function for the whole range, 2–3× the speed of
 * the row walker on rows of 16–64 elements (NHWC per-channel Prelu/Add/Mul; 9216×16 Prelu: 68 →
 * 28 µs). A vector whose length is below 16 or not a multiple of 4 is first repeated into a period
 * P (a multiple of n and of 4, ≥ 64) in scratch: b[i mod n] = period[i mod P], so every row runs
 * whole vectors (4096×3 Prelu: 27 → 2.2 µs). Returns false where the pattern does not apply.
 */
function runRowVec(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: BinaryPlan, dt: 'f32' | 'i32'): boolean {
  if (plan.shape.length !== 2) return false;
  const n = plan.shape[1]!;
  if (n === 0 || outputs[0]!.size === 0) return false;
  const [a0, a1] = plan.aStrides as [number, number];
  const [b0, b1] = plan.bStrides as [number, number];
  const op = plan.op;
  const w = ctx.wasm;
  // a scalar per row: x [R, n] op s [R, 1] (NCHW x op a per-channel [C,1,1], one image)
  const scal = a0 === n && a1 === 1 && b0 === 1 && b1 === 0 ? 'b' : a0 === 1 && a1 === 0 && b0 === n && b1 === 1 && op !== 'PRelu' ? 'a' : null;
  if (scal) {
    w.parallelFor('binary', rowscalExport(op, dt, scal), [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), n], outputs[0]!.size, {
      grain: 16,
      minPerThread: minPerThreadOf(op, dt),
      op,
    });
    return true;
  }
  const side = a0 === n && a1 === 1 && b0 === 0 && b1 === 1 ? 'b' : a0 === 0 && a1 === 1 && b0 === n && b1 === 1 ? 'a' : null;
  if (!side) return false;
  const whole = n % 4 === 0 && n >= 16;
  if (!whole && n >= ROWVEC_EXPAND_MAX) return false;
  const vec = inputs[side === 'b' ? 1 : 0]!;
  let period = n;
  let scratch = 0;
  if (!whole) {
    while (period % 4 !== 0 || period < ROWVEC_MIN) period += n;
    scratch = w.alloc(4 * period, op);
    // bits copied as int32 (float NaN payloads kept)
    const src = w.i32(w.ptrOf(vec, op), n);
    const dst = w.i32(scratch, period);
    for (let i = 0; i < period; i++) dst[i] = src[i % n]!;
  }
  try {
    const pv = scratch || w.ptrOf(vec, op);
    const pa = side === 'b' ? w.ptrOf(inputs[0]!, op) : pv;
    const pb = side === 'b' ? pv : w.ptrOf(inputs[1]!, op);
    w.parallelFor('binary', rowvecExport(op, dt, side), [pa, pb, w.ptrOf(outputs[0]!, op), period], outputs[0]!.size, {
      grain: 16,
      minPerThread: minPerThreadOf(op, dt),
      op,
    });
  } finally {
    if (scratch) w.free(scratch);
  }
  return true;
}

for (const op of [...ARITHMETIC_OPS, ...COMPARISON_OPS, ...LOGICAL_OPS, ...BITWISE_OPS]) {
  registry.register<BinaryPlan>({ op, device: 'wasm', dtypes: binaryDTypes(op), kind: 'compute', family: 'binary', run: runBinary });
}
