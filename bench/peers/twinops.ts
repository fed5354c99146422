/**
 * twinops itself: wasm with 1 and 2 threads, each with relaxed SIMD on and off, and WebGPU where an
 * adapter exists. On wasm a timed run is the op and the disposal of its output (ops compute
 * synchronously), the same unit as the tfjs rows. On WebGPU it includes `await data()`, the only
 * way to wait for the GPU. Outputs are verified separately through `output()`.
 */
import { adapterLabel, isEmulated } from '../gpu.js';
import { inputsOf, type Workload } from '../workloads.js';
import type { Cell, Runner } from './types.js';

type Runtime = Awaited<ReturnType<typeof import('../../core/runtime.js').createRuntime>>;
type Tensor = ReturnType<Runtime['tensor']>;

export interface TwinopsConfig {
  device: 'wasm' | 'webgpu';
  threads: number;
  relaxedSimd: boolean;
}

function opFor(rt: Runtime, w: Workload, xs: Tensor[]): () => Tensor {
  switch (w.kind) {
    case 'matmul':
      return () => rt.matmul(xs[0]!, xs[1]!);
    case 'add':
      return () => rt.add(xs[0]!, xs[1]!);
    case 'softmax':
      return () => rt.softmax(xs[0]!, { axis: -1 });
  }
}

/**
 * On SwiftShader a 256³ MatMul takes about half a second and the GEMV (64 MB of weights) over ten:
 * on an emulated adapter, bigger workloads are skipped.
 */
const EMULATED_MAX_FLOPS = 1e8;
const EMULATED_MAX_BYTES = 16 * 2 ** 20;

class TwinopsRunner implements Runner {
  readonly family = 'twinops';
  readonly info: Record<string, unknown>;

  constructor(
    readonly id: string,
    readonly label: string,
    private readonly rt: Runtime,
    info: Record<string, unknown>,
  ) {
    this.info = { ...info, ...rt.info() };
  }

  async prepare(w: Workload): Promise<Cell | string> {
    const rt = this.rt;
    const flops = w.kind === 'matmul' ? 2 * w.M * w.N * w.K : 0;
    const bytes = inputsOf(w).reduce((n, i) => n + i.data.byteLength, 0);
    const tooBig = flops > EMULATED_MAX_FLOPS || bytes > EMULATED_MAX_BYTES;
    if (this.info.emulated && tooBig && !process.argv.includes('--gpu-all')) {
      return `skipped on a CPU-emulated adapter: seconds to minutes per run (--gpu-all runs it)`;
    }
    const xs = inputsOf(w).map((i) => rt.tensor(i.data, i.shape, 'float32'));
    const op = opFor(rt, w, xs);
    const gpu = rt.device === 'webgpu';
    const read = async () => {
      const y = op();
      try {
        return (gpu ? await y.data() : y.dataSync()) as Float32Array;
      } finally {
        y.dispose();
      }
    };
    const run = gpu
      ? read
      : () => {
          op().dispose();
        };
    return { run, output: read, dispose: () => xs.forEach((x) => x.dispose()) };
  }

  async dispose(): Promise<void> {
    this.rt.dispose();
  }
}

export const TWINOPS_WASM_CONFIGS: readonly TwinopsConfig[] = [1, 2].flatMap((threads) =>
  [false, true].map((relaxedSimd) => ({ device: 'wasm' as const, threads, relaxedSimd })),
);

export function twinopsId(c: TwinopsConfig): string {
  return c.device === 'webgpu' ? 'twinops-webgpu' : `twinops-wasm-${c.threads}t${c.relaxedSimd ? '-relaxed' : ''}`;
}

/**
 * Create one runner per config. A config that cannot be created (no adapter, twinops not built)
 * comes back as a reason instead, so the peers are still measured.
 */
export async function twinopsRunners(configs: readonly TwinopsConfig[]): Promise<{ runners: Runner[]; skipped: Record<string, string> }> {
  const runners: Runner[] = [];
  const skipped: Record<string, string> = {};
  let mod: typeof import('../../core/runtime.js');
  try {
    mod = await import('../../core/runtime.js');
  } catch (e) {
    for (const c of configs) skipped[twinopsId(c)] = `twinops failed to load: ${(e as Error).message}`;
    return { runners, skipped };
  }
  for (const c of configs) {
    const id = twinopsId(c);
    try {
      const rt = await mod.createRuntime({ device: c.device, threads: c.threads, relaxedSimd: c.relaxedSimd });
      const got = rt.info();
      const adapter = rt.gpu?.adapterName;
      const label = adapter ? `twinops webgpu (${adapterLabel(adapter)})` : `twinops wasm ${got.threads}t${got.relaxedSimd ? ' relaxed' : ''}`;
      const extra = adapter ? { adapter, emulated: isEmulated(adapter) } : {};
      runners.push(new TwinopsRunner(id, label, rt, { requested: c, ...extra }));
      if (c.device === 'wasm' && (got.threads !== c.threads || got.relaxedSimd !== c.relaxedSimd)) {
        process.stderr.write(`bench: ${id} asked for ${JSON.stringify(c)} but got ${JSON.stringify(got)}\n`);
      }
    } catch (e) {
      skipped[id] = (e as Error).message;
    }
  }
  return { runners, skipped };
}
