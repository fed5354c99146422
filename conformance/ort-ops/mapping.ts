/**
 * ONNX operator + attributes + opset → twinops direct calls. This is conformance glue, not an
 * adapter: it only translates calling conventions (attribute names, optional inputs, the pre-13
 * Softmax 2-D view expressed with reshapes). Anything that would need arithmetic is not done here:
 * an op twinops lacks is reported as skipped.
 */
import type { DType, Runtime, Tensor } from '../../index.js';
import { BINARY_DTYPES, GEMM_DTYPES, INT_UNARY_OPS, MATMUL_DTYPES, type BinaryOp, type UnaryOp } from '../../ops/index.js';
import type { OrtAttribute, OrtCase, OrtGroup } from './data.js';

/**
 * Opset for groups that name none. onnxruntime's js/web/script/test-runner-cli.ts fills in
 * `test.opset || { domain: '', version: MAX_OPSET_VERSION }` (the newest opset it has node tests for,
 * at least 13). For every operator mapped below ONNX semantics are the same at 13 and every later
 * opset, and MANIFEST.json's ortCheck shows each of these groups passing in onnxruntime at 13.
 */
export const DEFAULT_OPSET_VERSION = 13;

export function effectiveOpset(g: OrtGroup): { domain: string; version: number } {
  const o = g.opset ?? { domain: '', version: DEFAULT_OPSET_VERSION };
  return { domain: o.domain === 'ai.onnx' ? '' : o.domain, version: o.version };
}

/** Element types onnxruntime's tests use that twinops has no kernels for at all. */
const NO_TWINOPS_KERNELS = new Set(['float16', 'uint32', 'int64', 'uint64', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'string']);

export type Run = (rt: Runtime, inputs: readonly Tensor[], scratch: Tensor[]) => Tensor[];

export type Mapping =
  | { ok: true; /** twinops ops it calls, e.g. ['Softmax'] */ ops: string[]; run: Run }
  | { ok: false; kind: 'op' | 'dtype' | 'attribute' | 'arity'; reason: string };

const BINARY: Record<string, BinaryOp> = {
  Add: 'Add', Sub: 'Sub', Mul: 'Mul', Div: 'Div', Pow: 'Pow', Max: 'Max', Min: 'Min',
  Equal: 'Equal', Greater: 'Greater', GreaterOrEqual: 'GreaterOrEqual', Less: 'Less', LessOrEqual: 'LessOrEqual',
};
const UNARY_PLAIN: readonly UnaryOp[] = ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf'];

const skip = (kind: 'op' | 'dtype' | 'attribute' | 'arity', reason: string): Mapping => ({ ok: false, kind, reason });

function attrMap(attrs: readonly OrtAttribute[], allowed: readonly string[], op: string): Map<string, OrtAttribute> | Mapping {
  const m = new Map<string, OrtAttribute>();
  for (const a of attrs) {
    if (!allowed.includes(a.name)) return skip('attribute', `${op} attribute '${a.name}' is not mapped to a twinops call`);
    m.set(a.name, a);
  }
  return m;
}

function num(a: OrtAttribute | undefined): number | undefined {
  return a === undefined ? undefined : Number(a.data);
}

/** Dtype check against the twinops op contract: every input must be one of `dtypes`. */
function checkDTypes(op: string, c: OrtCase, dtypes: readonly DType[], inputs = c.inputs.length): Mapping | undefined {
  for (const t of [...c.inputs.slice(0, inputs), ...c.outputs]) {
    if (NO_TWINOPS_KERNELS.has(t.type)) return skip('dtype', `dtype ${t.type}: twinops has no ${t.type} kernels`);
  }
  for (const t of c.inputs.slice(0, inputs)) {
    if (!(dtypes as readonly string[]).includes(t.type)) return skip('dtype', `twinops ${op} takes ${dtypes.join('/')}, not ${t.type}`);
  }
  return undefined;
}

function scalarInput(c: OrtCase, i: number, what: string): number | undefined | string {
  const t = c.inputs[i];
  if (t === undefined) return undefined;
  if (t.data.length !== 1) return `Clip ${what} input must be a scalar, got ${t.data.length} elements`;
  return Number(t.data[0]);
}

