/**
 * ONNX TopK → twinops TopK. Opset 1–9: `k` attribute; 10+: K as a 1-element int64 input; 11+:
 * `largest` and `sorted` attributes (before 11: largest, sorted). Indices are int64. twinops always
 * returns sorted outputs (ties: lower index first), which `sorted=0` (order unspecified) allows.
 */
import { AttributeError } from '../../../core/errors.js';
import type { TensorInfo } from '../../../ops/types.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const topK: OnnxOpMapping = {
  op: 'TopK',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const v10 = ctx.opset >= 10;
    arity(node, v10 ? 2 : 1);
    const at = new Attrs(node, v10 ? (ctx.opset >= 11 ? ['axis', 'largest', 'sorted'] : ['axis']) : ['axis', 'k']);
    const axis = at.int('axis', -1);
    const largest = at.int('largest', 1) !== 0;
    const sorted = at.int('sorted', 1) !== 0;
    const kAttr = v10 ? undefined : at.int('k', -1);
    const kConst = v10 ? constInts(ctx, 1) : undefined;
    return {
      calls: ['TopK'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const input = need(ins[0], 'X');
        const ks = kAttr !== undefined ? [kAttr] : intsOf(x, need(ins[1], 'K'), kConst);
        if (ks.length !== 1) throw new AttributeError('TopK', `K must hold one value, got [${ks.join(', ')}]`);
        return x.op('TopK', [input], { k: ks[0]!, axis, largest, sorted, indexDType: 'int64' });
      },
    };
  },
};

export const TOPK_MAPPINGS: OnnxOpMapping[] = [topK];
