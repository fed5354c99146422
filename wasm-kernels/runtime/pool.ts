import { TwinopsError } from '../../core/errors.js';
import * as P from './protocol.js';

/**
 * A pool of workers that run kernel chunks on shared wasm memory. One pool can serve several
 * runtimes (each attaches its memory), so the tfjs and ORT adapters on one page can share workers.
 *
 * The calling thread takes chunks too. Completion is signalled through Atomics on the control
 * block: Node's main thread sleeps in Atomics.wait; a browser's main thread may not block, so there
 * it spins on Atomics.load for the tail of the job (it has just done its own share of the chunks,
 * so the wait is at most one chunk's time).
 */
export interface PoolWorker {
  post(m: P.ToWorker): void;
  onMessage(h: (m: P.FromWorker) => void): void;
  terminate(): void;
  /** Node: keep the process alive while an answer from this worker is awaited ... */
  hold?(): void;
  /** ... and let it exit once the pool is idle. */
  release?(): void;
}

export type WorkerFactory = (source: string) => PoolWorker;

const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

async function defaultFactory(): Promise<WorkerFactory> {
  if (isNode) {
    const wt = await import('node:worker_threads');
    return (source) => {
      const w = new wt.Worker(source, { eval: true });
      return {
        post: (m) => w.postMessage(m),
        onMessage: (h) => w.on('message', h),
        terminate: () => void w.terminate(),
        hold: () => w.ref(),
        release: () => w.unref(),
      };
    };
  }
  return (source) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const w = new Worker(url);
    URL.revokeObjectURL(url);
    return { post: (m) => w.postMessage(m), onMessage: (h) => (w.onmessage = (e: MessageEvent<P.FromWorker>) => h(e.data)), terminate: () => w.terminate() };
  };
}

/** Can this thread block in Atomics.wait? Not a browser's main (window) thread. */
function canBlock(): boolean {
  if (isNode) return true;
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return g.document === undefined && g.WorkerGlobalScope !== undefined;
}

export interface PoolJob {
  rt: number;
  family: number;
  fn: number;
  /** The calling thread's own copy of the export. */
  local: (...a: number[]) => unknown;
  args: readonly number[];
  total: number;
  chunk: number;
  op?: string;
}

let nextRuntimeId = 1;

/**
 * Default worker spin after a job, in µs (bounded by the wall clock; then Atomics.wait). A job that
 * finds the worker spinning costs ~0.5 µs over running inline, one that must wake it 4–60 µs of
 * latency plus the caller's Atomics.notify (a futex wake: in CPU profiles of liveness at 2 threads,
 * `wake` took ~57 µs of main-thread time per 0.55 ms run), so the spin has to bridge the gaps
 * between split launches in a model: the JavaScript and the inline kernels between them, which in
 * the tfjs graph models is often more than 200 µs (liveness has three split launches per run, and
 * its worker was asleep at 91% of them with a 200 µs spin). History, each measured by
 * tfjs models at 2 threads on a quiet machine, same process, interleaved:
 * - 5 µs → 200 µs (with the quarter split thresholds, backend.ts SPLIT_SCALE): blazeface 1.37× →
 *   1.85×, handlandmark 1.43× → 2.10×, movenet 1.55× → 1.84× against tfjs-backend-wasm;
 * - 200 → 1000 → 3000 µs, per-run ms: liveness 0.532 / 0.464 / 0.466 (1 thread 0.560), iris 4.78 /
 *   4.59 / 4.44 (1 thread 5.27), facemesh 3.99 / 3.84 / 3.76 (1 thread 4.56).
 * A spinning worker did not slow the calling thread's JavaScript (measured: the same loop with the
 * other core spinning or idle, within 1%). On a machine whose cores other processes keep busy a
 * long spin costs: there, at load 14–18, a job after 3 ms idle took 79–138 µs over its work with a
 * 50 µs spin against 38–87 µs with none (a thread that spun is scheduled later); lower
 * `pool.spinMicros` there (0 sleeps at once), or use `adaptiveSplit`. onnxruntime's intra-op pool
 * spins too.
 */
const DEFAULT_SPIN_US = 2000;

export class ThreadPool {
  /** Threads that work on a job: the workers plus the calling thread. */
  readonly threads: number;
  private readonly workers: PoolWorker[];
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly control: SharedArrayBuffer;
  private readonly block = canBlock();
  private readonly sentModules = new Set<string>();
  private readonly waiters = new Map<string, () => void>();
  private lastErrors: string[] = [];
  private users = 0;
  private closed = false;

