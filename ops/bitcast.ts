/**
 * BitCast (ONNX opset 26): the same bytes read as another dtype of the same element size, so the
 * output shares the input's storage (no copy). float16 ⇄ int16/uint16, float32 ⇄ int32/uint32,
 * float64 ⇄ int64/uint64, bool/int8 ⇄ uint8, ... int4/uint4 are refused: twinops stores them one
 * per byte (sign-extended for int4), so their bytes do not reinterpret as the packed nibbles would.
 */
import { BYTES_PER_ELEMENT, DTYPES, isDType, type DType } from '../core/dtype.js';
import { DTypeError, fmtShape } from '../core/errors.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface BitCastAttrs {
  to: DType;
}

const FOUR_BIT: readonly DType[] = ['int4', 'uint4'];

export const bitCastDef: OpDef<BitCastAttrs, Plan> = defineOp({
  name: 'BitCast',
  plan(inputs, attrs) {
    const op = 'BitCast';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const to = attrs?.to;
    if (!isDType(to)) throw new DTypeError(op, `attribute to must be one of ${DTYPES.join(', ')}, got ${String(to)}`);
    if (FOUR_BIT.includes(x.dtype) || FOUR_BIT.includes(to)) throw new DTypeError(op, `${x.dtype}${fmtShape(x.shape)} → ${to}: 4-bit dtypes are stored one per byte and cannot be reinterpreted`);
    if (BYTES_PER_ELEMENT[x.dtype] !== BYTES_PER_ELEMENT[to]) {
      throw new DTypeError(op, `${x.dtype}${fmtShape(x.shape)} (${BYTES_PER_ELEMENT[x.dtype]} bytes per element) cannot be reinterpreted as ${to} (${BYTES_PER_ELEMENT[to]} bytes)`);
    }
    return { outputs: [{ shape: x.shape.slice(), dtype: to }], dispatchDType: x.dtype };
  },
});
