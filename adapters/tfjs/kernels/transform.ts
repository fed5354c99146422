/** Transform (tf.image.transform) → twinops Transform (an int32 image is cast to float32 and the result cast back, as tfjs keeps the image's dtype). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Transform', ['Transform', 'Cast'], ({ inputs, attrs, backend }) => {
  const image0 = inputs.image as TensorInfo;
  const image = backend.cast('Transform', image0, 'float32');
  try {
    const y = backend.runOne('Transform', 'Transform', [image, inputs.transforms as TensorInfo], {
      interpolation: attrs.interpolation,
      fillMode: attrs.fillMode,
      fillValue: attrs.fillValue,
      outputShape: attrs.outputShape,
    });
    if (image0.dtype === 'float32') return y;
    const z = backend.cast('Transform', y, image0.dtype);
    backend.release(y);
    return z;
  } finally {
    backend.release(image, [image0]);
  }
});
