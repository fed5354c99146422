/**
 * WebGPU twin of family `index-ops`: Trilu on every dtype WebGPU stores (float32, int32, and the packed
 * float16, bool, uint8, int8). One invocation per u32 word of the output: each byte lane finds its
 * element (4·word + lane) / elemBytes, that element's row and column, and keeps the byte or zeroes it,
 * so elements move as bits (NaN payloads survive) and packed words need no read-modify-write.
 * ScatterElements stays on wasm: its out-of-range indices must raise a typed error synchronously,
 * which a GPU dispatch cannot.
 */
import { GPU_DTYPES } from '../core/dtype.js';
import '../ops/trilu.js';
import type { TriluPlan } from '../ops/trilu.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;

const uniforms = new Uniforms().scalar('words', 'u32').scalar('rows', 'u32').scalar('cols', 'u32').scalar('eb', 'u32').scalar('k', 'i32').scalar('upper', 'u32');

const source = () => `${declareBindings([
  { name: 'X', type: 'u32', access: 'read' },
  { name: 'Y', type: 'u32', access: 'read_write' },
])}
${uniforms.declare(2)}
${flatMain(WG, 'u.words', `var mask = 0u;
for (var b = 0u; b < 4u; b++) {
  let e = (gi * 4u + b) / u.eb;
  let col = i32(e % u.cols);
  let row = i32((e / u.cols) % u.rows);
  let d = col - row;
  let keep = select(d <= u.k, d >= u.k, u.upper != 0u);
  if (keep) { mask |= 0xffu << (8u * b); }
}
Y[gi] = X[gi] & mask;`)}`;

registry.register<TriluPlan>({
  op: 'Trilu',
  device: 'webgpu',
  dtypes: GPU_DTYPES,
  kind: 'compute',
  family: 'index-ops',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'Trilu');
    const words = Math.ceil((outputs[0]!.size * plan.elemBytes) / 4);
    gpu.dispatch({
      pipeline: gpu.pipeline('index-ops|trilu', source),
      buffers: [gpu.bufferOf(inputs[0]!, 'Trilu'), gpu.bufferOf(outputs[0]!, 'Trilu')],
      uniforms: uniforms.pack({ words, rows: plan.rows, cols: plan.cols, eb: plan.elemBytes, k: plan.k, upper: plan.upper ? 1 : 0 }),
      workgroups: grid1d(words, WG),
    });
  },
});
