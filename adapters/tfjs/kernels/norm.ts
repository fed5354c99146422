/**
 * FusedBatchNorm → twinops BatchNormalization with the channel on the last axis (tfjs). tfjs'
 * optional scale and offset default to ones and zeros (written as data). Parameters of another
 * shape broadcast against x through elementwise ops (broadcastBatchNorm).
 */
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

/**
 * Parameters that are not one value per channel (tfjs broadcasts them against x, e.g. all of x's
 * shape): tfjs-backend-cpu's formula offset + (x − mean) · scale / sqrt(variance + ε) with twinops'
 * broadcasting elementwise ops.
 */
function broadcastBatchNorm(backend: TwinopsBackend, inputs: NamedTensorInfoMap, eps: number): TensorInfo {
  const kernel = 'FusedBatchNorm';
  const made: TensorInfo[] = [];
  const run = (op: string, ts: TensorInfo[]) => {
    const t = backend.runOne(kernel, op, ts);
    made.push(t);
    return t;
  };
  try {
    const e = backend.filled([], 'float32', eps);
    made.push(e);
    const sd = run('Sqrt', [run('Add', [inputs.variance as TensorInfo, e])]);
    let t = run('Sub', [inputs.x as TensorInfo, inputs.mean as TensorInfo]);
    if (inputs.scale) t = run('Mul', [t, inputs.scale as TensorInfo]);
    t = run('Div', [t, sd]);
    if (!inputs.offset) return backend.alias(t);
    return backend.runOne(kernel, 'Add', [inputs.offset as TensorInfo, t]);
  } finally {
    for (const t of made) backend.release(t);
  }
}

defineKernel('FusedBatchNorm', ['BatchNormalization', 'Add', 'Sub', 'Mul', 'Div', 'Sqrt'], ({ inputs, attrs, backend }) => {
  const kernel = 'FusedBatchNorm';
  const x = inputs.x as TensorInfo;
  const C = x.shape[x.shape.length - 1] ?? 1;
  const eps = (attrs.varianceEpsilon as number | undefined) ?? 0.001;
  const params = [inputs.scale, inputs.offset, inputs.mean, inputs.variance] as (TensorInfo | undefined)[];
  if (params.some((t) => t !== undefined && t.shape.reduce((a, b) => a * b, 1) !== C)) return broadcastBatchNorm(backend, inputs, eps);
  const made: TensorInfo[] = [];
  const param = (t: TensorInfo | undefined, dflt: number, what: string): TensorInfo => {
    if (t === undefined) {
      const p = backend.filled([C], 'float32', dflt);
      made.push(p);
      return p;
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== C) backend.unsupported(kernel, `${what} [${t.shape.join(',')}] must hold one value per channel (${C})`);
    return { ...t, shape: [C] };
  };
  try {
    const scale = param(inputs.scale as TensorInfo | undefined, 1, 'scale');
    const offset = param(inputs.offset as TensorInfo | undefined, 0, 'offset');
    const mean = param(inputs.mean as TensorInfo, 0, 'mean');
    const variance = param(inputs.variance as TensorInfo, 1, 'variance');
    const xr = x.shape.length >= 2 ? x : { ...x, shape: [1, C] };
    const y = backend.runOne(kernel, 'BatchNormalization', [xr, scale, offset, mean, variance], {
      epsilon: eps,
      layout: 'NHWC',
    });
    return xr === x ? y : backend.reshaped(y, x.shape);
  } finally {
    for (const t of made) backend.release(t);
  }
});