  private constructor(workers: PoolWorker[], control: SharedArrayBuffer) {
    this.workers = workers;
    this.threads = workers.length + 1;
    this.control = control;
    this.ctl = new Int32Array(control, 0, P.ARGS_BYTE / 4);
    this.args = new Float64Array(control, P.ARGS_BYTE, P.MAX_ARGS);
  }

  /** Start `threads - 1` workers (the caller is the last thread) and wait until each is ready. */
  static async create(threads: number, workerSource: string, factory?: WorkerFactory): Promise<ThreadPool> {
    const n = Math.max(0, Math.min(P.MAX_WORKERS, Math.floor(threads) - 1));
    const make = factory ?? (await defaultFactory());
    const control = new SharedArrayBuffer(P.CONTROL_BYTES);
    const workers = Array.from({ length: n }, () => make(workerSource));
    const pool = new ThreadPool(workers, control);
    await Promise.all(
      workers.map(
        (w, index) =>
          new Promise<void>((resolve, reject) => {
            w.onMessage((m) => pool.onMessage(m));
            pool.waiters.set(`ready/${index}`, resolve);
            setTimeout(() => reject(new TwinopsError('WORKER', undefined, `thread pool: worker ${index} did not start within 30 s`)), 30000).unref?.();
            pool.send(index, { type: 'init', control, index });
          }),
      ),
    );
    pool.spinMicros = DEFAULT_SPIN_US;
    pool.idle();
    return pool;
  }

  /**
   * How long (µs, wall clock) a worker keeps spinning after a job before it sleeps in Atomics.wait. A
   * job that finds the worker spinning starts it at once; one that must wake it from Atomics.wait waits
   * 4–60 µs (median; milliseconds in the tail when other processes hold the cores), see DEFAULT_SPIN_US.
   * 0: sleep at once.
   */
  get spinMicros(): number {
    return Atomics.load(this.ctl, P.SPIN_US);
  }

  set spinMicros(us: number) {
    Atomics.store(this.ctl, P.SPIN_US, Math.max(0, Math.min(1e6, Math.round(us))));
  }

  private onMessage(m: P.FromWorker): void {
    if (m.type === 'error') {
      this.lastErrors.push(`worker ${m.index}: ${m.message}`);
      return;
    }
    const key = m.type === 'ready' ? `ready/${m.index}` : `attached/${m.rt}/${m.index}`;
    this.waiters.get(key)?.();
    this.waiters.delete(key);
  }

  /** Post to one worker, bump its mailbox and wake it so it leaves the job loop to read the message. */
  private send(index: number, m: P.ToWorker): void {
    Atomics.add(this.ctl, P.MAILBOX + index, 1);
    this.workers[index]!.post(m);
    if (m.type !== 'init') this.wake(P.CMD_MAIL);
  }

  private wake(cmd: number): number {
    Atomics.store(this.ctl, P.CMD, cmd);
    const gen = (Atomics.add(this.ctl, P.GEN, 1) + 1) | 0;
    // A worker increments SLEEPERS before it waits, and Atomics.wait returns at once if GEN moved,
    // so skipping notify when no worker is asleep loses no wake-up. It matters in Chromium, where a
    // notify that wakes a thread costs the caller 0.3-1.6 ms; spinning workers need none.
    if (Atomics.load(this.ctl, P.SLEEPERS) > 0) Atomics.notify(this.ctl, P.GEN);
    return gen;
  }

  /** Register a runtime's memory with every worker; resolves to the runtime's id in this pool. */
  async attach(memory: WebAssembly.Memory, variant: string): Promise<number> {
    if (this.closed) throw new TwinopsError('WORKER', undefined, 'thread pool was terminated');
    const rt = nextRuntimeId++;
    for (const w of this.workers) w.hold?.();
    await Promise.all(
      this.workers.map(
        (_, index) =>
          new Promise<void>((resolve) => {
            this.waiters.set(`attached/${rt}/${index}`, resolve);
            this.send(index, { type: 'attach', rt, memory, variant });
          }),
      ),
    );
    this.idle();
    this.users++;
    return rt;
  }

  /** An idle pool never keeps a Node process alive. */
  private idle(): void {
    for (const w of this.workers) w.release?.();
  }

