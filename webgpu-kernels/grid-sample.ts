/**
 * WebGPU twins of GridSample and AffineGrid (float32). AffineGrid: one invocation per output point,
 * the same float32 base coordinates and theta products as the wasm kernel.
 *
 * GridSample: One invocation per output point (n, p): it derives the taps
 * along each axis as the wasm kernel does (grid-sample.wat.ts, same float32 steps), then, for every
 * channel, sums w·X over the taps in the same order (z, y, x), a tap outside a zero-padded image
 * reading 0. NaN and Inf are tested on the bits (SwiftShader folds x != x to false, see wgsl-math.ts).
 * Nearest rounds half to even (WGSL round), as f32.nearest.
 */
import '../ops/affine-grid.js';
import type { AffineGridPlan } from '../ops/affine-grid.js';
import '../ops/grid-sample.js';
import type { GridSampleMode, GridSamplePlan } from '../ops/grid-sample.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;
const PAD_CODE = { zeros: 0, border: 1, reflection: 2 } as const;

const uniforms = new Uniforms()
  .scalar('points', 'u32').scalar('P', 'u32').scalar('C', 'u32')
  .scalar('W', 'i32').scalar('H', 'i32').scalar('D', 'i32')
  .scalar('align', 'u32').scalar('pad', 'u32');

const AXIS = (mode: GridSampleMode) => /* wgsl */ `
struct Ax { i: array<i32, 4>, w: array<f32, 4> };

fn reflect_(u: f32, lo: f32, hi: f32) -> f32 {
  let rng = hi - lo;
  if (u < lo) {
    if (rng <= 0.0f) { return lo; }
    let dx = lo - u;
    let n = trunc(dx / rng);
    let r = dx - n * rng;
    return select(hi - r, lo + r, n - 2.0f * floor(n * 0.5f) == 0.0f);
  }
  if (u > hi) {
    if (rng <= 0.0f) { return lo; }
    let dx = u - hi;
    let n = trunc(dx / rng);
    let r = dx - n * rng;
    return select(lo + r, hi - r, n - 2.0f * floor(n * 0.5f) == 0.0f);
  }
  return u;
}

fn fix(i: i32, L: i32, lo: f32, hi: f32) -> i32 {
  if (i >= 0 && i < L) { return i; }
  if (u.pad == 0u) { return -1; }
  if (u.pad == 1u) { return select(L - 1, 0, i < 0); }
  return clamp(i32(trunc(reflect_(f32(i), lo, hi))), 0, L - 1);
}

fn axis(gv: f32, L: i32) -> Ax {
  var a: Ax;
  let Lf = f32(L);
  var x = select(((gv + 1.0f) * Lf - 1.0f) * 0.5f, (gv + 1.0f) * 0.5f * (Lf - 1.0f), u.align != 0u);
  ${mode === 'nearest' ? 'x = round(x);' : ''}
  let lo = select(-0.5f, 0.0f, u.align != 0u);
  let hi = select(Lf - 0.5f, Lf - 1.0f, u.align != 0u);
  var bad = is_nan(x) || (u.pad != 1u && !is_finite(x));
  if (!bad && (x < lo || x > hi)) {
    if (u.pad == 1u) { x = clamp(x, 0.0f, Lf - 1.0f); } else if (u.pad == 2u) { x = reflect_(x, lo, hi); }
  }
  ${
    mode === 'nearest'
      ? `a.i[0] = fix(select(i32(trunc(x)), 0, bad), L, lo, hi);
  a.w[0] = select(1.0f, f32_nan(), bad);`
      : `let fl = select(floor(x), 0.0f, bad);
  let t = select(x - fl, f32_nan(), bad);
  let b = i32(fl);
  ${
    mode === 'linear'
      ? `a.i[0] = fix(b, L, lo, hi); a.i[1] = fix(b + 1, L, lo, hi);
  a.w[0] = 1.0f - t; a.w[1] = t;`
      : `for (var k = 0; k < 4; k++) { a.i[k] = fix(b - 1 + k, L, lo, hi); }
  let A = -0.75f;
  let d0 = 1.0f + t; let d3 = 2.0f - t; let d2 = 1.0f - t;
  a.w[0] = ((A * d0 - 5.0f * A) * d0 + 8.0f * A) * d0 - 4.0f * A;
  a.w[1] = ((A + 2.0f) * t - (A + 3.0f)) * t * t + 1.0f;
  a.w[2] = ((A + 2.0f) * d2 - (A + 3.0f)) * d2 * d2 + 1.0f;
  a.w[3] = ((A * d3 - 5.0f * A) * d3 + 8.0f * A) * d3 - 4.0f * A;`
  }`
  }
  return a;
}`;

