/**
 * wasm launchers for the elementwise binary ops (family `binary`, see binary.wat.ts).
 *
 * The plan's collapsed problem is written into a small i32 block in wasm memory:
 *   [outerDims, n, saInner, sbInner, (size, sa, sb) per outer dim, innermost first]
 * and the flat output range is split across threads in multiples of 16 elements.
 */
import type { Tensor } from '../core/tensor.js';
import { ARITHMETIC_OPS, BITWISE_OPS, COMPARISON_OPS, LOGICAL_OPS, binaryDTypes, type BinaryPlan } from '../ops/binary.js';
import '../ops/logical.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { binaryExport } from './binary.wat.js';

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
  const shape = plan.shape.length ? plan.shape : [1];
  const r = shape.length;
  const meta = w.alloc(16 + 12 * (r - 1), op);
  try {
    const m = w.i32(meta, 4 + 3 * (r - 1));
    m[0] = r - 1;
    m[1] = shape[r - 1]!;
    m[2] = plan.shape.length ? plan.aStrides[r - 1]! : 0;
    m[3] = plan.shape.length ? plan.bStrides[r - 1]! : 0;
    for (let k = 0; k < r - 1; k++) {
      const d = r - 2 - k;
      m[4 + 3 * k] = shape[d]!;
      m[5 + 3 * k] = plan.aStrides[d]!;
      m[6 + 3 * k] = plan.bStrides[d]!;
    }
    const minPerThread =
      op === 'Pow' || op === 'Atan2' || (op === 'Mod' && dt === 'f32') || (dt === 'i64' && I64_SLOW.has(op)) ? MIN_PER_THREAD_POW
      : (SCALAR.has(op) && (dt === 'i32' || WIDE.has(dt))) || dt === 'i64' || dt === 'i8' || dt === 'ui8' ? MIN_PER_THREAD_DIV
      : MIN_PER_THREAD_CHEAP;
    w.parallelFor('binary', binaryExport(name, dt), [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), meta], outputs[0]!.size, {
      grain: 16,
      minPerThread,
      op,
    });
  } finally {
    w.free(meta);
  }
}

for (const op of [...ARITHMETIC_OPS, ...COMPARISON_OPS, ...LOGICAL_OPS, ...BITWISE_OPS]) {
  registry.register<BinaryPlan>({ op, device: 'wasm', dtypes: binaryDTypes(op), kind: 'compute', family: 'binary', run: runBinary });
}
