/**
 * ONNX attention, normalisation and loss nodes → twinops ops (Attention, LinearAttention,
 * NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, RMSNormalization, LpNormalization,
 * RotaryEmbedding, Swish, SwiGLU; LayerNormalization's statistics are in conv.ts) or compositions
 * of existing ones (MeanVarianceNormalization, GroupNormalization). Attention, LinearAttention,
 * RMSNormalization, RotaryEmbedding, Swish and SwiGLU take float16 themselves (computed in float32 on
 * wasm); LpNormalization casts float16 to float32 around the op and back. KV-cache
 * concatenation (past_key/past_value → present_*) is a Concat in the tensors' own dtype.
 */
import type { LossReduction } from '../../../ops/loss.js';
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { addMappings } from './table.js';
import { Attrs, arity, need, present, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const FLOAT_TYPES = ['float32', 'float16'];

function toF32<T extends TensorInfo>(x: Exec<T>, t: T): T {
  return t.dtype === 'float16' ? x.op('Cast', [t], { to: 'float32' })[0]! : t;
}

function fromF32<T extends TensorInfo>(x: Exec<T>, t: T, dtype: string): T {
  return dtype === 'float16' ? x.op('Cast', [t], { to: 'float16' })[0]! : t;
}

function checkFloat(t: TensorInfo, what: string): void {
  if (!FLOAT_TYPES.includes(t.dtype)) throw new UnsupportedNodeError(`${what} of dtype ${t.dtype}`);
}

/** A 3-D [B, S, H·D] tensor as 4-D [B, H, S, D] (a 4-D one unchanged). */
function heads4d<T extends TensorInfo>(x: Exec<T>, t: T, heads: number, what: string): T {
  if (t.shape.length === 4) return t;
  const [B, S, HD] = t.shape as [number, number, number];
  if (heads < 1 || HD % heads !== 0) throw new UnsupportedNodeError(`${what} hidden size ${HD} is not a multiple of kv_num_heads ${heads}`);
  return x.op('Transpose', [x.reshape(t, [B, S, heads, HD / heads])], { perm: [0, 2, 1, 3] })[0]!;
}

const attention: OnnxOpMapping = {
  op: 'Attention',
  domain: '',
  sinceOpset: 23,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 3, 7);
    const at = new Attrs(node, ['is_causal', 'kv_num_heads', 'q_num_heads', 'qk_matmul_output_mode', 'scale', 'softcap', 'softmax_precision']);
    const has = present(node);
    const hasMask = !!has[3];
    const hasPast = !!has[4] || !!has[5];
    if (hasPast && !(has[4] && has[5])) throw new UnsupportedNodeError('past_key without past_value (or the reverse)');
    const hasNonpad = !!has[6];
    // the kernel's softmax runs in float32: at least the precision of float16/bfloat16/float32 requests
    const precision = at.int('softmax_precision', 1);
    if (![1, 10, 16].includes(precision)) throw new UnsupportedNodeError(`softmax_precision=${precision}`);
    const mode = at.int('qk_matmul_output_mode', 0);
    if (![0, 1, 2, 3].includes(mode)) throw new UnsupportedNodeError(`qk_matmul_output_mode=${mode}`);
    const wantQk = node.outputs.length > 3 && node.outputs[3] !== '' && ctx.used(3);
    const qNumHeads = at.has('q_num_heads') ? at.int('q_num_heads', 0) : undefined;
    const kvNumHeads = at.has('kv_num_heads') ? at.int('kv_num_heads', 0) : undefined;
    const base = {
      qNumHeads,
      kvNumHeads,
      scale: at.has('scale') ? at.float('scale', 1) : undefined,
      softcap: at.has('softcap') ? at.float('softcap', 0) : undefined,
      isCausal: at.int('is_causal', 0) !== 0,
      hasMask,
      hasNonpad,
      qkOutput: wantQk ? (mode as 0 | 1 | 2 | 3) : undefined,
    };
    return {
      calls: ['Attention', ...(hasPast ? ['Concat'] : []), 'Transpose'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const q = need(ins[0], 'Q');
        let k = need(ins[1], 'K');
        let v = need(ins[2], 'V');
        let causalOffset: number | undefined;
        if (hasPast) {
          const pk = need(ins[4], 'past_key');
          const pv = need(ins[5], 'past_value');
          const heads = kvNumHeads ?? 0;
          k = x.op('Concat', [pk, heads4d(x, k, heads, 'K')], { axis: 2 })[0]!;
          v = x.op('Concat', [pv, heads4d(x, v, heads, 'V')], { axis: 2 })[0]!;
          causalOffset = pk.shape[2];
        }
        const args = [q, k, v];
        if (hasMask) args.push(need(ins[3], 'attn_mask'));
        if (hasNonpad) args.push(need(ins[6], 'nonpad_kv_seqlen'));
        const [y, qk] = x.op('Attention', args, { ...base, causalOffset }) as [T, T | undefined];
        // present_key/value: the concatenated cache, or K/V themselves in the 4-D layout (an output
        // nobody reads is returned as is, untransposed)
        const pk = hasPast || !ctx.used(1) ? k : heads4d(x, k, kvNumHeads ?? 0, 'K');
        const pv = hasPast || !ctx.used(2) ? v : heads4d(x, v, kvNumHeads ?? 0, 'V');
        return [y, pk, pv, qk ?? y].slice(0, node.outputs.length);
      },
    };
  },
};

