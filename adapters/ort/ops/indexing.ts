/**
 * ONNX indexing, sampling and miscellaneous nodes → twinops ops: GatherElements, GatherND, ScatterND,
 * ScatterElements/Scatter, TensorScatter, Trilu, GridSample, AffineGrid, Col2Im, Det, RoiAlign, LpPool,
 * MaxUnpool, NonZero, BitwiseAnd/Or/Xor/Not, OneHot, Compress, CenterCropPad, ReverseSequence,
 * DepthToSpace, SpaceToDepth, EyeLike, Mean, CumProd and Upsample. Values a node reads on the host
 * (Compress's condition, OneHot's depth and values, ReverseSequence's lengths, write positions, image
 * and block shapes) become index tensors or attributes; the data moves and the math happen in the ops.
 */
import { ARRAY_CTOR, type DType } from '../../../core/dtype.js';
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { dtypeOfOnnx, onnxTypeName } from '../tensor-proto.js';
import { addMappings } from './table.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const has = (node: OnnxNode, i: number) => node.inputs.length > i && node.inputs[i] !== '';
const normAxis = (a: number, r: number) => (a < 0 ? a + r : a);

/** Host-made indices as int64: a WebGPU session keeps int64 on wasm, beside the wasm-only index ops that read them. */
function int64<T extends TensorInfo>(x: Exec<T>, values: ArrayLike<number>, dims: number[]): T {
  return x.tensor({ dtype: 'int64', dims, data: BigInt64Array.from(Array.from(values), BigInt) });
}

const gatherElements: OnnxOpMapping = {
  op: 'GatherElements',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const axis = new Attrs(node, ['axis']).int('axis', 0);
    return { calls: ['GatherElements'], run: (x, ins) => x.op('GatherElements', [need(ins[0], 'data'), need(ins[1], 'indices')], { axis }) };
  },
};

const gatherND: OnnxOpMapping = {
  op: 'GatherND',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const batch_dims = new Attrs(node, ['batch_dims']).int('batch_dims', 0);
    return { calls: ['GatherND'], run: (x, ins) => x.op('GatherND', [need(ins[0], 'data'), need(ins[1], 'indices')], { batch_dims }) };
  },
};

const scatterND: OnnxOpMapping = {
  op: 'ScatterND',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode): Lowered {
    arity(node, 3);
    const reduction = new Attrs(node, ['reduction']).string('reduction', 'none');
    const attrs = reduction === 'none' ? {} : { reduction };
    return { calls: ['ScatterND'], run: (x, ins) => x.op('ScatterND', [need(ins[0], 'data'), need(ins[1], 'indices'), need(ins[2], 'updates')], attrs) };
  },
};

/** ScatterElements (opset 11; reduction from 16) and its predecessor Scatter (opsets 9 and 10). */
function scatterElements(op: 'ScatterElements' | 'Scatter'): OnnxOpMapping {
  return {
    op,
    domain: '',
    sinceOpset: op === 'Scatter' ? 9 : 11,
    lower(node: OnnxNode): Lowered {
      arity(node, 3);
      const at = new Attrs(node, op === 'Scatter' ? ['axis'] : ['axis', 'reduction']);
      const attrs = { axis: at.int('axis', 0), reduction: at.string('reduction', 'none') };
      return { calls: ['ScatterElements'], run: (x, ins) => x.op('ScatterElements', [need(ins[0], 'data'), need(ins[1], 'indices'), need(ins[2], 'updates')], attrs) };
    },
  };
}

/** GridSample (opset 16: bilinear/bicubic; 20 on: linear/cubic and 5-D). */
const gridSample: OnnxOpMapping = {
  op: 'GridSample',
  domain: '',
  sinceOpset: 16,
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['align_corners', 'mode', 'padding_mode']);
    const raw = at.string('mode', 'linear');
    const mode = raw === 'bilinear' ? 'linear' : raw === 'bicubic' ? 'cubic' : raw;
    if (mode !== 'linear' && mode !== 'nearest' && mode !== 'cubic') throw new UnsupportedNodeError(`mode '${raw}'`);
    const paddingMode = at.string('padding_mode', 'zeros');
    if (!['zeros', 'border', 'reflection'].includes(paddingMode)) throw new UnsupportedNodeError(`padding_mode '${paddingMode}'`);
    const attrs = { mode, paddingMode, alignCorners: at.int('align_corners', 0) !== 0 };
    return { calls: ['GridSample'], run: (x, ins) => x.op('GridSample', [need(ins[0], 'X'), need(ins[1], 'grid')], attrs) };
  },
};

