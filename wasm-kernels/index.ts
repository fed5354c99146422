/** Importing this module registers every wasm kernel. */
import './binary.js';
import './unary.js';
import './matmul.js';
import './gemm.js';
import './softmax.js';
import './pool.js';
import './conv.js';
import './reduce.js';
import './shape-ops.js';
import './copy.js';
import './norm.js';
import './resize.js';
import './conv-transpose.js';
import './range.js';
import './select.js';
