/**
 * Metadata kernels (Reshape, Flatten, Squeeze, Unsqueeze, Identity) on WebGPU: the output aliases
 * input 0. int64 and the other dtypes outside GPU_DTYPES are left out: such tensors always live on wasm, where the wasm kernel serves them.
 */
import { DTYPES, gpuStorable } from '../core/dtype.js';
import { SHAPE_OPS } from '../ops/shape-ops.js';
import { registry } from '../registry/registry.js';

for (const op of SHAPE_OPS) {
  registry.register({ op, device: 'webgpu', dtypes: DTYPES.filter(gpuStorable), kind: 'metadata', family: 'shape-ops', alias: () => [0] });
}
