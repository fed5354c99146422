/**
 * A producer step the passes can grow: a Conv, ConvTranspose, MatMul or Gemm whose twinops call
 * takes a fused bias and activation (ops/activation.ts). `Fusion` keeps, per step, what was merged
 * into it so far, and rebuilds the step from that: the base ONNX node (its inputs possibly
 * replaced by folded weights) lowered through the mapping table, with the activation and a
 * MatMul's bias added to its twinops call.
 */
import type { Activation, TensorInfo } from '../../../ops/types.js';
import type { Step } from '../graph.js';
import type { OnnxNode } from '../model.js';
import type { Exec, Lowered } from '../ops/index.js';
import { convTransposeAsGemm } from './conv-transpose.js';
import { injecting, type GraphEdit } from './edit.js';

export const FUSABLE = ['Conv', 'ConvTranspose', 'MatMul', 'Gemm'] as const;
type FusableOp = (typeof FUSABLE)[number];

export interface FusedInfo {
  op: FusableOp;
  /** The ONNX node the twinops call comes from, with its current inputs (folded W and B for a Conv). */
  base: OnnxNode;
  /** A bias input appended to a MatMul's twinops call. */
  bias?: string;
  activation?: Activation;
  /** Names of the nodes merged, in order (the fused step's name joins them with '+'). */
  names: string[];
  /** The op types merged after the base (for the profile's op column). */
  merged: string[];
  /** The op types folded in before it (an affine map of its input). */
  before?: string[];
  /** The output name the fused step writes. */
  output: string;
}

export class Fusion {
  private readonly info = new WeakMap<Step, FusedInfo>();

  constructor(readonly edit: GraphEdit) {}

  /** What `step` is as a fusable producer (a plain one, or one a pass made). */
  infoOf(step: Step): FusedInfo | undefined {
    const have = this.info.get(step);
    if (have) return have;
    const n = step.node;
    if (n.domain !== '' || !(FUSABLE as readonly string[]).includes(n.opType)) return undefined;
    const out = n.outputs[0];
    if (n.outputs.length !== 1 || !out) return undefined;
    return { op: n.opType as FusableOp, base: n, names: [n.name], merged: [], output: out };
  }

  /** Replace `chain` (its first step the producer) by the step `info` describes. */
  commit(chain: readonly Step[], info: FusedInfo): Step {
    const base = info.base;
    const gemm = info.op === 'ConvTranspose' ? convTransposeAsGemm(this.edit, base, info.activation) : undefined;
    if (gemm) {
      const step = this.edit.replace(chain, { node: { ...gemm.node, name: info.names.join('+'), opType: ['ConvTranspose(GEMM)', ...info.merged].join('+'), outputs: [info.output] }, lowered: gemm.lowered });
      this.info.set(step, info);
      return step;
    }
    const inner = this.edit.lower(base);
    const n = base.inputs.length;
    const extra = info.activation ? { activation: info.activation } : {};
    const bias = info.bias;
    const merged = new WeakMap<object, object>();
    const lowered: Lowered = {
      calls: inner.calls,
      ...(inner.hostInputs ? { hostInputs: inner.hostInputs } : {}),
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const more = bias ? [ins[n]!] : [];
        return inner.run(info.activation || bias ? injecting(x, info.op, extra, more, merged) : x, ins.length > n ? ins.slice(0, n) : ins);
      },
    };
    const node: OnnxNode = {
      ...base,
      name: info.names.join('+'),
      opType: [...(info.before ?? []), info.op, ...info.merged].join('+'),
      inputs: bias ? [...base.inputs, bias] : base.inputs.slice(),
      outputs: [info.output],
    };
    const step = this.edit.replace(chain, { node, lowered });
    this.info.set(step, info);
    return step;
  }
}
