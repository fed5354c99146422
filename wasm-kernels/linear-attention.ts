/** wasm launcher for LinearAttention (family `linear-attention`, see linear-attention.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/linear-attention.js';
import type { LinearAttentionPlan } from '../ops/linear-attention.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { F32Scratch } from './f16-scratch.js';
import { LA_PARAMS as P, LA_PARAM_WORDS } from './linear-attention.wat.js';

/**
 * One work item is a (batch, kv head) recurrence: T·Dk·Dv·(3 + group) multiply-adds, ~0.3 ns each
 * on one thread. A worker costs ~20–40 µs to wake (2 cores, Node 20), so each thread gets items worth
 * at least 64k state updates (~20 µs).
 */
const MIN_WORK_PER_THREAD = 1 << 16;

registry.register<LinearAttentionPlan>({
  op: 'LinearAttention',
  device: 'wasm',
  // float16: widened to float32 scratch, results narrowed back
  dtypes: ['float32', 'float16'],
  kind: 'compute',
  family: 'linear-attention',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: LinearAttentionPlan): void {
    const op = 'LinearAttention';
    const w = ctx.wasm;
    const items = p.B * p.Hkv;
    const f32 = new F32Scratch(w, op);
    let block = 0;
    try {
      if (items === 0 || p.Dk * p.Dv === 0) {
        // no state to carry: the output is Sᵀq over an empty (all-zero) state
        const y = f32.output(outputs[0]);
        if (y) w.f32(y, outputs[0]!.size).fill(0);
        f32.finish();
        return;
      }
      // every scratch block first: an allocation may grow the memory and detach earlier views
      const v = new Array<number>(LA_PARAM_WORDS).fill(0);
      const opt = (i: number) => (i >= 0 ? f32.input(inputs[i]) : 0);
      v[P.Q] = f32.input(inputs[0]);
      v[P.K] = f32.input(inputs[1]);
      v[P.V] = f32.input(inputs[2]);
      v[P.Y] = f32.output(outputs[0]);
      v[P.STATE] = f32.output(outputs[1]);
      v[P.PAST] = opt(p.past);
      v[P.DECAY] = opt(p.decay);
      v[P.DECAY_PER_DIM] = p.decayPerDim ? 1 : 0;
      v[P.BETA] = opt(p.beta);
      v[P.BETA_W] = p.betaW;
      v[P.ERASE] = opt(p.erase);
      v[P.LEN] = p.T;
      v[P.HQ] = p.Hq;
      v[P.HKV] = p.Hkv;
      v[P.DK] = p.Dk;
      v[P.DV] = p.Dv;
      v[P.GROUP] = p.Hq / p.Hkv;
      block = w.alloc(4 * LA_PARAM_WORDS, op);
      w.i32(block, LA_PARAM_WORDS).set(v);
      w.f32(block, LA_PARAM_WORDS)[P.SCALE] = p.scale;
      const perItem = Math.max(1, p.T * p.Dk * p.Dv * (3 + p.Hq / p.Hkv));
      w.parallelFor('linear-attention', 'linear_attention', [block], items, { minPerThread: Math.max(1, Math.ceil(MIN_WORK_PER_THREAD / perItem)), op });
      f32.finish();
    } finally {
      if (block) w.free(block);
      f32.free();
    }
  },
});
