/** The ONNX Runtime peers: onnxruntime-web (wasm, 1 and 2 threads) and onnxruntime-node (1 and 2 threads). */
import { ortNodeRunners } from './ort-node.js';
import { ortWebRunners } from './ort-web.js';
import type { Runner } from './types.js';

export function ortRunners(): Runner[] {
  return [...ortWebRunners(), ...ortNodeRunners()];
}
