/** Every tfjs kernel of the twinops backend (each file defines its kernels at import). */
import './binary.js';
import './unary.js';
import './matmul.js';
import './softmax.js';
import './reshape.js';
import './copy.js';
import './fill.js';
import './reduce.js';
import './conv.js';
import './pool.js';
import './complex.js';
import './resize.js';
import './norm.js';
import './conv-transpose.js';
import './space.js';

export { KERNELS, availableKernels, registerKernels, BACKEND_NAME, type TwinopsKernel } from './register.js';
import './one-hot.js';
import './gather-nd.js';
import './topk.js';
import './segment.js';
import './lrn.js';
import './search-sorted.js';
import './range.js';
