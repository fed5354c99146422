/**
 * Metadata ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity): output shapes against numpy/ONNX
 * rules written independently here, storage shared with the input (no copy, reference counted),
 * every dtype, on wasm and (where an adapter exists) WebGPU, and typed errors for bad attributes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARRAY_CTOR, BYTES_PER_ELEMENT, type DType } from '../core/dtype.js';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { sizeOf } from './reference/broadcast.js';

const DTYPES: DType[] = ['float32', 'int32', 'int64', 'bool', 'uint8', 'int8', 'float16', 'float64', 'uint16', 'uint32', 'uint64', 'int16', 'int4', 'uint4'];
let rt: Runtime;
let gpu: Runtime | undefined;

beforeAll(async () => {
  rt = await createRuntime({ device: 'wasm', threads: 1 });
  try {
    gpu = await createRuntime({ device: 'webgpu', threads: 1 });
  } catch {
    gpu = undefined; // no adapter: the WebGPU case below is skipped
  }
});
afterAll(() => {
  rt?.dispose();
  gpu?.dispose();
});

/** The expected output shape, from each op's definition. */
function expected(op: string, shape: number[], attrs: Record<string, unknown>): number[] {
  switch (op) {
    case 'Reshape': {
      const t = (attrs.shape as number[]).map((d, i) => (d === 0 && !attrs.allowzero ? shape[i]! : d));
      const known = t.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      return t.map((d) => (d === -1 ? sizeOf(shape) / known : d));
    }
    case 'Flatten': {
      const a = (attrs.axis as number) < 0 ? (attrs.axis as number) + shape.length : (attrs.axis as number);
      return [sizeOf(shape.slice(0, a)), sizeOf(shape.slice(a))];
    }
    case 'Squeeze': {
      const axes = attrs.axes as number[] | undefined;
      return axes ? shape.filter((_, i) => !axes.some((a) => (a + shape.length) % shape.length === i)) : shape.filter((d) => d !== 1);
    }
    case 'Unsqueeze': {
      const axes = (attrs.axes as number[]).map((a) => (a < 0 ? a + shape.length + (attrs.axes as number[]).length : a)).sort((a, b) => a - b);
      const out = shape.slice();
      for (const a of axes) out.splice(a, 0, 1);
      return out;
    }
    default:
      return shape.slice();
  }
}

const dim: fc.Arbitrary<number> = fc.constantFrom(0, 1, 1, 2, 3, 5);
const caseArb = fc.array(dim, { maxLength: 5 }).chain((shape) =>
  fc.oneof(
    fc.record({ op: fc.constant('Identity'), shape: fc.constant(shape), attrs: fc.constant({}) }),
    fc.record({ op: fc.constant('Flatten'), shape: fc.constant(shape), attrs: fc.integer({ min: -shape.length, max: shape.length }).map((axis) => ({ axis })) }),
    fc.record({
      op: fc.constant('Squeeze'),
      shape: fc.constant(shape),
      attrs: fc.boolean().map((all) => (all ? {} : { axes: shape.map((d, i) => (d === 1 ? (i % 2 ? i - shape.length : i) : undefined)).filter((a) => a !== undefined) })),
    }),
    fc.record({
      op: fc.constant('Unsqueeze'),
      shape: fc.constant(shape),
      attrs: fc.uniqueArray(fc.integer({ min: 0, max: shape.length + 1 }), { maxLength: 2 }).filter((a) => a.every((x) => x < shape.length + a.length)).map((axes) => ({ axes: axes.map((a, k) => (k % 2 ? a - shape.length - axes.length : a)) })),
    }),
    fc.record({
      op: fc.constant('Reshape'),
      shape: fc.constant(shape),
      // reverse the shape, then copy one dim with 0 and/or infer one with -1 (only when that is unambiguous)
      attrs: fc.tuple(fc.boolean(), fc.boolean()).map(([zero, infer]) => {
        const t = shape.slice().reverse();
        // a size-0 dimension is a literal 0 only with allowzero
        if (t.includes(0)) return { shape: t, allowzero: zero ? 1 : true };
        if (zero && t.length && t[0] === shape[0]) t[0] = 0;
        const k = t.length - 1;
        if (infer && k >= 0 && t[k] !== 0 && t.every((d, i) => i === k || d !== 0)) t[k] = -1;
        return { shape: t };
      }),
    }),
  ),
);

