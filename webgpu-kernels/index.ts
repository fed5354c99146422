/** Registers every WebGPU twin (side effects only) and re-exports the backend the runtime creates. */
import './binary.js';
import './unary.js';
import './matmul.js';
import './gemm.js';
import './softmax.js';

export { GpuBackend, GpuStorage, type GpuBackendOptions, type GpuStats } from './runtime/backend.js';