function lossAttrs(node: OnnxNode): { reduction: LossReduction; ignoreIndex?: number } {
  const at = new Attrs(node, ['reduction', 'ignore_index']);
  const reduction = at.string('reduction', 'mean') as LossReduction;
  if (!['none', 'sum', 'mean'].includes(reduction)) throw new UnsupportedNodeError(`reduction '${reduction}'`);
  return at.has('ignore_index') ? { reduction, ignoreIndex: at.int('ignore_index', 0) } : { reduction };
}

const nll: OnnxOpMapping = {
  op: 'NegativeLogLikelihoodLoss',
  domain: '',
  sinceOpset: 12,
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 3);
    const attrs = lossAttrs(node);
    return {
      calls: ['NegativeLogLikelihoodLoss'],
      run: (x, ins) => x.op('NegativeLogLikelihoodLoss', ins.filter((t): t is NonNullable<typeof t> => t !== undefined), attrs),
    };
  },
};

/** SoftmaxCrossEntropyLoss → twinops SoftmaxCrossEntropyLoss (LogSoftmax over axis 1, then the NLL). */
const sce: OnnxOpMapping = {
  op: 'SoftmaxCrossEntropyLoss',
  domain: '',
  sinceOpset: 12,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2, 3);
    const attrs = { ...lossAttrs(node), logProb: node.outputs.length > 1 && node.outputs[1] !== '' && ctx.used(1) };
    return {
      calls: ['SoftmaxCrossEntropyLoss'],
      run: (x, ins) => x.op('SoftmaxCrossEntropyLoss', ins.filter((t): t is NonNullable<typeof t> => t !== undefined), attrs),
    };
  },
};

const rmsNorm: OnnxOpMapping = {
  op: 'RMSNormalization',
  domain: '',
  sinceOpset: 23,
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['axis', 'epsilon', 'stash_type']);
    // stash_type 1 (float32 statistics) is what the kernel computes in
    if (at.int('stash_type', 1) !== 1) throw new UnsupportedNodeError(`stash_type=${at.int('stash_type', 1)}`);
    const attrs = { axis: at.int('axis', -1), epsilon: at.float('epsilon', 1e-5) };
    return {
      calls: ['RMSNormalization'],
      run: (x, ins) => x.op('RMSNormalization', [need(ins[0], 'X'), need(ins[1], 'scale')], attrs),
    };
  },
};

const lpNorm: OnnxOpMapping = {
  op: 'LpNormalization',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['axis', 'p']);
    const p = at.int('p', 2);
    if (p !== 1 && p !== 2) throw new UnsupportedNodeError(`p=${p}`);
    const attrs = { axis: at.int('axis', -1), p };
    return {
      calls: ['LpNormalization', 'Cast'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const X = need(ins[0], 'input');
        checkFloat(X, 'input');
        return [fromF32(x, x.op('LpNormalization', [toF32(x, X)], attrs)[0]!, X.dtype)];
      },
    };
  },
};

function scalar<T extends TensorInfo>(x: Exec<T>, v: number): T {
  return x.tensor({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
}

/** Swish (opset 24) → twinops Swish: x · sigmoid(alpha · x). */
const swishNode: OnnxOpMapping = {
  op: 'Swish',
  domain: '',
  sinceOpset: 24,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const attrs = { alpha: new Attrs(node, ['alpha']).float('alpha', 1) };
    return { calls: ['Swish'], run: (x, ins) => x.op('Swish', [need(ins[0], 'X')], attrs) };
  },
};

/** SwiGLU (opset 28) → twinops SwiGLU: Swish(a, alpha) · b. */
const swiglu: OnnxOpMapping = {
  op: 'SwiGLU',
  domain: '',
  sinceOpset: 28,
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const attrs = { alpha: new Attrs(node, ['alpha']).float('alpha', 1) };
    return { calls: ['SwiGLU'], run: (x, ins) => x.op('SwiGLU', [need(ins[0], 'a'), need(ins[1], 'b')], attrs) };
  },
};

/**
 * MeanVarianceNormalization = the ONNX function body: (X − mean) / (sqrt(mean((X − mean)²)) + 1e-9)
 * over `axes` (default [0, 2, 3]), through ReduceMean, Sub, Mul, Sqrt, Add and Div.
 */
