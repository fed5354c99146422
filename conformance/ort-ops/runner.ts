/**
 * Runs onnxruntime-web's operator tests against twinops on wasm with 1 and 2 threads and on WebGPU
 * where an adapter exists: cases the direct mapping (mapping.ts) covers run through twinops' direct
 * calls; every other case runs as a one-node ONNX model through ort.InferenceSession with the twinops
 * execution provider (session.ts).
 */
import { createRuntime, registry, type DType, type Runtime, type Tensor } from '../../index.js';
import { compareOutput, TOLERANCE, type Mismatch } from './compare.js';
import type { OrtCase, OrtGroup, OrtSuite, TensorSpec } from './data.js';
import { mapCase, type Mapping } from './mapping.js';
import { runSessionCase } from './session.js';

export interface DeviceConfig {
  id: string;
  device: 'wasm' | 'webgpu';
  threads: number;
}

export const DEVICES: readonly DeviceConfig[] = [
  { id: 'wasm-t1', device: 'wasm', threads: 1 },
  { id: 'wasm-t2', device: 'wasm', threads: 2 },
  { id: 'webgpu', device: 'webgpu', threads: 1 },
];

export interface PlannedCase {
  group: OrtGroup;
  case: OrtCase;
  caseIndex: number;
  /** Stable, unique name: file#group › group name › case name. */
  title: string;
  mapping: Mapping;
  /** 'direct': twinops calls through the mapping; 'session': a one-node model through ort.InferenceSession. */
  mode: 'direct' | 'session';
  /** Why the case does not run on any device (platformCondition, data quirk). */
  skip?: string;
  /** Set with skip when MANIFEST.json marks the group as a quirk of the data. */
  known?: boolean;
}

/** The platform string a group's platformCondition regex is tested against (ORT tests the browser's). */
export const PLATFORM = `Node.js ${process.version} ${process.platform} ${process.arch}`;

export function planSuite(suite: OrtSuite): PlannedCase[] {
  const out: PlannedCase[] = [];
  for (const group of suite.groups) {
    group.cases.forEach((c, caseIndex) => {
      const mapping = mapCase(group, c);
      const mode = mapping.ok ? 'direct' : 'session';
      const p: PlannedCase = { group, case: c, caseIndex, title: `${group.file}#${group.index} › ${group.name} › ${c.name}`, mapping, mode };
      if (group.knownQuirk) {
        p.skip = `known data quirk (${group.knownQuirk})`;
        p.known = true;
      } else if (group.platformCondition && !new RegExp(group.platformCondition).test(PLATFORM)) {
        p.skip = `platformCondition ${group.platformCondition} does not match '${PLATFORM}'`;
      }
      out.push(p);
    });
  }
  return out;
}

/** Groups no case of which runs, with the reasons (deduplicated), for the report. */
export function skippedGroups(plan: readonly PlannedCase[]): Array<{ group: OrtGroup; reasons: string[] }> {
  const byGroup = new Map<OrtGroup, PlannedCase[]>();
  for (const p of plan) byGroup.set(p.group, [...(byGroup.get(p.group) ?? []), p]);
  const out: Array<{ group: OrtGroup; reasons: string[] }> = [];
  for (const [group, cases] of byGroup) {
    if (cases.every((c) => c.skip)) out.push({ group, reasons: [...new Set(cases.map((c) => c.skip!))] });
  }
  return out;
}

/** Why a case cannot run on this device (no adapter; in direct mode, no WebGPU kernel yet). */
export function deviceSkip(dev: DeviceConfig, p: PlannedCase, webgpuUnavailable: string | undefined): string | undefined {
  if (p.skip || dev.device !== 'webgpu') return undefined;
  if (webgpuUnavailable) return webgpuUnavailable;
  if (!p.mapping.ok) return undefined; // session mode: the twinops-webgpu EP decides per node
  const dtype = p.case.inputs[0]!.type as DType;
  for (const op of p.mapping.ops) {
    if (op === 'reshape') continue;
    if (!registry.get(op, dtype, 'webgpu')) return `no WebGPU kernel for ${op} ${dtype} yet (the runtime would fall back to wasm)`;
  }
  return undefined;
}

/** undefined when a WebGPU runtime can be created, else why not. */
export async function probeWebGpu(): Promise<string | undefined> {
  try {
    const rt = await createRuntime({ device: 'webgpu', threads: 1 });
    rt.dispose();
    return undefined;
  } catch (e) {
    return `no WebGPU adapter: ${(e as Error).message}`;
  }
}

