import { gpuStorable } from '../core/dtype.js';
import { MATMUL_DTYPES, type MatMulPlan } from '../ops/matmul.js';
import { registry } from '../registry/registry.js';
import { runGemm } from './gemm-shader.js';
import { gpuOf } from './runtime/kernel.js';

/** MatMul (numpy semantics, batch broadcasting, optional fused bias and activation) on the shared tiled GEMM. */
registry.register<MatMulPlan>({
  op: 'MatMul',
  device: 'webgpu',
  // float64 has no WebGPU storage
  dtypes: MATMUL_DTYPES.filter(gpuStorable),
  kind: 'compute',
  family: 'gemm',
  run(ctx, inputs, outputs, plan) {
    runGemm(gpuOf(ctx, 'MatMul'), 'MatMul', plan.dispatchDType, inputs[0]!, inputs[1]!, inputs[2], outputs[0]!, plan);
  },
});
