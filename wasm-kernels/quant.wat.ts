/**
 * The `quant` family: linear (de)quantisation and the integer GEMM behind MatMulInteger,
 * QLinearMatMul, ConvInteger and QLinearConv (the GEMM half is emitted by quant-gemm.wat.ts, the
 * depthwise convolution by quant-dw.wat.ts). Integer-only: one plain SIMD128 build (no relaxed
 * variant, whose dot products leave the high bit's behaviour to the implementation).
 *
 * Scale layout. The launcher views X as rows of `inner` contiguous elements, row r = (o, c) with
 * o = r / C, c = r % C; element i of row r uses scale (and zero point) index
 * o·so + (c / B)·sc + i·si, with si ∈ {0, 1}. That covers per-tensor (all 0), per-axis (sc = 1, or
 * si = 1 when the axis is innermost) and blocked (B = block size) quantisation.
 *
 * `quantize_<q>(x, y, s, z, C, inner, B, so, sc, si, start, end)`: y = saturate(round(x / s) + z),
 * round half to even (f32 division, as MLAS and the ONNX reference), 16 elements per step where the
 * scale is splatted, 4 where it steps. A NaN quantises to 0 clamped into range (trunc_sat), ±Inf
 * saturates.
 * `dequantize_<q>(x, y, s, z, C, inner, B, so, sc, si, start, end)`: y = f32(x − z) · s.
 * `minmax_f32(x, n, part, start, end)`: block b (4096 elements) writes its min and max (NaN
 * propagates) at part[2b], part[2b + 1], for DynamicQuantizeLinear.
 */
import { gemmFuncs } from './quant-gemm.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

/** A quantised element type: its name in export suffixes, signedness, width and range. */
export interface QType {
  readonly tag: 'u8' | 'i8' | 'u16' | 'i16' | 'u4' | 'i4';
  readonly signed: boolean;
  readonly bytes: 1 | 2;
  readonly min: number;
  readonly max: number;
}

export const QTYPES: readonly QType[] = [
  { tag: 'u8', signed: false, bytes: 1, min: 0, max: 255 },
  { tag: 'i8', signed: true, bytes: 1, min: -128, max: 127 },
  { tag: 'u16', signed: false, bytes: 2, min: 0, max: 65535 },
  { tag: 'i16', signed: true, bytes: 2, min: -32768, max: 32767 },
  // 4-bit types are stored unpacked, one per byte (core/dtype.ts): 8-bit storage, a 4-bit range
  { tag: 'u4', signed: false, bytes: 1, min: 0, max: 15 },
  { tag: 'i4', signed: true, bytes: 1, min: -8, max: 7 },
];

const su = (t: QType) => (t.signed ? 's' : 'u');

/** Scalar load of one element of type t as i32. */
export function loadScalar(t: QType, addr: string): string {
  return `(i32.load${t.bytes * 8}_${su(t)} ${addr})`;
}

/** Four consecutive elements of type t as i32x4. */
export function load4(t: QType, addr: string): string {
  return t.bytes === 1
    ? `(i32x4.extend_low_i16x8_${su(t)} (i16x8.extend_low_i8x16_${su(t)} (v128.load32_zero ${addr})))`
    : `(i32x4.extend_low_i16x8_${su(t)} (v128.load64_zero ${addr}))`;
}

/** Narrow an i32x4 already clamped to t's range into its low 4·bytes bytes (exact: no saturation happens). */
export function narrow(t: QType, v: string, tmp: string): string {
  const w = `(local.tee ${tmp} ${v}) (local.get ${tmp})`;
  if (t.bytes === 2) return `(i16x8.narrow_i32x4_${su(t)} ${w})`;
  return `(i8x16.narrow_i16x8_${su(t)} (local.tee ${tmp} (i16x8.narrow_i32x4_s ${w})) (local.get ${tmp}))`;
}

/** clamp(trunc_sat(nearest(f) + zf)) on f32x4 → i32x4 in [t.min, t.max]. */
export function requant4(t: QType, f: string, zf: string): string {
  return `(i32x4.max_s (i32x4.min_s (i32x4.trunc_sat_f32x4_s (f32x4.add (f32x4.nearest ${f}) ${zf})) (v128.const i32x4 ${t.max} ${t.max} ${t.max} ${t.max})) (v128.const i32x4 ${t.min} ${t.min} ${t.min} ${t.min}))`;
}

/** The scalar twin of requant4 on f32 → i32. */
export function requant1(t: QType, f: string, zf: string): string {
  return `(select (i32.const ${t.min}) (local.tee $qt (select (i32.const ${t.max}) (local.tee $qt (i32.trunc_sat_f32_s (f32.add (f32.nearest ${f}) ${zf}))) (i32.gt_s (local.get $qt) (i32.const ${t.max})))) (i32.lt_s (local.get $qt) (i32.const ${t.min})))`;
}