  detach(rt: number): void {
    if (this.closed) return;
    this.workers.forEach((_, index) => this.send(index, { type: 'detach', rt }));
    this.users--;
  }

  /**
   * Wake sleeping workers into their spin without a job (a no-op while they spin). A launcher that
   * runs inline calls this when its work is near the split bound: in a model, the kernel after it is
   * often big enough to split, and a worker woken from Atomics.wait then takes 4–60 µs to start,
   * while one already spinning starts at once.
   */
  nudge(): void {
    if (Atomics.load(this.ctl, P.SLEEPERS) > 0 && !this.closed) this.wake(P.CMD_MAIL);
  }

  /** Workers asleep in Atomics.wait now (an idle pool's workers all are, after a brief spin). */
  get sleeping(): number {
    return Atomics.load(this.ctl, P.SLEEPERS);
  }

  /** How many runtimes are attached. */
  get attached(): number {
    return this.users;
  }

  /** Hand a compiled kernel module to the workers (once per variant and family). */
  shareModule(variant: string, family: number, module: WebAssembly.Module): void {
    const key = `${variant}/${family}`;
    if (this.sentModules.has(key) || this.closed) return;
    this.sentModules.add(key);
    this.workers.forEach((_, index) => this.send(index, { type: 'module', variant, family, module }));
  }

  /** Run a job over `ceil(total / chunk)` chunks on every thread, the caller included. Synchronous. */
  run(job: PoolJob): void {
    const ctl = this.ctl;
    const nChunks = Math.ceil(job.total / job.chunk);
    if (nChunks >= P.MAX_CHUNKS) throw new Error(`thread pool: ${nChunks} chunks exceed ${P.MAX_CHUNKS}`);
    const n = job.args.length;
    if (n > P.MAX_ARGS - 2) throw new Error(`thread pool: ${n} arguments exceed ${P.MAX_ARGS - 2}`);
    // Close the ticket first: a worker still reading the previous job's descriptor must not be able
    // to take a chunk while the fields below are half rewritten (0xffff is past every chunk count).
    Atomics.store(ctl, P.TICKET, P.MAX_CHUNKS);
    for (let i = 0; i < n; i++) this.args[i] = job.args[i]!;
    Atomics.store(ctl, P.RT, job.rt);
    Atomics.store(ctl, P.MOD, job.family);
    Atomics.store(ctl, P.FN, job.fn);
    Atomics.store(ctl, P.NARGS, n);
    Atomics.store(ctl, P.NCHUNK, nChunks);
    Atomics.store(ctl, P.TOTAL, job.total);
    Atomics.store(ctl, P.CHUNK, job.chunk);
    Atomics.store(ctl, P.DONE, 0);
    Atomics.store(ctl, P.ERR, 0);
    const nextGen = (Atomics.load(ctl, P.GEN) + 1) | 0;
    Atomics.store(ctl, P.TICKET, (nextGen & 0xffff) << 16);
    this.wake(P.CMD_JOB);

    // the calling thread takes chunks like any worker
    const tag = (nextGen & 0xffff) << 16;
    const a = job.args.slice();
    let failure: unknown;
    for (;;) {
      const t = Atomics.load(ctl, P.TICKET);
      const c = t & 0xffff;
      if ((t & 0xffff0000) !== tag || c >= nChunks) break;
      if (Atomics.compareExchange(ctl, P.TICKET, t, t + 1) !== t) continue;
      a[n] = c * job.chunk;
      a[n + 1] = Math.min(job.total, (c + 1) * job.chunk);
      try {
        job.local(...a);
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(ctl, P.DONE, 1);
    }
    // wait for the chunks still running in workers
    for (let spins = 0; ; spins++) {
      const d = Atomics.load(ctl, P.DONE);
      if (d >= nChunks) break;
      if (this.block && spins > 1000) Atomics.wait(ctl, P.DONE, d, 100);
    }
    if (failure !== undefined) throw failure;
    if (Atomics.load(ctl, P.ERR) !== 0) {
      const detail = this.lastErrors.splice(0).join('; ');
      throw new TwinopsError('WORKER', job.op, `a kernel chunk failed in a worker${detail ? `: ${detail}` : ' (details arrive asynchronously)'}`);
    }
  }

  /** Stop every worker. Safe to call twice. */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake(P.CMD_EXIT);
    for (const w of this.workers) w.terminate();
  }
}
