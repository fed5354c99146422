/**
 * HardSwish written out in primitives, as exporters emit it before opset 14, becomes one twinops
 * HardSwish (x·clamp(x/6 + 1/2, 0, 1)):
 *   Mul(x, Clip(Add(x, 3), 0, 6)) then Div by 6 or Mul by 1/6;  Mul(x, HardSigmoid(x; 1/6, 1/2)).
 * The intermediates must have no other readers. One pass over memory instead of four.
 */
import type { Step } from '../graph.js';
import type { OnnxNode } from '../model.js';
import type { GraphEdit } from './edit.js';

/** The other input of a two-input node next to `x`, or undefined. */
function other(n: OnnxNode, x: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  const k = n.inputs.indexOf(x);
  return k < 0 ? undefined : n.inputs[1 - k];
}

function is(step: Step | undefined, op: string): step is Step {
  return !!step && step.node.domain === '' && step.node.opType === op && step.node.outputs.length === 1;
}

/** Clip bounds of a Clip node (attributes before opset 11, constant inputs from 11). */
export function clipBounds(e: GraphEdit, n: OnnxNode): { min: number; max: number } | undefined {
  if (e.opset < 11) return { min: n.attrs.get('min')?.f ?? -Infinity, max: n.attrs.get('max')?.f ?? Infinity };
  const lo = n.inputs[1] ? e.scalar(n.inputs[1]) : -Infinity;
  const hi = n.inputs[2] ? e.scalar(n.inputs[2]) : Infinity;
  return lo === undefined || hi === undefined ? undefined : { min: lo, max: hi };
}

/** Rewrite every HardSwish pattern; returns how many. */
export function fuseHardSwish(e: GraphEdit): number {
  let count = 0;
  const close = (v: number | undefined, want: number) => v !== undefined && Math.abs(v - want) <= 1e-6 * Math.abs(want);
  for (const first of [...e.g.steps]) {
    if (!e.has(first)) continue;
    const n = first.node;
    let x: string | undefined;
    let chain: Step[] | undefined;
    if (is(first, 'Add')) {
      // Add(x, 3) → Clip(0, 6) → Mul(x, ·) → Div(·, 6) | Mul(·, 1/6)
      const three = n.inputs.find((i) => close(e.scalar(i), 3));
      x = three === undefined ? undefined : other(n, three);
      const clip = e.soleConsumer(n.outputs[0]!);
      const b = is(clip, 'Clip') ? clipBounds(e, clip.node) : undefined;
      if (!x || !is(clip, 'Clip') || clip.node.inputs[0] !== n.outputs[0] || !b || b.min !== 0 || b.max !== 6) continue;
      const mul = e.soleConsumer(clip.node.outputs[0]!);
      if (!is(mul, 'Mul') || other(mul.node, clip.node.outputs[0]!) !== x) continue;
      const div = e.soleConsumer(mul.node.outputs[0]!);
      if (!div) continue;
      const ok = (is(div, 'Div') && div.node.inputs[0] === mul.node.outputs[0] && close(e.scalar(div.node.inputs[1]), 6)) || (is(div, 'Mul') && close(e.scalar(other(div.node, mul.node.outputs[0]!)), 1 / 6));
      if (!ok) continue;
      chain = [first, clip, mul, div];
    } else if (is(first, 'HardSigmoid')) {
      x = n.inputs[0];
      if (!close(n.attrs.get('alpha')?.f ?? 0.2, 1 / 6) || !close(n.attrs.get('beta')?.f ?? 0.5, 0.5)) continue;
      const mul = e.soleConsumer(n.outputs[0]!);
      if (!x || !is(mul, 'Mul') || other(mul.node, n.outputs[0]!) !== x) continue;
      chain = [first, mul];
    }
    if (!chain || !x) continue;
    const last = chain[chain.length - 1]!;
    const input = x;
    e.replace(chain, {
      node: { ...last.node, name: chain.map((s) => s.node.name).join('+'), opType: 'HardSwish', domain: '', inputs: [input], outputs: [last.node.outputs[0]!], attrs: new Map() },
      lowered: { calls: ['HardSwish'], run: (xe, ins) => xe.op('HardSwish', [ins[0]!]) },
    });
    count++;
  }
  return count;
}
