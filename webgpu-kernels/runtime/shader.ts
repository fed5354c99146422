import type { DType } from '../../core/dtype.js';
import { DTypeError } from '../../core/errors.js';

/**
 * The one place that knows WGSL plumbing: dtype → WGSL type, storage bindings, the uniform block and
 * its byte layout, broadcast index math from a flat output index, and 1-D dispatch grids. Op shaders
 * use these and contain only their math.
 *
 * Binding convention: storage buffers at @binding(0..n-1) in the order given, the uniform block `u`
 * at @binding(n) — the same order GpuBackend.dispatch binds them.
 */

export type WgslScalar = 'f32' | 'i32' | 'u32';

/** The WGSL element type a dtype is computed in. Sub-word dtypes (bool, uint8, int8) are packed in u32 words. */
export function wgslType(dtype: DType, op = 'webgpu'): WgslScalar {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
    case 'uint8':
    case 'int8':
      return 'u32';
    default:
      throw new DTypeError(op, `dtype ${dtype} has no WebGPU kernel representation`);
  }
}

export interface Binding {
  name: string;
  type: WgslScalar;
  access: 'read' | 'read_write';
}

export function declareBindings(bindings: readonly Binding[]): string {
  return bindings.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`).join('\n');
}

type UniformValue = number | readonly number[];

interface UniformField {
  name: string;
  type: WgslScalar;
  /** undefined: a scalar; n: an array of n values stored as ceil(n/4) vec4s (uniform arrays need a 16-byte stride). */
  length: number | undefined;
  offset: number;
}

/**
 * A uniform block `u`. Scalars are 4-byte members; arrays are `array<vec4<T>, ceil(n/4)>`, read with
 * `at(name, k)`. Offsets follow WGSL's layout rules, so `pack` writes exactly what the shader reads.
 */
export class Uniforms {
  private readonly fields: UniformField[] = [];
  private end = 0;

  scalar(name: string, type: WgslScalar): this {
    this.fields.push({ name, type, length: undefined, offset: this.end });
    this.end += 4;
    return this;
  }

  array(name: string, type: WgslScalar, length: number): this {
    if (length === 0) return this;
    const offset = Math.ceil(this.end / 16) * 16;
    this.fields.push({ name, type, length, offset });
    this.end = offset + Math.ceil(length / 4) * 16;
    return this;
  }

  /** WGSL expression for element k (a compile-time index) of array `name`. */
  at(name: string, k: number): string {
    return `u.${name}[${k >> 2}][${k & 3}]`;
  }

  /** The struct and its binding at @binding(`binding`). */
  declare(binding: number): string {
    if (this.fields.length === 0) return '';
    const members = this.fields.map((f) => `  ${f.name}: ${f.length === undefined ? f.type : `array<vec4<${f.type}>, ${Math.ceil(f.length / 4)}>`},`);
    return `struct Uniforms {\n${members.join('\n')}\n};\n@group(0) @binding(${binding}) var<uniform> u: Uniforms;`;
  }

  get empty(): boolean {
    return this.fields.length === 0;
  }

  /** The bytes of the block for `values` (every field must be given). */
  pack(values: Readonly<Record<string, UniformValue>>): ArrayBuffer {
    const buf = new ArrayBuffer(Math.max(16, Math.ceil(this.end / 16) * 16));
    const dv = new DataView(buf);
    for (const f of this.fields) {
      const v = values[f.name];
      if (v === undefined) throw new Error(`uniform ${f.name} has no value`);
      const list = typeof v === 'number' ? [v] : v;
      if (list.length !== (f.length ?? 1)) throw new Error(`uniform ${f.name} expects ${f.length ?? 1} values, got ${list.length}`);
      list.forEach((x, i) => {
        const at = f.offset + 4 * i;
        if (f.type === 'f32') dv.setFloat32(at, x, true);
        else if (f.type === 'i32') dv.setInt32(at, x, true);
        else dv.setUint32(at, x, true);
      });
    }
    return buf;
  }
}

/**
 * Broadcast index math (ORT-web style): WGSL statements that turn the flat output index `index` into
 * element offsets `off_<name>` of each operand, using the collapsed output shape `shape` and per-operand
 * strides `<name>_strides` (uniform arrays of length `rank`, 0 where broadcast). Rank 0 gives offset 0.
 */
export function broadcastUniforms(u: Uniforms, rank: number, operands: readonly string[]): Uniforms {
  u.array('shape', 'u32', rank);
  for (const name of operands) u.array(`${name}_strides`, 'u32', rank);
  return u;
}

export function broadcastOffsets(u: Uniforms, rank: number, operands: readonly string[], index: string): string {
  const lines = operands.map((n) => `var off_${n} = 0u;`);
  if (rank > 0) {
    lines.push(`var rem = ${index};`);
    for (let d = rank - 1; d >= 1; d--) {
      lines.push(`{ let q = rem / ${u.at('shape', d)}; let c = rem - q * ${u.at('shape', d)}; rem = q;`);
      for (const n of operands) lines.push(`  off_${n} += c * ${u.at(`${n}_strides`, d)};`);
      lines.push('}');
    }
    for (const n of operands) lines.push(`off_${n} += rem * ${u.at(`${n}_strides`, 0)};`);
  }
  return lines.join('\n');
}

/** Workgroups along x per row of a 1-D grid (the per-dimension limit is at least 65535). */
const MAX_GROUPS_X = 32768;

/** A 1-D grid of `threads` invocations in workgroups of `wg`, folded into y when x would pass the limit. */
export function grid1d(threads: number, wg: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(threads / wg));
  if (groups <= MAX_GROUPS_X) return [groups, 1, 1];
  return [MAX_GROUPS_X, Math.ceil(groups / MAX_GROUPS_X), 1];
}

/**
 * An entry point over a 1-D grid (see grid1d): `gi` is the flat invocation index, and invocations with
 * `gi >= limit` (a WGSL expression, usually a uniform) return at once.
 */
export function flatMain(wg: number, limit: string, body: string): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let gi = (wid.y * nwg.x + wid.x) * ${wg}u + lid;
  if (gi >= ${limit}) { return; }
${indent(body, 2)}
}`;
}

export function indent(code: string, n: number): string {
  const pad = ' '.repeat(n);
  return code
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** A WGSL literal of `type` for a finite number (uniforms carry anything that may be non-finite). */
export function literal(x: number, type: WgslScalar): string {
  if (type === 'f32') {
    if (!Number.isFinite(x)) throw new Error(`literal: ${x} cannot be a WGSL f32 literal`);
    const s = String(Math.fround(x));
    return /[.e]/.test(s) ? `${s}f` : `${s}.0f`;
  }
  return type === 'i32' ? `${x | 0}i` : `${x >>> 0}u`;
}
