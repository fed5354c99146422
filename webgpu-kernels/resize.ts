import type { Tensor } from '../core/tensor.js';
import type { ResizePlan } from '../ops/resize.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

/**
 * Resize: one invocation per output element, reading the contract's per-axis tables (uploaded as one
 * u32 buffer: y i0, y i1, y w bits [OH each], then x i0, x i1, x w bits [OW each]). Linear computes
 * (x00·(1 − wx) + x01·wx)·(1 − wy) + (x10·(1 − wx) + x11·wx)·wy as the wasm kernel; nearest copies.
 */
const WG = 64;
const uniforms = new Uniforms().scalar('total', 'u32').scalar('H', 'u32').scalar('W', 'u32').scalar('C', 'u32').scalar('OH', 'u32').scalar('OW', 'u32');

const sources = memo((key: string) => {
  const [mode, layout] = key.split('|') as ['nearest' | 'linear', 'NCHW' | 'NHWC'];
  const index =
    layout === 'NHWC'
      ? `let c = gi % u.C; var r = gi / u.C; let ox = r % u.OW; r = r / u.OW; let oy = r % u.OH; let p = r / u.OH;`
      : `let c = 0u; let ox = gi % u.OW; let r = gi / u.OW; let oy = r % u.OH; let p = r / u.OH;`;
  const at = (iy: string, ix: string) => `X[((p * u.H + ${iy}) * u.W + ${ix}) * u.C + c]`;
  const xo = '3u * u.OH';
  const body =
    mode === 'nearest'
      ? `Y[gi] = ${at('T[oy]', `T[${xo} + ox]`)};`
      : `let y0 = T[oy]; let y1 = T[u.OH + oy]; let wy = bitcast<f32>(T[2u * u.OH + oy]);
let x0 = T[${xo} + ox]; let x1 = T[${xo} + u.OW + ox]; let wx = bitcast<f32>(T[${xo} + 2u * u.OW + ox]);
let top = ${at('y0', 'x0')} * (1.0f - wx) + ${at('y0', 'x1')} * wx;
let bottom = ${at('y1', 'x0')} * (1.0f - wx) + ${at('y1', 'x1')} * wx;
Y[gi] = top * (1.0f - wy) + bottom * wy;`;
  return `${declareBindings([
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'T', type: 'u32', access: 'read' },
    { name: 'Y', type: 'f32', access: 'read_write' },
  ])}
${uniforms.declare(3)}
${flatMain(WG, 'u.total', `${index}\n${body}`)}`;
});

/**
 * The K-tap path (cubic, antialias, exclude_outside): table buffer = y idx [OH·KY], y w bits
 * [OH·KY], x idx [OW·KX], x w bits [OW·KX], y outside flags [OH], x outside flags [OW]
 * (tf_crop_and_resize: such outputs are the extrapolation value); each output sums its KX taps along x per source row,
 * then KY of those along y, in the wasm kernel's order.
 */
const tapUniforms = new Uniforms()
  .scalar('total', 'u32').scalar('H', 'u32').scalar('W', 'u32').scalar('C', 'u32').scalar('OH', 'u32').scalar('OW', 'u32').scalar('KY', 'u32').scalar('KX', 'u32').scalar('extrap', 'f32');

const tapSource = memo((layout: string) => {
  const index =
    layout === 'NHWC'
      ? `let c = gi % u.C; var r = gi / u.C; let ox = r % u.OW; r = r / u.OW; let oy = r % u.OH; let p = r / u.OH;`
      : `let c = 0u; let ox = gi % u.OW; let r = gi / u.OW; let oy = r % u.OH; let p = r / u.OH;`;
  return `${declareBindings([
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'T', type: 'u32', access: 'read' },
    { name: 'Y', type: 'f32', access: 'read_write' },
  ])}
${tapUniforms.declare(3)}
${flatMain(
  WG,
  'u.total',
  `${index}
let ny = u.OH * u.KY;
let xo = 2u * ny;
let nx = u.OW * u.KX;
let fo = xo + 2u * nx;
if (T[fo + oy] != 0u || T[fo + u.OH + ox] != 0u) {
  Y[gi] = u.extrap;
  return;
}
var acc = 0.0f;
for (var ky = 0u; ky < u.KY; ky++) {
  let iy = T[oy * u.KY + ky];
  var row = 0.0f;
  for (var kx = 0u; kx < u.KX; kx++) {
    let ix = T[xo + ox * u.KX + kx];
    row += bitcast<f32>(T[xo + nx + ox * u.KX + kx]) * X[((p * u.H + iy) * u.W + ix) * u.C + c];
  }
  acc += bitcast<f32>(T[ny + oy * u.KY + ky]) * row;
}
Y[gi] = acc;`,
)}`;
});

function runTaps(ctx: Parameters<typeof gpuOf>[0], x: Tensor, y: Tensor, p: ResizePlan, taps: NonNullable<ResizePlan['taps']>): void {
  const op = 'Resize';
  const gpu = gpuOf(ctx, op);
  const u32 = (a: Int32Array | Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  const { ys, xs } = taps;
  const t = new Uint32Array(2 * (ys.idx.length + xs.idx.length) + p.OH + p.OW);
  t.set(u32(ys.idx), 0);
  t.set(u32(ys.w), ys.idx.length);
  t.set(u32(xs.idx), 2 * ys.idx.length);
  t.set(u32(xs.w), 2 * ys.idx.length + xs.idx.length);
  t.set(ys.outside, 2 * (ys.idx.length + xs.idx.length));
  t.set(xs.outside, 2 * (ys.idx.length + xs.idx.length) + p.OH);
  gpu.dispatch({
    pipeline: gpu.pipeline(`resize|taps|${p.layout}`, () => tapSource(p.layout)),
    buffers: [gpu.bufferOf(x, op), gpu.scratch(t), gpu.bufferOf(y, op)],
    uniforms: tapUniforms.pack({ total: y.size, H: p.H, W: p.W, C: p.C, OH: p.OH, OW: p.OW, KY: ys.K, KX: xs.K, extrap: taps.extrapolation }),
    workgroups: grid1d(y.size, WG),
  });
}

registry.register<ResizePlan>({
  op: 'Resize',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'resize',
  run(ctx, inputs, outputs, p) {
    const op = 'Resize';
    const gpu = gpuOf(ctx, op);
    const y = outputs[0]!;
    if (y.size === 0) return;
    if (p.taps) return runTaps(ctx, inputs[0]!, y, p, p.taps);
    const { OH, OW } = p;
    const t = new Uint32Array(3 * (OH + OW));
    const put = (at: number, tab: ResizePlan['ys']) => {
      const n = tab.i0.length;
      t.set(new Uint32Array(tab.i0.buffer, tab.i0.byteOffset, n), at);
      t.set(new Uint32Array(tab.i1.buffer, tab.i1.byteOffset, n), at + n);
      t.set(new Uint32Array(tab.w.buffer, tab.w.byteOffset, n), at + 2 * n);
    };
    put(0, p.ys);
    put(3 * OH, p.xs);
    const key = `${p.mode}|${p.layout}`;
    gpu.dispatch({
      pipeline: gpu.pipeline(`resize|${key}`, () => sources(key)),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.scratch(t), gpu.bufferOf(y, op)],
      uniforms: uniforms.pack({ total: y.size, H: p.H, W: p.W, C: p.C, OH, OW }),
      workgroups: grid1d(y.size, WG),
    });
  },
});