export type Status = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  device: string;
  status: Status;
  reason?: string;
  mismatches?: Mismatch[];
  error?: string;
}

function inputTensor(rt: Runtime, t: TensorSpec): Tensor {
  const dtype = t.type as DType;
  const data =
    dtype === 'bool'
      ? Uint8Array.from(t.data, (v) => (v ? 1 : 0))
      : dtype === 'int32'
        ? Int32Array.from(t.data, Number)
        : Float32Array.from(t.data, Number);
  return rt.tensor(data, t.dims, dtype);
}

/** Run one planned case on a runtime and compare with the expected outputs. */
export async function runCase(rt: Runtime | undefined, dev: DeviceConfig, p: PlannedCase): Promise<CaseResult> {
  if (p.mode === 'session') {
    const ep = dev.device === 'webgpu' ? 'twinops-webgpu' : 'twinops';
    return { device: dev.id, ...(await runSessionCase(p.group, p.case, ep, dev.threads, dev.device)) };
  }
  if (!p.mapping.ok) return { device: dev.id, status: 'skip', reason: p.mapping.reason };
  if (!rt) throw new Error(`${p.title}: direct mode needs a runtime`);
  const inputs: Tensor[] = [];
  const scratch: Tensor[] = [];
  let outputs: Tensor[] = [];
  try {
    for (const t of p.case.inputs) inputs.push(inputTensor(rt, t));
    outputs = p.mapping.run(rt, inputs, scratch);
    if (outputs.length !== p.case.outputs.length) {
      return { device: dev.id, status: 'fail', error: `${outputs.length} outputs, expected ${p.case.outputs.length}` };
    }
    const wrongDevice = outputs.find((o) => o.device !== dev.device);
    if (wrongDevice) return { device: dev.id, status: 'skip', reason: `ran on ${wrongDevice.device}, not ${dev.device} (kernel fallback)` };
    const mismatches: Mismatch[] = [];
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i]!;
      const m = compareOutput(i, { dtype: o.dtype, shape: o.shape, data: await o.data() }, p.case.outputs[i]!, TOLERANCE[dev.device]);
      if (m) mismatches.push(m);
    }
    return mismatches.length ? { device: dev.id, status: 'fail', mismatches } : { device: dev.id, status: 'pass' };
  } catch (e) {
    const err = e as Error;
    return { device: dev.id, status: 'fail', error: `${err.name}: ${err.message}` };
  } finally {
    for (const t of [...outputs, ...scratch, ...inputs]) t.dispose();
  }
}

export interface SuiteRun {
  plan: PlannedCase[];
  /** results[d][i]: plan[i] on DEVICES[d]. */
  results: CaseResult[][];
  devices: readonly DeviceConfig[];
  webgpuUnavailable?: string;
}

/** Run the whole plan on every device (sequentially, one runtime per device). */
export async function runSuite(suite: OrtSuite, devices: readonly DeviceConfig[] = DEVICES): Promise<SuiteRun> {
  const plan = planSuite(suite);
  const webgpuUnavailable = devices.some((d) => d.device === 'webgpu') ? await probeWebGpu() : undefined;
  const results: CaseResult[][] = [];
  for (const dev of devices) {
    const row: CaseResult[] = [];
    const pending = plan.map((p) => p.skip ?? deviceSkip(dev, p, webgpuUnavailable));
    let rt: Runtime | undefined;
    if (pending.some((s, i) => s === undefined && plan[i]!.mode === 'direct')) rt = await createRuntime({ device: dev.device, threads: dev.threads });
    try {
      for (let i = 0; i < plan.length; i++) {
        const skip = pending[i];
        row.push(skip !== undefined ? { device: dev.id, status: 'skip', reason: skip } : await runCase(rt, dev, plan[i]!));
      }
    } finally {
      rt?.dispose();
    }
    results.push(row);
  }
  return { plan, results, devices, webgpuUnavailable };
}

/** One line per problem, for test failure messages and the report. */
export function describeResult(r: CaseResult): string {
  if (r.status === 'pass') return 'pass';
  if (r.status === 'skip') return `skipped: ${r.reason}`;
  return r.error ?? (r.mismatches ?? []).map((m) => m.detail).join('; ');
}
