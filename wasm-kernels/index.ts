/** Importing this module registers every wasm kernel. */
import './binary.js';
import './unary.js';
import './matmul.js';
import './gemm.js';
import './softmax.js';
