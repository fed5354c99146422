/**
 * wasm launchers for the elementwise unary ops (family `unary`, see unary.wat.ts). The flat range
 * is split across threads in multiples of 16 elements.
 */
import type { Tensor } from '../core/tensor.js';
import { BOOL_UNARY_OPS, UNARY_OPS, unaryDTypes, type UnaryPlan } from '../ops/unary.js';
import '../ops/logical.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Small ops run on one thread below a measured threshold (elements per thread). Measured on 2 cores,
 * Node 20: waking a worker costs ~20–40 µs; one thread does Relu/Abs/Clip at 0.1–0.4 ns/element
 * (cache / memory), Exp 0.65, Sigmoid 0.9, Tanh 1.5, Log 1.6, Erf 2.2, Gelu 2.6 ns/element. A
 * thread's share should be worth ≥ ~10–20 µs: 64k elements for the copy-like ops, 16k for the rest.
 * The later ops, timed next to Exp and Tanh (64k elements, one thread, on a loaded machine, so only
 * the ratios mean much): Floor/Round/Reciprocal/Sign/HardSigmoid/HardSwish/Softsign/IsNaN cost 0.2–1.4×
 * Exp (cheap); Elu/Selu/Expm1 ~1–3× Exp, Log1p ~2× Tanh, Sin/Cos/Tan/Atan/Asin/Acos 2.5–4× Tanh
 * (float64 inside), Sinh/Cosh/Asinh/Acosh/Atanh ~1–3× Tanh, Softplus and Mish 3–9× Tanh (math:
 * already worth a thread at 16k elements). int64 Abs/Neg/Sign: 0.5–0.8 ns/element at 64k (cheap).
 * float64 (64k elements, one thread, under load): Abs 0.35 ns/element (cheap), Exp 4.3, Log 6.1
 * (math: 16k).
 */
const MIN_PER_THREAD_CHEAP = 1 << 16;
const MIN_PER_THREAD_MATH = 1 << 14;
const CHEAP = new Set([
  'Relu', 'LeakyRelu', 'Clip', 'Abs', 'Neg', 'Sqrt', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'Square', 'Rsqrt', 'Sign', 'Relu6',
  'HardSigmoid', 'HardSwish', 'Softsign', 'ThresholdedRelu', 'Shrink', 'Step', 'IsNaN', 'IsInf', 'Not',
]);

/** The narrower integer dtypes: [min, max] (Clip's bounds are clamped to it) and the kernel suffix. */
const NARROW: Partial<Record<string, [number, number, string]>> = {
  int8: [-128, 127, 'i8'], uint8: [0, 255, 'u8'], int16: [-32768, 32767, 'i16'], uint16: [0, 65535, 'u16'], uint32: [0, 4294967295, 'u32'],
};
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function runUnary(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: UnaryPlan): void {
  const op = plan.op;
  const w = ctx.wasm;
  const int = plan.dispatchDType === 'int32';
  const narrow = NARROW[plan.dispatchDType];
  const suffix = plan.dispatchDType === 'bool' ? 'u8' : int ? 'i32' : plan.dispatchDType === 'int64' ? 'i64' : plan.dispatchDType === 'float64' ? 'f64' : plan.dispatchDType === 'uint64' ? 'u64' : narrow ? narrow[2] : 'f32';
  let fn = `${op}_${suffix}`;
  const args = [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op)];
  if (op === 'LeakyRelu' || op === 'Elu' || op === 'Celu' || op === 'ThresholdedRelu' || op === 'Step') args.push(plan.alpha);
  if (op === 'HardSigmoid') args.push(plan.alpha, plan.beta);
  if (op === 'Selu') args.push(Math.fround(plan.gamma * plan.alpha), plan.gamma);
  if (op === 'Shrink') args.push(plan.beta, plan.gamma);
  if (op === 'IsInf') args.push(plan.detectPositive ? Infinity : NaN, plan.detectNegative ? -Infinity : NaN);
  if (op === 'Clip') {
    // trunc: for integer x, trunc(clamp(x, lo, hi)) = clamp(x, trunc(lo), trunc(hi))
    if (int) args.push(Math.max(INT32_MIN, Math.min(INT32_MAX, Math.trunc(plan.min))), Math.max(INT32_MIN, Math.min(INT32_MAX, Math.trunc(plan.max))));
    // the bounds as the dtype holds them (uint32 passes through i32 bits)
    else if (narrow) args.push(...[plan.min, plan.max].map((b) => Math.max(narrow[0], Math.min(narrow[1], Math.trunc(b))) | 0));
    else args.push(plan.min, plan.max);
  }
  if (op === 'Gelu' && plan.approximate === 'tanh') fn = 'GeluTanh_f32';
  w.parallelFor('unary', fn, args, plan.size, { grain: 16, minPerThread: CHEAP.has(op) ? MIN_PER_THREAD_CHEAP : MIN_PER_THREAD_MATH, op });
}

for (const op of [...UNARY_OPS, ...BOOL_UNARY_OPS]) {
  registry.register<UnaryPlan>({
    op,
    device: 'wasm',
    dtypes: unaryDTypes(op),
    kind: 'compute',
    family: 'unary',
    run: runUnary,
  });
}
