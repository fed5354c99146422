/**
 * WebGPU twin of Transform (ops/transform.ts): one invocation per output element, the wasm
 * kernel's definition with float32 coordinates and weights (WGSL has no float64): a sample
 * position can move by a few 2^-24 relative, which moves a bilinear value by that times the local
 * pixel spread, and a nearest sample on a half-pixel boundary may pick the neighbour.
 */
import type { TransformPlan } from '../ops/transform.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;

const uniforms = new Uniforms()
  .scalar('size', 'u32').scalar('H', 'u32').scalar('W', 'u32').scalar('C', 'u32')
  .scalar('outH', 'u32').scalar('outW', 'u32').scalar('trStride', 'u32').scalar('nearest', 'u32')
  .scalar('mode', 'u32').scalar('fill', 'f32');

const source = () => `${declareBindings([
  { name: 'IMG', type: 'f32', access: 'read' },
  { name: 'TR', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(3)}
// TensorFlow's map_coordinate: 0 constant, 1 reflect, 2 wrap, 3 nearest (clamp)
fn map_coord(c0: f32, len: u32, mode: u32) -> f32 {
  var c = c0;
  let n = f32(len);
  if (mode == 0u) { return c; }
  if (mode == 1u) {
    if (c < 0.0f) {
      if (len <= 1u) { c = 0.0f; } else {
        let sz = 2.0f * n;
        if (c < sz) { c = sz * trunc(-c / sz) + c; }
        c = select(-c - 1.0f, c + sz, c < -n);
      }
    } else if (c > n - 1.0f) {
      if (len <= 1u) { c = 0.0f; } else {
        let sz = 2.0f * n;
        c -= sz * trunc(c / sz);
        if (c >= n) { c = sz - c - 1.0f; }
      }
    }
  } else if (mode == 2u) {
    if (c < 0.0f) {
      if (len <= 1u) { c = 0.0f; } else { c += n * (trunc(-c / (n - 1.0f)) + 1.0f); }
    } else if (c > n - 1.0f) {
      if (len <= 1u) { c = 0.0f; } else { c -= n * trunc(c / (n - 1.0f)); }
    }
  }
  return clamp(c, 0.0f, n - 1.0f);
}
fn pixel(base: u32, y: f32, x: f32, ch: u32) -> f32 {
  if (y < 0.0f || y >= f32(u.H) || x < 0.0f || x >= f32(u.W)) { return u.fill; }
  return IMG[base + (u32(y) * u.W + u32(x)) * u.C + ch];
}
${flatMain(
  WG,
  'u.size',
  `let ch = gi % u.C;
let x = (gi / u.C) % u.outW;
let y = (gi / (u.C * u.outW)) % u.outH;
let b = gi / (u.C * u.outW * u.outH);
let t = b * u.trStride;
let fx = f32(x);
let fy = f32(y);
let p = TR[t + 6u] * fx + TR[t + 7u] * fy + 1.0f;
if (p == 0.0f) { Y[gi] = u.fill; return; }
let ix = map_coord((TR[t] * fx + TR[t + 1u] * fy + TR[t + 2u]) / p, u.W, u.mode);
let iy = map_coord((TR[t + 3u] * fx + TR[t + 4u] * fy + TR[t + 5u]) / p, u.H, u.mode);
let base = b * u.H * u.W * u.C;
if (u.nearest == 1u) { Y[gi] = pixel(base, floor(iy + 0.5f), floor(ix + 0.5f), ch); return; }
let y0 = floor(iy);
let x0 = floor(ix);
let top = (x0 + 1.0f - ix) * pixel(base, y0, x0, ch) + (ix - x0) * pixel(base, y0, x0 + 1.0f, ch);
let bot = (x0 + 1.0f - ix) * pixel(base, y0 + 1.0f, x0, ch) + (ix - x0) * pixel(base, y0 + 1.0f, x0 + 1.0f, ch);
Y[gi] = (y0 + 1.0f - iy) * top + (iy - y0) * bot;`,
)}`;

registry.register<TransformPlan>({
  op: 'Transform',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'transform',
  run(ctx, inputs, outputs, p) {
    const op = 'Transform';
    const gpu = gpuOf(ctx, op);
    const size = outputs[0]!.size;
    gpu.dispatch({
      pipeline: gpu.pipeline('transform', source),
      buffers: [inputs[0]!.size ? gpu.bufferOf(inputs[0]!, op) : gpu.scratch(new Float32Array(1)), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(outputs[0]!, op)],
      uniforms: uniforms.pack({ size, H: p.H, W: p.W, C: p.C, outH: p.outH, outW: p.outW, trStride: p.shared ? 0 : 8, nearest: p.nearest ? 1 : 0, mode: p.mode, fill: p.fillValue }),
      workgroups: grid1d(size, WG),
    });
  },
});
