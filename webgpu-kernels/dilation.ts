import type { Tensor } from '../core/tensor.js';
import { DILATION_OPS, type DilationPlan } from '../ops/dilation.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * Dilation2D and its gradients (NHWC), gathering (no atomics): one invocation per output element.
 * The window argmax follows the wasm kernel (from −2^53, a strictly greater sum replaces it, NaN
 * never does). The input gradient walks every output of its image in increasing (oh, ow) (the order
 * the wasm scatter adds in) and adds dy where the window's argmax lands on its element (or, for a
 * window without one, where the clamped start does); the filter gradient walks every output for its tap.
 */
const WG = 64;
const FIELDS = ['total', 'N', 'C', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL'] as const;
const uniforms = FIELDS.reduce((u, f) => u.scalar(f, f === 'total' ? 'u32' : 'i32'), new Uniforms());

/** (best sum, tap kh·KW + kw or −1) of window (n, oh, ow) at channel c. */
const ARGMAX = `fn window_argmax(n: i32, oh: i32, ow: i32, c: i32) -> vec2<f32> {
  var best = -9007199254740992.0f;
  var bi = -1;
  for (var kh = 0; kh < u.KH; kh++) {
    let ih = oh * u.SH - u.PT + kh * u.DH;
    if (ih < 0 || ih >= u.H) { continue; }
    for (var kw = 0; kw < u.KW; kw++) {
      let iw = ow * u.SW - u.PL + kw * u.DW;
      if (iw < 0 || iw >= u.W) { continue; }
      let v = X[((n * u.H + ih) * u.W + iw) * u.C + c] + F[(kh * u.KW + kw) * u.C + c];
      if (!is_nan(v) && v > best) { best = v; bi = kh * u.KW + kw; }
    }
  }
  return vec2<f32>(best, bitcast<f32>(bi));
}
/** The input element window (n, oh, ow) sends its gradient to, as (ih, iw). */
fn grad_at(n: i32, oh: i32, ow: i32, c: i32) -> vec2<i32> {
  let t = bitcast<i32>(window_argmax(n, oh, ow, c).y);
  let h0 = oh * u.SH - u.PT;
  let w0 = ow * u.SW - u.PL;
  if (t >= 0) { return vec2<i32>(h0 + (t / u.KW) * u.DH, w0 + (t % u.KW) * u.DW); }
  return vec2<i32>(clamp(h0, 0, u.H - 1), clamp(w0, 0, u.W - 1));
}`;

const sources = memo((op: string) => {
  const grad = op !== 'Dilation2D';
  const bindings = [
    { name: 'X', type: 'f32' as const, access: 'read' as const },
    { name: 'F', type: 'f32' as const, access: 'read' as const },
    ...(grad ? [{ name: 'DY', type: 'f32' as const, access: 'read' as const }] : []),
    { name: 'Y', type: 'f32' as const, access: 'read_write' as const },
  ];
  let body: string;
  if (op === 'Dilation2D') {
    body = `let c = i % u.C; var r = i / u.C; let ow = r % u.OW; r = r / u.OW; let oh = r % u.OH; let n = r / u.OH;
Y[gi] = window_argmax(n, oh, ow, c).x;`;
  } else if (op === 'Dilation2DBackpropInput') {
    // every output in increasing (oh, ow): its target (the argmax tap's element or the clamped start) against this element
    body = `let c = i % u.C; var r = i / u.C; let w = r % u.W; r = r / u.W; let h = r % u.H; let n = r / u.H;
var acc = 0.0f;
for (var oh = 0; oh < u.OH; oh++) {
  for (var ow = 0; ow < u.OW; ow++) {
    let t = grad_at(n, oh, ow, c);
    if (t.x == h && t.y == w) { acc += DY[((n * u.OH + oh) * u.OW + ow) * u.C + c]; }
  }
}
Y[gi] = acc;`;
  } else {
    body = `let c = i % u.C; let tap = i / u.C;
var acc = 0.0f;
for (var n = 0; n < u.N; n++) {
  for (var oh = 0; oh < u.OH; oh++) {
    for (var ow = 0; ow < u.OW; ow++) {
      let t = max(bitcast<i32>(window_argmax(n, oh, ow, c).y), 0);
      if (t == tap) { acc += DY[((n * u.OH + oh) * u.OW + ow) * u.C + c]; }
    }
  }
}
Y[gi] = acc;`;
  }
  return `${declareBindings(bindings)}
${uniforms.declare(bindings.length)}
${WGSL_FLOAT}
${ARGMAX}
${flatMain(WG, 'u.total', `let i = i32(gi);\n${body}`)}`;
});

for (const op of DILATION_OPS) {
  registry.register<DilationPlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'dilation',
    run(ctx, inputs, outputs, p) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      const buf = (t: Tensor) => (t.size > 0 ? gpu.bufferOf(t, op) : gpu.scratch(new Float32Array(1)));
      const vals = { ...p, total: y.size } as unknown as Record<(typeof FIELDS)[number], number>;
      gpu.dispatch({
        pipeline: gpu.pipeline(`dilation|${op}`, () => sources(op)),
        buffers: [...inputs.map(buf), gpu.bufferOf(y, op)],
        uniforms: uniforms.pack(Object.fromEntries(FIELDS.map((f) => [f, vals[f]]))),
        workgroups: grid1d(y.size, WG),
      });
    },
  });
}
