/**
 * ONNX sequence and optional ops over the engine's SeqValue/OptValue: SequenceConstruct, -Empty,
 * -Insert, -At, -Erase, -Length, SplitToSequence, ConcatFromSequence (twinops Split/Concat do the
 * copying), SequenceMap (its body runs once per element), Optional, OptionalHasElement,
 * OptionalGetElement. Elements are shared between sequences as new handles on the same storage.
 */
import { DTypeError, ShapeError } from '../../../core/errors.js';
import type { Tensor } from '../../../core/tensor.js';
import { capturedValues, explicitInputs, subgraphOf, valueLowered, type ValueCtx, type ValueOp } from '../control-flow.js';
import { OnnxModelError, UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { dtypeOfOnnx } from '../tensor-proto.js';
import { describe, disposeValue, expectSeq, isTensor, OptValue, SeqValue, share, type Value } from '../values.js';
import { addMappings } from './table.js';
import { Attrs, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const label = (node: OnnxNode) => `${node.opType} '${node.name}'`;

function tensorIn(node: OnnxNode, v: Value | undefined, what: string): Tensor {
  if (isTensor(v)) return v;
  throw new DTypeError(label(node), `${what} must be a tensor, got ${describe(v)}`);
}

/** A position input (int32/int64 scalar), checked against [-len, len - 1] (or len when inserting). */
async function position(node: OnnxNode, v: Value | undefined, len: number, inserting: boolean): Promise<number | undefined> {
  if (v === undefined) return undefined;
  const t = tensorIn(node, v, 'position');
  if ((t.dtype !== 'int32' && t.dtype !== 'int64') || t.size !== 1) throw new DTypeError(label(node), `position must be an int32 or int64 scalar, got ${describe(t)}`);
  const p = Number((t.device === 'wasm' ? t.dataSync() : await t.data())[0]);
  const hi = inserting ? len : len - 1;
  if (p < -len || p > hi) throw new ShapeError(label(node), `position ${p} is out of range [${-len}, ${hi}] for a sequence of ${len}`);
  return p < 0 ? p + len : p;
}

function checkElem(node: OnnxNode, seq: SeqValue, t: Tensor): void {
  if (seq.elemType !== undefined && seq.elemType !== t.dtype) throw new DTypeError(label(node), `cannot put a ${t.dtype} tensor into a sequence of ${seq.elemType}`);
}

function simple(node: OnnxNode, allowed: readonly string[], min: number, max: number, op: ValueOp): Lowered {
  new Attrs(node, allowed);
  const n = explicitInputs(node, node.inputs).length;
  if (n < min || n > max) throw new OnnxModelError(`${label(node)} takes ${min === max ? min : `${min} to ${max}`} inputs, got ${n}`);
  for (let i = 0; i < min; i++) if (node.inputs[i] === '') throw new OnnxModelError(`${label(node)}: required input ${i} is missing`);
  return valueLowered([], op);
}

function mapping(op: string, lower: (node: OnnxNode, ctx: LowerCtx) => Lowered, sinceOpset = 11): OnnxOpMapping {
  return { op, domain: '', sinceOpset, lower };
}

const sequenceConstruct = mapping('SequenceConstruct', (node) =>
  simple(node, [], 1, Infinity, {
    async exec(x, ins) {
      const ts = ins.map((v, k) => tensorIn(node, v, `input ${k}`));
      for (const t of ts) if (t.dtype !== ts[0]!.dtype) throw new DTypeError(label(node), `inputs must share one dtype, got ${ts.map(describe).join(', ')}`);
      return [new SeqValue(ts[0]!.dtype, ts.map((t) => x.rt.reshape(t, t.shape)))];
    },
  }),
);

const sequenceEmpty = mapping('SequenceEmpty', (node) => {
  const at = new Attrs(node, ['dtype']);
  const dtype = dtypeOfOnnx(at.int('dtype', 1));
  if (!dtype) throw new UnsupportedNodeError(`dtype ${at.int('dtype', 1)} is not a twinops dtype`);
  return simple(node, ['dtype'], 0, 0, { exec: async () => [new SeqValue(dtype, [])] });
});

const sequenceInsert = mapping('SequenceInsert', (node) =>
  simple(node, [], 2, 3, {
    async exec(x, ins) {
      const seq = expectSeq(ins[0], node.name, 'input_sequence');
      const t = tensorIn(node, ins[1], 'tensor');
      checkElem(node, seq, t);
      const p = (await position(node, ins[2], seq.items.length, true)) ?? seq.items.length;
      const items = seq.items.map((u) => x.rt.reshape(u, u.shape));
      items.splice(p, 0, x.rt.reshape(t, t.shape));
      return [new SeqValue(seq.elemType ?? t.dtype, items)];
    },
  }),
);

const sequenceAt = mapping('SequenceAt', (node) =>
  simple(node, [], 2, 2, {
    async exec(x, ins) {
      const seq = expectSeq(ins[0], node.name, 'input_sequence');
      const p = (await position(node, ins[1], seq.items.length, false))!;
      const t = seq.items[p]!;
      return [x.rt.reshape(t, t.shape)];
    },
  }),
);

const sequenceErase = mapping('SequenceErase', (node) =>
  simple(node, [], 1, 2, {
    async exec(x, ins) {
      const seq = expectSeq(ins[0], node.name, 'input_sequence');
      if (seq.items.length === 0) throw new ShapeError(label(node), 'cannot erase from an empty sequence');
      const p = (await position(node, ins[1], seq.items.length, false)) ?? seq.items.length - 1;
      const items = seq.items.filter((_, k) => k !== p).map((u) => x.rt.reshape(u, u.shape));
      return [new SeqValue(seq.elemType, items)];
    },
  }),
);

const sequenceLength = mapping('SequenceLength', (node) =>
  simple(node, [], 1, 1, {
    async exec(x, ins) {
      const seq = expectSeq(ins[0], node.name, 'input_sequence');
      return [x.rt.tensor(new BigInt64Array([BigInt(seq.items.length)]), [], 'int64')];
    },
  }),
);

const splitToSequence = mapping('SplitToSequence', (node) => {
  const at = new Attrs(node, ['axis', 'keepdims']);
  const axisAttr = at.int('axis', 0);
  const keepdims = at.int('keepdims', 1) !== 0;
  return simple(node, ['axis', 'keepdims'], 1, 2, {
    async exec(x, ins) {
      const t = tensorIn(node, ins[0], 'input');
      const r = t.shape.length;
      if (axisAttr < -r || axisAttr >= r) throw new ShapeError(label(node), `axis ${axisAttr} is out of range for input ${describe(t)}`, 'RANK');
      const axis = axisAttr < 0 ? axisAttr + r : axisAttr;
      const n = t.shape[axis]!;
      let sizes: number[];
      const splitIn = ins[1] === undefined ? undefined : tensorIn(node, ins[1], 'split');
      if (splitIn) {
        const v = Array.from((splitIn.device === 'wasm' ? splitIn.dataSync() : await splitIn.data()) as ArrayLike<number | bigint>, Number);
        if (splitIn.shape.length === 0) {
          const c = v[0]!;
          if (!(c > 0)) throw new ShapeError(label(node), `split ${c} must be positive`);
          sizes = Array.from({ length: Math.ceil(n / c) }, (_, i) => Math.min(c, n - i * c));
        } else {
          sizes = v;
          if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) throw new ShapeError(label(node), `split [${sizes.join(',')}] does not add up to ${n} (axis ${axis} of ${describe(t)})`);
        }
      } else {
        sizes = Array.from({ length: n }, () => 1);
      }
      if (sizes.length === 0) return [new SeqValue(t.dtype, [])];
      const parts = await x.op('Split', [t], { axis, split: sizes });
      const squeeze = !splitIn && !keepdims;
      if (!squeeze) return [new SeqValue(t.dtype, parts)];
      const items = parts.map((p) => x.rt.reshape(p, [...p.shape.slice(0, axis), ...p.shape.slice(axis + 1)]));
      for (const p of parts) p.dispose();
      return [new SeqValue(t.dtype, items)];
    },
  });
});

const concatFromSequence = mapping('ConcatFromSequence', (node) => {
  const at = new Attrs(node, ['axis', 'new_axis']);
  if (!at.has('axis')) throw new OnnxModelError(`${label(node)}: attribute axis is required`);
  const axisAttr = at.int('axis', 0);
  const newAxis = at.int('new_axis', 0) !== 0;
  return simple(node, ['axis', 'new_axis'], 1, 1, {
    async exec(x, ins) {
      const seq = expectSeq(ins[0], node.name, 'input_sequence');
      if (seq.items.length === 0) throw new ShapeError(label(node), 'cannot concatenate an empty sequence');
      const r = seq.items[0]!.shape.length + (newAxis ? 1 : 0);
      if (axisAttr < -r || axisAttr >= r) throw new ShapeError(label(node), `axis ${axisAttr} is out of range for ${newAxis ? 'stacked ' : ''}elements ${describe(seq.items[0])}`, 'RANK');
      const axis = axisAttr < 0 ? axisAttr + r : axisAttr;
      const parts = newAxis ? seq.items.map((t) => x.rt.reshape(t, [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)])) : [];
      try {
        return await x.op('Concat', newAxis ? parts : seq.items, { axis });
      } finally {
        for (const u of parts) u.dispose();
      }
    },
  });
});

