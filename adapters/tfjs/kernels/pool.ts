/** MaxPool and AvgPool (NHWC) → twinops MaxPool / AveragePool with tfjs' padding made explicit. */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel, inputX } from './register.js';

function pool(kernel: string, op: 'MaxPool' | 'AveragePool', backend: TwinopsBackend, x: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const rounding = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    rounding,
  );
  const p = info.padInfo;
  const y = backend.runOne(kernel, op, [x], {
    kernelShape: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    pads: [p.top, p.left, p.bottom, p.right],
    autoPad: 'NOTSET',
    layout: 'NHWC',
    ceilMode: rounding === 'ceil',
    ...(op === 'AveragePool' ? { countIncludePad: false } : {}),
  });
  const want = info.outShape;
  if (y.shape.some((d, i) => d !== want[i])) {
    backend.release(y);
    backend.unsupported(kernel, `dimRoundingMode ${String(rounding)} gives [${want.join(',')}], which explicit pads cannot express`);
  }
  return y;
}

defineKernel('MaxPool', ['MaxPool'], ({ inputs, attrs, backend }) => pool('MaxPool', 'MaxPool', backend, inputX(inputs), attrs));
defineKernel('AvgPool', ['AveragePool'], ({ inputs, attrs, backend }) => pool('AvgPool', 'AveragePool', backend, inputX(inputs), attrs));
