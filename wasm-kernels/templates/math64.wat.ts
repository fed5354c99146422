/**
 * float64 math on f64x2 lanes, as WAT functions a module includes once (`$exp_f64x2`, `$log_f64x2`:
 * (param v128) (result v128)). The algorithms are fdlibm's (e_exp.c, e_log.c): argument reduction by
 * k·ln2 with ln2 split in two, a minimax polynomial on the reduced range, error below 1 ulp before the
 * final scaling; lanes run branch-free, special values selected by masks.
 *
 * exp: x > 709.78 → +Inf, x < −745.2 → 0 (subnormal results rounded once more by the final product),
 * NaN → NaN. log: 0 → −Inf, x < 0 → NaN, +Inf → +Inf, NaN → NaN, subnormal inputs scaled by 2^54 first.
 */

const d2 = (x: number): string => {
  const s = Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x.toPrecision(17);
  return `(v128.const f64x2 ${s} ${s})`;
};
const i2 = (x: bigint): string => `(v128.const i64x2 ${x} ${x})`;
const g = (n: string) => `(local.get $${n})`;
const s = (n: string, e: string) => `(local.set $${n} ${e})`;

const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const EXP_P = [1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06, 4.13813679705723846039e-08];
const LG = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01];

/** Integer-valued f64 lanes (|k| < 2^31) → 2^k for k in [−1022, 1023], built in the exponent field. */
const pow2 = (k: string) => `(i64x2.shl (i64x2.add (f64x2.add ${k} ${d2(6755399441055744)}) ${i2(1023n)}) (i32.const 52))`;

export const EXP_F64X2 = `(func $exp_f64x2 (param $x v128) (result v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128) (local $z v128) (local $c v128) (local $k1 v128)
    ;; clamp (NaN passes: pmax/pmin keep their first operand when unordered)
    ${s('x', `(f64x2.pmin (f64x2.pmax ${g('x')} ${d2(-746)}) ${d2(710)})`)}
    ${s('k', `(f64x2.nearest (f64x2.mul ${g('x')} ${d2(Math.LOG2E)}))`)}
    ${s('hi', `(f64x2.sub ${g('x')} (f64x2.mul ${g('k')} ${d2(LN2_HI)}))`)}
    ${s('lo', `(f64x2.mul ${g('k')} ${d2(LN2_LO)})`)}
    ${s('r', `(f64x2.sub ${g('hi')} ${g('lo')})`)}
    ${s('z', `(f64x2.mul ${g('r')} ${g('r')})`)}
    ${s('c', d2(EXP_P[4]!))}
    ${[3, 2, 1, 0].map((i) => s('c', `(f64x2.add (f64x2.mul ${g('c')} ${g('z')}) ${d2(EXP_P[i]!)})`)).join('\n    ')}
    ${s('c', `(f64x2.sub ${g('r')} (f64x2.mul ${g('z')} ${g('c')}))`)}
    ;; y = 1 − ((lo − r·c/(2 − c)) − hi)
    ${s('r', `(f64x2.sub ${d2(1)} (f64x2.sub (f64x2.sub ${g('lo')} (f64x2.div (f64x2.mul ${g('r')} ${g('c')}) (f64x2.sub ${d2(2)} ${g('c')}))) ${g('hi')}))`)}
    ;; y·2^k as y·2^k1·2^(k−k1), each factor a normal power of two
    ${s('k1', `(f64x2.floor (f64x2.mul ${g('k')} ${d2(0.5)}))`)}
    (f64x2.mul (f64x2.mul ${g('r')} ${pow2(g('k1'))}) ${pow2(`(f64x2.sub ${g('k')} ${g('k1')})`)}))`;

export const LOG_F64X2 = `(func $log_f64x2 (param $x v128) (result v128) (local $a v128) (local $e v128) (local $m v128) (local $sub v128) (local $big v128)
    (local $f v128) (local $s v128) (local $z v128) (local $w v128) (local $t1 v128) (local $t2 v128) (local $hf v128) (local $k v128)
    ;; subnormals: scale by 2^54
    ${s('sub', `(f64x2.lt ${g('x')} ${d2(2.2250738585072014e-308)})`)}
    ${s('a', `(v128.bitselect (f64x2.mul ${g('x')} ${d2(2 ** 54)}) ${g('x')} ${g('sub')})`)}
    ${s('e', `(i64x2.sub (i64x2.shr_u ${g('a')} (i32.const 52)) (v128.bitselect ${i2(1023n + 54n)} ${i2(1023n)} ${g('sub')}))`)}
    ${s('m', `(v128.or (v128.and ${g('a')} ${i2(0xfffffffffffffn)}) ${i2(0x3ff0000000000000n)})`)}
    ${s('big', `(f64x2.gt ${g('m')} ${d2(Math.SQRT2)})`)}
    ${s('m', `(v128.bitselect (f64x2.mul ${g('m')} ${d2(0.5)}) ${g('m')} ${g('big')})`)}
    ;; k = e + big (big is −1 in a masked lane), as f64 through the low 32 bits of each lane
    ${s('k', `(f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (i64x2.sub ${g('e')} ${g('big')}) ${g('e')}))`)}
    ${s('f', `(f64x2.sub ${g('m')} ${d2(1)})`)}
    ${s('s', `(f64x2.div ${g('f')} (f64x2.add ${d2(2)} ${g('f')}))`)}
    ${s('z', `(f64x2.mul ${g('s')} ${g('s')})`)}
    ${s('w', `(f64x2.mul ${g('z')} ${g('z')})`)}
    ${s('t1', `(f64x2.mul ${g('w')} (f64x2.add ${d2(LG[1]!)} (f64x2.mul ${g('w')} (f64x2.add ${d2(LG[3]!)} (f64x2.mul ${g('w')} ${d2(LG[5]!)})))))`)}
    ${s('t2', `(f64x2.mul ${g('z')} (f64x2.add ${d2(LG[0]!)} (f64x2.mul ${g('w')} (f64x2.add ${d2(LG[2]!)} (f64x2.mul ${g('w')} (f64x2.add ${d2(LG[4]!)} (f64x2.mul ${g('w')} ${d2(LG[6]!)})))))))`)}
    ${s('hf', `(f64x2.mul (f64x2.mul ${d2(0.5)} ${g('f')}) ${g('f')})`)}
    ;; k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
    ${s('t1', `(f64x2.sub (f64x2.mul ${g('k')} ${d2(LN2_HI)})
      (f64x2.sub (f64x2.sub ${g('hf')} (f64x2.add (f64x2.mul ${g('s')} (f64x2.add ${g('hf')} (f64x2.add ${g('t2')} ${g('t1')}))) (f64x2.mul ${g('k')} ${d2(LN2_LO)}))) ${g('f')}))`)}
    ;; specials: +Inf → +Inf, 0 → −Inf, x < 0 or NaN → NaN
    ${s('t1', `(v128.bitselect ${d2(Infinity)} ${g('t1')} (f64x2.eq ${g('x')} ${d2(Infinity)}))`)}
    ${s('t1', `(v128.bitselect ${d2(-Infinity)} ${g('t1')} (f64x2.eq ${g('x')} ${d2(0)}))`)}
    (v128.bitselect ${d2(NaN)} ${g('t1')} (v128.not (f64x2.ge ${g('x')} ${d2(0)}))))`;