/** BitwiseAnd/Or/Xor/Not (opset 18): attribute-free. */
function bitwise(op: 'BitwiseAnd' | 'BitwiseOr' | 'BitwiseXor' | 'BitwiseNot'): OnnxOpMapping {
  const n = op === 'BitwiseNot' ? 1 : 2;
  return {
    op,
    domain: '',
    sinceOpset: 18,
    lower(node: OnnxNode): Lowered {
      arity(node, n);
      new Attrs(node, []);
      return { calls: [op], run: (x, ins) => x.op(op, ins.slice(0, n).map((t, i) => need(t, String(i)))) };
    },
  };
}

/** LpPool: MaxPool's window attributes and p (ceil_mode from opset 18). */
const lpPool: OnnxOpMapping = {
  op: 'LpPool',
  domain: '',
  sinceOpset: 2,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'p', 'pads', 'strides']);
    if (!at.has('kernel_shape')) throw new UnsupportedNodeError('kernel_shape is required');
    const autoPad = at.string('auto_pad', 'NOTSET');
    if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) throw new UnsupportedNodeError(`auto_pad '${autoPad}'`);
    const opt = (k: string, name: string) => (at.has(name) ? { [k]: at.ints(name) } : {});
    const attrs = { kernelShape: at.ints('kernel_shape'), autoPad, ceilMode: at.int('ceil_mode', 0), p: at.int('p', 2), ...opt('strides', 'strides'), ...opt('pads', 'pads'), ...opt('dilations', 'dilations') };
    return { calls: ['LpPool'], run: (x, ins) => x.op('LpPool', [need(ins[0], 'X')], attrs) };
  },
};

/**
 * TensorScatter (opset 24, a KV-cache write): update[b] goes into past_cache[b] along `axis` from
 * write_indices[b] on (wrapping in circular mode) — a ScatterElements whose indices follow from the
 * (host) write positions.
 */
const tensorScatter: OnnxOpMapping = {
  op: 'TensorScatter',
  domain: '',
  sinceOpset: 24,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2, 3);
    const at = new Attrs(node, ['axis', 'mode']);
    const axisAttr = at.int('axis', -2);
    const mode = at.string('mode', 'linear');
    if (mode !== 'linear' && mode !== 'circular') throw new UnsupportedNodeError(`mode '${mode}'`);
    const cPos = constInts(ctx, 2);
    return {
      calls: ['ScatterElements'],
      hostInputs: has(node, 2) ? [2] : [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const cache = need(ins[0], 'past_cache');
        const upd = need(ins[1], 'update');
        const r = cache.shape.length;
        const axis = normAxis(axisAttr, r);
        if (axis < 1 || axis >= r) throw new UnsupportedNodeError(`axis ${axisAttr} for a rank-${r} cache (axis 0 is the batch)`);
        const B = upd.shape[0]!;
        const pos = has(node, 2) ? intsOf(x, need(ins[2], 'write_indices'), cPos) : new Array<number>(B).fill(0);
        if (pos.length !== B) throw new UnsupportedNodeError(`write_indices has ${pos.length} entries for a batch of ${B}`);
        const max = cache.shape[axis]!;
        const s = upd.shape;
        const after = s.slice(axis + 1).reduce((a, b) => a * b, 1);
        const idx = new Int32Array(s.reduce((a, b) => a * b, 1));
        for (let e = 0; e < idx.length; e++) {
          const i = Math.floor(e / after) % s[axis]!;
          const b = Math.floor(e / (idx.length / Math.max(1, B)));
          const v = pos[b]! + i;
          idx[e] = mode === 'circular' ? ((v % max) + max) % max : v;
        }
        return x.op('ScatterElements', [cache, int64(x, idx, s.slice()), upd], { axis });
      },
    };
  },
};

