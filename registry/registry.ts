import type { DType } from '../core/dtype.js';
import { NoKernelError } from '../core/errors.js';
import type { Device, Tensor } from '../core/tensor.js';
import type { Plan } from '../ops/types.js';

/**
 * What a kernel gets when it runs: the backends of the runtime that called it. A kernel reads its
 * inputs' storage and writes into outputs that the runtime has already allocated on the kernel's device.
 */
export interface KernelContext {
  readonly wasm: import('../wasm-kernels/runtime/backend.js').WasmBackend;
  readonly gpu: import('../webgpu-kernels/runtime/backend.js').GpuBackend | undefined;
}

export interface Kernel<P extends Plan = Plan> {
  readonly op: string;
  readonly device: Device;
  readonly dtypes: readonly DType[];
  /** 'compute' kernels do arithmetic in wasm or WGSL; 'metadata' kernels only move shapes (TypeScript). */
  readonly kind: 'compute' | 'metadata';
  /** The kernel family it runs, for the coverage matrix (e.g. 'binary', 'gemm'). */
  readonly family: string;
  /** Compute kernels fill outputs the runtime allocated. */
  run?(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: P): void;
  /**
   * Metadata kernels (Reshape, Squeeze, Identity, ...) allocate nothing: they return, per output, the
   * index of the input whose storage it shares (the runtime takes a reference on it).
   */
  alias?(inputs: readonly Tensor[], plan: P): number[];
}

export interface KernelEntry {
  op: string;
  dtype: DType;
  device: Device;
  kind: 'compute' | 'metadata';
  family: string;
}

/**
 * Kernels registered under (op, dtype, device). Dispatch walks a fallback order of devices
 * (the runtime's own device first, then wasm) and takes the first that has the kernel.
 */
export class Registry {
  private readonly kernels = new Map<string, Kernel<any>>();

  private static key(op: string, dtype: DType, device: Device): string {
    return `${op}|${dtype}|${device}`;
  }

  /** op → dtype → device → kernel: dispatch looks up without building a key string per call. */
  private readonly byOp = new Map<string, Map<DType, Map<Device, Kernel<any>>>>();

  register<P extends Plan>(kernel: Kernel<P>): void {
    if (!(kernel.kind === 'metadata' ? kernel.alias : kernel.run)) {
      throw new Error(`registry: ${kernel.kind} kernel ${kernel.op} on ${kernel.device} needs ${kernel.kind === 'metadata' ? 'alias()' : 'run()'}`);
    }
    for (const dtype of kernel.dtypes) {
      const k = Registry.key(kernel.op, dtype, kernel.device);
      if (this.kernels.has(k)) throw new Error(`registry: duplicate kernel for ${kernel.op} ${dtype} on ${kernel.device}`);
      this.kernels.set(k, kernel);
      let byDType = this.byOp.get(kernel.op);
      if (!byDType) this.byOp.set(kernel.op, (byDType = new Map()));
      let byDevice = byDType.get(dtype);
      if (!byDevice) byDType.set(dtype, (byDevice = new Map()));
      byDevice.set(kernel.device, kernel);
    }
  }

  get(op: string, dtype: DType, device: Device): Kernel | undefined {
    return this.byOp.get(op)?.get(dtype)?.get(device);
  }

  /** The first device in `order` with a kernel for (op, dtype); a NoKernelError listing what exists otherwise. */
  resolve(op: string, dtype: DType, order: readonly Device[]): Kernel {
    for (const device of order) {
      const k = this.get(op, dtype, device);
      if (k) return k;
    }
    const have = this.list().filter((e) => e.op === op);
    const avail = have.length ? have.map((e) => `${e.dtype}/${e.device}`).join(', ') : 'none';
    throw new NoKernelError(op, `no kernel for dtype ${dtype} on ${order.join(' or ')} (registered for this op: ${avail})`);
  }

  /** Every (op, dtype, device) entry, sorted. */
  list(): KernelEntry[] {
    const out: KernelEntry[] = [];
    for (const [key, k] of this.kernels) {
      const [op, dtype, device] = key.split('|') as [string, DType, Device];
      out.push({ op, dtype, device, kind: k.kind, family: k.family });
    }
    return out.sort((a, b) => a.op.localeCompare(b.op) || a.dtype.localeCompare(b.dtype) || a.device.localeCompare(b.device));
  }
}

/** The registry that twinops' own kernels register into. */
export const registry = new Registry();
