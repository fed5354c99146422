/**
 * Multinomial → twinops Multinomial (logits go through twinops Softmax first unless `normalized`).
 * tfjs' seed may be a fraction (its default is Math.random()): it is spread over 32 bits.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Multinomial', ['Multinomial', 'Softmax'], ({ inputs, attrs, backend }) => {
  const logits = inputs.logits as TensorInfo;
  const seed0 = attrs.seed as number;
  const seed = Number.isInteger(seed0) ? seed0 | 0 : Math.floor(seed0 * 4294967296) | 0;
  const probs = attrs.normalized ? logits : backend.runOne('Multinomial', 'Softmax', [logits], { axis: -1 });
  try {
    return backend.runOne('Multinomial', 'Multinomial', [probs], { numSamples: attrs.numSamples as number, seed });
  } finally {
    backend.release(probs, [logits]);
  }
});
