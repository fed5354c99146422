/**
 * Independent references for the quantised ops, written from the ONNX operator definitions with
 * plain nested loops over multi-indices. Integer parts are exact. Where the definition works in
 * float32 (x / scale, f32(x − zp)·scale, the requantisation multiplier a·b/y and f32(acc)·multiplier,
 * as onnxruntime and the ONNX reference implementation do), each step is rounded with Math.fround,
 * so the results are exact expectations, not approximations.
 */
const f = Math.fround;

/** Round half to even. */
export function rint(v: number): number {
  if (!Number.isFinite(v)) return v;
  const fl = Math.floor(v);
  const d = v - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

export const QRANGE: Record<string, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint4: [0, 15],
  int4: [-8, 7],
};

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Saturating quantisation of one value; NaN gives 0 clamped into range (the kernels' documented choice). */
export function quantizeValue(x: number, s: number, z: number, dtype: string): number {
  const [lo, hi] = QRANGE[dtype]!;
  const q = f(x / s);
  if (Number.isNaN(q)) return clamp(0, lo, hi);
  return clamp(rint(q) + z, lo, hi);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** The scale index of each element of x: per-tensor (scale size 1), per-axis (1-D) or blocked. */
export function scaleIndex(xShape: readonly number[], scaleShape: readonly number[], axis: number, blockSize: number): Int32Array {
  const n = xShape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const scaleSize = scaleShape.reduce((a, b) => a * b, 1);
  if (blockSize === 0 && scaleShape.length <= 1 && scaleSize === 1) return out;
  const ax = axis < 0 ? axis + xShape.length : axis;
  const xs = strides(xShape);
  const ss = strides(scaleShape);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / xs[ax]!) % xShape[ax]!;
    if (blockSize === 0) {
      out[i] = c;
      continue;
    }
    let k = 0;
    for (let d = 0; d < xShape.length; d++) {
      const id = Math.floor(i / xs[d]!) % xShape[d]!;
      k += (d === ax ? Math.floor(id / blockSize) : id) * ss[d]!;
    }
    out[i] = k;
  }
  return out;
}

export function quantizeRef(x: ArrayLike<number>, xShape: readonly number[], scale: ArrayLike<number>, scaleShape: readonly number[], zp: ArrayLike<number> | undefined, dtype: string, axis = 1, blockSize = 0): number[] {
  const idx = scaleIndex(xShape, scaleShape, axis, blockSize);
  return Array.from(idx, (k, i) => quantizeValue(x[i]!, scale[k]!, zp ? zp[k]! : 0, dtype));
}

export function dequantizeRef(x: ArrayLike<number>, xShape: readonly number[], scale: ArrayLike<number>, scaleShape: readonly number[], zp: ArrayLike<number> | undefined, axis = 1, blockSize = 0): number[] {
  const idx = scaleIndex(xShape, scaleShape, axis, blockSize);
  return Array.from(idx, (k, i) => f(f(x[i]! - (zp ? zp[k]! : 0)) * scale[k]!));
}

/** DynamicQuantizeLinear: [y, scale, zeroPoint] (uint8). */
export function dynamicQuantizeRef(x: ArrayLike<number>): { y: number[]; scale: number; zeroPoint: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < x.length; i++) {
    lo = Math.min(lo, x[i]!);
    hi = Math.max(hi, x[i]!);
  }
  const scale = f(f(hi === lo ? 1 : f(hi - lo)) / 255);
  const zeroPoint = clamp(rint(f(0 - f(lo / scale))), 0, 255);
  return { y: Array.from(x, (v) => quantizeValue(v, scale, zeroPoint, 'uint8')), scale, zeroPoint };
}

export interface MatMulIntCase {
  a: ArrayLike<number>;
  aShape: number[];
  b: ArrayLike<number>;
  bShape: number[];
  /** Scalar, or per row of A ([M]) / per column of B ([N]). */
  az: number | ArrayLike<number>;
  bz: number | ArrayLike<number>;
}

