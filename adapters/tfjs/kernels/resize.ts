/**
 * ResizeBilinear and ResizeNearestNeighbor (NHWC) → twinops Resize, with tfjs' alignCorners /
 * halfPixelCenters flags as ONNX coordinate modes (the mapping documented in ops/resize.ts).
 * Bilinear gives float32 for any input (as tfjs), so int32 images are cast first.
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

function resizeAttrs(x: TensorInfo, attrs: NamedAttrMap, mode: 'linear' | 'nearest'): object {
  const [h, w] = attrs.size as [number, number];
  const align = !!attrs.alignCorners;
  const half = !!attrs.halfPixelCenters;
  const outputShape = [x.shape[0]!, h, w, x.shape[3]!];
  if (mode === 'linear') {
    return { outputShape, mode, layout: 'NHWC', coordinateTransformationMode: align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric' };
  }
  return {
    outputShape,
    mode,
    layout: 'NHWC',
    coordinateTransformationMode: align ? 'align_corners' : half ? 'tf_half_pixel_for_nn' : 'asymmetric',
    nearestMode: align ? 'round_prefer_ceil' : 'floor',
  };
}

defineKernel('ResizeBilinear', ['Resize', 'Cast'], ({ inputs, attrs, backend }) => {
  const x = inputs.images as TensorInfo;
  const input = backend.cast('ResizeBilinear', x, 'float32');
  try {
    return backend.runOne('ResizeBilinear', 'Resize', [input], resizeAttrs(x, attrs, 'linear'));
  } finally {
    backend.release(input, [x]);
  }
});

defineKernel('ResizeNearestNeighbor', ['Resize'], ({ inputs, attrs, backend }) => {
  const x = inputs.images as TensorInfo;
  return backend.runOne('ResizeNearestNeighbor', 'Resize', [x], resizeAttrs(x, attrs, 'nearest'));
});

/**
 * ResizeBilinearGrad / ResizeNearestNeighborGrad → twinops ResizeGrad, the adjoint of the forward
 * with the coordinate mapping tfjs' gradient kernels use: alignCorners only (tfjs-backend-cpu's
 * gradients ignore halfPixelCenters).
 */
for (const [kernel, mode] of [['ResizeBilinearGrad', 'linear'], ['ResizeNearestNeighborGrad', 'nearest']] as const) {
  defineKernel(kernel, ['ResizeGrad'], ({ inputs, attrs, backend }) => {
    const x = inputs.images as TensorInfo;
    const dy = inputs.dy as TensorInfo;
    const { outputShape: _o, ...fwd } = resizeAttrs(x, { ...attrs, size: [dy.shape[1]!, dy.shape[2]!], halfPixelCenters: false }, mode) as Record<string, unknown>;
    return backend.runOne(kernel, 'ResizeGrad', [dy], { ...fwd, inputShape: x.shape });
  });
}
