/**
 * wasm launchers for MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv (family `quant`; the
 * GEMM is in quant-gemm.wat.ts). Operands are packed to i16 with their zero points subtracted, then
 * `qgemm_<out>` multiplies 4-row × 64-column items in parallel (`qgemv_<out>` 1-row items when M < 4).
 * A B shared by every batch (weights) and conv weights are packed once and cached on their tensor.
 * Convolutions run im2col per (image, group) straight into packed-B form; depthwise ones (one input
 * channel per group) run the direct kernel of quant-dw.wat.ts instead, in one call per layer.
 */
import { halfToFloat, type DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import '../ops/quant-gemm.js';
import { QGEMM_DTYPES, type QConvPlan, type QMatMulPlan } from '../ops/quant-gemm.js';
import { registry, type KernelContext } from '../registry/registry.js';
import type { WasmBackend } from './runtime/backend.js';

/**
 * Threads split the GEMM when each gets ≥ 2^20 multiply-adds: measured on one thread (2 shared cores
 * under heavy load, so rough), qgemm runs at ~15–20 G MACs/s on 64×288×3136 and 256×512×256, so that
 * is ≥ ~50–70 µs against the ~20–40 µs a worker takes to wake (Node 20). im2col packs ~2 ns per
 * element (1×32×56×56, 3×3): ≥ 32k elements (~65 µs).
 */
const MIN_MACS_PER_THREAD = 1 << 20;
const MIN_PACK_PER_THREAD = 1 << 15;
/** Columns per qgemm work item (8 tiles of 8). */
const NC = 64;

const TAG: Partial<Record<DType, string>> = { uint8: 'u8', int8: 'i8' };

/** A scale tensor's values as float32 numbers (float16 decoded). */
function floats(w: WasmBackend, t: Tensor, op: string): number[] {
  const p = w.ptrOf(t, op);
  if (t.dtype === 'float16') return Array.from(new Uint16Array(w.memory.buffer, p, t.size), halfToFloat);
  return Array.from(w.f32(p, t.size));
}

function intAt(w: WasmBackend, t: Tensor, op: string): number {
  return Number(w.view(t.dtype, w.ptrOf(t, op), 1)[0]);
}

/** Requantisation multipliers a·b[i]/y in float32, as onnxruntime computes them. */
function multipliers(sa: number, sb: readonly number[], sy: number, count: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = f(f(sa * (sb.length === 1 ? sb[0]! : sb[i]!)) / sy);
  return out;
}

/** Scratch blocks freed together. */
class Scratch {
  private readonly ptrs: number[] = [];
  constructor(private readonly w: WasmBackend, private readonly op: string) {}
  alloc(bytes: number): number {
    const p = this.w.alloc(Math.max(16, bytes), this.op);
    this.ptrs.push(p);
    return p;
  }
  zeros(bytes: number): number {
    const p = this.alloc(bytes);
    new Uint8Array(this.w.memory.buffer, p, Math.max(16, bytes)).fill(0);
    return p;
  }
  free(): void {
    for (const p of this.ptrs) this.w.free(p);
  }
}

/** A zero point's identity for a packed-operand cache key: its value when per tensor, its tensor id when a vector. */
function zpKey(w: WasmBackend, z: Tensor | undefined, op: string): string {
  if (!z) return 'none';
  return z.size === 1 ? `v${intAt(w, z, op)}` : `t${z.id}`;
}

/**
 * An operand packed once and kept on its tensor (tensors are immutable, so weights pack once per
 * session), freed with it. `pack(dst)` fills `bytes` bytes at dst.
 */
function cachedPack(w: WasmBackend, t: Tensor, key: string, bytes: number, pack: (dst: number) => void, op: string): number {
  let entry = t.derived.get(key) as { ptr: number; dispose(): void } | undefined;
  if (!entry) {
    const ptr = w.alloc(Math.max(16, bytes), op);
    try {
      pack(ptr);
    } catch (e) {
      w.free(ptr);
      throw e;
    }
    entry = { ptr, dispose: () => w.free(ptr) };
    t.derived.set(key, entry);
  }
  return entry.ptr;
}

interface GemmCall {
  pa: number;
  pb: number;
  c: number;
  M: number;
  N: number;
  KP: number;
  ldc: number;
  mult: number;
  perRow: boolean;
  zy: number;
  bias: number;
}

/** Run qgemm_<out> over every (64-column chunk, 4-row block) item; `g` is a 13-word parameter block. */
function qgemm(w: WasmBackend, out: string, g: number, call: GemmCall, op: string): void {
  const NB = Math.ceil(call.N / 8);
  // fewer than 4 rows: one row per item, so no tile computes idle rows
  const mr = call.M < 4 ? 1 : 4;
  const RB = Math.ceil(call.M / mr);
  w.i32(g, 13).set([call.pa, call.pb, call.c, call.M, call.N, call.KP, call.ldc, RB, call.mult, call.perRow ? 1 : 0, call.zy, call.bias, NB]);
  const items = RB * Math.ceil(call.N / NC);
  const minPerThread = Math.max(1, Math.ceil(MIN_MACS_PER_THREAD / (mr * NC * Math.max(1, 2 * call.KP))));
  w.parallelFor('quant', `${mr === 1 ? 'qgemv' : 'qgemm'}_${out}`, [g], items, { minPerThread, op });
}

function packA(w: WasmBackend, tag: string, a: number, pa: number, M: number, K: number, z: number, zs: number, KP: number, op: string): void {
  const Mp = Math.ceil(M / 4) * 4;
  w.parallelFor('quant', `pack_a_${tag}`, [a, pa, M, K, K, z, zs, KP], Mp, { minPerThread: Math.max(1, Math.ceil(MIN_PACK_PER_THREAD / Math.max(1, 2 * KP))), op });
}

function runMatMul(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: QMatMulPlan, op: string): void {
  const w = ctx.wasm;
  const { M, N, K, batch } = plan;
  const KP = Math.ceil(K / 2);
  const Mp = Math.ceil(M / 4) * 4;
  const NB = Math.ceil(N / 8);
  // MatMulInteger: a, b, a_zp?, b_zp?; QLinearMatMul: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp
  const [a, b, az, bz] = plan.requant ? [inputs[0]!, inputs[3]!, inputs[2], inputs[5]] : [inputs[0]!, inputs[1]!, inputs[2], inputs[3]];
  const y = outputs[0]!;
  const outTag = plan.requant ? TAG[y.dtype]! : 'i32';
  const outBytes = plan.requant ? 1 : 4;
  let mult = 0;
  let zy = 0;
  const s = new Scratch(w, op);
  try {
    if (plan.requant) {
      // per column, padded with zeros to whole 8-column tiles (qgemm loads them 8 at a time)
      const m = multipliers(floats(w, inputs[1]!, op)[0]!, floats(w, inputs[4]!, op), floats(w, inputs[6]!, op)[0]!, NB * 8);
      for (let i = N; i < NB * 8; i++) m[i] = 0;
      zy = intAt(w, inputs[7]!, op);
      mult = s.alloc(m.byteLength);
      w.f32(mult, m.length).set(m);
    }
    const zA = az ? w.ptrOf(az, op) : s.zeros(1);
    const zB = bz ? w.ptrOf(bz, op) : s.zeros(1);
    const pa = s.alloc(Mp * KP * 4);
    const g = s.alloc(13 * 4);
    const aPtr = w.ptrOf(a, op);
    const bPtr = w.ptrOf(b, op);
    const aTag = TAG[a.dtype]!;
    const bTag = TAG[b.dtype]!;
    const pbBytes = NB * KP * 32;
    const packB = (bo: number, dst: number) => {
      const minPerThread = Math.max(1, Math.ceil(MIN_PACK_PER_THREAD / Math.max(1, 16 * KP)));
      w.parallelFor('quant', `pack_b_${bTag}`, [bPtr + bo, dst, K, N, N, zB, plan.bZp === 'vector' ? 1 : 0, KP], NB, { minPerThread, op });
    };
    // one B for every batch (weights): packed once and cached on the B tensor
    const sharedB = plan.bOffsets.every((o) => o === plan.bOffsets[0]);
    const pb = sharedB ? cachedPack(w, b, `quant.packB:${b.dtype}:${K}x${N}:${plan.bOffsets[0]}:${zpKey(w, bz, op)}`, pbBytes, (dst) => packB(plan.bOffsets[0] ?? 0, dst), op) : s.alloc(pbBytes);
    const yPtr = w.ptrOf(y, op);
    let packedA = -1;
    let packedB = sharedB ? plan.bOffsets[0]! : -1;
    for (let i = 0; i < batch; i++) {
      const ao = plan.aOffsets[i]!;
      const bo = plan.bOffsets[i]!;
      if (ao !== packedA) packA(w, aTag, aPtr + ao, pa, M, K, zA, plan.aZp === 'vector' ? 1 : 0, KP, op);
      packedA = ao;
      if (bo !== packedB) packB(bo, pb);
      packedB = bo;
      qgemm(w, outTag, g, { pa, pb, c: yPtr + i * M * N * outBytes, M, N, KP, ldc: N, mult, perRow: false, zy, bias: 0 }, op);
    }
  } finally {
    s.free();
  }
}

function runConv(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: QConvPlan, op: string): void {
  const w = ctx.wasm;
  const c = plan.conv;
  // ConvInteger: x, w, x_zp?, w_zp?; QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?
  const [x, wt, xz, wz] = plan.requant ? [inputs[0]!, inputs[3]!, inputs[2], inputs[5]] : [inputs[0]!, inputs[1]!, inputs[2], inputs[3]];
  const y = outputs[0]!;
  const K = c.Cg * c.kD * c.kH * c.kW;
  const KP = Math.ceil(K / 2);
  const Ns = c.oD * c.oH * c.oW;
  const NB = Math.ceil(Ns / 8);
  const Mg = c.Mg;
  const Mp = Math.ceil(Mg / 4) * 4;
  const outTag = plan.requant ? TAG[y.dtype]! : 'i32';
  const outBytes = plan.requant ? 1 : 4;
  const s = new Scratch(w, op);
  try {
    let mult = 0;
    let zy = 0;
    if (plan.requant) {
      const m = multipliers(floats(w, inputs[1]!, op)[0]!, floats(w, inputs[4]!, op), floats(w, inputs[6]!, op)[0]!, c.M);
      zy = intAt(w, inputs[7]!, op);
      mult = s.alloc(m.byteLength);
      w.f32(mult, m.length).set(m);
    }
    const zx = xz ? intAt(w, xz, op) : 0;
    const zW = wz ? w.ptrOf(wz, op) : s.zeros(1);
    const zws = plan.wZp === 'vector' ? 1 : 0;
    const wPtr = w.ptrOf(wt, op);
    const wTag = TAG[wt.dtype]!;
    const bias = plan.hasBias ? w.ptrOf(inputs[8]!, op) : 0;
    if (c.Cg === 1 && c.D === 1 && c.kD === 1) {
      // depthwise (one input channel per group), 2-D or 1-D: W is [M, kH·kW] rows, packed once and cached
      const dwKP = Math.ceil((c.kH * c.kW) / 2);
      const wp = cachedPack(w, wt, `quant.packDW:${zpKey(w, wz, op)}`, Math.ceil(c.M / 4) * 4 * dwKP * 4, (dst) => packA(w, wTag, wPtr, dst, c.M, c.kH * c.kW, zW, zws, dwKP, op), op);
      // stride 1 or 2: columns whose every tap (and every byte its 8·stride-byte load reads) lies inside the row run 8 at a time
      const simd = c.sW === 1 || c.sW === 2;
      const owLo = simd ? Math.min(Math.ceil(c.padL / c.sW), c.oW) : 0;
      const owHi = simd ? Math.max(owLo, Math.min(c.oW, Math.floor((c.W + c.padL - (c.kW - 1) * c.dW) / c.sW))) : 0;
      const geo = s.alloc(25 * 4);
      w.i32(geo, 25).set([w.ptrOf(x, op), wp, w.ptrOf(y, op), zx, c.C, c.H, c.W, c.kH, c.kW, c.sH, c.sW, c.dH, c.dW, c.padT, c.padL, c.oH, c.oW, c.Mg, c.M, mult, zy, bias, owLo, owHi, dwKP]);
      const rows = c.N * c.M * c.oH;
      const minPerThread = Math.max(1, Math.ceil(MIN_MACS_PER_THREAD / 8 / Math.max(1, c.oW * c.kH * c.kW)));
      w.parallelFor('quant', `dwconv_${TAG[x.dtype]}_${outTag}`, [geo], rows, { minPerThread, op });
      return;
    }
    // the weights of every group, packed once and cached on W
    const pa = cachedPack(w, wt, `quant.packW:${c.group}:${zpKey(w, wz, op)}`, c.group * Mp * KP * 4, (dst) => {
      for (let gi = 0; gi < c.group; gi++) packA(w, wTag, wPtr + gi * Mg * K, dst + gi * Mp * KP * 4, Mg, K, zW + gi * Mg * zws, zws, KP, op);
    }, op);
    const pb = s.alloc(NB * KP * 32);
    const geo = s.alloc(24 * 4);
    const g = s.alloc(13 * 4);
    const xPtr = w.ptrOf(x, op);
    const yPtr = w.ptrOf(y, op);
    const xTag = TAG[x.dtype]!;
    const imMin = Math.max(1, Math.ceil(MIN_PACK_PER_THREAD / Math.max(1, 16 * KP)));
    for (let n = 0; n < c.N; n++) {
      for (let gi = 0; gi < c.group; gi++) {
        const xBase = xPtr + (n * c.C + gi * c.Cg) * c.D * c.H * c.W;
        w.i32(geo, 24).set([xBase, zx, c.Cg, c.D, c.H, c.W, c.kD, c.kH, c.kW, c.sD, c.sH, c.sW, c.dD, c.dH, c.dW, c.padF, c.padT, c.padL, c.oD, c.oH, c.oW, KP, K, Ns]);
        w.parallelFor('quant', `im2col_${xTag}`, [geo, pb], NB, { minPerThread: imMin, op });
        const ch = gi * Mg;
        qgemm(w, outTag, g, {
          pa: pa + gi * Mp * KP * 4,
          pb,
          c: yPtr + (n * c.M + ch) * Ns * outBytes,
          M: Mg,
          N: Ns,
          KP,
          ldc: Ns,
          mult: mult ? mult + ch * 4 : 0,
          perRow: true,
          zy,
          bias: bias ? bias + ch * 4 : 0,
        }, op);
      }
    }
  } finally {
    s.free();
  }
}

for (const op of ['MatMulInteger', 'QLinearMatMul'] as const) {
  registry.register<QMatMulPlan>({
    op,
    device: 'wasm',
    dtypes: QGEMM_DTYPES,
    kind: 'compute',
    family: 'quant',
    run: (ctx, inputs, outputs, plan) => runMatMul(ctx, inputs, outputs, plan, op),
  });
}

for (const op of ['ConvInteger', 'QLinearConv'] as const) {
  registry.register<QConvPlan>({
    op,
    device: 'wasm',
    dtypes: QGEMM_DTYPES,
    kind: 'compute',
    family: 'quant',
    run: (ctx, inputs, outputs, plan) => runConv(ctx, inputs, outputs, plan, op),
  });
}
