/**
 * RaggedRange → twinops RaggedRangeSplits, then (the total read from the last split)
 * RaggedRangeValues. tfjs' exact messages (its tests compare them verbatim) replace the ops'
 * typed errors: shape problems are checked here first, and a zero delta (AttributeError) or an
 * oversized range (ShapeError) from the splits op are reported in tfjs' words.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { AttributeError, ShapeError } from '../../../core/errors.js';
import { TfjsKernelError } from '../backend.js';
import { defineKernel } from './register.js';

defineKernel('RaggedRange', ['RaggedRangeSplits', 'RaggedRangeValues'], ({ inputs, backend }) => {
  const [starts, limits, deltas] = [inputs.starts, inputs.limits, inputs.deltas] as TensorInfo[];
  for (const [t, name] of [[starts, 'starts'], [limits, 'limits'], [deltas, 'deltas']] as const) {
    if (t!.shape.length > 1) throw new Error(`${name} must be a scalar or vector`);
  }
  const lens = [starts, limits, deltas].filter((t) => t!.shape.length === 1).map((t) => t!.shape[0]);
  if (lens.some((l) => l !== lens[0])) throw new Error('starts, limits, and deltas must have the same shape');
  let splits: TensorInfo;
  try {
    splits = backend.runOne('RaggedRange', 'RaggedRangeSplits', [starts!, limits!, deltas!]);
  } catch (e) {
    const cause = e instanceof TfjsKernelError ? e.cause : e;
    if (cause instanceof AttributeError) throw new Error('Requires delta != 0');
    if (cause instanceof ShapeError) throw new Error('Requires ((limit - start) / delta) <= 2147483647');
    throw e;
  }
  const s = backend.readSync(splits.dataId) as Int32Array;
  try {
    const values = backend.runOne('RaggedRange', 'RaggedRangeValues', [starts!, deltas!, splits], { total: s[s.length - 1]! });
    return [splits, values];
  } catch (e) {
    backend.release(splits);
    throw e;
  }
});
