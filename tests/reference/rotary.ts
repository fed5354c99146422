/**
 * float64 reference for RotaryEmbedding from the definition (see ops/rotary-embedding.ts), with the
 * error bound of the float32 kernel: each rotated value is c·x1 − s·x2 or s·x1 + c·x2, two products
 * and a sum, within 2·U times the sum of the products' magnitudes; copied elements are exact.
 */
export interface RopeInput {
  x: Float32Array;
  shape: number[];
  cos: Float32Array;
  sin: Float32Array;
  pid?: BigInt64Array;
  numHeads?: number;
  rd?: number;
  interleaved?: boolean;
}

export function refRotary(a: RopeInput): { y: Float64Array; tol: Float64Array } {
  const U = 2 ** -24;
  const three = a.shape.length === 3;
  const [B, H, S, D] = three ? [a.shape[0]!, a.numHeads!, a.shape[1]!, a.shape[2]! / a.numHeads!] : (a.shape as [number, number, number, number]);
  const rd = a.rd || D;
  const half = rd / 2;
  const maxPos = a.pid ? a.cos.length / half : 0;
  const y = new Float64Array(a.x.length);
  const tol = new Float64Array(a.x.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const pos = a.pid ? Number(a.pid[b * S + s]) : b * S + s;
      const bad = a.pid !== undefined && (pos < 0 || pos >= maxPos);
      for (let h = 0; h < H; h++) {
        const base = three ? (b * S + s) * H * D + h * D : ((b * H + h) * S + s) * D;
        for (let i = 0; i < half; i++) {
          const [i1, i2] = a.interleaved ? [2 * i, 2 * i + 1] : [i, i + half];
          const c = bad ? NaN : a.cos[pos * half + i]!;
          const sn = bad ? NaN : a.sin[pos * half + i]!;
          const x1 = a.x[base + i1]!;
          const x2 = a.x[base + i2]!;
          y[base + i1] = c * x1 - sn * x2;
          y[base + i2] = sn * x1 + c * x2;
          tol[base + i1] = 2 * U * (Math.abs(c * x1) + Math.abs(sn * x2));
          tol[base + i2] = 2 * U * (Math.abs(sn * x1) + Math.abs(c * x2));
        }
        for (let d = rd; d < D; d++) y[base + d] = a.x[base + d]!;
      }
    }
  }
  return { y, tol };
}
