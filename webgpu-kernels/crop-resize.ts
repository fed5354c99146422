/**
 * WebGPU twin of CropAndResize (ops/crop-resize.ts): one invocation per output element, the same
 * definition as the wasm kernel but with float32 coordinates (WGSL has no float64), so a sample
 * position can differ by ~2^-24·(H − 1): bilinear values then differ by that times the local
 * gradient, and a nearest sample sitting on a half-pixel boundary may pick the neighbour.
 */
import type { CropAndResizePlan } from '../ops/crop-resize.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;

const uniforms = new Uniforms()
  .scalar('size', 'u32').scalar('B', 'u32').scalar('H', 'u32').scalar('W', 'u32')
  .scalar('C', 'u32').scalar('cropH', 'u32').scalar('cropW', 'u32').scalar('nearest', 'u32')
  .scalar('extrap', 'f32');

const source = () => `${declareBindings([
  { name: 'IMG', type: 'f32', access: 'read' },
  { name: 'BOX', type: 'f32', access: 'read' },
  { name: 'IND', type: 'i32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(4)}
fn px(b: u32, y: u32, x: u32, c: u32) -> f32 { return IMG[((b * u.H + y) * u.W + x) * u.C + c]; }
${flatMain(
  WG,
  'u.size',
  `let c = gi % u.C;
let x = (gi / u.C) % u.cropW;
let y = (gi / (u.C * u.cropW)) % u.cropH;
let n = gi / (u.C * u.cropW * u.cropH);
let bi = IND[n];
if (bi < 0 || u32(bi) >= u.B) { Y[gi] = 0.0f; return; }
let b = u32(bi);
let y1 = BOX[4u * n]; let x1 = BOX[4u * n + 1u]; let y2 = BOX[4u * n + 2u]; let x2 = BOX[4u * n + 3u];
let hm = f32(u.H - 1u);
let wm = f32(u.W - 1u);
var iy = 0.5f * (y1 + y2) * hm;
if (u.cropH > 1u) { iy = y1 * hm + f32(y) * ((y2 - y1) * hm / f32(u.cropH - 1u)); }
var ix = 0.5f * (x1 + x2) * wm;
if (u.cropW > 1u) { ix = x1 * wm + f32(x) * ((x2 - x1) * wm / f32(u.cropW - 1u)); }
if (iy < 0.0f || !(iy <= hm) || ix < 0.0f || !(ix <= wm)) { Y[gi] = u.extrap; return; }
if (u.nearest == 1u) { Y[gi] = px(b, u32(floor(iy + 0.5f)), u32(floor(ix + 0.5f)), c); return; }
let t = u32(floor(iy)); let bo = u32(ceil(iy)); let l = u32(floor(ix)); let r = u32(ceil(ix));
let yl = iy - floor(iy); let xl = ix - floor(ix);
let top = px(b, t, l, c) + (px(b, t, r, c) - px(b, t, l, c)) * xl;
let bot = px(b, bo, l, c) + (px(b, bo, r, c) - px(b, bo, l, c)) * xl;
Y[gi] = top + (bot - top) * yl;`,
)}`;

registry.register<CropAndResizePlan>({
  op: 'CropAndResize',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'crop-resize',
  run(ctx, inputs, outputs, p) {
    const op = 'CropAndResize';
    const gpu = gpuOf(ctx, op);
    const size = outputs[0]!.size;
    // an empty image: every box's index is out of range (zeros)
    const B = p.H * p.W === 0 ? 0 : p.B;
    gpu.dispatch({
      pipeline: gpu.pipeline('crop-resize', source),
      buffers: [inputs[0]!.size ? gpu.bufferOf(inputs[0]!, op) : gpu.scratch(new Float32Array(1)), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(inputs[2]!, op), gpu.bufferOf(outputs[0]!, op)],
      uniforms: uniforms.pack({ size, B, H: p.H, W: p.W, C: p.C, cropH: p.cropH, cropW: p.cropW, nearest: p.nearest ? 1 : 0, extrap: p.extrapolationValue }),
      workgroups: grid1d(size, WG),
    });
  },
});
