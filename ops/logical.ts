/**
 * Contracts of the ops outside the float32 lists: bool And, Or, Xor and int32 BitShift (kernels in
 * the `binary` family) and bool Not (`unary` family).
 */
import { BITWISE_OPS, LOGICAL_OPS, binaryDef } from './binary.js';
import { defineOp } from './index.js';
import { BOOL_UNARY_OPS, unaryDef } from './unary.js';

for (const op of [...LOGICAL_OPS, ...BITWISE_OPS]) defineOp(binaryDef(op));
for (const op of BOOL_UNARY_OPS) defineOp(unaryDef(op));
