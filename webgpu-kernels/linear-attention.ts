/**
 * WebGPU twin of LinearAttention (see wasm-kernels/linear-attention.wat.ts): one invocation per
 * (batch, kv head) recurrence, the state in the present_state output, u in the first query head's
 * output row. Optional inputs bind only when present (one pipeline per combination); past_state is
 * copied into the state by a dispatch of its own first, so no pipeline binds more than 8 buffers
 * (WebGPU's default per-stage limit).
 */
import '../ops/linear-attention.js';
import type { LinearAttentionPlan } from '../ops/linear-attention.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, type Binding } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;
const uniforms = new Uniforms()
  .scalar('items', 'u32').scalar('T', 'u32').scalar('hq', 'u32').scalar('hkv', 'u32').scalar('dk', 'u32').scalar('dv', 'u32')
  .scalar('group', 'u32').scalar('per_dim', 'u32').scalar('beta_w', 'u32').scalar('scale', 'f32');

/** Keys: `linear-attention|<past><decay><beta><erase>` as 0/1 flags. */
const source = memo((key: string) => {
  const [past, decay, beta, erase] = key.split('|')[1]!.split('').map((c) => c === '1');
  const b: Binding[] = ['Q', 'K', 'V'].map((name) => ({ name, type: 'f32' as const, access: 'read' as const }));
  for (const [on, name] of [[decay, 'G'], [beta, 'Bt'], [erase, 'E']] as const) if (on) b.push({ name, type: 'f32', access: 'read' });
  b.push({ name: 'Y', type: 'f32', access: 'read_write' }, { name: 'S', type: 'f32', access: 'read_write' });
  return `${declareBindings(b)}
${uniforms.declare(b.length)}
${WGSL_FLOAT}
${flatMain(
  WG,
  'u.items',
  `let bi = gi / u.hkv;
let kh = gi - bi * u.hkv;
let st = gi * u.dk * u.dv;
${past ? '' : 'for (var i = 0u; i < u.dk * u.dv; i++) { S[st + i] = 0.0f; }'}
for (var t = 0u; t < u.T; t++) {
  let bt = bi * u.T + t;
  let kp = (bt * u.hkv + kh) * u.dk;
  let vp = (bt * u.hkv + kh) * u.dv;
  let h0 = kh * u.group;
  let up = (bt * u.hq + h0) * u.dv;
  ${
    decay
      ? `for (var d = 0u; d < u.dk; d++) {
    let g = select(G[bt * u.hkv + kh], G[kp + d], u.per_dim != 0u);
    let e = exp_(g);
    for (var m = 0u; m < u.dv; m++) { S[st + d * u.dv + m] = S[st + d * u.dv + m] * e; }
  }`
      : ''
  }
  ${
    beta
      ? `for (var m = 0u; m < u.dv; m++) { Y[up + m] = 0.0f; }
  for (var d = 0u; d < u.dk; d++) {
    let ke = K[kp + d]${erase ? ' * E[kp + d]' : ''};
    for (var m = 0u; m < u.dv; m++) { Y[up + m] = Y[up + m] + ke * S[st + d * u.dv + m]; }
  }
  let be = Bt[bt * u.beta_w + select(kh, 0u, u.beta_w == 1u)];
  for (var m = 0u; m < u.dv; m++) { Y[up + m] = be * (V[vp + m] - Y[up + m]); }`
      : `for (var m = 0u; m < u.dv; m++) { Y[up + m] = V[vp + m]; }`
  }
  for (var d = 0u; d < u.dk; d++) {
    let k = K[kp + d];
    for (var m = 0u; m < u.dv; m++) { S[st + d * u.dv + m] = S[st + d * u.dv + m] + k * Y[up + m]; }
  }
  for (var g = 0u; g < u.group; g++) {
    let h = h0 + g;
    let qp = (bt * u.hq + h) * u.dk;
    let yp = (bt * u.hq + h) * u.dv;
    for (var m = 0u; m < u.dv; m++) {
      var acc = 0.0f;
      for (var d = 0u; d < u.dk; d++) { acc += Q[qp + d] * S[st + d * u.dv + m]; }
      Y[yp + m] = acc * u.scale;
    }
  }
}`,
)}`;
});

const copyU = new Uniforms().scalar('n', 'u32');
const copySource = () => `${declareBindings([
  { name: 'P', type: 'f32', access: 'read' },
  { name: 'S', type: 'f32', access: 'read_write' },
])}
${copyU.declare(2)}
${flatMain(WG, 'u.n', 'S[gi] = P[gi];')}`;

registry.register<LinearAttentionPlan>({
  op: 'LinearAttention',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'linear-attention',
  run(ctx, inputs, outputs, p) {
    const op = 'LinearAttention';
    const gpu = gpuOf(ctx, op);
    const items = p.B * p.Hkv;
    // Dv = 0 leaves both outputs empty; Dk = 0 runs (every read is an empty sum, 0)
    if (items === 0 || p.Dv === 0) return;
    const flags = [p.past, p.decay, p.beta, p.erase].map((i) => (i >= 0 ? '1' : '0')).join('');
    const key = `linear-attention|${flags}`;
    const opt = [p.decay, p.beta, p.erase].filter((i) => i >= 0).map((i) => gpu.bufferOf(inputs[i]!, op));
    if (p.past >= 0 && p.Dk > 0) {
      const n = items * p.Dk * p.Dv;
      gpu.dispatch({
        pipeline: gpu.pipeline('linear-attention|copy', copySource),
        buffers: [gpu.bufferOf(inputs[p.past]!, op), gpu.bufferOf(outputs[1]!, op)],
        uniforms: copyU.pack({ n }),
        workgroups: grid1d(n, WG),
      });
    }
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => source(key)),
      buffers: [0, 1, 2].map((i) => gpu.bufferOf(inputs[i]!, op)).concat(opt, [gpu.bufferOf(outputs[0]!, op), gpu.bufferOf(outputs[1]!, op)]),
      uniforms: uniforms.pack({ items, T: p.T, hq: p.Hq, hkv: p.Hkv, dk: p.Dk, dv: p.Dv, group: p.Hq / p.Hkv, per_dim: p.decayPerDim ? 1 : 0, beta_w: p.betaW, scale: p.scale }),
      workgroups: grid1d(items, WG),
    });
  },
});
