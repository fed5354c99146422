/**
 * The memo behind Runtime.runCached: one call site's last op, input signature (dtype, shape,
 * device per input), attributes (a copy of their plain data) and the plan and kernel they gave.
 * An op's plan is a function of exactly these (ops/types.ts: a contract sees TensorInfo and attrs),
 * so a call that matches all of them would get the same plan and kernel again.
 */
import type { DType } from './dtype.js';
import { Tensor, type Device } from './tensor.js';
import type { Plan } from '../ops/types.js';
import type { Kernel } from '../registry/registry.js';

/** Nesting beyond this depth in attributes is compared by identity. */
const MAX_DEPTH = 4;

export class CallCache {
  private op = '';
  private attrs: Snap = { t: 0, v: undefined };
  private dtypes: DType[] = [];
  private devices: Device[] = [];
  private inShapes: number[][] = [];
  /** Frozen copies of the plan's output shapes: the output tensors share them. */
  shapes: readonly (readonly number[])[] = [];
  plan: Plan | undefined;
  kernel: Kernel | undefined;

  /** Whether this call is the cached one (never throws: anything unusual is a miss). */
  matches(op: string, inputs: readonly Tensor[], attrs: object | undefined): boolean {
    if (this.plan === undefined || op !== this.op || inputs.length !== this.dtypes.length) return false;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (!(t instanceof Tensor) || t.isDisposed || t.dtype !== this.dtypes[i] || t.device !== this.devices[i]) return false;
      const s = t.shape;
      const c = this.inShapes[i]!;
      if (s.length !== c.length) return false;
      for (let d = 0; d < s.length; d++) if (s[d] !== c[d]) return false;
    }
    return same(this.attrs, attrs);
  }

  fill(op: string, inputs: readonly Tensor[], attrs: object | undefined, plan: Plan, kernel: Kernel): void {
    // a plan that holds a tensor (none does today) would tie it to these inputs' data: not cached
    if (holdsTensor(plan, 0)) return;
    this.op = op;
    this.attrs = snapshot(attrs, 0);
    this.dtypes = inputs.map((t) => t.dtype);
    this.devices = inputs.map((t) => t.device);
    this.inShapes = inputs.map((t) => t.shape.slice());
    this.shapes = plan.outputs.map((o) => Object.freeze(o.shape.slice()));
    this.plan = plan;
    this.kernel = kernel;
  }

  clear(): void {
    this.plan = undefined;
    this.kernel = undefined;
    this.attrs = { t: 0, v: undefined };
  }
}

function holdsTensor(v: unknown, depth: number): boolean {
  if (v instanceof Tensor) return true;
  if (depth >= MAX_DEPTH || typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return false;
  if (Array.isArray(v)) return v.some((x) => holdsTensor(x, depth + 1));
  for (const k of Object.keys(v)) if (holdsTensor((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/** A copy of an attribute value: plain arrays and objects by content, anything else (typed arrays, tensors, functions) by reference. */
type Snap = { readonly t: 0; readonly v: unknown } | { readonly t: 1; readonly items: Snap[] } | { readonly t: 2; readonly proto: object | null; readonly keys: string[]; readonly vals: Snap[] };

function snapshot(v: unknown, depth: number): Snap {
  if (depth < MAX_DEPTH && typeof v === 'object' && v !== null) {
    if (Array.isArray(v)) return { t: 1, items: v.map((x) => snapshot(x, depth + 1)) };
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(v);
      return { t: 2, proto, keys, vals: keys.map((k) => snapshot((v as Record<string, unknown>)[k], depth + 1)) };
    }
  }
  return { t: 0, v };
}

/** `live` has the contents `snap` was copied from (same keys, same values, NaN equal to NaN). */
function same(snap: Snap, live: unknown): boolean {
  if (snap.t === 0) return snap.v === live || (typeof live === 'number' && live !== live && typeof snap.v === 'number' && snap.v !== snap.v);
  if (typeof live !== 'object' || live === null) return false;
  if (snap.t === 1) {
    if (!Array.isArray(live) || live.length !== snap.items.length) return false;
    for (let i = 0; i < snap.items.length; i++) if (!same(snap.items[i]!, live[i])) return false;
    return true;
  }
  if (Array.isArray(live) || Object.getPrototypeOf(live) !== snap.proto) return false;
  const o = live as Record<string, unknown>;
  for (let i = 0; i < snap.keys.length; i++) {
    const k = snap.keys[i]!;
    const v = o[k];
    if (!same(snap.vals[i]!, v) || (v === undefined && !Object.prototype.hasOwnProperty.call(o, k))) return false;
  }
  // no key added (inherited enumerable keys count too: a miss, never a wrong hit)
  let n = 0;
  for (const _ in o) n++;
  return n === snap.keys.length;
}
