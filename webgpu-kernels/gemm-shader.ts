import type { DType } from '../core/dtype.js';
import { DeviceError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { GemmProblem } from '../ops/matmul.js';
import type { GpuBackend } from './runtime/backend.js';
import { memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, wgslType } from './runtime/shader.js';
import { WGSL_FLOAT, activationExpr } from './runtime/wgsl-math.js';
import { activationParams } from '../ops/activation.js';

/**
 * The tiled GEMM shared by MatMul and Gemm: Y[b] = act(alpha * op(A[b]) · op(B[b]) + beta * bias).
 * A workgroup of 8×8 invocations computes a 32×32 output tile, 4×4 outputs each, stepping through K
 * in slices of 16 staged in workgroup memory (zero-padded at the edges, so any M, N, K works).
 * Transposes are strides in uniforms (one shader serves all four cases); batch offsets come from a
 * small storage buffer of (aOffset, bOffset) pairs; (M-tile, batch) pairs are folded over grid y and z.
 * int32 accumulates in wrapping i32 arithmetic, which is exact modulo 2^32.
 */
const TM = 32;
const TN = 32;
const TK = 16;

interface GemmProgram {
  key: string;
  uniforms: Uniforms;
  source: () => string;
}

const program = memo((key: string): GemmProgram => {
  const [dtype, hasBiasS, act] = key.split('|') as [DType, string, string];
  const t = wgslType(dtype, 'Gemm');
  const hasBias = hasBiasS === 'bias';
  const u = new Uniforms();
  for (const f of ['M', 'N', 'K', 'mtiles', 'tiles', 'a_rs', 'a_cs', 'b_rs', 'b_cs', 'c_rs', 'c_cs']) u.scalar(f, 'u32');
  u.scalar('alpha', t).scalar('beta', t).scalar('act_a', 'f32').scalar('act_b', 'f32');
  const bindings = declareBindings([
    { name: 'A', type: t, access: 'read' },
    { name: 'B', type: t, access: 'read' },
    ...(hasBias ? [{ name: 'C', type: t, access: 'read' as const }] : []),
    { name: 'OFFS', type: 'u32', access: 'read' },
    { name: 'Y', type: t, access: 'read_write' },
  ]);
  const zero = t === 'f32' ? '0.0f' : '0i';
  const value = hasBias ? `u.alpha * acc[i][j] + u.beta * C[r * u.c_rs + c * u.c_cs]` : `u.alpha * acc[i][j]`;
  const source = () => `${bindings}
${u.declare(hasBias ? 5 : 4)}
${t === 'f32' ? WGSL_FLOAT : ''}
var<workgroup> As: array<array<${t}, ${TM}>, ${TK}>;
var<workgroup> Bs: array<array<${t}, ${TN}>, ${TK}>;

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lin = wid.z * nwg.y + wid.y;
  if (lin >= u.tiles) { return; }
  let batch = lin / u.mtiles;
  let row0 = (lin - batch * u.mtiles) * ${TM}u;
  let col0 = wid.x * ${TN}u;
  let aoff = OFFS[2u * batch];
  let boff = OFFS[2u * batch + 1u];
  var acc: array<array<${t}, 4>, 4>;
  for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) { acc[i][j] = ${zero}; } }

  for (var k0 = 0u; k0 < u.K; k0 += ${TK}u) {
    for (var e = lid; e < ${TM * TK}u; e += 64u) {
      let kk = e / ${TM}u;
      let mm = e - kk * ${TM}u;
      let gm = row0 + mm;
      let gk = k0 + kk;
      var v = ${zero};
      if (gm < u.M && gk < u.K) { v = A[aoff + gm * u.a_rs + gk * u.a_cs]; }
      As[kk][mm] = v;
    }
    for (var e = lid; e < ${TN * TK}u; e += 64u) {
      let kk = e / ${TN}u;
      let nn = e - kk * ${TN}u;
      let gn = col0 + nn;
      let gk = k0 + kk;
      var v = ${zero};
      if (gn < u.N && gk < u.K) { v = B[boff + gk * u.b_rs + gn * u.b_cs]; }
      Bs[kk][nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      var a: array<${t}, 4>;
      var b: array<${t}, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = As[kk][lid3.y * 4u + i]; }
      for (var j = 0u; j < 4u; j++) { b[j] = Bs[kk][lid3.x * 4u + j]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] = acc[i][j] + a[i] * b[j]; }
      }
    }
    workgroupBarrier();
  }

  let ybase = batch * u.M * u.N;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid3.y * 4u + i;
    if (r >= u.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid3.x * 4u + j;
      if (c >= u.N) { break; }
      let v = ${value};
      Y[ybase + r * u.N + c] = ${t === 'f32' ? activationExpr(act, 'v') : 'v'};
    }
  }
}`;
  return { key: `gemm|${key}`, uniforms: u, source };
});

/** Run one GEMM problem; `bias` is the optional third input (laid out by p.bias). */
export function runGemm(gpu: GpuBackend, op: string, dtype: DType, a: Tensor, b: Tensor, bias: Tensor | undefined, y: Tensor, p: GemmProblem): void {
  if (y.size === 0) return;
  const maxGroups = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const ntiles = Math.ceil(p.N / TN);
  if (ntiles > maxGroups) throw new DeviceError(op, `N=${p.N} needs ${ntiles} column tiles, more than this device's ${maxGroups} workgroups per dimension`);
  const mtiles = Math.ceil(p.M / TM);
  const tiles = mtiles * p.batch;
  const gy = Math.min(tiles, maxGroups);
  const gz = Math.ceil(tiles / gy);
  if (gz > maxGroups) throw new DeviceError(op, `${tiles} row tiles × batches exceed this device's dispatch limits`);
  const useBias = bias !== undefined && p.bias !== undefined;
  const prog = program(`${dtype}|${useBias ? 'bias' : 'nobias'}|${p.activation.kind}`);
  const offs = new Uint32Array(2 * p.batch);
  for (let i = 0; i < p.batch; i++) {
    offs[2 * i] = p.aOffsets[i]!;
    offs[2 * i + 1] = p.bOffsets[i]!;
  }
  const [actA, actB] = activationParams(p.activation); // the uniform slots act_a, act_b
  const buffers = [gpu.bufferOf(a, op), gpu.bufferOf(b, op)];
  if (useBias) buffers.push(gpu.bufferOf(bias, op));
  buffers.push(gpu.scratch(offs), gpu.bufferOf(y, op));
  gpu.dispatch({
    pipeline: gpu.pipeline(prog.key, prog.source),
    buffers,
    uniforms: prog.uniforms.pack({
      M: p.M,
      N: p.N,
      K: p.K,
      mtiles,
      tiles,
      a_rs: p.transA ? 1 : p.K,
      a_cs: p.transA ? p.M : 1,
      b_rs: p.transB ? 1 : p.N,
      b_cs: p.transB ? p.K : 1,
      c_rs: useBias ? p.bias!.rowStride : 0,
      c_cs: useBias ? p.bias!.colStride : 0,
      alpha: p.alpha,
      beta: p.beta,
      act_a: actA,
      act_b: actB,
    }),
    workgroups: [ntiles, gy, gz],
  });
}
