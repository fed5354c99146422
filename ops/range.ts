/**
 * Range (ONNX Range-11, tfjs range): a 1-D sequence start, start + delta, ... up to (excluding) limit.
 *
 * The output length depends on the VALUES of start, limit and delta, which a plan (shapes and dtypes
 * only) cannot read, so this contract takes them as attributes and no inputs. Adapters read the
 * scalar inputs on the host: ONNX graphs give them as constants or as small computed int64 scalars
 * (shape subgraphs), which the ORT executor reads at run time (adapters/ort/ops/range.ts).
 *
 * Semantics (ONNX, as onnxruntime computes them):
 *   n = max(ceil((limit − start) / delta), 0), y[i] = start + i·delta.
 * float32: start, limit and delta are rounded to float32 first, limit − start is a float32
 * difference, and y[i] is start + i·delta computed exactly and rounded once (not accumulated).
 * int32 and int64: exact length, y[i] wraps like the dtype's arithmetic. Integer attributes must be
 * integers; int64 ones may be bigints (numbers beyond 2^53 lose precision before they get here).
 * delta = 0, NaN or infinite values, and lengths above 2^31 − 1 are AttributeErrors.
 */
import { AttributeError, DTypeError } from '../core/errors.js';
import type { DType } from '../core/dtype.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export const RANGE_DTYPES: readonly DType[] = ['float32', 'int32', 'int64'];

export interface RangeAttrs {
  start: number | bigint;
  limit: number | bigint;
  delta?: number | bigint;
  /** Output dtype (default float32). */
  dtype?: DType;
}

export interface RangePlan extends Plan {
  size: number;
  /** float32: the float32-rounded values; int32: the integers. */
  start: number;
  delta: number;
  /** int64: exact start and delta. */
  start64: bigint;
  delta64: bigint;
}

const MAX_SIZE = 2 ** 31 - 1;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function toBig(op: string, name: string, v: number | bigint, dtype: DType): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new AttributeError(op, `${name} must be an integer for ${dtype}, got ${String(v)}`);
  return BigInt(v);
}

export const rangeDef: OpDef<RangeAttrs, RangePlan> = {
  name: 'Range',
  plan(inputs: readonly TensorInfo[], attrs: RangeAttrs): RangePlan {
    const op = 'Range';
    expectArity(op, inputs, 0);
    const dtype = attrs.dtype ?? 'float32';
    if (!RANGE_DTYPES.includes(dtype)) throw new DTypeError(op, `dtype ${String(dtype)} is not supported; supported: ${RANGE_DTYPES.join(', ')}`);
    const delta = attrs.delta ?? 1;
    let size: number;
    let start = 0;
    let step = 0;
    let start64 = 0n;
    let delta64 = 0n;
    if (dtype === 'float32') {
      const vals = [attrs.start, attrs.limit, delta].map((v, k) => {
        const x = Number(v);
        if (typeof v !== 'number' && typeof v !== 'bigint') throw new AttributeError(op, `${['start', 'limit', 'delta'][k]} must be a number, got ${String(v)}`);
        if (!Number.isFinite(x)) throw new AttributeError(op, `${['start', 'limit', 'delta'][k]} must be finite, got ${String(v)}`);
        return Math.fround(x);
      });
      [start, , step] = vals as [number, number, number];
      if (step === 0) throw new AttributeError(op, 'delta must not be 0');
      const n = Math.ceil(Math.fround(vals[1]! - start) / step);
      if (!(n <= MAX_SIZE)) throw new AttributeError(op, `the output would have ${n} elements (start ${start}, limit ${vals[1]}, delta ${step})`);
      size = Math.max(n, 0);
    } else {
      const s = toBig(op, 'start', attrs.start, dtype);
      const l = toBig(op, 'limit', attrs.limit, dtype);
      const d = toBig(op, 'delta', delta, dtype);
      const [lo, hi] = dtype === 'int32' ? [-(2n ** 31n), 2n ** 31n - 1n] : [I64_MIN, I64_MAX];
      for (const [name, v] of [['start', s], ['limit', l], ['delta', d]] as const) {
        if (v < lo || v > hi) throw new AttributeError(op, `${name} ${v} is out of range for ${dtype}`);
      }
      if (d === 0n) throw new AttributeError(op, 'delta must not be 0');
      // ceil((l − s) / d) exactly: BigInt division truncates toward zero
      const num = l - s;
      let q = num / d;
      if (q * d !== num && (num < 0n) === (d < 0n)) q += 1n;
      if (q > BigInt(MAX_SIZE)) throw new AttributeError(op, `the output would have ${q} elements (start ${s}, limit ${l}, delta ${d})`);
      size = q > 0n ? Number(q) : 0;
      start = Number(s);
      step = Number(d);
      start64 = s;
      delta64 = d;
    }
    return { outputs: [{ shape: [size], dtype }], dispatchDType: dtype, size, start, delta: step, start64, delta64 };
  },
};

defineOp(rangeDef);
