/**
 * ONNX quantisation ops → twinops QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
 * MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv (same semantics; see ops/quant*.ts).
 */
import type { DType } from '../../../core/dtype.js';
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { dtypeOfOnnx, onnxTypeName } from '../tensor-proto.js';
import { windowAttrs } from './conv.js';
import { addMappings } from './table.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

/** A zero-valued scalar of `dtype`, standing in for an omitted optional zero point that precedes a given one. */
function zeroOf<T extends TensorInfo>(x: Exec<T>, dtype: DType): T {
  const data = dtype === 'int8' ? new Int8Array(1) : new Uint8Array(1);
  return x.tensor({ dtype, dims: [], data });
}

/** axis / block_size, shared by QuantizeLinear and DequantizeLinear. */
function axisAttrs(at: Attrs): { axis: number; blockSize: number } {
  return { axis: at.int('axis', 1), blockSize: at.int('block_size', 0) };
}

const quantizeLinear: OnnxOpMapping = {
  op: 'QuantizeLinear',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 3);
    // saturate only concerns float8 outputs, which twinops does not have
    const at = new Attrs(node, ['axis', 'block_size', 'output_dtype', 'precision'], ['saturate']);
    const attrs: { axis: number; blockSize: number; outputDtype?: DType } = axisAttrs(at);
    const od = at.int('output_dtype', 0);
    if (od !== 0) {
      const d = dtypeOfOnnx(od);
      if (!d) throw new UnsupportedNodeError(`output_dtype ${onnxTypeName(od)}`);
      attrs.outputDtype = d;
    }
    const precision = at.int('precision', 0);
    if (precision !== 0 && precision !== 1) throw new UnsupportedNodeError(`precision ${onnxTypeName(precision)} (only float32)`);
    return {
      calls: ['QuantizeLinear'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const z = ins[2];
        const xs = [need(ins[0], 'x'), need(ins[1], 'y_scale')];
        return x.op('QuantizeLinear', z ? [...xs, z] : xs, attrs);
      },
    };
  },
};

const dequantizeLinear: OnnxOpMapping = {
  op: 'DequantizeLinear',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 3);
    const at = new Attrs(node, ['axis', 'block_size', 'output_dtype']);
    const od = at.int('output_dtype', 0);
    if (od !== 0 && od !== 1) throw new UnsupportedNodeError(`output_dtype ${onnxTypeName(od)} (only float32)`);
    const attrs = axisAttrs(at);
    return {
      calls: ['DequantizeLinear'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const z = ins[2];
        const xs = [need(ins[0], 'x'), need(ins[1], 'x_scale')];
        return x.op('DequantizeLinear', z ? [...xs, z] : xs, attrs);
      },
    };
  },
};

const dynamicQuantizeLinear: OnnxOpMapping = {
  op: 'DynamicQuantizeLinear',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    new Attrs(node, []);
    return { calls: ['DynamicQuantizeLinear'], run: (x, ins) => x.op('DynamicQuantizeLinear', [need(ins[0], 'x')]) };
  },
};

/** (x, w-like, zp_x?, zp_w?) ops: an omitted first zero point before a given second one becomes an explicit 0. */
function withZeroPoints<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[], names: [string, string]): T[] {
  const a = need(ins[0], names[0]);
  const b = need(ins[1], names[1]);
  const az = ins[2];
  const bz = ins[3];
  if (bz) return [a, b, az ?? zeroOf(x, a.dtype), bz];
  return az ? [a, b, az] : [a, b];
}

const matMulInteger: OnnxOpMapping = {
  op: 'MatMulInteger',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 4);
    new Attrs(node, []);
    return { calls: ['MatMulInteger'], run: (x, ins) => x.op('MatMulInteger', withZeroPoints(x, ins, ['A', 'B'])) };
  },
};

const qLinearMatMul: OnnxOpMapping = {
  op: 'QLinearMatMul',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 8);
    new Attrs(node, []);
    const names = ['a', 'a_scale', 'a_zero_point', 'b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'];
    return { calls: ['QLinearMatMul'], run: (x, ins) => x.op('QLinearMatMul', names.map((n, i) => need(ins[i], n))) };
  },
};

const CONV_ATTRS = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

const convInteger: OnnxOpMapping = {
  op: 'ConvInteger',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 2, 4);
    const at = new Attrs(node, CONV_ATTRS);
    const attrs = { ...windowAttrs(at), group: at.int('group', 1) };
    return { calls: ['ConvInteger'], run: (x, ins) => x.op('ConvInteger', withZeroPoints(x, ins, ['x', 'w']), attrs) };
  },
};

const qLinearConv: OnnxOpMapping = {
  op: 'QLinearConv',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 8, 9);
    const at = new Attrs(node, CONV_ATTRS);
    const attrs = { ...windowAttrs(at), group: at.int('group', 1) };
    const names = ['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point'];
    return {
      calls: ['QLinearConv'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const xs = names.map((n, i) => need(ins[i], n));
        const b = ins[8];
        return x.op('QLinearConv', b ? [...xs, b] : xs, attrs);
      },
    };
  },
};

addMappings([quantizeLinear, dequantizeLinear, dynamicQuantizeLinear, matMulInteger, qLinearMatMul, convInteger, qLinearConv]);
