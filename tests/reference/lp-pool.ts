/**
 * LpPool reference (ONNX): y = (Σ |x|^p)^(1/p) over each window in float64, NCHW with 1 to 3 spatial
 * axes. Window geometry from the ONNX rules: explicit pads (floor, or ceil_mode with the last window
 * starting inside the input or the leading pad), SAME_UPPER/SAME_LOWER (output ceil(n / s), the odd
 * pad at the end / start), VALID; dilation spreads the taps; padding adds 0.
 */
import { sizeOf, unravel } from './broadcast.js';

export interface LpGeometry {
  kernel: number[];
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  ceilMode?: boolean;
}

export function refLpPool(x: Float32Array, shape: readonly number[], g: LpGeometry, p: number): { data: Float64Array; shape: number[] } {
  const sp = shape.slice(2);
  const r = sp.length;
  const s = g.strides ?? sp.map(() => 1);
  const d = g.dilations ?? sp.map(() => 1);
  const begin: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const ext = (g.kernel[i]! - 1) * d[i]! + 1;
    const n = sp[i]!;
    if (g.autoPad === 'SAME_UPPER' || g.autoPad === 'SAME_LOWER') {
      const o = Math.ceil(n / s[i]!);
      const total = Math.max(0, (o - 1) * s[i]! + ext - n);
      begin.push(g.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      out.push(o);
    } else {
      const pb = g.autoPad === 'VALID' ? 0 : (g.pads?.[i] ?? 0);
      const pe = g.autoPad === 'VALID' ? 0 : (g.pads?.[i + r] ?? 0);
      const span = n + pb + pe - ext;
      let o = (g.ceilMode ? Math.ceil(span / s[i]!) : Math.floor(span / s[i]!)) + 1;
      if (g.ceilMode && (o - 1) * s[i]! >= n + pb) o--;
      begin.push(pb);
      out.push(o);
    }
  }
  const outShape = [shape[0]!, shape[1]!, ...out];
  const data = new Float64Array(sizeOf(outShape));
  const inner = sizeOf(sp);
  for (let e = 0; e < data.length; e++) {
    const idx = unravel(e, outShape);
    const img = idx[0]! * shape[1]! + idx[1]!;
    let sum = 0;
    for (let t = 0; t < sizeOf(g.kernel); t++) {
      const k = unravel(t, g.kernel);
      let off = 0;
      let inside = true;
      for (let i = 0; i < r; i++) {
        const pos = idx[2 + i]! * s[i]! - begin[i]! + k[i]! * d[i]!;
        if (pos < 0 || pos >= sp[i]!) inside = false;
        off = off * sp[i]! + pos;
      }
      if (inside) sum += Math.abs(x[img * inner + off]!) ** p;
    }
    data[e] = sum ** (1 / p);
  }
  return { data, shape: outShape };
}
