/**
 * onnxruntime-web's operator tests (external data, read from ../shared/conformance/ort-ops or
 * $TWINOPS_CONFORMANCE_DIR): one test per case per device, through the direct mapping or, for the
 * rest, a one-node model through ort.InferenceSession with the twinops EP. Cases twinops cannot run
 * yet are it.skip with the reason in their name; known twinops bugs are it.fails with the bug named
 * (the CLI and docs/CONFORMANCE.md count them as failures). See conformance/ort-ops/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime, type Tensor } from '../index.js';
import { compareOutput, TOLERANCE } from '../conformance/ort-ops/compare.js';
import { loadOrtOps, locateOrtOps, parseGroups, type OrtGroup } from '../conformance/ort-ops/data.js';
import { mapCase } from '../conformance/ort-ops/mapping.js';
import { stripJsonComments } from '../conformance/ort-ops/jsonc.js';
import { DEVICES, describeResult, deviceSkip, planSuite, probeWebGpu, runCase } from '../conformance/ort-ops/runner.js';
import { buildCaseModel, halfBits, halfValue, invalidOnnx, sessionOpset } from '../conformance/ort-ops/session.js';

/**
 * Cases that fail because of a twinops bug, by title → the bug. Each is it.fails, so fixing the bug
 * makes the test fail until its entry is removed here.
 */
const KNOWN_TWINOPS_BUGS: Record<string, string> = {};

describe('ort-ops: JSONC loader', () => {
  it('strips comments but not comment-like text inside strings', () => {
    const src = '[{"name": "a // b /* c */", // note\n "operator": "Abs", /* x\n y */ "cases": [],}]';
    expect(JSON.parse(stripJsonComments(src))).toEqual([{ name: 'a // b /* c */', operator: 'Abs', cases: [] }]);
    expect(stripJsonComments('"q\\"//x" // y')).toBe('"q\\"//x"     ');
  });
  it('parses groups', () => {
    const g = parseGroups('t.jsonc', '[{"name":"n","operator":"Relu","cases":[{"name":"c","inputs":[{"data":[1],"dims":[],"type":"float32"}],"outputs":[{"data":[1],"dims":[],"type":"float32"}]}]}]');
    expect(g[0]!.operator).toBe('Relu');
    expect(g[0]!.cases[0]!.inputs[0]!.dims).toEqual([]);
  });
});

describe('ort-ops: comparison and mapping glue', () => {
  const spec = (data: number[], type = 'float32', dims = [data.length]) => ({ data, dims, type });
  const act = (data: number[], dtype = 'float32', shape = [data.length]) => ({ data, dtype, shape });
  it('uses onnxruntime web test runner thresholds per backend', () => {
    expect(compareOutput(0, act([2 / 3]), spec([0.66667]), TOLERANCE.wasm)).toBeUndefined();
    expect(compareOutput(0, act([1.0002]), spec([1]), TOLERANCE.wasm)?.what).toBe('data');
    expect(compareOutput(0, act([1.0002]), spec([1]), TOLERANCE.webgpu)).toBeUndefined();
    expect(compareOutput(0, act([1e6 + 0.5]), spec([1e6]), TOLERANCE.wasm)).toBeUndefined(); // ratio 1.0000005
    expect(compareOutput(0, act([NaN, Infinity]), spec([NaN, Infinity]), TOLERANCE.wasm)).toBeUndefined();
    expect(compareOutput(0, act([3.4e38]), spec([Infinity]), TOLERANCE.webgpu)?.what).toBe('data');
    expect(compareOutput(0, act([1, 2], 'int32'), spec([1, 3], 'int32'), TOLERANCE.webgpu)).toMatchObject({ index: 1, expected: 3, got: 2 });
    expect(compareOutput(0, act([1], 'float32'), spec([1], 'bool'), TOLERANCE.wasm)?.what).toBe('dtype');
    expect(compareOutput(0, act([1], 'float32', [1, 1]), spec([1]), TOLERANCE.wasm)?.what).toBe('dims');
  });

  const group = (operator: string, version: number, attributes: OrtGroup['attributes'] = []): OrtGroup => ({
    file: 'synthetic', index: 0, name: operator, operator, opset: { domain: '', version }, attributes, cases: [],
  });
  const kase = (...inputs: Array<{ data: number[]; dims: number[]; type: string }>) => ({ name: 'c', inputs, outputs: [] });

  it('maps ONNX semantics onto twinops calls (Softmax-11 2-D view, Clip-13 inputs, dtype skips)', async () => {
    const rt = await createRuntime({ device: 'wasm', threads: 1 });
    try {
      const x = { data: [1, 2, 3, 4, 5, 6, 7, 8], dims: [2, 2, 2], type: 'float32' };
      const m11 = mapCase(group('Softmax', 11), kase(x));
      const m13 = mapCase(group('Softmax', 13), kase(x));
      if (!m11.ok || !m13.ok) throw new Error('Softmax should map');
      const t = rt.tensor(new Float32Array(x.data), x.dims);
      const scratch: Tensor[] = [];
      const y11 = m11.run(rt, [t], scratch)[0]!;
      const y13 = m13.run(rt, [t], scratch)[0]!;
      expect(y11.shape).toEqual([2, 2, 2]);
      const e = x.data.map(Math.exp);
      const s0 = e[0]! + e[1]! + e[2]! + e[3]!;
      expect(Number((await y11.data())[0])).toBeCloseTo(e[0]! / s0, 6); // normalised over the 4 trailing elements
      expect(Number((await y13.data())[0])).toBeCloseTo(e[0]! / (e[0]! + e[1]!), 6); // normalised over the last axis
      const clip = mapCase(group('Clip', 13), kase({ data: [0, 5, 9], dims: [3], type: 'float32' }, { data: [1], dims: [], type: 'float32' }, { data: [6], dims: [], type: 'float32' }));
      if (!clip.ok) throw new Error('Clip should map');
      const c = rt.tensor(new Float32Array([0, 5, 9]), [3]);
      expect(Array.from((await clip.run(rt, [c], scratch)[0]!.data()) as Float32Array)).toEqual([1, 5, 6]);
      expect(mapCase(group('Sigmoid', 13), kase({ data: [1], dims: [1], type: 'int32' }))).toMatchObject({ ok: false, kind: 'dtype' });
      expect(mapCase(group('Add', 13), kase({ data: [1], dims: [1], type: 'float16' }, { data: [1], dims: [1], type: 'float16' }))).toMatchObject({ ok: false, kind: 'dtype' });
      expect(mapCase(group('Conv', 13), kase(x))).toMatchObject({ ok: false, reason: 'no twinops op yet (Conv)' });
    } finally {
      rt.dispose();
    }
  });
});

