/**
 * Session mode for the ort-ops suite: each case becomes a one-node ONNX model (the group's operator,
 * domain, attributes and opset; graph inputs with the case's dtypes and dims) that runs through
 * `ort.InferenceSession` (onnxruntime-common) with the twinops execution provider. Used for the cases
 * the direct mapping (mapping.ts) does not cover. A model onnxruntime-node itself refuses to load is
 * not valid ONNX and the case is skipped with onnxruntime-node's message.
 */
import * as ort from 'onnxruntime-common';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { registerOrtBackend, UnsupportedOpsError, type OrtModule, type TwinopsSessionHandler } from '../../adapters/ort/index.js';
import { TwinopsError } from '../../core/errors.js';
import { halfToFloat } from '../../core/dtype.js';
import { compareOutput, halfBits, TOLERANCE, type Mismatch } from './compare.js';
import type { OrtAttribute, OrtCase, OrtGroup, TensorSpec } from './data.js';
import { effectiveOpset } from './mapping.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/** ORT harness type name → ONNX TensorProto element type. */
const ELEM: Record<string, number> = {
  float32: DT.FLOAT, float16: DT.FLOAT16, float64: DT.DOUBLE, int32: DT.INT32, int64: DT.INT64, uint32: DT.UINT32,
  uint64: DT.UINT64, int8: DT.INT8, uint8: DT.UINT8, int16: DT.INT16, uint16: DT.UINT16, bool: DT.BOOL,
};

function attribute(a: OrtAttribute): Onnx.IAttributeProto {
  const enc = (s: unknown) => new TextEncoder().encode(String(s));
  switch (a.type) {
    case 'int': return { name: a.name, type: A.INT, i: Number(a.data) };
    case 'float': return { name: a.name, type: A.FLOAT, f: Number(a.data) };
    case 'ints': return { name: a.name, type: A.INTS, ints: (a.data as unknown[]).map(Number) };
    case 'floats': return { name: a.name, type: A.FLOATS, floats: (a.data as unknown[]).map(Number) };
    case 'string': return { name: a.name, type: A.STRING, s: enc(a.data) };
    case 'strings': return { name: a.name, type: A.STRINGS, strings: (a.data as unknown[]).map(enc) };
  }
}

function valueInfo(name: string, t: TensorSpec, withShape: boolean): Onnx.IValueInfoProto {
  const elemType = ELEM[t.type];
  if (elemType === undefined) throw new Error(`element type ${t.type} has no ONNX TensorProto type`);
  return { name, type: { tensorType: { elemType, ...(withShape ? { shape: { dim: t.dims.map((d) => ({ dimValue: d })) } } : {}) } } };
}

/** ONNX versions in which operators the suite uses without an opset became standard ONNX ops. */
const STANDARD_SINCE: Record<string, number> = { LayerNormalization: 17 };

/**
 * The opset a case's model imports. A group that names none runs at the opset MANIFEST.json's
 * onnxruntime-node check passed it at (ORT's harness supplies its own default, at least 13), raised
 * to the version the operator became standard ONNX (onnxruntime also knows LayerNormalization at 13
 * as an internal schema; ONNX defines it from 17, which is what ORT's harness default covers).
 */
export function sessionOpset(g: OrtGroup): { domain: string; version: number } {
  if (g.opset) return effectiveOpset(g);
  const base = g.checkedOpset ?? effectiveOpset(g);
  const since = base.domain === '' ? STANDARD_SINCE[g.operator] : undefined;
  return since !== undefined && since > base.version ? { domain: base.domain, version: since } : base;
}

export const inputName = (i: number) => `input_${i}`;
export const outputName = (i: number) => `output_${i}`;

/** The one-node model of a case: inputs with the case's shapes, outputs with the case's element types. */
export function buildCaseModel(g: OrtGroup, c: OrtCase): Uint8Array {
  const { domain, version } = sessionOpset(g);
  const opsetImport = [{ domain: '', version: domain === '' ? version : 13 }];
  if (domain !== '') opsetImport.push({ domain, version });
  const node: Onnx.INodeProto = {
    opType: g.operator,
    domain,
    input: c.inputs.map((_, i) => inputName(i)),
    output: c.outputs.map((_, i) => outputName(i)),
    attribute: g.attributes.map(attribute),
  };
  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'twinops-ort-ops',
    opsetImport,
    graph: {
      name: g.name,
      node: [node],
      input: c.inputs.map((t, i) => valueInfo(inputName(i), t, true)),
      output: c.outputs.map((t, i) => valueInfo(outputName(i), t, false)),
    },
  };
  return Uint8Array.from(onnx.ModelProto.encode(model).finish());
}

export { halfBits } from './compare.js';
export { halfToFloat as halfValue } from '../../core/dtype.js';

function feed(t: TensorSpec): ort.Tensor {
  const d = t.data;
  const n = (v: number | boolean) => Number(v);
  switch (t.type) {
    case 'float32': return new ort.Tensor('float32', Float32Array.from(d, n), t.dims);
    case 'float16': return new ort.Tensor('float16', Uint16Array.from(d, (v) => halfBits(Number(v))), t.dims);
    case 'float64': return new ort.Tensor('float64', Float64Array.from(d, n), t.dims);
    case 'int32': return new ort.Tensor('int32', Int32Array.from(d, n), t.dims);
    case 'uint32': return new ort.Tensor('uint32', Uint32Array.from(d, n), t.dims);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(d, (v) => BigInt(Number(v))), t.dims);
    case 'uint64': return new ort.Tensor('uint64', BigUint64Array.from(d, (v) => BigInt(Number(v))), t.dims);
    case 'int8': return new ort.Tensor('int8', Int8Array.from(d, n), t.dims);
    case 'uint8': return new ort.Tensor('uint8', Uint8Array.from(d, n), t.dims);
    case 'int16': return new ort.Tensor('int16', Int16Array.from(d, n), t.dims);
    case 'uint16': return new ort.Tensor('uint16', Uint16Array.from(d, n), t.dims);
    case 'bool': return new ort.Tensor('bool', Uint8Array.from(d, (v) => (v ? 1 : 0)), t.dims);
    default: throw new Error(`no onnxruntime tensor type for ${t.type}`);
  }
}

