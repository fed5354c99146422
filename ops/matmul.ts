import type { DType } from '../core/dtype.js';
import { ShapeError, fmtShape } from '../core/errors.js';
import { normalizeActivation } from './activation.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import { broadcastShapes, broadcastStrides, collapseBroadcast, shapeSize } from './shape.js';
import type { Activation, OpDef, Plan, TensorInfo } from './types.js';

/** float64 runs on wasm only (a plain row kernel, no packing). */
export const MATMUL_DTYPES: readonly DType[] = ['float32', 'int32', 'float64'];

export interface MatMulAttrs {
  /** Treat the last two dims of A (B) as transposed (tfjs BatchMatMul transpose_a / transpose_b). */
  transA?: boolean;
  transB?: boolean;
  /** Fused epilogue, applied after the optional bias. float32 only. */
  activation?: Activation;
}

/** How a bias (third input) maps onto an [M, N] output tile: element (i, j) reads bias[i*rowStride + j*colStride]. */
export interface BiasLayout {
  rowStride: number;
  colStride: number;
}

/**
 * GEMM problem shared by MatMul and Gemm: out[b] = act(alpha * op(A[b]) · op(B[b]) + beta * bias).
 * A[b] starts at aOffsets[b] elements, B[b] at bOffsets[b]; out[b] at b*M*N.
 * With transA false, A is M×K with row stride K; with transA true, A is stored K×M (row stride M). Same for B.
 */
export interface GemmProblem {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  /** Number of output matrices. */
  batch: number;
  aOffsets: number[];
  bOffsets: number[];
  /** True when every batch shares one B (B is 2-D or broadcast): its packed form can be reused across the batch. */
  sharedB: boolean;
  bias: BiasLayout | undefined;
  activation: Activation;
}

export interface MatMulPlan extends Plan, GemmProblem {}

function batchOffsets(aBatch: readonly number[], bBatch: readonly number[], outBatch: readonly number[], aMat: number, bMat: number) {
  const aStr = broadcastStrides(aBatch, outBatch).map((s) => s * aMat);
  const bStr = broadcastStrides(bBatch, outBatch).map((s) => s * bMat);
  const c = collapseBroadcast(outBatch, [aStr, bStr]);
  const n = shapeSize(outBatch);
  const aOffsets = new Array<number>(n);
  const bOffsets = new Array<number>(n);
  const idx = new Array<number>(c.shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < idx.length; d++) {
      ao += idx[d]! * c.strides[0]![d]!;
      bo += idx[d]! * c.strides[1]![d]!;
    }
    aOffsets[i] = ao;
    bOffsets[i] = bo;
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < c.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { aOffsets, bOffsets, sharedB: bOffsets.every((o) => o === 0) };
}

/** Resolve a bias shape against an [..., M, N] output; only biases broadcastable to [M, N] are fused. */
export function biasLayout(op: string, bias: TensorInfo, M: number, N: number, outShape: readonly number[]): BiasLayout {
  const s = bias.shape;
  const bad = () => new ShapeError(op, `bias ${fmtShape(s)} cannot be broadcast to the output ${fmtShape(outShape)} as a per-matrix [M,N] term`);
  if (s.length > 2 && s.slice(0, s.length - 2).some((d) => d !== 1)) throw bad();
  const rows = s.length >= 2 ? s[s.length - 2]! : 1;
  const cols = s.length >= 1 ? s[s.length - 1]! : 1;
  if ((rows !== 1 && rows !== M) || (cols !== 1 && cols !== N)) throw bad();
  return { rowStride: rows === 1 ? 0 : cols, colStride: cols === 1 ? 0 : 1 };
}

/**
 * MatMul with numpy semantics: 1-D operands are promoted (and the added dimension removed from the
 * output), batch dimensions broadcast. An optional third input is a fused bias, as in tfjs _FusedMatMul.
 */
export const matmulDef: OpDef<MatMulAttrs, MatMulPlan> = {
  name: 'MatMul',
  plan(inputs: readonly TensorInfo[], attrs: MatMulAttrs): MatMulPlan {
    const op = 'MatMul';
    expectArity(op, inputs, 2, 3);
    const [a, b] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, a, MATMUL_DTYPES, 'A');
    const dtype = expectSameDType(op, inputs);
    if (a.shape.length === 0 || b.shape.length === 0) {
      throw new ShapeError(op, `operands must have rank >= 1, got A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)}`, 'RANK');
    }
    const transA = !!attrs.transA;
    const transB = !!attrs.transB;
    if ((transA && a.shape.length === 1) || (transB && b.shape.length === 1)) {
      throw new ShapeError(op, `a transpose flag needs a rank >= 2 operand, got A ${fmtShape(a.shape)}${transA ? ' with transA' : ''} and B ${fmtShape(b.shape)}${transB ? ' with transB' : ''}`, 'RANK');
    }
    const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape.slice();
    const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape.slice();
    const ar = aShape.length;
    const br = bShape.length;
    const M = transA ? aShape[ar - 1]! : aShape[ar - 2]!;
    const Ka = transA ? aShape[ar - 2]! : aShape[ar - 1]!;
    const Kb = transB ? bShape[br - 1]! : bShape[br - 2]!;
    const N = transB ? bShape[br - 2]! : bShape[br - 1]!;
    if (Ka !== Kb) {
      throw new ShapeError(op, `inner dimensions differ: A ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} has K=${Ka}, B ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} has K=${Kb}`);
    }
    let outBatch: number[];
    try {
      outBatch = broadcastShapes(op, aShape.slice(0, ar - 2), bShape.slice(0, br - 2));
    } catch {
      throw new ShapeError(op, `batch dimensions of A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)} cannot be broadcast (${fmtShape(aShape.slice(0, ar - 2))} vs ${fmtShape(bShape.slice(0, br - 2))})`);
    }
    const outShape = [...outBatch];
    if (a.shape.length > 1) outShape.push(M);
    if (b.shape.length > 1) outShape.push(N);
    const activation = normalizeActivation(op, attrs.activation);
    if (dtype !== 'float32' && activation.kind !== 'linear') {
      throw new ShapeError(op, `fused activation ${activation.kind} needs float32, got ${dtype}`);
    }
    const bias = inputs[2] ? biasLayout(op, inputs[2], M, N, outShape) : undefined;
    const offs = batchOffsets(aShape.slice(0, ar - 2), bShape.slice(0, br - 2), outBatch, M * Ka, Ka * N);
    return {
      outputs: [{ shape: outShape, dtype }],
      dispatchDType: dtype,
      M,
      N,
      K: Ka,
      transA,
      transB,
      alpha: 1,
      beta: 1,
      batch: shapeSize(outBatch),
      ...offs,
      bias,
      activation,
    };
  },
};
