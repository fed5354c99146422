/**
 * The op subset run in the browser, with float64 references from tests/reference and the tolerance
 * each device gets (and why). Inputs come from a seeded generator, so every runtime sees the same data.
 */
import type { DType, Runtime, Tensor } from '../../index.js';
import { refBinary } from '../reference/binary.js';
import { sizeOf } from '../reference/broadcast.js';
import { refGemm, refMatMul, type MatMulRefResult } from '../reference/matmul.js';
import { refSoftmax } from '../reference/softmax.js';
import { refUnary, type RefUnaryOp } from '../reference/unary.js';

export type Device = 'wasm' | 'webgpu';
export interface Input {
  data: Float32Array | Int32Array;
  shape: number[];
  dtype: DType;
}
export interface Tol {
  rtol?: number;
  atol?: number;
  atolPer?: ArrayLike<number>;
}
export interface OpCase {
  name: string;
  dtype: 'float32' | 'int32' | 'bool';
  inputs: Input[];
  run(rt: Runtime, x: Tensor[]): Tensor;
  ref(): { shape: number[]; data: ArrayLike<number> };
  tol(d: Device): Tol;
}

const U = 2 ** -24; // float32 unit roundoff
const ULP = 2 ** -23; // float32 ulp of 1, an upper bound on one ulp relative to the value

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let seed = 1;
function f32(shape: number[], lo: number, hi: number, quantum = 0): Input {
  const r = rng(seed++);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    const v = lo + (hi - lo) * r();
    data[i] = quantum ? Math.round(v / quantum) * quantum : v; // a coarse grid makes ties and equal values
  }
  return { data, shape, dtype: 'float32' };
}
function i32(shape: number[], values: (i: number, r: number) => number): Input {
  const r = rng(seed++);
  return { data: Int32Array.from({ length: sizeOf(shape) }, (_, i) => values(i, r())), shape, dtype: 'int32' };
}

const exact: Tol = { rtol: 0 }; // the result must be the float64 reference rounded to float32

function binary(op: 'Add' | 'Mul' | 'Div' | 'Max' | 'Greater', a: Input, b: Input, tol: (d: Device) => Tol = () => exact): OpCase {
  const method = { Add: 'add', Mul: 'mul', Div: 'div', Max: 'max', Greater: 'greater' } as const;
  return {
    name: `${op} ${a.dtype} [${a.shape}] ⊕ [${b.shape}]`,
    dtype: op === 'Greater' ? 'bool' : a.dtype === 'int32' ? 'int32' : 'float32',
    inputs: [a, b],
    run: (rt, [x, y]) => rt[method[op]](x!, y!),
    ref: () => refBinary(op, a.dtype === 'int32' ? 'int32' : 'float32', a.data, a.shape, b.data, b.shape),
    tol,
  };
}

function unary(op: RefUnaryOp, x: Input, tol: (d: Device) => Tol): OpCase {
  const method = { Relu: 'relu', Sigmoid: 'sigmoid', Exp: 'exp', Erf: 'erf', Gelu: 'gelu' } as const;
  return {
    name: `${op} float32 [${x.shape}] in [${Math.min(...x.data).toFixed(1)}, ${Math.max(...x.data).toFixed(1)}]`,
    dtype: 'float32',
    inputs: [x],
    run: (rt, [t]) => rt[method[op as keyof typeof method]](t!),
    ref: () => ({ shape: x.shape, data: refUnary(op, 'float32', x.data) }),
    tol,
  };
}

/** Any summation order, with or without FMA: |err| ≤ γ_K·Σ|terms| (+ the alpha/beta/bias roundings). */
function dotTol(r: MatMulRefResult): Tol {
  const k = (r.K + 3) * U;
  return { rtol: 0, atolPer: r.absSum.map((s) => k * s) };
}

function mm(name: string, a: Input, b: Input, opts: { transB?: boolean } = {}): OpCase {
  let ref: MatMulRefResult | undefined;
  const get = () => (ref ??= refMatMul('float32', a.data, a.shape, b.data, b.shape, opts));
  return { name, dtype: 'float32', inputs: [a, b], run: (rt, [x, y]) => rt.matmul(x!, y!, opts), ref: get, tol: () => dotTol(get()) };
}

