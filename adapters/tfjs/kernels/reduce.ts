/**
 * Reductions, ArgMax/ArgMin and Cumsum/Cumprod → twinops' reduce family. Inputs of a dtype the
 * twinops kernel does not take are cast the way tfjs-backend-cpu does (bool sums count as int32,
 * Mean is float32), and All/Any reduce bools as int32 min/max.
 */
import { util } from '@tensorflow/tfjs-core';
import type { DataType, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel, inputX } from './register.js';

interface ReduceMapping {
  op: string;
  /** the attribute that holds the axes */
  axisAttr: string;
  /** dtype the input is cast to when it differs (undefined: bool → int32 only) */
  compute?: DataType;
  /** cast the result to this dtype */
  result?: DataType;
}

const REDUCE: Record<string, ReduceMapping> = {
  Sum: { op: 'ReduceSum', axisAttr: 'axis' },
  Prod: { op: 'ReduceProd', axisAttr: 'axis' },
  Max: { op: 'ReduceMax', axisAttr: 'reductionIndices' },
  Min: { op: 'ReduceMin', axisAttr: 'axis' },
  Mean: { op: 'ReduceMean', axisAttr: 'axis', compute: 'float32' },
  All: { op: 'ReduceMin', axisAttr: 'axis', compute: 'int32', result: 'bool' },
  Any: { op: 'ReduceMax', axisAttr: 'axis', compute: 'int32', result: 'bool' },
};

function castIn(kernel: string, backend: TwinopsBackend, x: TensorInfo, to: DataType | undefined): TensorInfo {
  if (to !== undefined) return backend.cast(kernel, x, to);
  return x.dtype === 'bool' ? backend.cast(kernel, x, 'int32') : x;
}

for (const [kernel, m] of Object.entries(REDUCE)) {
  defineKernel(kernel, [m.op, 'Cast'], ({ inputs, attrs, backend }) => {
    const x = inputX(inputs);
    const axes = util.parseAxisParam(attrs[m.axisAttr] as number | number[], x.shape);
    const input = castIn(kernel, backend, x, m.compute);
    try {
      const y = backend.runOne(kernel, m.op, [input], { axes, keepdims: !!attrs.keepDims, noop_with_empty_axes: 1 });
      if (m.result === undefined) return y;
      try {
        return backend.cast(kernel, y, m.result);
      } finally {
        backend.release(y);
      }
    } finally {
      backend.release(input, [x]);
    }
  });
}

function argReduce(kernel: 'ArgMax' | 'ArgMin') {
  defineKernel(kernel, [kernel, 'Cast'], ({ inputs, attrs, backend }) => {
    const x = inputX(inputs);
    const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
    // bool compares as 0 / 1 (tfjs-backend-cpu reads its values as numbers)
    const input = x.dtype === 'bool' ? backend.cast(kernel, x, 'int32') : x;
    try {
      // tfjs keeps the first element unless a later one is strictly better: NaN is skipped unless it leads
      return backend.runOne(kernel, kernel, [input], { axis, keepdims: false, outputDtype: 'int32', nanMode: 'ignore' });
    } finally {
      backend.release(input, [x]);
    }
  });
}
argReduce('ArgMax');
argReduce('ArgMin');

function cumulative(kernel: 'Cumsum' | 'Cumprod', op: 'CumSum' | 'CumProd') {
  defineKernel(kernel, [op, 'Cast'], ({ inputs, attrs, backend }: { inputs: Record<string, unknown>; attrs: NamedAttrMap; backend: TwinopsBackend }) => {
    const x = inputs.x as TensorInfo;
    const input = castIn(kernel, backend, x, undefined);
    try {
      return backend.runOne(kernel, op, [input], { axis: attrs.axis as number, exclusive: !!attrs.exclusive, reverse: !!attrs.reverse });
    } finally {
      backend.release(input, [x]);
    }
  });
}
cumulative('Cumsum', 'CumSum');
cumulative('Cumprod', 'CumProd');