const sequenceMap = mapping(
  'SequenceMap',
  (node, ctx) => {
    new Attrs(node, ['body']);
    const own = explicitInputs(node, node.inputs);
    const body = subgraphOf(ctx, node, 'body');
    if (body.graph.inputs.length !== own.length) throw new OnnxModelError(`${label(node)}: the body takes ${body.graph.inputs.length} inputs, the node gives ${own.length}`);
    if (body.graph.outputs.length !== node.outputs.length) throw new OnnxModelError(`${label(node)} has ${node.outputs.length} outputs, its body ${body.graph.outputs.length}`);
    return valueLowered([], {
      async exec(x: ValueCtx, ins) {
        const explicit = explicitInputs(node, ins);
        const outer = capturedValues(node, ins);
        const first = expectSeq(explicit[0], node.name, 'input_sequence');
        const len = first.items.length;
        for (const [k, v] of explicit.entries()) {
          if (v instanceof SeqValue && v.items.length !== len) throw new ShapeError(label(node), `input ${k} has ${v.items.length} elements, input 0 has ${len}`);
        }
        const results: Tensor[][] = node.outputs.map(() => []);
        try {
          for (let i = 0; i < len; i++) {
            const feeds = new Map<string, Value>();
            explicit.forEach((v, k) => {
              const el = v instanceof SeqValue ? v.items[i]! : tensorIn(node, v, `input ${k}`);
              feeds.set(body.graph.inputs[k]!.name, x.rt.reshape(el, el.shape));
            });
            for (const name of body.free) {
              const v = outer.get(name);
              if (v !== undefined && !feeds.has(name)) feeds.set(name, share(x.rt, v));
            }
            const outs = await x.runGraph(body.graph, feeds);
            const bad = outs.findIndex((o) => !isTensor(o));
            if (bad >= 0) {
              const what = describe(outs[bad]);
              for (const o of outs) disposeValue(o);
              throw new DTypeError(label(node), `body output ${bad} is ${what}; SequenceMap collects tensors`);
            }
            outs.forEach((o, j) => results[j]!.push(o as Tensor));
          }
        } catch (e) {
          for (const r of results) for (const t of r) t.dispose();
          throw e;
        }
        return results.map((items, j) => new SeqValue(items[0]?.dtype ?? dtypeOfOnnx(body.graph.outputs[j]!.elemType), items));
      },
    });
  },
  17,
);

