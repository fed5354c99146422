/**
 * Loading tfjs models without fetch: an IOHandler that reads a `model.json` and its weight shards
 * from the file system (Node). tfjs-core only ships HTTP and browser-storage handlers; tfjs-node's
 * `file://` handler needs its native binding. Pure I/O: the JSON and the shards are handed to
 * tfjs-core, which decodes (and dequantises) the weights itself.
 *
 *   const model = await loadGraphModel(fileModel('node_modules/@vladmandic/human/models/emotion.json'));
 */
import { io } from '@tensorflow/tfjs-core';

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** An IOHandler reading `jsonPath` and the weight files its manifest names (relative to it). */
export function fileModel(jsonPath: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      let json: io.ModelJSON;
      try {
        json = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as io.ModelJSON;
      } catch (e) {
        throw new ModelFileError(`fileModel: cannot read the model JSON ${jsonPath}: ${(e as Error).message}`);
      }
      if (!json || typeof json !== 'object' || !json.modelTopology) {
        throw new ModelFileError(`fileModel: ${jsonPath} is not a tfjs model.json (no modelTopology)`);
      }
      const dir = path.dirname(jsonPath);
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const shards: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = path.join(dir, p);
            let bytes: Uint8Array;
            try {
              bytes = await fs.readFile(file);
            } catch (e) {
              throw new ModelFileError(`fileModel: weight shard ${file} of ${jsonPath}: ${(e as Error).message}`);
            }
            shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, shards];
      });
    },
  };
}
