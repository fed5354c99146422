/**
 * Bias and activation fusion into the producer's twinops call:
 * - MatMul with a constant 2-D B, then Add of a constant [N] bias → MatMul's fused bias input;
 * - Conv, ConvTranspose, MatMul, Gemm then Relu, Clip (Relu6 when [0, 6]), HardSigmoid, Sigmoid,
 *   Tanh, LeakyRelu or Elu → the call's `activation` (ops/activation.ts), applied after the bias.
 * The producer's output must have no other reader.
 */
import type { Activation } from '../../../ops/types.js';
import type { Step } from '../graph.js';
import type { GraphEdit } from './edit.js';
import type { Fusion } from './fused.js';
import { clipBounds } from './hardswish.js';

/** The activation a node computes on its only input `x`, or undefined. */
function activationOf(e: GraphEdit, step: Step, x: string): Activation | undefined {
  const n = step.node;
  if (n.domain !== '' || n.inputs[0] !== x || n.outputs.length !== 1) return undefined;
  const f = (name: string, def: number) => n.attrs.get(name)?.f ?? def;
  switch (n.opType) {
    case 'Relu':
      return { kind: 'relu' };
    case 'Sigmoid':
      return { kind: 'sigmoid' };
    case 'Tanh':
      return { kind: 'tanh' };
    case 'LeakyRelu':
      return { kind: 'leakyRelu', alpha: f('alpha', 0.01) };
    case 'Elu':
      return { kind: 'elu', alpha: f('alpha', 1) };
    case 'HardSigmoid':
      return { kind: 'hardSigmoid', alpha: f('alpha', 0.2), beta: f('beta', 0.5) };
    case 'Clip': {
      const b = clipBounds(e, n);
      if (!b || Number.isNaN(b.min) || Number.isNaN(b.max)) return undefined;
      return b.min === 0 && b.max === 6 ? { kind: 'relu6' } : { kind: 'clip', min: b.min, max: b.max };
    }
    default:
      return undefined;
  }
}

/** A MatMul's output + a constant bias of B's column count, or undefined. */
function biasOf(e: GraphEdit, step: Step, x: string, n: number | undefined): string | undefined {
  const node = step.node;
  if (n === undefined || node.domain !== '' || node.opType !== 'Add' || node.inputs.length !== 2) return undefined;
  const k = node.inputs.indexOf(x);
  const c = k < 0 ? undefined : e.f32(node.inputs[1 - k]);
  return c && c.dims.length === 1 && c.dims[0] === n && node.inputs[1 - k] !== x ? node.inputs[1 - k] : undefined;
}

/** Fuse biases and activations; returns the number of nodes merged away. */
export function fuseBiasActivation(f: Fusion): number {
  const e = f.edit;
  let merged = 0;
  for (const start of [...e.g.steps]) {
    if (!e.has(start)) continue;
    const base = f.infoOf(start);
    if (!base || base.activation) continue;
    let info = base;
    const chain: Step[] = [start];
    if (info.op === 'MatMul' && !info.bias) {
      const b = e.f32(info.base.inputs[1]);
      const next = e.soleConsumer(info.output);
      const bias = next && biasOf(e, next, info.output, b && b.dims.length === 2 ? b.dims[1] : undefined);
      if (next && bias) {
        info = { ...info, bias, names: [...info.names, next.node.name], merged: [...info.merged, 'Add'], output: next.node.outputs[0]! };
        chain.push(next);
      }
    }
    const next = e.soleConsumer(info.output);
    const act = next && activationOf(e, next, info.output);
    if (next && act) {
      info = { ...info, activation: act, names: [...info.names, next.node.name], merged: [...info.merged, next.node.opType], output: next.node.outputs[0]! };
      chain.push(next);
    }
    if (chain.length === 1) continue;
    f.commit(chain, info);
    merged += chain.length - 1;
  }
  return merged;
}