const PARAMS = '(param $x i32) (param $y i32) (param $s i32) (param $z i32) (param $C i32) (param $inner i32) (param $B i32) (param $so i32) (param $sc i32) (param $si i32) (param $start i32) (param $end i32)';
const LOCALS = '(local $r i32) (local $o i32) (local $c i32) (local $sb i32) (local $p i32) (local $q i32) (local $e i32) (local $sp i32) (local $zp i32) (local $qt i32) (local $sv v128) (local $zv v128) (local $t v128)';

/** Shared row walk: sets $p/$q/$e (x, y, x end), $sp/$zp (scale and zero point addresses) per row, runs `body`. */
function rowWalk(xBytes: number, yBytes: number, zBytes: number, body: string): string {
  return `(local.set $r (local.get $start))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $o (i32.div_u (local.get $r) (local.get $C)))
      (local.set $c (i32.sub (local.get $r) (i32.mul (local.get $o) (local.get $C))))
      (local.set $sb (i32.add (i32.mul (local.get $o) (local.get $so)) (i32.mul (i32.div_u (local.get $c) (local.get $B)) (local.get $sc))))
      (local.set $p (i32.add (local.get $x) (i32.mul (i32.mul (local.get $r) (local.get $inner)) (i32.const ${xBytes}))))
      (local.set $q (i32.add (local.get $y) (i32.mul (i32.mul (local.get $r) (local.get $inner)) (i32.const ${yBytes}))))
      (local.set $e (i32.add (local.get $p) (i32.mul (local.get $inner) (i32.const ${xBytes}))))
      (local.set $sp (i32.add (local.get $s) (i32.shl (local.get $sb) (i32.const 2))))
      (local.set $zp (i32.add (local.get $z) (i32.mul (local.get $sb) (i32.const ${zBytes}))))
      ${body}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))`;
}

/** A 4-wide loop over the row then a scalar tail; `vec`/`one` compute and store one step at $p/$q. */
function rowLoops(xBytes: number, yBytes: number, zBytes: number, splat: string, vecSplat: string, vecStep: string, one: string, wideSplat?: string): string {
  const vloop = (lbl: string, pre: string, adv: string, n = 4) => `(block $d${lbl} (loop $l${lbl}
          (br_if $d${lbl} (i32.gt_u (i32.add (local.get $p) (i32.const ${n * xBytes})) (local.get $e)))
          ${pre}
          (local.set $p (i32.add (local.get $p) (i32.const ${n * xBytes})))
          (local.set $q (i32.add (local.get $q) (i32.const ${n * yBytes})))
          ${adv}
          (br $l${lbl})))`;
  return `(if (i32.eqz (local.get $si))
        (then ${splat}
          ${wideSplat ? vloop('w', wideSplat, '', 16) : ''}
          ${vloop('a', vecSplat, '')})
        (else
          ${vloop('b', vecStep, `(local.set $sp (i32.add (local.get $sp) (i32.const 16))) (local.set $zp (i32.add (local.get $zp) (i32.const ${4 * zBytes})))`)}))
      (block $dt (loop $lt
        (br_if $dt (i32.ge_u (local.get $p) (local.get $e)))
        ${one}
        (local.set $p (i32.add (local.get $p) (i32.const ${xBytes})))
        (local.set $q (i32.add (local.get $q) (i32.const ${yBytes})))
        (local.set $sp (i32.add (local.get $sp) (i32.shl (local.get $si) (i32.const 2))))
        (local.set $zp (i32.add (local.get $zp) (i32.mul (local.get $si) (i32.const ${zBytes}))))
        (br $lt)))`;
}

function store4(t: QType, addr: string, v: string): string {
  return t.bytes === 1 ? `(v128.store32_lane 0 ${addr} ${narrow(t, v, '$t')})` : `(v128.store64_lane 0 ${addr} ${narrow(t, v, '$t')})`;
}

/** 16 elements per step with a splatted scale and zero point: four requantised vectors narrowed into full stores. */
function quantize16(t: QType): string {
  const q = (off: number) => requant4(t, `(f32x4.div (v128.load offset=${off} (local.get $p)) (local.get $sv))`, '(local.get $zv)');
  const s = t.signed ? 's' : 'u';
  if (t.bytes === 1) {
    return `(v128.store (local.get $q) (i8x16.narrow_i16x8_${s} (i16x8.narrow_i32x4_s ${q(0)} ${q(16)}) (i16x8.narrow_i32x4_s ${q(32)} ${q(48)})))`;
  }
  return `(v128.store (local.get $q) (i16x8.narrow_i32x4_${s} ${q(0)} ${q(16)}))
          (v128.store offset=16 (local.get $q) (i16x8.narrow_i32x4_${s} ${q(32)} ${q(48)}))`;
}

