import { KERNELS } from '../generated/kernels.js';
import type { VariantKey } from '../templates/wat.js';
import { unshare } from './unshare.js';

/**
 * Kernel modules are embedded (base64) in the bundle and compiled lazily, the first time an op of
 * their family runs, so a program pays only for the families it calls. Compiled modules are shared
 * by every runtime in the process (instances are per runtime memory).
 */
const compiled = new Map<string, WebAssembly.Module>();
const exportNames = new Map<string, string[]>();

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function familyIndex(name: string): number {
  const i = KERNELS.findIndex((k) => k.name === name);
  if (i < 0) throw new Error(`wasm-kernels: no kernel family '${name}' was built (known: ${KERNELS.map((k) => k.name).join(', ')})`);
  return i;
}

/** The bytes of a family for a variant; a family without relaxed code uses its plain SIMD build. */
export function familyBytes(name: string, variant: VariantKey): Uint8Array<ArrayBuffer> {
  const k = KERNELS[familyIndex(name)]!;
  const shared = variant.replace('-local', '-shared') as VariantKey;
  const b64 = k.variants[shared] ?? k.variants[shared.replace('relaxed', 'simd') as VariantKey];
  if (!b64) throw new Error(`wasm-kernels: family '${name}' has no ${variant} build`);
  const bytes = decodeBase64(b64);
  return variant.endsWith('-local') ? unshare(bytes) : bytes;
}

export function compileFamily(name: string, variant: VariantKey): WebAssembly.Module {
  const key = `${variant}/${name}`;
  let m = compiled.get(key);
  if (!m) {
    m = new WebAssembly.Module(familyBytes(name, variant));
    compiled.set(key, m);
    exportNames.set(key, WebAssembly.Module.exports(m).filter((e) => e.kind === 'function').map((e) => e.name));
  }
  return m;
}

/** Function exports in module order: the index a worker uses to find the same function. */
export function functionExports(name: string, variant: VariantKey): string[] {
  compileFamily(name, variant);
  return exportNames.get(`${variant}/${name}`)!;
}

/** Families compiled so far in this process (for tests of lazy loading). */
export function compiledFamilies(): string[] {
  return [...compiled.keys()];
}
