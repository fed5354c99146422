/**
 * String kernels (StringNGrams, StringSplit, StringToHashBucketFast, StaticRegexReplace) → the
 * host-side string ops of ops/strings.ts (string tensors stay in JS on this backend; see the note
 * there). Only inputs, attributes and outputs are translated here.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TwinopsError } from '../../../core/errors.js';
import { stringNGrams, stringSplit, stringToHashBucketFast, staticRegexReplace, type Bytes } from '../../../ops/strings.js';
import { TfjsKernelError, type TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

function strings(backend: TwinopsBackend, t: TensorInfo): Bytes[] {
  return backend.readSync(t.dataId) as Bytes[];
}

function out(backend: TwinopsBackend, values: Bytes[] | Int32Array, shape: number[], dtype: 'string' | 'int32'): TensorInfo {
  return { dataId: backend.write(values, shape, dtype), shape, dtype };
}

/** Run a string op for `kernel`, rethrowing twinops errors under the kernel's name. */
function guarded<T>(kernel: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TwinopsError) throw new TfjsKernelError(kernel, e.message, { cause: e });
    throw e;
  }
}

defineKernel('StringNGrams', [], ({ inputs, attrs, backend }) =>
  guarded('StringNGrams', () => {
    const data = strings(backend, inputs.data as TensorInfo);
    const splits = backend.readSync((inputs.dataSplits as TensorInfo).dataId) as Int32Array;
    const r = stringNGrams(data, splits, {
      separator: attrs.separator as string,
      nGramWidths: attrs.nGramWidths as number[],
      leftPad: attrs.leftPad as string,
      rightPad: attrs.rightPad as string,
      padWidth: attrs.padWidth as number,
      preserveShortSequences: attrs.preserveShortSequences as boolean,
    });
    return [out(backend, r.nGrams, [r.nGrams.length], 'string'), out(backend, r.splits, [r.splits.length], 'int32')];
  }),
);

defineKernel('StringSplit', [], ({ inputs, attrs, backend }) =>
  guarded('StringSplit', () => {
    const input = strings(backend, inputs.input as TensorInfo);
    const delimiter = strings(backend, inputs.delimiter as TensorInfo)[0] ?? new Uint8Array(0);
    const r = stringSplit(input, delimiter, attrs.skipEmpty as boolean);
    return [out(backend, r.indices, [r.values.length, 2], 'int32'), out(backend, r.values, [r.values.length], 'string'), out(backend, Int32Array.from(r.shape), [2], 'int32')];
  }),
);

defineKernel('StringToHashBucketFast', [], ({ inputs, attrs, backend }) =>
  guarded('StringToHashBucketFast', () => {
    const input = inputs.input as TensorInfo;
    return out(backend, stringToHashBucketFast(strings(backend, input), attrs.numBuckets as number), input.shape.slice(), 'int32');
  }),
);

defineKernel('StaticRegexReplace', [], ({ inputs, attrs, backend }) =>
  guarded('StaticRegexReplace', () => {
    const x = inputs.x as TensorInfo;
    const r = staticRegexReplace(strings(backend, x), attrs.pattern as string, attrs.rewrite as string, (attrs.replaceGlobal as boolean | undefined) ?? true);
    return out(backend, r, x.shape.slice(), 'string');
  }),
);
