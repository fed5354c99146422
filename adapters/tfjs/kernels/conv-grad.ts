/**
 * Convolution gradients → twinops ConvBackpropFilter (ops/conv-grad.ts) for the filter, and
 * ConvTranspose for the input (as Conv2DBackpropInput in conv-transpose.ts): tfjs' padding is made
 * explicit with its own conv_util. NCHW data is transposed to NHWC first (the filter gradient is HWIO
 * in both formats); depthwise input gradients run as an NCHW ConvTranspose with one group per channel.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

type Info2D = ReturnType<typeof backend_util.computeConv2DInfo>;
type Info3D = ReturnType<typeof backend_util.computeConv3DInfo>;

function geometry2d(info: Info2D) {
  const p = info.padInfo;
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: [p.top, p.left, p.bottom, p.right],
    autoPad: 'NOTSET',
  };
}

function geometry3d(info: Info3D) {
  const p = info.padInfo;
  return {
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
    pads: [p.front, p.top, p.left, p.back, p.bottom, p.right],
    autoPad: 'NOTSET',
  };
}

/** Run `f` on NHWC views of NCHW inputs (transposed copies, released after). */
function channelsLast<T>(kernel: string, backend: TwinopsBackend, nchw: boolean, ts: TensorInfo[], f: (ts: TensorInfo[]) => T): T {
  if (!nchw) return f(ts);
  const made = ts.map((t) => backend.runOne(kernel, 'Transpose', [t], { perm: [0, 2, 3, 1] }));
  try {
    return f(made);
  } finally {
    for (const t of made) backend.release(t);
  }
}

defineKernel('Conv2DBackpropFilter', ['ConvBackpropFilter', 'Transpose'], ({ inputs, attrs, backend }) => {
  const kernel = 'Conv2DBackpropFilter';
  const dataFormat = ((attrs.dataFormat as string | undefined) ?? 'NHWC') as 'NHWC' | 'NCHW';
  const x = inputs.x as TensorInfo;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  return channelsLast(kernel, backend, dataFormat === 'NCHW', [x, inputs.dy as TensorInfo], ([xl, dyl]) =>
    backend.runOne(kernel, 'ConvBackpropFilter', [xl!, dyl!], { ...geometry2d(info), layout: 'NHWC', filterLayout: 'HWIO', filterShape }),
  );
});

defineKernel('DepthwiseConv2dNativeBackpropFilter', ['ConvBackpropFilter'], ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = depthwiseInfo(x.shape as [number, number, number, number], filterShape, attrs);
  return backend.runOne('DepthwiseConv2dNativeBackpropFilter', 'ConvBackpropFilter', [x, inputs.dy as TensorInfo], {
    ...geometry2d(info),
    layout: 'NHWC',
    filterLayout: 'HWIM',
    filterShape,
  });
});

function depthwiseInfo(xShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: NamedAttrMap): Info2D {
  return backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    true,
  );
}

/**
 * The ConvTranspose attributes that give exactly the forward input's spatial size `want` from dy:
 * tfjs' leading pads, and trailing pads (or output padding) from the size the transpose makes.
 */
function transposePads(s: number[], k: number[], d: number[], dyDims: number[], want: number[], begin: number[]) {
  const r = s.length;
  const end = s.map((_, i) => s[i]! * (dyDims[i]! - 1) + (k[i]! - 1) * d[i]! + 1 - begin[i]! - want[i]!);
  return { pads: [...begin, ...end.map((e) => Math.max(0, e))], outputPadding: end.map((e) => (e < 0 ? -e : 0)), r };
}

defineKernel('DepthwiseConv2dNativeBackpropInput', ['ConvTranspose', 'Transpose'], ({ inputs, attrs, backend }) => {
  const kernel = 'DepthwiseConv2dNativeBackpropInput';
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = depthwiseInfo(inputShape, filter.shape as [number, number, number, number], attrs);
  const [kh, kw, C, mult] = filter.shape as [number, number, number, number];
  const s = [info.strideHeight, info.strideWidth];
  const d = [info.dilationHeight, info.dilationWidth];
  const { pads, outputPadding } = transposePads(s, [kh, kw], d, [info.outHeight, info.outWidth], [info.inHeight, info.inWidth], [info.padInfo.top, info.padInfo.left]);
  // HWIM [kh, kw, C, mult] → IOHW [C·mult, 1, kh, kw]: ConvTranspose input channel c·mult + m feeds output channel c (group c)
  const made: TensorInfo[] = [];
  try {
    const f = backend.runOne(kernel, 'Transpose', [filter], { perm: [2, 3, 0, 1] });
    made.push(f);
    const dyT = backend.runOne(kernel, 'Transpose', [dy], { perm: [0, 3, 1, 2] });
    made.push(dyT);
    const y = backend.runOne(kernel, 'ConvTranspose', [dyT, { ...f, shape: [C * mult, 1, kh, kw] }], {
      layout: 'NCHW',
      filterLayout: 'IOHW',
      group: C,
      strides: s,
      dilations: d,
      pads,
      outputPadding,
      autoPad: 'NOTSET',
    });
    made.push(y);
    return backend.runOne(kernel, 'Transpose', [y], { perm: [0, 2, 3, 1] });
  } finally {
    for (const t of made) backend.release(t);
  }
});

function conv3dInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap): Info3D {
  return backend_util.computeConv3DInfo(
    xShape as [number, number, number, number, number],
    filterShape as [number, number, number, number, number],
    attrs.strides as [number, number, number],
    1,
    attrs.pad as 'same',
  );
}

defineKernel('Conv3DBackpropFilterV2', ['ConvBackpropFilter'], ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const filterShape = attrs.filterShape as number[];
  const info = conv3dInfo(x.shape, filterShape, attrs);
  return backend.runOne('Conv3DBackpropFilterV2', 'ConvBackpropFilter', [x, inputs.dy as TensorInfo], {
    ...geometry3d(info),
    layout: 'NHWC',
    filterLayout: 'HWIO',
    filterShape,
  });
});

defineKernel('Conv3DBackpropInputV2', ['ConvTranspose'], ({ inputs, attrs, backend }) => {
  const kernel = 'Conv3DBackpropInputV2';
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const inputShape = attrs.inputShape as number[];
  const info = conv3dInfo(inputShape, filter.shape, attrs);
  const k = filter.shape.slice(0, 3);
  const s = [info.strideDepth, info.strideHeight, info.strideWidth];
  const p = info.padInfo;
  const { pads, outputPadding } = transposePads(s, k, [1, 1, 1], [info.outDepth, info.outHeight, info.outWidth], [info.inDepth, info.inHeight, info.inWidth], [p.front, p.top, p.left]);
  const y = backend.runOne(kernel, 'ConvTranspose', [dy, filter], { layout: 'NHWC', filterLayout: 'HWOI', strides: s, pads, outputPadding, autoPad: 'NOTSET' });
  if (y.shape.some((v, i) => v !== inputShape[i])) {
    backend.release(y);
    backend.unsupported(kernel, `the transposed convolution gives [${y.shape.join(',')}], not the requested [${inputShape.join(',')}]`);
  }
  return y;
});