const mvn: OnnxOpMapping = {
  op: 'MeanVarianceNormalization',
  domain: '',
  sinceOpset: 9,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const axes = new Attrs(node, ['axes']).ints('axes') ?? [0, 2, 3];
    return {
      calls: ['ReduceMean', 'Sub', 'Mul', 'Sqrt', 'Add', 'Div'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const X = need(ins[0], 'X');
        const mean = x.op('ReduceMean', [X], { axes, keepdims: true })[0]!;
        const dev = x.op('Sub', [X, mean])[0]!;
        const variance = x.op('ReduceMean', [x.op('Mul', [dev, dev])[0]!], { axes, keepdims: true })[0]!;
        const std = x.op('Add', [x.op('Sqrt', [variance])[0]!, scalar(x, 1e-9)])[0]!;
        return x.op('Div', [dev, std]);
      },
    };
  },
};

/**
 * GroupNormalization (opset 21: scale and bias per channel): X [N, C, ...] viewed as [N, G, rest] is
 * normalised per (n, group) by InstanceNormalization with unit scale and zero bias, then scaled and
 * shifted per channel ([C, 1, …] broadcasts).
 */
const groupNorm: OnnxOpMapping = {
  op: 'GroupNormalization',
  domain: '',
  sinceOpset: 21,
  lower(node: OnnxNode): Lowered {
    arity(node, 3);
    const at = new Attrs(node, ['epsilon', 'num_groups', 'stash_type']);
    if (at.int('stash_type', 1) !== 1) throw new UnsupportedNodeError(`stash_type=${at.int('stash_type', 1)}`);
    const G = at.int('num_groups', 0);
    const epsilon = at.float('epsilon', 1e-5);
    return {
      calls: ['InstanceNormalization', 'Mul', 'Add'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const X = need(ins[0], 'X');
        const [N, C] = X.shape as [number, number];
        if (X.shape.length < 3 || G < 1 || C % G !== 0) throw new UnsupportedNodeError(`X [${X.shape.join(',')}] with num_groups ${G}`);
        const rest = X.shape.slice(2).reduce((a, b) => a * b, 1) * (C / G);
        const ones = x.tensor({ dtype: 'float32', dims: [G], data: new Float32Array(G).fill(1) });
        const zeros = x.tensor({ dtype: 'float32', dims: [G], data: new Float32Array(G) });
        const norm = x.op('InstanceNormalization', [x.reshape(X, [N, G, rest]), ones, zeros], { epsilon })[0]!;
        const perC = [C, ...X.shape.slice(2).map(() => 1)];
        const scaled = x.op('Mul', [x.reshape(norm, X.shape), x.reshape(need(ins[1], 'scale'), perC)])[0]!;
        return x.op('Add', [scaled, x.reshape(need(ins[2], 'bias'), perC)]);
      },
    };
  },
};

/**
 * LinearAttention (opset 27) → twinops LinearAttention: inputs query, key, value, past_state, decay,
 * beta, erase_gate (the optional ones passed on when present); chunk_size is a tuning hint.
 */
const linearAttention: OnnxOpMapping = {
  op: 'LinearAttention',
  domain: '',
  sinceOpset: 27,
  lower(node: OnnxNode): Lowered {
    arity(node, 3, 7);
    const at = new Attrs(node, ['kv_num_heads', 'q_num_heads', 'scale', 'update_rule'], ['chunk_size']);
    const has = present(node);
    const attrs = {
      qNumHeads: at.int('q_num_heads', 0),
      kvNumHeads: at.int('kv_num_heads', 0),
      scale: at.has('scale') ? at.float('scale', 0) : undefined,
      updateRule: at.string('update_rule', 'gated_delta'),
      hasPast: !!has[3],
      hasErase: !!has[6],
    };
    return {
      calls: ['LinearAttention'],
      run: (x, ins) => x.op('LinearAttention', ins.filter((t): t is NonNullable<typeof t> => t !== undefined), attrs),
    };
  },
};

/** RotaryEmbedding (opset 23) → twinops RotaryEmbedding: attribute renames; position_ids passed on when present. */
const rotary: OnnxOpMapping = {
  op: 'RotaryEmbedding',
  domain: '',
  sinceOpset: 23,
  lower(node: OnnxNode): Lowered {
    arity(node, 3, 4);
    const at = new Attrs(node, ['interleaved', 'num_heads', 'rotary_embedding_dim']);
    const attrs = {
      interleaved: at.int('interleaved', 0) !== 0,
      rotaryEmbeddingDim: at.int('rotary_embedding_dim', 0),
      numHeads: at.has('num_heads') ? at.int('num_heads', 0) : undefined,
    };
    return {
      calls: ['RotaryEmbedding'],
      run: (x, ins) => x.op('RotaryEmbedding', ins.filter((t): t is NonNullable<typeof t> => t !== undefined), attrs),
    };
  },
};

addMappings([attention, nll, sce, rmsNorm, lpNorm, swishNode, swiglu, mvn, groupNorm, linearAttention, rotary]);
