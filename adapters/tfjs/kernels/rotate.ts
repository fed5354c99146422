/** RotateWithOffset (tf.image.rotateWithOffset) → twinops RotateWithOffset (float32 or int32 image, kept as is). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('RotateWithOffset', ['RotateWithOffset'], ({ inputs, attrs, backend }) =>
  backend.runOne('RotateWithOffset', 'RotateWithOffset', [inputs.image as TensorInfo], {
    radians: attrs.radians as number,
    fillValue: attrs.fillValue as number | number[],
    center: attrs.center as number | number[],
  }),
);
