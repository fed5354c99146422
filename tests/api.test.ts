/**
 * The runtime API's typed errors (each with .code, .op and a message naming the op and the offending
 * shapes/dtypes) and its memory accounting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { AttributeError, DTypeError, DisposedError, NoKernelError, ShapeError, TwinopsError, type ErrorCode } from '../core/errors.js';
import { Registry } from '../registry/registry.js';

type ErrorClass = new (...args: never[]) => TwinopsError;

/** Run `f`, expect it to throw `cls` with `code` and `op`, and a message containing every string of `mentions`. */
function expectTyped(f: () => unknown, cls: ErrorClass, code: ErrorCode, op: string | undefined, mentions: string[] = []): TwinopsError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${cls.name} (${code}) from ${op ?? 'the runtime'}, but nothing was thrown`).toBeDefined();
  const e = caught as TwinopsError;
  expect(e, `expected ${cls.name}, got ${String((e as Error)?.name)}: ${String((e as Error)?.message)}`).toBeInstanceOf(cls);
  expect(e).toBeInstanceOf(TwinopsError);
  expect(e).toBeInstanceOf(Error);
  expect(e.code).toBe(code);
  expect(e.op).toBe(op);
  if (op) expect(e.message).toContain(op);
  for (const m of mentions) expect(e.message, `message "${e.message}" should mention ${m}`).toContain(m);
  return e;
}

describe('api: typed errors', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createRuntime({ device: 'wasm', threads: 1 });
  });
  afterAll(() => rt?.dispose());

  it('ShapeError: shapes that do not broadcast', () => {
    const a = rt.tensor(new Float32Array(6), [2, 3]);
    const b = rt.tensor(new Float32Array(4), [4]);
    expectTyped(() => rt.add(a, b), ShapeError, 'SHAPE_MISMATCH', 'Add', ['[2,3]', '[4]']);
    expectTyped(() => rt.run('Greater', [a, b]), ShapeError, 'SHAPE_MISMATCH', 'Greater', ['[2,3]', '[4]']);
    // a size-0 dim broadcasts against 0 and 1 only, not against 3
    const z = rt.tensor(new Float32Array(0), [0, 1]);
    const c = rt.tensor(new Float32Array(3), [1, 3]);
    expect(rt.add(z, c).shape).toEqual([0, 3]);
    const z2 = rt.tensor(new Float32Array(0), [2, 0]);
    expectTyped(() => rt.mul(z2, c), ShapeError, 'SHAPE_MISMATCH', 'Mul', ['[2,0]', '[1,3]']);
  });

  it('ShapeError: MatMul/Gemm inner dimensions, bias and C that do not fit', () => {
    const a = rt.tensor(new Float32Array(6), [2, 3]);
    const b = rt.tensor(new Float32Array(20), [4, 5]);
    expectTyped(() => rt.matmul(a, b), ShapeError, 'SHAPE_MISMATCH', 'MatMul', ['[2,3]', '[4,5]']);
    expectTyped(() => rt.gemm(a, b), ShapeError, 'SHAPE_MISMATCH', 'Gemm', ['[2,3]', '[4,5]']);
    const b2 = rt.tensor(new Float32Array(15), [3, 5]);
    const badBias = rt.tensor(new Float32Array(4), [4]);
    expectTyped(() => rt.matmul(a, b2, { bias: badBias }), ShapeError, 'SHAPE_MISMATCH', 'MatMul', ['[4]']);
    expectTyped(() => rt.gemm(a, b2, badBias), ShapeError, 'SHAPE_MISMATCH', 'Gemm', ['[4]']);
  });

  it('ShapeError: MatMul batch dims that do not broadcast name the input shapes', () => {
    const a3 = rt.tensor(new Float32Array(2 * 2 * 3), [2, 2, 3]);
    const b3 = rt.tensor(new Float32Array(3 * 3 * 5), [3, 3, 5]);
    // the message must let the user find the operands: their full shapes, not only the batch parts
    expectTyped(() => rt.matmul(a3, b3), ShapeError, 'SHAPE_MISMATCH', 'MatMul', ['[2,2,3]', '[3,3,5]']);
  });

  it('MatMul: a transpose flag on a 1-D operand does not produce a mis-sized result', () => {
    // A vector has nothing to transpose. Either way ([3]ᵀ is [3], or it is [3,1] → K = 1 but the
    // promoted dimension is then not the one that is dropped) the op must not return a tensor whose
    // shape disagrees with what was computed: [3] @ [1,2] with transA has K 3 vs 1 and must throw.
    const a = rt.tensor(new Float32Array([1, 2, 3]), [3]);
    const b = rt.tensor(new Float32Array([10, 20]), [1, 2]);
    let threw: unknown;
    let shape: readonly number[] | undefined;
    try {
      shape = rt.matmul(a, b, { transA: true }).shape;
    } catch (e) {
      threw = e;
    }
    expect(threw, `MatMul([3], [1,2], transA) returned shape [${shape?.join(',')}] instead of a typed error`).toBeInstanceOf(TwinopsError);
  });

  it('ShapeError (RANK): wrong rank', () => {
    const a3 = rt.tensor(new Float32Array(12), [2, 2, 3]);
    const b = rt.tensor(new Float32Array(15), [3, 5]);
    expectTyped(() => rt.gemm(a3, b), ShapeError, 'RANK', 'Gemm', ['[2,2,3]', '[3,5]']);
    const s = rt.tensor(new Float32Array([1]), []);
    expectTyped(() => rt.matmul(s, b), ShapeError, 'RANK', 'MatMul', ['[]', '[3,5]']);
    const c3 = rt.tensor(new Float32Array(5), [1, 1, 5]);
    const a = rt.tensor(new Float32Array(6), [2, 3]);
    expectTyped(() => rt.gemm(a, b, c3), ShapeError, 'RANK', 'Gemm', ['[1,1,5]']);
    expectTyped(() => rt.run('Add', [a]), ShapeError, 'RANK', 'Add', ['2', '1']);
  });

  it('DTypeError: dtypes an op does not support', () => {
    const i = rt.tensor(new Int32Array(6), [2, 3]);
    expectTyped(() => rt.softmax(i), DTypeError, 'DTYPE', 'Softmax', ['int32', '[2,3]']);
    expectTyped(() => rt.exp(i), DTypeError, 'DTYPE', 'Exp', ['int32', '[2,3]']);
    for (const op of ['Sigmoid', 'Tanh', 'Log', 'Sqrt', 'Erf', 'Gelu', 'LeakyRelu']) {
      expectTyped(() => rt.run(op, [i]), DTypeError, 'DTYPE', op, ['int32']);
    }
    const f16 = rt.tensor(new Uint16Array(3), [3], 'float16'); // float16 arithmetic is not implemented yet
    expectTyped(() => rt.add(f16, f16), DTypeError, 'DTYPE', 'Add', ['float16', '[3]']);
    const u8 = rt.tensor(new Uint8Array(3), [3]);
    const bool = rt.tensor([true, false], [2]);
    expect(bool.dtype).toBe('bool');
    expectTyped(() => rt.relu(bool), DTypeError, 'DTYPE', 'Relu', ['bool']);
    expectTyped(() => rt.matmul(u8, u8), DTypeError, 'DTYPE', 'MatMul', ['uint8']);
  });

  it('DTypeError: inputs whose dtypes disagree', () => {
    const f = rt.tensor(new Float32Array(3), [3]);
    const i = rt.tensor(new Int32Array(3), [3]);
    expectTyped(() => rt.add(f, i), DTypeError, 'DTYPE', 'Add', ['float32', 'int32', '[3]']);
    expectTyped(() => rt.less(i, f), DTypeError, 'DTYPE', 'Less', ['float32', 'int32']);
    const fm = rt.tensor(new Float32Array(9), [3, 3]);
    const im = rt.tensor(new Int32Array(9), [3, 3]);
    expectTyped(() => rt.matmul(fm, im), DTypeError, 'DTYPE', 'MatMul', ['float32', 'int32']);
    expectTyped(() => rt.gemm(fm, fm, im), DTypeError, 'DTYPE', 'Gemm', ['float32', 'int32']);
    expectTyped(() => rt.matmul(fm, fm, { bias: i }), DTypeError, 'DTYPE', 'MatMul', ['float32', 'int32']);
  });

  it('AttributeError: axis out of range and attributes outside their domain', () => {
    const x = rt.tensor(new Float32Array(6), [2, 3]);
    expectTyped(() => rt.softmax(x, { axis: 2 }), AttributeError, 'ATTRIBUTE', 'Softmax', ['axis 2', 'rank-2']);
    expectTyped(() => rt.softmax(x, { axis: -3 }), AttributeError, 'ATTRIBUTE', 'Softmax', ['-3']);
    expectTyped(() => rt.softmax(x, { axis: 0.5 }), AttributeError, 'ATTRIBUTE', 'Softmax', ['0.5']);
    expectTyped(() => rt.gelu(x, { approximate: 'fast' as never }), AttributeError, 'ATTRIBUTE', 'Gelu', ['fast']);
    expectTyped(() => rt.clip(x, { min: NaN }), AttributeError, 'ATTRIBUTE', 'Clip');
    expectTyped(() => rt.leakyRelu(x, { alpha: Infinity }), AttributeError, 'ATTRIBUTE', 'LeakyRelu', ['Infinity']);
    const b = rt.tensor(new Float32Array(9), [3, 3]);
    expectTyped(() => rt.matmul(x, b, { activation: { kind: 'swish' } as never }), AttributeError, 'ATTRIBUTE', 'MatMul', ['swish']);
    const ia = rt.tensor(new Int32Array(4), [2, 2]);
    expectTyped(() => rt.gemm(ia, ia, undefined, { alpha: 0.5 }), AttributeError, 'ATTRIBUTE', 'Gemm', ['0.5']);
  });

  it('DisposedError: a disposed tensor', () => {
    const a = rt.tensor(new Float32Array([1, 2, 3]), [3]);
    const b = rt.tensor(new Float32Array([1, 2, 3]), [3]);
    a.dispose();
    a.dispose(); // safe twice
    expect(a.isDisposed).toBe(true);
    expectTyped(() => rt.add(a, b), DisposedError, 'DISPOSED', 'Add', ['float32[3]', 'dispose']);
    expectTyped(() => rt.add(b, a), DisposedError, 'DISPOSED', 'Add');
    expectTyped(() => rt.relu(a), DisposedError, 'DISPOSED', 'Relu');
    expectTyped(() => a.dataSync(), DisposedError, 'DISPOSED', 'dataSync');
    return expect(a.data()).rejects.toBeInstanceOf(DisposedError);
  });

  it('NoKernelError: an op with no kernel for (op, dtype, device)', async () => {
    const bare = await createRuntime({ device: 'wasm', threads: 1, registry: new Registry() });
    try {
      const a = bare.tensor(new Float32Array(2), [2]);
      expectTyped(() => bare.add(a, a), NoKernelError, 'NO_KERNEL', 'Add', ['float32', 'wasm']);
      const i = bare.tensor(new Int32Array(4), [2, 2]);
      expectTyped(() => bare.matmul(i, i), NoKernelError, 'NO_KERNEL', 'MatMul', ['int32', 'wasm']);
    } finally {
      bare.dispose();
    }
  });

  it('ShapeError: tensor data length that disagrees with the shape, invalid shapes', () => {
    expectTyped(() => rt.tensor([1, 2, 3], [2, 2]), ShapeError, 'SHAPE_MISMATCH', 'tensor', ['3', '[2,2]']);
    expectTyped(() => rt.tensor(new Float32Array(5), [2, 3]), ShapeError, 'SHAPE_MISMATCH', 'tensor', ['5', '[2,3]']);
    expectTyped(() => rt.tensor(new Float32Array(1), [0]), ShapeError, 'SHAPE_MISMATCH', 'tensor', ['[0]']);
    expectTyped(() => rt.tensor(new Float32Array(0), []), ShapeError, 'SHAPE_MISMATCH', 'tensor', ['[]']);
    expectTyped(() => rt.tensor(new Float32Array(2), [-2]), ShapeError, 'SHAPE_MISMATCH', 'tensor', ['[-2]']);
    expectTyped(() => rt.tensor(new Float32Array(2), [1.5, 2]), ShapeError, 'SHAPE_MISMATCH', 'tensor', ['[1.5,2]']);
    // the good cases
    expect(rt.tensor(new Float32Array(0), [3, 0]).size).toBe(0);
    expect(rt.tensor([7], []).dataSync()[0]).toBe(7);
  });

  it('a failed op leaves no tensor behind', () => {
    const before = rt.memory();
    const a = rt.tensor(new Float32Array(6), [2, 3]);
    const b = rt.tensor(new Float32Array(4), [4]);
    for (let i = 0; i < 50; i++) expect(() => rt.add(a, b)).toThrow(ShapeError);
    a.dispose();
    b.dispose();
    const after = rt.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.wasm.inUse).toBe(before.wasm.inUse);
  });
});

describe('api: a disposed runtime', () => {
  it('throws DisposedError for ops and tensor creation, and disposes its tensors', async () => {
    const rt = await createRuntime({ device: 'wasm', threads: 1 });
    const a = rt.tensor(new Float32Array([1, 2]), [2]);
    const b = rt.relu(a);
    rt.dispose();
    rt.dispose(); // safe twice
    expect(rt.isDisposed).toBe(true);
    expect(a.isDisposed).toBe(true);
    expect(b.isDisposed).toBe(true);
    expectTyped(() => rt.add(a, a), DisposedError, 'DISPOSED', 'Add');
    expectTyped(() => rt.tensor([1], [1]), DisposedError, 'DISPOSED', 'tensor');
    expectTyped(() => rt.softmax(a), DisposedError, 'DISPOSED', 'Softmax');
    expectTyped(() => rt.run('MatMul', [a, a]), DisposedError, 'DISPOSED', 'MatMul');
  });
});

describe('api: memory', () => {
  for (const threads of [1, 2]) {
    it(`creating and disposing 1000 tensors and op results leaves counts and bytes unchanged (threads=${threads})`, async () => {
      const rt = await createRuntime({ device: 'wasm', threads });
      try {
        // warm up: first use of each kernel family may allocate scratch that stays (not a leak)
        const w = rt.tensor(new Float32Array(64).fill(1), [8, 8]);
        for (const y of [rt.add(w, w), rt.matmul(w, w, { bias: w, activation: { kind: 'relu' } }), rt.softmax(w), rt.exp(w), rt.gemm(w, w, w)]) y.dispose();
        w.dispose();
        const before = rt.memory();
        for (let i = 0; i < 1000; i++) {
          const n = 1 + (i % 97);
          const a = rt.tensor(new Float32Array(n * 3).fill(i), [n, 3]);
          const bi = rt.tensor(new Int32Array(3).fill(i), [3]);
          const ys = [rt.add(a, a), rt.sigmoid(a), rt.less(a, a)];
          if (i % 10 === 0) {
            const m = rt.matmul(a, a, { transB: true });
            ys.push(m, rt.softmax(m), rt.gemm(a, a, undefined, { transB: true }), rt.abs(bi));
          }
          for (const y of ys) y.dispose();
          a.dispose();
          bi.dispose();
        }
        const after = rt.memory();
        expect(after.liveTensors).toBe(before.liveTensors);
        expect(after.wasm.inUse).toBe(before.wasm.inUse);
        expect(after.gpuBytes).toBe(before.gpuBytes);
      } finally {
        rt.dispose();
      }
    });
  }
  it('live tensor count and bytes track creation and disposal', async () => {
    const rt = await createRuntime({ device: 'wasm', threads: 1 });
    try {
      const m0 = rt.memory();
      const t = rt.tensor(new Float32Array(1000), [10, 100]);
      const m1 = rt.memory();
      expect(m1.liveTensors).toBe(m0.liveTensors + 1);
      expect(m1.wasm.inUse).toBeGreaterThanOrEqual(m0.wasm.inUse + 4000);
      const r = rt.reshape(t, [100, 10]);
      t.dispose();
      expect(rt.memory().wasm.inUse).toBe(m1.wasm.inUse); // the reshape still holds the storage
      r.dispose();
      expect(rt.memory().liveTensors).toBe(m0.liveTensors);
      expect(rt.memory().wasm.inUse).toBe(m0.wasm.inUse);
    } finally {
      rt.dispose();
    }
  });
});

describe('api: memory on WebGPU', () => {
  it('creating and disposing tensors and op results leaves live tensors and GPU bytes unchanged (skipped without an adapter)', async (ctx) => {
    let rt: Runtime;
    try {
      rt = await createRuntime({ device: 'webgpu', threads: 1 });
    } catch (e) {
      if ((e as TwinopsError).code === 'DEVICE') return ctx.skip();
      throw e;
    }
    try {
      const before = rt.memory();
      for (let i = 0; i < 200; i++) {
        const n = 1 + (i % 13);
        const a = rt.tensor(new Float32Array(n * 4).fill(i), [n, 4]);
        const ys = [rt.add(a, a), rt.exp(a)];
        if (i % 20 === 0) ys.push(rt.matmul(a, a, { transB: true }), rt.softmax(a));
        for (const y of ys) y.dispose();
        a.dispose();
      }
      const after = rt.memory();
      expect(after.liveTensors).toBe(before.liveTensors);
      expect(after.gpuBytes).toBe(before.gpuBytes);
    } finally {
      rt.dispose();
    }
  });
});
