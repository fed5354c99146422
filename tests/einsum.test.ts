/**
 * Einsum (ops/einsum.ts: a plan over Transpose/Reshape/Gather/Expand/ReduceSum/MatMul) against the
 * float64 definition in tests/reference/einsum.ts, on wasm at 1 and 2 threads (bit-identical) and
 * on WebGPU where every op of the plan has a WebGPU kernel.
 *
 * Tolerance: each output element is a float32 sum of `terms` products, accumulated in some order by
 * MatMul/ReduceSum; its rounding error is bounded by (terms + 1)·2^-24·Σ|products| (products of two
 * float32 values are exact in the float64 reference, and each add rounds once), so that is atolPer.
 */
import { describe, expect, it } from 'vitest';
import { ShapeError, AttributeError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { planEinsum, runEinsum, type EinsumExec } from '../ops/einsum.js';
import { registry } from '../registry/registry.js';
import '../registry/kernels.js';
import { prng } from './arbitraries.js';
import { einsumRef } from './reference/einsum.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { gpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function exec(rt: Rt, made: Tensor[]): EinsumExec<Tensor> {
  const keep = (t: Tensor) => (made.push(t), t);
  return {
    op: (n, ins, a) => rt.run(n, ins, a).map(keep),
    reshape: (t, s) => keep(rt.reshape(t, s)),
    int32: (v, s) => keep(rt.tensor(v, s, 'int32')),
  };
}

async function run(rt: Rt, equation: string, data: { data: Float32Array | Int32Array; shape: number[] }[], dtype: 'float32' | 'int32' = 'float32') {
  const made: Tensor[] = [];
  const ins = data.map((d) => rt.tensor(d.data, d.shape, dtype));
  try {
    const y = runEinsum(exec(rt, made), equation, ins);
    return { shape: [...y.shape], data: (await y.data()) as Float32Array | Int32Array };
  } finally {
    for (const t of [...made, ...ins]) t.dispose();
  }
}

function operands(shapes: number[][], seed: number, int = false) {
  const r = prng(seed);
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = int ? Int32Array.from({ length: n }, () => Math.floor(r() * 7) - 3) : Float32Array.from({ length: n }, () => r() * 4 - 2);
    return { data, shape };
  });
}

/** [equation, shapes, the letters-only equation the reference evaluates (ellipses spelled out)] */
const CASES: [string, number[][], string?][] = [
  ['ij,jk->ik', [[3, 5], [5, 7]]],
  ['bij,bjk->bik', [[2, 3, 17], [2, 17, 5]]],
  ['ij,jk->ki', [[1, 1], [1, 33]]],
  ['i,i->', [[13], [13]]],
  ['i,j->ij', [[3], [5]]],
  ['ij->', [[5, 7]]],
  ['ij->ji', [[3, 5]]],
  ['ii->i', [[5, 5]]],
  ['ii->', [[7, 7]]],
  ['bii->bi', [[3, 5, 5]]],
  ['...ii->...i', [[3, 5, 5]], 'bii->bi'],
  ['iji->j', [[3, 4, 3]]],
  ['abcd,cde->abe', [[2, 3, 4, 5], [4, 5, 3]]],
  ['aecd,abcd->acbe', [[1, 2, 3, 4], [1, 5, 3, 4]]],
  ['ij,jk,kl->il', [[3, 4], [4, 5], [5, 2]]],
  ['ij,jk', [[3, 4], [4, 5]], 'ij,jk->ik'],
  ['ba,ca', [[3, 4], [5, 4]], 'ba,ca->bc'],
  [',->', [[], []]],
  ['i,->i', [[5], []]],
  ['ij,jk->ik', [[0, 5], [5, 7]]],
  ['ij,jk->ik', [[3, 1], [1, 0]]],
];

