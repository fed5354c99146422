/**
 * Range and LinSpace (below). Range → twinops Range (attributes in, no inputs). tfjs' conventions are resolved here as
 * tfjs-backend-cpu resolves them: start === stop, or a step pointing away from stop (a negative step
 * going up, a step > 1 going down) gives an empty tensor, and a step of exactly 1 going down counts
 * down by 1. twinops computes y[i] = start + i·step rounded once, where tfjs-backend-cpu accumulates
 * (so long float ranges differ by the accumulated rounding there), and a step in (0, 1) going down
 * is empty here (tfjs-backend-cpu counts up from start for ceil(|stop − start| / step) elements).
 */
import type { DataType } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Range', ['Range'], ({ attrs, backend }) => {
  const start = attrs.start as number;
  const stop = attrs.stop as number;
  let step = attrs.step as number;
  const dtype = (attrs.dtype as DataType | undefined) ?? 'float32';
  if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return backend.filled([0], dtype, 0);
  if (stop < start && step === 1) step = -1;
  return backend.runOne('Range', 'Range', [], { start, limit: stop, delta: step, dtype });
});

/** LinSpace → twinops LinSpace (values rounded once from float64, the last one exactly stop). */
defineKernel('LinSpace', ['LinSpace'], ({ attrs, backend }) =>
  backend.runOne('LinSpace', 'LinSpace', [], { start: attrs.start as number, stop: attrs.stop as number, num: attrs.num as number }),
);
