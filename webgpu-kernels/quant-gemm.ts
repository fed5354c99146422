/**
 * WebGPU twins of MatMulInteger (int32 output) and QLinearMatMul (uint8/int8 output) over packed
 * uint8/int8 operands (4 bytes per u32 word), batch broadcasting through per-batch offset tables.
 * One invocation per output element, a plain K loop: acc = Σ (a − za)(b − zb) in i32, exact.
 * QLinearMatMul then requantises (a second pass, one output word of 4 elements per invocation) with
 * (a_scale · b_scale[n]) / y_scale computed in the shader in float32 (scales may be float16: 2 per
 * word); WGSL allows that division 2.5 ulp of error, so where f32(acc) · multiplier lies within a few
 * ulp of a half-integer the result may differ from wasm's by one step. ConvInteger and QLinearConv
 * have no twin (they run on wasm).
 */
import type { DType } from '../core/dtype.js';
import { DTypeError } from '../core/errors.js';
import { QGEMM_DTYPES, type QMatMulPlan } from '../ops/quant-gemm.js';
import { registry } from '../registry/registry.js';
import type { GpuStorage } from './runtime/backend.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;

const uniforms = new Uniforms()
  .scalar('count', 'u32')
  .scalar('total', 'u32')
  .scalar('M', 'u32')
  .scalar('N', 'u32')
  .scalar('K', 'u32')
  .scalar('azs', 'u32')
  .scalar('bzs', 'u32')
  .scalar('bss', 'u32');

/** Element k of a packed uint8 / int8 array as i32. */
const byteAt = (arr: string, k: string, signed: boolean) =>
  signed ? `(bitcast<i32>(((${arr}[(${k}) >> 2u] >> (8u * ((${k}) & 3u))) & 0xffu) << 24u) >> 24u)` : `i32((${arr}[(${k}) >> 2u] >> (8u * ((${k}) & 3u))) & 0xffu)`;

/** Element k of a float32 (f32 array) or float16 (u32 words, 2 per word) array as f32. */
const floatAt = (arr: string, k: string, half: boolean) => (half ? `unpack2x16float(${arr}[(${k}) >> 1u])[(${k}) & 1u]` : `${arr}[${k}]`);

/** acc = Σ (a − za)(b − zb) per output element into ACC (i32): MatMulInteger's output, QLinearMatMul's first pass. */
function accSource(a: DType, b: DType): string {
  const as = a === 'int8';
  const bs = b === 'int8';
  return `${declareBindings([
    { name: 'A', type: 'u32', access: 'read' },
    { name: 'B', type: 'u32', access: 'read' },
    { name: 'AZ', type: 'u32', access: 'read' },
    { name: 'BZ', type: 'u32', access: 'read' },
    { name: 'OFF', type: 'u32', access: 'read' },
    { name: 'ACC', type: 'i32', access: 'read_write' },
  ])}
${uniforms.declare(6)}
${flatMain(
  WG,
  'u.count',
  `let mn = u.M * u.N;
let bi = gi / mn;
let r = gi - bi * mn;
let m = r / u.N;
let n = r - m * u.N;
let ao = OFF[2u * bi] + m * u.K;
let bo = OFF[2u * bi + 1u] + n;
let za = ${byteAt('AZ', 'm * u.azs', as)};
let zb = ${byteAt('BZ', 'n * u.bzs', bs)};
var acc = 0i;
for (var k = 0u; k < u.K; k++) {
  acc += (${byteAt('A', 'ao + k', as)} - za) * (${byteAt('B', 'bo + k * u.N', bs)} - zb);
}
ACC[gi] = acc;`,
)}`;
}

