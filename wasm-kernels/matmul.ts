/** wasm launcher for MatMul (family `gemm`; the shared implementation is gemm-launch.ts). */
import type { MatMulPlan } from '../ops/matmul.js';
import { registry } from '../registry/registry.js';
import { runGemm } from './gemm-launch.js';

registry.register<MatMulPlan>({
  op: 'MatMul',
  device: 'wasm',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'gemm',
  run(ctx, inputs, outputs, plan) {
    runGemm('MatMul', ctx, inputs, outputs, plan);
  },
});
