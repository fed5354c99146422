import type { DType } from '../core/dtype.js';

/** What an op's contract knows about an input: enough to check shapes and dtypes. */
export interface TensorInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface OutputSpec {
  shape: number[];
  dtype: DType;
}

/**
 * The result of checking an op's inputs and attributes: the outputs to allocate, the dtype the
 * registry dispatches on, and whatever derived parameters the kernels need (op specific).
 */
export interface Plan {
  outputs: OutputSpec[];
  dispatchDType: DType;
}

/** An operator contract: shape and dtype rules, no math. Kernels for it live in wasm-kernels/ and webgpu-kernels/. */
export interface OpDef<A, P extends Plan> {
  readonly name: string;
  /** Check inputs and attributes and derive the plan; throws a typed error naming the op. */
  plan(inputs: readonly TensorInfo[], attrs: A): P;
}

/** Activations that MatMul and Gemm can fuse into their epilogue. */
export type Activation =
  | { kind: 'linear' }
  | { kind: 'relu' }
  | { kind: 'relu6' }
  | { kind: 'leakyRelu'; alpha: number }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'sigmoid' }
  | { kind: 'tanh' }
  | { kind: 'gelu' }
  | { kind: 'elu'; alpha: number }
  | { kind: 'hardSigmoid'; alpha: number; beta: number };

export type ActivationKind = Activation['kind'];