/** QLinearMatMul's second pass: ACC → saturate(round(f32(acc) · (sa · sb[n]) / sy) + zy), one output word (4 elements) per invocation. */
function requantSource(out: DType, half: boolean): string {
  const [lo, hi] = out === 'int8' ? [-128, 127] : [0, 255];
  const st = half ? 'u32' : 'f32';
  return `${declareBindings([
    { name: 'ACC', type: 'i32', access: 'read' },
    { name: 'SA', type: st, access: 'read' },
    { name: 'SB', type: st, access: 'read' },
    { name: 'SY', type: st, access: 'read' },
    { name: 'YZ', type: 'u32', access: 'read' },
    { name: 'Y', type: 'u32', access: 'read_write' },
  ])}
${uniforms.declare(6)}
fn requant(idx: u32) -> u32 {
  let n = idx % u.N;
  let mult = (${floatAt('SA', '0u', half)} * ${floatAt('SB', 'n * u.bss', half)}) / ${floatAt('SY', '0u', half)};
  let q = clamp(round(f32(ACC[idx]) * mult) + f32(${byteAt('YZ', '0u', out === 'int8')}), ${lo}.0f, ${hi}.0f);
  return bitcast<u32>(i32(q)) & 0xffu;
}
${flatMain(
  WG,
  'u.count',
  `var word = 0u;
for (var j = 0u; j < 4u; j++) {
  let idx = gi * 4u + j;
  if (idx < u.total) { word = word | (requant(idx) << (8u * j)); }
}
Y[gi] = word;`,
)}`;
}

for (const op of ['MatMulInteger', 'QLinearMatMul'] as const) {
  registry.register<QMatMulPlan>({
    op,
    device: 'webgpu',
    dtypes: QGEMM_DTYPES,
    kind: 'compute',
    family: 'quant',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      const [a, b, az, bz] = plan.requant ? [inputs[0]!, inputs[3]!, inputs[2], inputs[5]] : [inputs[0]!, inputs[1]!, inputs[2], inputs[3]];
      const off = new Uint32Array(2 * plan.batch);
      for (let i = 0; i < plan.batch; i++) {
        off[2 * i] = plan.aOffsets[i]!;
        off[2 * i + 1] = plan.bOffsets[i]!;
      }
      const zero = () => gpu.scratch(new Uint32Array(1));
      const u = {
        count: y.size,
        total: y.size,
        M: plan.M,
        N: plan.N,
        K: plan.K,
        azs: plan.aZp === 'vector' ? 1 : 0,
        bzs: plan.bZp === 'vector' ? 1 : 0,
        bss: plan.bScale === 'vector' ? 1 : 0,
      };
      const scales = plan.requant ? [inputs[1]!, inputs[4]!, inputs[6]!] : [];
      const half = scales[0]?.dtype === 'float16';
      if (scales.some((t) => t.dtype !== scales[0]!.dtype)) {
        throw new DTypeError(op, `the WebGPU kernel needs one scale dtype, got a_scale ${scales[0]!.dtype}, b_scale ${scales[1]!.dtype}, y_scale ${scales[2]!.dtype}`);
      }
      // QLinearMatMul accumulates into a temporary i32 buffer, then requantises (a single shader would need 9 storage buffers; 8 is WebGPU's default limit)
      const acc = plan.requant ? gpu.allocStorage(y.size * 4, op) : undefined;
      try {
        gpu.dispatch({
          pipeline: gpu.pipeline(`quant|qacc|${a.dtype}|${b.dtype}`, () => accSource(a.dtype, b.dtype)),
          buffers: [gpu.bufferOf(a, op), gpu.bufferOf(b, op), az ? gpu.bufferOf(az, op) : zero(), bz ? gpu.bufferOf(bz, op) : zero(), gpu.scratch(off), acc ? (acc as GpuStorage).buffer : gpu.bufferOf(y, op)],
          uniforms: uniforms.pack(u),
          workgroups: grid1d(y.size, WG),
        });
        if (!acc) return;
        const words = Math.ceil(y.size / 4);
        gpu.dispatch({
          pipeline: gpu.pipeline(`quant|qrequant|${y.dtype}|${half ? 'f16' : 'f32'}`, () => requantSource(y.dtype, half)),
          buffers: [(acc as GpuStorage).buffer, ...scales.map((t) => gpu.bufferOf(t, op)), gpu.bufferOf(inputs[7]!, op), gpu.bufferOf(y, op)],
          uniforms: uniforms.pack({ ...u, count: words }),
          workgroups: grid1d(words, WG),
        });
      } finally {
        acc?.free();
      }
    },
  });
}
