import { AttributeError } from '../core/errors.js';
import type { Activation } from './types.js';

const KINDS = ['linear', 'relu', 'relu6', 'leakyRelu', 'clip', 'sigmoid', 'tanh', 'gelu', 'elu', 'hardSigmoid'] as const;

/** Check a fused activation and fill its defaults. */
export function normalizeActivation(op: string, a: Activation | undefined): Activation {
  if (a === undefined) return { kind: 'linear' };
  if (!(KINDS as readonly string[]).includes(a.kind)) {
    throw new AttributeError(op, `unknown fused activation '${String((a as { kind: unknown }).kind)}'; supported: ${KINDS.join(', ')}`);
  }
  switch (a.kind) {
    case 'leakyRelu':
      return { kind: 'leakyRelu', alpha: a.alpha ?? 0.2 };
    case 'elu':
      return { kind: 'elu', alpha: a.alpha ?? 1 };
    case 'clip':
      if (Number.isNaN(a.min) || Number.isNaN(a.max)) throw new AttributeError(op, 'clip activation bounds must not be NaN');
      return { kind: 'clip', min: a.min ?? -Infinity, max: a.max ?? Infinity };
    case 'hardSigmoid':
      return { kind: 'hardSigmoid', alpha: a.alpha ?? 0.2, beta: a.beta ?? 0.5 };
    default:
      return a;
  }
}

/** The two scalar parameters an activation carries (alpha/min and beta/max; 0 where unused), as kernels take them. */
export function activationParams(a: Activation): [p0: number, p1: number] {
  switch (a.kind) {
    case 'leakyRelu':
    case 'elu':
      return [a.alpha, 0];
    case 'clip':
      return [a.min, a.max];
    case 'hardSigmoid':
      return [a.alpha, a.beta];
    default:
      return [0, 0];
  }
}
