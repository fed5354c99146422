/**
 * Sequence and optional outputs past onnxruntime-common: its InferenceSession.run turns every result
 * into a Tensor, so a model whose outputs are sequences or optionals is run through the twinops
 * handler directly. Sequences come back as arrays of ort Tensors, an empty optional as null.
 */
import { OrtArgumentError } from './errors.js';
import { TwinopsSessionHandler } from './session-handler.js';

export async function runOnnxValues(session: unknown, feeds: Record<string, unknown>, fetches?: readonly string[]): Promise<Record<string, unknown>> {
  const handler = (session as { handler?: unknown } | null)?.handler;
  if (!(handler instanceof TwinopsSessionHandler)) throw new OrtArgumentError('runOnnxValues takes an InferenceSession created with the twinops or twinops-webgpu execution provider');
  return handler.runValues(feeds, fetches);
}
