/**
 * twinops: per-operator WebAssembly kernels with WebGPU twins behind a device-aware registry.
 *
 *   const rt = await createRuntime({ device: 'wasm', threads: 2 });
 *   const a = rt.tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
 *   const c = rt.matmul(a, a);
 *   console.log(c.dataSync());
 *   rt.dispose();
 */
export { createRuntime, Runtime, type RuntimeOptions, type RuntimeInfo, type MemoryInfo, type TensorData } from './core/runtime.js';
export { Tensor, type Device, type Storage } from './core/tensor.js';
export { DTYPES, type DType, type AnyTypedArray } from './core/dtype.js';
export {
  TwinopsError,
  ShapeError,
  DTypeError,
  AttributeError,
  DisposedError,
  NoKernelError,
  DeviceError,
  OutOfMemoryError,
  type ErrorCode,
} from './core/errors.js';
export { registry, Registry, type Kernel, type KernelEntry, type KernelContext } from './registry/registry.js';
export { OPS, type Activation, type Plan, type OpDef, type TensorInfo } from './ops/index.js';
export { createThreadPool, ThreadPool, WasmBackend } from './wasm-kernels/runtime/backend.js';
export { detectFeatures, type WasmFeatures } from './wasm-kernels/runtime/features.js';
