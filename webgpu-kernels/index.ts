/** Registers every WebGPU twin (side effects only) and re-exports the backend the runtime creates. */
import './binary.js';
import './unary.js';
import './matmul.js';
import './gemm.js';
import './softmax.js';

export { GpuBackend, GpuStorage, type GpuBackendOptions, type GpuStats } from './runtime/backend.js';
import './shape-ops.js';
import './pool.js';
import './norm.js';
import './reduce.js';
import './copy.js';
import './conv.js';
import './resize.js';
import './conv-transpose.js';
import './range.js';
import './select.js';