describe('Einsum', () => {
  for (const [eq, shapes, refEq] of CASES) {
    it(`${eq} on ${shapes.map((s) => `[${s}]`).join(' ')}`, async () => {
      const ins = operands(shapes, eq.length * 31 + shapes.length);
      const ref = einsumRef(refEq ?? eq, ins);
      const a = await run(rt1, eq, ins);
      const b = await run(rt2, eq, ins);
      expect(a.shape).toEqual(ref.shape);
      const atolPer = ref.absSum.map((s) => (ref.terms + 1) * 2 ** -24 * s);
      expectClose(a.data, ref.out, { op: `Einsum ${eq} wasm`, dtype: 'float32', atolPer, outShape: ref.shape });
      expectBitIdentical(a.data, b.data, `Einsum ${eq} threads 1 vs 2`);
      const gpuOps = ['Transpose', 'MatMul', 'ReduceSum', 'Expand', ...(eq.match(/(\w)\w*\1/) ? ['Gather'] : [])];
      if (gpu && gpuOps.every((op) => registry.get(op, 'float32', 'webgpu'))) {
        const g = await run(gpu, eq, ins);
        expectClose(g.data, ref.out, { op: `Einsum ${eq} webgpu`, dtype: 'float32', atolPer, outShape: ref.shape });
      }
    });
  }

  it('int32 operands compute exactly', async () => {
    const ins = operands([[2, 3, 4], [2, 4, 5]], 7, true);
    const ref = einsumRef('bij,bjk->bik', ins);
    const y = await run(rt1, 'bij,bjk->bik', ins, 'int32');
    expect(Array.from(y.data)).toEqual(Array.from(ref.out));
  });

  it('ellipsis broadcasting (size-1 batch axes meet larger ones)', async () => {
    const ins = operands([[2, 1, 3, 4], [5, 4, 2]], 3);
    // '...ij,...jk->...ik' with batch [2,1] and [5] broadcast to [2,5]: spelled out for the reference
    const a = ins[0]!;
    const bx = { data: new Float32Array(2 * 5 * 4 * 2), shape: [2, 5, 4, 2] };
    const ax = { data: new Float32Array(2 * 5 * 3 * 4), shape: [2, 5, 3, 4] };
    for (let p = 0; p < 2; p++) for (let q = 0; q < 5; q++) {
      ax.data.set(a.data.subarray(p * 12, p * 12 + 12), (p * 5 + q) * 12);
      bx.data.set(ins[1]!.data.subarray(q * 8, q * 8 + 8), (p * 5 + q) * 8);
    }
    const ref = einsumRef('pqij,pqjk->pqik', [ax, bx]);
    const y = await run(rt1, '...ij,...jk->...ik', ins);
    expect(y.shape).toEqual([2, 5, 3, 2]);
    expectClose(y.data, ref.out, { op: 'Einsum broadcast', dtype: 'float32', atolPer: ref.absSum.map((s) => 5 * 2 ** -24 * s) });
  });

  it('NaN and Inf propagate through the contraction', async () => {
    const ins = operands([[2, 3], [3, 2]], 5);
    ins[0]!.data[0] = NaN;
    ins[0]!.data[4] = Infinity;
    const ref = einsumRef('ij,jk->ik', ins);
    const y = await run(rt1, 'ij,jk->ik', ins);
    expectClose(y.data, ref.out, { op: 'Einsum NaN/Inf', dtype: 'float32', atolPer: ref.absSum.map((s) => 4 * 2 ** -24 * s) });
  });

  it('typed errors name the op, the equation and the shapes', () => {
    expect(() => planEinsum('ij,jk->ik', [[2, 3], [2, 2]])).toThrow(ShapeError);
    expect(() => planEinsum('ij,jk->ik', [[2, 3], [2, 2]])).toThrow(/Einsum: equation 'ij,jk->ik': label 'j' has size 3 elsewhere but 2 at axis 0 of input 1 \[2,2\]/);
    expect(() => planEinsum('ij->ji', [[2, 2], [2, 2]])).toThrow(AttributeError);
    expect(() => planEinsum('ij,jk->in', [[2, 3], [3, 2]])).toThrow(/output label 'n' is not in any input/);
    expect(() => planEinsum('ij->i->j', [[2, 3]])).toThrow(/at most one '->'/);
    expect(() => planEinsum('ijk->i', [[2, 3]])).toThrow(/does not match input 0 of rank 2/);
    expect(() => planEinsum('i1->i', [[2, 3]])).toThrow(/not a letter/);
  });
});
