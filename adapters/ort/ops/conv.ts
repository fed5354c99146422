/** ONNX Conv and the normalisations (inference) → twinops Conv, BatchNormalization, InstanceNormalization, LayerNormalization. */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** auto_pad, kernel_shape, pads, strides, dilations: the window attributes Conv and the pools share. */
export function windowAttrs(at: Attrs): { autoPad?: string; kernelShape?: number[]; pads?: number[]; strides?: number[]; dilations?: number[] } {
  const out: { autoPad?: string; kernelShape?: number[]; pads?: number[]; strides?: number[]; dilations?: number[] } = {};
  if (at.has('auto_pad')) {
    const p = at.string('auto_pad', 'NOTSET');
    if (!AUTO_PADS.includes(p)) throw new UnsupportedNodeError(`auto_pad '${p}'`);
    out.autoPad = p;
  }
  const ks = at.ints('kernel_shape');
  if (ks) out.kernelShape = ks;
  const pads = at.ints('pads');
  if (pads) out.pads = pads;
  const strides = at.ints('strides');
  if (strides) out.strides = strides;
  const dil = at.ints('dilations');
  if (dil) out.dilations = dil;
  return out;
}

const conv: OnnxOpMapping = {
  op: 'Conv',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 3);
    const at = new Attrs(node, ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']);
    const attrs = { ...windowAttrs(at), group: at.int('group', 1) };
    return {
      calls: ['Conv'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const b = ins[2];
        return x.op('Conv', b ? [need(ins[0], 'X'), need(ins[1], 'W'), b] : [need(ins[0], 'X'), need(ins[1], 'W')], attrs);
      },
    };
  },
};

const batchNorm: OnnxOpMapping = {
  op: 'BatchNormalization',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 5);
    const at = new Attrs(node, ['epsilon', 'momentum', 'spatial', 'training_mode'], ['consumed_inputs', 'is_test']);
    if (at.int('training_mode', 0) !== 0) throw new UnsupportedNodeError('training_mode=1');
    if (ctx.opset < 9 && at.int('spatial', 1) !== 1) throw new UnsupportedNodeError('spatial=0');
    if (node.outputs.some((_, k) => k > 0 && ctx.used(k))) throw new UnsupportedNodeError('training outputs (running mean/var, saved statistics)');
    const attrs = { epsilon: at.float('epsilon', 1e-5) };
    return {
      calls: ['BatchNormalization'],
      run: (x, ins) => x.op('BatchNormalization', [0, 1, 2, 3, 4].map((i) => need(ins[i], String(i))), attrs),
    };
  },
};

const instanceNorm: OnnxOpMapping = {
  op: 'InstanceNormalization',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 3);
    const attrs = { epsilon: new Attrs(node, ['epsilon'], ['consumed_inputs']).float('epsilon', 1e-5) };
    return { calls: ['InstanceNormalization'], run: (x, ins) => x.op('InstanceNormalization', [0, 1, 2].map((i) => need(ins[i], String(i))), attrs) };
  },
};

const layerNorm: OnnxOpMapping = {
  op: 'LayerNormalization',
  domain: '',
  sinceOpset: 17,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2, 3);
    const at = new Attrs(node, ['axis', 'epsilon', 'stash_type']);
    // stash_type 1 (float32 statistics) is what the twinops kernel computes in
    if (at.int('stash_type', 1) !== 1) throw new UnsupportedNodeError(`stash_type=${at.int('stash_type', 1)}`);
    // the Mean and InvStdDev outputs, when read, come from NormMoments (ops/rms-norm.ts)
    const stats = ctx.used(1) || ctx.used(2);
    const attrs = { axis: at.int('axis', -1), epsilon: at.float('epsilon', 1e-5) };
    return {
      calls: stats ? ['LayerNormalization', 'NormMoments'] : ['LayerNormalization'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const b = ins[2];
        const y = x.op('LayerNormalization', b ? [need(ins[0], 'X'), need(ins[1], 'Scale'), b] : [need(ins[0], 'X'), need(ins[1], 'Scale')], attrs);
        return stats ? [...y, ...x.op('NormMoments', [need(ins[0], 'X')], attrs)] : y;
      },
    };
  },
};

/** ONNX ConvTranspose → twinops ConvTranspose (NCHW, IOHW filter): attribute renames only. */
const convTranspose: OnnxOpMapping = {
  op: 'ConvTranspose',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 3);
    const at = new Attrs(node, ['auto_pad', 'dilations', 'group', 'kernel_shape', 'output_padding', 'output_shape', 'pads', 'strides']);
    // kernel_shape only restates the filter's spatial dims; the contract reads them from W
    const { kernelShape: _k, ...win } = windowAttrs(at);
    const attrs: Record<string, unknown> = { ...win, group: at.int('group', 1) };
    const outPad = at.ints('output_padding');
    if (outPad) attrs.outputPadding = outPad;
    const outShape = at.ints('output_shape');
    if (outShape) attrs.outputShape = outShape;
    return {
      calls: ['ConvTranspose'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const [X, W, b] = [need(ins[0], 'X'), need(ins[1], 'W'), ins[2]];
        return x.op('ConvTranspose', b ? [X, W, b] : [X, W], outShape ? outputShapeAttrs(attrs, X.shape, W.shape) : attrs);
      },
    };
  },
};

/**
 * ONNX lets output_shape exceed what the input produces by one (a total padding of -1): with
 * NOTSET or SAME_LOWER its begin pad is then 0 and the extra row is an end pad of -1, which is
 * the contract's outputPadding. Larger excesses would need negative begin pads and stay errors.
 */
function outputShapeAttrs(given: Record<string, unknown>, xs: readonly number[], ws: readonly number[]): Record<string, unknown> {
  const sr = xs.length - 2;
  // some exporters write the whole output shape [N, M, ...spatial]; onnxruntime reads its spatial part
  const whole = given.outputShape as number[];
  const attrs = whole.length === xs.length ? { ...given, outputShape: whole.slice(2) } : given;
  if (attrs.autoPad === 'SAME_UPPER') return attrs;
  const want = attrs.outputShape as number[];
  if (want.length !== sr || ws.length !== xs.length) return attrs;
  const strides = (attrs.strides as number[] | undefined) ?? new Array<number>(sr).fill(1);
  const dil = (attrs.dilations as number[] | undefined) ?? new Array<number>(sr).fill(1);
  const pad = [...((attrs.outputPadding as number[] | undefined) ?? new Array<number>(sr).fill(0))];
  let changed = false;
  for (let d = 0; d < sr; d++) {
    const full = strides[d]! * (xs[d + 2]! - 1) + pad[d]! + dil[d]! * (ws[d + 2]! - 1) + 1;
    if (want[d] === full + 1) {
      pad[d]!++;
      changed = true;
    }
  }
  return changed ? { ...attrs, outputPadding: pad } : attrs;
}

export const CONV_MAPPINGS: OnnxOpMapping[] = [conv, convTranspose, batchNorm, instanceNorm, layerNorm];
