/**
 * The backends the tfjs-core suite can run against, each as the source of a module that registers
 * it into the bundle's single tfjs-core. `isDataSync` is as each backend's own test setup declares it.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export interface SuiteBackend {
  /** the name the backend registers under in tfjs-core */
  name: string;
  /** the package or file it comes from, for the report */
  source: string;
  isDataSync: boolean;
  /** JS source (an ES module) that registers the backend */
  register(): string;
}

export const BACKENDS: Record<string, SuiteBackend> = {
  cpu: {
    name: 'cpu',
    source: '@tensorflow/tfjs-backend-cpu',
    isDataSync: true,
    register: () => `import '@tensorflow/tfjs-backend-cpu';\n`,
  },
  wasm: {
    name: 'wasm',
    source: '@tensorflow/tfjs-backend-wasm',
    isDataSync: true,
    register: () => {
      // The bundle moves the backend's JS away from its .wasm files: point it back at them.
      const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
      return `import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';\nsetWasmPaths(${JSON.stringify(dist)});\n`;
    },
  },
  twinops: {
    name: 'twinops',
    source: 'twinops/tfjs (adapters/tfjs)',
    isDataSync: true,
    register: () => `import ${JSON.stringify(resolve(here, '..', '..', 'adapters', 'tfjs', 'index.ts'))};\n`,
  },
};
