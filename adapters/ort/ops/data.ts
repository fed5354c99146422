/**
 * ONNX data movement → twinops Transpose, Concat, Slice, Split, Expand, Tile, Pad, Gather, Where,
 * Cast. Arguments that later opsets moved from attributes to inputs are read as constants at
 * session creation, or at run time when the graph computes them.
 */
import { scalarOf } from '../../../core/dtype.js';
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { dtypeOfOnnx, onnxTypeName } from '../tensor-proto.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const has = (node: OnnxNode, i: number) => node.inputs.length > i && node.inputs[i] !== '';

const transpose: OnnxOpMapping = {
  op: 'Transpose',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const perm = new Attrs(node, ['perm']).ints('perm');
    return { calls: ['Transpose'], run: (x, ins) => x.op('Transpose', [need(ins[0], 'data')], perm ? { perm } : {}) };
  },
};

const concat: OnnxOpMapping = {
  op: 'Concat',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1, Infinity);
    const at = new Attrs(node, ['axis']);
    if (!at.has('axis') && ctx.opset >= 4) throw new UnsupportedNodeError('axis is required');
    const axis = at.int('axis', 1);
    return { calls: ['Concat'], run: (x, ins) => x.op('Concat', ins.map((t, i) => need(t, String(i))), { axis }) };
  },
};

const slice: OnnxOpMapping = {
  op: 'Slice',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    if (ctx.opset < 10) {
      arity(node, 1);
      const at = new Attrs(node, ['starts', 'ends', 'axes']);
      const attrs = { starts: at.ints('starts') ?? [], ends: at.ints('ends') ?? [], ...(at.has('axes') ? { axes: at.ints('axes') } : {}) };
      return { calls: ['Slice'], run: (x, ins) => x.op('Slice', [need(ins[0], 'data')], attrs) };
    }
    arity(node, 3, 5);
    new Attrs(node, []);
    const c = [1, 2, 3, 4].map((i) => constInts(ctx, i));
    return {
      calls: ['Slice'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const attrs: { starts: number[]; ends: number[]; axes?: number[]; steps?: number[] } = {
          starts: intsOf(x, need(ins[1], 'starts'), c[0]),
          ends: intsOf(x, need(ins[2], 'ends'), c[1]),
        };
        if (has(node, 3)) attrs.axes = intsOf(x, need(ins[3], 'axes'), c[2]);
        if (has(node, 4)) attrs.steps = intsOf(x, need(ins[4], 'steps'), c[3]);
        return x.op('Slice', [need(ins[0], 'data')], attrs);
      },
    };
  },
};

const split: OnnxOpMapping = {
  op: 'Split',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const outputs = node.outputs.length;
    const at = new Attrs(node, ctx.opset < 13 ? ['axis', 'split'] : ['axis', 'num_outputs']);
    const axis = at.int('axis', 0);
    if (ctx.opset < 13) {
      arity(node, 1, ctx.opset < 2 ? 2 : 1);
      const sizes = at.ints('split');
      return { calls: ['Split'], run: (x, ins) => x.op('Split', [need(ins[0], 'input')], sizes ? { axis, split: sizes } : { axis, outputs }) };
    }
    arity(node, 1, 2);
    const constant = constInts(ctx, 1);
    return {
      calls: ['Split'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const attrs = has(node, 1) ? { axis, split: intsOf(x, need(ins[1], 'split'), constant) } : { axis, outputs };
        return x.op('Split', [need(ins[0], 'input')], attrs);
      },
    };
  },
};

/** Expand (shape input) and Tile (repeats input): one attribute-free op with an integer vector input. */
function vectorInput(op: 'Expand' | 'Tile', key: 'shape' | 'repeats'): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      arity(node, 2);
      new Attrs(node, []);
      const constant = constInts(ctx, 1);
      return {
        calls: [op],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          return x.op(op, [need(ins[0], 'input')], { [key]: intsOf(x, need(ins[1], key), constant) });
        },
      };
    },
  };
}

const PAD_MODES = ['constant', 'reflect', 'edge', 'wrap'];

const pad: OnnxOpMapping = {
  op: 'Pad',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    if (ctx.opset < 11) {
      arity(node, 1);
      const at = new Attrs(node, ['mode', 'pads', 'value', 'paddings']);
      const mode = at.string('mode', 'constant');
      if (!PAD_MODES.includes(mode)) throw new UnsupportedNodeError(`mode '${mode}'`);
      const attrs = { pads: at.ints('pads') ?? at.ints('paddings') ?? [], mode, value: at.float('value', 0) };
      return { calls: ['Pad'], run: (x, ins) => x.op('Pad', [need(ins[0], 'data')], attrs) };
    }
    arity(node, 2, 4);
    const mode = new Attrs(node, ['mode']).string('mode', 'constant');
    if (!PAD_MODES.includes(mode)) throw new UnsupportedNodeError(`mode '${mode}'`);
    const cPads = constInts(ctx, 1);
    const cValue = ctx.constant(2);
    const cAxes = constInts(ctx, 3);
    return {
      calls: ['Pad'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const attrs: { pads: number[]; mode: string; value?: number; axes?: number[] } = { pads: intsOf(x, need(ins[1], 'pads'), cPads), mode };
        if (has(node, 2)) {
          const v = cValue ? scalarOf(cValue.dtype, cValue.data as ArrayLike<number | bigint>) : x.scalar(need(ins[2], 'constant_value'));
          if (v !== undefined) attrs.value = v;
        }
        if (has(node, 3)) attrs.axes = intsOf(x, need(ins[3], 'axes'), cAxes);
        return x.op('Pad', [need(ins[0], 'data')], attrs);
      },
    };
  },
};

const gather: OnnxOpMapping = {
  op: 'Gather',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const axis = new Attrs(node, ['axis']).int('axis', 0);
    return { calls: ['Gather'], run: (x, ins) => x.op('Gather', [need(ins[0], 'data'), need(ins[1], 'indices')], { axis }) };
  },
};

const where: OnnxOpMapping = {
  op: 'Where',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 3);
    new Attrs(node, []);
    return { calls: ['Where'], run: (x, ins) => x.op('Where', [need(ins[0], 'condition'), need(ins[1], 'X'), need(ins[2], 'Y')]) };
  },
};

const cast: OnnxOpMapping = {
  op: 'Cast',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['to', 'saturate']);
    // Cast-6 and later give `to` as a TensorProto.DataType number (Cast-1 as a string, not mapped)
    if (ctx.opset < 6) throw new UnsupportedNodeError('Cast before opset 6 (string `to`)');
    const toType = at.int('to', 0);
    const to = dtypeOfOnnx(toType);
    if (!to) throw new UnsupportedNodeError(`cast to ${onnxTypeName(toType)}`);
    return { calls: ['Cast'], run: (x, ins) => x.op('Cast', [need(ins[0], 'input')], { to }) };
  },
};

export const DATA_MAPPINGS: OnnxOpMapping[] = [transpose, concat, slice, split, vectorInput('Expand', 'shape'), vectorInput('Tile', 'repeats'), pad, gather, where, cast];
