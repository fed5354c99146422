/** ONNX Identity: the input itself (the executor gives the output its own handle on the same storage). */
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Lowered, type OnnxOpMapping } from './types.js';

const identity: OnnxOpMapping = {
  op: 'Identity',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    new Attrs(node, []);
    return { calls: [], run: (_x, ins) => [need(ins[0], 'input')] };
  },
};

export const IDENTITY_MAPPINGS: OnnxOpMapping[] = [identity];