/**
 * MaxUnpool: X's values scattered into zeros at their Indices (flat positions in the default output
 * shape): one ScatterElements over the flattened output. A larger output_shape keeps each value at its
 * default-shape position (the extra rows and columns at the end of each axis stay 0, as the ONNX node
 * test expects): the indices are then re-flattened for that shape on the host. The zeros are an int64
 * host tensor cast to X's dtype, and host-made indices are int64, so on a WebGPU session they stay on
 * wasm with the ScatterElements that reads them.
 */
const maxUnpool: OnnxOpMapping = {
  op: 'MaxUnpool',
  domain: '',
  sinceOpset: 9,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2, 3);
    const at = new Attrs(node, ['kernel_shape', 'pads', 'strides']);
    const kernel = at.ints('kernel_shape');
    if (!kernel) throw new UnsupportedNodeError('kernel_shape is required');
    const pads = at.ints('pads');
    const strides = at.ints('strides');
    const cIdx = constInts(ctx, 1);
    const cShape = constInts(ctx, 2);
    const sized = has(node, 2);
    return {
      calls: ['Cast', 'ScatterElements'],
      hostInputs: sized ? [1, 2] : [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const X = need(ins[0], 'X');
        const I = need(ins[1], 'I');
        const sr = kernel.length;
        const shape = [...X.shape.slice(0, 2), ...X.shape.slice(2).map((d, i) => (d - 1) * (strides?.[i] ?? 1) + kernel[i]! - (pads?.[i] ?? 0) - (pads?.[i + sr] ?? 0))];
        const out = sized ? intsOf(x, need(ins[2], 'output_shape'), cShape) : shape;
        if (out.length !== shape.length || out.some((d, i) => d < shape[i]!)) throw new UnsupportedNodeError(`output_shape [${out.join(',')}] smaller than the default [${shape.join(',')}]`);
        const total = out.reduce((a, b) => a * b, 1);
        const n = X.shape.reduce((a, b) => a * b, 1);
        let idx = x.reshape(I, [n]);
        if (sized) {
          const def = shape.reduce((a, b) => a * b, 1);
          const moved = intsOf(x, I, cIdx).map((f) => {
            if (!(f >= 0 && f < def)) return total; // out of range: ScatterElements names it
            let g = 0;
            let rem = f;
            let scale = 1;
            for (let d = shape.length - 1; d >= 0; d--) {
              g += (rem % shape[d]!) * scale;
              rem = Math.floor(rem / shape[d]!);
              scale *= out[d]!;
            }
            return g;
          });
          idx = x.tensor({ dtype: 'int64', dims: [n], data: BigInt64Array.from(moved, BigInt) });
        }
        const zeros = x.op('Cast', [x.tensor({ dtype: 'int64', dims: [total], data: new BigInt64Array(total) })], { to: X.dtype })[0]!;
        const [flat] = x.op('ScatterElements', [zeros, idx, x.reshape(X, [n])], { axis: 0 });
        return [x.reshape(flat!, out)];
      },
    };
  },
};

/** NonZero: the positions of the non-zero elements, read on the host (the output's size depends on them). */
const nonZero: OnnxOpMapping = {
  op: 'NonZero',
  domain: '',
  sinceOpset: 9,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    new Attrs(node, []);
    const c = constInts(ctx, 0);
    return {
      calls: [],
      hostInputs: [0],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const t = need(ins[0], 'X');
        const v = intsOf(x, t, c);
        const r = t.shape.length;
        const hits: number[] = [];
        v.forEach((e, i) => (e !== 0 || Number.isNaN(e)) && hits.push(i));
        const out = new BigInt64Array(Math.max(r, 1) * hits.length);
        hits.forEach((f, k) => {
          for (let d = r - 1; d >= 0; d--) {
            out[d * hits.length + k] = BigInt(f % t.shape[d]!);
            f = Math.floor(f / t.shape[d]!);
          }
        });
        return [x.tensor({ dtype: 'int64', dims: [Math.max(r, 1), hits.length], data: out })];
      },
    };
  },
};

