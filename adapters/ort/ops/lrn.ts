/**
 * ONNX LRN → twinops LRN (layout NCHW). The contract takes ONNX's attributes unchanged: size
 * (required), alpha (default 1e-4, divided by size in the formula), beta (0.75), bias (1).
 */
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Lowered, type OnnxOpMapping } from './types.js';

const lrn: OnnxOpMapping = {
  op: 'LRN',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['size', 'alpha', 'beta', 'bias']);
    // a missing size reaches the contract as NaN, which rejects it with an AttributeError naming LRN
    const attrs = { size: at.int('size', NaN), alpha: at.float('alpha', 1e-4), beta: at.float('beta', 0.75), bias: at.float('bias', 1), layout: 'NCHW' as const };
    return { calls: ['LRN'], run: (x, ins) => x.op('LRN', [need(ins[0], 'X')], attrs) };
  },
};

export const LRN_MAPPINGS: OnnxOpMapping[] = [lrn];
