import type { Tensor } from '../core/tensor.js';
import { POOL_GRAD_OPS, type PoolGradPlan } from '../ops/pool-grad.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * MaxPoolGrad, AveragePoolGrad, MaxPoolWithArgmax (channels last), gathering instead of scattering
 * (no atomics): one invocation per output element.
 *  - MaxPoolWithArgmax: the window's argmax (the wasm kernel's rule: a tap replaces the best when
 *    greater, or, propagating NaN, when it is the first NaN), its value and flat index.
 *  - MaxPoolGrad: per input element, every window holding it (in increasing (od, oh, ow): the
 *    order the wasm scatter adds in), its argmax recomputed; dy is added where it is this element.
 *  - AveragePoolGrad: per input element, dy / divisor of every window holding it.
 */
const WG = 64;
const FIELDS = ['total', 'C', 'D', 'H', 'W', 'OD', 'OH', 'OW', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL', 'PK', 'PB', 'PR', 'CIP', 'NANI', 'BASE'] as const;
const uniforms = FIELDS.reduce((u, f) => u.scalar(f, f === 'total' ? 'u32' : 'i32'), new Uniforms());

/** WGSL: the argmax of window (n, od, oh, ow) at channel c → (best value, flat spatial·C + c index or −1). */
const ARGMAX_FN = `fn window_argmax(n: i32, od: i32, oh: i32, ow: i32, c: i32) -> vec2<f32> {
  var best = f32_inf(true);
  var bi = -1;
  for (var kd = 0; kd < u.KD; kd++) {
    let id = od * u.SD - u.PF + kd * u.DD;
    if (id < 0 || id >= u.D) { continue; }
    for (var kh = 0; kh < u.KH; kh++) {
      let ih = oh * u.SH - u.PT + kh * u.DH;
      if (ih < 0 || ih >= u.H) { continue; }
      for (var kw = 0; kw < u.KW; kw++) {
        let iw = ow * u.SW - u.PL + kw * u.DW;
        if (iw < 0 || iw >= u.W) { continue; }
        let pos = ((id * u.H + ih) * u.W + iw) * u.C + c;
        let v = X[((n * u.D + id) * u.H + ih) * u.W * u.C + iw * u.C + c];
        if ((!is_nan(v) && !is_nan(best) && v > best) || (u.NANI == 0 && is_nan(v) && !is_nan(best))) { best = v; bi = pos; }
      }
    }
  }
  return vec2<f32>(best, bitcast<f32>(bi));
}`;

const sources = memo((op: string) => {
  if (op === 'MaxPoolWithArgmax') {
    return `${declareBindings([
      { name: 'X', type: 'f32', access: 'read' },
      { name: 'Y', type: 'f32', access: 'read_write' },
      { name: 'I', type: 'i32', access: 'read_write' },
    ])}
${uniforms.declare(3)}
${WGSL_FLOAT}
${ARGMAX_FN}
${flatMain(WG, 'u.total', `let i = i32(gi);
let c = i % u.C; var r = i / u.C; let ow = r % u.OW; r = r / u.OW; let oh = r % u.OH; r = r / u.OH; let od = r % u.OD; let n = r / u.OD;
let a = window_argmax(n, od, oh, ow, c);
let bi = bitcast<i32>(a.y);
Y[gi] = a.x;
I[gi] = select(-1, bi + n * u.BASE, bi >= 0);`)}`;
  }
  const max = op === 'MaxPoolGrad';
  // per axis: window o holds x when x = o·s − p + k·d for a tap k; for k descending, o ascends
  const axis = (x: string, o: string, K: string, S: string, Dl: string, P: string, O: string, inner: string) => `for (var k${o} = u.${K} - 1; k${o} >= 0; k${o}--) {
  let t${o} = ${x} + u.${P} - k${o} * u.${Dl};
  if (t${o} < 0 || t${o} % u.${S} != 0) { continue; }
  let ${o} = t${o} / u.${S};
  if (${o} >= u.${O}) { continue; }
${inner}
}`;
  const contribution = max
    ? `let a = window_argmax(n, od, oh, ow, c);
  if (bitcast<i32>(a.y) == me) { acc += DY[(((n * u.OD + od) * u.OH + oh) * u.OW + ow) * u.C + c]; }`
    : `let s0 = od * u.SD - u.PF; let s1 = oh * u.SH - u.PT; let s2 = ow * u.SW - u.PL;
  var cnt = (min(s0 + u.KD, u.D) - max(s0, 0)) * (min(s1 + u.KH, u.H) - max(s1, 0)) * (min(s2 + u.KW, u.W) - max(s2, 0));
  if (u.CIP != 0) { cnt = (min(s0 + u.KD, u.D + u.PK) - s0) * (min(s1 + u.KH, u.H + u.PB) - s1) * (min(s2 + u.KW, u.W + u.PR) - s2); }
  acc += DY[(((n * u.OD + od) * u.OH + oh) * u.OW + ow) * u.C + c] * (1.0f / f32(cnt));`;
  return `${declareBindings([
    ...(max ? [{ name: 'X', type: 'f32' as const, access: 'read' as const }] : []),
    { name: 'DY', type: 'f32', access: 'read' },
    { name: 'DX', type: 'f32', access: 'read_write' },
  ])}
${uniforms.declare(max ? 3 : 2)}
${WGSL_FLOAT}
${max ? ARGMAX_FN : ''}
${flatMain(WG, 'u.total', `let i = i32(gi);
let c = i % u.C; var r = i / u.C; let w = r % u.W; r = r / u.W; let h = r % u.H; r = r / u.H; let d = r % u.D; let n = r / u.D;
let me = ((d * u.H + h) * u.W + w) * u.C + c;
var acc = 0.0f;
${axis('d', 'od', 'KD', 'SD', 'DD', 'PF', 'OD', axis('h', 'oh', 'KH', 'SH', 'DH', 'PT', 'OH', axis('w', 'ow', 'KW', 'SW', 'DW', 'PL', 'OW', contribution)))}
DX[gi] = acc;`)}`;
});

for (const op of POOL_GRAD_OPS) {
  registry.register<PoolGradPlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'pool-grad',
    run(ctx, inputs, outputs, p) {
      const gpu = gpuOf(ctx, op);
      const out = outputs[0]!;
      if (out.size === 0) return;
      // a zero-size dy (no windows) still binds a buffer: a 1-float scratch
      const buf = (t: Tensor) => (t.size > 0 ? gpu.bufferOf(t, op) : gpu.scratch(new Float32Array(1)));
      const buffers =
        op === 'MaxPoolWithArgmax'
          ? [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(out, op), gpu.bufferOf(outputs[1]!, op)]
          : op === 'MaxPoolGrad'
            ? [buf(inputs[1]!), buf(inputs[0]!), gpu.bufferOf(out, op)]
            : [buf(inputs[0]!), gpu.bufferOf(out, op)];
      const vals = { ...p, total: out.size, CIP: Number(p.countIncludePad), NANI: Number(p.ignoreNaN), BASE: p.includeBatchInIndex ? p.D * p.H * p.W * p.C : 0 } as unknown as Record<(typeof FIELDS)[number], number>;
      gpu.dispatch({
        pipeline: gpu.pipeline(`pool-grad|${op}`, () => sources(op)),
        buffers,
        uniforms: uniforms.pack(Object.fromEntries(FIELDS.map((f) => [f, vals[f]]))),
        workgroups: grid1d(out.size, WG),
      });
    },
  });
}
