import { DTypeError } from '../core/errors.js';
import type { ArgReducePlan, ReducePass, ReducePlan, CumPlan } from '../ops/reduce.js';
import { INT_REDUCE_OPS, REDUCE_OPS } from '../ops/reduce.js';
import type { GpuStorage } from './runtime/backend.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

/**
 * WebGPU twins of the reduction passes (see ops/reduce.ts) and of CumSum/CumProd. A pass views its
 * input as [outer, R, inner]: R ≤ THREAD_MAX gives one invocation per output (neighbouring
 * invocations read neighbouring columns), longer R a workgroup per output (strided partials, then a
 * tree in workgroup memory, so a float sum's error is ~(R/64 + 6)·u·Σ|x|). The last pass applies the
 * finishing step (mean, sqrt, log). NaN and Inf are tested on the bits (SwiftShader's max/min drop
 * NaN and its log(NaN) is finite; see wgsl-math.ts). ArgMax/ArgMin run one invocation per output
 * and write int32 indices only: int64 tensors cannot live on WebGPU, so the ONNX default
 * (outputDtype 'int64') throws a DTypeError saying to ask for 'int32' or to run on wasm.
 */
const WG = 64;
const THREAD_MAX = 64;

const uniforms = new Uniforms().scalar('outs', 'u32').scalar('R', 'u32').scalar('inner', 'u32').scalar('fin', 'u32').scalar('cnt', 'f32');

const HELPERS = `
fn fmax_(a: f32, b: f32) -> f32 { if (is_nan(a)) { return a; } if (is_nan(b)) { return b; } return max(a, b); }
fn fmin_(a: f32, b: f32) -> f32 { if (is_nan(a)) { return a; } if (is_nan(b)) { return b; } return min(a, b); }
// log with IEEE specials; a subnormal x is its mantissa bits times 2^-149
fn log_r(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (is_nan(x)) { return x; }
  if (is_zero(x)) { return f32_inf(true); }
  if (sign_bit(x)) { return f32_nan(); }
  if (is_inf(x)) { return x; }
  if ((bits & 0x7f800000u) == 0u) { return log(f32(bits)) - 103.27893f; }
  return log(x);
}
fn finish_(r: f32) -> f32 {
  if (u.fin == 1u) { if (u.cnt == 0.0f || is_nan(r)) { return f32_nan(); } return r / u.cnt; }
  if (u.fin == 2u) { if (is_nan(r) || is_inf(r)) { return r; } return sqrt(r); }
  if (u.fin == 3u) { return log_r(r); }
  return r;
}`;

interface ModeW {
  t: 'f32' | 'i32';
  ident: string;
  comb: (a: string, b: string) => string;
  xf: (v: string) => string;
}

const MODES: Record<string, ModeW> = {
  sum_f32: { t: 'f32', ident: '0.0f', comb: (a, b) => `${a} + ${b}`, xf: (v) => v },
  sumsq_f32: { t: 'f32', ident: '0.0f', comb: (a, b) => `${a} + ${b}`, xf: (v) => `${v} * ${v}` },
  asum_f32: { t: 'f32', ident: '0.0f', comb: (a, b) => `${a} + ${b}`, xf: (v) => `abs(${v})` },
  max_f32: { t: 'f32', ident: 'f32_inf(true)', comb: (a, b) => `fmax_(${a}, ${b})`, xf: (v) => v },
  min_f32: { t: 'f32', ident: 'f32_inf(false)', comb: (a, b) => `fmin_(${a}, ${b})`, xf: (v) => v },
  prod_f32: { t: 'f32', ident: '1.0f', comb: (a, b) => `${a} * ${b}`, xf: (v) => v },
  sexp_f32: { t: 'f32', ident: '0.0f', comb: (a, b) => `${a} + ${b}`, xf: (v) => `exp_(${v} - ms)` },
  sum_i32: { t: 'i32', ident: '0i', comb: (a, b) => `${a} + ${b}`, xf: (v) => v },
  prod_i32: { t: 'i32', ident: '1i', comb: (a, b) => `${a} * ${b}`, xf: (v) => v },
  max_i32: { t: 'i32', ident: 'bitcast<i32>(0x80000000u)', comb: (a, b) => `max(${a}, ${b})`, xf: (v) => v },
  min_i32: { t: 'i32', ident: '0x7fffffffi', comb: (a, b) => `min(${a}, ${b})`, xf: (v) => v },
};

const at = 'X[base + k * u.inner]';

