/**
 * Every ONNX → twinops op family. The first families are listed in ALL; a newer family file calls
 * `addMappings` itself and is imported by one line appended at the end of this file.
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
import { addMappings } from './table.js';
import { UNARY_MAPPINGS } from './unary.js';

export * from './types.js';
export { constantValue } from './constant.js';
export { ONNX_OPS, addMappings, findMapping } from './table.js';

const ALL: OnnxOpMapping[] = [...ELEMENTWISE_MAPPINGS, ...UNARY_MAPPINGS, ...MATMUL_MAPPINGS, ...SOFTMAX_MAPPINGS, ...IDENTITY_MAPPINGS, ...CONV_MAPPINGS, ...POOL_MAPPINGS, ...SHAPE_MAPPINGS, ...DATA_MAPPINGS, ...REDUCE_MAPPINGS, ...RESIZE_MAPPINGS, ...METADATA_MAPPINGS, ...RANGE_MAPPINGS, ...TOPK_MAPPINGS, ...LRN_MAPPINGS];

addMappings(ALL);

// Family files added later register themselves with addMappings (append one import line each):
import './indexing.js';
import './einsum.js';
import './nn.js';
import './quant.js';
import './control.js';
import './sequence.js';
import './signal.js';
import './unique.js';
import './nms.js';
import './bitcast.js';
import './flex-attention.js';
