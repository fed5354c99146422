import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gpuStorable } from '../core/dtype.js';
import { coverageMarkdown, OPS_MD } from '../registry/coverage.js';
import { registry } from '../registry/registry.js';
// The first op set (issue 2): every one has float32 kernels on both devices, twins included.
const FIRST_SET = [
  ...['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'],
  ...['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Gelu', 'Clip'],
  ...['MatMul', 'Gemm', 'Softmax'],
];

describe('op coverage', () => {
  it('docs/OPS.md matches the registry (regenerate with npm run docs:ops)', () => {
    expect(readFileSync(OPS_MD, 'utf8')).toBe(coverageMarkdown());
  });

  it('every op of the first set has a float32 kernel on both devices', () => {
    for (const op of FIRST_SET) {
      expect(registry.get(op, 'float32', 'wasm'), `${op} float32 wasm`).toBeDefined();
      expect(registry.get(op, 'float32', 'webgpu'), `${op} float32 webgpu`).toBeDefined();
    }
  });

  it('every wasm compute kernel of the first op set has a webgpu twin of the same family and dtypes', () => {
    // Ops added since (docs/OPS.md shows their gaps) fall back to wasm until their twin lands.
    const first = new Set(FIRST_SET);
    // int64, float64 and the other dtypes outside GPU_DTYPES have no WebGPU storage, and int8/uint8
    // arithmetic has no twin: those kernels are wasm only
    for (const e of registry.list().filter((x) => x.device === 'wasm' && x.kind === 'compute' && first.has(x.op) && gpuStorable(x.dtype) && !['int8', 'uint8'].includes(x.dtype))) {
      const twin = registry.get(e.op, e.dtype, 'webgpu');
      expect(twin, `${e.op} ${e.dtype} has no webgpu twin`).toBeDefined();
      expect(twin!.family).toBe(e.family);
    }
  });
});