function gemm(a: Input, b: Input, c: Input, attrs: { transA?: boolean; transB?: boolean; alpha: number; beta: number }): OpCase {
  let ref: MatMulRefResult | undefined;
  const get = () => (ref ??= refGemm('float32', a.data, a.shape, b.data, b.shape, c.data, c.shape, attrs));
  return {
    name: `Gemm [${a.shape}]·[${b.shape}]${attrs.transB ? 'ᵀ' : ''} alpha=${attrs.alpha} beta=${attrs.beta} C=[${c.shape}]`,
    dtype: 'float32',
    inputs: [a, b, c],
    run: (rt, [x, y, z]) => rt.gemm(x!, y!, z!, attrs),
    ref: get,
    tol: () => dotTol(get()),
  };
}

/** exp's relative error on each device for arguments with |x| ≤ xmax. */
function expRel(d: Device, xmax: number): number {
  // wasm: the kernels' polynomial exp, a few ulp. WGSL: exp is accurate to 3 + 2·|x| ulp (spec).
  return d === 'wasm' ? 8 * ULP : (3 + 2 * xmax) * ULP;
}

function softmax(x: Input, axis: number): OpCase {
  const n = x.shape.at(axis)!;
  return {
    name: `Softmax float32 [${x.shape}] axis=${axis}`,
    dtype: 'float32',
    inputs: [x],
    run: (rt, [t]) => rt.softmax(t!, { axis }),
    ref: () => ({ shape: x.shape, data: refSoftmax(x.data, x.shape, axis) }),
    // inputs in [-4, 4]: |x - max| ≤ 8; two exp errors (term and sum), n additions, one division
    tol: (d) => ({ rtol: 2 * expRel(d, 8) + (n + 4) * U }),
  };
}

export function opCases(): OpCase[] {
  seed = 1;
  const big = (i: number, r: number) => (i % 7 === 0 ? 2147483647 - Math.floor(r * 10) : Math.floor((r - 0.5) * 2e6));
  return [
    binary('Add', f32([2, 3, 4], -10, 10), f32([3, 1], -10, 10)),
    binary('Mul', f32([4, 1, 5], -4, 4), f32([3, 5], -4, 4)),
    // WGSL division is accurate to 2.5 ulp (|y| in [2^-126, 2^126]); wasm f32.div is correctly rounded
    binary('Div', f32([3, 4, 5], -8, 8), f32([5], 0.5, 2), (d) => (d === 'wasm' ? exact : { rtol: 2.5 * ULP })),
    binary('Max', f32([2, 1, 6], -2, 2, 0.5), f32([5, 1], -2, 2, 0.5)),
    binary('Greater', f32([6, 7], -2, 2, 0.5), f32([7], -2, 2, 0.5)),
    binary('Add', i32([5, 6], big), i32([6], (i, r) => (i % 2 ? 100 : Math.floor((r - 0.5) * 2e6)))), // wraps past 2^31
    unary('Relu', f32([1003], -3, 3, 0.25), () => exact),
    unary('Exp', f32([1003], -8, 8), (d) => ({ rtol: expRel(d, 8) })),
    unary('Sigmoid', f32([1003], -10, 10), (d) => ({ rtol: expRel(d, 10) + 4 * ULP })),
    // WGSL has no erf: the shader's own approximation (absolute error), plus exp's
    unary('Erf', f32([1003], -4, 4), (d) => (d === 'wasm' ? { rtol: 8 * ULP, atol: 1e-7 } : { rtol: expRel(d, 16), atol: 1e-6 })),
    unary('Gelu', f32([1003], -6, 6), (d) => (d === 'wasm' ? { rtol: 8 * ULP, atol: 3e-7 } : { rtol: expRel(d, 18), atol: 3e-6 })),
    // 3.9M multiply-adds: past the wasm GEMM's threshold for splitting (2^21 in gemm-launch.ts)
    mm('MatMul [193,161]·[161,127]', f32([193, 161], -1, 1), f32([161, 127], -1, 1)),
    mm('MatMul [3,1,17,33]·[4,33,19] (batch broadcast)', f32([3, 1, 17, 33], -1, 1), f32([4, 33, 19], -1, 1)),
    gemm(f32([37, 29], -1, 1), f32([23, 29], -1, 1), f32([23], -1, 1), { transB: true, alpha: 0.5, beta: 2 }),
    softmax(f32([6, 5, 48], -4, 4), -1),
    softmax(f32([4, 7, 9], -4, 4), 1),
  ];
}
