import { OutOfMemoryError } from '../../core/errors.js';

const PAGE = 65536;
/** Every block starts on a 64-byte boundary (a cache line; also what SIMD loads like). */
export const ALIGN = 64;
/** wasm32 addresses stop at 4 GiB. */
export const MAX_PAGES = 65536;

export interface HeapStats {
  /** Current size of the linear memory in bytes. */
  heapBytes: number;
  /** Bytes in live blocks. */
  inUse: number;
  /** Highest `inUse` ever seen. */
  highWater: number;
  liveBlocks: number;
}

/**
 * The allocator behind a runtime's linear memory. Free blocks sit in an address-sorted list and
 * merge with their neighbours; allocation is best fit, then the top of the heap, then memory.grow.
 * Address 0..ALIGN is never handed out, so 0 can mean "no pointer" in kernels.
 */
export class Heap {
  private readonly memory: WebAssembly.Memory;
  private readonly maxPages: number;
  /** Free blocks [addr, size], sorted by address. */
  private free_: { addr: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();
  private top = ALIGN;
  /** Times the memory has grown (views over its buffer are stale when this moves). */
  grows = 0;
  private inUse = 0;
  private highWater = 0;
  /** memory.buffer.byteLength, kept here: reading memory.buffer costs a buffer object (shared memory). */
  private capacity: number;

  constructor(memory: WebAssembly.Memory, maxPages = MAX_PAGES) {
    this.memory = memory;
    this.maxPages = maxPages;
    this.capacity = memory.buffer.byteLength;
  }

  alloc(bytes: number, op?: string): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let best = -1;
    for (let i = 0; i < this.free_.length; i++) {
      const b = this.free_[i]!;
      if (b.size >= size && (best < 0 || b.size < this.free_[best]!.size)) {
        best = i;
        if (b.size === size) break;
      }
    }
    let addr: number;
    if (best >= 0) {
      const b = this.free_[best]!;
      addr = b.addr;
      if (b.size === size) this.free_.splice(best, 1);
      else {
        b.addr += size;
        b.size -= size;
      }
    } else {
      // Reuse a free block that touches the top before growing.
      const last = this.free_[this.free_.length - 1];
      if (last && last.addr + last.size === this.top) {
        this.free_.pop();
        this.top = last.addr;
      }
      addr = this.top;
      this.ensure(addr + size, op);
      this.top = addr + size;
    }
    this.sizes.set(addr, size);
    this.inUse += size;
    if (this.inUse > this.highWater) this.highWater = this.inUse;
    return addr;
  }

  free(addr: number): void {
    const size = this.sizes.get(addr);
    if (size === undefined) throw new Error(`heap: free of unknown address ${addr}`);
    this.sizes.delete(addr);
    this.inUse -= size;
    const list = this.free_;
    if (addr + size === this.top) {
      // the top block (the common last-allocated, first-freed case): back to the bump pointer, with a
      // free block that now touches the top (what the sorted insert below would merge and pop too)
      this.top = addr;
      const last = list[list.length - 1];
      if (last && last.addr + last.size === addr) {
        list.pop();
        this.top = last.addr;
      }
      return;
    }
    // insert sorted, merging with neighbours
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.addr < addr) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    if (prev && prev.addr + prev.size === addr) {
      prev.size += size;
      if (next && prev.addr + prev.size === next.addr) {
        prev.size += next.size;
        list.splice(lo, 1);
      }
    } else if (next && addr + size === next.addr) {
      next.addr = addr;
      next.size += size;
    } else {
      list.splice(lo, 0, { addr, size });
    }
    // give the top block back to the bump pointer
    const last = list[list.length - 1];
    if (last && last.addr + last.size === this.top) {
      list.pop();
      this.top = last.addr;
    }
  }

  sizeOf(addr: number): number | undefined {
    return this.sizes.get(addr);
  }

  stats(): HeapStats {
    return { heapBytes: this.memory.buffer.byteLength, inUse: this.inUse, highWater: this.highWater, liveBlocks: this.sizes.size };
  }

  /** Reset the high-water mark to the current use (for leak tests over a steady state). */
  resetHighWater(): void {
    this.highWater = this.inUse;
  }

  private ensure(end: number, op: string | undefined): void {
    if (end <= this.capacity) return;
    const have = this.memory.buffer.byteLength;
    const needPages = Math.ceil(end / PAGE);
    if (needPages > this.maxPages) {
      throw new OutOfMemoryError(op, `allocating ${end - this.top} bytes would take the wasm heap to ${end} bytes, past the ${(this.maxPages * PAGE) / 2 ** 30} GiB wasm32 limit (in use: ${this.inUse} bytes)`);
    }
    // grow geometrically (×1.5) to keep the number of grows low, capped at the limit
    const curPages = have / PAGE;
    const target = Math.min(this.maxPages, Math.max(needPages, Math.ceil(curPages * 1.5)));
    try {
      this.memory.grow(target - curPages);
    } catch {
      try {
        this.memory.grow(needPages - curPages);
      } catch (e) {
        throw new OutOfMemoryError(op, `the engine refused to grow the wasm heap to ${needPages * PAGE} bytes (${String(e)})`);
      }
    }
    this.grows++;
    this.capacity = this.memory.buffer.byteLength;
  }
}
