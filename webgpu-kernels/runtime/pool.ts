/// <reference types="@webgpu/types" />
/**
 * Size-class pool of GPU buffers. Classes are 16 bytes and up, in quarter steps between powers of two
 * (16, 20, 24, 28, 32, 40, ...), so a pooled buffer wastes at most a quarter of its size.
 *
 * Buffers come back through `release` but only become reusable at `recycle()`, which the backend calls
 * right after submitting a batch: a buffer freed while commands that read it are still being recorded
 * is therefore never handed to a queue write (`writeBuffer` runs before unsubmitted commands).
 */
export function sizeClass(byteLength: number): number {
  const n = Math.max(16, Math.ceil(byteLength / 4) * 4);
  if (n <= 16) return 16;
  const p = 2 ** Math.floor(Math.log2(n));
  const step = Math.max(4, p / 4);
  return Math.ceil(n / step) * step;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private pooled = 0;
  private live = 0;
  private liveCount = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    /** Bytes kept for reuse at most; beyond that released buffers are destroyed. */
    private readonly maxPooledBytes: number,
  ) {}

  acquire(byteLength: number, label?: string): GPUBuffer {
    const size = sizeClass(byteLength);
    const list = this.free.get(size);
    const reused = list?.pop();
    this.live += size;
    this.liveCount++;
    if (reused) {
      this.pooled -= size;
      return reused;
    }
    return this.device.createBuffer({ size, usage: this.usage, label });
  }

  /** Hand a buffer back; it becomes reusable at the next `recycle()`. */
  release(buffer: GPUBuffer): void {
    this.live -= buffer.size;
    this.liveCount--;
    this.pending.push(buffer);
  }

  /** Make released buffers reusable (call after the commands that used them were submitted). */
  recycle(): void {
    for (const b of this.pending) {
      if (this.pooled + b.size > this.maxPooledBytes) {
        b.destroy();
        continue;
      }
      let list = this.free.get(b.size);
      if (!list) this.free.set(b.size, (list = []));
      list.push(b);
      this.pooled += b.size;
    }
    this.pending = [];
  }

  stats(): { bytesInUse: number; buffersInUse: number; pooledBytes: number } {
    return { bytesInUse: this.live, buffersInUse: this.liveCount, pooledBytes: this.pooled };
  }

  destroy(): void {
    this.recycle();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooled = 0;
  }
}