/** One invocation per output: `r` = the reduced value. */
function threadReduce(name: string): string {
  if (name === 'lse_f32') {
    return `var m = f32_inf(true);
for (var k = 0u; k < u.R; k++) { m = fmax_(m, ${at}); }
let ms = select(0.0f, m, is_finite(m));
var s = 0.0f;
for (var k = 0u; k < u.R; k++) { s += exp_(${at} - ms); }
var r = m + log_r(s);
if (!is_finite(m)) { r = m; }`;
  }
  const md = MODES[name]!;
  return `var r: ${md.t} = ${md.ident};
for (var k = 0u; k < u.R; k++) { let v = ${at}; r = ${md.comb('r', md.xf('v'))}; }`;
}

/** A workgroup per output: strided partials then a tree; leaves `total` in every invocation. */
function groupReduce(md: ModeW, out: string): string {
  return `{
  var a: ${md.t} = ${md.ident};
  for (var k = lid; k < u.R; k += ${WG}u) { let v = ${at}; a = ${md.comb('a', md.xf('v'))}; }
  red_${md.t}[lid] = a;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red_${md.t}[lid] = ${md.comb(`red_${md.t}[lid]`, `red_${md.t}[lid + s]`)}; }
    workgroupBarrier();
  }
  if (lid == 0u) { total_${md.t} = red_${md.t}[0]; }
  ${out} = workgroupUniformLoad(&total_${md.t});
}`;
}

function source(key: string): string {
  const [, name, kind] = key.split('|') as [string, string, 'thread' | 'group'];
  const t = name.endsWith('i32') ? 'i32' : 'f32';
  const head = `${declareBindings([
    { name: 'X', type: t, access: 'read' },
    { name: 'Y', type: t, access: 'read_write' },
  ])}
${uniforms.declare(2)}
${WGSL_FLOAT}
${HELPERS}`;
  const store = t === 'f32' ? 'Y[row] = finish_(r);' : 'Y[row] = r;';
  if (kind === 'thread') {
    return `${head}
${flatMain(WG, 'u.outs', `let row = gi;
let o = row / u.inner;
let base = o * u.R * u.inner + (row - o * u.inner);
${threadReduce(name)}
${store}`)}`;
  }
  const body =
    name === 'lse_f32'
      ? `var m: f32;
${groupReduce(MODES.max_f32!, 'm')}
let ms = select(0.0f, m, is_finite(m));
var s2: f32;
${groupReduce(MODES.sexp_f32!, 's2')}
var r = m + log_r(s2);
if (!is_finite(m)) { r = m; }`
      : `var r: ${t};
${groupReduce(MODES[name]!, 'r')}`;
  return `${head}
var<workgroup> red_${t}: array<${t}, ${WG}>;
var<workgroup> total_${t}: ${t};
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= u.outs) { return; }
  let o = row / u.inner;
  let base = o * u.R * u.inner + (row - o * u.inner);
  ${body.split('\n').join('\n  ')}
  if (lid == 0u) { ${store} }
}`;
}

const sources = memo(source);
const FIN = { none: 0, mean: 1, sqrt: 2, log: 3 } as const;

for (const op of REDUCE_OPS) {
  registry.register<ReducePlan>({
    op,
    device: 'webgpu',
    dtypes: INT_REDUCE_OPS.includes(op) ? ['float32', 'int32'] : ['float32'],
    kind: 'compute',
    family: 'reduce',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const dt = inputs[0]!.dtype === 'int32' ? 'i32' : 'f32';
      let src = gpu.bufferOf(inputs[0]!, op);
      const temps: GpuStorage[] = [];
      plan.passes.forEach((p: ReducePass, i) => {
        const last = i === plan.passes.length - 1;
        const outs = p.outer * p.inner;
        let dst = gpu.bufferOf(outputs[0]!, op);
        if (!last) {
          const s = gpu.allocStorage(Math.max(4, outs * 4), op) as GpuStorage;
          temps.push(s);
          dst = s.buffer;
        }
        const kind = p.R <= THREAD_MAX ? 'thread' : 'group';
        const key = `reduce|${p.mode}_${dt}|${kind}`;
        gpu.dispatch({
          pipeline: gpu.pipeline(key, () => sources(key)),
          buffers: [src, dst],
          uniforms: uniforms.pack({ outs, R: p.R, inner: p.inner, fin: last ? FIN[plan.finish] : 0, cnt: plan.count }),
          workgroups: kind === 'thread' ? grid1d(outs, WG) : grid1d(outs, 1),
        });
        src = dst;
      });
      for (const s of temps) s.free();
    },
  });
}

const cumUniforms = new Uniforms().scalar('outs', 'u32').scalar('R', 'u32').scalar('inner', 'u32').scalar('excl', 'u32').scalar('rev', 'u32');

