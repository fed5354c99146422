import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Attention (scaled dot-product, ONNX opset 23/24 semantics), float32 or float16 (computed in float32):
 *   Y = softmax(softcap(Q·Kᵀ·scale) + bias) · V    per (batch, query head)
 *
 * Inputs, in order: Q, K, V, then the mask when `hasMask`, then nonpad_kv_seqlen when `hasNonpad`.
 *  - Q is [B, Hq, Sq, Dk] or, 3-D, [B, Sq, Hq·Dk] (then `qNumHeads` gives Hq); K [B, Hkv, Skv, Dk] or
 *    [B, Skv, Hkv·Dk] and V [B, Hkv, Skv, Dv] or [B, Skv, Hkv·Dv] (3-D: `kvNumHeads`). Each of the three
 *    may be 3-D or 4-D independently. Hq must be a multiple of Hkv (grouped-query attention: query
 *    head h reads key/value head floor(h / (Hq/Hkv))).
 *  - the mask (Q's dtype, added to the scores, or bool: false = masked) has rank 2 to 4 and broadcasts to
 *    [B, Hq, Sq, W] right-aligned, with W ≤ Skv: keys j ≥ W are masked (ONNX pads a short mask with
 *    -inf / false).
 *  - nonpad_kv_seqlen, int64 [B]: keys j ≥ nonpad[b] are masked.
 * `isCausal` masks keys j > i + offset, where offset is `causalOffset` when given (the past length),
 * otherwise nonpad[b] − Sq when nonpad is present, otherwise 0. `scale` defaults to 1/√Dk; `softcap`
 * (> 0) applies softcap·tanh(s/softcap) before the mask. A row with every key masked gives 0.
 * Outputs: Y ([B, Hq, Sq, Dv], or [B, Sq, Hq·Dv] when Q is 3-D) and, when `qkOutput` is 0–3, the
 * [B, Hq, Sq, Skv] scores: 0 scaled QKᵀ, 1 after softcap, 2 after the mask, 3 the softmax.
 */
export interface AttentionAttrs {
  qNumHeads?: number;
  kvNumHeads?: number;
  scale?: number;
  softcap?: number;
  isCausal?: boolean;
  causalOffset?: number;
  hasMask?: boolean;
  hasNonpad?: boolean;
  qkOutput?: 0 | 1 | 2 | 3;
}

/** Element strides of a [B, H, S, D] view (D contiguous). */
export interface HeadStrides {
  b: number;
  h: number;
  s: number;
}

export interface AttentionPlan extends Plan {
  B: number;
  Hq: number;
  Hkv: number;
  Sq: number;
  Skv: number;
  Dk: number;
  Dv: number;
  q: HeadStrides;
  k: HeadStrides;
  v: HeadStrides;
  y: HeadStrides;
  scale: number;
  softcap: number;
  /** 0 none, 1 float (added), 2 bool. */
  maskKind: 0 | 1 | 2;
  /** Mask element strides for b, h, i (0 where broadcast) and its width W. */
  mask: HeadStrides & { w: number };
  hasNonpad: boolean;
  /** 0 none, 1 fixed offset, 2 nonpad[b] − Sq. */
  causal: 0 | 1 | 2;
  causalOffset: number;
  /** -1: no qk output. */
  qkMode: number;
}

const OP = 'Attention';

/** [B, H, S, D] of a 3-D or 4-D input and its strides; `heads` is the attribute for the 3-D form. */
function view(t: TensorInfo, what: string, heads: number | undefined, attr: string): { B: number; H: number; S: number; D: number; st: HeadStrides } {
  const s = t.shape;
  if (s.length === 4) {
    const [B, H, S, D] = s as [number, number, number, number];
    return { B, H, S, D, st: { b: H * S * D, h: S * D, s: D } };
  }
  if (s.length !== 3) throw new ShapeError(OP, `${what}${fmtShape(s)} must be 3-D [batch, seq, heads·size] or 4-D [batch, heads, seq, size]`, 'RANK');
  if (heads === undefined || !Number.isInteger(heads) || heads < 1) throw new AttributeError(OP, `${what}${fmtShape(s)} is 3-D, so ${attr} must be a positive integer, got ${String(heads)}`);
  const [B, S, HD] = s as [number, number, number];
  if (HD % heads !== 0) throw new ShapeError(OP, `${what}${fmtShape(s)}: hidden size ${HD} is not a multiple of ${attr} ${heads}`);
  const D = HD / heads;
  return { B, H: heads, S, D, st: { b: S * HD, h: D, s: HD } };
}

function plan(inputs: readonly TensorInfo[], attrs: AttentionAttrs): AttentionPlan {
  const nIn = 3 + (attrs.hasMask ? 1 : 0) + (attrs.hasNonpad ? 1 : 0);
  expectArity(OP, inputs, nIn);
  const [qi, ki, vi] = inputs as [TensorInfo, TensorInfo, TensorInfo];
  expectDType(OP, qi, ['float32', 'float16'], 'Q');
  const dtype = qi.dtype;
  expectDType(OP, ki, [dtype], 'K');
  expectDType(OP, vi, [dtype], 'V');
  const q = view(qi, 'Q', attrs.qNumHeads, 'qNumHeads');
  const k = view(ki, 'K', attrs.kvNumHeads, 'kvNumHeads');
  const v = view(vi, 'V', attrs.kvNumHeads, 'kvNumHeads');
  const shapes = `Q${fmtShape(qi.shape)}, K${fmtShape(ki.shape)}, V${fmtShape(vi.shape)}`;
  if (k.B !== q.B || v.B !== q.B) throw new ShapeError(OP, `batch sizes differ: ${shapes}`);
  if (k.D !== q.D) throw new ShapeError(OP, `Q and K head sizes differ (${q.D} and ${k.D}): ${shapes}`);
  if (k.H !== v.H || k.S !== v.S) throw new ShapeError(OP, `K and V must have the same heads and sequence length: ${shapes}`);
  if (k.H === 0 || q.H % k.H !== 0) throw new ShapeError(OP, `query heads ${q.H} must be a multiple of key/value heads ${k.H}: ${shapes}`);
  const { B, S: Sq, D: Dk } = q;
  const Skv = k.S;
  const Dv = v.D;
  const scale = attrs.scale ?? 1 / Math.sqrt(Dk);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new AttributeError(OP, `scale must be a finite number, got ${String(attrs.scale)}`);
  const softcap = attrs.softcap ?? 0;
  if (typeof softcap !== 'number' || !(softcap >= 0) || !Number.isFinite(softcap)) throw new AttributeError(OP, `softcap must be a finite number >= 0, got ${String(attrs.softcap)}`);
  const qkMode = attrs.qkOutput ?? -1;
  if (![-1, 0, 1, 2, 3].includes(qkMode)) throw new AttributeError(OP, `qkOutput must be 0, 1, 2 or 3, got ${String(attrs.qkOutput)}`);

  let maskKind: 0 | 1 | 2 = 0;
  const mask = { b: 0, h: 0, s: 0, w: Skv };
  let next = 3;
  if (attrs.hasMask) {
    const m = inputs[next++]!;
    expectDType(OP, m, [dtype, 'bool'], 'attn_mask');
    maskKind = m.dtype === 'bool' ? 2 : 1;
    const r = m.shape.length;
    if (r < 2 || r > 4) throw new ShapeError(OP, `attn_mask${fmtShape(m.shape)} must have rank 2 to 4 (broadcast to [${B}, ${q.H}, ${Sq}, ${Skv}])`, 'RANK');
    const full = [1, 1, 1, 1].map((_, i) => (i < 4 - r ? 1 : m.shape[i - (4 - r)]!)) as [number, number, number, number];
    const [mb, mh, ms, mw] = full;
    const bad = (d: number, want: number) => d !== 1 && d !== want;
    if (bad(mb, B) || bad(mh, q.H) || bad(ms, Sq) || mw > Skv) {
      throw new ShapeError(OP, `attn_mask${fmtShape(m.shape)} does not broadcast to [${B}, ${q.H}, ${Sq}, W ≤ ${Skv}] (${shapes})`);
    }
    mask.s = ms === 1 ? 0 : mw;
    mask.h = mh === 1 ? 0 : ms * mw;
    mask.b = mb === 1 ? 0 : mh * ms * mw;
    mask.w = mw;
  }
  if (attrs.hasNonpad) {
    const n = inputs[next++]!;
    expectDType(OP, n, ['int64'], 'nonpad_kv_seqlen');
    if (n.shape.length !== 1 || n.shape[0] !== B) throw new ShapeError(OP, `nonpad_kv_seqlen${fmtShape(n.shape)} must be [${B}] (the batch of ${shapes})`);
  }
  let causal: 0 | 1 | 2 = 0;
  let causalOffset = 0;
  if (attrs.isCausal) {
    if (attrs.causalOffset !== undefined) {
      if (!Number.isInteger(attrs.causalOffset)) throw new AttributeError(OP, `causalOffset must be an integer, got ${String(attrs.causalOffset)}`);
      causal = 1;
      causalOffset = attrs.causalOffset;
    } else causal = attrs.hasNonpad ? 2 : 1;
  }
  const yShape = qi.shape.length === 3 ? [B, Sq, q.H * Dv] : [B, q.H, Sq, Dv];
  const y = qi.shape.length === 3 ? { b: Sq * q.H * Dv, h: Dv, s: q.H * Dv } : { b: q.H * Sq * Dv, h: Sq * Dv, s: Dv };
  const outputs = [{ shape: yShape, dtype }];
  if (qkMode >= 0) outputs.push({ shape: [B, q.H, Sq, Skv], dtype });
  return {
    // with nonpad_kv_seqlen the registry dispatches on its dtype (int64): that form has a wasm kernel
    // only, since WebGPU cannot hold int64; everything else on float32
    outputs, dispatchDType: attrs.hasNonpad ? 'int64' : dtype,
    B, Hq: q.H, Hkv: k.H, Sq, Skv, Dk, Dv, q: q.st, k: k.st, v: v.st, y,
    scale, softcap, maskKind, mask, hasNonpad: !!attrs.hasNonpad, causal, causalOffset, qkMode,
  };
}

export const attentionDef: OpDef<AttentionAttrs, AttentionPlan> = defineOp({ name: OP, plan });
