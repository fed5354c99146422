/**
 * LinSpace (tfjs, TF): `num` float32 values from start to stop inclusive, evenly spaced:
 * y[i] = start + i·(stop − start)/(num − 1) computed in float64 and rounded once, y[num − 1] = stop
 * exactly (TF and numpy; tfjs-backend-cpu accumulates the step in float32 instead, so its values
 * drift by up to ~num ulp). num = 1 gives [start]. The output size comes from an attribute.
 */
import { AttributeError } from '../core/errors.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface LinSpaceAttrs {
  start: number;
  stop: number;
  num: number;
}

export interface LinSpacePlan extends Plan {
  start: number;
  stop: number;
  num: number;
}

export const linSpaceDef: OpDef<LinSpaceAttrs, LinSpacePlan> = defineOp({
  name: 'LinSpace',
  plan(inputs, attrs) {
    const op = 'LinSpace';
    expectArity(op, inputs, 0);
    const { start, stop, num } = attrs ?? ({} as LinSpaceAttrs);
    if (typeof start !== 'number' || typeof stop !== 'number') throw new AttributeError(op, `start and stop must be numbers, got ${String(start)} and ${String(stop)}`);
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 1 || num > 2 ** 31 - 1) throw new AttributeError(op, `num must be a positive integer, got ${String(num)}`);
    return { outputs: [{ shape: [num], dtype: 'float32' }], dispatchDType: 'float32', start, stop, num };
  },
});
