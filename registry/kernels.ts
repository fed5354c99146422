/** Importing this module registers every twinops kernel, wasm and WebGPU, into the default registry. */
import '../wasm-kernels/index.js';
import '../webgpu-kernels/index.js';
