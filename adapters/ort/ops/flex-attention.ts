/**
 * ai.onnx.preview FlexAttention → twinops ops. Without graph attributes it is softmax(Q·Kᵀ·scale)·V
 * with grouped-query heads: twinops Attention with no mask. With score_mod / mask_mod / prob_mod
 * (subgraphs over the whole [B, H, L, S] score or probability tensor) the node runs through the
 * executor: scores = MatMul(Q, Kᵀ)·scale, then score_mod, mask_mod, Softmax, prob_mod and
 * MatMul(probs, V), the subgraphs run between the ops (their outer-scope reads arrive as the node's
 * implicit inputs).
 */
import type { Tensor } from '../../../core/tensor.js';
import { capturedValues, explicitInputs, subgraphOf, valueLowered, type ValueCtx } from '../control-flow.js';
import { UnsupportedModelError, UnsupportedNodeError } from '../errors.js';
import type { SessionGraph } from '../graph.js';
import type { OnnxNode } from '../model.js';
import { disposeValue, isTensor, share, type Value } from '../values.js';
import { addMappings } from './table.js';
import { Attrs, need, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const MODS = ['score_mod', 'mask_mod', 'prob_mod'] as const;

type Body = { graph: SessionGraph; free: string[] };

/** Run a one-input, one-output mod subgraph on `t` (consumed) with the node's captured values. */
async function runMod(x: ValueCtx, body: Body, t: Tensor, outer: ReadonlyMap<string, Value | undefined>, what: string): Promise<Tensor> {
  if (body.graph.inputs.length !== 1 || body.graph.outputs.length !== 1) {
    disposeValue(t);
    throw new UnsupportedModelError(`FlexAttention ${what}: a subgraph of ${body.graph.inputs.length} inputs and ${body.graph.outputs.length} outputs (expected 1 and 1)`);
  }
  const feeds = new Map<string, Value>([[body.graph.inputs[0]!.name, t]]);
  for (const name of body.free) {
    const v = outer.get(name);
    if (v !== undefined && !feeds.has(name)) feeds.set(name, share(x.rt, v));
  }
  const [out] = await x.runGraph(body.graph, feeds);
  if (!isTensor(out)) {
    disposeValue(out);
    throw new UnsupportedModelError(`FlexAttention ${what} did not produce a tensor`);
  }
  return out;
}

const flexAttention: OnnxOpMapping = {
  op: 'FlexAttention',
  domain: 'ai.onnx.preview',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const own = explicitInputs(node, node.inputs);
    if (own.length !== 3 || own.some((n) => n === '')) throw new UnsupportedNodeError(`${own.length} inputs (expected Q, K, V)`);
    const at = new Attrs(node, ['scale', ...MODS]);
    const scaleAttr = at.has('scale') ? at.float('scale', 1) : undefined;
    const mods = MODS.filter((m) => node.attrs.get(m)?.g);
    if (mods.length === 0) {
      const attrs = scaleAttr === undefined ? {} : { scale: scaleAttr };
      return { calls: ['Attention'], run: (x, ins) => x.op('Attention', [need(ins[0], 'Q'), need(ins[1], 'K'), need(ins[2], 'V')], attrs).slice(0, 1) };
    }
    const bodies = new Map(mods.map((m) => [m, subgraphOf(ctx, node, m)]));
    return valueLowered(['Transpose', 'MatMul', 'Mul', 'Softmax'], {
      infer(ins) {
        const [q, , v] = ins;
        if (!q || !v || q.shape.length !== 4 || v.shape.length !== 4) return [undefined];
        return [{ dtype: q.dtype, shape: [q.shape[0]!, q.shape[1]!, q.shape[2]!, v.shape[3]!] }];
      },
      async exec(x, ins) {
        const [q, k, v] = explicitInputs(node, ins);
        if (!isTensor(q) || !isTensor(k) || !isTensor(v)) throw new UnsupportedModelError('FlexAttention: Q, K and V must be tensors');
        if (q.dtype !== 'float32' || q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) {
          throw new UnsupportedModelError(`FlexAttention with ${mods.join(', ')}: 4-D float32 Q, K, V only, got Q ${q.dtype}[${q.shape.join(',')}]`);
        }
        if (q.shape[1] !== k.shape[1]) throw new UnsupportedModelError(`FlexAttention with ${mods.join(', ')}: grouped-query heads (${q.shape[1]} and ${k.shape[1]})`);
        const outer = capturedValues(node, ins);
        const scale = scaleAttr ?? 1 / Math.sqrt(q.shape[3]!);
        const temps: Tensor[] = [];
        const one = async (name: string, inputs: Tensor[], attrs?: object): Promise<Tensor> => {
          const [t] = await x.op(name, inputs, attrs);
          return t!;
        };
        let s: Tensor | undefined;
        try {
          const kt = await one('Transpose', [k], { perm: [0, 1, 3, 2] });
          temps.push(kt);
          const qk = await one('MatMul', [q, kt]);
          temps.push(qk);
          const sc = x.rt.tensor(Float32Array.of(scale), []);
          temps.push(sc);
          s = await one('Mul', [qk, sc]);
          for (const m of ['score_mod', 'mask_mod'] as const) {
            const b = bodies.get(m);
            if (b) {
              const t = s;
              s = undefined;
              s = await runMod(x, b, t, outer, m);
            }
          }
          let p = await one('Softmax', [s], { axis: -1 });
          s.dispose();
          s = undefined;
          const pb = bodies.get('prob_mod');
          if (pb) p = await runMod(x, pb, p, outer, 'prob_mod');
          temps.push(p);
          return [await one('MatMul', [p, v])];
        } finally {
          s?.dispose();
          for (const t of temps) t.dispose();
        }
      },
    });
  },
};

addMappings([flexAttention]);
