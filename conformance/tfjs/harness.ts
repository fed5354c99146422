/**
 * Last module of the conformance bundle: runs the jasmine env that boot.ts set up, and writes one
 * JSON result file (path in TFJS_CONFORMANCE_OUT) for the parent process (cli.ts) to report.
 */
import { getKernelsForBackend } from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';

export interface SpecOutcome {
  group: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

export interface SuiteRunResult {
  backend: string;
  specs: SpecOutcome[];
  /** errors in beforeAll/afterAll or at load time, attributed to a suite rather than a spec */
  suiteErrors: { suite: string; message: string }[];
  overall: string;
  seconds: number;
  /** kernels registered for the backend, sorted */
  kernels: string[];
}

interface JasmineResult {
  description: string;
  fullName: string;
  status: string;
  failedExpectations: { message: string }[];
}

interface JasmineEnv {
  configure(c: Record<string, unknown>): void;
  addReporter(r: Record<string, (r: JasmineResult) => void>): void;
  execute(): Promise<{ overallStatus: string; failedExpectations: { message: string }[] }>;
}

declare const jasmine: { getEnv(): JasmineEnv };

function clip(s: string, n = 400): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n) + '…' : one;
}

/** The top-level suite, less the " <env name> {flags}" that describeWithFlags appends. */
function groupOf(top: string, backend: string): string {
  const at = top.lastIndexOf(` ${backend} {`);
  return at > 0 ? top.slice(0, at) : top;
}

export async function runSuite(backend: string, filter?: string): Promise<void> {
  const out = process.env.TFJS_CONFORMANCE_OUT;
  const env = jasmine.getEnv();
  const specs: SpecOutcome[] = [];
  const suiteErrors: SuiteRunResult['suiteErrors'] = [];
  const stack: string[] = [];
  const started = performance.now();
  env.configure({
    random: false,
    stopOnSpecFailure: false,
    ...(filter ? { specFilter: (spec: { getFullName(): string }) => spec.getFullName().includes(filter) } : {}),
  });
  env.addReporter({
    suiteStarted: (r) => void stack.push(r.description),
    suiteDone: (r) => {
      stack.pop();
      for (const f of r.failedExpectations) suiteErrors.push({ suite: r.fullName, message: clip(f.message) });
    },
    specDone: (r) => {
      const group = groupOf(stack[0] ?? r.description, backend);
      const status = r.status === 'passed' ? 'passed' : r.status === 'failed' ? 'failed' : 'skipped';
      const message = status === 'failed' ? clip(r.failedExpectations[0]?.message ?? 'failed') : undefined;
      specs.push({ group, name: r.fullName, status, ...(message ? { message } : {}) });
      if (process.env.TFJS_CONFORMANCE_PROGRESS && specs.length % 500 === 0) {
        process.stderr.write(`  ${specs.length} specs…\n`);
      }
    },
  });
  const done = await env.execute();
  for (const f of done.failedExpectations) suiteErrors.push({ suite: '(top level)', message: clip(f.message) });
  const result: SuiteRunResult = {
    backend,
    specs,
    suiteErrors,
    overall: done.overallStatus,
    kernels: getKernelsForBackend(backend).map((k) => k.kernelName).sort(),
    seconds: (performance.now() - started) / 1000,
  };
  if (out) writeFileSync(out, JSON.stringify(result));
  // Backends may hold worker threads or timers: leave once the results are written.
  process.exit(0);
}