function quantize(t: QType): string {
  const g = (n: string) => `(local.get ${n})`;
  const q4 = (sv: string, zv: string) => requant4(t, `(f32x4.div (v128.load ${g('$p')}) ${sv})`, zv);
  const body = rowLoops(
    4,
    t.bytes,
    t.bytes,
    `(local.set $sv (v128.load32_splat ${g('$sp')})) (local.set $zv (f32x4.splat (f32.convert_i32_s ${loadScalar(t, g('$zp'))})))`,
    store4(t, g('$q'), q4(g('$sv'), g('$zv'))),
    store4(t, g('$q'), q4(`(v128.load ${g('$sp')})`, `(f32x4.convert_i32x4_s ${load4(t, g('$zp'))})`)),
    `(i32.store${t.bytes * 8} ${g('$q')} ${requant1(t, `(f32.div (f32.load ${g('$p')}) (f32.load ${g('$sp')}))`, `(f32.convert_i32_s ${loadScalar(t, g('$zp'))})`)})`,
    quantize16(t),
  );
  return `(func (export "quantize_${t.tag}") ${PARAMS} ${LOCALS}
    ${rowWalk(4, t.bytes, t.bytes, body)})`;
}

/** Dequantisation inputs: the quantised types, plus int32 (biases; its zero point is int32 too). */
type DqType = QType | { tag: 'i32'; signed: true; bytes: 4 };

function dequantize(t: DqType): string {
  const g = (n: string) => `(local.get ${n})`;
  const ld4 = (a: string) => (t.tag === 'i32' ? `(v128.load ${a})` : load4(t as QType, a));
  const ld1 = (a: string) => (t.tag === 'i32' ? `(i32.load ${a})` : loadScalar(t as QType, a));
  const d4 = (sv: string, zv: string) => `(v128.store ${g('$q')} (f32x4.mul (f32x4.convert_i32x4_s (i32x4.sub ${ld4(g('$p'))} ${zv})) ${sv}))`;
  const body = rowLoops(
    t.bytes,
    4,
    t.bytes,
    `(local.set $sv (v128.load32_splat ${g('$sp')})) (local.set $zv (i32x4.splat ${ld1(g('$zp'))}))`,
    d4(g('$sv'), g('$zv')),
    d4(`(v128.load ${g('$sp')})`, ld4(g('$zp'))),
    `(f32.store ${g('$q')} (f32.mul (f32.convert_i32_s (i32.sub ${ld1(g('$p'))} ${ld1(g('$zp'))})) (f32.load ${g('$sp')})))`,
  );
  return `(func (export "dequantize_${t.tag}") ${PARAMS} ${LOCALS}
    ${rowWalk(t.bytes, 4, t.bytes, body)})`;
}

export const MINMAX_BLOCK = 4096;

function minmax(): string {
  return `(func (export "minmax_f32") (param $x i32) (param $n i32) (param $part i32) (param $start i32) (param $end i32)
    (local $b i32) (local $p i32) (local $e i32) (local $mn v128) (local $mx v128) (local $v v128) (local $smn f32) (local $smx f32)
    (local.set $b (local.get $start))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b) (local.get $end)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $b) (i32.const ${MINMAX_BLOCK})) (i32.const 2))))
      (local.set $e (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
      (if (i32.gt_u (local.get $e) (i32.add (local.get $p) (i32.const ${MINMAX_BLOCK * 4})))
        (then (local.set $e (i32.add (local.get $p) (i32.const ${MINMAX_BLOCK * 4})))))
      (local.set $mn (f32x4.splat (f32.const inf)))
      (local.set $mx (f32x4.splat (f32.const -inf)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $mn (f32x4.min (local.get $mn) (local.get $v)))
        (local.set $mx (f32x4.max (local.get $mx) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l1)))
      (local.set $smn (f32.min (f32.min (f32x4.extract_lane 0 (local.get $mn)) (f32x4.extract_lane 1 (local.get $mn)))
                               (f32.min (f32x4.extract_lane 2 (local.get $mn)) (f32x4.extract_lane 3 (local.get $mn)))))
      (local.set $smx (f32.max (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
                               (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx)))))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $smn (f32.min (local.get $smn) (f32.load (local.get $p))))
        (local.set $smx (f32.max (local.get $smx) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l2)))
      (f32.store (i32.add (local.get $part) (i32.shl (local.get $b) (i32.const 3))) (local.get $smn))
      (f32.store offset=4 (i32.add (local.get $part) (i32.shl (local.get $b) (i32.const 3))) (local.get $smx))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $blocks)))
  )`;
}

export const quantFamily: WatFamily = {
  name: 'quant',
  usesRelaxed: false,
  emit(v: WatVariant): string {
    // 4-bit inputs dequantise with the 8-bit exports (same storage)
    const dq: DqType[] = [...QTYPES.filter((t) => t.max > 15), { tag: 'i32', signed: true, bytes: 4 }];
    return `(module\n${memoryImport(v)}\n${QTYPES.map(quantize).join('\n')}\n${dq.map(dequantize).join('\n')}\n${minmax()}\n${gemmFuncs()}\n)`;
  },
};
