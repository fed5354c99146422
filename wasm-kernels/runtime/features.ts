/**
 * WebAssembly feature detection. Each probe is a tiny module (bytes below, assembled once with wabt)
 * that only validates when the engine supports the feature.
 */
export interface WasmFeatures {
  /** SIMD128: required. */
  simd: boolean;
  /** Relaxed SIMD (f32x4.relaxed_madd); Node 20 needs --experimental-wasm-relaxed-simd. */
  relaxedSimd: boolean;
  /** Shared memory + atomics + a way to run workers with it (SharedArrayBuffer usable). */
  threads: boolean;
}

// (module (func (result v128) (i32x4.splat (i32.const 0))))
const SIMD = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11];
// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
const RELAXED = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, ...new Array<number>(16).fill(0), 253, 12, ...new Array<number>(16).fill(0), 253, 12, ...new Array<number>(16).fill(0), 253, 133, 2, 11,
];
// (module (memory 1 1 shared) (func (result i32) (i32.atomic.load (i32.const 0))))
const THREADS = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 10, 1, 8, 0, 65, 0, 254, 16, 2, 0, 11];

function validates(bytes: number[]): boolean {
  try {
    return WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

function sharedMemoryUsable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  // Browsers expose SharedArrayBuffer only to cross-origin-isolated pages (COOP/COEP headers).
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false) return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let cached: WasmFeatures | undefined;

export function detectFeatures(): WasmFeatures {
  cached ??= {
    simd: validates(SIMD),
    relaxedSimd: validates(RELAXED),
    threads: validates(THREADS) && sharedMemoryUsable(),
  };
  return cached;
}
