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
}

// Sign is left out: tfjs gives sign(NaN) = 0, twinops' Sign (ONNX) propagates NaN.
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
  Relu6: { op: 'Relu6' },
  Round: { op: 'Round', intIdentity: true },
  Rsqrt: { op: 'Rsqrt' },
  Selu: { op: 'Selu' },
  Sigmoid: { op: 'Sigmoid' },
  Softplus: { op: 'Softplus' },
  Sqrt: { op: 'Sqrt' },
  Square: { op: 'Square' },
  Step: { op: 'Step', attrs: (a) => ({ alpha: a.alpha as number }) },
  Tanh: { op: 'Tanh' },
};

for (const [kernel, m] of Object.entries(UNARY)) {
  defineKernel(kernel, m.floatOut ? [m.op, 'Cast'] : [m.op], ({ inputs, attrs, backend }) => {
    const x = inputX(inputs);
    if (m.intIdentity && x.dtype === 'int32') return backend.alias(x);
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
