/** wasm launchers for QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear (family `quant`, see quant.wat.ts). */
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { DEQUANT_DTYPES, QUANT_DTYPES, QUANT_ROW, type DynamicQuantizePlan, type QuantPlan } from '../ops/quant.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { MINMAX_BLOCK } from './quant.wat.js';
import type { WasmBackend } from './runtime/backend.js';

/** The export suffix of each quantised dtype (4-bit types dequantise with the 8-bit exports: same storage). */
export const QTAG: Partial<Record<DType, string>> = { uint8: 'u8', int8: 'i8', uint16: 'u16', int16: 'i16', uint4: 'u4', int4: 'i4', int32: 'i32' };
const DQTAG: Partial<Record<DType, string>> = { ...QTAG, uint4: 'u8', int4: 'i8' };

/**
 * Measured on one thread (2 shared cores under heavy load, so rough): quantize ~0.5 ns per element
 * (16 per step), dequantize ~0.2–0.3 ns; a worker costs ~20–40 µs to wake (Node 20), so each thread
 * gets ≥ 64k elements (~15–35 µs).
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 16;

/**
 * Run `fn` over the plan's rows. A per-tensor plan covers floor(size / QUANT_ROW) full rows; the
 * short last row runs as one more row of its own length.
 */
function walk(w: WasmBackend, fn: string, x: number, y: number, s: number, z: number, plan: QuantPlan, size: number, xBytes: number, yBytes: number, op: string): void {
  const { rows, C, inner, B, so, sc, si } = plan;
  const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, inner)));
  w.parallelFor('quant', fn, [x, y, s, z, C, inner, B, so, sc, si], rows, { minPerThread, op });
  const done = rows * inner;
  if (done < size) w.exports('quant')[fn]!(x + done * xBytes, y + done * yBytes, s, z, 1, size - done, 1, 0, 0, 0, 0, 1);
}

/** A zero-filled zero point of `count` elements of `bytes` each, for a call without one (freed by the caller). */
function zeros(w: WasmBackend, count: number, bytes: number, op: string): number {
  const n = Math.max(16, count * bytes);
  const p = w.alloc(n, op);
  new Uint8Array(w.memory.buffer, p, n).fill(0);
  return p;
}

function byteSize(d: DType): number {
  return d === 'uint16' || d === 'int16' ? 2 : d === 'int32' ? 4 : 1;
}

registry.register<QuantPlan>({
  op: 'QuantizeLinear',
  device: 'wasm',
  dtypes: QUANT_DTYPES,
  kind: 'compute',
  family: 'quant',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: QuantPlan): void {
    const op = 'QuantizeLinear';
    const w = ctx.wasm;
    const qb = byteSize(plan.qdtype);
    const z = plan.hasZeroPoint ? w.ptrOf(inputs[2]!, op) : zeros(w, plan.scaleSize, qb, op);
    try {
      walk(w, `quantize_${QTAG[plan.qdtype]}`, w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), w.ptrOf(inputs[1]!, op), z, plan, inputs[0]!.size, 4, qb, op);
    } finally {
      if (!plan.hasZeroPoint) w.free(z);
    }
  },
});

registry.register<QuantPlan>({
  op: 'DequantizeLinear',
  device: 'wasm',
  dtypes: DEQUANT_DTYPES,
  kind: 'compute',
  family: 'quant',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: QuantPlan): void {
    const op = 'DequantizeLinear';
    const w = ctx.wasm;
    const qb = byteSize(plan.qdtype);
    const z = plan.hasZeroPoint ? w.ptrOf(inputs[2]!, op) : zeros(w, plan.scaleSize, qb, op);
    try {
      walk(w, `dequantize_${DQTAG[plan.qdtype]}`, w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), w.ptrOf(inputs[1]!, op), z, plan, inputs[0]!.size, qb, 4, op);
    } finally {
      if (!plan.hasZeroPoint) w.free(z);
    }
  },
});

/** uint8 parameters from a range, in float32 arithmetic as the ONNX reference and onnxruntime. */
export function dynamicParams(min: number, max: number): { scale: number; zeroPoint: number } {
  const f = Math.fround;
  const lo = f(Math.min(0, min));
  const hi = f(Math.max(0, max));
  const scale = f(f(hi === lo ? 1 : f(hi - lo)) / 255);
  const zp = f(0 - f(lo / scale));
  const r = Math.min(255, Math.max(0, zp));
  // round half to even
  const fl = Math.floor(r);
  const zeroPoint = r - fl === 0.5 ? (fl % 2 === 0 ? fl : fl + 1) : Math.round(r);
  return { scale, zeroPoint };
}

registry.register<DynamicQuantizePlan>({
  op: 'DynamicQuantizeLinear',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'quant',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: DynamicQuantizePlan): void {
    const op = 'DynamicQuantizeLinear';
    const w = ctx.wasm;
    const n = plan.size;
    const x = w.ptrOf(inputs[0]!, op);
    const blocks = Math.ceil(n / MINMAX_BLOCK);
    let min = 0;
    let max = 0;
    if (blocks > 0) {
      const part = w.alloc(blocks * 8, op);
      try {
        // ~0.1–0.2 ns per element: 64 blocks (256k elements, ~25–50 µs) per thread at least
        w.parallelFor('quant', 'minmax_f32', [x, n, part], blocks, { minPerThread: 64, op });
        const p = w.f32(part, 2 * blocks);
        for (let b = 0; b < blocks; b++) {
          // a NaN anywhere in x makes the scale NaN (and y meaningless): Math.min/max propagate it
          min = Math.min(min, p[2 * b]!);
          max = Math.max(max, p[2 * b + 1]!);
        }
      } finally {
        w.free(part);
      }
    }
    const { scale, zeroPoint } = dynamicParams(min, max);
    const sp = w.ptrOf(outputs[1]!, op);
    const zp = w.ptrOf(outputs[2]!, op);
    w.f32(sp, 1)[0] = scale;
    new Uint8Array(w.memory.buffer, zp, 1)[0] = zeroPoint;
    const inner = Math.min(n, QUANT_ROW);
    const plan2 = { rows: inner ? Math.floor(n / inner) : 0, C: 1, inner, B: 1, so: 0, sc: 0, si: 0 } as QuantPlan;
    if (n > 0) walk(w, 'quantize_u8', x, w.ptrOf(outputs[0]!, op), sp, zp, plan2, n, 4, 1, op);
  },
});
