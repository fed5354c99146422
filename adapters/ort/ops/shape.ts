/**
 * ONNX Reshape, Flatten, Squeeze, Unsqueeze → the twinops metadata ops. Shapes and axes that moved
 * from attributes to inputs (Reshape-5, Squeeze/Unsqueeze-13) are read as constants at session
 * creation, or at run time when computed by the graph.
 */
import type { TensorInfo } from '../../../ops/types.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const reshape: OnnxOpMapping = {
  op: 'Reshape',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    if (ctx.opset < 5) {
      arity(node, 1);
      const at = new Attrs(node, ['shape'], ['consumed_inputs']);
      const shape = at.ints('shape') ?? [];
      return { calls: ['Reshape'], run: (x, ins) => x.op('Reshape', [need(ins[0], 'data')], { shape }) };
    }
    arity(node, 2);
    const at = new Attrs(node, ['allowzero']);
    const allowzero = at.int('allowzero', 0) !== 0;
    const constant = constInts(ctx, 1);
    return {
      calls: ['Reshape'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const shape = intsOf(x, need(ins[1], 'shape'), constant);
        return x.op('Reshape', [need(ins[0], 'data')], { shape, allowzero });
      },
    };
  },
};

const flatten: OnnxOpMapping = {
  op: 'Flatten',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const axis = new Attrs(node, ['axis']).int('axis', 1);
    return { calls: ['Flatten'], run: (x, ins) => x.op('Flatten', [need(ins[0], 'input')], { axis }) };
  },
};

function axesOp(op: 'Squeeze' | 'Unsqueeze'): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      if (ctx.opset < 13) {
        arity(node, 1);
        const axes = new Attrs(node, ['axes']).ints('axes');
        return { calls: [op], run: (x, ins) => x.op(op, [need(ins[0], 'data')], axes ? { axes } : {}) };
      }
      arity(node, op === 'Unsqueeze' ? 2 : 1, 2);
      new Attrs(node, []);
      const hasAxes = node.inputs.length > 1 && node.inputs[1] !== '';
      const constant = constInts(ctx, 1);
      return {
        calls: [op],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const attrs = hasAxes ? { axes: intsOf(x, need(ins[1], 'axes'), constant) } : {};
          return x.op(op, [need(ins[0], 'data')], attrs);
        },
      };
    },
  };
}

export const SHAPE_MAPPINGS: OnnxOpMapping[] = [reshape, flatten, axesOp('Squeeze'), axesOp('Unsqueeze')];
