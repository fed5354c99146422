/**
 * float64 reference for NegativeLogLikelihoodLoss, from the ONNX definition: loss[n, d] =
 * −x[n, t, d]·w[t] (w = 1 without weights), 0 with weight 0 where t = ignoreIndex, NaN for a target
 * outside [0, C); 'sum' adds the losses, 'mean' divides that by the summed weights.
 */
export function refNll(x: Float32Array, shape: readonly number[], t: ArrayLike<number | bigint>, w: Float32Array | undefined, reduction: 'none' | 'sum' | 'mean', ignoreIndex?: number): { data: Float64Array; shape: number[]; tol: Float64Array } {
  const [N, C] = shape as [number, number];
  const D = shape.slice(2).reduce((a, b) => a * b, 1);
  const loss = new Float64Array(N * D);
  const wts = new Float64Array(N * D);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const e = n * D + d;
      const c = Number(t[e]);
      if (ignoreIndex !== undefined && c === ignoreIndex) continue;
      if (c < 0 || c >= C) {
        loss[e] = NaN;
        wts[e] = NaN;
        continue;
      }
      const wt = w ? w[c]! : 1;
      loss[e] = -x[(n * C + c) * D + d]! * wt;
      wts[e] = wt;
    }
  }
  if (reduction === 'none') {
    // one float32 multiply: half an ulp
    return { data: loss, shape: [N, ...shape.slice(2)], tol: loss.map((v) => Math.abs(v) * 2 ** -24) };
  }
  let s = 0;
  let mag = 0;
  let ws = 0;
  let wmag = 0;
  loss.forEach((v, i) => {
    s += v;
    mag += Math.abs(v);
    ws += wts[i]!;
    wmag += Math.abs(wts[i]!);
  });
  // float32 sums of n terms (4 lanes then sequential): ≤ (n + 2)·U·Σ|terms| each; the mean's divide
  // adds the relative errors of both sums and one rounding
  const n = loss.length;
  const U = 2 ** -24;
  if (reduction === 'sum') return { data: Float64Array.of(s), shape: [], tol: Float64Array.of((n + 3) * U * mag) };
  const m = s / ws;
  const rel = (n + 3) * U * (mag / Math.abs(s || 1) + wmag / Math.abs(ws || 1)) + U;
  return { data: Float64Array.of(m), shape: [], tol: Float64Array.of(Math.abs(m) * rel + (s === 0 ? (n + 3) * U * mag / Math.abs(ws) : 0)) };
}

/**
 * SoftmaxCrossEntropyLoss = NegativeLogLikelihoodLoss of the float64 log-softmax over axis 1. The
 * log-probability bound per element: x − max is exact or rounds (|x − max|·U), the float32 sum of
 * C exps carries ≤ (C + 4)·U relative (so ≤ (C + 4)·U absolute in its log), log adds 2 ulp of
 * |log sum| ≤ |y| + |x − max|, the final subtraction rounds |y|. The loss then carries the weighted
 * log-probability errors on top of the NLL's own roundings.
 */
export function refSce(x: Float32Array, shape: readonly number[], t: ArrayLike<number | bigint>, w: Float32Array | undefined, reduction: 'none' | 'sum' | 'mean', ignoreIndex?: number): { loss: Float64Array; lossShape: number[]; lossTol: Float64Array; logp: Float64Array; logpTol: Float64Array } {
  const U = 2 ** -24;
  const [N, C] = shape as [number, number];
  const D = shape.slice(2).reduce((a, b) => a * b, 1);
  const logp = new Float64Array(x.length);
  const logpTol = new Float64Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, x[(n * C + c) * D + d]!);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(x[(n * C + c) * D + d]! - m);
      const ls = Math.log(s);
      for (let c = 0; c < C; c++) {
        const i = (n * C + c) * D + d;
        const y = x[i]! - m - ls;
        logp[i] = y;
        logpTol[i] = Number.isFinite(y) ? U * (3 * Math.abs(x[i]! - m) + 3 * Math.abs(y) + C + 6) : 0;
      }
    }
  }
  const base = refNll(Float32Array.from(logp), shape, t, w, reduction, ignoreIndex);
  // the log-probability errors each position's loss picks up, weighted
  const picked = new Float64Array(N * D);
  let total = 0;
  let wsum = 0;
  for (let e = 0; e < N * D; e++) {
    const c = Number(t[e]);
    if ((ignoreIndex !== undefined && c === ignoreIndex) || c < 0 || c >= C) continue;
    const wt = w ? Math.abs(w[c]!) : 1;
    const n = Math.floor(e / D);
    picked[e] = wt * logpTol[(n * C + c) * D + (e - n * D)]!;
    total += picked[e]!;
    wsum += w ? w[c]! : 1;
  }
  const extra = reduction === 'none' ? picked : Float64Array.of(reduction === 'sum' ? total : total / Math.abs(wsum || 1));
  const ref = refNll(x, shape, t, w, reduction, ignoreIndex); // shape only
  return { loss: base.data, lossShape: ref.shape, lossTol: base.tol.map((v, i) => v + extra[i]! * (1 + 1e-6)), logp, logpTol };
}
