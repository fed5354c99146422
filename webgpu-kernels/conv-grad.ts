import type { ConvBackpropFilterPlan } from '../ops/conv-grad.js';
import '../ops/conv-grad.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

/**
 * ConvBackpropFilter (channels last): one invocation per filter element (taps, ci, m) sums
 * x · dy over images and output pixels (n, od, oh, ow in order), skipping taps in the padding.
 * A direct sum: fine for the filter gradients of small layers; the wasm kernel is the GEMM.
 */
const WG = 64;
const FIELDS = ['total', 'N', 'C', 'D', 'H', 'W', 'M', 'Cg', 'Mg', 'kD', 'kH', 'kW', 'sD', 'sH', 'sW', 'dD', 'dH', 'dW', 'padF', 'padT', 'padL', 'oD', 'oH', 'oW'] as const;
const uniforms = FIELDS.reduce((u, f) => u.scalar(f, f === 'total' ? 'u32' : 'i32'), new Uniforms());

const source = memo(() => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'DY', type: 'f32', access: 'read' },
  { name: 'DW', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(3)}
${flatMain(WG, 'u.total', `let i = i32(gi);
let m = i % u.M; var r = i / u.M; let ci = r % u.Cg; r = r / u.Cg;
let kw = r % u.kW; r = r / u.kW; let kh = r % u.kH; let kd = r / u.kH;
let cx = (m / u.Mg) * u.Cg + ci;
var acc = 0.0f;
for (var n = 0; n < u.N; n++) {
  for (var od = 0; od < u.oD; od++) {
    let id = od * u.sD - u.padF + kd * u.dD;
    if (id < 0 || id >= u.D) { continue; }
    for (var oh = 0; oh < u.oH; oh++) {
      let ih = oh * u.sH - u.padT + kh * u.dH;
      if (ih < 0 || ih >= u.H) { continue; }
      for (var ow = 0; ow < u.oW; ow++) {
        let iw = ow * u.sW - u.padL + kw * u.dW;
        if (iw < 0 || iw >= u.W) { continue; }
        acc += X[(((n * u.D + id) * u.H + ih) * u.W + iw) * u.C + cx] * DY[(((n * u.oD + od) * u.oH + oh) * u.oW + ow) * u.M + m];
      }
    }
  }
}
DW[gi] = acc;`)}`);

registry.register<ConvBackpropFilterPlan>({
  op: 'ConvBackpropFilter',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'conv',
  run(ctx, inputs, outputs, p) {
    const op = 'ConvBackpropFilter';
    const gpu = gpuOf(ctx, op);
    const dW = outputs[0]!;
    if (dW.size === 0) return;
    const [x, dy] = inputs as [(typeof inputs)[0], (typeof inputs)[0]];
    const buf = (t: NonNullable<typeof x>) => (t.size > 0 ? gpu.bufferOf(t, op) : gpu.scratch(new Float32Array(1)));
    const vals = { ...p, total: dW.size } as unknown as Record<(typeof FIELDS)[number], number>;
    gpu.dispatch({
      pipeline: gpu.pipeline('conv-grad|filter', () => source('')),
      buffers: [buf(x!), buf(dy!), gpu.bufferOf(dW, op)],
      uniforms: uniforms.pack(Object.fromEntries(FIELDS.map((f) => [f, vals[f]]))),
      workgroups: grid1d(dW.size, WG),
    });
  },
});
