/**
 * Registration of tfjs kernels for the twinops backend. A kernel function receives the backend and
 * translates tfjs inputs/attributes into twinops ops (backend.runOp); it computes nothing itself.
 * Each kernel names the twinops ops it needs, and is registered only where all of them exist, so a
 * tfjs kernel twinops cannot run yet fails with tfjs' own "not registered" error naming it.
 */
import { registerKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { OPS } from '../../../ops/index.js';
import { registry } from '../../../registry/registry.js';
import type { Device } from '../../../core/tensor.js';
import type { TwinopsBackend } from '../backend.js';

export const BACKEND_NAME = 'twinops';

export type TwinopsKernelFunc = (args: {
  inputs: NamedTensorInfoMap;
  attrs: NamedAttrMap;
  backend: TwinopsBackend;
}) => TensorInfo | TensorInfo[];

export interface TwinopsKernel {
  kernelName: string;
  /** twinops ops the kernel runs (empty for metadata-only kernels) */
  ops: readonly string[];
  kernelFunc: TwinopsKernelFunc;
}

/** Every kernel this adapter defines. */
export const KERNELS: TwinopsKernel[] = [];

export interface KernelOptions {
  /** run on each part of complex64 inputs (see perComplexPart) */
  complexParts?: boolean;
  /** move string inputs by index (see perStringIndex) */
  strings?: boolean;
}

export function defineKernel(kernelName: string, ops: readonly string[], kernelFunc: TwinopsKernelFunc, opts: KernelOptions = {}): void {
  let f = kernelFunc;
  if (opts.complexParts) f = perComplexPart(kernelName, f);
  if (opts.strings) f = perStringIndex(kernelName, f);
  KERNELS.push({ kernelName, ops, kernelFunc: f });
}

/** The ops with a kernel (some dtype) on `device`, from one pass over the registry. */
function opsOn(device: Device): Set<string> {
  return new Set(registry.list().filter((e) => e.device === device).map((e) => e.op));
}

/**
 * The kernels whose twinops ops all exist in this build; for 'webgpu', whose ops all have a
 * WebGPU kernel (GPU tensors cannot move to wasm inside a synchronous tfjs kernel, so a kernel
 * that would need a wasm-only op is not registered there and tfjs reports it as missing).
 */
export function availableKernels(device: Device = 'wasm'): TwinopsKernel[] {
  const there = device === 'wasm' ? undefined : opsOn(device);
  return KERNELS.filter((k) => k.ops.every((op) => OPS.has(op) && (!there || there.has(op))));
}

/** Register the available kernels under `backendName`; returns their names. */
export function registerKernels(backendName: string, device: Device = 'wasm'): string[] {
  const ks = availableKernels(device);
  for (const k of ks) {
    registerKernel({ kernelName: k.kernelName, backendName, kernelFunc: k.kernelFunc as unknown as KernelConfig['kernelFunc'] });
  }
  return ks.map((k) => k.kernelName);
}

/** The one input of a unary kernel (named x). */
export function inputX(inputs: NamedTensorInfoMap): TensorInfo {
  return inputs.x as TensorInfo;
}

/** Whether any input has `dtype` (no allocation: every call of the wrapped kernels asks). */
function hasDtype(inputs: NamedTensorInfoMap, dtype: string): boolean {
  for (const k in inputs) {
    const t = inputs[k];
    if (t !== undefined && t !== null && t.dtype === dtype) return true;
  }
  return false;
}

/**
 * For kernels that act on each part of a complex value independently (data movement, Add, Sub,
 * Neg): complex64 inputs run the kernel once on their real parts and once on their imaginary
 * parts, and the results are paired again. Other inputs pass unchanged to both runs.
 */
export function perComplexPart(kernelName: string, f: TwinopsKernelFunc): TwinopsKernelFunc {
  return (args) => {
    if (!hasDtype(args.inputs, 'complex64')) return f(args);
    const entries = Object.entries(args.inputs) as [string, TensorInfo][];
    const { backend } = args;
    const taken: TensorInfo[] = [];
    const partInputs = (part: 'real' | 'imag') => {
      const out = (Array.isArray(args.inputs) ? [] : {}) as Record<string, TensorInfo>;
      for (const [k, t] of entries) {
        if (t?.dtype === 'complex64') {
          const p = backend.complexPart(kernelName, t, part);
          taken.push(p);
          out[k] = p;
        } else out[k] = t;
      }
      return out as unknown as NamedTensorInfoMap;
    };
    const results: TensorInfo[] = [];
    try {
      const re = f({ ...args, inputs: partInputs('real') });
      const reList = Array.isArray(re) ? re : [re];
      results.push(...reList);
      const im = f({ ...args, inputs: partInputs('imag') });
      const imList = Array.isArray(im) ? im : [im];
      results.push(...imList);
      const paired = reList.map((r, i) => backend.makeComplex(r, imList[i]!));
      return Array.isArray(re) ? paired : paired[0]!;
    } finally {
      for (const t of [...taken, ...results]) backend.release(t);
    }
  };
}

/**
 * For data-movement kernels on string tensors (which stay in JS): the kernel runs on int32 tensors
 * holding each string's index (string inputs numbered one after another), and the output strings
 * are looked up from the indices it moved. The twinops op decides every placement.
 */
export function perStringIndex(kernelName: string, f: TwinopsKernelFunc): TwinopsKernelFunc {
  return (args) => {
    if (!hasDtype(args.inputs, 'string')) return f(args);
    const entries = Object.entries(args.inputs) as [string, TensorInfo][];
    const { backend } = args;
    const table: Uint8Array[] = [];
    const made: TensorInfo[] = [];
    const out = (Array.isArray(args.inputs) ? [] : {}) as Record<string, TensorInfo>;
    const results: TensorInfo[] = [];
    try {
      for (const [k, t] of entries) {
        if (t?.dtype !== 'string') {
          out[k] = t;
          continue;
        }
        const values = backend.readSync(t.dataId) as Uint8Array[];
        const first = table.length;
        table.push(...values);
        const idx = backend.write(Int32Array.from(values, (_, i) => first + i), t.shape, 'int32');
        const info: TensorInfo = { dataId: idx, shape: t.shape, dtype: 'int32' };
        made.push(info);
        out[k] = info;
      }
      const r = f({ ...args, inputs: out as unknown as NamedTensorInfoMap });
      const list = Array.isArray(r) ? r : [r];
      results.push(...list);
      const strings = list.map((o) => {
        const picked = Array.from(backend.readSync(o.dataId) as Int32Array, (i) => table[i]!);
        return { dataId: backend.write(picked, o.shape, 'string'), shape: o.shape, dtype: 'string' as const };
      });
      return Array.isArray(r) ? strings : strings[0]!;
    } finally {
      for (const t of [...made, ...results]) backend.release(t);
    }
  };
}
