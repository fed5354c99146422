/**
 * Bundles tfjs-core's test files, a backend and the jasmine harness into one CommonJS file with
 * esbuild. Every `@tensorflow/tfjs-core` import — from the tests, from the backend package, from
 * the twinops adapter — is resolved to the same ES modules under the one installed tfjs-core, so
 * there is a single engine and kernel registry (a backend's `main` would otherwise pull in
 * tfjs-core's separate Node bundle).
 */
import { build, type Plugin } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteBackend } from './backends.js';
import type { CoreSuite } from './suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const CORE = '@tensorflow/tfjs-core';

function oneCore(coreDir: string): Plugin {
  return {
    name: 'one-tfjs-core',
    setup(b) {
      b.onResolve({ filter: /^@tensorflow\/tfjs-core(\/.*)?$/ }, (args) => {
        const sub = args.path.slice(CORE.length);
        if (sub === '' || sub === '/') return { path: join(coreDir, 'dist', 'index.js') };
        const file = join(coreDir, sub);
        return { path: file.endsWith('.js') ? file : `${file}.js` };
      });
    },
  };
}

/** Small generated modules, evaluated in import order between the test files. */
function virtualModules(mods: Record<string, string>): Plugin {
  return {
    name: 'conformance-virtual',
    setup(b) {
      b.onResolve({ filter: /^virtual:/ }, (args) => ({ path: args.path, namespace: 'virtual' }));
      b.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => {
        const contents = mods[args.path];
        if (contents === undefined) throw new Error(`unknown virtual module ${args.path}`);
        return { contents, loader: 'ts', resolveDir: root };
      });
    },
  };
}

export function bundleDir(): string {
  return join(root, 'node_modules', '.cache', 'twinops-tfjs-conformance');
}

export async function bundleSuite(suite: CoreSuite, backend: SuiteBackend, filter?: string): Promise<string> {
  const outfile = join(bundleDir(), `suite-${backend.name}.cjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  const env = { name: backend.name, backendName: backend.name, isDataSync: backend.isDataSync };
  const mods: Record<string, string> = {
    'virtual:register': backend.register(),
    // as each tfjs backend's own Node test setup: chained ops and gradients registered, one env
    'virtual:envs': [
      `import '${CORE}';`,
      `import '${CORE}/dist/public/chained_ops/register_all_chained_ops';`,
      `import '${CORE}/dist/register_all_gradients';`,
      `import { setTestEnvs } from '${CORE}/dist/jasmine_util';`,
      `setTestEnvs([${JSON.stringify(env)}]);`,
    ].join('\n'),
    'virtual:run': `import { runSuite } from ${JSON.stringify(join(here, 'harness.ts'))};\n` +
      `void runSuite(${JSON.stringify(backend.name)}, ${JSON.stringify(filter ?? '')});\n`,
  };
  const entry = [
    `import ${JSON.stringify(join(here, 'boot.ts'))};`,
    `import 'virtual:register';`,
    `import 'virtual:envs';`,
    ...suite.files.map((f) => `import ${JSON.stringify(join(suite.coreDir, 'dist', `${f}.js`))};`),
    `import 'virtual:run';`,
  ].join('\n');
  await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'tfjs-conformance-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
    // tfjs-core's package.json lists only a few files as having side effects; its test files
    // (which only call describe) would be dropped as unused without this
    ignoreAnnotations: true,
    // jasmine-core may come from NODE_PATH until it is a devDependency of the project
    nodePaths: (process.env.NODE_PATH ?? '').split(':').filter(Boolean),
    plugins: [oneCore(suite.coreDir), virtualModules(mods)],
  });
  return outfile;
}
