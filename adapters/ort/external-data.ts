/**
 * External tensor data (TensorProto.data_location = EXTERNAL): the bytes live in other files, named
 * by each tensor's `location` entry with an optional `offset` and `length`. The files come from the
 * session option `externalData` (onnxruntime-common's shape: `{ path, data }` with data a
 * Uint8Array, an ArrayBuffer, a Blob or a path/URL, or a bare path), and in Node from the files next
 * to a model given by path. Everything is loaded before parsing, which then resolves synchronously.
 */
import type { onnx } from 'onnx-proto';
import { OnnxModelError, OrtArgumentError } from './errors.js';
import { toInt } from './tensor-proto.js';

/** External data files by location (normalised: no leading './', forward slashes). */
export type ExternalFiles = ReadonlyMap<string, Uint8Array>;

/** onnxruntime-common's ExternalDataFileType. */
export type ExternalDataOption = string | { path: string; data: unknown };

const EXTERNAL = 1;

export function normalizeLocation(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function entries(t: onnx.ITensorProto): Map<string, string> {
  return new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
}

/** Every external location a model's tensors use (main graph, subgraphs, Constant attributes). */
export function externalLocations(m: onnx.IModelProto): Set<string> {
  const found = new Set<string>();
  const tensor = (t: onnx.ITensorProto | null | undefined) => {
    if (t?.dataLocation === EXTERNAL) found.add(normalizeLocation(entries(t).get('location') ?? ''));
  };
  const graph = (g: onnx.IGraphProto | null | undefined) => {
    if (!g) return;
    for (const t of g.initializer ?? []) tensor(t);
    for (const n of g.node ?? []) nodes([n]);
  };
  const nodes = (list: readonly onnx.INodeProto[]) => {
    for (const n of list) {
      for (const a of n.attribute ?? []) {
        tensor(a.t);
        for (const t of a.tensors ?? []) tensor(t);
        graph(a.g);
        for (const g of a.graphs ?? []) graph(g);
      }
    }
  };
  graph(m.graph);
  for (const f of m.functions ?? []) nodes(f.node ?? []);
  return found;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

async function readPath(path: string, base: string | undefined): Promise<Uint8Array> {
  if (/^(https?|blob|data):/i.test(path) || !isNode()) {
    const res = await fetch(path);
    if (!res.ok) throw new OrtArgumentError(`cannot fetch external data '${path}': HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  const { readFile } = await import('node:fs/promises');
  const { isAbsolute, join } = await import('node:path');
  const full = isAbsolute(path) || !base ? path : join(base, path);
  try {
    const buf = await readFile(full);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new OrtArgumentError(`cannot read external data file '${full}': ${(e as Error).message}`);
  }
}

async function bytesOf(data: unknown, path: string, base: string | undefined): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) return new Uint8Array(data);
  if (typeof data === 'string') return readPath(data, base);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new OrtArgumentError(`externalData '${path}': data must be a Uint8Array, an ArrayBuffer, a Blob or a path, got ${Object.prototype.toString.call(data)}`);
}

/**
 * Load the files a model's external tensors need: from the `externalData` option first, then (Node,
 * model given by path) from the model's folder. Locations that are absolute or leave that folder
 * are refused. A location nobody provides is left out; resolving its tensor names it.
 */
export async function loadExternalData(m: onnx.IModelProto, option: readonly ExternalDataOption[] | undefined, modelDir: string | undefined): Promise<Map<string, Uint8Array>> {
  if (option !== undefined && !Array.isArray(option)) throw new OrtArgumentError('externalData must be an array of { path, data } or paths');
  const files = new Map<string, Uint8Array>();
  const needed = externalLocations(m);
  for (const e of option ?? []) {
    if (typeof e === 'string') {
      const key = normalizeLocation(e);
      if (needed.has(key)) files.set(key, await readPath(e, modelDir));
      continue;
    }
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string') throw new OrtArgumentError('each externalData entry must be { path, data } or a path');
    files.set(normalizeLocation(e.path), await bytesOf(e.data, e.path, modelDir));
  }
  if (modelDir !== undefined && isNode()) {
    for (const loc of needed) {
      if (files.has(loc) || loc === '') continue;
      if (loc.startsWith('/') || /^[a-z]:/i.test(loc) || loc.split('/').includes('..')) throw new OnnxModelError(`external data location '${loc}' is outside the model's folder`);
      files.set(loc, await readPath(loc, modelDir));
    }
  }
  return files;
}

/** The tensor with its external bytes moved into raw_data (tensors stored inline are returned as they are). */
export function resolveExternal(t: onnx.ITensorProto, files: ExternalFiles | undefined): onnx.ITensorProto {
  if (t.dataLocation !== EXTERNAL) return t;
  const name = t.name || 'tensor';
  const e = entries(t);
  const location = normalizeLocation(e.get('location') ?? '');
  if (!location) throw new OnnxModelError(`tensor '${name}' stores its data externally but names no location`);
  const file = files?.get(location);
  if (!file) throw new OnnxModelError(`tensor '${name}' stores its data in '${location}', which was not provided (pass it in the session option externalData: [{ path: '${location}', data }], or load the model by path with the file next to it)`);
  const offset = e.has('offset') ? toInt(Number(e.get('offset')), `external offset of '${name}'`) : 0;
  const length = e.has('length') ? toInt(Number(e.get('length')), `external length of '${name}'`) : file.byteLength - offset;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.byteLength) {
    throw new OnnxModelError(`tensor '${name}': external data range offset ${e.get('offset') ?? 0}, length ${e.get('length') ?? '(rest)'} is outside '${location}' (${file.byteLength} bytes)`);
  }
  return { ...t, name: t.name, dims: t.dims, dataType: t.dataType, dataLocation: 0, externalData: [], rawData: file.subarray(offset, offset + length) };
}
