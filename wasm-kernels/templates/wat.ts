/**
 * Shared pieces for the WAT templates. A kernel family is one .wasm module: it imports `env.memory`
 * and nothing else, and exports plain functions over pointers and sizes.
 */

/** One build of a family: relaxed SIMD or plain SIMD128, on a shared (threads) or local memory. */
export interface WatVariant {
  relaxed: boolean;
  shared: boolean;
}

export interface WatFamily {
  /** Module name, e.g. 'binary', 'gemm'. Also the file name of its wasm and WebGPU launchers. */
  readonly name: string;
  /** True when the family emits different code with relaxed SIMD (FMA); false builds only the plain variant. */
  readonly usesRelaxed: boolean;
  emit(v: WatVariant): string;
}

export type VariantKey = 'simd-local' | 'simd-shared' | 'relaxed-local' | 'relaxed-shared';

export function variantKey(v: WatVariant): VariantKey {
  return `${v.relaxed ? 'relaxed' : 'simd'}-${v.shared ? 'shared' : 'local'}`;
}

/**
 * The memory import every module starts with. Shared memories must declare a maximum, 4 GiB (65536
 * pages); local ones declare the same so the two builds differ only in the shared flag.
 */
export function memoryImport(v: WatVariant): string {
  return `(import "env" "memory" (memory 1 65536${v.shared ? ' shared' : ''}))`;
}

/** a*b+c on f32x4: one fused multiply-add with relaxed SIMD, a multiply then an add without. */
export function madd(v: WatVariant, a: string, b: string, c: string): string {
  return v.relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
}