/** AffineGrid (opset 20): the size input ([N, C, H, W] or [N, C, D, H, W]) is read on the host. */
const affineGrid: OnnxOpMapping = {
  op: 'AffineGrid',
  domain: '',
  sinceOpset: 20,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2);
    const alignCorners = new Attrs(node, ['align_corners']).int('align_corners', 0) !== 0;
    const cSize = constInts(ctx, 1);
    return {
      calls: ['AffineGrid'],
      hostInputs: [1],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        return x.op('AffineGrid', [need(ins[0], 'theta')], { size: intsOf(x, need(ins[1], 'size'), cSize), alignCorners });
      },
    };
  },
};

/** Col2Im (opset 18): image_shape and block_shape are inputs read on the host. */
const col2Im: OnnxOpMapping = {
  op: 'Col2Im',
  domain: '',
  sinceOpset: 18,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 3);
    const at = new Attrs(node, ['dilations', 'pads', 'strides']);
    const opt = (name: string) => (at.has(name) ? { [name]: at.ints(name) } : {});
    const cImg = constInts(ctx, 1);
    const cBlk = constInts(ctx, 2);
    return {
      calls: ['Col2Im'],
      hostInputs: [1, 2],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const attrs = { imageShape: intsOf(x, need(ins[1], 'image_shape'), cImg), blockShape: intsOf(x, need(ins[2], 'block_shape'), cBlk), ...opt('dilations'), ...opt('pads'), ...opt('strides') };
        return x.op('Col2Im', [need(ins[0], 'input')], attrs);
      },
    };
  },
};

/** Det (opset 11): attribute-free. */
const det: OnnxOpMapping = {
  op: 'Det',
  domain: '',
  sinceOpset: 11,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    new Attrs(node, []);
    return { calls: ['Det'], run: (x, ins) => x.op('Det', [need(ins[0], 'X')]) };
  },
};

/** RoiAlign (opset 10; coordinate_transformation_mode from 16, where half_pixel became the default). */
const roiAlign: OnnxOpMapping = {
  op: 'RoiAlign',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 3);
    const at = new Attrs(node, ['coordinate_transformation_mode', 'mode', 'output_height', 'output_width', 'sampling_ratio', 'spatial_scale']);
    const mode = at.string('mode', 'avg');
    const ctm = at.string('coordinate_transformation_mode', ctx.opset >= 16 ? 'half_pixel' : 'output_half_pixel');
    if (mode !== 'avg' && mode !== 'max') throw new UnsupportedNodeError(`mode '${mode}'`);
    if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel') throw new UnsupportedNodeError(`coordinate_transformation_mode '${ctm}'`);
    const attrs = {
      mode, coordinateTransformationMode: ctm, outputHeight: at.int('output_height', 1), outputWidth: at.int('output_width', 1),
      samplingRatio: at.int('sampling_ratio', 0), spatialScale: at.float('spatial_scale', 1),
    };
    return { calls: ['RoiAlign'], run: (x, ins) => x.op('RoiAlign', [need(ins[0], 'X'), need(ins[1], 'rois'), need(ins[2], 'batch_indices')], attrs) };
  },
};

/** Trilu (opset 14): k is an optional one-element input read on the host. */
const trilu: OnnxOpMapping = {
  op: 'Trilu',
  domain: '',
  sinceOpset: 14,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1, 2);
    const upper = new Attrs(node, ['upper']).int('upper', 1);
    const cK = constInts(ctx, 1);
    return {
      calls: ['Trilu'],
      hostInputs: [1],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const k = has(node, 1) ? intsOf(x, need(ins[1], 'k'), cK)[0]! : 0;
        return x.op('Trilu', [need(ins[0], 'input')], { upper, k });
      },
    };
  },
};

/**
 * OneHot-11: depth and values ([off, on]) are read on the host, float indices truncate (a Cast), and
 * negative indices count from depth (a Where over the int64 indices); the contract places the new axis.
 */
