/**
 * Run ONNX test cases through ort.InferenceSession with the twinops backend and compare every
 * output with the case's expected TensorProto.
 */
import { readFileSync } from 'node:fs';
import type * as Ort from 'onnxruntime-common';
import { tensorFromProto, UnsupportedOpsError, type HostTensor } from '../../adapters/ort/index.js';
import { decodeTensorProto } from '../../adapters/ort/tensor-proto.js';
import { TwinopsError } from '../../core/errors.js';
import type { OnnxCase } from './cases.js';

export type Status = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  case: OnnxCase;
  status: Status;
  /** Why it failed or was skipped. */
  reason?: string;
  /** Unsupported ops (op@domain:opset) when skipped for that. */
  ops?: string[];
  ms: number;
}

const SKIP_CODES = new Set(['UNSUPPORTED', 'DTYPE', 'NO_KERNEL']);

function readTensor(path: string): HostTensor {
  return tensorFromProto(decodeTensorProto(readFileSync(path)), path);
}

/** First element outside |got - want| <= atol + rtol·|want| (NaN must meet NaN, infinities must be equal). */
export function compare(got: { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> }, want: HostTensor, rtol: number, atol: number): string | undefined {
  if (got.type !== want.dtype) return `dtype ${got.type}, expected ${want.dtype}`;
  if (got.dims.length !== want.dims.length || got.dims.some((d, i) => d !== want.dims[i])) return `shape [${got.dims.join(',')}], expected [${want.dims.join(',')}]`;
  const w = want.data as ArrayLike<number | bigint>;
  for (let i = 0; i < w.length; i++) {
    const a = Number(got.data[i]);
    const b = Number(w[i]);
    const ok = Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= atol + rtol * Math.abs(b);
    if (!ok) return `element ${i}: ${a}, expected ${b} (rtol ${rtol}, atol ${atol})`;
  }
  return undefined;
}

function skipOf(e: unknown): { reason: string; ops?: string[] } | undefined {
  if (e instanceof UnsupportedOpsError) {
    return { reason: e.message.split('\n').slice(1).join('; ').trim(), ops: [...new Set(e.nodes.map((n) => `${n.domain || 'ai.onnx'}::${n.op}`))] };
  }
  if (e instanceof TwinopsError && SKIP_CODES.has(e.code)) return { reason: e.message };
  return undefined;
}

export async function runCase(ort: typeof Ort, c: OnnxCase, options: Ort.InferenceSession.SessionOptions): Promise<CaseResult> {
  const t0 = performance.now();
  const done = (status: Status, reason?: string, ops?: string[]): CaseResult => ({ case: c, status, reason, ops, ms: performance.now() - t0 });
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(readFileSync(c.model), options);
  } catch (e) {
    const s = skipOf(e);
    return s ? done('skip', s.reason, s.ops) : done('fail', `session creation: ${(e as Error).message}`);
  }
  try {
    for (const [k, set] of c.sets.entries()) {
      let inputs: HostTensor[];
      let outputs: HostTensor[];
      try {
        inputs = set.inputs.map(readTensor);
        outputs = set.outputs.map(readTensor);
      } catch (e) {
        return done('skip', `test data: ${(e as Error).message}`);
      }
      if (inputs.length !== session.inputNames.length) return done('fail', `set ${k}: ${inputs.length} inputs for ${session.inputNames.length} graph inputs`);
      const feeds: Record<string, Ort.Tensor> = {};
      session.inputNames.forEach((n, i) => {
        const t = inputs[i]!;
        feeds[n] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims);
      });
      let out: Ort.InferenceSession.ReturnType;
      try {
        out = await session.run(feeds);
      } catch (e) {
        const s = skipOf(e);
        return s ? done('skip', s.reason, s.ops) : done('fail', `set ${k}: ${(e as Error).message}`);
      }
      for (const [j, want] of outputs.entries()) {
        const name = session.outputNames[j]!;
        const got = out[name] as Ort.Tensor;
        const bad = compare({ type: got.type, dims: got.dims, data: got.data as ArrayLike<number> }, want, c.rtol, c.atol);
        if (bad) return done('fail', `set ${k}, output '${name}': ${bad}`);
      }
    }
    return done('pass');
  } finally {
    await session.release();
  }
}
