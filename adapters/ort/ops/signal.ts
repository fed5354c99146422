/**
 * ONNX signal ops → twinops FFT (ops/fft.ts) and data movement:
 *
 *   DFT (17/19: axis attribute; 20: axis input): the trailing [re] or [re, im] axis is split into
 *     planar parts (a real input gets zero imaginary parts), the transform axis moved last
 *     (Transpose), cut or zero-padded to dft_length (Slice/Pad), transformed (FFT), cut to
 *     floor(n/2) + 1 bins when onesided, and moved back. An inverse onesided DFT (irfft) first
 *     rebuilds the full Hermitian spectrum (Slice, Reverse, Neg, Concat) and returns real parts only.
 *   STFT (17): frames gathered by index (Gather), multiplied by the window (Mul), then the DFT above
 *     on the frame axis (onesided by default).
 *   HannWindow / HammingWindow / BlackmanWindow (17): Range → Mul → Cos → Mul/Add of the window's
 *     cosine terms; periodic windows divide by N, symmetric ones by N − 1.
 */
import { AttributeError } from '../../../core/errors.js';
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { addMappings } from './table.js';
import { Attrs, ValueUnknown, constInts, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

interface DftOptions {
  inverse: boolean;
  onesided: boolean;
  length: number | undefined;
}

const f32 = <T extends TensorInfo>(x: Exec<T>, data: Float32Array, dims: number[]) => x.tensor({ dtype: 'float32', dims, data });

/** Planar parts of `t` ([..., 1] or [..., 2]) without the trailing axis. */
function planar<T extends TensorInfo>(x: Exec<T>, t: T, op: string): [T, T] {
  const c = t.shape[t.shape.length - 1];
  const dims = t.shape.slice(0, -1);
  if (t.dtype !== 'float32') throw new UnsupportedNodeError(`${op} on ${t.dtype} (twinops: float32)`);
  if (c === 1) return [x.reshape(t, dims), f32(x, new Float32Array(dims.reduce((a, b) => a * b, 1)), dims)];
  if (c !== 2) throw new AttributeError(op, `the last axis of input ${JSON.stringify(t.shape)} must hold 1 (real) or 2 (complex) values`);
  const [re, im] = x.op('Split', [t], { axis: -1, split: [1, 1] }) as [T, T];
  return [x.reshape(re, dims), x.reshape(im, dims)];
}

/** The DFT of planar parts along `axis` (of the planar rank); returns the [..., 1|2] result. */
function dft<T extends TensorInfo>(x: Exec<T>, re: T, im: T, axis: number, o: DftOptions, op: string): T {
  const r = re.shape.length;
  if (axis < 0 || axis >= r) throw new AttributeError(op, `axis ${axis} is out of range for a signal of shape ${JSON.stringify(re.shape)}`);
  const perm = [...Array(r).keys()].filter((i) => i !== axis).concat(axis);
  const moved = perm.some((p, i) => p !== i);
  if (moved) [re, im] = [x.op('Transpose', [re], { perm })[0]!, x.op('Transpose', [im], { perm })[0]!];
  const m = re.shape[r - 1]!;
  let n = o.length ?? (o.inverse && o.onesided ? 2 * (m - 1) : m);
  if (!Number.isInteger(n) || n < 1) throw new AttributeError(op, `dft_length ${n} must be a positive integer`);
  const cut = (t: T, len: number) => (t.shape[r - 1]! === len ? t : t.shape[r - 1]! > len ? x.op('Slice', [t], { starts: [0], ends: [len], axes: [r - 1] })[0]! : x.op('Pad', [t], { pads: [len - t.shape[r - 1]!], axes: [r - 1] })[0]!);
  if (o.inverse && o.onesided) {
    // full spectrum: X[0..m), then conj(X[n − k]) for k = m..n−1, i.e. X[1..n−m+1) reversed
    const tail = n - m;
    if (tail > 0) {
      if (tail + 1 > m) throw new AttributeError(op, `a one-sided spectrum of ${m} bins cannot give dft_length ${n}`);
      const mirror = (t: T) => x.op('Reverse', [x.op('Slice', [t], { starts: [1], ends: [tail + 1], axes: [r - 1] })[0]!], { axes: [r - 1] })[0]!;
      re = x.op('Concat', [re, mirror(re)], { axis: r - 1 })[0]!;
      im = x.op('Concat', [im, x.op('Neg', [mirror(im)])[0]!], { axis: r - 1 })[0]!;
    } else [re, im] = [cut(re, n), cut(im, n)];
  } else [re, im] = [cut(re, n), cut(im, n)];
  let [yr, yi] = x.op('FFT', [re, im], { inverse: o.inverse }) as [T, T];
  if (o.onesided && !o.inverse) {
    const bins = Math.floor(n / 2) + 1;
    [yr, yi] = [x.op('Slice', [yr], { starts: [0], ends: [bins], axes: [r - 1] })[0]!, x.op('Slice', [yi], { starts: [0], ends: [bins], axes: [r - 1] })[0]!];
  }
  if (moved) {
    const back = perm.map((_, i) => perm.indexOf(i));
    [yr, yi] = [x.op('Transpose', [yr], { perm: back })[0]!, x.op('Transpose', [yi], { perm: back })[0]!];
  }
  const dims = [...yr.shape, 1];
  if (o.inverse && o.onesided) return x.reshape(yr, dims);
  return x.op('Concat', [x.reshape(yr, dims), x.reshape(yi, dims)], { axis: dims.length - 1 })[0]!;
}

const DFT_CALLS = ['Split', 'Reshape', 'Transpose', 'Slice', 'Pad', 'Reverse', 'Neg', 'Concat', 'FFT'];

const dftMapping: OnnxOpMapping = {
  op: 'DFT',
  domain: '',
  sinceOpset: 17,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const at = new Attrs(node, ['axis', 'inverse', 'onesided']);
    const inverse = at.int('inverse', 0) === 1;
    const onesided = at.int('onesided', 0) === 1;
    const axisInput = ctx.opset >= 20;
    if (axisInput && at.has('axis')) throw new UnsupportedNodeError('DFT-20 takes axis as an input, not an attribute');
    const lenConst = node.inputs[1] ? constInts(ctx, 1) : undefined;
    const axisConst = axisInput && node.inputs[2] ? constInts(ctx, 2) : undefined;
    return {
      calls: DFT_CALLS,
      hostInputs: [1, 2],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const input = need(ins[0], 'input');
        const rank = input.shape.length;
        const scalarOf = (i: number, c: number[] | undefined): number | undefined => {
          const t = ins[i];
          if (!t) return undefined;
          const v = c ?? x.ints(t);
          if (!v) throw new ValueUnknown();
          return v[0];
        };
        const length = scalarOf(1, lenConst);
        let axis = axisInput ? (scalarOf(2, axisConst) ?? -2) : at.int('axis', 1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank - 1) throw new AttributeError('DFT', `axis ${axis} must name a signal axis of input ${JSON.stringify(input.shape)} (not the last, complex one)`);
        const [re, im] = planar(x, input, 'DFT');
        return [dft(x, re, im, axis, { inverse, onesided, length }, 'DFT')];
      },
    };
  },
};

