/** wasm launcher for FFT and ComplexAbs (family `fft`, see fft.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/fft.js';
import type { FFTPlan } from '../ops/fft.js';
import type { Plan } from '../ops/types.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Threads split rows. Work per row is counted as 5·n·log2(n) units (power of two) or 8·n² (direct
 * DFT). Measured one thread, Node 20, on 2 cores shared at load average ~17 (timings ~8× inflated and noisy; the figures below are the measured ones divided by 8): ~0.14 ns a unit (64×1024, 512×64, 64×100, 256×13 rows × n), so 128k units are
 * ~18 µs, the order of waking a worker (~20–40 µs); each thread gets at least that.
 */
const MIN_WORK_PER_THREAD = 1 << 17;
/** ComplexAbs: ~0.85 ns an element (float64 sqrt; 256k elements, measured as above): 32k a thread. */
const ABS_MIN_PER_THREAD = 1 << 15;

/** e^(sign·2πi·k/n) for k < count, computed in float64. */
function twiddles(n: number, count: number, sign: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(count);
  const im = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    if ((4 * k) % n === 0) {
      // exact at the quarter turns (cos(π/2) is not 0 in float64)
      const q = ((4 * k) / n) % 4;
      re[k] = [1, 0, -1, 0][q]!;
      im[k] = sign * [0, 1, 0, -1][q]!;
    } else {
      re[k] = Math.cos((2 * Math.PI * k) / n);
      im[k] = sign * Math.sin((2 * Math.PI * k) / n);
    }
  }
  return { re, im };
}

function runFFT(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: FFTPlan): void {
  const w = ctx.wasm;
  const op = 'FFT';
  const [xr, xi] = inputs.map((t) => w.ptrOf(t, op)) as [number, number];
  const [yr, yi] = outputs.map((t) => w.ptrOf(t, op)) as [number, number];
  const { rows, n, inverse } = plan;
  if (n === 0) return;
  const sign = inverse ? 1 : -1;
  const scale = inverse ? 1 / n : 1;
  const scratch: number[] = [];
  try {
    if ((n & (n - 1)) === 0) {
      const log2n = Math.round(Math.log2(n));
      const half = Math.max(1, n >> 1);
      const tw = twiddles(n, half, sign);
      const twr = w.alloc(half * 4, op);
      scratch.push(twr);
      const twi = w.alloc(half * 4, op);
      scratch.push(twi);
      new Float32Array(w.memory.buffer, twr, half).set(tw.re);
      new Float32Array(w.memory.buffer, twi, half).set(tw.im);
      const sr = w.alloc(rows * n * 4, op);
      scratch.push(sr);
      const si = w.alloc(rows * n * 4, op);
      scratch.push(si);
      const minPerThread = Math.max(1, Math.ceil(MIN_WORK_PER_THREAD / (5 * n * Math.max(1, log2n))));
      w.parallelFor('fft', 'fft_pow2_f32', [xr, xi, yr, yi, sr, si, twr, twi, n, log2n, scale], rows, { minPerThread, op });
    } else {
      const tw = twiddles(n, n, sign);
      const t = w.alloc(n * 16, op);
      scratch.push(t);
      const view = new Float64Array(w.memory.buffer, t, 2 * n);
      for (let k = 0; k < n; k++) {
        view[2 * k] = tw.re[k]!;
        view[2 * k + 1] = tw.im[k]!;
      }
      const minPerThread = Math.max(1, Math.ceil(MIN_WORK_PER_THREAD / (8 * n * n)));
      w.parallelFor('fft', 'dft_f64acc', [xr, xi, yr, yi, t, n, scale], rows, { minPerThread, op });
    }
  } finally {
    for (const p of scratch) w.free(p);
  }
}

registry.register<FFTPlan>({ op: 'FFT', device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'fft', run: runFFT });

registry.register<Plan>({
  op: 'ComplexAbs',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'fft',
  run(ctx, inputs, outputs) {
    const w = ctx.wasm;
    const args = [w.ptrOf(inputs[0]!, 'ComplexAbs'), w.ptrOf(inputs[1]!, 'ComplexAbs'), w.ptrOf(outputs[0]!, 'ComplexAbs')];
    w.parallelFor('fft', 'complex_abs_f32', args, outputs[0]!.size, { grain: 2, minPerThread: ABS_MIN_PER_THREAD, op: 'ComplexAbs' });
  },
});
