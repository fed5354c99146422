import type { ResizeGradPlan } from '../ops/resize-grad.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

/**
 * ResizeGrad (NHWC), gathering: one invocation per input element (n, iy, ix, c) walks the output
 * rows whose i0 (weight 1 − wy) or i1 (weight wy) is iy and, in each, the columns whose taps hit
 * ix, adding dy · wy · wx in the wasm kernel's order (rows ascending, i0 before i1; then columns).
 * Taps of weight 0 are skipped. Tables as the Resize twin's: y i0, y i1, y w bits [OH each], then x.
 */
const WG = 64;
const uniforms = new Uniforms().scalar('total', 'u32').scalar('H', 'u32').scalar('W', 'u32').scalar('C', 'u32').scalar('OH', 'u32').scalar('OW', 'u32');

const source = memo(() => `${declareBindings([
  { name: 'DY', type: 'f32', access: 'read' },
  { name: 'T', type: 'u32', access: 'read' },
  { name: 'DX', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(3)}
fn row_sum(n: u32, oy: u32, ix: u32, c: u32, wy: f32) -> f32 {
  let xo = 3u * u.OH;
  var acc = 0.0f;
  for (var ox = 0u; ox < u.OW; ox++) {
    let wx = bitcast<f32>(T[xo + 2u * u.OW + ox]);
    let d = DY[((n * u.OH + oy) * u.OW + ox) * u.C + c];
    let k0 = wy * (1.0f - wx);
    if (T[xo + ox] == ix && k0 != 0.0f) { acc += d * k0; }
    let k1 = wy * wx;
    if (T[xo + u.OW + ox] == ix && k1 != 0.0f) { acc += d * k1; }
  }
  return acc;
}
${flatMain(WG, 'u.total', `let c = gi % u.C; var r = gi / u.C; let ix = r % u.W; r = r / u.W; let iy = r % u.H; let n = r / u.H;
var acc = 0.0f;
for (var oy = 0u; oy < u.OH; oy++) {
  let w = bitcast<f32>(T[2u * u.OH + oy]);
  if (T[oy] == iy && 1.0f - w != 0.0f) { acc += row_sum(n, oy, ix, c, 1.0f - w); }
  if (T[u.OH + oy] == iy && w != 0.0f) { acc += row_sum(n, oy, ix, c, w); }
}
DX[gi] = acc;`)}`);

registry.register<ResizeGradPlan>({
  op: 'ResizeGrad',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'resize-grad',
  run(ctx, inputs, outputs, p) {
    const op = 'ResizeGrad';
    const gpu = gpuOf(ctx, op);
    const dx = outputs[0]!;
    if (dx.size === 0) return;
    const { OH, OW } = p;
    const t = new Uint32Array(Math.max(1, 3 * (OH + OW)));
    const put = (at: number, tab: ResizeGradPlan['ys']) => {
      const n = tab.i0.length;
      t.set(new Uint32Array(tab.i0.buffer, tab.i0.byteOffset, n), at);
      t.set(new Uint32Array(tab.i1.buffer, tab.i1.byteOffset, n), at + n);
      t.set(new Uint32Array(tab.w.buffer, tab.w.byteOffset, n), at + 2 * n);
    };
    put(0, p.ys);
    put(3 * OH, p.xs);
    const dy = inputs[0]!;
    gpu.dispatch({
      pipeline: gpu.pipeline('resize-grad', () => source('')),
      buffers: [dy.size > 0 ? gpu.bufferOf(dy, op) : gpu.scratch(new Float32Array(1)), gpu.scratch(t), gpu.bufferOf(dx, op)],
      uniforms: uniforms.pack({ total: dx.size, H: p.H, W: p.W, C: p.C, OH, OW }),
      workgroups: grid1d(dx.size, WG),
    });
  },
});
