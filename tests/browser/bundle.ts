/**
 * esbuild bundles for the page, built in memory: harness.js (env and thread-pool checks, no kernels
 * needed) and suite.js (entry.ts: the op subset through twinops' index.ts). Both are ESM for the
 * browser; `node:*` imports (pool.ts loads node:worker_threads only under Node) and the Node-only
 * `webgpu` (Dawn) package stay external and are never reached in a browser.
 */
import { build, type Message } from 'esbuild';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

// fill(ptr, v, start, end): ptr[i] = v + i, after a short busy loop so chunks last long enough for a worker to join.
const POOL_WAT = `(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "fill") (param $p i32) (param $v f32) (param $s i32) (param $e i32) (local $i i32) (local $k i32)
    (local.set $i (local.get $s))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
      (local.set $k (i32.const 0))
      (loop $spin (local.set $k (i32.add (local.get $k) (i32.const 1))) (br_if $spin (i32.lt_u (local.get $k) (i32.const 2000))))
      (f32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
        (f32.add (local.get $v) (f32.convert_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))))`;

async function poolWasmBase64(): Promise<string> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('pool.wat', POOL_WAT, { threads: true });
  try {
    return Buffer.from(mod.toBinary({}).buffer).toString('base64');
  } finally {
    mod.destroy();
  }
}

export interface Bundle {
  /** The code, or undefined when the build failed. */
  code?: string;
  /** Its source map (sources relative to the working directory), to report errors at source lines. */
  map?: string;
  errors: string[];
}

function fmt(m: Message): string {
  const loc = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
  return `${loc}${m.text}`;
}

async function bundle(entry: string, define: Record<string, string> = {}): Promise<Bundle> {
  try {
    const r = await build({
      entryPoints: [here(entry)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      external: ['node:*', 'webgpu'],
      // package.json's "sideEffects": ["./dist/*"] would let esbuild drop the source's side-effect
      // imports (registry/kernels.ts registers every kernel that way): bundling from source, ignore it
      ignoreAnnotations: true,
      define,
      logLevel: 'silent',
      sourcemap: 'external',
      outfile: 'out.js',
    });
    const file = (ext: string) => r.outputFiles.find((f) => f.path.endsWith(ext))!.text;
    return { code: file('.js'), map: file('.js.map'), errors: [] };
  } catch (e) {
    const errs = (e as { errors?: Message[] }).errors;
    return { errors: errs?.length ? errs.map(fmt) : [String(e)] };
  }
}

export async function buildBundles(): Promise<{ harness: Bundle; suite: Bundle }> {
  const b64 = await poolWasmBase64();
  const [harness, suite] = await Promise.all([bundle('./harness.ts', { __POOL_WASM_B64__: JSON.stringify(b64) }), bundle('./entry.ts')]);
  return { harness, suite };
}
