/**
 * WebGPU twins of QuantizeLinear (float32 → uint8/int8) and DequantizeLinear (uint8/int8/int32 →
 * float32), per-tensor, per-axis and blocked, with the scale walk of ops/quant.ts. The other
 * quantised dtypes cannot live on WebGPU (core/dtype.ts GPU_DTYPES), so their ops run on wasm.
 *
 * uint8/int8 tensors are bytes packed 4 per u32 word: QuantizeLinear writes one word (4 elements) per
 * invocation. Rounding is WGSL round() (half to even). WGSL lets f32 division be off by up to 2.5 ulp
 * and leaves the rounding of i32 → f32 open, so where x / scale lies within that of a half-integer the
 * result may differ from wasm's by one step (exact on SwiftShader, which divides in IEEE), and an
 * int32 dequantisation may round its input the other way.
 */
import type { DType } from '../core/dtype.js';
import type { QuantPlan } from '../ops/quant.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;

const uniforms = new Uniforms()
  .scalar('size', 'u32')
  .scalar('count', 'u32')
  .scalar('C', 'u32')
  .scalar('inner', 'u32')
  .scalar('B', 'u32')
  .scalar('so', 'u32')
  .scalar('sc', 'u32')
  .scalar('si', 'u32');

/** Scale index of element `idx` (see QuantLayout). */
const SCALE_INDEX = `fn scale_index(idx: u32) -> u32 {
  let r = idx / u.inner;
  let i = idx - r * u.inner;
  let o = r / u.C;
  let c = r - o * u.C;
  return o * u.so + (c / u.B) * u.sc + i * u.si;
}`;

/** Element k of a packed uint8 (signed = false) or int8 array as i32. */
const byteAt = (arr: string, k: string, signed: boolean) =>
  signed ? `(bitcast<i32>(((${arr}[(${k}) >> 2u] >> (8u * ((${k}) & 3u))) & 0xffu) << 24u) >> 24u)` : `i32((${arr}[(${k}) >> 2u] >> (8u * ((${k}) & 3u))) & 0xffu)`;

function quantizeSource(dtype: DType): string {
  const signed = dtype === 'int8';
  const [lo, hi] = signed ? [-128, 127] : [0, 255];
  return `${declareBindings([
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'S', type: 'f32', access: 'read' },
    { name: 'Z', type: 'u32', access: 'read' },
    { name: 'Y', type: 'u32', access: 'read_write' },
  ])}
${uniforms.declare(4)}
${WGSL_FLOAT}
${SCALE_INDEX}
fn quantize(x: f32, s: f32, z: i32) -> i32 {
  let q = x / s;
  // NaN quantises to 0 and ±Inf saturates, as the wasm kernel (trunc_sat)
  if (is_nan(q)) { return 0; }
  if (is_inf(q)) { return select(${hi}, ${lo}, sign_bit(q)); }
  return i32(clamp(round(q) + f32(z), ${lo}.0f, ${hi}.0f));
}
${flatMain(
  WG,
  'u.count',
  `var word = 0u;
for (var k = 0u; k < 4u; k++) {
  let idx = gi * 4u + k;
  if (idx < u.size) {
    let si = scale_index(idx);
    let q = quantize(X[idx], S[si], ${byteAt('Z', 'si', signed)});
    word = word | ((bitcast<u32>(q) & 0xffu) << (8u * k));
  }
}
Y[gi] = word;`,
)}`;
}

function dequantizeSource(dtype: DType): string {
  const wide = dtype === 'int32';
  const at = (arr: string, k: string) => (wide ? `${arr}[${k}]` : byteAt(arr, k, dtype === 'int8'));
  return `${declareBindings([
    { name: 'X', type: wide ? 'i32' : 'u32', access: 'read' },
    { name: 'S', type: 'f32', access: 'read' },
    { name: 'Z', type: wide ? 'i32' : 'u32', access: 'read' },
    { name: 'Y', type: 'f32', access: 'read_write' },
  ])}
${uniforms.declare(4)}
${SCALE_INDEX}
${flatMain(
  WG,
  'u.count',
  `let si = scale_index(gi);
Y[gi] = f32(${at('X', 'gi')} - ${at('Z', 'si')}) * S[si];`,
)}`;
}

function pack(plan: QuantPlan, size: number, count: number): ArrayBuffer {
  return uniforms.pack({ size, count, C: plan.C, inner: Math.max(1, plan.inner), B: plan.B, so: plan.so, sc: plan.sc, si: plan.si });
}

registry.register<QuantPlan>({
  op: 'QuantizeLinear',
  device: 'webgpu',
  dtypes: ['uint8', 'int8'],
  kind: 'compute',
  family: 'quant',
  run(ctx, inputs, outputs, plan) {
    const op = 'QuantizeLinear';
    const gpu = gpuOf(ctx, op);
    const y = outputs[0]!;
    const words = Math.ceil(y.size / 4);
    const z = plan.hasZeroPoint ? gpu.bufferOf(inputs[2]!, op) : gpu.scratch(new Uint32Array(Math.max(1, Math.ceil(plan.scaleSize / 4))));
    gpu.dispatch({
      pipeline: gpu.pipeline(`quant|quantize|${plan.qdtype}`, () => quantizeSource(plan.qdtype)),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), z, gpu.bufferOf(y, op)],
      uniforms: pack(plan, y.size, words),
      workgroups: grid1d(words, WG),
    });
  },
});

registry.register<QuantPlan>({
  op: 'DequantizeLinear',
  device: 'webgpu',
  dtypes: ['uint8', 'int8', 'int32'],
  kind: 'compute',
  family: 'quant',
  run(ctx, inputs, outputs, plan) {
    const op = 'DequantizeLinear';
    const gpu = gpuOf(ctx, op);
    const y = outputs[0]!;
    const zeros = plan.qdtype === 'int32' ? new Int32Array(Math.max(1, plan.scaleSize)) : new Uint32Array(Math.max(1, Math.ceil(plan.scaleSize / 4)));
    const z = plan.hasZeroPoint ? gpu.bufferOf(inputs[2]!, op) : gpu.scratch(zeros);
    gpu.dispatch({
      pipeline: gpu.pipeline(`quant|dequantize|${plan.qdtype}`, () => dequantizeSource(plan.qdtype)),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), z, gpu.bufferOf(y, op)],
      uniforms: pack(plan, y.size, y.size),
      workgroups: grid1d(y.size, WG),
    });
  },
});
