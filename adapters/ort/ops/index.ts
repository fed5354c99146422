/**
 * The ONNX → twinops mapping table: one entry per (domain, op type). Each op family has its own
 * file; add a family by appending its list here.
 */
import { CONV_MAPPINGS } from './conv.js';
import { DATA_MAPPINGS } from './data.js';
import { ELEMENTWISE_MAPPINGS } from './elementwise.js';
import { IDENTITY_MAPPINGS } from './identity.js';
import { LRN_MAPPINGS } from './lrn.js';
import { MATMUL_MAPPINGS } from './matmul.js';
import { METADATA_MAPPINGS } from './metadata.js';
import { POOL_MAPPINGS } from './pool.js';
import { RANGE_MAPPINGS } from './range.js';
import { REDUCE_MAPPINGS } from './reduce.js';
import { RESIZE_MAPPINGS } from './resize.js';
import { SHAPE_MAPPINGS } from './shape.js';
import { SOFTMAX_MAPPINGS } from './softmax.js';
import { TOPK_MAPPINGS } from './topk.js';
import type { OnnxOpMapping } from './types.js';
import { UNARY_MAPPINGS } from './unary.js';

export * from './types.js';
export { constantValue } from './constant.js';

const ALL: OnnxOpMapping[] = [...ELEMENTWISE_MAPPINGS, ...UNARY_MAPPINGS, ...MATMUL_MAPPINGS, ...SOFTMAX_MAPPINGS, ...IDENTITY_MAPPINGS, ...CONV_MAPPINGS, ...POOL_MAPPINGS, ...SHAPE_MAPPINGS, ...DATA_MAPPINGS, ...REDUCE_MAPPINGS, ...RESIZE_MAPPINGS, ...METADATA_MAPPINGS, ...RANGE_MAPPINGS, ...TOPK_MAPPINGS, ...LRN_MAPPINGS];

export const ONNX_OPS = new Map<string, OnnxOpMapping>();
for (const m of ALL) {
  const key = `${m.domain}::${m.op}`;
  if (ONNX_OPS.has(key)) throw new Error(`adapters/ort: ${key} is mapped twice`);
  ONNX_OPS.set(key, m);
}

/** The mapping for a node's (domain, op), or undefined. */
export function findMapping(domain: string, op: string): OnnxOpMapping | undefined {
  return ONNX_OPS.get(`${domain}::${op}`);
}
