/**
 * Attribute translations cached by value. tfjs ops build a fresh attrs object on every call, so a
 * kernel that turns tfjs attributes into twinops ones (pool and conv geometry through
 * backend_util) would redo the same work on each call of a model. Keyed by the input shapes and
 * the attributes' values, a translation runs once per distinct call, and every later call gets the
 * same twinops attrs object back (which also finds the call's cache in the runtime by identity).
 * Entries must be pure functions of the key; callers must not mutate what they get.
 *
 * A key is written part by part (`key(...)`, then `get`), flattened into a reused array and
 * hashed as numbers: no string is built per call. Entries compare the whole key, so a hash
 * collision only costs a lookup.
 */

/** Markers of nested arrays in a flattened key. */
const OPEN = Symbol('[');
const CLOSE = Symbol(']');

/**
 * Small integers for the non-number values keys hold (strings, booleans, undefined, markers). They
 * only feed the hash (entries compare the values themselves), so the table may be dropped when an
 * unusual attribute (an object made per call) makes it grow.
 */
const interned = new Map<unknown, number>();
function idOf(v: unknown): number {
  let id = interned.get(v);
  if (id === undefined) {
    if (interned.size >= 4096) interned.clear();
    id = interned.size + 1;
    interned.set(v, id);
  }
  return id;
}

interface Entry<T> {
  key: unknown[];
  value: T;
}

export class AttrMemo<T> {
  private readonly buckets = new Map<number, Entry<T>[]>();
  /** the key being written: parts[0..n) (the array is reused, never shortened) */
  private readonly parts: unknown[] = [];
  private n = 0;
  private size = 0;
  /** `limit` bounds the entries: a model has a few hundred distinct calls at most. */
  constructor(private readonly limit = 1024) {}

  /** Start a key with these parts (numbers, strings, booleans, undefined, arrays of them). */
  key(...parts: unknown[]): this {
    this.n = 0;
    for (let i = 0; i < parts.length; i++) this.push(parts[i]);
    return this;
  }

  /** The entry of the key just written, made by `make(arg)` the first time. */
  get<A>(make: (arg: A) => T, arg: A): T {
    const p = this.parts;
    const n = this.n;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const v = p[i];
      const x = typeof v === 'number' ? (Number.isInteger(v) ? v : Math.round(v * 1e6) + 0x5bd1e995) : -idOf(v);
      h = Math.imul(h ^ x, 0x01000193);
    }
    let bucket = this.buckets.get(h);
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) if (sameParts(bucket[i]!.key, p, n)) return bucket[i]!.value;
    }
    const value = make(arg);
    if (this.size >= this.limit) {
      this.buckets.clear();
      this.size = 0;
      bucket = undefined;
    }
    if (bucket === undefined) this.buckets.set(h, (bucket = []));
    bucket.push({ key: p.slice(0, n), value });
    this.size++;
    return value;
  }

  private push(v: unknown): void {
    if (Array.isArray(v)) {
      this.parts[this.n++] = OPEN;
      for (let i = 0; i < v.length; i++) this.push(v[i]);
      this.parts[this.n++] = CLOSE;
    } else this.parts[this.n++] = v;
  }
}

/** Whether `key` is b[0..n). */
function sameParts(key: readonly unknown[], b: readonly unknown[], n: number): boolean {
  if (key.length !== n) return false;
  // Object.is: NaN matches NaN, and 0 / -0 stay apart as the attribute values they are
  for (let i = 0; i < n; i++) if (!Object.is(key[i], b[i])) return false;
  return true;
}

/**
 * `v` with every plain object and array in it frozen: memoized twinops attrs are shared by every
 * later call, so nothing may change them (and a runtime may trust a frozen attrs object it has
 * already checked).
 */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
