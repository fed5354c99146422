/** wasm launcher for Attention (family `attention`, see attention.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/attention.js';
import type { AttentionPlan } from '../ops/attention.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { ATTN_PARAMS as P, ATTN_PARAM_WORDS } from './attention.wat.js';
import { F32Scratch } from './f16-scratch.js';

/**
 * One work item is a query row: Skv·(Dk + Dv) multiply-adds plus Skv/4 vector exps. Measured on one
 * thread (2 shared cores under heavy load from other jobs, Node 20): [1, 12, 512, 64] self-attention
 * 124 ms, ~0.3 ns per key·head-size product (likely ~0.1 ns on an idle core). A worker costs
 * ~20–40 µs to wake, so each thread gets rows worth at least 128k products (≥ 13 µs idle).
 */
const MIN_WORK_PER_THREAD = 1 << 17;

registry.register<AttentionPlan>({
  op: 'Attention',
  device: 'wasm',
  // float32, float16 (widened to float32 scratch, results narrowed back), and int64: the plan's
  // dispatch dtype when nonpad_kv_seqlen (int64) is an input
  dtypes: ['float32', 'float16', 'int64'],
  kind: 'compute',
  family: 'attention',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: AttentionPlan): void {
    const op = 'Attention';
    const w = ctx.wasm;
    const rows = p.B * p.Hq * p.Sq;
    if (rows === 0) return;
    const ptr = (t: Tensor | undefined) => (t && t.size > 0 ? w.ptrOf(t, op) : 0);
    const f32 = new F32Scratch(w, op);
    let block = 0;
    try {
      // every scratch block first: an allocation may grow the memory and detach earlier views
      const v = new Array<number>(ATTN_PARAM_WORDS).fill(0);
      v[P.Q] = f32.input(inputs[0]);
      v[P.K] = f32.input(inputs[1]);
      v[P.V] = f32.input(inputs[2]);
      v[P.Y] = f32.output(outputs[0]);
      let next = 3;
      const mask = p.maskKind ? inputs[next++] : undefined;
      const nonpad = p.hasNonpad ? inputs[next++] : undefined;
      v[P.MASK] = p.maskKind === 1 ? f32.input(mask) : ptr(mask);
      v[P.MASK_KIND] = p.maskKind;
      v[P.MS_B] = p.mask.b;
      v[P.MS_H] = p.mask.h;
      v[P.MS_S] = p.mask.s;
      v[P.MASK_W] = p.mask.w;
      v[P.NONPAD] = ptr(nonpad);
      v[P.QK] = p.qkMode >= 0 ? f32.output(outputs[1]) : 0;
      v[P.MODE] = p.qkMode;
      v[P.HQ] = p.Hq;
      v[P.SQ] = p.Sq;
      v[P.SKV] = p.Skv;
      v[P.DK] = p.Dk;
      v[P.DV] = p.Dv;
      v[P.GROUP] = p.Hq / p.Hkv;
      [p.q, p.k, p.v, p.y].forEach((s, n) => {
        v[P.QS_B + 3 * n] = s.b;
        v[P.QS_H + 3 * n] = s.h;
        v[P.QS_S + 3 * n] = s.s;
      });
      v[P.CAUSAL] = p.causal;
      v[P.CAUSAL_OFFSET] = p.causalOffset;
      block = w.alloc(4 * ATTN_PARAM_WORDS, op);
      w.i32(block, ATTN_PARAM_WORDS).set(v);
      const fv = w.f32(block, ATTN_PARAM_WORDS);
      fv[P.SCALE] = p.scale;
      fv[P.SOFTCAP] = p.softcap;
      const perRow = Math.max(1, p.Skv * (p.Dk + p.Dv));
      w.parallelFor('attention', 'attention_rows', [block], rows, { minPerThread: Math.max(1, Math.ceil(MIN_WORK_PER_THREAD / perRow)), op });
      f32.finish();
    } finally {
      if (block) w.free(block);
      f32.free();
    }
  },
});
