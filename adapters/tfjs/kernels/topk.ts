/** TopK → twinops TopK on the last axis (largest, best first, ties by lower index: tfjs' order), int32 indices. */
import { defineKernel, inputX } from './register.js';

defineKernel('TopK', ['TopK'], ({ inputs, attrs, backend }) =>
  backend.runOp('TopK', 'TopK', [inputX(inputs)], { k: attrs.k as number, axis: -1, largest: true, sorted: attrs.sorted as boolean, indexDType: 'int32' }),
);