const stftMapping: OnnxOpMapping = {
  op: 'STFT',
  domain: '',
  sinceOpset: 17,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const at = new Attrs(node, ['onesided']);
    const onesided = at.int('onesided', 1) === 1;
    const stepConst = constInts(ctx, 1);
    const lenConst = node.inputs[3] ? constInts(ctx, 3) : undefined;
    return {
      calls: ['Gather', 'Mul', ...DFT_CALLS],
      hostInputs: [1, 3],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const signal = need(ins[0], 'signal');
        const stepT = need(ins[1], 'frame_step');
        const step = (stepConst ?? x.ints(stepT))?.[0];
        const window = ins[2];
        const lenT = ins[3];
        const len = lenT ? (lenConst ?? x.ints(lenT))?.[0] : window?.shape[0];
        if (step === undefined || (lenT && len === undefined)) throw new ValueUnknown();
        if (len === undefined) throw new UnsupportedNodeError('STFT needs a window or a frame_length');
        if (signal.shape.length !== 3) throw new AttributeError('STFT', `signal must be [batch, length, 1|2], got ${JSON.stringify(signal.shape)}`);
        const total = signal.shape[1]!;
        if (!(step >= 1) || !(len >= 1) || len > total) throw new AttributeError('STFT', `frame_step ${step} and frame_length ${len} do not fit a signal of length ${total}`);
        if (window && window.shape[0] !== len) throw new AttributeError('STFT', `window of ${window.shape[0]} values for frame_length ${len}`);
        const frames = Math.floor((total - len) / step) + 1;
        const idx = Int32Array.from({ length: frames * len }, (_, i) => Math.floor(i / len) * step + (i % len));
        let [re, im] = planar(x, signal, 'STFT');
        const at = x.tensor({ dtype: 'int32', dims: [frames, len], data: idx });
        [re, im] = [x.op('Gather', [re, at], { axis: 1 })[0]!, x.op('Gather', [im, at], { axis: 1 })[0]!];
        if (window) [re, im] = [x.op('Mul', [re, window])[0]!, x.op('Mul', [im, window])[0]!];
        return [dft(x, re, im, 2, { inverse: false, onesided, length: undefined }, 'STFT')];
      },
    };
  },
};

/** A cosine-sum window: Σ_k a_k·cos(2πk·n/N), N the size (periodic) or the size − 1 (symmetric). */
function windowMapping(op: string, coeffs: readonly number[]): OnnxOpMapping {
  return {
    op,
    domain: '',
    sinceOpset: 17,
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      const at = new Attrs(node, ['periodic', 'output_datatype']);
      if (at.int('output_datatype', 1) !== 1) throw new UnsupportedNodeError(`${op} output_datatype ${at.int('output_datatype', 1)} (twinops: 1, float32)`);
      const periodic = at.int('periodic', 1) === 1;
      const sizeConst = constInts(ctx, 0);
      return {
        calls: ['Range', 'Mul', 'Cos', 'Add'],
        hostInputs: [0],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const size = (sizeConst ?? x.ints(need(ins[0], 'size')))?.[0];
          if (size === undefined) throw new ValueUnknown();
          if (!Number.isInteger(size) || size < 0) throw new AttributeError(op, `size ${size} must be a non-negative integer`);
          const N = periodic ? size : size - 1;
          const n = x.op('Range', [], { start: 0, limit: size, delta: 1, dtype: 'float32' })[0]!;
          const scalar = (v: number) => f32(x, Float32Array.of(v), []);
          let y: T | undefined;
          for (let k = 1; k < coeffs.length; k++) {
            // N = 0 (a symmetric window of one value): the cosine terms are cos(0)
            const w = x.op('Cos', [x.op('Mul', [n, scalar(N > 0 ? (2 * Math.PI * k) / N : 0)])[0]!])[0]!;
            const term = x.op('Mul', [w, scalar(coeffs[k]!)])[0]!;
            y = x.op('Add', [term, y ?? scalar(coeffs[0]!)])[0]!;
          }
          return [y!];
        },
      };
    },
  };
}

addMappings([
  dftMapping,
  stftMapping,
  windowMapping('HannWindow', [0.5, -0.5]),
  windowMapping('HammingWindow', [25 / 46, -21 / 46]),
  windowMapping('BlackmanWindow', [0.42, -0.5, 0.08]),
]);
