import { TwinopsError } from '../../core/errors.js';

/** Model bytes that do not parse, or a graph that is inconsistent (cycles, undefined values, contradicting shapes). */
export class OnnxModelError extends TwinopsError {
  constructor(message: string) {
    super('INVALID_MODEL', 'InferenceSession', message);
    this.name = 'OnnxModelError';
  }
}

/** A valid model using a feature the backend does not implement yet (external data, sequences, a dtype twinops lacks). */
export class UnsupportedModelError extends TwinopsError {
  constructor(message: string) {
    super('UNSUPPORTED', 'InferenceSession', message);
    this.name = 'UnsupportedModelError';
  }
}

/** One node the backend cannot run, and why. */
export interface UnsupportedNode {
  node: string;
  op: string;
  domain: string;
  opset: number;
  reason: string;
}

/**
 * Raised at session creation when any node cannot run: lists every unsupported op (with its domain
 * and opset) in one message, so a user sees the whole gap at once.
 */
export class UnsupportedOpsError extends TwinopsError {
  readonly nodes: readonly UnsupportedNode[];
  constructor(nodes: readonly UnsupportedNode[]) {
    const byOp = new Map<string, { n: number; reasons: Set<string> }>();
    for (const u of nodes) {
      const key = `${u.domain || 'ai.onnx'}::${u.op} (opset ${u.opset})`;
      const e = byOp.get(key) ?? { n: 0, reasons: new Set<string>() };
      e.n++;
      e.reasons.add(u.reason);
      byOp.set(key, e);
    }
    const lines = [...byOp].map(([k, e]) => `  ${k}: ${e.n} node${e.n > 1 ? 's' : ''}, ${[...e.reasons].join('; ')}`);
    super('UNSUPPORTED', 'InferenceSession', `the twinops backend cannot run ${byOp.size} op${byOp.size > 1 ? 's' : ''} of this model:\n${lines.join('\n')}`);
    this.name = 'UnsupportedOpsError';
    this.nodes = nodes;
  }
}

/** A node whose attributes or inputs the twinops mapping does not cover (thrown by a lowering, collected into UnsupportedOpsError). */
export class UnsupportedNodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedNodeError';
  }
}

/** Bad feeds, fetches or session options. */
export class OrtArgumentError extends TwinopsError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', 'InferenceSession', message);
    this.name = 'OrtArgumentError';
  }
}
