/**
 * Browser bundle 1, independent of the kernels: the page is cross-origin isolated, WebGPU finds the
 * SwiftShader adapter, and twinops' ThreadPool really runs chunks in a Web Worker, from the page
 * (which spins) and from a module worker (which may Atomics.wait). The pool runs a tiny kernel the
 * runner assembles with wabt (__POOL_WASM_B64__), so this works before any kernel family exists.
 */
import { ThreadPool } from '../../wasm-kernels/runtime/pool.js';
import { WORKER_SOURCE } from '../../wasm-kernels/generated/worker-source.js';
import { runCase, runInWorker, serveInWorker, Skip, webgpuAdapter, where } from './common.js';

declare const __POOL_WASM_B64__: string;

export async function env(): Promise<void> {
  await runCase('env: page is cross-origin isolated (COOP/COEP), SharedArrayBuffer available', () => {
    if (!crossOriginIsolated) throw new Error('crossOriginIsolated is false: the server did not send COOP/COEP');
    if (typeof SharedArrayBuffer !== 'function') throw new Error('no SharedArrayBuffer');
    return `hardwareConcurrency=${navigator.hardwareConcurrency}`;
  });
  await runCase('env: WebGPU adapter (SwiftShader)', async () => {
    const a = await webgpuAdapter();
    if (typeof a === 'string') throw new Skip(a);
    const info = a.info;
    return `${info.vendor} ${info.architecture}${info.description ? ` (${info.description})` : ''}`;
  });
  await runCase('env: WebGPU runs a compute shader and reads it back', async () => {
    const a = await webgpuAdapter();
    if (typeof a === 'string') throw new Skip(a);
    const device = await a.requestDevice();
    try {
      const n = 1000;
      const x = Float32Array.from({ length: n }, (_, i) => i * 0.5);
      const usage = GPUBufferUsage;
      const buf = device.createBuffer({ size: n * 4, usage: usage.STORAGE | usage.COPY_SRC | usage.COPY_DST });
      const read = device.createBuffer({ size: n * 4, usage: usage.MAP_READ | usage.COPY_DST });
      device.queue.writeBuffer(buf, 0, x);
      const code = `@group(0) @binding(0) var<storage, read_write> v: array<f32>;
        @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < arrayLength(&v)) { v[g.x] = v[g.x] * 2.0 + 1.0; } }`;
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] }));
      pass.dispatchWorkgroups(Math.ceil(n / 64));
      pass.end();
      enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const y = new Float32Array(read.getMappedRange().slice(0));
      for (let i = 0; i < n; i++) if (y[i] !== x[i]! * 2 + 1) throw new Error(`element ${i}: ${y[i]}, expected ${x[i]! * 2 + 1}`);
    } finally {
      device.destroy();
    }
  });
}

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const bin = atob(__POOL_WASM_B64__);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pool(): Promise<void> {
  await runCase(`pool[${where()}]: ThreadPool(2) splits a job between this thread and a Web Worker`, async () => {
    const module = new WebAssembly.Module(wasmBytes());
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
    const p = await ThreadPool.create(2, WORKER_SOURCE);
    try {
      if (p.threads !== 2) throw new Error(`pool.threads = ${p.threads}`);
      const rt = await p.attach(memory, 'test');
      const fill = (new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...a: number[]) => void>).fill!;
      const fn = WebAssembly.Module.exports(module).findIndex((e) => e.name === 'fill');
      p.shareModule('test', 0, module);
      await new Promise((r) => setTimeout(r, 50)); // let the worker read its mailbox
      const n = 20000;
      const chunks = n / 500;
      // Workers wake asynchronously, so one job may end before the worker joins: retry a few times.
      for (let attempt = 1; attempt <= 20; attempt++) {
        const f = new Float32Array(memory.buffer, 64, n);
        f.fill(-1);
        let mine = 0;
        p.run({ rt, family: 0, fn, local: (...a) => (mine++, fill(...a)), args: [64, attempt], total: n, chunk: 500 });
        for (let i = 0; i < n; i++) if (f[i] !== attempt + i) throw new Error(`element ${i} is ${f[i]}, expected ${attempt + i}`);
        if (mine < chunks) return `the worker took ${chunks - mine} of ${chunks} chunks (attempt ${attempt})`;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('in 20 jobs the worker never took a chunk');
    } finally {
      p.terminate();
    }
  });
}

export const poolPage = pool;
export const poolWorker = (): Promise<void> => runInWorker(import.meta.url, 'pool');
serveInWorker({ pool });
