import { ARITHMETIC_OPS, COMPARISON_OPS, binaryDef } from './binary.js';
import { gemmDef } from './gemm.js';
import { matmulDef } from './matmul.js';
import { softmaxDef } from './softmax.js';
import type { OpDef, Plan } from './types.js';
import { UNARY_OPS, unaryDef } from './unary.js';

/** Every operator contract, by op name. Op files outside the first set add theirs with defineOp(). */
export const OPS = new Map<string, OpDef<any, Plan>>([
  ...[...ARITHMETIC_OPS, ...COMPARISON_OPS].map((op) => [op, binaryDef(op)] as const),
  ...UNARY_OPS.map((op) => [op, unaryDef(op)] as const),
  ['MatMul', matmulDef],
  ['Gemm', gemmDef],
  ['Softmax', softmaxDef],
]);

/** Add an operator contract (called by an op file at import; a kernel launcher imports its op file). */
export function defineOp<A, P extends Plan>(def: OpDef<A, P>): OpDef<A, P> {
  if (OPS.has(def.name)) throw new Error(`ops: ${def.name} is defined twice`);
  OPS.set(def.name, def as OpDef<any, Plan>);
  return def;
}

export * from './types.js';
export * from './binary.js';
export * from './unary.js';
export * from './matmul.js';
export * from './gemm.js';
export * from './softmax.js';
export { broadcastShapes, stridesOf, normalizeAxis } from './shape.js';
