/**
 * WebGPU twin of Attention (see wasm-kernels/attention.wat.ts for the algorithm): one invocation per
 * query row, an online softmax with the output row in Y as accumulator. NaN and ±Inf are tested on
 * the bits (WGSL leaves float compares with NaN open, see wgsl-math.ts): a NaN or +Inf score makes
 * the row NaN, a -Inf score (masked) is skipped, a row with every key masked is 0.
 * nonpad_kv_seqlen is int64, which has no WebGPU representation: that form dispatches on int64
 * (see ops/attention.ts), which only the wasm kernel takes.
 */
import '../ops/attention.js';
import type { AttentionPlan } from '../ops/attention.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, type Binding } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;

const uniforms = new Uniforms()
  .scalar('rows', 'u32').scalar('hq', 'u32').scalar('sq', 'u32').scalar('skv', 'u32')
  .scalar('dk', 'u32').scalar('dv', 'u32').scalar('group', 'u32').scalar('mode', 'u32')
  .scalar('ms_b', 'u32').scalar('ms_h', 'u32').scalar('ms_s', 'u32').scalar('mask_w', 'u32')
  .scalar('causal', 'u32').scalar('causal_offset', 'i32').scalar('scale', 'f32').scalar('softcap', 'f32')
  .array('st', 'u32', 12);

/** Keys: `attention|<mask kind 0/1/2>|<qk 0/1>`. */
const source = memo((key: string) => {
  const [, kindS, qkS] = key.split('|');
  const kind = Number(kindS);
  const qk = qkS === '1';
  const b: Binding[] = [
    { name: 'Q', type: 'f32', access: 'read' },
    { name: 'K', type: 'f32', access: 'read' },
    { name: 'V', type: 'f32', access: 'read' },
  ];
  if (kind) b.push({ name: 'M', type: kind === 1 ? 'f32' : 'u32', access: 'read' });
  b.push({ name: 'Y', type: 'f32', access: 'read_write' });
  if (qk) b.push({ name: 'QK', type: 'f32', access: 'read_write' });
  const st = (i: number) => uniforms.at('st', i);
  const store = (modes: string) => (qk ? `if (${modes}) { QK[ob + j] = s; }` : '');
  const maskTest =
    kind === 1 ? `if (ok) { s = s + M[mb + j]; }` : kind === 2 ? `ok = ok && ((M[(mb + j) >> 2u] >> (((mb + j) & 3u) * 8u)) & 0xffu) != 0u;` : '';
  return `${declareBindings(b)}
${uniforms.declare(b.length)}
${WGSL_FLOAT}
${flatMain(
    WG,
    'u.rows',
    `let hs = u.hq * u.sq;
let bi = gi / hs;
let h = (gi - bi * hs) / u.sq;
let i = gi - bi * hs - h * u.sq;
let kh = h / u.group;
let qb = bi * ${st(0)} + h * ${st(1)} + i * ${st(2)};
let kb = bi * ${st(3)} + kh * ${st(4)};
let vb = bi * ${st(6)} + kh * ${st(7)};
let yb = bi * ${st(9)} + h * ${st(10)} + i * ${st(11)};
let mb = bi * u.ms_b + h * u.ms_h + i * u.ms_s;
let ob = gi * u.skv;
var jmax = i32(u.skv);
if (u.causal != 0u) { jmax = min(jmax, i32(i) + u.causal_offset + 1); }
for (var d = 0u; d < u.dv; d++) { Y[yb + d] = 0.0f; }
var m = f32_inf(true);
var l = 0.0f;
var bad = false;
for (var j = 0u; j < u.skv; j++) {
  var s = 0.0f;
  let kr = kb + j * ${st(5)};
  for (var d = 0u; d < u.dk; d++) { s += Q[qb + d] * K[kr + d]; }
  s = s * u.scale;
  ${store('u.mode == 0u')}
  if (u.softcap > 0.0f) { s = u.softcap * tanh_(s / u.softcap); }
  ${store('u.mode == 1u')}
  var ok = i32(j) < jmax && j < u.mask_w;
  ${maskTest}
  if (!ok) { s = f32_inf(true); }
  ${store('u.mode >= 2u')}
  if (is_nan(s) || (is_inf(s) && !sign_bit(s))) { bad = true; continue; }
  if (is_inf(s)) { continue; }
  if (s > m) {
    let c = exp_(m - s);
    l = l * c;
    for (var d = 0u; d < u.dv; d++) { Y[yb + d] = Y[yb + d] * c; }
    m = s;
  }
  let p = exp_(s - m);
  l = l + p;
  let vr = vb + j * ${st(8)};
  for (var d = 0u; d < u.dv; d++) { Y[yb + d] = Y[yb + d] + p * V[vr + d]; }
}
if (bad) {
  for (var d = 0u; d < u.dv; d++) { Y[yb + d] = f32_nan(); }
} else if (l > 0.0f) {
  let r = 1.0f / l;
  for (var d = 0u; d < u.dv; d++) { Y[yb + d] = Y[yb + d] * r; }
}
${
  qk
    ? `if (u.mode == 3u) {
  for (var j = 0u; j < u.skv; j++) {
    let s = QK[ob + j];
    var p = 0.0f;
    if (bad) { p = f32_nan(); } else if (l > 0.0f && !is_inf(s)) { p = exp_(s - m) / l; }
    QK[ob + j] = p;
  }
}`
    : ''
}`,
  )}`;
});

registry.register<AttentionPlan>({
  op: 'Attention',
  device: 'webgpu',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'attention',
  run(ctx, inputs, outputs, p) {
    const op = 'Attention';
    const gpu = gpuOf(ctx, op);
    const rows = p.B * p.Hq * p.Sq;
    if (rows === 0) return;
    const qk = p.qkMode >= 0;
    const key = `attention|${p.maskKind}|${qk ? 1 : 0}`;
    const buffers = inputs.slice(0, p.maskKind ? 4 : 3).map((t) => gpu.bufferOf(t, op));
    buffers.push(gpu.bufferOf(outputs[0]!, op));
    if (qk) buffers.push(gpu.bufferOf(outputs[1]!, op));
    const st = [p.q, p.k, p.v, p.y].flatMap((s) => [s.b, s.h, s.s]);
    gpu.dispatch({
      pipeline: gpu.pipeline(key, () => source(key)),
      buffers,
      uniforms: uniforms.pack({
        rows, hq: p.Hq, sq: p.Sq, skv: p.Skv, dk: p.Dk, dv: p.Dv, group: p.Hq / p.Hkv, mode: Math.max(0, p.qkMode),
        ms_b: p.mask.b, ms_h: p.mask.h, ms_s: p.mask.s, mask_w: p.mask.w,
        causal: p.causal, causal_offset: p.causalOffset, scale: p.scale, softcap: p.softcap, st,
      }),
      workgroups: grid1d(rows, WG),
    });
  },
});