const oneHot: OnnxOpMapping = {
  op: 'OneHot',
  domain: '',
  sinceOpset: 9,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 3);
    const axisAttr = new Attrs(node, ['axis']).int('axis', -1);
    const cDepth = constInts(ctx, 1);
    const cValues = constInts(ctx, 2);
    return {
      calls: ['Cast', 'Less', 'Add', 'Where', 'OneHot'],
      hostInputs: [1, 2],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        let idx = need(ins[0], 'indices');
        const valuesT = need(ins[2], 'values');
        const depth = Math.trunc(intsOf(x, need(ins[1], 'depth'), cDepth)[0]!);
        const values = intsOf(x, valuesT, cValues);
        if (values.length !== 2) throw new UnsupportedNodeError(`values must hold [off, on], got ${values.length} values`);
        if (idx.dtype !== 'int64') idx = x.op('Cast', [idx], { to: 'int64' })[0]!;
        const zero = x.tensor({ dtype: 'int64', dims: [], data: new BigInt64Array(1) });
        const d = x.tensor({ dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(depth)) });
        const neg = x.op('Less', [idx, zero])[0]!;
        idx = x.op('Where', [neg, x.op('Add', [idx, d])[0]!, idx])[0]!;
        return x.op('OneHot', [idx], { depth, offValue: values[0], onValue: values[1], dtype: valuesT.dtype, axis: axisAttr });
      },
    };
  },
};

/** Compress: the positions where the (host) condition is true become Gather indices; no axis flattens first. */
const compress: OnnxOpMapping = {
  op: 'Compress',
  domain: '',
  sinceOpset: 9,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['axis']);
    const axisAttr = at.has('axis') ? at.int('axis', 0) : undefined;
    const cCond = constInts(ctx, 1);
    return {
      calls: ['Gather'],
      hostInputs: [1],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        let data = need(ins[0], 'input');
        const cond = intsOf(x, need(ins[1], 'condition'), cCond);
        if (axisAttr === undefined) data = x.reshape(data, [data.shape.reduce((a, b) => a * b, 1)]);
        const r = data.shape.length;
        const axis = normAxis(axisAttr ?? 0, r);
        if (axis < 0 || axis >= r) throw new UnsupportedNodeError(`axis ${axisAttr} for a rank-${r} input`);
        if (cond.length > data.shape[axis]!) throw new UnsupportedNodeError(`condition has ${cond.length} entries for an axis of ${data.shape[axis]}`);
        const picks: number[] = [];
        cond.forEach((c, i) => c && picks.push(i));
        return x.op('Gather', [data, int64(x, picks, [picks.length])], { axis });
      },
    };
  },
};

/** CenterCropPad: one Pad whose negative pads crop (centred; the odd element goes to the end). */
const centerCropPad: OnnxOpMapping = {
  op: 'CenterCropPad',
  domain: '',
  sinceOpset: 18,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2);
    const axesAttr = new Attrs(node, ['axes']).ints('axes');
    const cShape = constInts(ctx, 1);
    return {
      calls: ['Pad'],
      hostInputs: [1],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const data = need(ins[0], 'input_data');
        const r = data.shape.length;
        const target = intsOf(x, need(ins[1], 'shape'), cShape);
        const axes = (axesAttr ?? data.shape.map((_, i) => i)).map((a) => normAxis(a, r));
        if (target.length !== axes.length || axes.some((a) => a < 0 || a >= r)) throw new UnsupportedNodeError(`shape [${target.join(',')}] for axes [${axes.join(',')}] of a rank-${r} input`);
        const pads = new Array<number>(2 * r).fill(0);
        axes.forEach((a, i) => {
          const dim = data.shape[a]!;
          const want = target[i]!;
          const begin = want < dim ? -Math.floor((dim - want) / 2) : Math.floor((want - dim) / 2);
          pads[a] = begin;
          pads[a + r] = want - dim - begin;
        });
        return x.op('Pad', [data], { pads, mode: 'constant', value: 0 });
      },
    };
  },
};

