/**
 * WebGPU twins of family `lp-pool`: LpPool (float32, NCHW, 1-D to 3-D windows carried as 3-D). One
 * invocation per output element: Σ |x|^p over the window's taps inside the input in window order
 * (kd, kh, kw), p − 1 multiplications per tap, then the root: sqrt for p = 2, exp2(log2(s)/p)
 * otherwise (WGSL pow is exp2(y·log2(x)), a few ulps; s = 0 → 0, Inf → Inf, NaN → NaN handled on the
 * bits, see wgsl-math.ts). MaxPoolWithIndices stays on wasm: its int64 output cannot live on WebGPU.
 */
import '../ops/lp-pool.js';
import type { LpPoolPlan } from '../ops/lp-pool.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;
const FIELDS = ['total', 'p', 'D', 'H', 'W', 'OD', 'OH', 'OW', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL'] as const;
const uniforms = FIELDS.reduce((u, f) => u.scalar(f, 'i32'), new Uniforms());

const source = () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(2)}
${WGSL_FLOAT}
${flatMain(WG, 'u32(u.total)', `let i = i32(gi);
let ow = i % u.OW; var r = i / u.OW; let oh = r % u.OH; r = r / u.OH; let od = r % u.OD; let img = r / u.OD;
let base = img * u.D * u.H * u.W;
var s = 0.0f;
var bad = false;
for (var kd = 0; kd < u.KD; kd++) {
  let id = od * u.SD - u.PF + kd * u.DD;
  if (id < 0 || id >= u.D) { continue; }
  for (var kh = 0; kh < u.KH; kh++) {
    let ih = oh * u.SH - u.PT + kh * u.DH;
    if (ih < 0 || ih >= u.H) { continue; }
    for (var kw = 0; kw < u.KW; kw++) {
      let iw = ow * u.SW - u.PL + kw * u.DW;
      if (iw < 0 || iw >= u.W) { continue; }
      let a = abs(X[base + (id * u.H + ih) * u.W + iw]);
      if (is_nan(a)) { bad = true; }
      var t = a;
      for (var q = 1; q < u.p; q++) { t = t * a; }
      s += t;
    }
  }
}
var y = s;
if (u.p == 2) { y = sqrt(s); } else if (u.p != 1 && s > 0.0f && is_finite(s)) { y = exp2(log2(s) / f32(u.p)); }
Y[gi] = select(y, f32_nan(), bad);`)}`;

registry.register<LpPoolPlan>({
  op: 'LpPool',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'lp-pool',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'LpPool');
    const total = outputs[0]!.size;
    gpu.dispatch({
      pipeline: gpu.pipeline('lp-pool|window', source),
      buffers: [gpu.bufferOf(inputs[0]!, 'LpPool'), gpu.bufferOf(outputs[0]!, 'LpPool')],
      uniforms: uniforms.pack(Object.fromEntries(FIELDS.map((f) => [f, f === 'total' ? total : plan[f]]))),
      workgroups: grid1d(total, WG),
    });
  },
});