describe('ort-ops: session-mode model building', () => {
  it('encodes float16 feeds as IEEE half bits (round to nearest even, subnormals, overflow)', () => {
    expect(halfBits(1.2)).toBe(0x3ccd);
    expect(halfBits(65504)).toBe(0x7bff);
    expect(halfBits(65520)).toBe(0x7c00); // rounds up to Infinity
    expect(halfBits(-Infinity)).toBe(0xfc00);
    expect(halfBits(2 ** -24)).toBe(1);
    expect(halfBits(2 ** -26)).toBe(0);
    expect(halfBits(-0)).toBe(0x8000);
    expect(Number.isNaN(halfValue(halfBits(NaN)))).toBe(true);
    for (const v of [0, 1, -2.5, 4.5, 1024, 6.103515625e-5, 5.960464477539063e-8, 65504]) expect(halfValue(halfBits(v))).toBe(v);
  });

  const g = (operator: string, opset?: number, checked?: number): OrtGroup => ({
    file: 'synthetic', index: 0, name: operator, operator, attributes: [], cases: [],
    ...(opset ? { opset: { domain: '', version: opset } } : {}),
    ...(checked ? { checkedOpset: { domain: '', version: checked } } : {}),
  });
  it('picks the opset: the group\'s, else the manifest-checked one, raised to where ONNX defines the op', () => {
    expect(sessionOpset(g('Pad', 19, 19))).toEqual({ domain: '', version: 19 });
    expect(sessionOpset(g('Split', undefined, 12))).toEqual({ domain: '', version: 12 });
    expect(sessionOpset(g('Split'))).toEqual({ domain: '', version: 13 });
    expect(sessionOpset(g('LayerNormalization', undefined, 13))).toEqual({ domain: '', version: 17 });
  });

  it('builds models onnxruntime-node accepts, and reports the ones it rejects as invalid ONNX', async () => {
    const x = { data: [1, 2, 3, 4], dims: [4], type: 'float32' };
    const ok = buildCaseModel(g('Relu', 13), { name: 'c', inputs: [x], outputs: [x] });
    expect(await invalidOnnx(ok, 'synthetic-relu')).toBeUndefined();
    const splitAttr = { ...g('Split', 13), attributes: [{ name: 'split', type: 'ints' as const, data: [2, 2] }] };
    const bad = buildCaseModel(splitAttr, { name: 'c', inputs: [x], outputs: [{ ...x, dims: [2] }, { ...x, dims: [2] }] });
    expect(await invalidOnnx(bad, 'synthetic-split13')).toMatch(/^not valid ONNX .*split/);
  });
});

const located = locateOrtOps();

if (located.dir === undefined) {
  describe('ort-ops conformance', () => {
    it.skip(`skipped: ${located.reason}`, () => {});
  });
} else {
  const plan = planSuite(loadOrtOps(located.dir));
  const webgpuUnavailable = await probeWebGpu();

  for (const dev of DEVICES) {
    describe(`ort-ops on ${dev.id}`, () => {
      const reasons = plan.map((p) => p.skip ?? deviceSkip(dev, p, webgpuUnavailable));
      let rt: Runtime | undefined;
      beforeAll(async () => {
        if (reasons.some((r) => r === undefined)) rt = await createRuntime({ device: dev.device, threads: dev.threads });
      });
      afterAll(() => rt?.dispose());

      plan.forEach((p, i) => {
        const reason = reasons[i];
        if (reason !== undefined) {
          it.skip(`${p.title} — skipped: ${reason}`, () => {});
          return;
        }
        const bug = KNOWN_TWINOPS_BUGS[p.title];
        if (bug !== undefined) {
          it.fails(`${p.title} — known twinops bug: ${bug}`, async (ctx) => {
            const r = await runCase(rt, dev, p);
            if (r.status === 'skip') return ctx.skip(r.reason);
            expect(r.status, `${dev.id} ${p.title}: ${describeResult(r)}`).toBe('pass');
          });
          return;
        }
        it(p.title, async (ctx) => {
          const r = await runCase(rt, dev, p);
          if (r.status === 'skip') return ctx.skip(r.reason);
          expect(r.status, `${dev.id} ${p.title}: ${describeResult(r)}`).toBe('pass');
        });
      });
    });
  }
}
