import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * LinearAttention (ONNX opset 27), float32 or float16 (computed in float32): a recurrent attention with one state S [Dk, Dv] per
 * (batch, key/value head). query [B, T, Hq·Dk], key [B, T, Hkv·Dk], value [B, T, Hkv·Dv]; Hq a
 * multiple of Hkv (query head h reads the state of head floor(h / (Hq/Hkv))). Per step t:
 *   'gated' / 'gated_delta': S *= e^decay (decay [B, T, Hkv] per head, or [B, T, Hkv·Dk] per key dim);
 *   'delta' / 'gated_delta': u = beta·(v − Sᵀ(k ⊙ erase)) (beta [B, T, Hkv] or [B, T, 1]; erase
 *     [B, T, Hkv·Dk], optional), else u = v;
 *   S += k ⊗ u;  output_t = scale · Sᵀ q_t (scale default, or 0: 1/√Dk; 1 when Dk = 0).
 * Inputs in order: query, key, value, then past_state [B, Hkv, Dk, Dv] when `hasPast`, decay for
 * the gated rules, beta for the delta rules, erase_gate when `hasErase`, all of query's dtype.
 * Outputs (query's dtype): output [B, T, Hq·Dv] and present_state [B, Hkv, Dk, Dv] (the final S).
 */
export type LinearAttentionRule = 'linear' | 'gated' | 'delta' | 'gated_delta';

export interface LinearAttentionAttrs {
  qNumHeads: number;
  kvNumHeads: number;
  scale?: number;
  updateRule?: LinearAttentionRule;
  hasPast?: boolean;
  hasErase?: boolean;
}

export interface LinearAttentionPlan extends Plan {
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  Dk: number;
  Dv: number;
  scale: number;
  /** Input index of each optional input, or -1. */
  past: number;
  decay: number;
  decayPerDim: boolean;
  beta: number;
  betaW: number;
  erase: number;
}

const OP = 'LinearAttention';
const RULES: readonly LinearAttentionRule[] = ['linear', 'gated', 'delta', 'gated_delta'];

function plan(inputs: readonly TensorInfo[], attrs: LinearAttentionAttrs): LinearAttentionPlan {
  const rule = attrs.updateRule ?? 'gated_delta';
  if (!RULES.includes(rule)) throw new AttributeError(OP, `updateRule must be one of ${RULES.join(', ')}, got ${String(rule)}`);
  const gating = rule === 'gated' || rule === 'gated_delta';
  const delta = rule === 'delta' || rule === 'gated_delta';
  if (attrs.hasErase && !delta) throw new AttributeError(OP, `updateRule '${rule}' takes no erase_gate`);
  const n = 3 + (attrs.hasPast ? 1 : 0) + (gating ? 1 : 0) + (delta ? 1 : 0) + (attrs.hasErase ? 1 : 0);
  expectArity(OP, inputs, n);
  const { qNumHeads: Hq, kvNumHeads: Hkv } = attrs;
  for (const [name, h] of [['qNumHeads', Hq], ['kvNumHeads', Hkv]] as const) {
    if (!Number.isInteger(h) || h < 1) throw new AttributeError(OP, `${name} must be a positive integer, got ${String(h)}`);
  }
  if (Hq % Hkv !== 0) throw new AttributeError(OP, `qNumHeads ${Hq} must be a multiple of kvNumHeads ${Hkv}`);
  const [q, k, v] = inputs as [TensorInfo, TensorInfo, TensorInfo];
  expectDType(OP, q, ['float32', 'float16'], 'query');
  const dtype = q.dtype;
  [k, v].forEach((t, i) => expectDType(OP, t, [dtype], ['key', 'value'][i]));
  const shapes = `query${fmtShape(q.shape)}, key${fmtShape(k.shape)}, value${fmtShape(v.shape)}`;
  if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3) throw new ShapeError(OP, `query, key and value must be 3-D [batch, steps, heads·size]: ${shapes}`, 'RANK');
  const [B, T, qh] = q.shape as [number, number, number];
  if (k.shape[0] !== B || v.shape[0] !== B || k.shape[1] !== T || v.shape[1] !== T) throw new ShapeError(OP, `batch and step counts differ: ${shapes}`);
  if (qh % Hq !== 0 || k.shape[2]! % Hkv !== 0 || v.shape[2]! % Hkv !== 0) throw new ShapeError(OP, `hidden sizes must be multiples of the head counts (${Hq} query, ${Hkv} key/value): ${shapes}`);
  const Dk = qh / Hq;
  if (k.shape[2]! / Hkv !== Dk) throw new ShapeError(OP, `query and key head sizes differ (${Dk} and ${k.shape[2]! / Hkv}): ${shapes}`);
  const Dv = v.shape[2]! / Hkv;
  const want = (t: TensorInfo, what: string, options: number[][]) => {
    expectDType(OP, t, [dtype], what);
    if (!options.some((s) => s.length === t.shape.length && s.every((d, i) => d === t.shape[i]))) {
      throw new ShapeError(OP, `${what}${fmtShape(t.shape)} must be ${options.map((s) => fmtShape(s)).join(' or ')} (${shapes})`);
    }
  };
  let next = 3;
  const p: LinearAttentionPlan = {
    outputs: [{ shape: [B, T, Hq * Dv], dtype }, { shape: [B, Hkv, Dk, Dv], dtype }],
    dispatchDType: dtype,
    B, T, Hq, Hkv, Dk, Dv, scale: 0, past: -1, decay: -1, decayPerDim: false, beta: -1, betaW: 1, erase: -1,
  };
  if (attrs.hasPast) want(inputs[(p.past = next++)]!, 'past_state', [[B, Hkv, Dk, Dv]]);
  if (gating) {
    const d = inputs[(p.decay = next++)]!;
    want(d, 'decay', [[B, T, Hkv], [B, T, Hkv * Dk]]);
    p.decayPerDim = d.shape[2] === Hkv * Dk && !(Dk === 1);
  }
  if (delta) {
    const b = inputs[(p.beta = next++)]!;
    want(b, 'beta', [[B, T, Hkv], [B, T, 1]]);
    p.betaW = b.shape[2]!;
  }
  if (attrs.hasErase) want(inputs[(p.erase = next++)]!, 'erase_gate', [[B, T, Hkv * Dk]]);
  // Dk = 0: every read is an empty sum (0), whatever the scale
  const scale = attrs.scale === undefined || attrs.scale === 0 ? (Dk === 0 ? 1 : 1 / Math.sqrt(Dk)) : attrs.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new AttributeError(OP, `scale must be a finite number, got ${String(attrs.scale)}`);
  p.scale = scale;
  return p;
}

export const linearAttentionDef: OpDef<LinearAttentionAttrs, LinearAttentionPlan> = defineOp({ name: OP, plan });
