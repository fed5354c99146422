/** ONNX MatMul and Gemm → twinops MatMul and Gemm (both already have ONNX semantics). */
import type { TensorInfo } from '../../../ops/types.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const matmul: OnnxOpMapping = {
  op: 'MatMul',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    new Attrs(node, []);
    return { calls: ['MatMul'], run: (x, ins) => x.op('MatMul', [need(ins[0], 'A'), need(ins[1], 'B')]) };
  },
};

const gemm: OnnxOpMapping = {
  op: 'Gemm',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    // C is required before opset 11; `broadcast` (opset < 7) only permits what unidirectional broadcasting does
    arity(node, ctx.opset < 11 ? 3 : 2, 3);
    const at = new Attrs(node, ['alpha', 'beta', 'transA', 'transB', 'broadcast']);
    const attrs = { alpha: at.float('alpha', 1), beta: at.float('beta', 1), transA: at.int('transA', 0) !== 0, transB: at.int('transB', 0) !== 0 };
    return {
      calls: ['Gemm'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const c = ins[2];
        return x.op('Gemm', c ? [need(ins[0], 'A'), need(ins[1], 'B'), c] : [need(ins[0], 'A'), need(ins[1], 'B')], attrs);
      },
    };
  },
};

export const MATMUL_MAPPINGS: OnnxOpMapping[] = [matmul, gemm];
