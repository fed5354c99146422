/**
 * WebGPU twins of family `copy` for 4-byte dtypes (float32, int32): the strided moves of ops/copy.ts
 * (Transpose, Slice, Expand, Tile, Reverse, Concat, Split, Pad) and Where; and for bool, uint8, int8 and
 * float16 (packed in u32 words) the moves that write their output whole. Elements move as u32 bits,
 * so NaN payloads survive (no float load or store touches them). Cast runs between float32, int32 and
 * bool; Gather takes int32 indices (see its note on out-of-range indices). The rest run on wasm: WebGPU
 * packs 1-byte dtypes four to a word and has no 64-bit integers.
 */
import { collapseMove, MOVE_OPS, type CastPlan, type CopyPlan, type Move, type WherePlan } from '../ops/copy.js';
import { DTypeError } from '../core/errors.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';
import { collapseBroadcast } from '../ops/shape.js';
import type { Tensor } from '../core/tensor.js';
import { registry } from '../registry/registry.js';
import type { GpuBackend } from './runtime/backend.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, broadcastOffsets, broadcastUniforms, declareBindings, flatMain, grid1d, indent } from './runtime/shader.js';

const WG = 64;
const DTYPES = ['float32', 'int32'] as const;

interface Program {
  key: string;
  uniforms: Uniforms;
  source: () => string;
}

/** dst[dst_off + Σ i·dst_strides] = src[src_off + Σ i·src_strides]; `self`: source and destination are one buffer. Strides wrap as u32, so negative ones work. */
const moveProgram = memo((key: string): Program => {
  const [rankS, self] = key.split('|');
  const rank = Number(rankS);
  const u = broadcastUniforms(new Uniforms().scalar('count', 'u32').scalar('src_off', 'u32').scalar('dst_off', 'u32'), rank, ['src', 'dst']);
  const bindings = self === 'self' ? [{ name: 'Y', type: 'u32', access: 'read_write' } as const] : [{ name: 'X', type: 'u32', access: 'read' } as const, { name: 'Y', type: 'u32', access: 'read_write' } as const];
  const source = () => `${declareBindings(bindings)}
${u.declare(bindings.length)}
${flatMain(WG, 'u.count', `${broadcastOffsets(u, rank, ['src', 'dst'], 'gi')}
Y[u.dst_off + off_dst] = ${self === 'self' ? 'Y' : 'X'}[u.src_off + off_src];`)}`;
  return { key: `copy|move|${key}`, uniforms: u, source };
});

const fillUniforms = new Uniforms().scalar('count', 'u32').scalar('value', 'u32');
const fillSource = () => `${declareBindings([{ name: 'Y', type: 'u32', access: 'read_write' }])}
${fillUniforms.declare(1)}
${flatMain(WG, 'u.count', 'Y[gi] = u.value;')}`;

function runMove(gpu: GpuBackend, src: GPUBuffer, dst: GPUBuffer, m: Move): void {
  const v = collapseMove(m.shape, m.srcStrides, m.dstStrides);
  if (!v) return;
  const count = v.shape.reduce((a, b) => a * b, 1);
  const self = src === dst;
  const p = moveProgram(`${v.shape.length}|${self ? 'self' : 'two'}`);
  gpu.dispatch({
    pipeline: gpu.pipeline(p.key, p.source),
    buffers: self ? [dst] : [src, dst],
    uniforms: p.uniforms.pack({ count, src_off: m.srcOffset, dst_off: m.dstOffset, shape: v.shape, src_strides: v.src.map((s) => s >>> 0), dst_strides: v.dst.map((s) => s >>> 0) }),
    workgroups: grid1d(count, WG),
  });
}

/** The 32 bits of `value` as the output dtype holds it. */
function bitsOf(dtype: string, value: number): number {
  return dtype === 'float32' ? new Uint32Array(Float32Array.of(value).buffer)[0]! : value | 0;
}

function runMoves(gpu: GpuBackend, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: CopyPlan, op: string): void {
  for (const f of plan.fills) {
    const out = outputs[f.dst]!;
    if (out.size === 0) continue;
    gpu.dispatch({
      pipeline: gpu.pipeline('copy|fill', fillSource),
      buffers: [gpu.bufferOf(out, op)],
      uniforms: fillUniforms.pack({ count: out.size, value: bitsOf(out.dtype, f.value) }),
      workgroups: grid1d(out.size, WG),
    });
  }
  for (const m of plan.moves) {
    const src = m.from === 'in' ? inputs[m.src]! : outputs[m.src]!;
    runMove(gpu, gpu.bufferOf(src, op), gpu.bufferOf(outputs[m.dst]!, op), m);
  }
}

