/**
 * 'gpu-buffer' feeds and outputs of the 'twinops-webgpu' ORT backend, through onnxruntime-web's
 * InferenceSession on a GPUDevice given to registerOrtBackend: GPU feeds against CPU feeds (same
 * kernels: bit-identical) and onnxruntime-node, downloaded GPU outputs, typed errors, no leaks.
 */
/// <reference types="@webgpu/types" />
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError, DTypeError, ShapeError } from '../core/errors.js';
import type { Runtime } from '../core/runtime.js';
import { OrtArgumentError, registerOrtBackend, type OrtModule, type TwinopsSessionHandler } from '../adapters/ort/index.js';
import { acquireDevice, USAGE, type AcquiredDevice } from '../webgpu-kernels/runtime/device.js';
import { buildModel, T } from './ort/build-model.js';
import { prng } from './arbitraries.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { hasGpu } from './runtimes.js';

const rand = prng(7);
const W = Float32Array.from({ length: 3 * 2 * 3 * 3 }, () => rand() * 2 - 1);
const B = Float32Array.from({ length: 3 }, () => rand() - 0.5);
/** y = Conv(x, W, B) + b; s = Shape(x) (int64, computed on wasm). */
const MODEL = buildModel({
  inputs: [
    { name: 'x', type: T.FLOAT, dims: [1, 2, 5, 5] },
    { name: 'b', type: T.FLOAT, dims: [1, 3, 3, 3] },
  ],
  outputs: [
    { name: 'y', type: T.FLOAT, dims: [1, 3, 3, 3] },
    { name: 's', type: T.INT64, dims: [4] },
  ],
  initializers: [
    { name: 'W', type: T.FLOAT, dims: [3, 2, 3, 3], data: W },
    { name: 'B', type: T.FLOAT, dims: [3], data: B },
  ],
  nodes: [
    { op: 'Conv', inputs: ['x', 'W', 'B'], outputs: ['c'] },
    { op: 'Add', inputs: ['c', 'b'], outputs: ['y'] },
    { op: 'Shape', inputs: ['x'], outputs: ['s'] },
  ],
});
const X = Float32Array.from({ length: 50 }, () => rand() * 4 - 2);
X[3] = NaN;
X[7] = Infinity;
const Bb = Float32Array.from({ length: 27 }, () => rand() - 0.5);

/** float32 convolution sums 18 products in another order than onnxruntime-node's MLAS: rounding only. */
const CLOSE = { op: 'Conv+Add on twinops-webgpu vs onnxruntime-node', dtype: 'float32', atol: 1e-5, rtol: 1e-5 } as const;
const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

let dev: AcquiredDevice | undefined;
let other: AcquiredDevice | undefined;

function gpuBuffer(device: GPUDevice, data: Float32Array | Int32Array, usage = STORAGE): GPUBuffer {
  const buf = device.createBuffer({ size: Math.max(4, data.byteLength), usage });
  device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}
const gpuFeed = (device: GPUDevice, data: Float32Array, dims: number[]) => ortWeb.Tensor.fromGpuBuffer(gpuBuffer(device, data), { dataType: 'float32', dims });
const cpuFeeds = () => ({ x: new ortWeb.Tensor('float32', X, [1, 2, 5, 5]), b: new ortWeb.Tensor('float32', Bb, [1, 3, 3, 3]) });
const handlerOf = (s: ortWeb.InferenceSession) => (s as unknown as { handler: TwinopsSessionHandler }).handler;
const rtOf = (s: ortWeb.InferenceSession) => (handlerOf(s) as unknown as { rt: Runtime }).rt;

