/**
 * Data-movement kernels → twinops' copy family (Transpose, Slice, Tile, Reverse, Concat, Split, Pad,
 * Gather, Where, Cast). tfjs attribute conventions (begin/size, paddings pairs, numOrSizeSplits) are
 * resolved with tfjs-core's own shape utilities and passed on as twinops attributes.
 */
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel, inputX } from './register.js';

defineKernel('Cast', ['Cast'], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const dtype = attrs.dtype as DataType;
  if (x.dtype === dtype) return backend.alias(x);
  if (x.dtype === 'complex64') {
    // as tfjs: a complex value casts through its real part
    const real = backend.complexPart('Cast', x, 'real');
    if (dtype === 'float32') return real;
    try {
      return backend.cast('Cast', real, dtype);
    } finally {
      backend.release(real);
    }
  }
  if (dtype === 'complex64') {
    // as tfjs: a real value becomes complex with a zero imaginary part
    const real = backend.cast('Cast', x, 'float32');
    const imag = backend.filled(x.shape, 'float32', 0);
    try {
      return backend.makeComplex(real, imag);
    } finally {
      backend.release(real, [x]);
      backend.release(imag);
    }
  }
  return backend.cast('Cast', x, dtype);
});

defineKernel('Transpose', ['Transpose'], ({ inputs, attrs, backend }) =>
  backend.runOne('Transpose', 'Transpose', [inputX(inputs)], { perm: attrs.perm as number[] }),
  { complexParts: true, strings: true },
);

defineKernel('Slice', ['Slice'], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number[], attrs.size as number[]) as [number[], number[]];
  slice_util.assertParamsValid(x as never, begin, size);
  return backend.runOne('Slice', 'Slice', [x], { starts: begin, ends: begin.map((b, i) => b + size[i]!) });
}, { complexParts: true, strings: true });

defineKernel('Tile', ['Tile'], ({ inputs, attrs, backend }) =>
  backend.runOne('Tile', 'Tile', [inputX(inputs)], { repeats: attrs.reps as number[] }),
  { complexParts: true, strings: true },
);

defineKernel('Reverse', ['Reverse'], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const axes = util.parseAxisParam(attrs.dims as number | number[], x.shape);
  if (axes.length === 0) return backend.alias(x);
  return backend.runOne('Reverse', 'Reverse', [x], { axes });
}, { complexParts: true, strings: true });

defineKernel('Concat', ['Concat'], ({ inputs, attrs, backend }) => {
  const list = inputs as unknown as TensorInfo[];
  const axis = util.parseAxisParam(attrs.axis as number, list[0]!.shape)[0]!;
  backend_util.assertParamsConsistent(list.map((t) => t.shape), axis);
  const nonEmpty = list.filter((t) => util.sizeFromShape(t.shape) > 0);
  const shape = backend_util.computeOutShape(list.map((t) => t.shape), axis);
  if (util.sizeFromShape(shape) === 0) return backend.filled(shape, list[0]!.dtype, 0);
  if (nonEmpty.length === 1) return backend.alias(nonEmpty[0]!, shape);
  return backend.runOne('Concat', 'Concat', nonEmpty, { axis });
}, { complexParts: true, strings: true });

defineKernel('SplitV', ['Split'], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number | number[], axis);
  return backend.runOp('SplitV', 'Split', [x], { axis, split: sizes });
}, { complexParts: true, strings: true });

defineKernel('Pack', ['Concat'], ({ inputs, attrs, backend }) => {
  const list = inputs as unknown as TensorInfo[];
  const first = list[0]!;
  const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + first.shape.length + 1 : (attrs.axis as number);
  const expanded = list.map((t) => ({ ...t, shape: [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)] }));
  if (expanded.length === 1) return backend.alias(first, expanded[0]!.shape);
  return backend.runOne('Pack', 'Concat', expanded, { axis });
}, { complexParts: true, strings: true });

defineKernel('Unpack', ['Split'], ({ inputs, attrs, backend }) => {
  const x = inputs.value as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
  const n = x.shape[axis]!;
  const shape = [...x.shape.slice(0, axis), ...x.shape.slice(axis + 1)];
  if (n === 1) return [backend.alias(x, shape)];
  const parts = backend.runOp('Unpack', 'Split', [x], { axis, split: new Array<number>(n).fill(1) });
  return parts.map((p) => backend.reshaped(p, shape));
}, { complexParts: true, strings: true });

defineKernel('PadV2', ['Pad'], ({ inputs, attrs, backend }) => {
  const paddings = attrs.paddings as [number, number][];
  return backend.runOne('PadV2', 'Pad', [inputX(inputs)], {
    pads: [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])],
    mode: 'constant',
    value: (attrs.constantValue as number | undefined) ?? 0,
  });
});

