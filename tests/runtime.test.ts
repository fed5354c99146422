import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRuntime, createThreadPool, OutOfMemoryError, DisposedError, NoKernelError, Registry } from '../index.js';
import { compiledFamilies } from '../wasm-kernels/runtime/loader.js';

describe('runtime', () => {
  it('compiles a kernel family only when an op of it first runs', async () => {
    const before = compiledFamilies().filter((k) => k.endsWith('/softmax'));
    const rt = await createRuntime({ threads: 1 });
    const x = rt.tensor(new Float32Array([1, 2, 3]), [3]);
    expect(compiledFamilies().filter((k) => k.endsWith('/softmax'))).toEqual(before);
    rt.softmax(x).dispose();
    expect(compiledFamilies().some((k) => k.endsWith('/softmax'))).toBe(true);
    rt.dispose();
  });

  it('grows the heap on demand and keeps data intact', async () => {
    const rt = await createRuntime({ threads: 2 });
    const start = rt.memory().wasm.heapBytes;
    const a = rt.tensor(new Float32Array([1, 2, 3, 4]), [4]);
    const big = rt.tensor(new Float32Array(16 * 2 ** 20).fill(1), [16 * 2 ** 20]); // 64 MiB
    expect(rt.memory().wasm.heapBytes).toBeGreaterThan(start);
    const s = rt.add(a, a);
    expect(Array.from(s.dataSync() as Float32Array)).toEqual([2, 4, 6, 8]);
    expect((big.dataSync() as Float32Array)[16 * 2 ** 20 - 1]).toBe(1);
    rt.dispose();
  });

  it('reports the 4 GiB wasm32 limit as an OutOfMemoryError naming the op', async () => {
    const rt = await createRuntime({ threads: 1 });
    const a = rt.tensor(new Float32Array(40000), [40000, 1]);
    const b = rt.tensor(new Float32Array(40000), [1, 40000]);
    // 40000² floats = 6.4 GB > 4 GiB
    let err: unknown;
    try {
      rt.matmul(a, b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect(String(err)).toMatch(/MatMul.*4 GiB/);
    // still usable afterwards, nothing leaked
    expect(rt.memory().liveTensors).toBe(2);
    rt.add(a, a).dispose();
    rt.dispose();
  });

  it('frees and reuses memory: repeated ops keep the heap high-water mark flat', async () => {
    const rt = await createRuntime({ threads: 2 });
    const a = rt.tensor(new Float32Array(1000).fill(2), [10, 100]);
    const b = rt.tensor(new Float32Array(100).fill(3), [100, 1]);
    for (let i = 0; i < 10; i++) {
      const m = rt.matmul(a, b);
      rt.softmax(m).dispose();
      m.dispose();
    }
    const { highWater, inUse } = rt.memory().wasm;
    const live = rt.memory().liveTensors;
    for (let i = 0; i < 500; i++) {
      const m = rt.matmul(a, b);
      const s = rt.softmax(m);
      m.dispose();
      s.dispose();
    }
    expect(rt.memory().wasm.highWater).toBe(highWater);
    expect(rt.memory().wasm.inUse).toBe(inUse);
    expect(rt.memory().liveTensors).toBe(live);
    rt.dispose();
  });

  it('one pool serves two runtimes, and disposing one leaves the other working', async () => {
    const pool = await createThreadPool(2);
    const r1 = await createRuntime({ pool });
    const r2 = await createRuntime({ pool, relaxedSimd: false });
    expect(r1.info().threads).toBe(2);
    expect(r2.info().threads).toBe(2);
    const n = 1 << 18;
    const x1 = r1.tensor(new Float32Array(n).fill(1), [n]);
    const x2 = r2.tensor(new Float32Array(n).fill(2), [n]);
    expect((r1.add(x1, x1).dataSync() as Float32Array)[n - 1]).toBe(2);
    expect((r2.mul(x2, x2).dataSync() as Float32Array)[n - 1]).toBe(4);
    r1.dispose();
    expect((r2.add(x2, x2).dataSync() as Float32Array)[0]).toBe(4);
    r2.dispose();
    pool.terminate();
  });

  it('rejects use after dispose with a typed error', async () => {
    const rt = await createRuntime({ threads: 1 });
    const a = rt.tensor(new Float32Array([1]), [1]);
    rt.dispose();
    expect(() => rt.add(a, a)).toThrow(DisposedError);
    expect(() => a.dataSync()).toThrow(DisposedError);
  });

  it('raises NoKernelError for an op with no kernel in the registry', async () => {
    const rt = await createRuntime({ threads: 1, registry: new Registry() });
    const a = rt.tensor(new Float32Array([1]), [1]);
    expect(() => rt.add(a, a)).toThrow(NoKernelError);
    expect(() => rt.add(a, a)).toThrow(/Add: no kernel for dtype float32 on wasm/);
    rt.dispose();
  });

  it('a Node process with a threaded runtime exits by itself, disposed or not', () => {
    for (const dispose of [true, false]) {
      const code = `
        const { createRuntime } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).href)});
        const rt = await createRuntime({ threads: 2 });
        const n = 1 << 20;
        const x = rt.tensor(new Float32Array(n).fill(1), [n]);
        const y = rt.add(x, x);
        console.log('sum', y.dataSync()[n - 1]);
        ${dispose ? 'rt.dispose();' : ''}`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30000 });
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.stdout).toContain('sum 2');
      expect(r.status).toBe(0);
    }
  });
});
