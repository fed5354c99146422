import type { WatFamily } from './templates/wat.js';
import { binaryFamily } from './binary.wat.js';
import { gemmFamily } from './gemm.wat.js';
import { softmaxFamily } from './softmax.wat.js';
import { unaryFamily } from './unary.wat.js';

/**
 * Every kernel family the build assembles. Its index here is the family id the thread pool's workers
 * use; the build embeds the list in this order. A new family adds its import and a FAMILIES.push line.
 */
export const FAMILIES: WatFamily[] = [binaryFamily, unaryFamily, softmaxFamily, gemmFamily];
import { poolFamily } from './pool.wat.js';
FAMILIES.push(poolFamily);
import { convFamily } from './conv.wat.js';
FAMILIES.push(convFamily);
import { reduceFamily } from './reduce.wat.js';
FAMILIES.push(reduceFamily);
import { copyFamily } from './copy.wat.js';
FAMILIES.push(copyFamily);
import { normFamily } from './norm.wat.js';
FAMILIES.push(normFamily);
import { resizeFamily } from './resize.wat.js';
FAMILIES.push(resizeFamily);
import { rangeFamily } from './range.wat.js';
FAMILIES.push(rangeFamily);
import { selectFamily } from './select.wat.js';
FAMILIES.push(selectFamily);