/** numpy matmul of (A − az)(B − bz) in exact integers; returns the output shape and data. */
export function matmulIntegerRef(c: MatMulIntCase): { shape: number[]; data: number[] } {
  const as = c.aShape.length === 1 ? [1, c.aShape[0]!] : c.aShape;
  const bs = c.bShape.length === 1 ? [c.bShape[0]!, 1] : c.bShape;
  const M = as[as.length - 2]!;
  const K = as[as.length - 1]!;
  const N = bs[bs.length - 1]!;
  const ab = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const pa = [...new Array<number>(r - ab.length).fill(1), ...ab];
  const pbb = [...new Array<number>(r - bb.length).fill(1), ...bb];
  const ob = pa.map((d, i) => (d === 1 ? pbb[i]! : d));
  const nb = ob.reduce((x, y) => x * y, 1);
  const azv = (m: number) => (typeof c.az === 'number' ? c.az : c.az[m]!);
  const bzv = (n: number) => (typeof c.bz === 'number' ? c.bz : c.bz[n]!);
  const data: number[] = [];
  for (let bi = 0; bi < nb; bi++) {
    let rem = bi;
    let ao = 0;
    let bo = 0;
    let aStride = 1;
    let bStride = 1;
    for (let d = r - 1; d >= 0; d--) {
      const id = rem % ob[d]!;
      rem = Math.floor(rem / ob[d]!);
      ao += (pa[d] === 1 ? 0 : id) * aStride;
      bo += (pbb[d] === 1 ? 0 : id) * bStride;
      aStride *= pa[d]!;
      bStride *= pbb[d]!;
    }
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (c.a[ao * M * K + m * K + k]! - azv(m)) * (c.b[bo * K * N + k * N + n]! - bzv(n));
        data.push(acc);
      }
    }
  }
  const shape = [...ob, ...(c.aShape.length === 1 ? [] : [M]), ...(c.bShape.length === 1 ? [] : [N])];
  return { shape, data };
}

/** saturate(rint(f32(acc) · f32(f32(sa·sb)/sy)) + zy). */
export function requantRef(acc: number, sa: number, sb: number, sy: number, zy: number, dtype: string): number {
  const [lo, hi] = QRANGE[dtype]!;
  const m = f(f(sa * sb) / sy);
  return clamp(rint(f(f(acc) * m)) + zy, lo, hi);
}

export interface ConvIntCase {
  x: ArrayLike<number>;
  xShape: number[];
  w: ArrayLike<number>;
  wShape: number[];
  xz: number;
  /** Scalar or per output channel. */
  wz: number | ArrayLike<number>;
  group: number;
  strides: number[];
  dilations: number[];
  /** [top, left, bottom, right]. */
  pads: number[];
}

/** 2-D NCHW integer convolution Σ (x − xz)(w − wz[m]), padding reading as xz (contributing 0). */
export function convIntegerRef(c: ConvIntCase): { shape: number[]; data: number[] } {
  const [N, C, H, W] = c.xShape as [number, number, number, number];
  const [M, Cg, kH, kW] = c.wShape as [number, number, number, number];
  const [sH, sW] = c.strides as [number, number];
  const [dH, dW] = c.dilations as [number, number];
  const [pT, pL, pB, pR] = c.pads as [number, number, number, number];
  const oH = Math.floor((H + pT + pB - (dH * (kH - 1) + 1)) / sH) + 1;
  const oW = Math.floor((W + pL + pR - (dW * (kW - 1) + 1)) / sW) + 1;
  const Mg = M / c.group;
  const wzv = (m: number) => (typeof c.wz === 'number' ? c.wz : c.wz[m]!);
  const data: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let oy = 0; oy < oH; oy++) {
        for (let ox = 0; ox < oW; ox++) {
          let acc = 0;
          for (let ci = 0; ci < Cg; ci++) {
            const ch = g * Cg + ci;
            for (let ky = 0; ky < kH; ky++) {
              for (let kx = 0; kx < kW; kx++) {
                const iy = oy * sH - pT + ky * dH;
                const ix = ox * sW - pL + kx * dW;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += (c.x[((n * C + ch) * H + iy) * W + ix]! - c.xz) * (c.w[((m * Cg + ci) * kH + ky) * kW + kx]! - wzv(m));
              }
            }
          }
          data.push(acc);
        }
      }
    }
  }
  return { shape: [N, M, oH, oW], data };
}
