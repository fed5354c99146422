/**
 * ONNX activations and unary math → twinops unary ops. Clip before opset 11 takes min/max
 * attributes; from 11 on they are optional inputs, read as scalars (constants at session creation,
 * otherwise at run time).
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import type { HostTensor } from '../tensor-proto.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const PLAIN = ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf'] as const;

function unary(op: string, domain = '', attrs: (at: Attrs, ctx: LowerCtx) => object = () => ({}), allowed: readonly string[] = [], sinceOpset?: number): OnnxOpMapping {
  return {
    op,
    domain,
    sinceOpset,
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      arity(node, 1);
      const a = attrs(new Attrs(node, allowed, ['consumed_inputs']), ctx);
      return {
        calls: op === 'IsNaN' || op === 'IsInf' ? [op, 'Cast', 'NotEqual', 'Equal', 'Abs'] : [op],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const X = need(ins[0], 'X');
          if ((op === 'IsNaN' || op === 'IsInf') && X.dtype === 'float16') return halfTest(x, op, X, a as { detect_positive?: number; detect_negative?: number });
          return x.op(op, [X], a);
        },
      };
    },
  };
}

/**
 * IsNaN/IsInf on float16, through float64 (exact, and with no WebGPU kernels, so a WebGPU session keeps
 * the node on wasm): IsNaN is x != x; IsInf compares with ±Inf (|x| for both signs, a NaN for neither).
 */
function halfTest<T extends TensorInfo>(x: Exec<T>, op: 'IsNaN' | 'IsInf', X: T, a: { detect_positive?: number; detect_negative?: number }): T[] {
  const d = x.op('Cast', [X], { to: 'float64' })[0]!;
  if (op === 'IsNaN') return x.op('NotEqual', [d, d]);
  const pos = (a.detect_positive ?? 1) !== 0;
  const neg = (a.detect_negative ?? 1) !== 0;
  const c = x.tensor({ dtype: 'float64', dims: [], data: Float64Array.of(pos && neg ? Infinity : pos ? Infinity : neg ? -Infinity : NaN) });
  return x.op('Equal', [pos && neg ? x.op('Abs', [d])[0]! : d, c]);
}

function hostScalar(t: HostTensor | undefined, what: string): number | undefined {
  if (!t) return undefined;
  if (t.data.length !== 1) throw new UnsupportedNodeError(`Clip ${what} must be a scalar, got shape [${t.dims.join(',')}]`);
  return Number(t.data[0]);
}

const clip: OnnxOpMapping = {
  op: 'Clip',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    if (ctx.opset < 11) {
      arity(node, 1);
      const at = new Attrs(node, ['min', 'max'], ['consumed_inputs']);
      // Clip-6 defaults are ±FLT_MAX: identical to ±Infinity except for infinite inputs
      const bounds = { min: at.float('min', -3.4028234663852886e38), max: at.float('max', 3.4028234663852886e38) };
      return { calls: ['Clip'], run: (x, ins) => x.op('Clip', [need(ins[0], 'X')], bounds) };
    }
    arity(node, 1, 3);
    new Attrs(node, []);
    const has = (i: number) => node.inputs.length > i && node.inputs[i] !== '';
    const cMin = has(1) ? hostScalar(ctx.constant(1), 'min') : undefined;
    const cMax = has(2) ? hostScalar(ctx.constant(2), 'max') : undefined;
    return {
      calls: ['Clip'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const bounds: { min?: number; max?: number } = {};
        const min = cMin ?? (has(1) ? x.scalar(need(ins[1], 'min')) : undefined);
        const max = cMax ?? (has(2) ? x.scalar(need(ins[2], 'max')) : undefined);
        if (min !== undefined) bounds.min = min;
        if (max !== undefined) bounds.max = max;
        return x.op('Clip', [need(ins[0], 'input')], bounds);
      },
    };
  },
};

/**
 * Ops whose ONNX form has no attributes (twinops implements them with ONNX semantics), with the
 * opset that introduced each where it is not 1 (a node claiming an older opset is reported
 * unsupported). Later versions of these ops only widened their dtypes.
 */
const MORE_PLAIN: readonly (readonly [string, number?])[] = [
  ['Floor'], ['Ceil'], ['Reciprocal'], ['Softplus'], ['Softsign'], ['Not'],
  ['Round', 11], ['Sign', 9], ['HardSwish', 14], ['Mish', 18], ['IsNaN', 9],
  ['Sin', 7], ['Cos', 7], ['Tan', 7], ['Asin', 7], ['Acos', 7], ['Atan', 7],
  ['Sinh', 9], ['Cosh', 9], ['Asinh', 9], ['Acosh', 9], ['Atanh', 9],
];

export const UNARY_MAPPINGS: OnnxOpMapping[] = [
  ...PLAIN.map((op) => unary(op)),
  ...MORE_PLAIN.map(([op, since]) => unary(op, '', undefined, [], since)),
  unary('Elu', '', (at) => ({ alpha: at.float('alpha', 1) }), ['alpha']),
  unary('Celu', '', (at) => ({ alpha: at.float('alpha', 1) }), ['alpha'], 12),
  unary('Selu', '', (at) => ({ alpha: at.float('alpha', 1.67326319217681884765625), gamma: at.float('gamma', 1.05070102214813232421875) }), ['alpha', 'gamma']),
  unary('HardSigmoid', '', (at) => ({ alpha: at.float('alpha', 0.2), beta: at.float('beta', 0.5) }), ['alpha', 'beta']),
  unary('ThresholdedRelu', '', (at) => ({ alpha: at.float('alpha', 1) }), ['alpha'], 10),
  unary('Shrink', '', (at) => ({ bias: at.float('bias', 0), lambd: at.float('lambd', 0.5) }), ['bias', 'lambd'], 9),
  unary('IsInf', '', (at) => ({ detect_positive: at.int('detect_positive', 1), detect_negative: at.int('detect_negative', 1) }), ['detect_positive', 'detect_negative'], 10),
  unary('LeakyRelu', '', (at) => ({ alpha: at.float('alpha', 0.01) }), ['alpha']),
  unary('Gelu', '', (at) => {
    const approximate = at.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') throw new UnsupportedNodeError(`approximate='${approximate}'`);
    return { approximate };
  }, ['approximate'], 20),
  // onnxruntime's contrib Gelu (exact, erf form)
  unary('Gelu', 'com.microsoft', () => ({ approximate: 'none' })),
  clip,
];
