/**
 * WebGPU twins of FFT and ComplexAbs (ops/fft.ts).
 *
 * FFT: one invocation per output element computes the direct DFT of its row,
 * y[k] = scale·Σ_j x[j]·w[(j·k) mod n], with the twiddles w (cos, sin; conjugated for the inverse)
 * a float32 table computed in float64 on the host. O(n) per element (O(n²) per row): the wasm
 * kernel's radix-2 Stockham path is the fast one; this twin keeps GPU-resident data on the GPU.
 * float32 sums: error ≤ ~(n + 2)·2^-24·Σ|x|.
 * ComplexAbs: hypot by scaling (m·sqrt(1 + (s/m)²), m = max(|re|, |im|)), so no overflow or
 * underflow; ±Inf in either part gives +Inf, else a NaN gives NaN.
 */
import type { FFTPlan } from '../ops/fft.js';
import type { Plan } from '../ops/types.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;

const fftUniforms = new Uniforms().scalar('size', 'u32').scalar('n', 'u32').scalar('scale', 'f32');

const fftSource = () => `${declareBindings([
  { name: 'XR', type: 'f32', access: 'read' },
  { name: 'XI', type: 'f32', access: 'read' },
  { name: 'TW', type: 'f32', access: 'read' },
  { name: 'YR', type: 'f32', access: 'read_write' },
  { name: 'YI', type: 'f32', access: 'read_write' },
])}
${fftUniforms.declare(5)}
${flatMain(
  WG,
  'u.size',
  `let row = gi / u.n;
let k = gi - row * u.n;
let base = row * u.n;
var sr = 0.0f;
var si = 0.0f;
var idx = 0u;
for (var j = 0u; j < u.n; j++) {
  let c = TW[2u * idx];
  let s = TW[2u * idx + 1u];
  let xr = XR[base + j];
  let xi = XI[base + j];
  sr += xr * c - xi * s;
  si += xr * s + xi * c;
  idx += k;
  if (idx >= u.n) { idx -= u.n; }
}
YR[gi] = sr * u.scale;
YI[gi] = si * u.scale;`,
)}`;

registry.register<FFTPlan>({
  op: 'FFT',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'fft',
  run(ctx, inputs, outputs, plan) {
    const op = 'FFT';
    const gpu = gpuOf(ctx, op);
    const { n, rows, inverse } = plan;
    if (n === 0 || rows === 0) return;
    const tw = new Float32Array(2 * n);
    const sign = inverse ? 1 : -1;
    for (let k = 0; k < n; k++) {
      // (j·k) mod n indexes a full turn; quarter turns exact
      const q = (4 * k) % n === 0 ? ((4 * k) / n) % 4 : -1;
      tw[2 * k] = q >= 0 ? [1, 0, -1, 0][q]! : Math.cos((2 * Math.PI * k) / n);
      tw[2 * k + 1] = sign * (q >= 0 ? [0, 1, 0, -1][q]! : Math.sin((2 * Math.PI * k) / n));
    }
    gpu.dispatch({
      pipeline: gpu.pipeline('fft|dft', fftSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), gpu.scratch(tw), gpu.bufferOf(outputs[0]!, op), gpu.bufferOf(outputs[1]!, op)],
      uniforms: fftUniforms.pack({ size: rows * n, n, scale: inverse ? 1 / n : 1 }),
      workgroups: grid1d(rows * n, WG),
    });
  },
});

const absUniforms = new Uniforms().scalar('size', 'u32');

const absSource = () => `${declareBindings([
  { name: 'XR', type: 'f32', access: 'read' },
  { name: 'XI', type: 'f32', access: 'read' },
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${absUniforms.declare(3)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.size',
  `let a = abs(XR[gi]);
let b = abs(XI[gi]);
if (is_inf(a) || is_inf(b)) { Y[gi] = f32_inf(false); return; }
if (is_nan(a) || is_nan(b)) { Y[gi] = f32_nan(); return; }
let m = max(a, b);
if (m == 0.0f) { Y[gi] = 0.0f; return; }
let r = min(a, b) / m;
Y[gi] = m * sqrt(1.0f + r * r);`,
)}`;

registry.register<Plan>({
  op: 'ComplexAbs',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'fft',
  run(ctx, inputs, outputs) {
    const op = 'ComplexAbs';
    const gpu = gpuOf(ctx, op);
    const size = outputs[0]!.size;
    gpu.dispatch({
      pipeline: gpu.pipeline('fft|abs', absSource),
      buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(outputs[0]!, op)],
      uniforms: absUniforms.pack({ size }),
      workgroups: grid1d(size, WG),
    });
  },
});
