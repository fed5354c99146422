/** CropAndResize → twinops CropAndResize (an int32 image is cast to float32 first, as tfjs returns float32). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('CropAndResize', ['CropAndResize', 'Cast'], ({ inputs, attrs, backend }) => {
  const image0 = inputs.image as TensorInfo;
  const image = backend.cast('CropAndResize', image0, 'float32');
  try {
    return backend.runOne('CropAndResize', 'CropAndResize', [image, inputs.boxes as TensorInfo, inputs.boxInd as TensorInfo], {
      cropSize: attrs.cropSize as number[],
      method: attrs.method as 'bilinear' | 'nearest',
      extrapolationValue: attrs.extrapolationValue as number,
    });
  } finally {
    backend.release(image, [image0]);
  }
});
