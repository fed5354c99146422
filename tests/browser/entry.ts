/**
 * Browser bundle 2: the op subset through twinops' public API (index.ts).
 *  - wasm, 2 threads (the pool's Web Worker plus this thread) on shared memory, against the float64
 *    reference and bit for bit against a 1-thread runtime; on the page's main thread (the pool spins)
 *    and in a module worker started from this bundle (the pool may Atomics.wait);
 *  - WebGPU (SwiftShader in CI) against the reference.
 */
import { createRuntime, ThreadPool, type Runtime, type Tensor } from '../../index.js';
import { compareArrays, expectBitIdentical, expectShape } from '../reference/compare.js';
import { opCases, type Device, type OpCase } from './cases.js';
import { runCase, runInWorker, serveInWorker, Skip, webgpuAdapter, where } from './common.js';

type Job = Parameters<ThreadPool['run']>[0];
interface JobStat {
  op?: string;
  chunks: number;
  mine: number;
}

/** Count, per pool job, the chunks this thread ran: the rest ran in the worker. */
function spyOnPool(): { jobs: JobStat[]; restore(): void } {
  const jobs: JobStat[] = [];
  const orig = ThreadPool.prototype.run;
  ThreadPool.prototype.run = function (this: ThreadPool, job: Job): void {
    const s: JobStat = { op: job.op, chunks: Math.ceil(job.total / job.chunk), mine: 0 };
    jobs.push(s);
    const local = job.local;
    orig.call(this, { ...job, local: (...a: number[]) => (s.mine++, local(...a)) });
  };
  return { jobs, restore: () => void (ThreadPool.prototype.run = orig) };
}

/** Run a case on `rt`; returns the output's data after checking device, shape and values. */
async function check(rt: Runtime, c: OpCase, device: Device, label: string): Promise<ArrayBufferView> {
  const xs = c.inputs.map((i) => rt.tensor(i.data, i.shape, i.dtype));
  let y: Tensor | undefined;
  try {
    y = c.run(rt, xs);
    if (y.device !== device) throw new Error(`ran on ${y.device}, not ${device} (no ${device} kernel for it?)`);
    const got = await y.data();
    const ref = c.ref();
    expectShape(y.shape, ref.shape, label);
    const r = compareArrays(got as ArrayLike<number>, ref.data, { op: label, dtype: c.dtype, outShape: ref.shape, ...c.tol(device) });
    if (!r.ok) throw new Error(r.message);
    return got as ArrayBufferView;
  } finally {
    y?.dispose();
    for (const x of xs) x.dispose();
  }
}

async function wasmSuite(): Promise<void> {
  const p = `wasm[${where()}]`;
  let rt2: Runtime | undefined;
  const rt1 = await createRuntime({ device: 'wasm', threads: 1 });
  const ok = await runCase(`${p} createRuntime({threads: 2}): 2 threads on shared memory`, async () => {
    rt2 = await createRuntime({ device: 'wasm', threads: 2 });
    const i = rt2.info();
    if (i.threads !== 2 || !i.sharedMemory) throw new Error(`info() = ${JSON.stringify(i)}`);
    return `relaxedSimd=${i.relaxedSimd}`;
  });
  try {
    for (const c of opCases()) {
      await runCase(`${p} ${c.name}`, async () => {
        if (!ok || !rt2) throw new Error('no 2-thread runtime');
        const label = `${c.name} on ${p} threads=2`;
        const two = await check(rt2, c, 'wasm', label);
        const one = await check(rt1, c, 'wasm', `${c.name} on ${p} threads=1`);
        expectBitIdentical(two, one, `${label} vs threads=1`);
      });
    }
    await runCase(`${p} MatMul [193,161]·[161,127] is split across both threads, chunks run in the Web Worker`, async () => {
      if (!rt2) throw new Error('no 2-thread runtime');
      const c = opCases().find((k) => k.name.startsWith('MatMul [193,161]'))!;
      const xs = c.inputs.map((i) => rt2!.tensor(i.data, i.shape));
      const ys = c.inputs.map((i) => rt1.tensor(i.data, i.shape));
      const one = c.run(rt1, ys);
      const spy = spyOnPool();
      try {
        // the worker wakes asynchronously and may miss a short job: repeat until it has taken a chunk
        for (let i = 1; i <= 50; i++) {
          // the output reuses the freed block of the same size: fill it with NaN so stale results cannot pass
          rt2.tensor(new Float32Array(one.size).fill(NaN), one.shape).dispose();
          spy.jobs.length = 0;
          const y = c.run(rt2, xs);
          const got = y.dataSync();
          y.dispose();
          const split = spy.jobs.filter((j) => j.chunks > 1);
          if (!split.length) throw new Error(`no pool job with more than one chunk (jobs: ${JSON.stringify(spy.jobs)}): MatMul ran on one thread`);
          const theirs = split.reduce((s, j) => s + j.chunks - j.mine, 0);
          if (theirs > 0) {
            expectBitIdentical(got, one.dataSync(), `${c.name} with the worker's chunks vs threads=1`);
            return `the worker took ${theirs} of ${split.reduce((s, j) => s + j.chunks, 0)} chunks (run ${i}); bit-identical to threads=1`;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        throw new Error('in 50 runs the worker never took a chunk');
      } finally {
        spy.restore();
        for (const x of [...xs, ...ys, one]) x.dispose();
      }
    });
  } finally {
    rt1.dispose();
    rt2?.dispose();
  }
}

async function webgpu(): Promise<void> {
  const adapter = await webgpuAdapter();
  const skip = typeof adapter === 'string' ? `no WebGPU: ${adapter}` : undefined;
  let rt: Runtime | undefined;
  const ok = await runCase('webgpu createRuntime({device: "webgpu"})', async () => {
    if (skip) throw new Skip(skip);
    rt = await createRuntime({ device: 'webgpu', threads: 1 });
    if (!rt.info().webgpu) throw new Error(`info() = ${JSON.stringify(rt.info())}`);
    const info = (adapter as GPUAdapter).info;
    return `${info.vendor} ${info.architecture}`;
  });
  try {
    for (const c of opCases()) {
      await runCase(`webgpu ${c.name}`, async () => {
        if (skip) throw new Skip(skip);
        if (!ok || !rt) throw new Error('no WebGPU runtime');
        await check(rt, c, 'webgpu', `${c.name} on webgpu`);
      });
    }
  } finally {
    rt?.dispose();
  }
}

export const wasmPage = wasmSuite;
export const wasmWorker = (): Promise<void> => runInWorker(import.meta.url, 'wasm');
export { webgpu };
serveInWorker({ wasm: wasmSuite });