/**
 * Sub-word dtypes (bool, uint8, int8: 4 to a u32 word; float16: 2) for the ops whose one move writes
 * its whole output in order (Transpose, Slice, Expand, Tile, Reverse, Split). One invocation builds one
 * output word from its 4 (or 2) source elements, so no two invocations write the same word.
 */
const PACKED_OPS = ['Transpose', 'Slice', 'Expand', 'Tile', 'Reverse', 'Split'] as const;
const PACKED_DTYPES = ['bool', 'uint8', 'int8', 'float16'] as const;

const packedProgram = memo((key: string): Program => {
  const [rankS, bytesS] = key.split('|');
  const rank = Number(rankS);
  const bits = 8 * Number(bytesS);
  const per = 32 / bits;
  const u = broadcastUniforms(new Uniforms().scalar('count', 'u32').scalar('words', 'u32').scalar('src_off', 'u32'), rank, ['src']);
  const source = () => `${declareBindings([{ name: 'X', type: 'u32', access: 'read' }, { name: 'Y', type: 'u32', access: 'read_write' }])}
${u.declare(2)}
${flatMain(WG, 'u.words', `var word = 0u;
for (var j = 0u; j < ${per}u; j++) {
  let e = gi * ${per}u + j;
  if (e < u.count) {
${indent(broadcastOffsets(u, rank, ['src'], 'e'), 4)}
    let s = u.src_off + off_src;
    let v = (X[s / ${per}u] >> ((s % ${per}u) * ${bits}u)) & ${bits === 8 ? '0xffu' : '0xffffu'};
    word = word | (v << (j * ${bits}u));
  }
}
Y[gi] = word;`)}`;
  return { key: `copy|packed|${key}`, uniforms: u, source };
});

function runPacked(gpu: GpuBackend, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: CopyPlan, op: string): void {
  for (const m of plan.moves) {
    const out = outputs[m.dst]!;
    // the move writes output m.dst whole and in row-major order (dst offset 0, dst strides row-major)
    const v = collapseMove(m.shape, m.srcStrides, m.dstStrides);
    if (!v || out.size === 0) continue;
    const p = packedProgram(`${v.shape.length}|${plan.elemBytes}`);
    const words = Math.ceil(out.size / (4 / plan.elemBytes));
    gpu.dispatch({
      pipeline: gpu.pipeline(p.key, p.source),
      buffers: [gpu.bufferOf(inputs[m.src]!, op), gpu.bufferOf(out, op)],
      uniforms: p.uniforms.pack({ count: out.size, words, src_off: m.srcOffset, shape: v.shape, src_strides: v.src.map((x) => x >>> 0) }),
      workgroups: grid1d(words, WG),
    });
  }
}

for (const op of PACKED_OPS) {
  registry.register<CopyPlan>({
    op,
    device: 'webgpu',
    dtypes: PACKED_DTYPES,
    kind: 'compute',
    family: 'copy',
    run: (ctx, inputs, outputs, plan) => runPacked(gpuOf(ctx, op), inputs, outputs, plan, op),
  });
}

for (const op of MOVE_OPS) {
  registry.register<CopyPlan>({
    op,
    device: 'webgpu',
    dtypes: DTYPES,
    kind: 'compute',
    family: 'copy',
    run: (ctx, inputs, outputs, plan) => runMoves(gpuOf(ctx, op), inputs, outputs, plan, op),
  });
}

/** Where: the condition is bool, four bytes to a u32 word; X, Y and the output move as u32 bits. */
const whereProgram = memo((key: string): Program => {
  const rank = Number(key);
  const u = broadcastUniforms(new Uniforms().scalar('count', 'u32'), rank, ['c', 'x', 'y']);
  const source = () => `${declareBindings([
    { name: 'C', type: 'u32', access: 'read' },
    { name: 'X', type: 'u32', access: 'read' },
    { name: 'Y', type: 'u32', access: 'read' },
    { name: 'O', type: 'u32', access: 'read_write' },
  ])}
${u.declare(4)}
${flatMain(WG, 'u.count', `${broadcastOffsets(u, rank, ['c', 'x', 'y'], 'gi')}
let cond = (C[off_c >> 2u] >> ((off_c & 3u) * 8u)) & 0xffu;
O[gi] = select(Y[off_y], X[off_x], cond != 0u);`)}`;
  return { key: `copy|where|${key}`, uniforms: u, source };
});

