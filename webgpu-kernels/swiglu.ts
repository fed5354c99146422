/** WebGPU twins of Swish and SwiGLU (float32): one invocation per element, sigmoid_ from wgsl-math. */
import '../ops/swiglu.js';
import type { SwishPlan } from '../ops/swiglu.js';
import { registry } from '../registry/registry.js';
import { gpuOf } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d } from './runtime/shader.js';
import { WGSL_FLOAT } from './runtime/wgsl-math.js';

const WG = 64;
const uniforms = new Uniforms().scalar('n', 'u32').scalar('alpha', 'f32');

const source = (glu: boolean) => () => `${declareBindings([
  { name: 'X', type: 'f32', access: 'read' },
  ...(glu ? [{ name: 'B', type: 'f32' as const, access: 'read' as const }] : []),
  { name: 'Y', type: 'f32', access: 'read_write' },
])}
${uniforms.declare(glu ? 3 : 2)}
${WGSL_FLOAT}
${flatMain(WG, 'u.n', `let x = X[gi];\nY[gi] = x${glu ? ' * B[gi]' : ''} * sigmoid_(u.alpha * x);`)}`;

for (const op of ['Swish', 'SwiGLU'] as const) {
  registry.register<SwishPlan>({
    op,
    device: 'webgpu',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'swiglu',
    run(ctx, inputs, outputs, p) {
      const gpu = gpuOf(ctx, op);
      if (p.n === 0) return;
      gpu.dispatch({
        pipeline: gpu.pipeline(`swiglu|${op}`, source(op === 'SwiGLU')),
        buffers: [...inputs.map((t) => gpu.bufferOf(t, op)), gpu.bufferOf(outputs[0]!, op)],
        uniforms: uniforms.pack({ n: p.n, alpha: p.alpha }),
        workgroups: grid1d(p.n, WG),
      });
    },
  });
}
