/**
 * WebGPU twin of Range (float32, int32; int64 has no WebGPU storage). One invocation per element.
 * int32: start + i·delta wrapping, exact (as wasm). float32: start + f32(i)·delta in float32, two
 * roundings (WGSL has no float64), so a value may differ from wasm's once-rounded one by 1 ulp of
 * max(|start|, |i·delta|); f32(i) is exact below 2^24 elements.
 */
import { RANGE_DTYPES, type RangePlan } from '../ops/range.js';
import { registry } from '../registry/registry.js';
import { gpuOf, memo } from './runtime/kernel.js';
import { Uniforms, declareBindings, flatMain, grid1d, wgslType } from './runtime/shader.js';

const WG = 64;

const uniformsOf = memo((t: string) => new Uniforms().scalar('n', 'u32').scalar('start', t as 'f32' | 'i32').scalar('delta', t as 'f32' | 'i32'));

const source = memo((t: string) => `${declareBindings([{ name: 'Y', type: t as 'f32' | 'i32', access: 'read_write' }])}
${uniformsOf(t).declare(1)}
${flatMain(WG, 'u.n', t === 'i32' ? 'Y[gi] = u.start + i32(gi) * u.delta;' : 'Y[gi] = u.start + f32(gi) * u.delta;')}`);

registry.register<RangePlan>({
  op: 'Range',
  device: 'webgpu',
  dtypes: RANGE_DTYPES.filter((d) => d !== 'int64'),
  kind: 'compute',
  family: 'range',
  run(ctx, _inputs, outputs, plan) {
    const gpu = gpuOf(ctx, 'Range');
    const t = wgslType(plan.dispatchDType, 'Range');
    gpu.dispatch({
      pipeline: gpu.pipeline(`range|${t}`, () => source(t)),
      buffers: [gpu.bufferOf(outputs[0]!, 'Range')],
      uniforms: uniformsOf(t).pack({ n: plan.size, start: plan.start, delta: plan.delta }),
      workgroups: grid1d(plan.size, WG),
    });
  },
});
