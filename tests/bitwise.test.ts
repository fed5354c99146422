/**
 * BitwiseAnd/Or/Xor/Not (family `bitwise`) against a byte-by-byte reference with numpy broadcasting.
 * Bit operations are exact, so outputs compare byte for byte: every integer dtype on wasm at threads 1
 * and 2 (random bit patterns, size-0 and size-1 dims, odd lengths for the vector tails), and on
 * WebGPU the dtypes it stores (int32, uint8, int8).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARRAY_CTOR, BYTES_PER_ELEMENT, type AnyTypedArray, type DType } from '../core/dtype.js';
import { DTypeError, ShapeError } from '../core/errors.js';
import type { Runtime } from '../core/runtime.js';
import { BITWISE_DTYPES } from '../ops/bitwise.js';
import { prng } from './arbitraries.js';
import { broadcastIndexMaps, sizeOf, tryBroadcastShape } from './reference/broadcast.js';
import { gpu, rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

type Op = 'BitwiseAnd' | 'BitwiseOr' | 'BitwiseXor';
const FN: Record<Op, (a: number, b: number) => number> = { BitwiseAnd: (a, b) => a & b, BitwiseOr: (a, b) => a | b, BitwiseXor: (a, b) => a ^ b };

function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  return Uint8Array.from({ length: n }, () => (r() * 256) | 0);
}

/** Element k of the output = element map[k] of each operand, byte by byte. */
function refBinary(op: Op, a: Uint8Array, aShape: number[], b: Uint8Array, bShape: number[], eb: number): { data: Uint8Array; shape: number[] } {
  const shape = tryBroadcastShape(aShape, bShape)!;
  const [ma, mb] = broadcastIndexMaps(shape, aShape, bShape) as [Int32Array, Int32Array];
  const out = new Uint8Array(sizeOf(shape) * eb);
  for (let k = 0; k < ma.length; k++) for (let j = 0; j < eb; j++) out[k * eb + j] = FN[op](a[ma[k]! * eb + j]!, b[mb[k]! * eb + j]!);
  return { data: out, shape };
}

const asDtype = (bytes: Uint8Array, dtype: DType) => new ARRAY_CTOR[dtype](bytes.buffer, bytes.byteOffset, bytes.length / BYTES_PER_ELEMENT[dtype]);
const bytesOf = (t: AnyTypedArray) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

function expectBytes(got: AnyTypedArray, want: Uint8Array, what: string): void {
  const g = bytesOf(got);
  expect(g.length, `${what}: bytes`).toBe(want.length);
  const i = g.findIndex((v, k) => v !== want[k]);
  if (i >= 0) throw new Error(`${what}: byte ${i} is ${g[i]}, want ${want[i]}`);
}

const dim = fc.oneof(fc.constantFrom(0, 1, 1, 2, 3, 5, 7, 17, 33), fc.integer({ min: 1, max: 9 }));
/** Two shapes that broadcast: B takes A's trailing dims with some set to 1, and maybe fewer of them. */
const pairArb = fc.array(dim, { minLength: 0, maxLength: 4 }).chain((a) =>
  fc.tuple(fc.constant(a), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.nat(a.length), fc.boolean()).map(([s, ones, drop, swap]) => {
    const b = s.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
    return (swap ? [b, s] : [s, b]) as [number[], number[]];
  }),
).filter(([a, b]) => sizeOf(a) <= 2500 && sizeOf(b) <= 2500);

