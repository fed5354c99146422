import type { DType } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { normalizeActivation } from './activation.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import { biasLayout, type GemmProblem } from './matmul.js';
import type { Activation, OpDef, Plan, TensorInfo } from './types.js';

export const GEMM_DTYPES: readonly DType[] = ['float32', 'int32'];

export interface GemmAttrs {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  activation?: Activation;
}

export interface GemmPlan extends Plan, GemmProblem {}

/** ONNX Gemm: Y = alpha * A' · B' + beta * C, A and B 2-D, C unidirectionally broadcastable to [M, N]. */
export const gemmDef: OpDef<GemmAttrs, GemmPlan> = {
  name: 'Gemm',
  plan(inputs: readonly TensorInfo[], attrs: GemmAttrs): GemmPlan {
    const op = 'Gemm';
    expectArity(op, inputs, 2, 3);
    const [a, b] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, a, GEMM_DTYPES, 'A');
    const dtype = expectSameDType(op, inputs);
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new ShapeError(op, `A and B must be 2-D, got A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)}`, 'RANK');
    }
    const transA = !!attrs.transA;
    const transB = !!attrs.transB;
    const alpha = attrs.alpha ?? 1;
    const beta = attrs.beta ?? 1;
    if (dtype === 'int32' && (!Number.isInteger(alpha) || !Number.isInteger(beta))) {
      throw new AttributeError(op, `int32 Gemm needs integer alpha and beta, got alpha=${alpha}, beta=${beta}`);
    }
    const M = transA ? a.shape[1]! : a.shape[0]!;
    const Ka = transA ? a.shape[0]! : a.shape[1]!;
    const Kb = transB ? b.shape[1]! : b.shape[0]!;
    const N = transB ? b.shape[0]! : b.shape[1]!;
    if (Ka !== Kb) {
      throw new ShapeError(op, `inner dimensions differ: A ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} has K=${Ka}, B ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} has K=${Kb}`);
    }
    const outShape = [M, N];
    const c = inputs[2];
    if (c && c.shape.length > 2) throw new ShapeError(op, `C must have rank <= 2, got ${fmtShape(c.shape)}`, 'RANK');
    const bias = c ? biasLayout(op, c, M, N, outShape) : undefined;
    const activation = normalizeActivation(op, attrs.activation);
    if (dtype !== 'float32' && activation.kind !== 'linear') {
      throw new ShapeError(op, `fused activation ${activation.kind} needs float32, got ${dtype}`);
    }
    return {
      outputs: [{ shape: outShape, dtype }],
      dispatchDType: dtype,
      M,
      N,
      K: Ka,
      transA,
      transB,
      alpha,
      beta: c ? beta : 0,
      batch: 1,
      aOffsets: [0],
      bOffsets: [0],
      sharedB: true,
      bias,
      activation,
    };
  },
};
