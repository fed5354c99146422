/**
 * BitCast on wasm: a metadata kernel, the output aliases the input's storage (the plan gives it the
 * new dtype). No WebGPU twin: its outputs would include dtypes that cannot live on WebGPU, so BitCast
 * runs on wasm (docs/OPS.md shows the gap).
 */
import { DTYPES } from '../core/dtype.js';
import '../ops/bitcast.js';
import { registry } from '../registry/registry.js';

registry.register({ op: 'BitCast', device: 'wasm', dtypes: DTYPES.filter((d) => d !== 'int4' && d !== 'uint4'), kind: 'metadata', family: 'bitcast', alias: () => [0] });
