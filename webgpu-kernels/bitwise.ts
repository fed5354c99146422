/**
 * WebGPU twins of BitwiseAnd/Or/Xor/Not on the integer dtypes WebGPU stores (int32, and uint8/int8
 * packed four to a u32 word). One invocation per output word: each of its 4/eb elements finds its
 * operands' elements through the collapsed broadcast (shader.ts broadcastOffsets), reads their bits
 * out of their words and combines them; BitwiseNot flips whole words.
 */
import '../ops/bitwise.js';
import { BITWISE_BINARY, type BitwisePlan } from '../ops/bitwise.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, broadcastOffsets, broadcastUniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';

const WG = 64;
const DTYPES = ['int32', 'uint8', 'int8'] as const;
const OPERATOR: Record<string, string> = { BitwiseAnd: '&', BitwiseOr: '|', BitwiseXor: '^' };

const uniformsOf = memo((rank: string) => broadcastUniforms(new Uniforms().scalar('words', 'u32').scalar('n', 'u32').scalar('eb', 'u32'), Number(rank), ['a', 'b']));

const binarySource = (op: string, rank: number) => () => {
  const u = uniformsOf(String(rank));
  return `${declareBindings([
    { name: 'A', type: 'u32', access: 'read' },
    { name: 'B', type: 'u32', access: 'read' },
    { name: 'Y', type: 'u32', access: 'read_write' },
  ])}
${u.declare(3)}
fn bitsA(i: u32) -> u32 { let o = i * u.eb; return A[o >> 2u] >> ((o & 3u) * 8u); }
fn bitsB(i: u32) -> u32 { let o = i * u.eb; return B[o >> 2u] >> ((o & 3u) * 8u); }
${flatMain(WG, 'u.words', `let epw = 4u / u.eb;
let mask = select((1u << (8u * u.eb)) - 1u, 0xffffffffu, u.eb == 4u);
var word = 0u;
for (var k = 0u; k < epw; k++) {
  let e = gi * epw + k;
  if (e >= u.n) { break; }
${broadcastOffsets(u, rank, ['a', 'b'], 'e')
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
  word |= ((bitsA(off_a) ${OPERATOR[op]} bitsB(off_b)) & mask) << (8u * u.eb * k);
}
Y[gi] = word;`)}`;
};

for (const op of BITWISE_BINARY) {
  registry.register<BitwisePlan>({
    op,
    device: 'webgpu',
    dtypes: DTYPES,
    kind: 'compute',
    family: 'bitwise',
    run(ctx, inputs, outputs, plan) {
      const gpu = gpuOf(ctx, op);
      const rank = plan.shape.length;
      const n = outputs[0]!.size;
      const words = Math.ceil((n * plan.elemBytes) / 4);
      gpu.dispatch({
        pipeline: gpu.pipeline(`bitwise|${op}|${rank}`, binarySource(op, rank)),
        buffers: [gpu.bufferOf(inputs[0]!, op), gpu.bufferOf(inputs[1]!, op), gpu.bufferOf(outputs[0]!, op)],
        uniforms: uniformsOf(String(rank)).pack({ words, n, eb: plan.elemBytes, shape: plan.shape, a_strides: plan.aStrides, b_strides: plan.bStrides }),
        workgroups: grid1d(words, WG),
      });
    },
  });
}

const notUniforms = new Uniforms().scalar('words', 'u32');
const notSource = () => `${declareBindings([
  { name: 'X', type: 'u32', access: 'read' },
  { name: 'Y', type: 'u32', access: 'read_write' },
])}
${notUniforms.declare(2)}
${flatMain(WG, 'u.words', 'Y[gi] = ~X[gi];')}`;

registry.register<BitwisePlan>({
  op: 'BitwiseNot',
  device: 'webgpu',
  dtypes: DTYPES,
  kind: 'compute',
  family: 'bitwise',
  run(ctx, inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'BitwiseNot');
    const words = Math.ceil((outputs[0]!.size * plan.elemBytes) / 4);
    gpu.dispatch({
      pipeline: gpu.pipeline('bitwise|not', notSource),
      buffers: [gpu.bufferOf(inputs[0]!, 'BitwiseNot'), gpu.bufferOf(outputs[0]!, 'BitwiseNot')],
      uniforms: notUniforms.pack({ words }),
      workgroups: grid1d(words, WG),
    });
  },
});
