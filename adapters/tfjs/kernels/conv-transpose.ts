/**
 * Conv2DBackpropInput (tfjs conv2dTranspose) → twinops ConvTranspose with HWOI filters (NHWC) or
 * IOHW (NCHW, transposed from tfjs' HWOI). tfjs' forward-conv padding of the input shape fixes the
 * leading pads; the trailing pads (or output padding) follow from the requested input shape.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Conv2DBackpropInput', ['ConvTranspose', 'Transpose', 'Slice'], ({ inputs, attrs, backend }) => {
  const kernel = 'Conv2DBackpropInput';
  const dy0 = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const dataFormat = ((attrs.dataFormat as string | undefined) ?? 'NHWC') as 'NHWC' | 'NCHW';
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const s = [info.strideHeight, info.strideWidth];
  const k = [info.filterHeight, info.filterWidth];
  const dyHW = [info.outHeight, info.outWidth];
  const want = [info.inHeight, info.inWidth];
  // a dy larger than the forward's output: tfjs-backend-cpu reads only its leading rows and columns
  const hw = dataFormat === 'NHWC' ? [1, 2] : [2, 3];
  const dy = hw.some((a, i) => dy0.shape[a]! > dyHW[i]!)
    ? backend.runOne(kernel, 'Slice', [dy0], { starts: [0, 0], ends: dyHW, axes: hw })
    : dy0;
  const begin = [info.padInfo.top, info.padInfo.left];
  // full transposed size s·(in − 1) + k, less the leading pad, past the wanted size: the trailing pad
  const end = [0, 1].map((d) => s[d]! * (dyHW[d]! - 1) + k[d]! - begin[d]! - want[d]!);
  const outputPadding = end.map((e) => (e < 0 ? -e : 0));
  const w = dataFormat === 'NCHW' ? backend.runOne(kernel, 'Transpose', [filter], { perm: [3, 2, 0, 1] }) : filter;
  try {
    const y = backend.runOne(kernel, 'ConvTranspose', [dy, w], {
      layout: dataFormat,
      filterLayout: dataFormat === 'NCHW' ? 'IOHW' : 'HWOI',
      strides: s,
      pads: [begin[0]!, begin[1]!, Math.max(0, end[0]!), Math.max(0, end[1]!)],
      outputPadding,
      autoPad: 'NOTSET',
    });
    if (y.shape.some((d, i) => d !== inputShape[i])) {
      backend.release(y);
      backend.unsupported(kernel, `the transposed convolution gives [${y.shape.join(',')}], not the requested [${inputShape.join(',')}]`);
    }
    return y;
  } finally {
    backend.release(w, [filter]);
    backend.release(dy, [dy0]);
  }
});
