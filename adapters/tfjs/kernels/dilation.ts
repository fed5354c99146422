/**
 * Dilation2D and its gradients (NHWC) → twinops Dilation2D, Dilation2DBackpropInput,
 * Dilation2DBackpropFilter (ops/dilation.ts), with tfjs' padding made explicit by its own
 * computeDilation2DInfo.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

function attrsOf(x: TensorInfo, filter: TensorInfo, attrs: NamedAttrMap) {
  const info = backend_util.computeDilation2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number],
    attrs.strides as [number, number],
    attrs.pad as 'same',
    'NHWC',
    attrs.dilations as [number, number],
  );
  const p = info.padInfo;
  return { strides: [info.strideHeight, info.strideWidth], dilations: [info.dilationHeight, info.dilationWidth], pads: [p.top, p.left, p.bottom, p.right] };
}

for (const kernel of ['Dilation2D', 'Dilation2DBackpropInput', 'Dilation2DBackpropFilter'] as const) {
  defineKernel(kernel, [kernel], ({ inputs, attrs, backend }) => {
    const x = inputs.x as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const ins = kernel === 'Dilation2D' ? [x, filter] : [x, filter, inputs.dy as TensorInfo];
    return backend.runOne(kernel, kernel, ins, attrsOf(x, filter, attrs));
  });
}
