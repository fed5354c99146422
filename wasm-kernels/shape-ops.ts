/** Metadata kernels (Reshape, Flatten, Squeeze, Unsqueeze, Identity) on wasm: the output aliases input 0. */
import { DTYPES } from '../core/dtype.js';
import { SHAPE_OPS } from '../ops/shape-ops.js';
import { registry } from '../registry/registry.js';

for (const op of SHAPE_OPS) {
  registry.register({ op, device: 'wasm', dtypes: DTYPES, kind: 'metadata', family: 'shape-ops', alias: () => [0] });
}
