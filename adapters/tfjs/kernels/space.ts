/**
 * Kernels that only rearrange elements, as compositions of twinops data-movement ops (the same
 * decompositions tfjs-backend-cpu uses, with tfjs-core's own shape helpers): SpaceToBatchND (Pad,
 * Transpose), BatchToSpaceND (Transpose, Slice), DepthToSpace (Transpose), FlipLeftRight (Reverse).
 * Reshapes between them are views (no copy).
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel, inputX } from './register.js';

const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ ...t, shape });

defineKernel('SpaceToBatchND', ['Pad', 'Transpose'], ({ inputs, attrs, backend }) => {
  const kernel = 'SpaceToBatchND';
  const x = inputX(inputs);
  const blockShape = attrs.blockShape as number[];
  const paddings = attrs.paddings as [number, number][];
  const prod = util.sizeFromShape(blockShape);
  const full: [number, number][] = [[0, 0], ...paddings];
  for (let i = 1 + blockShape.length; i < x.shape.length; i++) full.push([0, 0]);
  const padded = backend.runOne(kernel, 'Pad', [x], { pads: [...full.map((p) => p[0]), ...full.map((p) => p[1])], mode: 'constant', value: 0 });
  try {
    const reshaped = backend_util.getReshaped(padded.shape, blockShape, prod, false);
    const perm = backend_util.getPermuted(reshaped.length, blockShape.length, false);
    const flat = backend_util.getReshapedPermuted(padded.shape, blockShape, prod, false);
    const y = backend.runOne(kernel, 'Transpose', [view(padded, reshaped)], { perm });
    return backend.reshaped(y, flat);
  } finally {
    backend.release(padded);
  }
}, { complexParts: true, strings: true });

defineKernel('BatchToSpaceND', ['Transpose', 'Slice'], ({ inputs, attrs, backend }) => {
  const kernel = 'BatchToSpaceND';
  const x = inputX(inputs);
  const blockShape = attrs.blockShape as number[];
  const crops = attrs.crops as number[][];
  const prod = util.sizeFromShape(blockShape);
  const reshaped = backend_util.getReshaped(x.shape, blockShape, prod);
  const perm = backend_util.getPermuted(reshaped.length, blockShape.length);
  const reshapedPermuted = backend_util.getReshapedPermuted(x.shape, blockShape, prod);
  const begin = backend_util.getSliceBeginCoords(crops, blockShape.length);
  const size = backend_util.getSliceSize(reshapedPermuted, crops, blockShape.length);
  const t = backend.runOne(kernel, 'Transpose', [view(x, reshaped)], { perm });
  try {
    return backend.runOne(kernel, 'Slice', [view(t, reshapedPermuted)], { starts: begin, ends: begin.map((b, i) => b + size[i]!) });
  } finally {
    backend.release(t);
  }
}, { complexParts: true, strings: true });

defineKernel('DepthToSpace', ['Transpose'], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const bs = attrs.blockSize as number;
  if (((attrs.dataFormat as string | undefined) ?? 'NHWC') !== 'NHWC') backend.unsupported('DepthToSpace', `dataFormat ${String(attrs.dataFormat)} is not supported (NHWC only)`);
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const depth = c / (bs * bs);
  // out[b, h·bs + i, w·bs + j, k] = in[b, h, w, (i·bs + j)·depth + k]
  const y = backend.runOne('DepthToSpace', 'Transpose', [view(x, [b, h, w, bs, bs, depth])], { perm: [0, 1, 3, 2, 4, 5] });
  return backend.reshaped(y, [b, h * bs, w * bs, depth]);
}, { complexParts: true, strings: true });

defineKernel('FlipLeftRight', ['Reverse'], ({ inputs, backend }) =>
  backend.runOne('FlipLeftRight', 'Reverse', [inputs.image as TensorInfo], { axes: [2] }),
);

// Diag: x (n elements) on the diagonal of an n×n matrix, shaped [...x.shape, ...x.shape]. Each
// element followed by n zeros, read back in rows of n, puts element i at (i, i).
defineKernel('Diag', ['Pad', 'Slice'], ({ inputs, backend }) => {
  const x = inputX(inputs);
  const n = util.sizeFromShape(x.shape);
  const padded = backend.runOne('Diag', 'Pad', [view(x, [n, 1])], { pads: [0, 0, 0, n], mode: 'constant', value: 0 });
  try {
    const y = backend.runOne('Diag', 'Slice', [view(padded, [n * (n + 1)])], { starts: [0], ends: [n * n] });
    return backend.reshaped(y, [...x.shape, ...x.shape]);
  } finally {
    backend.release(padded);
  }
}, { complexParts: true });

// BroadcastArgs: the broadcast of two shapes given as int32 vectors (shape metadata, computed in JS)
defineKernel('BroadcastArgs', [], ({ inputs, backend }) => {
  const s0 = Array.from(backend.readSync((inputs.s0 as TensorInfo).dataId) as Int32Array);
  const s1 = Array.from(backend.readSync((inputs.s1 as TensorInfo).dataId) as Int32Array);
  const shape = backend_util.assertAndGetBroadcastShape(s0, s1);
  return { dataId: backend.write(Int32Array.from(shape), [shape.length], 'int32'), shape: [shape.length], dtype: 'int32' };
});
