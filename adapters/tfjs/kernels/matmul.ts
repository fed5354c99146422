/**
 * BatchMatMul and _FusedMatMul → twinops MatMul (numpy batch broadcasting, transposes, bias and
 * activation fused in the kernel's epilogue). A prelu activation, whose slopes are a tensor, runs
 * as twinops PRelu after the MatMul.
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Activation } from '../../../ops/types.js';
import { TfjsKernelError, type TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

function checkRanks(kernel: string, a: TensorInfo, b: TensorInfo, backend: TwinopsBackend): void {
  if (a.shape.length < 2 || b.shape.length < 2) {
    backend.unsupported(kernel, `inputs must have rank >= 2, got a [${a.shape.join(',')}] and b [${b.shape.join(',')}]`);
  }
}

defineKernel('BatchMatMul', ['MatMul'], ({ inputs, attrs, backend }) => {
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  checkRanks('BatchMatMul', a, b, backend);
  return backend.runOne('BatchMatMul', 'MatMul', [a, b], { transA: !!attrs.transposeA, transB: !!attrs.transposeB });
});

/** The epilogues without parameters, shared by every call (ops never change attrs). */
const LINEAR: Activation = Object.freeze({ kind: 'linear' });
const RELU: Activation = Object.freeze({ kind: 'relu' });
const RELU6: Activation = Object.freeze({ kind: 'relu6' });
const SIGMOID: Activation = Object.freeze({ kind: 'sigmoid' });
const ELU: Activation = Object.freeze({ kind: 'elu', alpha: 1 });

/** tfjs fused activation name → the twinops epilogue (prelu: undefined, run apart). */
function activationOf(kernel: string, attrs: NamedAttrMap): Activation | undefined {
  const name = (attrs.activation as string | undefined) ?? 'linear';
  switch (name) {
    case 'linear':
      return LINEAR;
    case 'relu':
      return RELU;
    case 'relu6':
      return RELU6;
    case 'elu':
      return ELU;
    case 'sigmoid':
      return SIGMOID;
    case 'leakyrelu':
      return { kind: 'leakyRelu', alpha: (attrs.leakyreluAlpha as number | undefined) ?? 0.2 };
    case 'prelu':
      return undefined;
    default:
      throw new TfjsKernelError(kernel, `unknown fused activation '${name}'`);
  }
}

/** Apply a tfjs fused activation that the producing op could not fuse (prelu). */
export function applyPrelu(kernel: string, backend: TwinopsBackend, y: TensorInfo, alpha: TensorInfo | undefined): TensorInfo {
  if (!alpha) return backend.unsupported(kernel, 'prelu activation needs preluActivationWeights');
  try {
    return backend.runOne(kernel, 'PRelu', [y, alpha]);
  } finally {
    backend.release(y);
  }
}

export { activationOf };

/** tfjs fused activation → the twinops unary op (and attributes) that applies it on its own. */
const UNFUSED: Record<string, { op: string; attrs?: (a: NamedAttrMap) => object }> = {
  relu: { op: 'Relu' },
  relu6: { op: 'Relu6' },
  elu: { op: 'Elu' },
  sigmoid: { op: 'Sigmoid' },
  leakyrelu: { op: 'LeakyRelu', attrs: (a) => ({ alpha: (a.leakyreluAlpha as number | undefined) ?? 0.2 }) },
};

/**
 * Bias and activation as separate twinops ops after `y` (which is released), for the cases a
 * kernel's epilogue cannot take: a bias broadcast another way than per output channel.
 */
export function applyBiasActivation(kernel: string, backend: TwinopsBackend, y: TensorInfo, bias: TensorInfo, attrs: NamedAttrMap, prelu: TensorInfo | undefined): TensorInfo {
  let out: TensorInfo;
  try {
    out = backend.runOne(kernel, 'Add', [y, bias]);
  } finally {
    backend.release(y);
  }
  const name = (attrs.activation as string | undefined) ?? 'linear';
  if (name === 'linear') return out;
  if (name === 'prelu') return applyPrelu(kernel, backend, out, prelu);
  const m = UNFUSED[name];
  try {
    if (!m) return backend.unsupported(kernel, `unknown fused activation '${name}'`);
    return backend.runOne(kernel, m.op, [out], m.attrs?.(attrs) ?? {});
  } finally {
    backend.release(out);
  }
}

/** Whether a fused op's bias is one value per output channel (what the kernel epilogues take). */
export function perChannelBias(bias: TensorInfo | undefined, channels: number): boolean {
  return !bias || (bias.shape.length === 1 && bias.shape[0] === channels);
}

defineKernel('_FusedMatMul', ['MatMul', 'PRelu', 'Add'], ({ inputs, attrs, backend }) => {
  const kernel = '_FusedMatMul';
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  checkRanks(kernel, a, b, backend);
  const bias = inputs.bias as TensorInfo | undefined;
  const prelu = inputs.preluActivationWeights as TensorInfo | undefined;
  const trans = { transA: !!attrs.transposeA, transB: !!attrs.transposeB };
  const N = trans.transB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
  if (bias && !perChannelBias(bias, N)) {
    return applyBiasActivation(kernel, backend, backend.runOne(kernel, 'MatMul', [a, b], trans), bias, attrs, prelu);
  }
  const activation = activationOf(kernel, attrs);
  const y = backend.runOne(kernel, 'MatMul', bias ? [a, b, bias] : [a, b], { ...trans, activation: activation ?? { kind: 'linear' } });
  return activation ? y : applyPrelu(kernel, backend, y, prelu);
});
