/**
 * ONNX elementwise binary ops and the variadic Max/Min/Sum → twinops binary ops (Sum folds Add).
 * Opsets before 7 used "legacy" broadcasting (`broadcast`, `axis` attributes): B is aligned with A
 * at `axis`, which is expressed here by reshaping B with trailing 1s, then numpy broadcasting.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'And', 'Or', 'Xor', 'PRelu'] as const;

/** B's shape for legacy (opset < 7) broadcasting of B against A at `axis`: pad with trailing 1s. */
function legacyAlign<T extends TensorInfo>(x: Exec<T>, a: T, b: T, axis: number | undefined): T {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const ax = axis === undefined ? ra - rb : axis < 0 ? axis + ra : axis;
  const trailing = ra - ax - rb;
  if (trailing <= 0) return b;
  return x.reshape(b, [...b.shape, ...new Array<number>(trailing).fill(1)]);
}

function binary(op: (typeof BINARY)[number]): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode, ctx: LowerCtx): Lowered {
      arity(node, 2);
      const legacy = ctx.opset < 7;
      const at = new Attrs(node, legacy ? ['broadcast', 'axis'] : [], ['consumed_inputs']);
      const broadcast = legacy && at.int('broadcast', 0) === 1;
      const axis = at.has('axis') ? at.int('axis', 0) : undefined;
      return {
        calls: op === 'Pow' ? [op, 'Cast'] : [op],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const a = need(ins[0], 'A');
          let b = need(ins[1], 'B');
          if (broadcast) b = legacyAlign(x, a, b, axis);
          if (op === 'Pow' && a.dtype !== b.dtype) return mixedPow(x, a, b);
          return x.op(op, [a, b]);
        },
      };
    },
  };
}

/**
 * Pow-12 and later take an exponent of another numeric type; the result has the base's type. A float
 * base takes the exponent cast to it; an integer base is raised in float32 and cast back (truncating).
 */
function mixedPow<T extends TensorInfo>(x: Exec<T>, a: T, b: T): T[] {
  if (a.dtype.startsWith('float')) return x.op('Pow', [a, x.op('Cast', [b], { to: a.dtype })[0]!]);
  const fa = x.op('Cast', [a], { to: 'float32' })[0]!;
  const fb = b.dtype === 'float32' ? b : x.op('Cast', [b], { to: 'float32' })[0]!;
  return x.op('Cast', [x.op('Pow', [fa, fb])[0]!], { to: a.dtype });
}

/** Max, Min, Sum: variadic in ONNX, folded left to right over the binary twinops op. */
function variadic(onnxOp: 'Max' | 'Min' | 'Sum', twinopsOp: 'Max' | 'Min' | 'Add'): OnnxOpMapping {
  return {
    op: onnxOp,
    domain: '',
    lower(node: OnnxNode): Lowered {
      arity(node, 1, Infinity);
      new Attrs(node, [], ['consumed_inputs']);
      return {
        calls: [twinopsOp, 'Cast'],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const all = ins.map((t, i) => need(t, String(i)));
          // float16 Max/Min run in float64 (exact both ways; float64 has no WebGPU kernels, so on a
          // WebGPU session the whole node stays on wasm); Sum stays in float16's own kernels
          const half = twinopsOp !== 'Add' && all.every((t) => t.dtype === 'float16');
          const args = half ? all.map((t) => x.op('Cast', [t], { to: 'float64' })[0]!) : all;
          let acc = args[0]!;
          for (let i = 1; i < args.length; i++) acc = x.op(twinopsOp, [acc, args[i]!])[0]!;
          return half ? x.op('Cast', [acc], { to: 'float16' }) : [acc];
        },
      };
    },
  };
}

const mod: OnnxOpMapping = {
  op: 'Mod',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const fmod = new Attrs(node, ['fmod']).int('fmod', 0);
    return {
      calls: ['Mod', 'Cast'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const [a, b] = [need(ins[0], 'A'), need(ins[1], 'B')];
        if (a.dtype !== 'float16' || b.dtype !== 'float16') return x.op('Mod', [a, b], { fmod });
        // float16 in float64: the remainder is exact there, rounded once back (float64 keeps the node on wasm)
        const f = (t: T) => x.op('Cast', [t], { to: 'float64' })[0]!;
        return x.op('Cast', [x.op('Mod', [f(a), f(b)], { fmod })[0]!], { to: 'float16' });
      },
    };
  },
};

/** BitShift (opset 11): `direction` is required; twinops shifts int32 as uint32 bits (ONNX's unsigned types). */
const bitShift: OnnxOpMapping = {
  op: 'BitShift',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['direction']);
    const direction = at.string('direction', '');
    if (direction !== 'LEFT' && direction !== 'RIGHT') throw new UnsupportedNodeError(`direction must be 'LEFT' or 'RIGHT', got '${direction}'`);
    return { calls: ['BitShift'], run: (x, ins) => x.op('BitShift', [need(ins[0], 'X'), need(ins[1], 'Y')], { direction }) };
  },
};

export const ELEMENTWISE_MAPPINGS: OnnxOpMapping[] = [
  ...BINARY.map(binary),
  mod,
  bitShift,
  variadic('Max', 'Max'),
  variadic('Min', 'Min'),
  variadic('Sum', 'Add'),
];