/** The twinops call sequence for one case of a group, or why it cannot run. */
export function mapCase(g: OrtGroup, c: OrtCase): Mapping {
  const { domain, version } = effectiveOpset(g);
  const op = g.operator;
  const nIn = c.inputs.length;
  const isGelu = op === 'Gelu' && ((domain === '' && version >= 20) || (domain === 'com.microsoft' && version >= 1));
  if (domain !== '' && !isGelu) return skip('op', `no twinops op yet (${domain}::${op})`);

  const binary = BINARY[op];
  if (binary) {
    const attrs = attrMap(g.attributes, [], op);
    if (!(attrs instanceof Map)) return attrs;
    const variadic = op === 'Max' || op === 'Min';
    if (variadic ? nIn < 2 : nIn !== 2) return skip('arity', `${op} with ${nIn} inputs: twinops ${op} is binary`);
    const bad = checkDTypes(op, c, BINARY_DTYPES);
    if (bad) return bad;
    const fn = (rt: Runtime, a: Tensor, b: Tensor): Tensor => rt.run(binary, [a, b])[0]!;
    return {
      ok: true,
      ops: [binary],
      // ONNX Max/Min are variadic: fold the binary twinops op left to right.
      run: (rt, ins, scratch) => {
        let acc = fn(rt, ins[0]!, ins[1]!);
        for (let i = 2; i < ins.length; i++) {
          scratch.push(acc);
          acc = fn(rt, acc, ins[i]!);
        }
        return [acc];
      },
    };
  }

  if ((UNARY_PLAIN as readonly string[]).includes(op) || op === 'LeakyRelu' || isGelu) {
    const uop = op as UnaryOp;
    const allowed = op === 'LeakyRelu' ? ['alpha'] : isGelu && domain === '' ? ['approximate'] : [];
    const attrs = attrMap(g.attributes, allowed, op);
    if (!(attrs instanceof Map)) return attrs;
    if (nIn !== 1) return skip('arity', `${op} with ${nIn} inputs`);
    const bad = checkDTypes(op, c, INT_UNARY_OPS.includes(uop) ? ['float32', 'int32'] : ['float32']);
    if (bad) return bad;
    if (op === 'LeakyRelu') {
      const alpha = num(attrs.get('alpha'));
      return { ok: true, ops: [op], run: (rt, ins) => [rt.leakyRelu(ins[0]!, alpha === undefined ? {} : { alpha })] };
    }
    if (isGelu) {
      const approximate = attrs.get('approximate')?.data as 'none' | 'tanh' | undefined;
      return { ok: true, ops: [op], run: (rt, ins) => [rt.gelu(ins[0]!, approximate === undefined ? {} : { approximate })] };
    }
    return { ok: true, ops: [op], run: (rt, ins) => [rt.run(uop, [ins[0]!])[0]!] };
  }

  if (op === 'Clip') {
    // Clip-6: min/max attributes. Clip-11 and later: optional inputs 1 and 2, read here as scalars.
    const attrs = attrMap(g.attributes, version < 11 ? ['min', 'max'] : [], op);
    if (!(attrs instanceof Map)) return attrs;
    if (version < 11 ? nIn !== 1 : nIn < 1 || nIn > 3) return skip('arity', `Clip-${version} with ${nIn} inputs`);
    const bad = checkDTypes(op, c, ['float32', 'int32']);
    if (bad) return bad;
    let min: number | undefined | string;
    let max: number | undefined | string;
    if (version < 11) {
      min = num(attrs.get('min'));
      max = num(attrs.get('max'));
    } else {
      min = scalarInput(c, 1, 'min');
      max = scalarInput(c, 2, 'max');
    }
    if (typeof min === 'string') return skip('arity', min);
    if (typeof max === 'string') return skip('arity', max);
    const bounds: { min?: number; max?: number } = {};
    if (min !== undefined) bounds.min = min;
    if (max !== undefined) bounds.max = max;
    return { ok: true, ops: [op], run: (rt, ins) => [rt.clip(ins[0]!, bounds)] };
  }

  if (op === 'MatMul') {
    const attrs = attrMap(g.attributes, [], op);
    if (!(attrs instanceof Map)) return attrs;
    if (nIn !== 2) return skip('arity', `MatMul with ${nIn} inputs`);
    const bad = checkDTypes(op, c, MATMUL_DTYPES);
    if (bad) return bad;
    return { ok: true, ops: [op], run: (rt, ins) => [rt.matmul(ins[0]!, ins[1]!)] };
  }

  if (op === 'Gemm') {
    const attrs = attrMap(g.attributes, ['alpha', 'beta', 'transA', 'transB'], op);
    if (!(attrs instanceof Map)) return attrs;
    if (nIn !== 2 && nIn !== 3) return skip('arity', `Gemm with ${nIn} inputs`);
    const bad = checkDTypes(op, c, GEMM_DTYPES);
    if (bad) return bad;
    const opts = {
      transA: !!num(attrs.get('transA')),
      transB: !!num(attrs.get('transB')),
      alpha: num(attrs.get('alpha')) ?? 1,
      beta: num(attrs.get('beta')) ?? 1,
    };
    return { ok: true, ops: [op], run: (rt, ins) => [rt.gemm(ins[0]!, ins[1]!, ins[2], opts)] };
  }

  if (op === 'Softmax') {
    const attrs = attrMap(g.attributes, ['axis'], op);
    if (!(attrs instanceof Map)) return attrs;
    if (nIn !== 1) return skip('arity', `Softmax with ${nIn} inputs`);
    const bad = checkDTypes(op, c, ['float32']);
    if (bad) return bad;
    const axisAttr = num(attrs.get('axis'));
    if (version >= 13) {
      const axis = axisAttr ?? -1;
      return { ok: true, ops: [op], run: (rt, ins) => [rt.softmax(ins[0]!, { axis })] };
    }
    // Softmax-1/11: the input is viewed as 2-D [prod(dims[:axis]), prod(dims[axis:])] (axis default 1)
    // and normalised along the second dimension.
    return {
      ok: true,
      ops: ['Softmax', 'reshape'],
      run: (rt, ins, scratch) => {
        const x = ins[0]!;
        const rank = x.shape.length;
        const a = axisAttr ?? 1;
        const axis = a < 0 ? a + rank : a;
        let outer = 1;
        let inner = 1;
        for (let i = 0; i < rank; i++) {
          if (i < axis) outer *= x.shape[i]!;
          else inner *= x.shape[i]!;
        }
        const flat = rt.reshape(x, [outer, inner]);
        scratch.push(flat);
        const y = rt.softmax(flat, { axis: -1 });
        scratch.push(y);
        return [rt.reshape(y, x.shape)];
      },
    };
  }

  return skip('op', `no twinops op yet (${op})`);
}