/** ReverseSequence: a GatherElements along the time axis with indices from the (host) lengths. */
const reverseSequence: OnnxOpMapping = {
  op: 'ReverseSequence',
  domain: '',
  sinceOpset: 10,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['batch_axis', 'time_axis']);
    const batchAxis = at.int('batch_axis', 1);
    const timeAxis = at.int('time_axis', 0);
    if (!((batchAxis === 0 && timeAxis === 1) || (batchAxis === 1 && timeAxis === 0))) throw new UnsupportedNodeError(`batch_axis ${batchAxis} with time_axis ${timeAxis}`);
    const cLens = constInts(ctx, 1);
    return {
      calls: ['GatherElements'],
      hostInputs: [1],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const data = need(ins[0], 'input');
        const s = data.shape;
        const lens = intsOf(x, need(ins[1], 'sequence_lens'), cLens);
        if (s.length < 2 || lens.length !== s[batchAxis]) throw new UnsupportedNodeError(`sequence_lens has ${lens.length} entries for input [${s.join(',')}]`);
        const inner = s.slice(2).reduce((a, b) => a * b, 1);
        const idx = new Int32Array(s.reduce((a, b) => a * b, 1));
        for (let i = 0; i < s[0]!; i++) {
          for (let j = 0; j < s[1]!; j++) {
            const [b, t] = batchAxis === 0 ? [i, j] : [j, i];
            const len = lens[b]!;
            if (len < 0 || len > s[timeAxis]!) throw new UnsupportedNodeError(`sequence length ${len} outside [0, ${s[timeAxis]}]`);
            idx.fill(t < len ? len - 1 - t : t, (i * s[1]! + j) * inner, (i * s[1]! + j + 1) * inner);
          }
        }
        return x.op('GatherElements', [data, int64(x, idx, s.slice())], { axis: timeAxis });
      },
    };
  },
};

/** DepthToSpace (DCR or CRD) and SpaceToDepth: a reshape to 6-D, a transpose, a reshape back (NCHW). */
function blocks(op: 'DepthToSpace' | 'SpaceToDepth'): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode): Lowered {
      arity(node, 1);
      const at = new Attrs(node, op === 'DepthToSpace' ? ['blocksize', 'mode'] : ['blocksize']);
      const b = at.int('blocksize', 0);
      if (b < 1) throw new UnsupportedNodeError(`blocksize ${b}`);
      const mode = at.string('mode', 'DCR');
      if (mode !== 'DCR' && mode !== 'CRD') throw new UnsupportedNodeError(`mode '${mode}'`);
      return {
        calls: ['Transpose'],
        run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
          const input = need(ins[0], 'input');
          if (input.shape.length !== 4) throw new UnsupportedNodeError(`a rank-${input.shape.length} input (NCHW only)`);
          const [n, c, h, w] = input.shape as [number, number, number, number];
          if (op === 'SpaceToDepth') {
            if (h % b || w % b) throw new UnsupportedNodeError(`H ${h} and W ${w} must be multiples of blocksize ${b}`);
            const v = x.reshape(input, [n, c, h / b, b, w / b, b]);
            const t = x.op('Transpose', [v], { perm: [0, 3, 5, 1, 2, 4] })[0]!;
            return [x.reshape(t, [n, c * b * b, h / b, w / b])];
          }
          if (c % (b * b)) throw new UnsupportedNodeError(`C ${c} must be a multiple of blocksize² ${b * b}`);
          const cb = c / (b * b);
          const dcr = mode === 'DCR';
          const v = x.reshape(input, dcr ? [n, b, b, cb, h, w] : [n, cb, b, b, h, w]);
          const t = x.op('Transpose', [v], { perm: dcr ? [0, 3, 4, 1, 5, 2] : [0, 1, 4, 2, 5, 3] })[0]!;
          return [x.reshape(t, [n, cb, h * b, w * b])];
        },
      };
    },
  };
}

