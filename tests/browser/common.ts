/**
 * Shared by the browser bundles: case results, how they reach the runner (a console line from the
 * page; a message relayed by the page from a worker), and running a bundle's function in a module worker.
 */
export type Status = 'pass' | 'fail' | 'skip';
export interface CaseResult {
  name: string;
  status: Status;
  detail?: string;
  ms: number;
}

/** Marker the runner looks for in console messages. */
export const CASE_TAG = '__twinops_case ';

/** Throw to report a case as skipped (with the reason as message). */
export class Skip extends Error {}

interface WorkerScope {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

export function isWorker(): boolean {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return g.document === undefined && g.WorkerGlobalScope !== undefined;
}

/** 'page' on the window's main thread, 'worker' in a dedicated worker. */
export const where = (): 'page' | 'worker' => (isWorker() ? 'worker' : 'page');

export function report(r: CaseResult): void {
  if (isWorker()) (globalThis as unknown as WorkerScope).postMessage({ type: 'case', result: r });
  else console.log(CASE_TAG + JSON.stringify(r));
}

function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // a plain Error is an assertion with its own message; anything else (TypeError, ...) also gets where it was thrown
  const at = e.name === 'Error' ? undefined : e.stack?.split('\n').find((l) => /^\s*at /.test(l))?.trim();
  return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}${at ? ` (${at})` : ''}`;
}

/** Run one case and report it; returns whether it passed. `fn` may return a detail line. */
export async function runCase(name: string, fn: () => Promise<string | void> | string | void): Promise<boolean> {
  const t0 = performance.now();
  let r: CaseResult;
  try {
    const detail = await fn();
    r = { name, status: 'pass', detail: detail || undefined, ms: 0 };
  } catch (e) {
    r = { name, status: e instanceof Skip ? 'skip' : 'fail', detail: message(e), ms: 0 };
  }
  r.ms = Math.round(performance.now() - t0);
  report(r);
  return r.status === 'pass';
}

/** In a worker, run `handlers[name]` when the page asks for it, relaying each case to the page. */
export function serveInWorker(handlers: Record<string, () => Promise<void>>): void {
  if (!isWorker()) return;
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = async (e: MessageEvent<{ run: string }>) => {
    const fn = handlers[e.data.run];
    try {
      if (!fn) throw new Error(`no handler '${e.data.run}'`);
      await fn();
    } catch (err) {
      report({ name: `worker ${e.data.run}`, status: 'fail', detail: message(err), ms: 0 });
    }
    scope.postMessage({ type: 'done' });
  };
}

/** Start `url` (this bundle) as a module worker, run `handler` there and relay its cases. */
export function runInWorker(url: string, handler: string): Promise<void> {
  return new Promise((resolve) => {
    const w = new Worker(url, { type: 'module' });
    const end = () => {
      w.terminate();
      resolve();
    };
    w.onmessage = (e: MessageEvent<{ type: string; result?: CaseResult }>) => {
      if (e.data.type === 'case') report(e.data.result!);
      else if (e.data.type === 'done') end();
    };
    w.onerror = (e) => {
      report({ name: `worker ${handler}`, status: 'fail', detail: `worker error: ${e.message || 'failed to load'}`, ms: 0 });
      end();
    };
    w.postMessage({ run: handler });
  });
}

/** The adapter, or why there is none. */
export async function webgpuAdapter(): Promise<GPUAdapter | string> {
  if (!navigator.gpu) return 'navigator.gpu is undefined (WebGPU disabled: needs --enable-unsafe-webgpu on Linux)';
  const a = await navigator.gpu.requestAdapter();
  return a ?? 'navigator.gpu.requestAdapter() returned null (no Vulkan/SwiftShader adapter)';
}
