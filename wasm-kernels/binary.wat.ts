/**
 * The `binary` family: elementwise arithmetic and comparisons with numpy broadcasting.
 *
 * Every op exports `<Op>_<f32|i32>(a, b, out, meta, start, end)`, which computes flat output
 * elements [start, end). `meta` points at an i32 array describing the collapsed problem:
 *   [outerDims, n, saInner, sbInner, (size, sa, sb) for each outer dim, innermost first]
 * The output is walked row by row (a row is the innermost dimension, n elements); each row segment
 * runs a loop specialised for its inner strides: (1,1), (1,0), (0,1), or a generic strided loop.
 * Comparisons write one byte (0/1) per element, 16 at a time. Logical ops (`_u8`) read and write
 * bool bytes (any non-zero byte is true), 16 per vector.
 */
import { MATH_LOCALS, atan2F32x4, f4, i4, powF32x4 } from './templates/math.wat.js';
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

type Dt = 'f32' | 'i32' | 'u8' | 'i64' | 'i8' | 'ui8' | 'i16' | 'u16' | 'u32' | 'u64' | 'f64';

interface BinOp {
  name: string;
  dt: Dt;
  /** Output is bool (one byte per element). */
  cmp: boolean;
  /** f32x4/i32x4 expression of two v128 operands (a lane mask for comparisons). */
  vec?: (v: WatVariant, a: string, b: string) => string;
  /**
   * i32 (f32 for dt f32) expression of locals $x, $y ($fx, $fy), for ops without a SIMD form (int Div,
   * int Pow, Mod). For dt i64: an i64 expression of $lx, $ly (i32 0/1 for comparisons).
   */
  scalar?: string;
}

const simple = (instr: string) => (_v: WatVariant, a: string, b: string) => `(${instr} ${a} ${b})`;

const I32_DIV = `(if (result i32) (i32.eqz (local.get $y)) (then (i32.const 0))
  (else (if (result i32) (i32.eq (local.get $y) (i32.const -1)) (then (i32.sub (i32.const 0) (local.get $x))) (else (i32.div_s (local.get $x) (local.get $y))))))`;

const I32_REM = `(if (result i32) (i32.eqz (local.get $y)) (then (i32.const 0)) (else (i32.rem_s (local.get $x) (local.get $y))))`;
// r = rem(x, y); r + y when r ≠ 0 and r, y differ in sign
const I32_MOD = `(block (result i32) (local.set $x ${I32_REM})
  (select (i32.add (local.get $x) (local.get $y)) (local.get $x)
    (i32.and (i32.ne (local.get $x) (i32.const 0)) (i32.lt_s (i32.xor (local.get $x) (local.get $y)) (i32.const 0)))))`;
// q = trunc(x / y) − 1 when the division is inexact and x, y differ in sign; x / 0 = 0
const I32_FLOORDIV = `(if (result i32) (i32.eqz (local.get $y)) (then (i32.const 0))
  (else (if (result i32) (i32.eq (local.get $y) (i32.const -1)) (then (i32.sub (i32.const 0) (local.get $x)))
    (else (i32.sub (i32.div_s (local.get $x) (local.get $y))
      (i32.and (i32.ne (i32.rem_s (local.get $x) (local.get $y)) (i32.const 0)) (i32.lt_s (i32.xor (local.get $x) (local.get $y)) (i32.const 0))))))))`;

// int64: the same semantics as int32 (truncating Div, x/0 = 0, INT64_MIN/-1 wraps; Mod floored or C fmod, x mod 0 = 0)
const I64_DIV = `(if (result i64) (i64.eqz (local.get $ly)) (then (i64.const 0))
  (else (if (result i64) (i64.eq (local.get $ly) (i64.const -1)) (then (i64.sub (i64.const 0) (local.get $lx))) (else (i64.div_s (local.get $lx) (local.get $ly))))))`;
const I64_REM = `(if (result i64) (i64.eqz (local.get $ly)) (then (i64.const 0)) (else (i64.rem_s (local.get $lx) (local.get $ly))))`;
const I64_MOD = `(block (result i64) (local.set $lx ${I64_REM})
  (select (i64.add (local.get $lx) (local.get $ly)) (local.get $lx)
    (i32.and (i64.ne (local.get $lx) (i64.const 0)) (i64.lt_s (i64.xor (local.get $lx) (local.get $ly)) (i64.const 0)))))`;
const i64Cmp = (instr: string) => `(${instr} (local.get $lx) (local.get $ly))`;
const i64Sel = (instr: string) => `(select (local.get $lx) (local.get $ly) (${instr} (local.get $lx) (local.get $ly)))`;

/**
 * C fmod on float32, exact: |x| is reduced by multiples of t = |y|·2^(24j) in float64, where every
 * step x − q·t (q < 2^24, q = floor(x/t) corrected by one when the quotient rounded up) is exact,
 * since x and t both carry at most 24 significant bits above a common unit. At most ~13 steps.
 * NaN, x = ±Inf or y = 0 give NaN; |y| = Inf gives x; the result has x's sign.
 */
const FMOD = `(func $fmod (param $a f32) (param $b f32) (result f32) (local $x f64) (local $y f64) (local $t f64) (local $q f64)
  (if (i32.or (i32.or (f32.ne (local.get $a) (local.get $a)) (f32.ne (local.get $b) (local.get $b)))
        (i32.or (f32.eq (f32.abs (local.get $a)) (f32.const inf)) (f32.eq (local.get $b) (f32.const 0))))
    (then (return (f32.const nan))))
  (local.set $x (f64.promote_f32 (f32.abs (local.get $a))))
  (local.set $y (f64.promote_f32 (f32.abs (local.get $b))))
  (block $d (loop $l
    (br_if $d (f64.lt (local.get $x) (local.get $y)))
    (local.set $t (local.get $y))
    (block $sd (loop $sl
      (br_if $sd (f64.gt (f64.mul (local.get $t) (f64.const 16777216)) (local.get $x)))
      (local.set $t (f64.mul (local.get $t) (f64.const 16777216)))
      (br $sl)))
    (local.set $q (f64.floor (f64.div (local.get $x) (local.get $t))))
    (local.set $x (f64.sub (local.get $x) (f64.mul (local.get $q) (local.get $t))))
    (if (f64.lt (local.get $x) (f64.const 0)) (then (local.set $x (f64.add (local.get $x) (local.get $t)))))
    (br $l)))
  (f32.copysign (f32.demote_f64 (local.get $x)) (local.get $a)))

;; floored: fmod, then + y when the remainder is non-zero and its sign differs from y's; a zero takes y's sign
(func $fmodFloored (param $a f32) (param $b f32) (result f32) (local $r f32)
  (local.set $r (call $fmod (local.get $a) (local.get $b)))
  (if (f32.eq (local.get $r) (f32.const 0)) (then (return (f32.copysign (f32.const 0) (local.get $b)))))
  (if (i32.xor (f32.lt (local.get $r) (f32.const 0)) (f32.lt (local.get $b) (f32.const 0)))
    (then (local.set $r (f32.add (local.get $r) (local.get $b)))))
  (local.get $r))`;

