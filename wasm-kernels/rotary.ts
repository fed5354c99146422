/** wasm launcher for RotaryEmbedding (family `rotary`, see rotary.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/rotary-embedding.js';
import type { RotaryPlan } from '../ops/rotary-embedding.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { F32Scratch } from './f16-scratch.js';
import { ROPE_PARAMS as P, ROPE_PARAM_WORDS } from './rotary.wat.js';

/**
 * ~3 loads, 6 flops and 2 stores per rotated pair, well under 1 ns per element on one thread; a
 * worker costs ~20–40 µs to wake (2 cores, Node 20), so each thread gets at least 32k elements.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;

registry.register<RotaryPlan>({
  op: 'RotaryEmbedding',
  device: 'wasm',
  // float32, float16 (widened to float32 scratch, Y narrowed back), and int64: the plan's dispatch
  // dtype with position_ids
  dtypes: ['float32', 'float16', 'int64'],
  kind: 'compute',
  family: 'rotary',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: RotaryPlan): void {
    const op = 'RotaryEmbedding';
    const w = ctx.wasm;
    const rows = p.B * p.S * p.H;
    if (rows * p.D === 0) return;
    const ptr = (t: Tensor | undefined) => (t && t.size > 0 ? w.ptrOf(t, op) : 0);
    const f32 = new F32Scratch(w, op);
    let block = 0;
    try {
      // every scratch block first: an allocation may grow the memory and detach earlier views
      const v = new Array<number>(ROPE_PARAM_WORDS).fill(0);
      v[P.X] = f32.input(inputs[0]);
      v[P.Y] = f32.output(outputs[0]);
      v[P.COS] = f32.input(inputs[1]);
      v[P.SIN] = f32.input(inputs[2]);
      v[P.PID] = ptr(inputs[3]);
      v[P.H] = p.H;
      v[P.S] = p.S;
      v[P.D] = p.D;
      v[P.RD] = p.rd;
      v[P.INTERLEAVED] = p.interleaved ? 1 : 0;
      v[P.THREE] = p.three ? 1 : 0;
      v[P.MAXPOS] = p.maxPos;
      block = w.alloc(4 * ROPE_PARAM_WORDS, op);
      w.i32(block, ROPE_PARAM_WORDS).set(v);
      w.parallelFor('rotary', 'rotary_rows', [block], rows, { minPerThread: Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / p.D)), op });
      f32.finish();
    } finally {
      if (block) w.free(block);
      f32.free();
    }
  },
});
