/**
 * MaxPool, AvgPool (NHWC) and MaxPool3D, AvgPool3D (NDHWC) → twinops MaxPool / AveragePool with
 * tfjs' padding made explicit and tfjs' output size given (dimRoundingMode and numeric pads can give
 * sizes, and pads at or past the window, that explicit symmetric pads alone cannot express). tfjs'
 * MaxPool skips NaN (`v > max`), so MaxPool runs with nanMode 'ignore'.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { AttrMemo, deepFreeze } from './memo.js';
import { defineKernel, inputX } from './register.js';

type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** tfjs' pooling geometry (2-D or 3-D) as twinops pool attributes. */
export function poolAttrs(x: TensorInfo, attrs: NamedAttrMap, rank: 2 | 3): { attrs: Record<string, unknown>; outShape: number[] } {
  const rounding = attrs.dimRoundingMode as Rounding;
  if (rank === 2) {
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as 'same',
      rounding,
    );
    const p = info.padInfo;
    return {
      outShape: info.outShape,
      attrs: {
        kernelShape: [info.filterHeight, info.filterWidth],
        strides: [info.strideHeight, info.strideWidth],
        pads: [p.top, p.left, p.bottom, p.right],
        outputSize: [info.outHeight, info.outWidth],
      },
    };
  }
  const info = backend_util.computePool3DInfo(
    x.shape as [number, number, number, number, number],
    attrs.filterSize as [number, number, number],
    attrs.strides as [number, number, number],
    1,
    attrs.pad as 'same',
    rounding,
  );
  const p = info.padInfo;
  return {
    outShape: info.outShape,
    attrs: {
      kernelShape: [info.filterDepth, info.filterHeight, info.filterWidth],
      strides: [info.strideDepth, info.strideHeight, info.strideWidth],
      pads: [p.front, p.top, p.left, p.back, p.bottom, p.right],
      outputSize: [info.outDepth, info.outHeight, info.outWidth],
    },
  };
}

/** The twinops attrs of a pooling call, or 'identity' for a 1×1 window that keeps the shape. */
type PoolCall = Record<string, unknown> | 'identity';

const calls = new AttrMemo<PoolCall>();

function poolCall(a: { op: 'MaxPool' | 'AveragePool'; x: TensorInfo; attrs: NamedAttrMap; rank: 2 | 3 }): PoolCall {
  const g = poolAttrs(a.x, a.attrs, a.rank);
  // as tfjs' kernels: a 1×1 window that keeps the shape is the identity, whatever its strides and pads
  const k = g.attrs.kernelShape as number[];
  if (k.every((v) => v === 1) && g.outShape.every((d, i) => d === a.x.shape[i])) return 'identity';
  return deepFreeze({
    ...g.attrs,
    autoPad: 'NOTSET',
    layout: 'NHWC',
    ...(a.op === 'AveragePool' ? { countIncludePad: false, emptyAverage: a.rank === 3 ? 'zero' : 'nan' } : { nanMode: 'ignore' }),
  });
}

function pool(kernel: string, op: 'MaxPool' | 'AveragePool', backend: TwinopsBackend, x: TensorInfo, attrs: NamedAttrMap, rank: 2 | 3): TensorInfo {
  const df = attrs.dataFormat as string | undefined;
  if (df !== undefined && df !== 'NHWC' && df !== 'NDHWC') backend.unsupported(kernel, `dataFormat ${df} is not supported (NHWC / NDHWC are)`);
  const call = calls.key(op, rank, x.shape, attrs.filterSize, attrs.strides, attrs.pad, attrs.dimRoundingMode).get(poolCall, { op, x, attrs, rank });
  if (call === 'identity') return backend.alias(x);
  return backend.runOne(kernel, op, [x], call, true);
}

defineKernel('MaxPool', ['MaxPool'], ({ inputs, attrs, backend }) => pool('MaxPool', 'MaxPool', backend, inputX(inputs), attrs, 2));
defineKernel('AvgPool', ['AveragePool'], ({ inputs, attrs, backend }) => pool('AvgPool', 'AveragePool', backend, inputX(inputs), attrs, 2));
defineKernel('MaxPool3D', ['MaxPool'], ({ inputs, attrs, backend }) => pool('MaxPool3D', 'MaxPool', backend, inputX(inputs), attrs, 3));
defineKernel('AvgPool3D', ['AveragePool'], ({ inputs, attrs, backend }) => pool('AvgPool3D', 'AveragePool', backend, inputX(inputs), attrs, 3));