registry.register<WherePlan>({
  op: 'Where',
  device: 'webgpu',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'Where');
    const out = outputs[0]!;
    const { shape, strides } = collapseBroadcast(out.shape, plan.expand.map((m) => m.srcStrides));
    const p = whereProgram(String(shape.length));
    gpu.dispatch({
      pipeline: gpu.pipeline(p.key, p.source),
      buffers: [...inputs.map((t) => gpu.bufferOf(t, 'Where')), gpu.bufferOf(out, 'Where')],
      uniforms: p.uniforms.pack({ count: out.size, shape, c_strides: strides[0]!, x_strides: strides[1]!, y_strides: strides[2]! }),
      workgroups: grid1d(out.size, WG),
    });
  },
});

/** WGSL casts between float32, int32 and bool (bool packed four bytes to a u32 word). */
const CAST_GPU = ['float32', 'int32', 'bool'] as const;
type GpuCast = (typeof CAST_GPU)[number];

/** The element `k` of X as `from` holds it, converted to `to` (a WGSL expression). */
function castExpr(from: GpuCast, to: GpuCast, k: string): string {
  const x = from === 'bool' ? `((X[${k} >> 2u] >> ((${k} & 3u) * 8u)) & 0xffu)` : `X[${k}]`;
  if (to === 'bool') return from === 'float32' ? `((bitcast<u32>(${x}) & 0x7fffffffu) != 0u)` : `(${x} != 0${from === 'int32' ? 'i' : 'u'})`;
  if (from === 'bool') return to === 'float32' ? `f32(${x})` : `i32(${x})`;
  if (to === 'float32') return `f32(${x})`;
  // float32 → int32 as x86-64 cvttss2si (see ops/copy.ts): NaN, ±Inf and |x| ≥ 2^31 give INT32_MIN
  return `select(i32(-2147483647) - 1i, i32(${x}), !is_nan(${x}) && abs(${x}) < 2147483648.0f)`;
}

const castUniforms = new Uniforms().scalar('count', 'u32').scalar('words', 'u32');
const castProgram = memo((key: string): { key: string; source: () => string } => {
  const [from, to] = key.split('|') as [GpuCast, GpuCast];
  const wgsl = (d: GpuCast) => (d === 'float32' ? 'f32' : d === 'int32' ? 'i32' : 'u32');
  const body =
    to === 'bool'
      ? `var word = 0u;
for (var j = 0u; j < 4u; j++) {
  let k = gi * 4u + j;
  if (k < u.count && ${castExpr(from, to, 'k')}) { word = word | (1u << (8u * j)); }
}
Y[gi] = word;`
      : `Y[gi] = ${castExpr(from, to, 'gi')};`;
  const source = () => `${declareBindings([
    { name: 'X', type: wgsl(from), access: 'read' },
    { name: 'Y', type: wgsl(to), access: 'read_write' },
  ])}
${castUniforms.declare(2)}
${WGSL_FLOAT}
${flatMain(WG, to === 'bool' ? 'u.words' : 'u.count', body)}`;
  return { key: `copy|cast|${key}`, source };
});

registry.register<CastPlan>({
  op: 'Cast',
  device: 'webgpu',
  dtypes: CAST_GPU,
  kind: 'compute',
  family: 'copy',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'Cast');
    const x = inputs[0]!;
    const y = outputs[0]!;
    if (!(CAST_GPU as readonly string[]).includes(plan.to)) {
      throw new DTypeError('Cast', `${plan.from}→${plan.to} has no WebGPU kernel (WebGPU casts between ${CAST_GPU.join(', ')}); read the tensor back with await rt.to(x, 'wasm') and cast there`);
    }
    if (plan.from === plan.to) {
      runMove(gpu, gpu.bufferOf(x, 'Cast'), gpu.bufferOf(y, 'Cast'), { from: 'in', src: 0, dst: 0, shape: [Math.ceil((x.size * (plan.from === 'bool' ? 1 : 4)) / 4)], srcOffset: 0, srcStrides: [1], dstOffset: 0, dstStrides: [1] });
      return;
    }
    const p = castProgram(`${plan.from}|${plan.to}`);
    const words = Math.ceil(x.size / 4);
    gpu.dispatch({
      pipeline: gpu.pipeline(p.key, p.source),
      buffers: [gpu.bufferOf(x, 'Cast'), gpu.bufferOf(y, 'Cast')],
      uniforms: castUniforms.pack({ count: x.size, words }),
      workgroups: grid1d(plan.to === 'bool' ? words : x.size, WG),
    });
  },
});

// Gather has no WebGPU twin yet: out-of-range indices live in GPU memory and cannot raise the typed
// error the wasm kernel does synchronously. A twin needs an error flag read back with the result.

