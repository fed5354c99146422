/** tfjs elementwise unary kernels → twinops unary ops, with their attributes renamed. */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel, inputX } from './register.js';

interface UnaryMapping {
  op: string;
  attrs?: (a: NamedAttrMap) => object;
  /** tfjs gives float32 for an int32 input: the input is cast first */
  floatOut?: boolean;
  /** integer rounding: an int32 input is its own result (shared, no copy) */
  intIdentity?: boolean;
  /** the twinops op (and attributes) that states the same function on int32, where `op` is float32 only */
  int32?: { op: string; attrs: object };
  /** int32 in and out, computed in float32 and cast back (truncating, as tfjs stores into an Int32Array) */
  int32ViaFloat?: boolean;
}

// Sign is defined below: tfjs gives sign(NaN) = 0, twinops' Sign (ONNX) propagates NaN.
// int32 inputs to the float32-only ops below (Reciprocal, Selu, Softplus, Expm1, Log1p, Asin,
// Acos, Atan, Sinh, Asinh, Acosh, Atanh) fail with a twinops dtype error: tfjs-backend-cpu computes
// them in float64 and truncates the result into int32 (NaN/±Inf → 0), which no twinops op states.
const UNARY: Record<string, UnaryMapping> = {
  Abs: { op: 'Abs' },
  Ceil: { op: 'Ceil', intIdentity: true },
  ClipByValue: { op: 'Clip', attrs: (a) => ({ min: a.clipValueMin as number, max: a.clipValueMax as number }) },
  Elu: { op: 'Elu' },
  Erf: { op: 'Erf' },
  Exp: { op: 'Exp', floatOut: true },
  Expm1: { op: 'Expm1' },
  Floor: { op: 'Floor', intIdentity: true },
  IsInf: { op: 'IsInf' },
  IsNan: { op: 'IsNaN' },
  LeakyRelu: { op: 'LeakyRelu', attrs: (a) => ({ alpha: a.alpha as number }), floatOut: true },
  Log: { op: 'Log' },
  Log1p: { op: 'Log1p' },
  LogicalNot: { op: 'Not' },
  Neg: { op: 'Neg' },
  Reciprocal: { op: 'Reciprocal' },
  Relu: { op: 'Relu' },
  // int32 (tfjs-backend-cpu keeps int32): min(max(0, x), 6) is exactly Clip to [0, 6]
  Relu6: { op: 'Relu6', int32: { op: 'Clip', attrs: { min: 0, max: 6 } } },
  Round: { op: 'Round', intIdentity: true },
  Rsqrt: { op: 'Rsqrt' },
  Selu: { op: 'Selu' },
  Sigmoid: { op: 'Sigmoid' },
  Softplus: { op: 'Softplus' },
  Sqrt: { op: 'Sqrt' },
  Square: { op: 'Square' },
  // int32: x > 0 ? 1 : alpha depends only on the sign, which float32 keeps; alpha truncates as tfjs'
  Step: { op: 'Step', attrs: (a) => ({ alpha: a.alpha as number }), int32ViaFloat: true },
  Tanh: { op: 'Tanh' },
  // trigonometry (float32: tfjs-core casts or rejects int32 for Sin/Cos/Tan/Cosh; the others reach
  // the kernel with int32, where tfjs-backend-cpu truncates the result to int32: a twinops dtype error)
  Sin: { op: 'Sin' },
  Cos: { op: 'Cos' },
  Tan: { op: 'Tan' },
  Asin: { op: 'Asin' },
  Acos: { op: 'Acos' },
  Atan: { op: 'Atan' },
  Sinh: { op: 'Sinh' },
  Cosh: { op: 'Cosh' },
  Asinh: { op: 'Asinh' },
  Acosh: { op: 'Acosh' },
  Atanh: { op: 'Atanh' },
};

for (const [kernel, m] of Object.entries(UNARY)) {
  const ops = [m.op, ...(m.floatOut || m.int32ViaFloat ? ['Cast'] : []), ...(m.int32 ? [m.int32.op] : [])];
  defineKernel(kernel, ops, ({ inputs, attrs, backend }) => {
    const x = inputX(inputs);
    if (m.intIdentity && x.dtype === 'int32') return backend.alias(x);
    if (m.int32 && x.dtype === 'int32') return backend.runOne(kernel, m.int32.op, [x], m.int32.attrs);
    if (m.int32ViaFloat && x.dtype === 'int32') {
      const f = backend.cast(kernel, x, 'float32');
      let y: TensorInfo | undefined;
      try {
        y = backend.runOne(kernel, m.op, [f], m.attrs?.(attrs) ?? {});
        return backend.cast(kernel, y, 'int32');
      } finally {
        backend.release(f);
        if (y) backend.release(y);
      }
    }
    const input: TensorInfo = m.floatOut && x.dtype === 'int32' ? backend.cast(kernel, x, 'float32') : x;
    try {
      return backend.runOne(kernel, m.op, [input], m.attrs?.(attrs) ?? {});
    } finally {
      backend.release(input, [x]);
    }
  });
}

// IsFinite: neither NaN nor ±Inf, from twinops' predicates (no arithmetic)
defineKernel('IsFinite', ['IsNaN', 'IsInf', 'Or', 'Not'], ({ inputs, backend }) => {
  const x = inputX(inputs);
  const nan = backend.runOne('IsFinite', 'IsNaN', [x]);
  const inf = backend.runOne('IsFinite', 'IsInf', [x]);
  let either: TensorInfo | undefined;
  try {
    either = backend.runOne('IsFinite', 'Or', [nan, inf]);
    return backend.runOne('IsFinite', 'Not', [either]);
  } finally {
    backend.release(nan);
    backend.release(inf);
    if (either) backend.release(either);
  }
});

// Sign: twinops' Sign (ONNX) gives NaN for NaN, tfjs 0: NaN lanes select a 0 instead (Where over IsNaN)
defineKernel('Sign', ['Sign', 'IsNaN', 'Where'], ({ inputs, backend }) => {
  const x = inputX(inputs);
  const s = backend.runOne('Sign', 'Sign', [x]);
  if (x.dtype !== 'float32') return s;
  const made: TensorInfo[] = [s];
  try {
    const nan = backend.runOne('Sign', 'IsNaN', [x]);
    made.push(nan);
    const zero = backend.filled([], 'float32', 0);
    made.push(zero);
    return backend.runOne('Sign', 'Where', [nan, zero, s]);
  } finally {
    for (const t of made) backend.release(t);
  }
});
