/**
 * WebGPU twin of RotateWithOffset (ops/rotate-with-offset.ts): one invocation per output element,
 * the wasm kernel's gather with float32 coordinates (WGSL has no float64): a source coordinate can
 * move by a few 2^-24 of its size, so a pixel whose float64 coordinate lies on (or within that of) a
 * half-pixel boundary may read the neighbour, or the fill at the image edge. Elsewhere it is exact.
 */
import type { RotateWithOffsetPlan } from '../ops/rotate-with-offset.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, wgslType, type WgslScalar } from './runtime/shader.js';

const WG = 64;

const uniforms = new Uniforms()
  .scalar('size', 'u32').scalar('H', 'u32').scalar('W', 'u32').scalar('C', 'u32')
  .scalar('cx', 'f32').scalar('cy', 'f32').scalar('sin', 'f32').scalar('cos', 'f32');

const source = (t: WgslScalar) => () => `${declareBindings([
  { name: 'IMG', type: t, access: 'read' },
  { name: 'FILL', type: t, access: 'read' },
  { name: 'Y', type: t, access: 'read_write' },
])}
${uniforms.declare(3)}
${flatMain(
  WG,
  'u.size',
  `let ch = gi % u.C;
let x = (gi / u.C) % u.W;
let y = (gi / (u.C * u.W)) % u.H;
let b = gi / (u.C * u.W * u.H);
let dx = f32(x) - u.cx;
let dy = f32(y) - u.cy;
let sx = floor(dx * u.cos - dy * u.sin + u.cx + 0.5f);
let sy = floor(dx * u.sin + dy * u.cos + u.cy + 0.5f);
// written as negations so NaN coordinates take the fill
if (!(sx >= 0.0f && sx < f32(u.W) && sy >= 0.0f && sy < f32(u.H))) { Y[gi] = FILL[ch]; return; }
Y[gi] = IMG[((b * u.H + u32(sy)) * u.W + u32(sx)) * u.C + ch];`,
)}`;

registry.register<RotateWithOffsetPlan>({
  op: 'RotateWithOffset',
  device: 'webgpu',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'rotate',
  run(ctx, inputs, outputs, p) {
    const op = 'RotateWithOffset';
    const size = outputs[0]!.size;
    if (size === 0) return;
    const gpu = gpuOf(ctx, op);
    const t = wgslType(inputs[0]!.dtype, op);
    const fill = t === 'i32' ? Int32Array.from(p.fill) : Float32Array.from(p.fill);
    gpu.dispatch({
      pipeline: gpu.pipeline(`rotate_${t}`, source(t)),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.scratch(fill), gpu.bufferOf(outputs[0]!, op)],
      uniforms: uniforms.pack({ size, H: p.H, W: p.W, C: p.C, cx: p.cx, cy: p.cy, sin: p.sin, cos: p.cos }),
      workgroups: grid1d(size, WG),
    });
  },
});
