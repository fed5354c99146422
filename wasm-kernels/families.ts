import type { WatFamily } from './templates/wat.js';
import { binaryFamily } from './binary.wat.js';
import { gemmFamily } from './gemm.wat.js';
import { softmaxFamily } from './softmax.wat.js';
import { unaryFamily } from './unary.wat.js';

/** Every kernel family the build assembles, in a stable order (its index is the family id workers use). */
export const FAMILIES: WatFamily[] = [binaryFamily, unaryFamily, softmaxFamily, gemmFamily];
