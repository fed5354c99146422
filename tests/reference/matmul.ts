/**
 * float64 references for MatMul (numpy matmul: 1-D promotion, batch broadcasting; transA/transB
 * transpose the last two dims; optional fused bias broadcast to [M,N] and a fused activation) and
 * ONNX Gemm (Y = alpha·A'·B' + beta·C, C unidirectionally broadcast to [M,N]).
 *
 * Besides the values, the reference returns for every output element the magnitude sum
 * Σ|alpha·a_mk·b_kn| + |beta·c_mn| of the terms that were added, because the rounding error of a
 * float32 dot product is bounded by (terms)·u·Σ|terms|, not by the (possibly cancelled) result.
 * int32 uses two's-complement wrapping throughout (sum, alpha·dot, beta·C).
 */
import { broadcastShape, broadcastSourceIndex, sizeOf, unravel } from './broadcast.js';
import { activate, type RefActivation } from './unary.js';

export interface MatMulRefOptions {
  transA?: boolean;
  transB?: boolean;
  bias?: ArrayLike<number>;
  biasShape?: readonly number[];
  activation?: RefActivation;
}

export interface MatMulRefResult {
  shape: number[];
  M: number;
  N: number;
  K: number;
  /** float32: float64 values after the epilogue; int32: wrapped values. */
  data: Float64Array | Int32Array;
  /** Pre-activation float64 values (float32 only). */
  pre: Float64Array;
  /** Σ|terms| per output element, pre-activation (float32 only). */
  absSum: Float64Array;
}

interface Core {
  M: number;
  N: number;
  K: number;
  batchShape: number[];
  aBatch: number[];
  bBatch: number[];
  aMat: number;
  bMat: number;
}

function core(aShape: readonly number[], bShape: readonly number[], transA: boolean, transB: boolean) {
  if (aShape.length === 0 || bShape.length === 0) throw new Error('reference: matmul operands need rank >= 1');
  const a = aShape.length === 1 ? [1, aShape[0]!] : aShape.slice();
  const b = bShape.length === 1 ? [bShape[0]!, 1] : bShape.slice();
  const ar = a.length;
  const br = b.length;
  const M = transA ? a[ar - 1]! : a[ar - 2]!;
  const Ka = transA ? a[ar - 2]! : a[ar - 1]!;
  const Kb = transB ? b[br - 1]! : b[br - 2]!;
  const N = transB ? b[br - 2]! : b[br - 1]!;
  if (Ka !== Kb) throw new Error(`reference: matmul inner dims ${Ka} vs ${Kb}`);
  const aBatch = a.slice(0, ar - 2);
  const bBatch = b.slice(0, br - 2);
  const batchShape = broadcastShape(aBatch, bBatch);
  const c: Core = { M, N, K: Ka, batchShape, aBatch, bBatch, aMat: M * Ka, bMat: Ka * N };
  return c;
}

/** numpy.matmul output shape (with the promoted dimension of a 1-D operand removed). */
export function matmulShape(aShape: readonly number[], bShape: readonly number[], transA = false, transB = false): number[] {
  const c = core(aShape, bShape, transA, transB);
  const out = [...c.batchShape];
  if (aShape.length > 1) out.push(c.M);
  if (bShape.length > 1) out.push(c.N);
  return out;
}

function biasIndex(biasShape: readonly number[], m: number, n: number): number {
  // Only the trailing two dims of a bias may differ from 1 (leading dims are 1 and contribute nothing).
  const s = biasShape.slice(Math.max(0, biasShape.length - 2));
  return broadcastSourceIndex([m, n], s);
}

function genericMM(
  dtype: 'float32' | 'int32',
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  c: ArrayLike<number> | undefined,
  cShape: readonly number[] | undefined,
  activation: RefActivation,
  shape: number[],
): MatMulRefResult {
  const k = core(aShape, bShape, transA, transB);
  const { M, N, K } = k;
  if (a.length !== sizeOf(aShape) || b.length !== sizeOf(bShape)) throw new Error('reference: data length does not match shape');
  if (c && cShape && c.length !== sizeOf(cShape)) throw new Error('reference: bias length does not match shape');
  const nb = sizeOf(k.batchShape);
  const total = nb * M * N;
  const isInt = dtype === 'int32';
  const data = isInt ? new Int32Array(total) : new Float64Array(total);
  const pre = new Float64Array(isInt ? 0 : total);
  const absSum = new Float64Array(isInt ? 0 : total);
  for (let bi = 0; bi < nb; bi++) {
    const bIdx = unravel(bi, k.batchShape);
    const aOff = broadcastSourceIndex(bIdx, k.aBatch) * k.aMat;
    const bOff = broadcastSourceIndex(bIdx, k.bBatch) * k.bMat;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const o = (bi * M + m) * N + n;
        const cv = c && cShape ? c[biasIndex(cShape, m, n)]! : undefined;
        if (isInt) {
          let acc = 0;
          for (let kk = 0; kk < K; kk++) {
            const av = a[aOff + (transA ? kk * M + m : m * K + kk)]!;
            const bv = b[bOff + (transB ? n * K + kk : kk * N + n)]!;
            acc = (acc + Math.imul(av, bv)) | 0;
          }
          let v = Math.imul(alpha, acc);
          if (cv !== undefined) v = (v + Math.imul(beta, cv)) | 0;
          data[o] = v;
        } else {
          let acc = 0;
          let abs = 0;
          for (let kk = 0; kk < K; kk++) {
            const av = a[aOff + (transA ? kk * M + m : m * K + kk)]!;
            const bv = b[bOff + (transB ? n * K + kk : kk * N + n)]!;
            const p = av * bv; // exact in float64 for float32 inputs
            acc += p;
            abs += Math.abs(p);
          }
          let v = alpha * acc;
          abs *= Math.abs(alpha);
          if (cv !== undefined) {
            v += beta * cv;
            abs += Math.abs(beta * cv);
          }
          pre[o] = v;
          absSum[o] = abs;
          data[o] = activate(activation, v);
        }
      }
    }
  }
  return { shape, M, N, K, data, pre, absSum };
}

/** numpy/tfjs fused MatMul: act(A'·B' + bias). */
export function refMatMul(
  dtype: 'float32' | 'int32',
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  opts: MatMulRefOptions = {},
): MatMulRefResult {
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const shape = matmulShape(aShape, bShape, transA, transB);
  return genericMM(dtype, a, aShape, b, bShape, transA, transB, 1, 1, opts.bias, opts.biasShape, opts.activation ?? { kind: 'linear' }, shape);
}

export interface GemmRefOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** ONNX Gemm on 2-D A, B with optional C (rank <= 2, unidirectionally broadcast to [M,N]). */
export function refGemm(
  dtype: 'float32' | 'int32',
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  c: ArrayLike<number> | undefined,
  cShape: readonly number[] | undefined,
  opts: GemmRefOptions = {},
): MatMulRefResult {
  if (aShape.length !== 2 || bShape.length !== 2) throw new Error('reference: Gemm needs 2-D A and B');
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const shape = matmulShape(aShape, bShape, transA, transB);
  return genericMM(dtype, a, aShape, b, bShape, transA, transB, opts.alpha ?? 1, opts.beta ?? 1, c, cShape, { kind: 'linear' }, shape);
}
