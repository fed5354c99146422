/**
 * RoiAlign reference in float64, following onnxruntime's CPU kernel (the ONNX node tests' data agrees):
 * per bin a gh × gw grid of sample points, each bilinear-interpolated with onnxruntime's edge rules (a
 * sample outside [-1, H] × [-1, W] gets weight 0 on tap 0; below 0 moves to 0; at or past the last
 * row/column uses it twice); avg divides the sum by max(gh·gw, 1), max takes the largest weighted corner
 * value over the samples (0 when a bin has no sample).
 */
export interface RefRoiAlign {
  mode: 'avg' | 'max';
  OH: number;
  OW: number;
  samplingRatio: number;
  spatialScale: number;
  halfPixel: boolean;
}

export function refRoiAlign(x: Float32Array, xShape: readonly number[], rois: Float32Array, bi: ArrayLike<number>, a: RefRoiAlign): { data: Float64Array; mag: Float64Array } {
  const [, C, H, W] = xShape as [number, number, number, number];
  const R = rois.length / 4;
  const data = new Float64Array(R * C * a.OH * a.OW);
  const mag = new Float64Array(data.length);
  const off = a.halfPixel ? 0.5 : 0;
  for (let r = 0; r < R; r++) {
    const x0 = rois[4 * r]! * a.spatialScale - off;
    const y0 = rois[4 * r + 1]! * a.spatialScale - off;
    let rw = rois[4 * r + 2]! * a.spatialScale - off - x0;
    let rh = rois[4 * r + 3]! * a.spatialScale - off - y0;
    if (!a.halfPixel) {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const bw = rw / a.OW;
    const bh = rh / a.OH;
    const gh = a.samplingRatio > 0 ? a.samplingRatio : Math.ceil(rh / a.OH);
    const gw = a.samplingRatio > 0 ? a.samplingRatio : Math.ceil(rw / a.OW);
    const count = Math.max(gh * gw, 1);
    for (let c = 0; c < C; c++) {
      const img = (Number(bi[r]) * C + c) * H * W;
      for (let ph = 0; ph < a.OH; ph++) {
        for (let pw = 0; pw < a.OW; pw++) {
          let acc = a.mode === 'avg' ? 0 : -Infinity;
          let m = 0;
          for (let iy = 0; iy < gh; iy++) {
            for (let ix = 0; ix < gw; ix++) {
              let y = y0 + ph * bh + ((iy + 0.5) * bh) / gh;
              let xx = x0 + pw * bw + ((ix + 0.5) * bw) / gw;
              let taps: [number, number][];
              if (y < -1 || y > H || xx < -1 || xx > W) taps = [[0, 0], [0, 0], [0, 0], [0, 0]];
              else {
                y = Math.max(y, 0);
                xx = Math.max(xx, 0);
                let yl = Math.trunc(y);
                let xl = Math.trunc(xx);
                let yh = yl + 1;
                let xh = xl + 1;
                if (yl >= H - 1) (yl = yh = H - 1), (y = yl);
                if (xl >= W - 1) (xl = xh = W - 1), (xx = xl);
                const ly = y - yl;
                const lx = xx - xl;
                taps = [[yl * W + xl, (1 - ly) * (1 - lx)], [yl * W + xh, (1 - ly) * lx], [yh * W + xl, ly * (1 - lx)], [yh * W + xh, ly * lx]];
              }
              const vals = taps.map(([o, w]) => w * x[img + o]!);
              vals.forEach((v) => (m += Math.abs(v)));
              acc = a.mode === 'avg' ? acc + vals.reduce((p, v) => p + v, 0) : Math.max(acc, ...vals);
            }
          }
          const k = ((r * C + c) * a.OH + ph) * a.OW + pw;
          // no sample at all (an empty or inverted roi with adaptive sampling): 0, as onnxruntime
          data[k] = a.mode === 'avg' ? acc / count : acc === -Infinity ? 0 : acc;
          mag[k] = a.mode === 'avg' ? m / count : m;
        }
      }
    }
  }
  return { data, mag };
}
