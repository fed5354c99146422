import { ARITHMETIC_OPS, COMPARISON_OPS, binaryDef } from './binary.js';
import { gemmDef } from './gemm.js';
import { matmulDef } from './matmul.js';
import { softmaxDef } from './softmax.js';
import type { OpDef, Plan } from './types.js';
import { UNARY_OPS, unaryDef } from './unary.js';

/** Every operator contract, by op name. */
export const OPS: ReadonlyMap<string, OpDef<any, Plan>> = new Map<string, OpDef<any, Plan>>([
  ...[...ARITHMETIC_OPS, ...COMPARISON_OPS].map((op) => [op, binaryDef(op)] as const),
  ...UNARY_OPS.map((op) => [op, unaryDef(op)] as const),
  ['MatMul', matmulDef],
  ['Gemm', gemmDef],
  ['Softmax', softmaxDef],
]);

export * from './types.js';
export * from './binary.js';
export * from './unary.js';
export * from './matmul.js';
export * from './gemm.js';
export * from './softmax.js';
export { broadcastShapes, stridesOf, normalizeAxis } from './shape.js';
