/** wasm launcher for Gemm (family `gemm`; the shared implementation is gemm-launch.ts). */
import type { GemmPlan } from '../ops/gemm.js';
import { registry } from '../registry/registry.js';
import { runGemm } from './gemm-launch.js';

registry.register<GemmPlan>({
  op: 'Gemm',
  device: 'wasm',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'gemm',
  run(ctx, inputs, outputs, plan) {
    runGemm('Gemm', ctx, inputs, outputs, plan);
  },
});
