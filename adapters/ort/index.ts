/**
 * twinops/ort: an onnxruntime backend that runs ONNX models on twinops kernels.
 *
 *   import * as ort from 'onnxruntime-web';   // or 'onnxruntime-node', 'onnxruntime-common'
 *   import { registerOrtBackend } from 'twinops/ort';
 *   registerOrtBackend(ort);                   // 'twinops' (wasm) and 'twinops-webgpu'
 *   const session = await ort.InferenceSession.create(bytes, { executionProviders: ['twinops'] });
 */
export { registerOrtBackend, TwinopsOrtBackend, type OrtBackendOptions } from './backend.js';
export { TwinopsSessionHandler, type OrtModule } from './session-handler.js';
export { OnnxModelError, OrtArgumentError, UnsupportedOpsError, type UnsupportedNode } from './errors.js';
export { parseModel, type OnnxModel, type OnnxNode, type ValueDecl, type Dim } from './model.js';
export { tensorFromProto, type HostTensor } from './tensor-proto.js';
export { ONNX_OPS } from './ops/index.js';
export { Profiler, type NodeEvent } from './profiler.js';
export { runOnnxValues } from './run-values.js';
