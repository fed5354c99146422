/**
 * The ONNX → twinops mapping table: one entry per (domain, op type). Each op family's file adds its
 * mappings with `addMappings` at import; `./index.ts` imports every family file.
 */
import type { OnnxOpMapping } from './types.js';

export const ONNX_OPS = new Map<string, OnnxOpMapping>();

/** Add a family's mappings; mapping one (domain, op) twice is a programming error. */
export function addMappings(list: readonly OnnxOpMapping[]): void {
  for (const m of list) {
    const key = `${m.domain}::${m.op}`;
    if (ONNX_OPS.has(key)) throw new Error(`adapters/ort: ${key} is mapped twice`);
    ONNX_OPS.set(key, m);
  }
}

/** The mapping for a node's (domain, op), or undefined. */
export function findMapping(domain: string, op: string): OnnxOpMapping | undefined {
  return ONNX_OPS.get(`${domain}::${op}`);
}
