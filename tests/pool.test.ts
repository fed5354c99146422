import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { ThreadPool } from '../wasm-kernels/runtime/pool.js';
import { WORKER_SOURCE } from '../wasm-kernels/generated/worker-source.js';

// A tiny kernel for the pool protocol alone: fill(ptr, v, start, end) writes v + i at ptr[i] after a
// busy loop (so chunks take long enough for both threads to join), and trap(at, start, end) traps
// when `at` lies in its range.
const WAT = `(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "fill") (param $p i32) (param $v f32) (param $s i32) (param $e i32) (local $i i32) (local $k i32)
    (local.set $i (local.get $s))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
      (local.set $k (i32.const 0))
      (loop $spin (local.set $k (i32.add (local.get $k) (i32.const 1))) (br_if $spin (i32.lt_u (local.get $k) (i32.const 2000))))
      (f32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
        (f32.add (local.get $v) (f32.convert_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "trap") (param $at i32) (param $s i32) (param $e i32)
    (if (i32.and (i32.ge_u (local.get $at) (local.get $s)) (i32.lt_u (local.get $at) (local.get $e))) (then unreachable))))`;

async function setup(threads: number) {
  const wabt = await wabtInit();
  const bytes = wabt.parseWat("pool.wat", WAT, { threads: true }).toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
  const pool = await ThreadPool.create(threads, WORKER_SOURCE);
  const rt = await pool.attach(memory, 'test');
  const local = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  return { pool, rt, memory, module, local, fn: (n: string) => names.indexOf(n) };
}

describe('thread pool', () => {
  it('splits a range across the calling thread and a worker, with the same result as one thread', async () => {
    const { pool, rt, memory, module, local, fn } = await setup(2);
    expect(pool.threads).toBe(2);
    const n = 20000;
    // before the module reaches the worker, the calling thread does every chunk by itself
    let mine = 0;
    const counting = (...a: number[]) => {
      mine++;
      local.fill!(...a);
    };
    pool.run({ rt, family: 0, fn: fn('fill'), local: counting, args: [64, 0.5], total: n, chunk: 500 });
    expect(mine).toBe(40);
    pool.shareModule('test', 0, module);
    await new Promise((r) => setTimeout(r, 50));
    const f = new Float32Array(memory.buffer, 64, n);
    f.fill(-1);
    mine = 0;
    pool.run({ rt, family: 0, fn: fn('fill'), local: counting, args: [64, 0.5], total: n, chunk: 500 });
    expect(mine).toBeLessThan(40); // the worker took some chunks
    for (let i = 0; i < n; i++) if (f[i] !== 0.5 + i) throw new Error(`element ${i} is ${f[i]}`);
    pool.terminate();
  });

  it('runs many small jobs back to back without losing a chunk', async () => {
    const { pool, rt, memory, module, local, fn } = await setup(2);
    pool.shareModule('test', 0, module);
    await new Promise((r) => setTimeout(r, 50));
    const f = new Float32Array(memory.buffer, 64, 64);
    for (let j = 0; j < 2000; j++) {
      pool.run({ rt, family: 0, fn: fn('fill'), local: local.fill!, args: [64, j], total: 64, chunk: 8 });
      if (f[0] !== j || f[63] !== j + 63) throw new Error(`job ${j}: ${f[0]} ${f[63]}`);
    }
    pool.terminate();
  });

  it('reports a trap in a worker chunk as an error, and stays usable', async () => {
    const { pool, rt, module, local, fn } = await setup(2);
    pool.shareModule('test', 0, module);
    await new Promise((r) => setTimeout(r, 50));
    let thrown = 0;
    for (let at = 0; at < 64; at += 7) {
      try {
        pool.run({ rt, family: 0, fn: fn('trap'), local: local.trap!, args: [at], total: 64, chunk: 1, op: 'Trap' });
      } catch (e) {
        thrown++;
        expect(String(e)).toMatch(/unreachable|Trap/);
      }
    }
    expect(thrown).toBe(10);
    pool.run({ rt, family: 0, fn: fn('trap'), local: local.trap!, args: [1000], total: 64, chunk: 1 });
    pool.terminate();
  });
});