const optional = mapping(
  'Optional',
  (node) => {
    const tp = node.attrs.get('type')?.tp;
    const kind = tp?.kind === 'sequence' ? 'sequence' : 'tensor';
    return simple(node, ['type'], 0, 1, {
      async exec(x, ins) {
        const v = ins[0];
        if (v === undefined) return [new OptValue(undefined, kind)];
        if (v instanceof OptValue) throw new DTypeError(label(node), 'the input is already an optional');
        return [new OptValue(share(x.rt, v) as Tensor | SeqValue)];
      },
    });
  },
  15,
);

const optionalHasElement = mapping(
  'OptionalHasElement',
  (node) =>
    simple(node, [], 0, 1, {
      async exec(x, ins) {
        const v = ins[0];
        const has = v === undefined ? false : v instanceof OptValue ? v.value !== undefined : true;
        return [x.rt.tensor(new Uint8Array([has ? 1 : 0]), [], 'bool')];
      },
    }),
  15,
);

const optionalGetElement = mapping(
  'OptionalGetElement',
  (node) =>
    simple(node, [], 1, 1, {
      async exec(x, ins) {
        const v = ins[0]!;
        if (v instanceof OptValue) {
          if (v.value === undefined) throw new ShapeError(label(node), 'the optional input is empty');
          return [share(x.rt, v.value)];
        }
        return [share(x.rt, v)];
      },
    }),
  15,
);

addMappings([sequenceConstruct, sequenceEmpty, sequenceInsert, sequenceAt, sequenceErase, sequenceLength, splitToSequence, concatFromSequence, sequenceMap, optional, optionalHasElement, optionalGetElement]);