function cumSource(key: string): string {
  const [, op, t] = key.split('|') as [string, 'CumSum' | 'CumProd', 'f32' | 'i32'];
  const ident = op === 'CumSum' ? (t === 'f32' ? '0.0f' : '0i') : t === 'f32' ? '1.0f' : '1i';
  const comb = op === 'CumSum' ? 'acc + v' : 'acc * v';
  return `${declareBindings([
    { name: 'X', type: t, access: 'read' },
    { name: 'Y', type: t, access: 'read_write' },
  ])}
${cumUniforms.declare(2)}
${flatMain(WG, 'u.outs', `let o = gi / u.inner;
let base = o * u.R * u.inner + (gi - o * u.inner);
var acc: ${t} = ${ident};
for (var s = 0u; s < u.R; s++) {
  let k = select(s, u.R - 1u - s, u.rev != 0u);
  let i = base + k * u.inner;
  let v = X[i];
  if (u.excl != 0u) { Y[i] = acc; acc = ${comb}; } else { acc = ${comb}; Y[i] = acc; }
}`)}`;
}

const cumSources = memo(cumSource);

for (const op of ['CumSum', 'CumProd'] as const) {
  registry.register<CumPlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32', 'int32'],
    kind: 'compute',
    family: 'reduce',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const key = `cum|${op}|${inputs[0]!.dtype === 'int32' ? 'i32' : 'f32'}`;
      const outs = plan.outer * plan.inner;
      gpu.dispatch({
        pipeline: gpu.pipeline(key, () => cumSources(key)),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(outputs[0]!, op)],
        uniforms: cumUniforms.pack({ outs, R: plan.R, inner: plan.inner, excl: plan.exclusive ? 1 : 0, rev: plan.reverse ? 1 : 0 }),
        workgroups: grid1d(outs, WG),
      });
    },
  });
}

const argUniforms = new Uniforms().scalar('outs', 'u32').scalar('R', 'u32').scalar('inner', 'u32');

/** Better(v at k, best at bi): a better value; NaN beats numbers; equal values or two NaNs: index preference. */
function argSource(key: string): string {
  const [, op, t, last, nan] = key.split('|') as [string, 'ArgMax' | 'ArgMin', 'f32' | 'i32', 'first' | 'last', 'nan' | 'ignore'];
  const cmp = op === 'ArgMax' ? '>' : '<';
  const pref = last === 'last' ? 'true' : 'false';
  // nanMode 'ignore': a plain strict comparison, which NaN never passes (a leading NaN stays)
  const better =
    nan === 'ignore'
      ? `v ${cmp} b`
      : t === 'f32'
      ? `(!is_nan(b) && (is_nan(v) || v ${cmp} b)) || (${pref} && ((is_nan(v) && is_nan(b)) || (!is_nan(v) && !is_nan(b) && v == b)))`
      : `v ${cmp} b || (${pref} && v == b)`;
  return `${declareBindings([
    { name: 'X', type: t, access: 'read' },
    { name: 'Y', type: 'i32', access: 'read_write' },
  ])}
${argUniforms.declare(2)}
${WGSL_FLOAT}
${flatMain(WG, 'u.outs', `let o = gi / u.inner;
let base = o * u.R * u.inner + (gi - o * u.inner);
var b = X[base];
var bi = 0u;
for (var k = 1u; k < u.R; k++) {
  let v = X[base + k * u.inner];
  if (${better}) { b = v; bi = k; }
}
Y[gi] = i32(bi);`)}`;
}

const argSources = memo(argSource);

for (const op of ['ArgMax', 'ArgMin'] as const) {
  registry.register<ArgReducePlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32', 'int32'],
    kind: 'compute',
    family: 'reduce',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      if (plan.outputDtype !== 'int32') {
        throw new DTypeError(op, `int64 indices cannot live on WebGPU (input ${inputs[0]!.dtype}[${inputs[0]!.shape.join(',')}]); pass outputDtype: 'int32', or run on wasm`);
      }
      const key = `arg|${op}|${inputs[0]!.dtype === 'int32' ? 'i32' : 'f32'}|${plan.selectLast ? 'last' : 'first'}|${plan.ignoreNaN ? 'ignore' : 'nan'}`;
      const outs = plan.outer * plan.inner;
      gpu.dispatch({
        pipeline: gpu.pipeline(key, () => argSources(key)),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(outputs[0]!, op)],
        uniforms: argUniforms.pack({ outs, R: plan.R, inner: plan.inner }),
        workgroups: grid1d(outs, WG),
      });
    },
  });
}