const CMP_NAMES = ['Equal', 'NotEqual', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'] as const;

// ---- int16, uint16, uint32, uint64 and float64 (wasm only)

/** C fmod on float64, exact (musl's bitwise long division): NaN for NaN, x = ±Inf or y = 0; the result has x's sign. */
const FMOD64 = `(func $fmod64 (param $x f64) (param $y f64) (result f64)
  (local $ux i64) (local $uy i64) (local $ex i64) (local $ey i64) (local $sx i64) (local $i i64)
  (local.set $ux (i64.reinterpret_f64 (local.get $x)))
  (local.set $uy (i64.reinterpret_f64 (local.get $y)))
  (local.set $ex (i64.and (i64.shr_u (local.get $ux) (i64.const 52)) (i64.const 0x7ff)))
  (local.set $ey (i64.and (i64.shr_u (local.get $uy) (i64.const 52)) (i64.const 0x7ff)))
  (local.set $sx (i64.and (local.get $ux) (i64.const 0x8000000000000000)))
  (if (i32.or (i32.or (i64.eqz (i64.shl (local.get $uy) (i64.const 1))) (f64.ne (local.get $y) (local.get $y))) (i64.eq (local.get $ex) (i64.const 0x7ff)))
    (then (return (f64.const nan))))
  (if (i64.le_u (i64.shl (local.get $ux) (i64.const 1)) (i64.shl (local.get $uy) (i64.const 1))) (then
    (if (i64.eq (i64.shl (local.get $ux) (i64.const 1)) (i64.shl (local.get $uy) (i64.const 1))) (then (return (f64.mul (f64.const 0) (local.get $x)))))
    (return (local.get $x))))
  ${['x', 'y'].map((c) => `(if (i64.eqz (local.get $e${c})) (then
      (local.set $i (i64.shl (local.get $u${c}) (i64.const 12)))
      (block $d${c} (loop $l${c}
        (br_if $d${c} (i64.lt_s (local.get $i) (i64.const 0)))
        (local.set $e${c} (i64.sub (local.get $e${c}) (i64.const 1)))
        (local.set $i (i64.shl (local.get $i) (i64.const 1)))
        (br $l${c})))
      (local.set $u${c} (i64.shl (local.get $u${c}) (i64.sub (i64.const 1) (local.get $e${c})))))
    (else (local.set $u${c} (i64.or (i64.and (local.get $u${c}) (i64.const 0x000fffffffffffff)) (i64.const 0x0010000000000000)))))`).join('\n  ')}
  (block $d (loop $l
    (br_if $d (i64.le_s (local.get $ex) (local.get $ey)))
    (local.set $i (i64.sub (local.get $ux) (local.get $uy)))
    (if (i64.ge_s (local.get $i) (i64.const 0)) (then
      (if (i64.eqz (local.get $i)) (then (return (f64.mul (f64.const 0) (local.get $x)))))
      (local.set $ux (local.get $i))))
    (local.set $ux (i64.shl (local.get $ux) (i64.const 1)))
    (local.set $ex (i64.sub (local.get $ex) (i64.const 1)))
    (br $l)))
  (local.set $i (i64.sub (local.get $ux) (local.get $uy)))
  (if (i64.ge_s (local.get $i) (i64.const 0)) (then
    (if (i64.eqz (local.get $i)) (then (return (f64.mul (f64.const 0) (local.get $x)))))
    (local.set $ux (local.get $i))))
  (block $dn (loop $ln
    (br_if $dn (i64.ne (i64.shr_u (local.get $ux) (i64.const 52)) (i64.const 0)))
    (local.set $ux (i64.shl (local.get $ux) (i64.const 1)))
    (local.set $ex (i64.sub (local.get $ex) (i64.const 1)))
    (br $ln)))
  (if (i64.gt_s (local.get $ex) (i64.const 0))
    (then (local.set $ux (i64.or (i64.sub (local.get $ux) (i64.const 0x0010000000000000)) (i64.shl (local.get $ex) (i64.const 52)))))
    (else (local.set $ux (i64.shr_u (local.get $ux) (i64.sub (i64.const 1) (local.get $ex))))))
  (f64.reinterpret_i64 (i64.or (local.get $ux) (local.get $sx))))

;; floored: as $fmodFloored
(func $fmod64Floored (param $a f64) (param $b f64) (result f64) (local $r f64)
  (local.set $r (call $fmod64 (local.get $a) (local.get $b)))
  (if (f64.eq (local.get $r) (f64.const 0)) (then (return (f64.copysign (f64.const 0) (local.get $b)))))
  (if (i32.xor (f64.lt (local.get $r) (f64.const 0)) (f64.lt (local.get $b) (f64.const 0)))
    (then (local.set $r (f64.add (local.get $r) (local.get $b)))))
  (local.get $r))`;

type WideDt = 'i16' | 'u16' | 'u32' | 'i64' | 'u64' | 'f64';
/**
 * Element bytes, scalar load/store, scalar local type and splat load of each dtype that is not f32,
 * i32 or 8-bit; `vars`: the scalar locals its ops' expressions read ($x, $y unless given).
 */
const WIDE: Record<WideDt, { bytes: number; load: string; store: string; local: 'i32' | 'i64' | 'f64'; splat: string; vars?: [string, string] }> = {
  i16: { bytes: 2, load: 'i32.load16_s', store: 'i32.store16', local: 'i32', splat: 'v128.load16_splat' },
  u16: { bytes: 2, load: 'i32.load16_u', store: 'i32.store16', local: 'i32', splat: 'v128.load16_splat' },
  u32: { bytes: 4, load: 'i32.load', store: 'i32.store', local: 'i32', splat: 'v128.load32_splat' },
  i64: { bytes: 8, load: 'i64.load', store: 'i64.store', local: 'i64', splat: 'v128.load64_splat', vars: ['$lx', '$ly'] },
  u64: { bytes: 8, load: 'i64.load', store: 'i64.store', local: 'i64', splat: 'v128.load64_splat' },
  f64: { bytes: 8, load: 'f64.load', store: 'f64.store', local: 'f64', splat: 'v128.load64_splat' },
};
const isWide = (dt: Dt): dt is WideDt => dt in WIDE;

const X = '(local.get $x)';
const Y = '(local.get $y)';
const bin = (instr: string) => `(${instr} ${X} ${Y})`;
const pick = (instr: string) => `(select ${X} ${Y} (${instr} ${X} ${Y}))`;
/** Unsigned Div / remainder with x/0 = 0 and x mod 0 = 0 (as the signed kernels). */
const udiv = (t: 'i32' | 'i64') => `(if (result ${t}) (${t}.eqz ${Y}) (then (${t}.const 0)) (else (${t}.div_u ${X} ${Y})))`;
const urem = (t: 'i32' | 'i64') => `(if (result ${t}) (${t}.eqz ${Y}) (then (${t}.const 0)) (else (${t}.rem_u ${X} ${Y})))`;
/** Shifts by amounts of `bits` or more give 0 (ONNX BitShift on unsigned types). */
const shift = (t: 'i32' | 'i64', dir: 'shl' | 'shr_u', bits: number) => `(select (${t}.${dir} ${X} ${Y}) (${t}.const 0) (${t}.lt_u ${Y} (${t}.const ${bits})))`;

/**
 * The wide dtypes' ops. Vector forms (16 bytes a step for inner strides (1,1), (1,0), (0,1)) where
 * SIMD128 has the lane op; every op also has the scalar form ($x, $y of the dtype's local type).
 * 16-bit integers compute on the extended values and store the low half, so they wrap like int8;
 * unsigned Div/Mod use div_u/rem_u (floored and C fmod coincide), x/0 = 0 and x mod 0 = 0.
 */
const WIDE_KERNELS: BinOp[] = [
  ...(['i16', 'u16'] as const).flatMap((dt): BinOp[] => {
    const s = dt === 'i16' ? 's' : 'u';
    return [
      { name: 'Add', dt, cmp: false, vec: simple('i16x8.add'), scalar: bin('i32.add') },
      { name: 'Sub', dt, cmp: false, vec: simple('i16x8.sub'), scalar: bin('i32.sub') },
      { name: 'Mul', dt, cmp: false, vec: simple('i16x8.mul'), scalar: bin('i32.mul') },
      { name: 'Div', dt, cmp: false, scalar: dt === 'i16' ? I32_DIV : udiv('i32') },
      { name: 'Max', dt, cmp: false, vec: simple(`i16x8.max_${s}`), scalar: pick(`i32.gt_${s}`) },
      { name: 'Min', dt, cmp: false, vec: simple(`i16x8.min_${s}`), scalar: pick(`i32.lt_${s}`) },
      { name: 'Mod', dt, cmp: false, scalar: dt === 'i16' ? I32_MOD : urem('i32') },
      { name: 'FMod', dt, cmp: false, scalar: dt === 'i16' ? I32_REM : urem('i32') },
      { name: 'Equal', dt, cmp: true, scalar: bin('i32.eq') },
      { name: 'NotEqual', dt, cmp: true, scalar: bin('i32.ne') },
      { name: 'Greater', dt, cmp: true, scalar: bin(`i32.gt_${s}`) },
      { name: 'GreaterOrEqual', dt, cmp: true, scalar: bin(`i32.ge_${s}`) },
      { name: 'Less', dt, cmp: true, scalar: bin(`i32.lt_${s}`) },
      { name: 'LessOrEqual', dt, cmp: true, scalar: bin(`i32.le_${s}`) },
      ...(dt === 'u16' ? [
        { name: 'ShiftLeft', dt, cmp: false, scalar: shift('i32', 'shl', 16) },
        { name: 'ShiftRight', dt, cmp: false, scalar: shift('i32', 'shr_u', 16) },
      ] : []),
    ];
  }),
  { name: 'Add', dt: 'u32', cmp: false, vec: simple('i32x4.add'), scalar: bin('i32.add') },
  { name: 'Sub', dt: 'u32', cmp: false, vec: simple('i32x4.sub'), scalar: bin('i32.sub') },
  { name: 'Mul', dt: 'u32', cmp: false, vec: simple('i32x4.mul'), scalar: bin('i32.mul') },
  { name: 'Div', dt: 'u32', cmp: false, scalar: udiv('i32') },
  { name: 'Max', dt: 'u32', cmp: false, vec: simple('i32x4.max_u'), scalar: pick('i32.gt_u') },
  { name: 'Min', dt: 'u32', cmp: false, vec: simple('i32x4.min_u'), scalar: pick('i32.lt_u') },
  { name: 'Mod', dt: 'u32', cmp: false, scalar: urem('i32') },
  { name: 'FMod', dt: 'u32', cmp: false, scalar: urem('i32') },
  { name: 'ShiftLeft', dt: 'u32', cmp: false, scalar: shift('i32', 'shl', 32) },
  { name: 'ShiftRight', dt: 'u32', cmp: false, scalar: shift('i32', 'shr_u', 32) },
  ...(['eq', 'ne', 'gt_u', 'ge_u', 'lt_u', 'le_u'] as const).map((c, k): BinOp => ({ name: CMP_NAMES[k]!, dt: 'u32', cmp: true, scalar: bin(`i32.${c}`) })),
  { name: 'Add', dt: 'u64', cmp: false, vec: simple('i64x2.add'), scalar: bin('i64.add') },
  { name: 'Sub', dt: 'u64', cmp: false, vec: simple('i64x2.sub'), scalar: bin('i64.sub') },
  { name: 'Mul', dt: 'u64', cmp: false, vec: simple('i64x2.mul'), scalar: bin('i64.mul') },
  { name: 'Div', dt: 'u64', cmp: false, scalar: udiv('i64') },
  { name: 'Max', dt: 'u64', cmp: false, scalar: pick('i64.gt_u') },
  { name: 'Min', dt: 'u64', cmp: false, scalar: pick('i64.lt_u') },
  { name: 'Mod', dt: 'u64', cmp: false, scalar: urem('i64') },
  { name: 'FMod', dt: 'u64', cmp: false, scalar: urem('i64') },
  { name: 'ShiftLeft', dt: 'u64', cmp: false, scalar: shift('i64', 'shl', 64) },
  { name: 'ShiftRight', dt: 'u64', cmp: false, scalar: shift('i64', 'shr_u', 64) },
  ...(['eq', 'ne', 'gt_u', 'ge_u', 'lt_u', 'le_u'] as const).map((c, k): BinOp => ({ name: CMP_NAMES[k]!, dt: 'u64', cmp: true, scalar: bin(`i64.${c}`) })),
  // float64: IEEE arithmetic; Max/Min propagate NaN (f64x2.max/min and f64.max/min agree, −0 < +0)
  { name: 'Add', dt: 'f64', cmp: false, vec: simple('f64x2.add'), scalar: bin('f64.add') },
  { name: 'Sub', dt: 'f64', cmp: false, vec: simple('f64x2.sub'), scalar: bin('f64.sub') },
  { name: 'Mul', dt: 'f64', cmp: false, vec: simple('f64x2.mul'), scalar: bin('f64.mul') },
  { name: 'Div', dt: 'f64', cmp: false, vec: simple('f64x2.div'), scalar: bin('f64.div') },
  { name: 'Max', dt: 'f64', cmp: false, vec: simple('f64x2.max'), scalar: bin('f64.max') },
  { name: 'Min', dt: 'f64', cmp: false, vec: simple('f64x2.min'), scalar: bin('f64.min') },
  { name: 'Mod', dt: 'f64', cmp: false, scalar: `(call $fmod64Floored ${X} ${Y})` },
  { name: 'FMod', dt: 'f64', cmp: false, scalar: `(call $fmod64 ${X} ${Y})` },
  ...(['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const).map((c, k): BinOp => ({ name: CMP_NAMES[k]!, dt: 'f64', cmp: true, scalar: bin(`f64.${c}`) })),
];

/**
 * Row segments of the wide dtypes: a 16-byte vector loop where the op has a vector form and the inner
 * strides are (1,1), (1,0) or (0,1), then the scalar loop for the rest (strided operands, the tail,
 * the ops without a vector form). Comparisons store one bool byte per element.
 */
function segFuncWide(v: WatVariant, op: BinOp & { dt: WideDt }): string {
  const w = WIDE[op.dt];
  const [x, y] = w.vars ?? ['$x', '$y'];
  const name = `$seg_${binaryExport(op.name, op.dt)}`;
  const ob = op.cmp ? 1 : w.bytes;
  const sh = Math.log2(w.bytes);
  const vloop = (ka: Kind, kb: Kind) => {
    const A = ka === 'splat' ? '(local.get $va)' : '(v128.load (local.get $pa))';
    const B = kb === 'splat' ? '(local.get $vb)' : '(v128.load (local.get $pb))';
    return `(block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $po) (i32.const 16)) (local.get $pe)))
      (v128.store (local.get $po) ${op.vec!(v, A, B)})
      ${ka === 'splat' ? '' : '(local.set $pa (i32.add (local.get $pa) (i32.const 16)))'}
      ${kb === 'splat' ? '' : '(local.set $pb (i32.add (local.get $pb) (i32.const 16)))'}
      (local.set $po (i32.add (local.get $po) (i32.const 16)))
      (br $vl)))`;
  };
  const vec = op.vec && !op.cmp
    ? `(if (i32.and (i32.eq (local.get $sa) (i32.const 1)) (i32.eq (local.get $sb) (i32.const 1))) (then ${vloop('contig', 'contig')})
    (else (if (i32.and (i32.eq (local.get $sa) (i32.const 1)) (i32.eqz (local.get $sb))) (then
      (local.set $vb (${w.splat} (local.get $pb))) ${vloop('contig', 'splat')})
    (else (if (i32.and (i32.eqz (local.get $sa)) (i32.eq (local.get $sb) (i32.const 1))) (then
      (local.set $va (${w.splat} (local.get $pa))) ${vloop('splat', 'contig')}))))))`
    : '';
  return `(func ${name} (param $pa i32) (param $pb i32) (param $po i32) (param $n i32) (param $sa i32) (param $sb i32)
    (local $pe i32) (local $va v128) (local $vb v128) (local ${x} ${w.local}) (local ${y} ${w.local})
    (local.set $pe (i32.add (local.get $po) (i32.mul (local.get $n) (i32.const ${ob}))))
    ${vec}
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $po) (local.get $pe)))
      (local.set ${x} (${w.load} (local.get $pa)))
      (local.set ${y} (${w.load} (local.get $pb)))
      ${op.cmp ? `(i32.store8 (local.get $po) ${op.scalar})` : `(${w.store} (local.get $po) ${op.scalar})`}
      (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $sa) (i32.const ${sh}))))
      (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $sb) (i32.const ${sh}))))
      (local.set $po (i32.add (local.get $po) (i32.const ${ob})))
      (br $l))))`;
}

export const BINARY_KERNELS: readonly BinOp[] = [
  { name: 'Add', dt: 'f32', cmp: false, vec: simple('f32x4.add') },
  { name: 'Sub', dt: 'f32', cmp: false, vec: simple('f32x4.sub') },
  { name: 'Mul', dt: 'f32', cmp: false, vec: simple('f32x4.mul') },
  { name: 'Div', dt: 'f32', cmp: false, vec: simple('f32x4.div') },
  { name: 'Pow', dt: 'f32', cmp: false, vec: (_v, a, b) => `(call $powv ${a} ${b})` },
  // f32x4.max/min propagate NaN (pmax/pmin would not)
  { name: 'Max', dt: 'f32', cmp: false, vec: simple('f32x4.max') },
  { name: 'Min', dt: 'f32', cmp: false, vec: simple('f32x4.min') },
  { name: 'Atan2', dt: 'f32', cmp: false, vec: (_v, a, b) => `(call $atan2v ${a} ${b})` },
  { name: 'Mod', dt: 'f32', cmp: false, scalar: '(call $fmodFloored (local.get $fx) (local.get $fy))' },
  { name: 'FMod', dt: 'f32', cmp: false, scalar: '(call $fmod (local.get $fx) (local.get $fy))' },
  // tfjs floorDiv: floor of the rounded quotient
  { name: 'FloorDiv', dt: 'f32', cmp: false, vec: (_v, a, b) => `(f32x4.floor (f32x4.div ${a} ${b}))` },
  { name: 'SquaredDifference', dt: 'f32', cmp: false, vec: (_v, a, b) => `(block (result v128) (local.set $t (f32x4.sub ${a} ${b})) (f32x4.mul (local.get $t) (local.get $t)))` },
  // x < 0 ? x·slope : x (NaN passes)
  { name: 'PRelu', dt: 'f32', cmp: false, vec: (_v, a, b) => `(block (result v128) (local.set $t ${a}) (v128.bitselect (f32x4.mul (local.get $t) ${b}) (local.get $t) (f32x4.lt (local.get $t) ${f4(0)})))` },
  { name: 'Add', dt: 'i32', cmp: false, vec: simple('i32x4.add') },
  { name: 'Sub', dt: 'i32', cmp: false, vec: simple('i32x4.sub') },
  { name: 'Mul', dt: 'i32', cmp: false, vec: simple('i32x4.mul') },
  // truncates toward zero; x/0 = 0 and INT_MIN/-1 = INT_MIN (wraps) instead of trapping
  { name: 'Div', dt: 'i32', cmp: false, scalar: I32_DIV },
  { name: 'Pow', dt: 'i32', cmp: false, scalar: '(call $ipow (local.get $x) (local.get $y))' },
  { name: 'Max', dt: 'i32', cmp: false, vec: simple('i32x4.max_s') },
  // Mod: floored (divisor's sign) and C fmod (dividend's sign); x mod 0 = 0
  { name: 'Mod', dt: 'i32', cmp: false, scalar: I32_MOD },
  { name: 'FMod', dt: 'i32', cmp: false, scalar: I32_REM },
  { name: 'FloorDiv', dt: 'i32', cmp: false, scalar: I32_FLOORDIV },
  { name: 'SquaredDifference', dt: 'i32', cmp: false, vec: (_v, a, b) => `(block (result v128) (local.set $t (i32x4.sub ${a} ${b})) (i32x4.mul (local.get $t) (local.get $t)))` },
  { name: 'PRelu', dt: 'i32', cmp: false, vec: (_v, a, b) => `(block (result v128) (local.set $t ${a}) (v128.bitselect (i32x4.mul (local.get $t) ${b}) (local.get $t) (i32x4.lt_s (local.get $t) ${i4(0)})))` },
  // uint32 shifts; amounts outside [0, 31] give 0
  { name: 'ShiftLeft', dt: 'i32', cmp: false, scalar: '(select (i32.shl (local.get $x) (local.get $y)) (i32.const 0) (i32.lt_u (local.get $y) (i32.const 32)))' },
  { name: 'ShiftRight', dt: 'i32', cmp: false, scalar: '(select (i32.shr_u (local.get $x) (local.get $y)) (i32.const 0) (i32.lt_u (local.get $y) (i32.const 32)))' },
  { name: 'Min', dt: 'i32', cmp: false, vec: simple('i32x4.min_s') },
  { name: 'Equal', dt: 'f32', cmp: true, vec: simple('f32x4.eq') },
  { name: 'Greater', dt: 'f32', cmp: true, vec: simple('f32x4.gt') },
  { name: 'GreaterOrEqual', dt: 'f32', cmp: true, vec: simple('f32x4.ge') },
  { name: 'Less', dt: 'f32', cmp: true, vec: simple('f32x4.lt') },
  { name: 'LessOrEqual', dt: 'f32', cmp: true, vec: simple('f32x4.le') },
  { name: 'NotEqual', dt: 'f32', cmp: true, vec: simple('f32x4.ne') },
  { name: 'Equal', dt: 'i32', cmp: true, vec: simple('i32x4.eq') },
  { name: 'NotEqual', dt: 'i32', cmp: true, vec: simple('i32x4.ne') },
  { name: 'Greater', dt: 'i32', cmp: true, vec: simple('i32x4.gt_s') },
  { name: 'GreaterOrEqual', dt: 'i32', cmp: true, vec: simple('i32x4.ge_s') },
  { name: 'Less', dt: 'i32', cmp: true, vec: simple('i32x4.lt_s') },
  { name: 'LessOrEqual', dt: 'i32', cmp: true, vec: simple('i32x4.le_s') },
  // int64: Add/Sub/Mul wrap (two lanes a vector where both operands are contiguous or splat); the rest one element at a time
  { name: 'Add', dt: 'i64', cmp: false, vec: simple('i64x2.add'), scalar: '(i64.add (local.get $lx) (local.get $ly))' },
  { name: 'Sub', dt: 'i64', cmp: false, vec: simple('i64x2.sub'), scalar: '(i64.sub (local.get $lx) (local.get $ly))' },
  { name: 'Mul', dt: 'i64', cmp: false, vec: simple('i64x2.mul'), scalar: '(i64.mul (local.get $lx) (local.get $ly))' },
  { name: 'Div', dt: 'i64', cmp: false, scalar: I64_DIV },
  { name: 'Pow', dt: 'i64', cmp: false, scalar: '(call $ipow64 (local.get $lx) (local.get $ly))' },
  { name: 'Max', dt: 'i64', cmp: false, scalar: i64Sel('i64.gt_s') },
  { name: 'Min', dt: 'i64', cmp: false, scalar: i64Sel('i64.lt_s') },
  { name: 'Mod', dt: 'i64', cmp: false, scalar: I64_MOD },
  { name: 'FMod', dt: 'i64', cmp: false, scalar: I64_REM },
  { name: 'Equal', dt: 'i64', cmp: true, scalar: i64Cmp('i64.eq') },
  { name: 'NotEqual', dt: 'i64', cmp: true, scalar: i64Cmp('i64.ne') },
  { name: 'Greater', dt: 'i64', cmp: true, scalar: i64Cmp('i64.gt_s') },
  { name: 'GreaterOrEqual', dt: 'i64', cmp: true, scalar: i64Cmp('i64.ge_s') },
  { name: 'Less', dt: 'i64', cmp: true, scalar: i64Cmp('i64.lt_s') },
  { name: 'LessOrEqual', dt: 'i64', cmp: true, scalar: i64Cmp('i64.le_s') },
  // int8 (i8) and uint8 (ui8): one element at a time on the sign- or zero-extended values, stored as the
  // low byte, so Add/Sub/Mul wrap and Div/Mod follow the int32 kernels (x/0 = 0, int8 −128/−1 wraps to −128)
  ...(['i8', 'ui8'] as const).flatMap((dt): BinOp[] => [
    { name: 'Add', dt, cmp: false, scalar: '(i32.add (local.get $x) (local.get $y))' },
    { name: 'Sub', dt, cmp: false, scalar: '(i32.sub (local.get $x) (local.get $y))' },
    { name: 'Mul', dt, cmp: false, scalar: '(i32.mul (local.get $x) (local.get $y))' },
    { name: 'Div', dt, cmp: false, scalar: I32_DIV },
    { name: 'Max', dt, cmp: false, scalar: '(select (local.get $x) (local.get $y) (i32.gt_s (local.get $x) (local.get $y)))' },
    { name: 'Min', dt, cmp: false, scalar: '(select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y)))' },
    { name: 'Mod', dt, cmp: false, scalar: I32_MOD },
    { name: 'FMod', dt, cmp: false, scalar: I32_REM },
    { name: 'Equal', dt, cmp: true, scalar: '(i32.eq (local.get $x) (local.get $y))' },
    { name: 'NotEqual', dt, cmp: true, scalar: '(i32.ne (local.get $x) (local.get $y))' },
    { name: 'Greater', dt, cmp: true, scalar: '(i32.gt_s (local.get $x) (local.get $y))' },
    { name: 'GreaterOrEqual', dt, cmp: true, scalar: '(i32.ge_s (local.get $x) (local.get $y))' },
    { name: 'Less', dt, cmp: true, scalar: '(i32.lt_s (local.get $x) (local.get $y))' },
    { name: 'LessOrEqual', dt, cmp: true, scalar: '(i32.le_s (local.get $x) (local.get $y))' },
    // uint8 BitShift: amounts of 8 or more give 0
    ...(dt === 'ui8' ? [
      { name: 'ShiftLeft', dt, cmp: false, scalar: shift('i32', 'shl', 8) },
      { name: 'ShiftRight', dt, cmp: false, scalar: shift('i32', 'shr_u', 8) },
    ] : []),
  ]),
  ...WIDE_KERNELS,
  // bool: operands are 0xff/0 lane masks of (byte != 0), see segFuncU8
  { name: 'And', dt: 'u8', cmp: true, vec: simple('v128.and'), scalar: '(i32.and (local.get $x) (local.get $y))' },
  { name: 'Or', dt: 'u8', cmp: true, vec: simple('v128.or'), scalar: '(i32.or (local.get $x) (local.get $y))' },
  { name: 'Xor', dt: 'u8', cmp: true, vec: simple('v128.xor'), scalar: '(i32.xor (local.get $x) (local.get $y))' },
];

/** Float pow on four lanes: one function (it is long, and dominates its call). */
const powv = (v: WatVariant) => `(func $powv (param $a v128) (param $b v128) (result v128) ${MATH_LOCALS}
  ${powF32x4(v, '(local.get $a)', '(local.get $b)')})`;

/** atan2 on four lanes (float64 inside): one function, like pow. */
const atan2v = (v: WatVariant) => `(func $atan2v (param $a v128) (param $b v128) (result v128) ${MATH_LOCALS}
  ${atan2F32x4(v, '(local.get $a)', '(local.get $b)')})`;

export const binaryExport = (op: string, dt: Dt) => `${op}_${dt}`;

/** Integer power by repeated squaring (wrapping); negative exponents give trunc(1/x^n): 1, ±1 or 0. */
const IPOW = `(func $ipow (param $x i32) (param $n i32) (result i32) (local $r i32)
  (if (i32.lt_s (local.get $n) (i32.const 0)) (then
    (if (i32.eq (local.get $x) (i32.const 1)) (then (return (i32.const 1))))
    (if (i32.eq (local.get $x) (i32.const -1)) (then
      (return (select (i32.const -1) (i32.const 1) (i32.and (local.get $n) (i32.const 1))))))
    (return (i32.const 0))))
  (local.set $r (i32.const 1))
  (block $d (loop $l
    (br_if $d (i32.eqz (local.get $n)))
    (if (i32.and (local.get $n) (i32.const 1)) (then (local.set $r (i32.mul (local.get $r) (local.get $x)))))
    (local.set $x (i32.mul (local.get $x) (local.get $x)))
    (local.set $n (i32.shr_u (local.get $n) (i32.const 1)))
    (br $l)))
  (local.get $r))`;

/** int64 power by repeated squaring (wrapping); negative exponents as $ipow. */
const IPOW64 = `(func $ipow64 (param $x i64) (param $n i64) (result i64) (local $r i64)
  (if (i64.lt_s (local.get $n) (i64.const 0)) (then
    (if (i64.eq (local.get $x) (i64.const 1)) (then (return (i64.const 1))))
    (if (i64.eq (local.get $x) (i64.const -1)) (then
      (return (select (i64.const -1) (i64.const 1) (i32.wrap_i64 (i64.and (local.get $n) (i64.const 1)))))))
    (return (i64.const 0))))
  (local.set $r (i64.const 1))
  (block $d (loop $l
    (br_if $d (i64.eqz (local.get $n)))
    (if (i32.wrap_i64 (i64.and (local.get $n) (i64.const 1))) (then (local.set $r (i64.mul (local.get $r) (local.get $x)))))
    (local.set $x (i64.mul (local.get $x) (local.get $x)))
    (local.set $n (i64.shr_u (local.get $n) (i64.const 1)))
    (br $l)))
  (local.get $r))`;

type Kind = 'contig' | 'splat' | 'strided';

function operand(k: Kind, p: string, v: string, off: number, one: boolean): string {
  if (k === 'splat') return `(local.get ${v})`;
  if (k === 'strided' || one) return `(v128.load32_zero (local.get ${p}))`;
  return `(v128.load offset=${off} (local.get ${p}))`;
}

function bump(k: Kind, p: string, bytes: number, stride: string): string {
  if (k === 'splat') return '';
  if (k === 'strided') return `(local.set ${p} (i32.add (local.get ${p}) (i32.shl (local.get ${stride}) (i32.const 2))))`;
  return `(local.set ${p} (i32.add (local.get ${p}) (i32.const ${bytes})))`;
}

/** The loop over one row segment for operand kinds (ka, kb). */
function segLoop(v: WatVariant, op: BinOp, ka: Kind, kb: Kind): string {
  const f = op.vec!;
  const A = (off: number, one = false) => operand(ka, '$pa', '$va', off, one);
  const B = (off: number, one = false) => operand(kb, '$pb', '$vb', off, one);
  const tailElem = op.cmp
    ? `(i32.store8 (local.get $po) (i32.and (i32x4.extract_lane 0 ${f(v, A(0, true), B(0, true))}) (i32.const 1)))`
    : `(v128.store32_lane 0 (local.get $po) ${f(v, A(0, true), B(0, true))})`;
  const tail = `(block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $po) (local.get $pe)))
      ${tailElem}
      ${bump(ka, '$pa', 4, '$sa')} ${bump(kb, '$pb', 4, '$sb')}
      (local.set $po (i32.add (local.get $po) (i32.const ${op.cmp ? 1 : 4})))
      (br $tl)))`;
  if (ka === 'strided' || kb === 'strided') return tail;
  // vector body: 8 elements (2 vectors) per iteration, or 16 masks narrowed to 16 bytes
  const per = op.cmp ? 16 : 8;
  const outBytes = op.cmp ? 16 : 32;
  let body: string;
  if (op.cmp) {
    const m = (i: number) => f(v, A(16 * i), B(16 * i));
    body = `(v128.store (local.get $po) (v128.and ${i4(0x01010101)}
      (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${m(0)} ${m(1)}) (i16x8.narrow_i32x4_s ${m(2)} ${m(3)}))))`;
  } else {
    body = `(v128.store (local.get $po) ${f(v, A(0), B(0))})
      (v128.store offset=16 (local.get $po) ${f(v, A(16), B(16))})`;
  }
  return `(block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $po) (i32.const ${outBytes})) (local.get $pe)))
      ${body}
      ${bump(ka, '$pa', per * 4, '')} ${bump(kb, '$pb', per * 4, '')}
      (local.set $po (i32.add (local.get $po) (i32.const ${outBytes})))
      (br $vl)))
    ${tail}`;
}

function segFunc(v: WatVariant, op: BinOp): string {
  const name = `$seg_${binaryExport(op.name, op.dt)}`;
  const head = `(func ${name} (param $pa i32) (param $pb i32) (param $po i32) (param $n i32) (param $sa i32) (param $sb i32)
    (local $pe i32) (local $va v128) (local $vb v128) (local $x i32) (local $y i32) (local $fx f32) (local $fy f32) (local $t v128)
    (local.set $pe (i32.add (local.get $po) (i32.mul (local.get $n) (i32.const ${op.cmp ? 1 : 4}))))`;
  if (op.dt === 'u8') return segFuncU8(v, op);
  if (op.dt === 'i8' || op.dt === 'ui8') return segFuncByte(op);
  if (isWide(op.dt)) return segFuncWide(v, op as BinOp & { dt: WideDt });
  if (op.scalar) {
    const f = op.dt === 'f32';
    return `${head}
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $po) (local.get $pe)))
      (local.set ${f ? '$fx' : '$x'} (${op.dt}.load (local.get $pa)))
      (local.set ${f ? '$fy' : '$y'} (${op.dt}.load (local.get $pb)))
      (${op.dt}.store (local.get $po) ${op.scalar})
      (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $sa) (i32.const 2))))
      (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $sb) (i32.const 2))))
      (local.set $po (i32.add (local.get $po) (i32.const 4)))
      (br $l))))`;
  }
  return `${head}
    (if (i32.and (i32.eq (local.get $sa) (i32.const 1)) (i32.eq (local.get $sb) (i32.const 1))) (then
      ${segLoop(v, op, 'contig', 'contig')} (return)))
    (if (i32.and (i32.eq (local.get $sa) (i32.const 1)) (i32.eqz (local.get $sb))) (then
      (local.set $vb (v128.load32_splat (local.get $pb)))
      ${segLoop(v, op, 'contig', 'splat')} (return)))
    (if (i32.and (i32.eqz (local.get $sa)) (i32.eq (local.get $sb) (i32.const 1))) (then
      (local.set $va (v128.load32_splat (local.get $pa)))
      ${segLoop(v, op, 'splat', 'contig')} (return)))
    ${segLoop(v, op, 'strided', 'strided')})`;
}

/** int8/uint8 row segments: one element at a time (sign- or zero-extended to i32, the low byte stored). */
function segFuncByte(op: BinOp): string {
  const name = `$seg_${binaryExport(op.name, op.dt)}`;
  const load = op.dt === 'i8' ? 'i32.load8_s' : 'i32.load8_u';
  return `(func ${name} (param $pa i32) (param $pb i32) (param $po i32) (param $n i32) (param $sa i32) (param $sb i32)
    (local $pe i32) (local $x i32) (local $y i32)
    (local.set $pe (i32.add (local.get $po) (local.get $n)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $po) (local.get $pe)))
      (local.set $x (${load} (local.get $pa)))
      (local.set $y (${load} (local.get $pb)))
      (i32.store8 (local.get $po) ${op.scalar})
      (local.set $pa (i32.add (local.get $pa) (local.get $sa)))
      (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
      (local.set $po (i32.add (local.get $po) (i32.const 1)))
      (br $l))))`;
}

/**
 * Logical ops on bool bytes: each operand becomes a 0xff/0 lane mask of (byte != 0), the op combines
 * the masks, and the result is narrowed to 0/1. Inner strides (1,1), (1,0), (0,1) run 16 bytes a
 * vector; anything else runs byte by byte.
 */
function segFuncU8(v: WatVariant, op: BinOp): string {
  const name = `$seg_${binaryExport(op.name, op.dt)}`;
  const f = op.vec!;
  const mask = (e: string) => `(i8x16.ne ${e} ${i4(0)})`;
  const loop = (ka: Kind, kb: Kind) => {
    const A = ka === 'splat' ? '(local.get $va)' : mask('(v128.load (local.get $pa))');
    const B = kb === 'splat' ? '(local.get $vb)' : mask('(v128.load (local.get $pb))');
    return `(block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $po) (i32.const 16)) (local.get $pe)))
      (v128.store (local.get $po) (v128.and ${f(v, A, B)} ${i4(0x01010101)}))
      ${bump(ka, '$pa', 16, '')} ${bump(kb, '$pb', 16, '')}
      (local.set $po (i32.add (local.get $po) (i32.const 16)))
      (br $vl)))`;
  };
  return `(func ${name} (param $pa i32) (param $pb i32) (param $po i32) (param $n i32) (param $sa i32) (param $sb i32)
    (local $pe i32) (local $va v128) (local $vb v128) (local $x i32) (local $y i32)
    (local.set $pe (i32.add (local.get $po) (local.get $n)))
    (if (i32.and (i32.eq (local.get $sa) (i32.const 1)) (i32.eq (local.get $sb) (i32.const 1))) (then ${loop('contig', 'contig')}))
    (if (i32.and (i32.eq (local.get $sa) (i32.const 1)) (i32.eqz (local.get $sb))) (then
      (local.set $vb ${mask('(i8x16.splat (i32.load8_u (local.get $pb)))')})
      ${loop('contig', 'splat')}))
    (if (i32.and (i32.eqz (local.get $sa)) (i32.eq (local.get $sb) (i32.const 1))) (then
      (local.set $va ${mask('(i8x16.splat (i32.load8_u (local.get $pa)))')})
      ${loop('splat', 'contig')}))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $po) (local.get $pe)))
      (local.set $x (i32.ne (i32.load8_u (local.get $pa)) (i32.const 0)))
      (local.set $y (i32.ne (i32.load8_u (local.get $pb)) (i32.const 0)))
      (i32.store8 (local.get $po) ${op.scalar})
      (local.set $pa (i32.add (local.get $pa) (local.get $sa)))
      (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
      (local.set $po (i32.add (local.get $po) (i32.const 1)))
      (br $l))))`;
}

/**
 * The exported driver: walks the rows of [start, end). The first row's position comes from two
 * divisions; after that the index along the innermost outer dimension (`$i0`) steps by one, and
 * the offsets of the dimensions above it (`$abase`, `$bbase`) are recomputed from `meta` only when
 * `$i0` wraps. A per-row division cost more than the row itself for short rows (NHWC per-channel
 * Prelu/Add/Mul with C = 16–128: rows of 16–128 elements).
 */
function driver(op: BinOp): string {
  const ex = binaryExport(op.name, op.dt);
  // log2 of the operand element size
  const shift = op.dt === 'u8' || op.dt === 'i8' || op.dt === 'ui8' ? 0 : isWide(op.dt) ? Math.log2(WIDE[op.dt].bytes) : 2;
  return `(func (export "${ex}") (param $a i32) (param $b i32) (param $o i32) (param $meta i32) (param $start i32) (param $end i32)
    (local $n i32) (local $sa i32) (local $sb i32) (local $row i32) (local $col i32) (local $len i32)
    (local $q i32) (local $k i32) (local $p i32) (local $d i32) (local $i i32)
    (local $d0 i32) (local $sa0 i32) (local $sb0 i32) (local $i0 i32) (local $abase i32) (local $bbase i32) (local $fresh i32)
    (local.set $n (i32.load offset=4 (local.get $meta)))
    (local.set $sa (i32.load offset=8 (local.get $meta)))
    (local.set $sb (i32.load offset=12 (local.get $meta)))
    (local.set $row (i32.div_u (local.get $start) (local.get $n)))
    (local.set $col (i32.sub (local.get $start) (i32.mul (local.get $row) (local.get $n))))
    ;; innermost outer dimension (a single row when there is none)
    (local.set $d0 (i32.const 1))
    (if (i32.load (local.get $meta)) (then
      (local.set $d0 (i32.load offset=16 (local.get $meta)))
      (local.set $sa0 (i32.load offset=20 (local.get $meta)))
      (local.set $sb0 (i32.load offset=24 (local.get $meta)))))
    (local.set $i0 (i32.rem_u (local.get $row) (local.get $d0)))
    (local.set $row (i32.div_u (local.get $row) (local.get $d0)))
    (local.set $fresh (i32.const 1))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $start) (local.get $end)))
      (if (local.get $fresh) (then
        ;; offsets of the outer dimensions above the innermost one, from $row
        (local.set $abase (i32.const 0))
        (local.set $bbase (i32.const 0))
        (local.set $q (local.get $row))
        (local.set $p (i32.add (local.get $meta) (i32.const 28)))
        (local.set $k (i32.load (local.get $meta)))
        (if (local.get $k) (then (local.set $k (i32.sub (local.get $k) (i32.const 1)))))
        (block $od (loop $dims
          (br_if $od (i32.eqz (local.get $k)))
          (local.set $d (i32.load (local.get $p)))
          (local.set $i (i32.rem_u (local.get $q) (local.get $d)))
          (local.set $q (i32.div_u (local.get $q) (local.get $d)))
          (local.set $abase (i32.add (local.get $abase) (i32.mul (local.get $i) (i32.load offset=4 (local.get $p)))))
          (local.set $bbase (i32.add (local.get $bbase) (i32.mul (local.get $i) (i32.load offset=8 (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (i32.const 12)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $dims)))
        (local.set $fresh (i32.const 0))))
      (local.set $len (i32.sub (local.get $n) (local.get $col)))
      (if (i32.gt_u (local.get $len) (i32.sub (local.get $end) (local.get $start)))
        (then (local.set $len (i32.sub (local.get $end) (local.get $start)))))
      (call $seg_${ex}
        (i32.add (local.get $a) (i32.shl (i32.add (i32.add (local.get $abase) (i32.mul (local.get $i0) (local.get $sa0))) (i32.mul (local.get $col) (local.get $sa))) (i32.const ${shift})))
        (i32.add (local.get $b) (i32.shl (i32.add (i32.add (local.get $bbase) (i32.mul (local.get $i0) (local.get $sb0))) (i32.mul (local.get $col) (local.get $sb))) (i32.const ${shift})))
        (i32.add (local.get $o) (i32.mul (local.get $start) (i32.const ${op.cmp ? 1 : 1 << shift})))
        (local.get $len) (local.get $sa) (local.get $sb))
      (local.set $start (i32.add (local.get $start) (local.get $len)))
      (local.set $col (i32.const 0))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
      (if (i32.eq (local.get $i0) (local.get $d0)) (then
        (local.set $i0 (i32.const 0))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (local.set $fresh (i32.const 1))))
      (br $rows))))`;
}

/**
 * Ops with a row-vector export: a contiguous operand against a vector of `n` elements that repeats
 * along it (NHWC per-channel Prelu/Add/Mul: x [.., C] op alpha [C]). `side` b: b repeats; a: a repeats.
 */
export const ROWVEC_OPS: Readonly<Record<string, readonly ('f32' | 'i32')[]>> = {
  Add: ['f32', 'i32'], Sub: ['f32', 'i32'], Mul: ['f32', 'i32'], Div: ['f32'], Max: ['f32', 'i32'], Min: ['f32', 'i32'],
  PRelu: ['f32'], SquaredDifference: ['f32'],
};
export const rowvecExport = (op: string, dt: 'f32' | 'i32', side: 'a' | 'b') => `${op}_rowvec_${side}_${dt}`;

/**
 * `<op>_rowvec_<side>_<dt>(a, b, out, n, start, end)`: flat output elements [start, end) of
 * out[i] = a[i] op b[i mod n] (side b) or a[i mod n] op b[i] (side a), all in one function: per
 * row only a pointer reset and a bound, then 2 vectors a step, 1, and single lanes for the tail
 * (the same lane operation as the strided kernels, so results match them bit for bit).
 * The launcher passes n ≥ 16 with n % 4 = 0, expanding shorter or odd vectors to a multiple.
 *
 * `<op>_rowscal_<side>_<dt>(a, b, out, n, start, end)`: out[i] = a[i] op b[floor(i / n)] (side b;
 * side a mirrored): a scalar per row of n, splat once a row (NCHW x [C, H·W] op per-channel [C,1,1]).
 */
function rowvec(v: WatVariant, op: BinOp, side: 'a' | 'b', scal = false): string {
  const f = op.vec!;
  const pair = (c: string, vv: string) => (side === 'b' ? f(v, c, vv) : f(v, vv, c));
  const V = (off: number, lane = false) => (scal ? '(local.get $vs)' : lane ? '(v128.load32_zero (local.get $pv))' : `(v128.load${off ? ` offset=${off}` : ''} (local.get $pv))`);
  const step = (bytes: number, body: string) => `${body}
        (local.set $pc (i32.add (local.get $pc) (i32.const ${bytes})))
        ${scal ? '' : `(local.set $pv (i32.add (local.get $pv) (i32.const ${bytes})))`}
        (local.set $po (i32.add (local.get $po) (i32.const ${bytes})))`;
  const vecBase = side === 'b' ? '$b' : '$a';
  const name = scal ? `${op.name}_rowscal_${side}_${op.dt}` : rowvecExport(op.name, op.dt as 'f32' | 'i32', side);
  return `(func (export "${name}") (param $a i32) (param $b i32) (param $o i32) (param $n i32) (param $start i32) (param $end i32)
    (local $col i32) (local $row i32) (local $pc i32) (local $pv i32) (local $po i32) (local $pe i32) (local $re i32) (local $t v128) (local $vs v128)
    (local.set $row (i32.div_u (local.get $start) (local.get $n)))
    (local.set $col (i32.sub (local.get $start) (i32.mul (local.get $row) (local.get $n))))
    (local.set $pc (i32.add (local.get ${side === 'b' ? '$a' : '$b'}) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $po (i32.add (local.get $o) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $pe (i32.add (local.get $o) (i32.shl (local.get $end) (i32.const 2))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $po) (local.get $pe)))
      ${scal
        ? `(local.set $vs (v128.load32_splat (i32.add (local.get ${vecBase}) (i32.shl (local.get $row) (i32.const 2)))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))`
        : `(local.set $pv (i32.add (local.get ${vecBase}) (i32.shl (local.get $col) (i32.const 2))))`}
      (local.set $re (i32.add (local.get $po) (i32.shl (i32.sub (local.get $n) (local.get $col)) (i32.const 2))))
      (if (i32.gt_u (local.get $re) (local.get $pe)) (then (local.set $re (local.get $pe))))
      (block $d2 (loop $l2
        (br_if $d2 (i32.gt_u (i32.add (local.get $po) (i32.const 32)) (local.get $re)))
        ${step(32, `(v128.store (local.get $po) ${pair('(v128.load (local.get $pc))', V(0))})
        (v128.store offset=16 (local.get $po) ${pair('(v128.load offset=16 (local.get $pc))', V(16))})`)}
        (br $l2)))
      (if (i32.le_u (i32.add (local.get $po) (i32.const 16)) (local.get $re)) (then
        ${step(16, `(v128.store (local.get $po) ${pair('(v128.load (local.get $pc))', V(0))})`)}))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $po) (local.get $re)))
        ${step(4, `(v128.store32_lane 0 (local.get $po) ${pair('(v128.load32_zero (local.get $pc))', V(0, true))})`)}
        (br $l1)))
      (local.set $col (i32.const 0))
      (br $rows))))`;
}

export const rowscalExport = (op: string, dt: 'f32' | 'i32', side: 'a' | 'b') => `${op}_rowscal_${side}_${dt}`;

function rowvecFuncs(v: WatVariant): string {
  const out: string[] = [];
  for (const op of BINARY_KERNELS) {
    if (op.cmp || !op.vec || !(ROWVEC_OPS[op.name] ?? []).includes(op.dt as 'f32')) continue;
    for (const scal of [false, true]) {
      out.push(rowvec(v, op, 'b', scal));
      if (op.name !== 'PRelu') out.push(rowvec(v, op, 'a', scal));
    }
  }
  return out.join('\n');
}

/**
 * `<op>_<dt>_flat(a, b, out, sa, sb, start, end)`: a problem that collapsed to one row (same shapes,
 * or a scalar against a tensor): elements [start, end) straight through the row kernel, with the
 * strides as arguments instead of a `meta` block (the launcher allocates nothing).
 */
function flatDriver(op: BinOp): string {
  const ex = binaryExport(op.name, op.dt);
  const shift = op.dt === 'u8' || op.dt === 'i8' || op.dt === 'ui8' ? 0 : isWide(op.dt) ? Math.log2(WIDE[op.dt].bytes) : 2;
  return `(func (export "${ex}_flat") (param $a i32) (param $b i32) (param $o i32) (param $sa i32) (param $sb i32) (param $start i32) (param $end i32)
    (call $seg_${ex}
      (i32.add (local.get $a) (i32.shl (i32.mul (local.get $start) (local.get $sa)) (i32.const ${shift})))
      (i32.add (local.get $b) (i32.shl (i32.mul (local.get $start) (local.get $sb)) (i32.const ${shift})))
      (i32.add (local.get $o) (i32.mul (local.get $start) (i32.const ${op.cmp ? 1 : 1 << shift})))
      (i32.sub (local.get $end) (local.get $start)) (local.get $sa) (local.get $sb)))`;
}

export const binaryFamily: WatFamily = {
  name: 'binary',
  // no FMA anywhere (Pow runs in float64): one build serves both variants
  usesRelaxed: false,
  emit(v: WatVariant): string {
    const parts = BINARY_KERNELS.map((op) => `${segFunc(v, op)}\n${driver(op)}\n${flatDriver(op)}`);
    return `(module\n${memoryImport(v)}\n${IPOW}\n${IPOW64}\n${FMOD}\n${FMOD64}\n${powv(v)}\n${atan2v(v)}\n${parts.join('\n')}\n${rowvecFuncs(v)}\n)`;
  },
};
