import type { DType } from '../core/dtype.js';
import { AttributeError } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const UNARY_OPS = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Gelu', 'Clip',
  'Floor', 'Ceil', 'Round', 'Reciprocal', 'Square', 'Rsqrt', 'Sign', 'Relu6', 'Elu', 'Selu', 'Celu',
  'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign', 'Expm1', 'Log1p', 'ThresholdedRelu', 'Shrink', 'Step', 'Mish', 'Sin', 'Cos',
  'Tan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Atan', 'Asin', 'Acos',
  'IsNaN', 'IsInf',
] as const;
/** Ops on bool only (defined by ops/logical.ts, outside the float32 op lists). */
export const BOOL_UNARY_OPS = ['Not'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number] | (typeof BOOL_UNARY_OPS)[number];

/** Ops that make sense on int32 (exact integer results, wrapping). */
export const INT_UNARY_OPS: readonly UnaryOp[] = ['Relu', 'Abs', 'Neg', 'Clip', 'Sign', 'Square'];
/** Ops that also take int64 (wasm only), exact and wrapping (Abs/Neg of INT64_MIN give INT64_MIN). */
export const INT64_UNARY_OPS: readonly UnaryOp[] = ['Abs', 'Neg', 'Sign'];
/** Ops that also take float64 (wasm only), computed in double: IEEE ops, and Exp/Log/Sigmoid below 1 ulp (fdlibm's algorithms). */
export const FLOAT64_UNARY_OPS: readonly UnaryOp[] = ['Relu', 'Abs', 'Neg', 'Sqrt', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'Rsqrt', 'Square', 'Sign', 'Exp', 'Log', 'Sigmoid', 'Clip'];
/**
 * Abs and Sign also take these integer dtypes, Neg the signed ones (wasm only; wrapping like int32:
 * Abs/Neg of the minimum give the minimum; Abs of an unsigned value is itself).
 */
export const SMALL_INT_SIGN_DTYPES: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16', 'uint32', 'uint64'];
/** The further integer dtypes Clip takes (wasm only; bounds are truncated and clamped to the dtype's range). */
export const CLIP_INT_DTYPES: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16', 'uint32'];
/** float32 ops whose output is bool. */
export const PREDICATE_UNARY_OPS: readonly UnaryOp[] = ['IsNaN', 'IsInf'];

/** The input dtypes an op's kernels take. */
export function unaryDTypes(op: UnaryOp): readonly DType[] {
  if ((BOOL_UNARY_OPS as readonly string[]).includes(op)) return ['bool'];
  const out: DType[] = INT64_UNARY_OPS.includes(op) ? ['float32', 'int32', 'int64'] : INT_UNARY_OPS.includes(op) ? ['float32', 'int32'] : ['float32'];
  if (FLOAT64_UNARY_OPS.includes(op)) out.push('float64');
  if (op === 'Clip') out.push(...CLIP_INT_DTYPES);
  if (op === 'Abs' || op === 'Sign') out.push(...SMALL_INT_SIGN_DTYPES);
  if (op === 'Neg') out.push('int8', 'int16');
  return out;
}

export interface UnaryAttrs {
  /**
   * LeakyRelu slope (0.01), Elu/Celu alpha (1), Selu alpha (1.6732632), HardSigmoid slope (0.2),
   * ThresholdedRelu threshold (1), Step's value for x ≤ 0 (0, tfjs). Defaults as ONNX / tfjs.
   */
  alpha?: number;
  /** HardSigmoid offset (0.5). */
  beta?: number;
  /** Selu scale (1.050701). */
  gamma?: number;
  /** Shrink: bias (0) and lambd (0.5). */
  bias?: number;
  lambd?: number;
  /** IsInf: which infinities count (both default 1, as ONNX). */
  detect_positive?: number | boolean;
  detect_negative?: number | boolean;
  /** Clip bounds (default -Infinity / +Infinity). */
  min?: number;
  max?: number;
  /** Gelu: 'none' (exact, erf) or 'tanh' (approximation), as ONNX Gelu-20. */
  approximate?: 'none' | 'tanh';
}

export interface UnaryPlan extends Plan {
  op: UnaryOp;
  size: number;
  alpha: number;
  beta: number;
  gamma: number;
  min: number;
  max: number;
  approximate: 'none' | 'tanh';
  /** IsInf: count +Inf / -Inf. */
  detectPositive: boolean;
  detectNegative: boolean;
}

const SELU_ALPHA = 1.67326319217681884765625; // ONNX's float32 defaults
const SELU_GAMMA = 1.05070102214813232421875;

const ALPHA_DEFAULT: Partial<Record<UnaryOp, number>> = { LeakyRelu: 0.01, Elu: 1, Celu: 1, Selu: SELU_ALPHA, HardSigmoid: 0.2, ThresholdedRelu: 1, Step: 0 };

export function unaryDef(op: UnaryOp): OpDef<UnaryAttrs, UnaryPlan> {
  const dtypes = unaryDTypes(op);
  return {
    name: op,
    plan(inputs: readonly TensorInfo[], attrs: UnaryAttrs): UnaryPlan {
      expectArity(op, inputs, 1);
      const x = inputs[0]!;
      expectDType(op, x, dtypes, 'X');
      let alpha = attrs.alpha ?? ALPHA_DEFAULT[op] ?? 0.01;
      let beta = attrs.beta ?? 0.5;
      let gamma = attrs.gamma ?? SELU_GAMMA;
      const min = attrs.min ?? -Infinity;
      const max = attrs.max ?? Infinity;
      const approximate = attrs.approximate ?? 'none';
      const finite = (name: string, v: number) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new AttributeError(op, `${name} must be a finite number, got ${String(v)}`);
      };
      if (op in ALPHA_DEFAULT) finite('alpha', alpha);
      if (op === 'HardSigmoid') finite('beta', beta);
      if (op === 'Selu') finite('gamma', gamma);
      if (op === 'Celu' && alpha === 0) throw new AttributeError(op, 'alpha must not be 0');
      if (op === 'Shrink') {
        // the kernels take bias in beta and lambd in gamma
        beta = attrs.bias ?? 0;
        gamma = attrs.lambd ?? 0.5;
        finite('bias', beta);
        if (typeof gamma !== 'number' || Number.isNaN(gamma) || gamma < 0) throw new AttributeError(op, `lambd must be a number ≥ 0, got ${String(gamma)}`);
      }
      if (op === 'HardSwish') [alpha, beta] = [1 / 6, 0.5];
      if (Number.isNaN(min) || Number.isNaN(max)) throw new AttributeError(op, `min/max must not be NaN`);
      if (approximate !== 'none' && approximate !== 'tanh') throw new AttributeError(op, `approximate must be 'none' or 'tanh', got ${String(approximate)}`);
      let size = 1;
      for (const d of x.shape) size *= d;
      const outDType: DType = PREDICATE_UNARY_OPS.includes(op) ? 'bool' : x.dtype;
      return {
        op,
        outputs: [{ shape: x.shape.slice(), dtype: outDType }],
        dispatchDType: x.dtype,
        size,
        alpha,
        beta,
        gamma,
        min,
        max,
        approximate,
        detectPositive: !!(attrs.detect_positive ?? 1),
        detectNegative: !!(attrs.detect_negative ?? 1),
      };
    },
  };
}
