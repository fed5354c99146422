import { POOL_OPS, type PoolPlan } from '../ops/pool.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * MaxPool / AveragePool / global pools: one invocation per output element, looping over its window's
 * valid taps (the contract's 3-D geometry: 1-D and 2-D with D = 1, global as a 1×1×W window over the
 * flattened spatial extent). NaN is tracked on the bits (SwiftShader's max drops NaN), so a NaN tap gives NaN
 * (or, with NANI, MaxPool nanMode 'ignore', is skipped). With EZ an empty average window gives 0.
 * int32 MaxPool starts from INT32_MIN. Average divides by the valid taps, or with countIncludePad by the window clipped to the padded input.
 */
const WG = 64;
const FIELDS = ['total', 'C', 'D', 'H', 'W', 'OD', 'OH', 'OW', 'KD', 'KH', 'KW', 'SD', 'SH', 'SW', 'DD', 'DH', 'DW', 'PF', 'PT', 'PL', 'PK', 'PB', 'PR', 'CIP', 'NANI', 'EZ'] as const;
const uniforms = FIELDS.reduce((u, f) => u.scalar(f, f === 'total' ? 'u32' : 'i32'), new Uniforms());

const source = (key: string) => {
  const [kind, layout, dtype] = key.split('|') as ['max' | 'avg', 'NCHW' | 'NHWC', 'float32' | 'int32'];
  const int = dtype === 'int32';
  const nhwc = layout === 'NHWC';
  const index = nhwc
    ? `let c = i % u.C; var r = i / u.C; let ow = r % u.OW; r = r / u.OW; let oh = r % u.OH; r = r / u.OH; let od = r % u.OD; let n = r / u.OD;`
    : `let ow = i % u.OW; var r = i / u.OW; let oh = r % u.OH; r = r / u.OH; let od = r % u.OD; r = r / u.OD; let c = r % u.C; let n = r / u.C;`;
  const at = nhwc ? `(((n * u.D + id) * u.H + ih) * u.W + iw) * u.C + c` : `(((n * u.C + c) * u.D + id) * u.H + ih) * u.W + iw`;
  const tap = int ? `acc = max(acc, v);` : kind === 'max' ? `if (is_nan(v)) { bad = u.NANI == 0; } else if (v > acc) { acc = v; }` : `acc += v; if (is_nan(v)) { bad = true; }`;
  const finish =
    int
      ? `Y[gi] = acc;`
      : kind === 'max'
      ? `Y[gi] = select(acc, f32_nan(), bad);`
      : `var cnt = valid;
// countIncludePad: the taps inside the padded input, min(k, ceil((n + padEnd − start) / dilation)) per axis
if (u.CIP != 0) { cnt = min(u.KD, (u.D + u.PK - ds + u.DD - 1) / u.DD) * min(u.KH, (u.H + u.PB - hs + u.DH - 1) / u.DH) * min(u.KW, (u.W + u.PR - ws + u.DW - 1) / u.DW); }
Y[gi] = select(acc / f32(max(cnt, u.EZ)), f32_nan(), bad);`;
  return `${declareBindings([
    { name: 'X', type: int ? 'i32' : 'f32', access: 'read' },
    { name: 'Y', type: int ? 'i32' : 'f32', access: 'read_write' },
  ])}
${uniforms.declare(2)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.total',
  `let i = i32(gi);
${index}
let ds = od * u.SD - u.PF;
let hs = oh * u.SH - u.PT;
let ws = ow * u.SW - u.PL;
var acc = ${int ? '-2147483647i - 1i' : kind === 'max' ? 'f32_inf(true)' : '0.0f'};
var bad = false;
var valid = 0;
for (var kd = 0; kd < u.KD; kd++) {
  let id = ds + kd * u.DD;
  if (id < 0 || id >= u.D) { continue; }
  for (var kh = 0; kh < u.KH; kh++) {
    let ih = hs + kh * u.DH;
    if (ih < 0 || ih >= u.H) { continue; }
    for (var kw = 0; kw < u.KW; kw++) {
      let iw = ws + kw * u.DW;
      if (iw < 0 || iw >= u.W) { continue; }
      let v = X[${at}];
      valid++;
      ${tap}
    }
  }
}
${finish}`,
)}`;
};

const sources = memo(source);

for (const op of POOL_OPS) {
  registry.register<PoolPlan>({
    op,
    device: 'webgpu',
    dtypes: op === 'MaxPool' ? ['float32', 'int32'] : ['float32'],
    kind: 'compute',
    family: 'pool',
    run(ctx, inputs, outputs, p) {
      const gpu = gpuOf(ctx, op);
      const y = outputs[0]!;
      if (y.size === 0) return;
      const key = `${p.kind}|${p.layout}|${p.dtype}`;
      gpu.dispatch({
        pipeline: gpu.pipeline(`pool|${key}`, () => sources(key)),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(y, op)],
        uniforms: uniforms.pack(Object.fromEntries(FIELDS.map((f) => [f, f === 'total' ? y.size : f === 'CIP' ? Number(p.countIncludePad) : f === 'NANI' ? Number(p.ignoreNaN) : f === 'EZ' ? Number(p.emptyZero) : p[f]]))),
        workgroups: grid1d(y.size, WG),
      });
    },
  });
}