let registered = false;
function ensureBackend(): void {
  if (registered) return;
  registerOrtBackend(ort as unknown as OrtModule, { warn: () => undefined });
  registered = true;
}

type OrtNode = typeof import('onnxruntime-node');
let ortNode: Promise<OrtNode | undefined> | undefined;
const validity = new Map<string, string | undefined>();

/**
 * undefined when onnxruntime-node (CPU provider) loads the model, else why not — only a model or
 * schema error (ONNX checker, shape inference, unknown attribute) makes it "not valid ONNX"; a missing
 * CPU kernel does not. Without onnxruntime-node every model counts as valid.
 */
export async function invalidOnnx(bytes: Uint8Array, key: string): Promise<string | undefined> {
  if (validity.has(key)) return validity.get(key);
  ortNode ??= import('onnxruntime-node').then((m) => (m as unknown as { default?: OrtNode }).default ?? m, () => undefined);
  const node = await ortNode;
  let why: string | undefined;
  if (node) {
    try {
      const s = await node.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
      await s.release();
    } catch (e) {
      const msg = (e as Error).message.replace(/\s+/g, ' ').trim();
      if (!/NOT_IMPLEMENTED|Could not find an implementation/i.test(msg)) why = `not valid ONNX (onnxruntime-node: ${msg.slice(0, 300)})`;
    }
  }
  validity.set(key, why);
  return why;
}

const SKIP_CODES = new Set(['UNSUPPORTED', 'DTYPE', 'NO_KERNEL']);

function skipReason(e: unknown): string | undefined {
  if (e instanceof UnsupportedOpsError) return `twinops EP: ${e.message.split('\n').slice(1).join('; ').trim() || e.message}`;
  if (e instanceof TwinopsError && SKIP_CODES.has(e.code)) return `twinops EP: ${e.message}`;
  return undefined;
}

/** endProfiling() prints its per-node table with console.log (the backend offers no hook); keep it out of the report. */
function endProfilingQuietly(handler: TwinopsSessionHandler): void {
  const log = console.log;
  console.log = () => undefined;
  try {
    handler.endProfiling();
  } finally {
    console.log = log;
  }
}

export interface SessionResult {
  status: 'pass' | 'fail' | 'skip';
  reason?: string;
  mismatches?: Mismatch[];
  error?: string;
}

/** Run one case through InferenceSession with `ep` ('twinops' | 'twinops-webgpu') at `threads`. */
export async function runSessionCase(g: OrtGroup, c: OrtCase, ep: string, threads: number, device: 'wasm' | 'webgpu'): Promise<SessionResult> {
  let bytes: Uint8Array;
  try {
    bytes = buildCaseModel(g, c);
  } catch (e) {
    return { status: 'skip', reason: `cannot express as ONNX: ${(e as Error).message}` };
  }
  const invalid = await invalidOnnx(bytes, `${g.file}#${g.index}/${c.name}`);
  if (invalid) return { status: 'skip', reason: invalid };
  ensureBackend();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], intraOpNumThreads: threads });
  } catch (e) {
    const s = skipReason(e);
    return s ? { status: 'skip', reason: s } : { status: 'fail', error: `session creation: ${(e as Error).name}: ${(e as Error).message}` };
  }
  try {
    const feeds: Record<string, ort.Tensor> = {};
    c.inputs.forEach((t, i) => (feeds[inputName(i)] = feed(t)));
    let out: Record<string, ort.Tensor>;
    // the session profiler records the device each node ran on: a WebGPU case whose node fell back to
    // wasm is not a WebGPU result (as in direct mode)
    const handler = (session as unknown as { handler: TwinopsSessionHandler }).handler;
    if (device === 'webgpu') handler.startProfiling();
    try {
      out = (await session.run(feeds)) as Record<string, ort.Tensor>;
    } catch (e) {
      const s = skipReason(e);
      return s ? { status: 'skip', reason: s } : { status: 'fail', error: `run: ${(e as Error).name}: ${(e as Error).message}` };
    } finally {
      if (device === 'webgpu') endProfilingQuietly(handler);
    }
    if (device === 'webgpu') {
      const events = handler.lastProfile?.events ?? [];
      const off = events.find((e) => e.device !== 'webgpu');
      if (off) return { status: 'skip', reason: `${off.op} ran on ${off.device}, not webgpu (kernel fallback)` };
    }
    const mismatches: Mismatch[] = [];
    c.outputs.forEach((want, i) => {
      const got = out[outputName(i)];
      if (!got) {
        mismatches.push({ output: i, what: 'dims', detail: `output ${i}: missing from the session's results` });
        return;
      }
      const data = got.type === 'float16' ? Array.from(got.data as Uint16Array, halfToFloat) : (got.data as ArrayLike<number | bigint>);
      const m = compareOutput(i, { dtype: got.type, shape: got.dims, data }, want, TOLERANCE[device]);
      if (m) mismatches.push(m);
    });
    return mismatches.length ? { status: 'fail', mismatches } : { status: 'pass' };
  } finally {
    await session.release();
  }
}
