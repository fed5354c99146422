/**
 * float64 references for reductions (ONNX-18 / numpy semantics), ArgMax/ArgMin (the ONNX reference:
 * numpy argmax, NaN wins, first NaN, or last with select_last_index) and CumSum/CumProd.
 * int32 results wrap to 32 bits like the kernels (Math.imul for products).
 */
export type RefReduceOp =
  | 'ReduceSum'
  | 'ReduceMean'
  | 'ReduceMax'
  | 'ReduceMin'
  | 'ReduceProd'
  | 'ReduceL1'
  | 'ReduceL2'
  | 'ReduceLogSumExp'
  | 'ReduceSumSquare'
  | 'ReduceLogSum';

export interface RefReduceResult {
  shape: number[];
  data: Float64Array;
  /** Per output element: Σ|term| of the (float64) terms summed, for error bounds. */
  absSum: Float64Array;
  /** Elements reduced into each output. */
  count: number;
}

/** Output element index and reduced-set enumeration via a generic odometer over the input. */
export function refReduce(op: RefReduceOp, x: ArrayLike<number>, shape: readonly number[], axes: readonly number[] | null, keepdims: boolean, int = false): RefReduceResult {
  const rank = shape.length;
  const red = new Set(axes === null ? [] : axes.length === 0 ? shape.map((_, i) => i) : axes.map((a) => (a < 0 ? a + rank : a)));
  const outShape: number[] = [];
  const keptDims: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (red.has(i)) {
      if (keepdims) outShape.push(1);
    } else {
      outShape.push(shape[i]!);
      keptDims.push(i);
    }
  }
  const outSize = keptDims.reduce((a, d) => a * shape[d]!, 1);
  let count = 1;
  for (const d of red) count *= shape[d]!;
  const groups: number[][] = Array.from({ length: outSize }, () => []);
  const idx = new Array<number>(rank).fill(0);
  const size = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < size; flat++) {
    let o = 0;
    for (const d of keptDims) o = o * shape[d]! + idx[d]!;
    groups[o]!.push(x[flat]!);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  const data = new Float64Array(outSize);
  const absSum = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const v = groups[o]!;
    let r: number;
    let a = 0;
    switch (op) {
      case 'ReduceSum':
      case 'ReduceMean':
      case 'ReduceLogSum':
        r = 0;
        for (const t of v) {
          r = int ? (r + t) | 0 : r + t;
          a += Math.abs(t);
        }
        if (op === 'ReduceMean') r = r / v.length;
        if (op === 'ReduceLogSum') r = Math.log(r);
        break;
      case 'ReduceL1':
        r = 0;
        for (const t of v) r += Math.abs(t);
        a = r;
        break;
      case 'ReduceSumSquare':
      case 'ReduceL2':
        r = 0;
        for (const t of v) r += t * t;
        a = r;
        if (op === 'ReduceL2') r = Math.sqrt(r);
        break;
      case 'ReduceMax':
        r = int ? -2147483648 : -Infinity;
        for (const t of v) r = Number.isNaN(t) || Number.isNaN(r) ? NaN : Math.max(r, t);
        break;
      case 'ReduceMin':
        r = int ? 2147483647 : Infinity;
        for (const t of v) r = Number.isNaN(t) || Number.isNaN(r) ? NaN : Math.min(r, t);
        break;
      case 'ReduceProd':
        r = 1;
        for (const t of v) r = int ? Math.imul(r, t) : r * t;
        break;
      case 'ReduceLogSumExp': {
        let m = -Infinity;
        for (const t of v) m = Number.isNaN(t) || Number.isNaN(m) ? NaN : Math.max(m, t);
        if (Number.isNaN(m)) r = NaN;
        else if (!Number.isFinite(m)) r = m;
        else {
          let s = 0;
          for (const t of v) s += Math.exp(t - m);
          r = m + Math.log(s);
          a = s;
        }
        break;
      }
    }
    data[o] = r;
    absSum[o] = a;
  }
  return { shape: outShape, data, absSum, count };
}

/** ArgMax/ArgMin along `axis` (ONNX reference semantics). */
export function refArg(op: 'ArgMax' | 'ArgMin', x: ArrayLike<number>, shape: readonly number[], axis: number, selectLast: boolean): number[] {
  const rank = shape.length;
  const ax = rank === 0 ? 0 : axis < 0 ? axis + rank : axis;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i]!;
  for (let i = ax + 1; i < rank; i++) inner *= shape[i]!;
  const R = rank === 0 ? 1 : shape[ax]!;
  const better = (a: number, b: number) => (op === 'ArgMax' ? a > b : a < b);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      for (let k = 1; k < R; k++) {
        const xv = x[(o * R + k) * inner + j]!;
        const bv = x[(o * R + best) * inner + j]!;
        if (Number.isNaN(bv)) {
          if (selectLast && Number.isNaN(xv)) best = k;
        } else if (Number.isNaN(xv) || better(xv, bv) || (selectLast && xv === bv)) best = k;
      }
      out.push(best);
    }
  }
  return out;
}

/** CumSum/CumProd along `axis`; float64 running value, or wrapped int32. */
export function refCum(op: 'CumSum' | 'CumProd', x: ArrayLike<number>, shape: readonly number[], axis: number, exclusive: boolean, reverse: boolean, int = false): Float64Array {
  const rank = shape.length;
  const ax = rank === 0 ? 0 : axis < 0 ? axis + rank : axis;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i]!;
  for (let i = ax + 1; i < rank; i++) inner *= shape[i]!;
  const R = rank === 0 ? 1 : shape[ax]!;
  const y = new Float64Array(outer * R * inner);
  const comb = (a: number, b: number) => (op === 'CumSum' ? (int ? (a + b) | 0 : a + b) : int ? Math.imul(a, b) : a * b);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = op === 'CumSum' ? 0 : 1;
      for (let s = 0; s < R; s++) {
        const k = reverse ? R - 1 - s : s;
        const i = (o * R + k) * inner + j;
        if (exclusive) {
          y[i] = acc;
          acc = comb(acc, x[i]!);
        } else {
          acc = comb(acc, x[i]!);
          y[i] = acc;
        }
      }
    }
  }
  return y;
}
