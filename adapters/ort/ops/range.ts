/**
 * ONNX Range (opset 11) → twinops Range. The twinops contract takes start, limit and delta as
 * attributes (the output length depends on their values), so the mapping reads the three scalar
 * inputs on the host: constants at session creation, computed scalars (shape subgraphs) at run time.
 * Until a computed input is known, inference leaves the node's output unknown (ValueUnknown), as for
 * a computed Reshape target; the executor hands the inputs over on wasm (`hostInputs`), since a
 * WebGPU session may hold float32/int32 scalars on the GPU. int64 values read at run time pass
 * through a JS number (exact to 2^53).
 */
import type { DType } from '../../../core/dtype.js';
import type { TensorInfo } from '../../../ops/types.js';
import { RANGE_DTYPES } from '../../../ops/range.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import type { HostTensor } from '../tensor-proto.js';
import { Attrs, ValueUnknown, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const NAMES = ['start', 'limit', 'delta'] as const;

function hostScalar(t: HostTensor | undefined, what: string): number | bigint | undefined {
  if (!t) return undefined;
  if (t.data.length !== 1) throw new UnsupportedNodeError(`Range ${what} must be a scalar, got shape [${t.dims.join(',')}]`);
  return t.data[0] as number | bigint;
}

const range: OnnxOpMapping = {
  op: 'Range',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 3);
    new Attrs(node, []);
    const consts = NAMES.map((n, i) => hostScalar(ctx.constant(i), n));
    return {
      calls: ['Range'],
      hostInputs: [0, 1, 2],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const ts = NAMES.map((n, i) => need(ins[i], n));
        const dtype: DType = ts[0]!.dtype;
        if (ts.some((t) => t.dtype !== dtype)) throw new UnsupportedNodeError(`Range inputs must share one dtype, got ${ts.map((t) => t.dtype).join(', ')}`);
        if (!RANGE_DTYPES.includes(dtype)) throw new UnsupportedNodeError(`Range on ${dtype} (twinops: ${RANGE_DTYPES.join(', ')})`);
        const vals = NAMES.map((n, i) => {
          const t = ts[i]!;
          if (t.shape.reduce((a, b) => a * b, 1) !== 1) throw new UnsupportedNodeError(`Range ${n} must be a scalar, got shape [${t.shape.join(',')}]`);
          const v = consts[i] ?? x.scalar(t);
          if (v === undefined) throw new ValueUnknown();
          return v;
        });
        return x.op('Range', [], { start: vals[0], limit: vals[1], delta: vals[2], dtype });
      },
    };
  },
};

export const RANGE_MAPPINGS: OnnxOpMapping[] = [range];
