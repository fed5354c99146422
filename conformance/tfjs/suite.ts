/**
 * The test files of tfjs-core's own suite (`dist/tests.js` of the installed @tensorflow/tfjs-core),
 * less the deny-list below. The deny-list is the same for every backend: it names only files
 * that need a browser (DOM, IndexedDB, localStorage, Web Workers) and cannot run in Node at all.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Browser-only test files, relative to tfjs-core's dist/, with the reason each is left out. Empty:
 * in tfjs-core 4.22.0 every browser-only spec (IndexedDB, localStorage, browser files, workers)
 * guards itself with BROWSER_ENVS / HAS_WORKER, so every file loads in Node and runs what applies;
 * tfjs-backend-cpu then passes all 4,227 specs, as tfjs' own Node target does.
 */
export const DENY: Readonly<Record<string, string>> = {};

export interface CoreSuite {
  /** tfjs-core's package folder (the single copy every import is resolved to). */
  coreDir: string;
  version: string;
  /** test modules to import, relative to dist/ (no extension), in tests.js order. */
  files: string[];
  /** files of tests.js left out by the deny-list. */
  denied: string[];
}

/** jasmine-core's version, or undefined when it is not installed. */
export function jasmineVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve('jasmine-core/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function locateCore(): string {
  return dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
}

export function loadSuite(): CoreSuite {
  const coreDir = locateCore();
  const version = (JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { version: string }).version;
  const text = readFileSync(join(coreDir, 'dist', 'tests.js'), 'utf8');
  const all = [...text.matchAll(/^import '\.\/([^']+)';$/gm)].map((m) => m[1]!);
  if (all.length === 0) throw new Error(`no test imports found in ${join(coreDir, 'dist', 'tests.js')}`);
  return { coreDir, version, files: all.filter((f) => !(f in DENY)), denied: all.filter((f) => f in DENY) };
}
