/**
 * Convolutions → twinops Conv (NHWC with HWIO / HWIM filters, or NCHW with OIHW filters, bias and
 * activation fused). Padding is resolved by tfjs-core's conv_util into explicit pads, so 'same',
 * 'valid', numbers and explicit paddings all reach the kernel as tfjs computes them.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { activationOf, applyBiasActivation, applyPrelu, perChannelBias } from './matmul.js';
import { AttrMemo, deepFreeze } from './memo.js';
import { defineKernel } from './register.js';

type Shape4 = [number, number, number, number];

interface ConvCall {
  kernel: string;
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  attrs: NamedAttrMap;
  depthwise: boolean;
  fused: boolean;
  prelu?: TensorInfo;
}

/** What a convolution call's geometry gives: tfjs' conv info and the twinops Conv attrs. */
interface ConvGeometry {
  info: backend_util.Conv2DInfo;
  attrs: Record<string, unknown>;
  /** whether the fused activation is prelu (run after the Conv) */
  prelu: boolean;
}

const geometries = new AttrMemo<ConvGeometry>();

function convGeometry(c: ConvCall): ConvGeometry {
  const dataFormat = ((c.attrs.dataFormat as string | undefined) ?? 'NHWC') as 'NHWC' | 'NCHW';
  const info = backend_util.computeConv2DInfo(
    c.x.shape as Shape4,
    c.filter.shape as Shape4,
    c.attrs.strides as [number, number],
    (c.attrs.dilations as [number, number] | undefined) ?? 1,
    c.attrs.pad as 'same',
    c.attrs.dimRoundingMode as 'floor' | undefined,
    c.depthwise,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const p = info.padInfo;
  const activation = c.fused ? activationOf(c.kernel, c.attrs) : { kind: 'linear' as const };
  const attrs = {
    layout: dataFormat,
    filterLayout: dataFormat === 'NCHW' ? 'OIHW' : c.depthwise ? 'HWIM' : 'HWIO',
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: [p.top, p.left, p.bottom, p.right],
    autoPad: 'NOTSET',
    activation: activation ?? { kind: 'linear' },
  };
  return { info, attrs: deepFreeze(attrs), prelu: activation === undefined };
}

function conv(backend: TwinopsBackend, c: ConvCall): TensorInfo {
  const dataFormat = ((c.attrs.dataFormat as string | undefined) ?? 'NHWC') as 'NHWC' | 'NCHW';
  const a = c.attrs;
  // every input convGeometry reads
  const g = geometries
    .key(c.kernel, c.depthwise, c.fused, c.x.shape, c.filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, dataFormat, c.fused ? a.activation : '-', c.fused ? a.leakyreluAlpha : '-')
    .get(convGeometry, c);
  const info = g.info;
  if (dataFormat === 'NCHW') {
    // as tfjs: a rank-1 per-channel bias or prelu weight applies along C, which is axis 1 in NCHW
    const along = (t: TensorInfo | undefined) => (t && t.shape.length === 1 && t.shape[0] !== 1 ? { ...t, shape: [t.shape[0]!, 1, 1] } : t);
    if (c.prelu) c = { ...c, prelu: along(c.prelu) };
    if (c.bias && !perChannelBias(c.bias, info.outChannels)) c = { ...c, bias: along(c.bias) };
  }
  if (c.bias && !perChannelBias(c.bias, info.outChannels)) {
    const y = conv(backend, { ...c, bias: undefined, fused: false });
    return applyBiasActivation(c.kernel, backend, y, c.bias, c.attrs, c.prelu);
  }
  if (c.depthwise && dataFormat !== 'NHWC') backend.unsupported(c.kernel, `dataFormat ${dataFormat} is not supported for depthwise convolution`);
  // NCHW convolutions take OIHW filters; tfjs keeps HWIO filters in both formats
  const filter = dataFormat === 'NCHW' ? backend.runOne(c.kernel, 'Transpose', [c.filter], { perm: [3, 2, 0, 1] }) : c.filter;
  try {
    const y = backend.runOne(c.kernel, 'Conv', c.bias ? [c.x, filter, c.bias] : [c.x, filter], g.attrs, true);
    const want = info.outShape;
    if (y.shape.some((d, i) => d !== want[i])) {
      backend.release(y);
      backend.unsupported(c.kernel, `dimRoundingMode ${String(c.attrs.dimRoundingMode)} gives [${want.join(',')}], which explicit pads cannot express`);
    }
    return g.prelu ? applyPrelu(c.kernel, backend, y, c.prelu) : y;
  } finally {
    backend.release(filter, [c.filter]);
  }
}

defineKernel('Conv2D', ['Conv', 'Transpose'], ({ inputs, attrs, backend }) =>
  conv(backend, { kernel: 'Conv2D', x: inputs.x as TensorInfo, filter: inputs.filter as TensorInfo, attrs, depthwise: false, fused: false }),
);

defineKernel('DepthwiseConv2dNative', ['Conv'], ({ inputs, attrs, backend }) =>
  conv(backend, { kernel: 'DepthwiseConv2dNative', x: inputs.x as TensorInfo, filter: inputs.filter as TensorInfo, attrs, depthwise: true, fused: false }),
);

for (const [kernel, depthwise] of [['FusedConv2D', false], ['FusedDepthwiseConv2D', true]] as const) {
  defineKernel(kernel, ['Conv', 'Transpose', 'PRelu', 'Add'], ({ inputs, attrs, backend }) =>
    conv(backend, {
      kernel,
      x: inputs.x as TensorInfo,
      filter: inputs.filter as TensorInfo,
      bias: inputs.bias as TensorInfo | undefined,
      prelu: inputs.preluActivationWeights as TensorInfo | undefined,
      attrs,
      depthwise,
      fused: true,
    }),
  );
}

// Conv3D (NDHWC, DHWIO filters): the same Conv op, 3-D
defineKernel('Conv3D', ['Conv'], ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const info = backend_util.computeConv3DInfo(
    x.shape as [number, number, number, number, number],
    filter.shape as [number, number, number, number, number],
    attrs.strides as [number, number, number],
    (attrs.dilations as [number, number, number] | undefined) ?? 1,
    attrs.pad as 'same',
  );
  const p = info.padInfo;
  return backend.runOne('Conv3D', 'Conv', [x, filter], {
    layout: 'NHWC',
    filterLayout: 'HWIO',
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
    pads: [p.front, p.top, p.left, p.back, p.bottom, p.right],
    autoPad: 'NOTSET',
  });
});
