/**
 * WebGPU twin of ConvTranspose: a direct gather, one invocation per output element, for NCHW (IOHW
 * filters, groups) and NHWC (HWOI filters), 1-D to 3-D, with bias and the fused activation. Output
 * (od, oh, ow) takes tap (kd, kh, kw) of input (id, ih, iw) when od + padF − kd·dD = id·sD, etc.
 */
import type { ConvTransposePlan } from '../ops/conv-transpose.js';
import '../ops/conv-transpose.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT, activationExpr } from './runtime/wgsl-math.js';
import { activationParams } from '../ops/activation.js';

const WG = 64;
const OP = 'ConvTranspose';

const uniforms = new Uniforms();
for (const n of ['total', 'C', 'D', 'H', 'W', 'M', 'Cg', 'Mg', 'kD', 'kH', 'kW', 'sD', 'sH', 'sW', 'dD', 'dH', 'dW', 'oD', 'oH', 'oW']) uniforms.scalar(n, 'u32');
uniforms.scalar('padF', 'i32').scalar('padT', 'i32').scalar('padL', 'i32').scalar('act_a', 'f32').scalar('act_b', 'f32');

/** WGSL: input index `name` along one dim from output `o`, tap `k`; `continue` when no input row lands there. */
const tapDim = (name: string, o: string, k: string, pad: string, dil: string, st: string, n: string) =>
  `let t_${name} = i32(${o}) + u.${pad} - i32(${k} * u.${dil});
if (t_${name} < 0 || (u32(t_${name}) % u.${st}) != 0u) { continue; }
let ${name} = u32(t_${name}) / u.${st};
if (${name} >= u.${n}) { continue; }`;

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
  const decode = nhwc
    ? `let m = gi % u.M; var q = gi / u.M; let ow = q % u.oW; q = q / u.oW; let oh = q % u.oH; q = q / u.oH; let od = q % u.oD; let n = q / u.oD;`
    : `let ow = gi % u.oW; var q = gi / u.oW; let oh = q % u.oH; q = q / u.oH; let od = q % u.oD; q = q / u.oD; let m = q % u.M; let n = q / u.M;`;
  const xIndex = nhwc ? `(((n * u.D + id) * u.H + ih) * u.W + iw) * u.C + c0 + c` : `(((n * u.C + c0 + c) * u.D + id) * u.H + ih) * u.W + iw`;
  // IOHW [C, Mg, kD, kH, kW]; HWOI [kD, kH, kW, M, C]
  const fIndex = nhwc ? `(((kd * u.kH + kh) * u.kW + kw) * u.M + m) * u.C + c0 + c` : `((((c0 + c) * u.Mg + mm) * u.kD + kd) * u.kH + kh) * u.kW + kw`;
  const body = `${decode}
let g = m / u.Mg;
let mm = m - g * u.Mg;
let c0 = g * u.Cg;
var s = 0.0f;
for (var kd = 0u; kd < u.kD; kd++) {
${tapDim('id', 'od', 'kd', 'padF', 'dD', 'sD', 'D')}
for (var kh = 0u; kh < u.kH; kh++) {
${tapDim('ih', 'oh', 'kh', 'padT', 'dH', 'sH', 'H')}
for (var kw = 0u; kw < u.kW; kw++) {
${tapDim('iw', 'ow', 'kw', 'padL', 'dW', 'sW', 'W')}
for (var c = 0u; c < u.Cg; c++) {
  s += X[${xIndex}] * F[${fIndex}];
}
}
}
}
${bias ? 's += B[m];' : ''}
Y[gi] = ${activationExpr(act, 's')};`;
  return `${declareBindings(bindings)}
${uniforms.declare(bindings.length)}
${WGSL_FLOAT}
${flatMain(WG, 'u.total', body)}`;
});


registry.register<ConvTransposePlan>({
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
    const key = `${p.layout}|${bias ? 'bias' : 'nobias'}|${p.activation.kind}`;
    const buffers = [gpu.bufferOf(inputs[0]!, OP), gpu.bufferOf(inputs[1]!, OP)];
    if (bias) buffers.push(gpu.bufferOf(bias, OP));
    buffers.push(gpu.bufferOf(y, OP));
    const [actA, actB] = activationParams(p.activation);
    gpu.dispatch({
      pipeline: gpu.pipeline(`convT|${key}`, () => program(key)),
      buffers,
      uniforms: uniforms.pack({
        total: y.size, C: p.C, D: p.D, H: p.H, W: p.W, M: p.M, Cg: p.Cg, Mg: p.Mg, kD: p.kD, kH: p.kH, kW: p.kW,
        sD: p.sD, sH: p.sH, sW: p.sW, dD: p.dD, dH: p.dH, dW: p.dW, oD: p.oD, oH: p.oH, oW: p.oW,
        padF: p.padF, padT: p.padT, padL: p.padL, act_a: actA, act_b: actB,
      }),
      workgroups: grid1d(y.size, WG),
    });
  },
});