describe('BitwiseAnd / BitwiseOr / BitwiseXor', () => {
  it('match the byte reference on every integer dtype with broadcasting, threads 1 and 2 (property)', () => {
    fc.assert(
      fc.property(pairArb, fc.constantFrom<Op>('BitwiseAnd', 'BitwiseOr', 'BitwiseXor'), fc.constantFrom(...BITWISE_DTYPES), fc.nat(), ([as, bs], op, dtype, seed) => {
        const eb = BYTES_PER_ELEMENT[dtype];
        const a = randomBytes(sizeOf(as) * eb, seed);
        const b = randomBytes(sizeOf(bs) * eb, seed + 1);
        const want = refBinary(op, a, as, b, bs, eb);
        for (const rt of [rt1, rt2]) {
          const ta = rt.tensor(asDtype(a, dtype), as, dtype);
          const tb = rt.tensor(asDtype(b, dtype), bs, dtype);
          const [y] = rt.run(op, [ta, tb]);
          expect(y!.shape).toEqual(want.shape);
          expect(y!.dtype).toBe(dtype);
          expectBytes(y!.dataSync(), want.data, `${op} ${dtype} [${as}] [${bs}] threads=${rt.info().threads}`);
          [ta, tb, y!].forEach((t) => t.dispose());
        }
      }),
      { numRuns: 80 },
    );
  });

  it('split long rows and many rows across threads bit-identically', () => {
    const cases: [number[], number[], DType][] = [[[1 << 20], [1 << 20], 'uint8'], [[300, 1001], [1001], 'int32'], [[700, 1], [1, 513], 'int64'], [[3, 100003], [3, 1], 'int16']];
    for (const [as, bs, dtype] of cases) {
      const eb = BYTES_PER_ELEMENT[dtype];
      const a = randomBytes(sizeOf(as) * eb, 1);
      const b = randomBytes(sizeOf(bs) * eb, 2);
      const want = refBinary('BitwiseXor', a, as, b, bs, eb);
      for (const rt of [rt1, rt2]) {
        const ts = [rt.tensor(asDtype(a, dtype), as, dtype), rt.tensor(asDtype(b, dtype), bs, dtype)];
        const [y] = rt.run('BitwiseXor', ts);
        expectBytes(y!.dataSync(), want.data, `BitwiseXor ${dtype} [${as}] [${bs}] threads=${rt.info().threads}`);
        [...ts, y!].forEach((t) => t.dispose());
      }
    }
  });

  it('reject floats, mixed dtypes and shapes that do not broadcast with typed errors', () => {
    const f = rt1.tensor(Float32Array.of(1, 2), [2]);
    const i = rt1.tensor(Int32Array.of(1, 2), [2], 'int32');
    const j = rt1.tensor(Int32Array.of(1, 2, 3), [3], 'int32');
    const u = rt1.tensor(Uint8Array.of(1, 2), [2], 'uint8');
    expect(() => rt1.run('BitwiseAnd', [f, f])).toThrow(DTypeError);
    expect(() => rt1.run('BitwiseAnd', [f, f])).toThrow(/BitwiseAnd: A has dtype float32\[2\]/);
    expect(() => rt1.run('BitwiseOr', [i, u])).toThrow(/BitwiseOr: inputs must share one dtype, got int32\[2\] and uint8\[2\]/);
    expect(() => rt1.run('BitwiseXor', [i, j])).toThrow(ShapeError);
    expect(() => rt1.run('BitwiseNot', [f])).toThrow(/BitwiseNot: X has dtype float32\[2\]/);
    [f, i, j, u].forEach((t) => t.dispose());
  });
});

describe('BitwiseNot', () => {
  it('flips every bit on every integer dtype, odd lengths and size 0 included, threads 1 and 2', () => {
    for (const dtype of BITWISE_DTYPES) {
      for (const shape of [[0], [1], [3, 5], [17], [2, 3, 7], [1 << 19]]) {
        const eb = BYTES_PER_ELEMENT[dtype];
        const x = randomBytes(sizeOf(shape) * eb, sizeOf(shape) + eb);
        const want = x.map((v) => v ^ 255);
        for (const rt of [rt1, rt2]) {
          const t = rt.tensor(asDtype(x, dtype), shape, dtype);
          const [y] = rt.run('BitwiseNot', [t]);
          expectBytes(y!.dataSync(), want, `BitwiseNot ${dtype} [${shape}] threads=${rt.info().threads}`);
          [t, y!].forEach((v) => v.dispose());
        }
      }
    }
  });
});

describe('bitwise on WebGPU', () => {
  it('And/Or/Xor/Not match the reference on int32, uint8, int8 with broadcasting', async (ctx) => {
    if (!gpu) return ctx.skip();
    const rt: Runtime = gpu;
    const pairs: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4, 5, 6], [4, 5, 6]], [[3, 4, 5], [5]], [[7, 1], [1, 9]], [[], [5]], [[2, 0], [2, 1]], [[13], [1]], [[2, 3, 1, 5], [3, 4, 1]]];
    let seed = 1;
    for (const dtype of ['int32', 'uint8', 'int8'] as const) {
      const eb = BYTES_PER_ELEMENT[dtype];
      for (const [as, bs] of pairs) {
        for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'] as const) {
          const a = randomBytes(sizeOf(as) * eb, seed++);
          const b = randomBytes(sizeOf(bs) * eb, seed++);
          const want = refBinary(op, a, as, b, bs, eb);
          const ts = [rt.tensor(asDtype(a, dtype), as, dtype), rt.tensor(asDtype(b, dtype), bs, dtype)];
          const [y] = rt.run(op, ts);
          expect(y!.device).toBe('webgpu');
          expectBytes(await y!.data(), want.data, `${op} webgpu ${dtype} [${as}] [${bs}]`);
          [...ts, y!].forEach((t) => t.dispose());
        }
        const x = randomBytes(sizeOf(as) * eb, seed++);
        const t = rt.tensor(asDtype(x, dtype), as, dtype);
        const [y] = rt.run('BitwiseNot', [t]);
        expectBytes(await y!.data(), x.map((v) => v ^ 255), `BitwiseNot webgpu ${dtype} [${as}]`);
        [t, y!].forEach((v) => v.dispose());
      }
    }
  });
});
