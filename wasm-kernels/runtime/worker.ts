/**
 * The worker side of the thread pool. Bundled on its own (see wasm-kernels/build.ts) into a source
 * string, started as a Node worker_thread (eval) or a browser Web Worker (blob URL).
 *
 * A worker instantiates, per attached runtime, the kernel modules the calling thread sends it, on
 * that runtime's shared memory. It then sleeps in Atomics.wait on the control block's GEN word; on a
 * job it takes chunks by compare-and-swap until none are left. When its mailbox counter says a
 * message is waiting, it returns to the event loop to read it (a worker blocked in the loop cannot
 * receive messages) and comes back once every posted message is handled.
 */
import * as P from './protocol.js';

type Fn = (...a: number[]) => unknown;
interface Port {
  post(m: P.FromWorker): void;
  listen(h: (m: P.ToWorker) => void): void;
  close(): void;
}

declare const require: (m: string) => any;
declare const self: any;

function port(): Port {
  if (typeof self !== 'undefined' && typeof self.postMessage === 'function' && typeof (globalThis as any).process === 'undefined') {
    return { post: (m) => self.postMessage(m), listen: (h) => (self.onmessage = (e: { data: P.ToWorker }) => h(e.data)), close: () => self.close() };
  }
  // A Node worker started with eval inherits execArgv: under --input-type=module its code is an ES
  // module without `require`, so prefer process.getBuiltinModule (Node >= 20.16).
  const proc = (globalThis as any).process;
  const { parentPort } = proc.getBuiltinModule ? proc.getBuiltinModule('node:worker_threads') : require('worker_threads');
  return { post: (m) => parentPort.postMessage(m), listen: (h) => parentPort.on('message', h), close: () => parentPort.close() };
}

const io = port();
let ctl: Int32Array;
let args: Float64Array;
let index = -1;
let handled = 0;
const modules = new Map<string, WebAssembly.Module>(); // `${variant}/${family}`
const runtimes = new Map<number, { memory: WebAssembly.Memory; variant: string; fns: Map<number, Fn[]> }>();
/** Loads of GEN between clock reads while spinning (a load is ~1 ns, a clock read ~50–80 ns). */
const SPIN_CHECK = 63;

function fnsFor(rtId: number, family: number): Fn[] | undefined {
  const rt = runtimes.get(rtId);
  if (!rt) return undefined;
  let fns = rt.fns.get(family);
  if (!fns) {
    const mod = modules.get(`${rt.variant}/${family}`);
    if (!mod) return undefined;
    const inst = new WebAssembly.Instance(mod, { env: { memory: rt.memory } });
    fns = WebAssembly.Module.exports(mod)
      .filter((e) => e.kind === 'function')
      .map((e) => inst.exports[e.name] as Fn);
    rt.fns.set(family, fns);
  }
  return fns;
}

function runJob(gen: number): void {
  const fns = fnsFor(Atomics.load(ctl, P.RT), Atomics.load(ctl, P.MOD));
  if (!fns) return; // module still in the mailbox: the other threads do this job
  const fn = fns[Atomics.load(ctl, P.FN)]!;
  const nChunks = Atomics.load(ctl, P.NCHUNK);
  const total = Atomics.load(ctl, P.TOTAL);
  const chunk = Atomics.load(ctl, P.CHUNK);
  const n = Atomics.load(ctl, P.NARGS);
  const a = new Array<number>(n + 2);
  for (let i = 0; i < n; i++) a[i] = args[i]!;
  const tag = (gen & 0xffff) << 16;
  for (;;) {
    const t = Atomics.load(ctl, P.TICKET);
    if ((t & 0xffff0000) !== tag) return; // a newer job replaced this one
    const c = t & 0xffff;
    if (c >= nChunks) return;
    if (Atomics.compareExchange(ctl, P.TICKET, t, t + 1) !== t) continue;
    a[n] = c * chunk;
    a[n + 1] = Math.min(total, (c + 1) * chunk);
    try {
      fn(...a);
    } catch (e) {
      Atomics.store(ctl, P.ERR, 1);
      io.post({ type: 'error', index, message: String(e) });
    }
    if (Atomics.add(ctl, P.DONE, 1) + 1 === nChunks) Atomics.notify(ctl, P.DONE);
  }
}

function mailPending(): boolean {
  return Atomics.load(ctl, P.MAILBOX + index) !== handled;
}

/** Spin on GEN for up to SPIN_US µs (the next job often follows within a kernel or two); its last value. */
function spin(seen: number): number {
  let g = Atomics.load(ctl, P.GEN);
  const budget = Atomics.load(ctl, P.SPIN_US) / 1000;
  if (g !== seen || budget <= 0) return g;
  const t0 = performance.now();
  for (let i = 0; ; i++) {
    g = Atomics.load(ctl, P.GEN);
    if (g !== seen) return g;
    if ((i & SPIN_CHECK) === SPIN_CHECK && performance.now() - t0 >= budget) return g;
  }
}

/** The job loop; returns to the event loop when mail is waiting or on exit. */
function loop(): void {
  let seen = Atomics.load(ctl, P.GEN);
  for (;;) {
    if (mailPending()) return;
    let g = spin(seen);
    if (g === seen) {
      Atomics.add(ctl, P.SLEEPERS, 1);
      Atomics.wait(ctl, P.GEN, seen);
      Atomics.sub(ctl, P.SLEEPERS, 1);
      g = Atomics.load(ctl, P.GEN);
    }
    seen = g;
    const cmd = Atomics.load(ctl, P.CMD);
    if (cmd === P.CMD_EXIT) {
      io.close();
      return;
    }
    if (cmd === P.CMD_JOB) runJob(g);
  }
}

io.listen((m) => {
  handled++;
  switch (m.type) {
    case 'init':
      ctl = new Int32Array(m.control, 0, P.ARGS_BYTE / 4);
      args = new Float64Array(m.control, P.ARGS_BYTE, P.MAX_ARGS);
      index = m.index;
      io.post({ type: 'ready', index });
      break;
    case 'attach':
      runtimes.set(m.rt, { memory: m.memory, variant: m.variant, fns: new Map() });
      io.post({ type: 'attached', rt: m.rt, index });
      break;
    case 'detach':
      runtimes.delete(m.rt);
      break;
    case 'module':
      modules.set(`${m.variant}/${m.family}`, m.module);
      break;
  }
  if (ctl && !mailPending()) loop();
});
