/**
 * WebGPU twin of Conv: a direct 1-D/2-D/3-D convolution, one invocation per output element, for both layouts
 * (NCHW with OIHW filters, NHWC with HWIO or HWIM ones), groups and depthwise, strides, dilations,
 * pads, bias and the fused activation. The taps loop is bounds-checked per tap, so padding never
 * reads outside the input (and a padded tap adds nothing, as in the reference).
 */
import type { ConvPlan } from '../ops/conv.js';
import '../ops/conv.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT, activationExpr } from './runtime/wgsl-math.js';
import { activationParams } from '../ops/activation.js';

const WG = 64;
const OP = 'Conv';

const uniforms = new Uniforms();
for (const n of ['total', 'N', 'C', 'D', 'H', 'W', 'M', 'Cg', 'Mg', 'kD', 'kH', 'kW', 'sD', 'sH', 'sW', 'dD', 'dH', 'dW', 'oD', 'oH', 'oW']) uniforms.scalar(n, 'u32');
uniforms.scalar('padF', 'i32').scalar('padT', 'i32').scalar('padL', 'i32').scalar('act_a', 'f32').scalar('act_b', 'f32');

const program = memo((key: string) => {
  const [layout, hasBias, act] = key.split('|') as ['NCHW' | 'NHWC', string, string];
  const bias = hasBias === 'bias';
  const nhwc = layout === 'NHWC';
  const bindings = [
    { name: 'X', type: 'f32' as const, access: 'read' as const },
    { name: 'F', type: 'f32' as const, access: 'read' as const },
    ...(bias ? [{ name: 'B', type: 'f32' as const, access: 'read' as const }] : []),
    { name: 'Y', type: 'f32' as const, access: 'read_write' as const },
  ];
  // decode the flat output index into (n, m, od, oh, ow); 1-D and 2-D convs have D = kD = oD = 1
  const decode = nhwc
    ? `let m = gi % u.M; var q = gi / u.M; let ow = q % u.oW; q = q / u.oW; let oh = q % u.oH; q = q / u.oH; let od = q % u.oD; let n = q / u.oD;`
    : `let ow = gi % u.oW; var q = gi / u.oW; let oh = q % u.oH; q = q / u.oH; let od = q % u.oD; q = q / u.oD; let m = q % u.M; let n = q / u.M;`;
  const xIndex = nhwc ? `(((n * u.D + id) * u.H + ih) * u.W + iw) * u.C + c0 + c` : `(((n * u.C + c0 + c) * u.D + id) * u.H + ih) * u.W + iw`;
  const fIndex = nhwc ? `(((kd * u.kH + kh) * u.kW + kw) * u.Cg + c) * u.M + m` : `(((m * u.Cg + c) * u.kD + kd) * u.kH + kh) * u.kW + kw`;
  const body = `${decode}
let c0 = (m / u.Mg) * u.Cg;
var s = ${bias ? 'B[m]' : '0.0f'};
for (var kd = 0u; kd < u.kD; kd++) {
let ids = i32(od * u.sD + kd * u.dD) - u.padF;
if (ids < 0 || ids >= i32(u.D)) { continue; }
let id = u32(ids);
for (var kh = 0u; kh < u.kH; kh++) {
  let ihs = i32(oh * u.sH + kh * u.dH) - u.padT;
  if (ihs < 0 || ihs >= i32(u.H)) { continue; }
  let ih = u32(ihs);
  for (var kw = 0u; kw < u.kW; kw++) {
    let iws = i32(ow * u.sW + kw * u.dW) - u.padL;
    if (iws < 0 || iws >= i32(u.W)) { continue; }
    let iw = u32(iws);
    for (var c = 0u; c < u.Cg; c++) {
      s += X[${xIndex}] * F[${fIndex}];
    }
  }
}
}
Y[gi] = ${activationExpr(act, 's')};`;
  return `${declareBindings(bindings)}
${uniforms.declare(bindings.length)}
${WGSL_FLOAT}
${flatMain(WG, 'u.total', body)}`;
});


registry.register<ConvPlan>({
  op: OP,
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'conv',
  run(ctx, inputs, outputs, p) {
    const gpu = gpuOf(ctx, OP);
    const y = outputs[0]!;
    if (y.size === 0) return;
    const bias = inputs[2];
    const key = `conv|${p.layout}|${bias ? 'bias' : 'nobias'}|${p.activation.kind}`;
    const buffers = [gpu.bufferOf(inputs[0]!, OP), gpu.bufferOf(inputs[1]!, OP)];
    if (bias) buffers.push(gpu.bufferOf(bias, OP));
    buffers.push(gpu.bufferOf(y, OP));
    const [actA, actB] = activationParams(p.activation);
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => program(`${p.layout}|${bias ? 'bias' : 'nobias'}|${p.activation.kind}`)),
      buffers,
      uniforms: uniforms.pack({
        total: y.size, N: p.N, C: p.C, D: p.D, H: p.H, W: p.W, M: p.M, Cg: p.Cg, Mg: p.Mg, kD: p.kD, kH: p.kH, kW: p.kW,
        sD: p.sD, sH: p.sH, sW: p.sW, dD: p.dD, dH: p.dH, dW: p.dW, oD: p.oD, oH: p.oH, oW: p.oW,
        padF: p.padF, padT: p.padT, padL: p.padL, act_a: actA, act_b: actB,
      }),
      workgroups: grid1d(y.size, WG),
    });
  },
});