describe('metadata ops', () => {
  it('output shapes and shared storage, every dtype (wasm)', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(...DTYPES), ({ op, shape, attrs }, dtype) => {
        const n = sizeOf(shape);
        const bytes = Uint8Array.from({ length: n * BYTES_PER_ELEMENT[dtype] }, (_, i) => (i * 37 + 11) & 0xff);
        const x = rt.tensor(new ARRAY_CTOR[dtype](bytes.buffer, 0, n), shape, dtype);
        const heap = rt.memory().wasm.inUse;
        const [y] = rt.run(op, [x], attrs);
        expect(y!.shape, `${op} ${JSON.stringify(shape)} ${JSON.stringify(attrs)}`).toEqual(expected(op, shape, attrs as Record<string, unknown>));
        expect(y!.dtype).toBe(dtype);
        expect(rt.memory().wasm.inUse, 'no copy').toBe(heap);
        x.dispose();
        // the bytes stay alive through the alias
        expect(new Uint8Array(y!.dataSync().buffer)).toEqual(bytes);
        y!.dispose();
      }),
      { numRuns: 200 },
    );
  });

  it('Reshape: 0 copies a dimension, allowzero keeps it, -1 inferred', () => {
    const x = rt.tensor(new Float32Array(24), [2, 3, 4]);
    const shapes: [object, number[]][] = [
      [{ shape: [0, -1] }, [2, 12]],
      [{ shape: [-1, 0, 0] }, [2, 3, 4]],
      [{ shape: [4, 0, 2] }, [4, 3, 2]],
      [{ shape: [24] }, [24]],
    ];
    for (const [a, s] of shapes) {
      const [y] = rt.run('Reshape', [x], a);
      expect(y!.shape).toEqual(s);
      y!.dispose();
    }
    const e = rt.tensor(new Float32Array(0), [0, 3]);
    const [z] = rt.run('Reshape', [e], { shape: [3, 0], allowzero: 1 });
    expect(z!.shape).toEqual([3, 0]);
    [x, e, z!].forEach((t) => t.dispose());
  });

  it('bad attributes are typed errors naming the op and shapes', () => {
    const x = rt.tensor(new Float32Array(6), [2, 3]);
    const cases: [string, object, RegExp][] = [
      ['Reshape', { shape: [4, -1] }, /Reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,-1\]/],
      ['Reshape', { shape: [-1, -1] }, /Reshape: .*more than one -1/],
      ['Reshape', { shape: [0, 0, 0] }, /Reshape: .*copies dimension 2/],
      ['Reshape', { shape: [0, -1], allowzero: true }, /Reshape: with allowzero/],
      ['Reshape', {}, /Reshape: attribute shape/],
      ['Flatten', { axis: 3 }, /Flatten: axis 3 is out of range/],
      ['Squeeze', { axes: [0] }, /Squeeze: cannot squeeze axis 0 of \[2,3\]: its size is 2/],
      ['Unsqueeze', { axes: [0, 0] }, /Unsqueeze: axis 0 is repeated/],
      ['Unsqueeze', { axes: [4] }, /Unsqueeze: axis 4 is out of range for rank 3/],
    ];
    for (const [op, attrs, msg] of cases) expect(() => rt.run(op, [x], attrs), op).toThrow(msg);
    x.dispose();
  });

  it('WebGPU: aliases GPU storage for every dtype it holds; int64, float64 and the others outside GPU_DTYPES stay on wasm', async (ctx) => {
    if (!gpu) return ctx.skip();
    for (const dtype of DTYPES) {
      const x = gpu.tensor(new ARRAY_CTOR[dtype](6), [2, 3], dtype);
      const [y] = gpu.run('Reshape', [x], { shape: [3, 2] });
      expect(y!.device).toBe(x.device);
      expect(y!.shape).toEqual([3, 2]);
      x.dispose();
      expect((await y!.data()).length).toBe(6);
      y!.dispose();
    }
  });
});