describe.skipIf(!hasGpu)('gpu-buffer feeds and outputs on twinops-webgpu (skipped: no WebGPU adapter)', () => {
  let session: ortWeb.InferenceSession;
  let want: Float32Array;

  beforeAll(async () => {
    dev = await acquireDevice();
    other = await acquireDevice();
    registerOrtBackend(ortWeb as unknown as OrtModule, { gpuDevice: dev!.device });
    session = await ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops-webgpu'] });
    const ref = await ortNode.InferenceSession.create(MODEL);
    const r = await ref.run({ x: new ortNode.Tensor('float32', X, [1, 2, 5, 5]), b: new ortNode.Tensor('float32', Bb, [1, 3, 3, 3]) });
    want = r.y!.data as Float32Array;
    await ref.release();
  });
  afterAll(async () => {
    await session?.release();
    dev?.device.destroy();
    other?.device.destroy();
  });

  it('runs on the device given to registerOrtBackend', () => {
    expect(handlerOf(session).gpuDevice).toBe(dev!.device);
  });

  it('GPU feeds give what CPU feeds give, and what onnxruntime-node gives', async () => {
    const cpu = await session.run(cpuFeeds());
    const feeds = { x: gpuFeed(dev!.device, X, [1, 2, 5, 5]), b: gpuFeed(dev!.device, Bb, [1, 3, 3, 3]) };
    const out = await session.run(feeds);
    expect(out.y!.location).toBe('cpu');
    expectBitIdentical(out.y!.data as Float32Array, cpu.y!.data as Float32Array, 'y');
    expect(Array.from(out.s!.data as BigInt64Array)).toEqual([1n, 2n, 5n, 5n]);
    expectClose(out.y!.data as Float32Array, want, CLOSE);
    feeds.x.dispose();
    feeds.b.dispose();
  });

  it("preferredOutputLocation 'gpu-buffer' returns caller-owned buffers that download and dispose", async () => {
    const s = await ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops-webgpu'], preferredOutputLocation: 'gpu-buffer' });
    const rt = rtOf(s);
    const before = rt.memory().gpuBytes;
    const cpu = await session.run(cpuFeeds());
    for (let k = 0; k < 2; k++) {
      const feeds = k === 0 ? cpuFeeds() : { x: gpuFeed(dev!.device, X, [1, 2, 5, 5]), b: gpuFeed(dev!.device, Bb, [1, 3, 3, 3]) };
      const out = await s.run(feeds);
      expect(out.y!.location).toBe('gpu-buffer');
      expect(out.y!.dims).toEqual([1, 3, 3, 3]);
      expect(out.s!.location).toBe('gpu-buffer'); // int64, computed on wasm, uploaded
      expect(out.y!.gpuBuffer.usage & STORAGE).toBe(STORAGE);
      expectBitIdentical((await out.y!.getData()) as Float32Array, cpu.y!.data as Float32Array, 'y');
      expect(Array.from((await out.s!.getData()) as BigInt64Array)).toEqual([1n, 2n, 5n, 5n]);
      // the buffer is the caller's: the session's next run does not overwrite it
      const again = await s.run(cpuFeeds());
      expectBitIdentical((await out.y!.getData()) as Float32Array, cpu.y!.data as Float32Array, 'y');
      for (const t of [out.y!, out.s!, again.y!, again.s!]) t.dispose();
      for (const t of Object.values(feeds)) t.dispose();
    }
    expect(rt.memory().gpuBytes).toBe(before);
    // on the caller's device (registerOrtBackend's gpuDevice) an output outlives its session
    const last = await s.run(cpuFeeds());
    await s.release();
    expectBitIdentical((await last.y!.getData()) as Float32Array, cpu.y!.data as Float32Array, 'y');
    last.y!.dispose();
    last.s!.dispose();
  });

  it('a per-output map puts only the named outputs on the GPU', async () => {
    const s = await ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops-webgpu'], preferredOutputLocation: { y: 'gpu-buffer', s: 'cpu' } });
    const out = await s.run(cpuFeeds());
    expect(out.y!.location).toBe('gpu-buffer');
    expect(out.s!.location).toBe('cpu');
    expectClose((await out.y!.getData()) as Float32Array, want, CLOSE);
    out.y!.dispose();
    await s.release();
  });

  it('GPU feeds leak nothing', async () => {
    const rt = rtOf(session);
    const before = rt.memory().gpuBytes;
    for (let k = 0; k < 3; k++) {
      const feeds = { x: gpuFeed(dev!.device, X, [1, 2, 5, 5]), b: gpuFeed(dev!.device, Bb, [1, 3, 3, 3]) };
      await session.run(feeds);
      feeds.x.dispose();
      feeds.b.dispose();
    }
    expect(rt.memory().gpuBytes).toBe(before);
  });

  it('rejects bad GPU feeds with typed errors naming the feed', async () => {
    const b = new ortWeb.Tensor('float32', Bb, [1, 3, 3, 3]);
    // a buffer of another GPUDevice
    await expect(session.run({ x: gpuFeed(other!.device, X, [1, 2, 5, 5]), b })).rejects.toThrow(DeviceError);
    await expect(session.run({ x: gpuFeed(other!.device, X, [1, 2, 5, 5]), b })).rejects.toThrow(/feed 'x'.*GPUDevice/);
    // wrong dtype
    const i32 = ortWeb.Tensor.fromGpuBuffer(gpuBuffer(dev!.device, new Int32Array(50)), { dataType: 'int32', dims: [1, 2, 5, 5] });
    await expect(session.run({ x: i32, b })).rejects.toThrow(DTypeError);
    await expect(session.run({ x: i32, b })).rejects.toThrow(/input 'x' must be float32, got int32/);
    // a buffer smaller than the dims need
    const small = ortWeb.Tensor.fromGpuBuffer(gpuBuffer(dev!.device, new Float32Array(10)), { dataType: 'float32', dims: [1, 2, 5, 5] });
    await expect(session.run({ x: small, b })).rejects.toThrow(ShapeError);
    await expect(session.run({ x: small, b })).rejects.toThrow(/feed 'x'.*at least 200 bytes .*got 40/);
    // the session still runs after the failures
    const out = await session.run(cpuFeeds());
    expectClose(out.y!.data as Float32Array, want, CLOSE);
  });

  it('the wasm twinops session rejects GPU feeds and GPU outputs', async () => {
    const s = await ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops'] });
    const x = gpuFeed(dev!.device, X, [1, 2, 5, 5]);
    await expect(s.run({ x, b: new ortWeb.Tensor('float32', Bb, [1, 3, 3, 3]) })).rejects.toThrow(DeviceError);
    await expect(s.run({ x, b: new ortWeb.Tensor('float32', Bb, [1, 3, 3, 3]) })).rejects.toThrow(/feed 'x' is a GPU buffer.*'twinops-webgpu'/);
    x.dispose();
    await s.release();
    await expect(ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops'], preferredOutputLocation: 'gpu-buffer' })).rejects.toThrow(/'gpu-buffer' outputs need the 'twinops-webgpu'/);
    await expect(ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops-webgpu'], preferredOutputLocation: { z: 'gpu-buffer' } })).rejects.toThrow(OrtArgumentError);
    await expect(ortWeb.InferenceSession.create(MODEL, { executionProviders: ['twinops-webgpu'], preferredOutputLocation: 'texture' })).rejects.toThrow(/location "texture" is not supported/);
  });
});