defineKernel('MirrorPad', ['Pad'], ({ inputs, attrs, backend }) => {
  const paddings = attrs.paddings as [number, number][];
  // tfjs 'reflect' excludes the edge, as ONNX 'reflect'; 'symmetric' repeats it (twinops Pad 'symmetric')
  const mode = attrs.mode as string;
  if (mode !== 'reflect' && mode !== 'symmetric') backend.unsupported('MirrorPad', `mode '${String(mode)}' is not supported (reflect, symmetric are)`);
  return backend.runOne('MirrorPad', 'Pad', [inputX(inputs)], {
    pads: [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])],
    mode,
  });
});

defineKernel('GatherV2', ['Gather', 'Slice', 'Concat'], ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const indices = inputs.indices as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
  const batchDims = (attrs.batchDims as number | undefined) ?? 0;
  // tfjs takes no negative indices (twinops' Gather wraps them, as ONNX): checked first, in tfjs' own words
  const dim = x.shape[axis]!;
  if (indices.dtype === 'int32') {
    const bad = (backend.readSync(indices.dataId) as Int32Array).find((v) => v < 0 || v >= dim);
    if (bad !== undefined) backend.unsupported('GatherV2', `GatherV2: the index value ${bad} is not in [0, ${dim - 1}]`);
  }
  if (batchDims === 0) return backend.runOne('GatherV2', 'Gather', [x, indices], { axis });
  // leading batch dims shared by x and indices: one Gather per batch entry, concatenated (tfjs'
  // own shape bookkeeping views x as [batch, outer, dim, slice] and indices as [batch, n])
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x as never, indices as never, axis, batchDims);
  const n = util.sizeFromShape(indices.shape) / info.batchSize;
  const xs = { ...x, shape: [info.batchSize, info.outerSize, info.dimSize, info.sliceSize] };
  const is = { ...indices, shape: [info.batchSize, n] };
  const parts: TensorInfo[] = [];
  try {
    for (let b = 0; b < info.batchSize; b++) {
      const xb = backend.runOne('GatherV2', 'Slice', [xs], { starts: [b], ends: [b + 1], axes: [0] });
      parts.push(xb);
      const ib = backend.runOne('GatherV2', 'Slice', [is], { starts: [b], ends: [b + 1], axes: [0] });
      parts.push(ib);
      parts.push(backend.runOne('GatherV2', 'Gather', [xb, { ...ib, shape: [n] }], { axis: 2 }));
    }
    const gathered = parts.filter((_, i) => i % 3 === 2);
    const y = gathered.length === 1 ? backend.alias(gathered[0]!) : backend.runOne('GatherV2', 'Concat', gathered, { axis: 0 });
    return backend.reshaped(y, info.outputShape);
  } finally {
    for (const p of parts) backend.release(p);
  }
}, { complexParts: true, strings: true });

defineKernel('Select', ['Where'], ({ inputs, backend }) => {
  const condition = inputs.condition as TensorInfo;
  const t = inputs.t as TensorInfo;
  const e = inputs.e as TensorInfo;
  // tfjs: a rank-1 condition picks whole rows of t/e along their first axis
  const c = condition.shape.length === 1 && t.shape.length > 1
    ? { ...condition, shape: [condition.shape[0]!, ...new Array<number>(t.shape.length - 1).fill(1)] }
    : condition;
  return backend.runOne('Select', 'Where', [c, t, e]);
});

defineKernel('ExpandDims', [], ({ inputs, attrs, backend }) => {
  const x = inputs.input as TensorInfo;
  const rank = x.shape.length;
  const dim = attrs.dim as number;
  const at = dim < 0 ? rank + dim + 1 : dim;
  if (at < 0 || at > rank) backend.unsupported('ExpandDims', `dim ${dim} is out of range for rank ${rank}`);
  return backend.alias(x, [...x.shape.slice(0, at), 1, ...x.shape.slice(at)]);
});

defineKernel('Squeeze', [], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const axes = util.parseAxisParam((attrs.axis as number[] | undefined) ?? [], x.shape);
  return backend.alias(x, util.squeezeShape(x.shape, axes.length ? axes : undefined).newShape);
});

defineKernel('StridedSlice', ['Slice'], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const info = slice_util.sliceInfo(
    x.shape,
    attrs.begin as number[],
    attrs.end as number[],
    attrs.strides as number[],
    attrs.beginMask as number,
    attrs.endMask as number,
    attrs.ellipsisMask as number,
    attrs.newAxisMask as number,
    attrs.shrinkAxisMask as number,
  );
  if (info.isIdentity) return backend.alias(x, info.finalShape);
  // sliceInfo's begin/end/strides are absolute per input axis; an end before index 0 (negative
  // stride) is written as a very negative end, which Slice clamps to "before 0" (ONNX rule)
  const ends = info.end.map((e) => (e < 0 ? -0x80000000 : e));
  const y = backend.runOne('StridedSlice', 'Slice', [x], { starts: info.begin, ends, steps: info.strides });
  return backend.reshaped(y, info.finalShape);
}, { complexParts: true, strings: true });
