import { GEMM_DTYPES, type GemmPlan } from '../ops/gemm.js';
import { registry } from '../registry/registry.js';
import { runGemm } from './gemm-shader.js';
import { gpuOf } from './runtime/kernel.js';

/** ONNX Gemm (transA/transB, alpha, beta·C broadcast to [M, N], optional fused activation) on the shared tiled GEMM. */
registry.register<GemmPlan>({
  op: 'Gemm',
  device: 'webgpu',
  dtypes: GEMM_DTYPES,
  kind: 'compute',
  family: 'gemm',
  run(ctx, inputs, outputs, plan) {
    runGemm(gpuOf(ctx, 'Gemm'), 'Gemm', plan.dispatchDType, inputs[0]!, inputs[1]!, inputs[2], outputs[0]!, plan);
  },
});
