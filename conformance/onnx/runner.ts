/**
 * Run ONNX test cases through ort.InferenceSession with the twinops backend and compare every
 * output with the case's expected TensorProto.
 */
import { readFileSync } from 'node:fs';
import type * as Ort from 'onnxruntime-common';
import protobuf from 'protobufjs/minimal.js';
import { runOnnxValues, tensorFromProto, UnsupportedOpsError, type HostTensor } from '../../adapters/ort/index.js';
import { decodeModel } from '../../adapters/ort/model.js';
import { decodeTensorProto, pack4, unpack4 } from '../../adapters/ort/tensor-proto.js';
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

/** Test data: a tensor, a sequence (SequenceProto) or an optional (OptionalProto). */
type HostValue = { kind: 'tensor'; t: HostTensor } | { kind: 'sequence'; items: HostValue[] } | { kind: 'optional'; value: HostValue | undefined };
type Kind = 'tensor' | 'sequence' | 'optional';

/** The values of a SequenceProto or an OptionalProto (onnx.proto field numbers: 3 tensor, 5 sequence, 7 optional). */
function decodeContainer(bytes: Uint8Array, what: string): HostValue[] {
  const r = protobuf.Reader.create(bytes);
  const out: HostValue[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 3:
        out.push({ kind: 'tensor', t: tensorFromProto(decodeTensorProto(r.bytes()), what) });
        break;
      case 5:
        out.push({ kind: 'sequence', items: decodeContainer(r.bytes(), what) });
        break;
      case 7:
        out.push({ kind: 'optional', value: decodeContainer(r.bytes(), what)[0] });
        break;
      case 4:
      case 6:
        throw new Error(`${what}: sparse tensors and maps in test data are not supported`);
      default:
        r.skipType(tag & 7);
    }
  }
  return out;
}

function readValue(path: string, kind: Kind): HostValue {
  if (kind === 'tensor') return { kind, t: readTensor(path) };
  const items = decodeContainer(readFileSync(path), path);
  return kind === 'sequence' ? { kind, items } : { kind, value: items[0] };
}

/** The kinds of a model's graph inputs (initializers left out) and outputs. */
function valueKinds(modelPath: string): { inputs: Kind[]; outputs: Kind[] } {
  const g = decodeModel(readFileSync(modelPath)).graph;
  const inits = new Set((g?.initializer ?? []).map((t) => t.name));
  const kind = (v: { type?: { sequenceType?: unknown; optionalType?: unknown } | null }): Kind => (v.type?.sequenceType ? 'sequence' : v.type?.optionalType ? 'optional' : 'tensor');
  return { inputs: (g?.input ?? []).filter((v) => !inits.has(v.name)).map(kind), outputs: (g?.output ?? []).map(kind) };
}

function toOrt(ort: typeof Ort, v: HostValue): unknown {
  if (v.kind === 'sequence') return v.items.map((i) => toOrt(ort, i));
  if (v.kind === 'optional') return v.value === undefined ? null : toOrt(ort, v.value);
  const t = v.t;
  // int4/uint4 travel packed two per byte in an ort.Tensor
  const data = t.dtype === 'int4' || t.dtype === 'uint4' ? pack4(t.data as Int8Array) : t.data;
  return new ort.Tensor(t.dtype as 'float32', data as Float32Array, t.dims);
}

/** compare() over sequences and optionals (a sequence is an array of tensors, an empty optional null). */
function compareValue(got: unknown, want: HostValue, rtol: number, atol: number): string | undefined {
  if (want.kind === 'optional') {
    if (want.value === undefined) return got === null || got === undefined ? undefined : 'expected an empty optional';
    return got === null ? 'empty optional, expected a value' : compareValue(got, want.value, rtol, atol);
  }
  if (want.kind === 'sequence') {
    if (!Array.isArray(got)) return 'expected a sequence';
    if (got.length !== want.items.length) return `sequence of ${got.length}, expected ${want.items.length}`;
    for (const [k, w] of want.items.entries()) {
      const bad = compareValue(got[k], w, rtol, atol);
      if (bad) return `element ${k}: ${bad}`;
    }
    return undefined;
  }
  const t = got as Ort.Tensor | null;
  if (!t || typeof t !== 'object' || !('dims' in t)) return 'expected a tensor';
  const data = t.type === 'int4' || t.type === 'uint4' ? unpack4(t.data as Uint8Array, want.t.data.length, t.type === 'int4') : t.data;
  return compare({ type: t.type, dims: t.dims, data: data as ArrayLike<number> }, want.t, rtol, atol);
}

/** First element outside |got - want| <= atol + rtol·|want| (NaN must meet NaN, infinities must be equal). */
export function compare(got: { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> }, want: HostTensor, rtol: number, atol: number): string | undefined {
  if (got.type !== want.dtype) return `dtype ${got.type}, expected ${want.dtype}`;
  if (got.dims.length !== want.dims.length || got.dims.some((d, i) => d !== want.dims[i])) return `shape [${got.dims.join(',')}], expected [${want.dims.join(',')}]`;
  const w = want.data as ArrayLike<number | bigint>;
  for (let i = 0; i < w.length; i++) {
    const [ga, wb] = [got.data[i], w[i]];
    // 64-bit integers compare exactly (a Number loses their low bits)
    if (typeof ga === 'bigint' && typeof wb === 'bigint') {
      if (ga !== wb) return `element ${i}: ${ga}, expected ${wb}`;
      continue;
    }
    const a = Number(ga);
    const b = Number(wb);
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
    const kinds = valueKinds(c.model);
    // sequence and optional outputs cannot pass through InferenceSession.run (it makes every result a Tensor)
    const values = kinds.outputs.some((k) => k !== 'tensor');
    for (const [k, set] of c.sets.entries()) {
      let inputs: HostValue[];
      let outputs: HostValue[];
      try {
        inputs = set.inputs.map((p, i) => readValue(p, kinds.inputs[i] ?? 'tensor'));
        outputs = set.outputs.map((p, i) => readValue(p, kinds.outputs[i] ?? 'tensor'));
      } catch (e) {
        return done('skip', `test data: ${(e as Error).message}`);
      }
      if (inputs.length !== session.inputNames.length) return done('fail', `set ${k}: ${inputs.length} inputs for ${session.inputNames.length} graph inputs`);
      const feeds: Record<string, unknown> = {};
      session.inputNames.forEach((n, i) => {
        feeds[n] = toOrt(ort, inputs[i]!);
      });
      let out: Record<string, unknown>;
      try {
        out = values ? await runOnnxValues(session, feeds) : await session.run(feeds as Record<string, Ort.Tensor>);
      } catch (e) {
        const s = skipOf(e);
        return s ? done('skip', s.reason, s.ops) : done('fail', `set ${k}: ${(e as Error).message}`);
      }
      for (const [j, want] of outputs.entries()) {
        const name = session.outputNames[j]!;
        const bad = compareValue(out[name], want, c.rtol, c.atol);
        if (bad) return done('fail', `set ${k}, output '${name}': ${bad}`);
      }
    }
    return done('pass');
  } finally {
    await session.release();
  }
}