const source = (dims: number, mode: GridSampleMode) => () => {
  const T1 = { nearest: 1, linear: 2, cubic: 4 }[mode];
  const loops = dims === 3
    ? `for (var kz = 0; kz < ${T1}; kz++) { for (var ky = 0; ky < ${T1}; ky++) { for (var kx = 0; kx < ${T1}; kx++) {
      let o = select(-1, (az.i[kz] * u.H + ay.i[ky]) * u.W + ax.i[kx], az.i[kz] >= 0 && ay.i[ky] >= 0 && ax.i[kx] >= 0);
      let w = az.w[kz] * ay.w[ky] * ax.w[kx];
      s += w * select(0.0f, X[xb + u32(max(o, 0))], o >= 0);
    } } }`
    : `for (var ky = 0; ky < ${T1}; ky++) { for (var kx = 0; kx < ${T1}; kx++) {
      let o = select(-1, ay.i[ky] * u.W + ax.i[kx], ay.i[ky] >= 0 && ax.i[kx] >= 0);
      let w = ay.w[ky] * ax.w[kx];
      s += w * select(0.0f, X[xb + u32(max(o, 0))], o >= 0);
    } }`;
  return `${declareBindings([
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'G', type: 'f32', access: 'read' },
    { name: 'Y', type: 'f32', access: 'read_write' },
  ])}
${uniforms.declare(3)}
${WGSL_FLOAT}
${AXIS(mode)}
${flatMain(WG, 'u.points', `let n = gi / u.P;
let p = gi - n * u.P;
let ax = axis(G[gi * ${dims}u], u.W);
let ay = axis(G[gi * ${dims}u + 1u], u.H);
${dims === 3 ? `let az = axis(G[gi * 3u + 2u], u.D);` : ''}
let HW = u32(u.D * u.H * u.W);
for (var c = 0u; c < u.C; c++) {
  let r = n * u.C + c;
  let xb = r * HW;
  var s = 0.0f;
  ${loops}
  Y[r * u.P + p] = s;
}`)}`;
};

const sourceOf = memo((key: string) => {
  const [d, mode] = key.split('|') as [string, GridSampleMode];
  return source(Number(d), mode);
});

registry.register<GridSamplePlan>({
  op: 'GridSample',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'grid-sample',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'GridSample');
    const points = plan.N * plan.P;
    const key = `${plan.dims}|${plan.mode}`;
    gpu.dispatch({
      pipeline: gpu.pipeline(`grid-sample|${key}`, sourceOf(key)),
      buffers: [gpu.bufferOf(inputs[0]!, 'GridSample'), gpu.bufferOf(inputs[1]!, 'GridSample'), gpu.bufferOf(outputs[0]!, 'GridSample')],
      uniforms: uniforms.pack({ points, P: plan.P, C: plan.C, W: plan.W, H: plan.H, D: plan.D, align: plan.alignCorners ? 1 : 0, pad: PAD_CODE[plan.padding] }),
      workgroups: grid1d(points, WG),
    });
  },
});

const affineUniforms = new Uniforms().scalar('points', 'u32').scalar('W', 'i32').scalar('H', 'i32').scalar('D', 'i32').scalar('align', 'u32');

const affineSource = (dims: number) => () => `${declareBindings([
  { name: 'T', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${affineUniforms.declare(2)}
fn base(i: i32, L: i32) -> f32 {
  if (u.align != 0u) { if (L <= 1) { return -1.0f; } return 2.0f * f32(i) / f32(L - 1) - 1.0f; }
  return (2.0f * f32(i) + 1.0f) / f32(L) - 1.0f;
}
${flatMain(WG, 'u.points', `let i = i32(gi);
let w = i % u.W; var r = i / u.W; let h = r % u.H; r = r / u.H; let d = r % u.D; let n = r / u.D;
let c = array<f32, 3>(base(w, u.W), base(h, u.H), base(d, u.D));
let tb = u32(n) * ${dims * (dims + 1)}u;
for (var j = 0u; j < ${dims}u; j++) {
  var s = T[tb + j * ${dims + 1}u + ${dims}u];
  for (var k = 0u; k < ${dims}u; k++) { s = s + T[tb + j * ${dims + 1}u + k] * c[k]; }
  Y[gi * ${dims}u + j] = s;
}`)}`;

const affineSourceOf = memo((d: string) => affineSource(Number(d)));

registry.register<AffineGridPlan>({
  op: 'AffineGrid',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'grid-sample',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'AffineGrid');
    const points = plan.N * plan.D * plan.H * plan.W;
    gpu.dispatch({
      pipeline: gpu.pipeline(`grid-sample|affine|${plan.dims}`, affineSourceOf(String(plan.dims))),
      buffers: [gpu.bufferOf(inputs[0]!, 'AffineGrid'), gpu.bufferOf(outputs[0]!, 'AffineGrid')],
      uniforms: affineUniforms.pack({ points, W: plan.W, H: plan.H, D: plan.D, align: plan.alignCorners ? 1 : 0 }),
      workgroups: grid1d(points, WG),
    });
  },
});