/** EyeLike: ones on diagonal k of a 2-D tensor of the input's shape (host data: it follows from the shape alone). */
const eyeLike: OnnxOpMapping = {
  op: 'EyeLike',
  domain: '',
  sinceOpset: 9,
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['dtype', 'k']);
    const k = at.int('k', 0);
    let to: DType | undefined;
    if (at.has('dtype')) {
      to = dtypeOfOnnx(at.int('dtype', 0));
      if (!to) throw new UnsupportedNodeError(`dtype ${onnxTypeName(at.int('dtype', 0))}`);
    }
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const input = need(ins[0], 'input');
        if (input.shape.length !== 2) throw new UnsupportedNodeError(`a rank-${input.shape.length} input (EyeLike takes 2-D)`);
        const [rows, cols] = input.shape as [number, number];
        const dtype = to ?? input.dtype;
        const data = new ARRAY_CTOR[dtype](rows * cols) as unknown as { [i: number]: unknown };
        const one = dtype === 'int64' ? 1n : dtype === 'bool' ? 1 : 1;
        for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) data[i * cols + i + k] = one;
        return [x.tensor({ dtype, dims: [rows, cols], data: data as never })];
      },
    };
  },
};

/** Mean: the inputs summed left to right (Add), then divided by their count. */
const mean: OnnxOpMapping = {
  op: 'Mean',
  domain: '',
  sinceOpset: 8,
  lower(node: OnnxNode): Lowered {
    arity(node, 1, Infinity);
    new Attrs(node, []);
    return {
      calls: ['Add', 'Div'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        let acc = need(ins[0], '0');
        if (ins.length === 1) return [acc];
        for (let i = 1; i < ins.length; i++) acc = x.op('Add', [acc, need(ins[i], String(i))])[0]!;
        const n = x.tensor({ dtype: acc.dtype, dims: [], data: new ARRAY_CTOR[acc.dtype](1).fill(ins.length as never) });
        return x.op('Div', [acc, n]);
      },
    };
  },
};

/** CumProd (opset 26): the axis is a one-element input. */
const cumProd: OnnxOpMapping = {
  op: 'CumProd',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 2);
    const at = new Attrs(node, ['exclusive', 'reverse']);
    const flags = { exclusive: at.int('exclusive', 0), reverse: at.int('reverse', 0) };
    const constant = constInts(ctx, 1);
    return {
      calls: ['CumProd'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const axis = intsOf(x, need(ins[1], 'axis'), constant)[0];
        return x.op('CumProd', [need(ins[0], 'x')], { ...flags, axis });
      },
    };
  },
};

/** Upsample (opsets 7 to 9): a Resize with asymmetric coordinates (nearest rounds down, as Upsample defines). */
const upsample: OnnxOpMapping = {
  op: 'Upsample',
  domain: '',
  sinceOpset: 7,
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    const at = new Attrs(node, ctx.opset < 9 ? ['mode', 'scales'] : ['mode']);
    arity(node, 1, ctx.opset < 9 ? 1 : 2);
    const mode = at.string('mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear') throw new UnsupportedNodeError(`mode '${mode}'`);
    const attrScales = at.ints('scales');
    const node7 = node.attrs.get('scales')?.floats;
    const cScales = constInts(ctx, 1);
    return {
      calls: ['Resize'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const input = need(ins[0], 'X');
        const r = input.shape.length;
        const scales = ctx.opset < 9 ? (node7 ?? attrScales) : intsOf(x, need(ins[1], 'scales'), cScales);
        if (!scales || scales.length !== r) throw new UnsupportedNodeError(`scales must have ${r} entries`);
        if (r < 2 || scales.slice(0, r - 2).some((s) => s !== 1)) throw new UnsupportedNodeError(`scales [${scales.join(',')}]: only the last two axes may scale`);
        const outputShape = input.shape.map((d, i) => Math.floor(d * scales[i]!));
        const attrs = { mode, coordinateTransformationMode: 'asymmetric', nearestMode: 'floor', outputShape, scales: [scales[r - 2]!, scales[r - 1]!] };
        return x.op('Resize', [input], attrs);
      },
    };
  },
};

addMappings([gatherElements, gatherND, scatterND, scatterElements('ScatterElements'), scatterElements('Scatter'), trilu, gridSample, affineGrid, col2Im, det, roiAlign, lpPool, tensorScatter, maxUnpool, nonZero, bitwise('BitwiseAnd'), bitwise('BitwiseOr'), bitwise('BitwiseXor'), bitwise('BitwiseNot'), oneHot, compress, centerCropPad, reverseSequence, blocks('DepthToSpace'), blocks('SpaceToDepth'), eyeLike, mean, cumProd, upsample]);
