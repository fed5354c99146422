/**
 * Multinomial: numSamples draws per row of non-negative weights [rows, k] (float32; normalising is
 * not needed) → int32 outcomes [rows, numSamples]. Seeded and counter-based (see
 * wasm-kernels/multinomial.wat.ts): one seed gives the same samples on any thread count. Rows
 * without a positive weight give outcome 0.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface MultinomialAttrs {
  numSamples: number;
  /** an integer; only its low 32 bits are used */
  seed: number;
}

export interface MultinomialPlan extends Plan {
  rows: number;
  k: number;
  numSamples: number;
  seed: number;
}

export const multinomialDef: OpDef<MultinomialAttrs, MultinomialPlan> = defineOp({
  name: 'Multinomial',
  plan(inputs, attrs): MultinomialPlan {
    const op = 'Multinomial';
    expectArity(op, inputs, 1);
    const p = inputs[0]!;
    expectDType(op, p, ['float32'], 'probabilities');
    if (p.shape.length !== 2) throw new ShapeError(op, `probabilities must be [rows, outcomes], got ${fmtShape(p.shape)}`, 'RANK');
    const { numSamples, seed } = attrs;
    if (!Number.isInteger(numSamples) || numSamples < 0) throw new AttributeError(op, `numSamples must be a non-negative integer, got ${numSamples}`);
    if (!Number.isInteger(seed)) throw new AttributeError(op, `seed must be an integer, got ${seed}`);
    const [rows, k] = p.shape as [number, number];
    return { outputs: [{ shape: [rows, numSamples], dtype: 'int32' }], dispatchDType: 'float32', rows, k, numSamples, seed: seed | 0 };
  },
});
