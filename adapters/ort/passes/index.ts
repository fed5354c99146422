/**
 * Graph passes run at session creation (every graphOptimizationLevel but 'disabled'), in order:
 * 1. BatchNormalization and per-channel Mul/Div/Add/Sub after a Conv folded into its weights;
 * 2. HardSwish patterns → one HardSwish; a per-channel scale (and, without padding, shift) of a
 *    Conv's input folded into its weights;
 * 3. MatMul + bias Add, and Conv/ConvTranspose/MatMul/Gemm + activation → the op's fused call;
 * 4. ConvTranspose with stride = kernel → MatMul + Transpose (conv-transpose.ts);
 * 5. at levels 'layout' and 'all' (and when no level is given: onnxruntime's default is 'all'),
 *    convolution chains run in NHWC with transposes only at their edges (layout.ts).
 * Each rewrites the session graph in place (steps, producer, read, constants). Subgraphs are
 * left as written.
 */
import type { SessionGraph } from '../graph.js';
import { GraphEdit } from './edit.js';
import { foldInputAffine, foldIntoConv } from './fold-conv.js';
import { fuseBiasActivation } from './fuse-activation.js';
import { Fusion } from './fused.js';
import { fuseHardSwish } from './hardswish.js';
import { layoutPass, type LayoutReport } from './layout.js';

export interface PassReport {
  /** Nodes folded into Conv weights (BatchNormalization, Mul, Add, ...). */
  foldedIntoConv: number;
  /** HardSwish patterns replaced. */
  hardSwish: number;
  /** Mul/Add nodes on a Conv's input folded into its weights. */
  foldedInputAffine: number;
  /** Bias Adds and activations merged into their producer's call. */
  fusedBiasActivation: number;
  /** ConvTransposes run as MatMul + Transpose. */
  convTransposeAsGemm: number;
  nodesBefore: number;
  nodesAfter: number;
  /** What the layout pass converted (present when it converted a region). */
  layout?: LayoutReport;
}

/** `level`: the session's graphOptimizationLevel ('disabled' runs no pass; callers skip it). */
export function optimizeGraph(g: SessionGraph, level?: string): PassReport {
  const nodesBefore = g.steps.length;
  const edit = new GraphEdit(g);
  const fusion = new Fusion(edit);
  const foldedIntoConv = foldIntoConv(fusion);
  const hardSwish = fuseHardSwish(edit);
  const foldedInputAffine = foldInputAffine(fusion);
  const fusedBiasActivation = fuseBiasActivation(fusion);
  // ConvTransposes not merged with an activation above get their GEMM form here (commit picks it)
  for (const step of [...g.steps]) {
    const info = fusion.infoOf(step);
    if (info?.op === 'ConvTranspose' && !info.activation && !step.node.opType.startsWith('ConvTranspose(GEMM)')) fusion.commit([step], info);
  }
  const convTransposeAsGemm = g.steps.filter((s) => s.node.opType.startsWith('ConvTranspose(GEMM)')).length;
  edit.finish();
  const layout = level === undefined || level === 'layout' || level === 'all' ? layoutPass(g) : undefined;
  return { foldedIntoConv, hardSwish, foldedInputAffine, fusedBiasActivation, convTransposeAsGemm, nodesBefore, nodesAfter: g.steps.length, ...(layout && layout.regions > 0 ? { layout } : {}) };
}
