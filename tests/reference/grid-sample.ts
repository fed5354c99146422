/**
 * GridSample reference (ONNX opset 20, after the ONNX reference implementation's per-axis rules).
 * The pixel coordinate of each grid value (and its reflection) is computed in float32 arithmetic,
 * step for step as the kernel does (ONNX leaves that precision to implementations, and nearest's
 * tie-breaking and reflection's far-out folds depend on it); the tap weights and the weighted sum are
 * float64. Also returns,
 * per output element, Σ|w·v| and Σ|v| over its taps (for the error bound).
 */
import { sizeOf } from './broadcast.js';

export type Mode = 'nearest' | 'linear' | 'cubic';
export type Padding = 'zeros' | 'border' | 'reflection';

const fr = Math.fround;

/** ONNX _gs_reflect, in float32 steps as the kernel (the reflected coordinate is part of the coordinate). */
function reflect(u: number, lo: number, hi: number): number {
  const rng = fr(hi - lo);
  if (!(u < lo || u > hi)) return u;
  if (rng <= 0) return lo;
  const even = (n: number) => n - 2 * Math.floor(n * 0.5) === 0;
  if (u < lo) {
    const dx = fr(lo - u);
    const n = Math.trunc(fr(dx / rng));
    const r = fr(dx - fr(n * rng));
    return even(n) ? fr(lo + r) : fr(hi - r);
  }
  const dx = fr(u - hi);
  const n = Math.trunc(fr(dx / rng));
  const r = fr(dx - fr(n * rng));
  return even(n) ? fr(hi - r) : fr(lo + r);
}

function cubic(t: number): number[] {
  const A = -0.75;
  const near = (d: number) => ((A + 2) * d - (A + 3)) * d * d + 1;
  const far = (d: number) => ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
  return [far(1 + t), near(t), near(1 - t), far(2 - t)];
}

/** Taps (index or -1 for a zero, weight) along one axis of length L for normalised coordinate gv. */
function axisTaps(gv: number, L: number, mode: Mode, pad: Padding, align: boolean): [number, number][] {
  let u = align ? fr(fr(fr(gv + 1) * 0.5) * fr(L - 1)) : fr(fr(fr(fr(gv + 1) * L) - 1) * 0.5);
  // nearest: half to even (nearbyint), in 2-D and 3-D: what the ONNX node tests' data and onnxruntime do
  if (mode === 'nearest') u = Math.abs(u - Math.trunc(u)) !== 0.5 ? Math.round(u) : 2 * Math.round(u / 2);
  const lo = align ? 0 : -0.5;
  const hi = align ? L - 1 : L - 0.5;
  if (pad !== 'border' && !Number.isFinite(u)) u = NaN;
  if (u < lo || u > hi) u = pad === 'border' ? Math.min(Math.max(u, 0), L - 1) : pad === 'reflection' ? reflect(u, lo, hi) : u;
  const fix = (i: number): number => {
    if (i >= 0 && i < L) return i;
    if (pad === 'zeros') return -1;
    if (pad === 'border') return i < 0 ? 0 : L - 1;
    return Math.min(Math.max(Math.trunc(reflect(i, lo, hi)), 0), L - 1);
  };
  if (Number.isNaN(u)) {
    const n = { nearest: 1, linear: 2, cubic: 4 }[mode];
    return Array.from({ length: n }, () => [fix(0), NaN]);
  }
  if (mode === 'nearest') return [[fix(Math.trunc(u)), 1]];
  const f0 = Math.floor(u);
  const t = u - f0;
  if (mode === 'linear') return [[fix(f0), 1 - t], [fix(f0 + 1), t]];
  return cubic(t).map((w, k) => [fix(f0 - 1 + k), w]);
}

export function refGridSample(x: Float32Array, xShape: readonly number[], grid: Float32Array, gShape: readonly number[], mode: Mode, pad: Padding, align: boolean): { data: Float64Array; mag: Float64Array; vmag: Float64Array; shape: number[] } {
  const dims = xShape.length - 2;
  const [N, C] = xShape as [number, number];
  const sp = xShape.slice(2);
  const outSp = gShape.slice(1, -1);
  const P = sizeOf(outSp);
  const HW = sizeOf(sp);
  const data = new Float64Array(N * C * P);
  const mag = new Float64Array(N * C * P);
  const vmag = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      const g = grid.subarray((n * P + p) * dims, (n * P + p + 1) * dims);
      // axis d of the image is grid component dims-1-d (grid holds x, y[, z])
      const per = sp.map((L, d) => axisTaps(g[dims - 1 - d]!, L, mode, pad, align));
      let taps: [number, number][] = [[0, 1]];
      per.forEach((ax, d) => {
        taps = taps.flatMap(([o, w]) => ax.map(([i, v]): [number, number] => [o < 0 || i < 0 ? -1 : o * sp[d]! + i, w * v]));
      });
      for (let c = 0; c < C; c++) {
        let s = 0;
        let m = 0;
        let mv = 0;
        for (const [o, w] of taps) {
          const v = o < 0 ? 0 : x[(n * C + c) * HW + o]!;
          s += w * v;
          m += Math.abs(w * v);
          mv += Math.abs(v);
        }
        data[(n * C + c) * P + p] = s;
        mag[(n * C + c) * P + p] = m;
        vmag[(n * C + c) * P + p] = mv;
      }
    }
  }
  return { data, mag, vmag, shape: [N, C, ...outSp] };
}
