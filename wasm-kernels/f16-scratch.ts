/**
 * float16 tensors for kernels that compute in float32: an input is widened into a float32 scratch
 * block, and a float16 output gets a float32 scratch block that is narrowed into it at the end (the
 * `copy` family's cast_float16_float32 / cast_float32_float16: exact widening, round-to-nearest-even
 * narrowing). float32 tensors pass through without a copy.
 */
import type { Tensor } from '../core/tensor.js';
import type { WasmBackend } from './runtime/backend.js';

/** Casts run at ~1.4 ns/element on one thread (copy.ts); a worker costs ~20–40 µs to wake. */
const MIN_CAST_PER_THREAD = 1 << 15;

export class F32Scratch {
  private readonly blocks: number[] = [];
  private readonly pending: [number, Tensor][] = [];

  constructor(private readonly w: WasmBackend, private readonly op: string) {}

  /** A float32 view of `t` (0 for an empty tensor). */
  input(t: Tensor | undefined): number {
    if (!t || t.size === 0) return 0;
    const src = this.w.ptrOf(t, this.op);
    if (t.dtype !== 'float16') return src;
    const dst = this.alloc(t.size);
    this.w.parallelFor('copy', 'cast_float16_float32', [src, dst], t.size, { minPerThread: MIN_CAST_PER_THREAD, op: this.op });
    return dst;
  }

  /** Where the kernel writes `t` in float32 (0 for an empty tensor); narrowed by finish(). */
  output(t: Tensor | undefined): number {
    if (!t || t.size === 0) return 0;
    if (t.dtype !== 'float16') return this.w.ptrOf(t, this.op);
    const p = this.alloc(t.size);
    this.pending.push([p, t]);
    return p;
  }

  /** Narrow the float16 outputs. */
  finish(): void {
    for (const [p, t] of this.pending) {
      this.w.parallelFor('copy', 'cast_float32_float16', [p, this.w.ptrOf(t, this.op)], t.size, { minPerThread: MIN_CAST_PER_THREAD, op: this.op });
    }
  }

  /** Free the scratch blocks (always, also after an error). */
  free(): void {
    for (const p of this.blocks) this.w.free(p);
    this.blocks.length = 0;
  }

  private alloc(n: number): number {
    const p = this.w.alloc(4 * n, this.op);
    this.blocks.push(p);
    return p;
  }
}
