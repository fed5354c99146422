/**
 * The integer GEMM of the `quant` family (emitted into quant.wat.ts's module).
 *
 * Both operands are widened to i16 with their zero points already subtracted (|v| ≤ 255 for 8-bit
 * operands, so every product fits and i32x4.dot_i16x8_s sums two of them exactly); no row/column-sum
 * correction is needed, and results are exact integers.
 *
 * Packed A: Mp (M rounded up to 4) rows of KP pairs of i16 (K rounded up to even, zero padded),
 * row m at pa + m·KP·4. Packed B: NB = ceil(N/8) column blocks; block nb, pair kp holds 32 bytes:
 * columns nb·8 .. nb·8+7 as (B[2kp][n], B[2kp+1][n]) i16 pairs. A splatted A pair (a[2kp], a[2kp+1])
 * dotted with one 16-byte half of that gives four columns' partial sums.
 *
 * `pack_a_<t>(a, pa, M, K, lda, z, zs, KP, start, end)`: rows [start, end) of Mp; z + m·zs is row m's zero point.
 * `pack_b_<t>(b, pb, K, N, ldb, z, zs, KP, start, end)`: column blocks [start, end); z + n·zs is column n's.
 * `im2col_<t>(g, pb, start, end)`: packed B of a convolution's im2col matrix (K = Cg·kD·kH·kW rows,
 * N = oD·oH·oW columns) straight from NCDHW input; padding reads as the zero point (0 after subtraction).
 * g: i32 words [x, zx, Cg, D, H, W, kD, kH, kW, sD, sH, sW, dD, dH, dW, padF, padT, padL, oD, oH, oW, KP, K, N].
 * `qgemm_<out>(g, start, end)`: item i = (chunk of 64 columns i / RB, 4-row block i % RB), so that
 * consecutive items reuse one chunk of packed B from cache; g: i32 words [pa, pb, c, M, N, KP, ldc, RB, mult, multPerRow, zy, bias, NB]. acc (+ bias[m] when bias ≠ 0) is
 * stored as i32 (`qgemm_i32`) or requantised: saturate(round(f32(acc) · mult) + zy), mult per row
 * (mult[m]) or per column (mult[n], padded to NB·8), round half to even (`qgemm_u8`, `qgemm_i8`).
 * `qgemv_<out>`: the same with one row per item (RB = M), for M < 4.
 */
import { dwconv } from './quant-dw.wat.js';
import { QTYPES, loadScalar, requant4, type QType } from './quant.wat.js';

const g = (n: string) => `(local.get $${n})`;
const word = (i: number) => `(i32.load offset=${i * 4} (local.get $g))`;

function packA(t: QType): string {
  return `(func (export "pack_a_${t.tag}") (param $a i32) (param $pa i32) (param $M i32) (param $K i32) (param $lda i32) (param $z i32) (param $zs i32) (param $KP i32) (param $start i32) (param $end i32)
    (local $m i32) (local $k i32) (local $zv i32) (local $q i32) (local $src i32) (local $K2 i32)
    (local.set $K2 (i32.shl ${g('KP')} (i32.const 1)))
    (local.set $m ${g('start')})
    (block $done (loop $rows
      (br_if $done (i32.ge_u ${g('m')} ${g('end')}))
      (local.set $q (i32.add ${g('pa')} (i32.shl (i32.mul ${g('m')} ${g('K2')}) (i32.const 1))))
      (local.set $k (i32.const 0))
      (if (i32.lt_u ${g('m')} ${g('M')})
        (then
          (local.set $zv ${loadScalar(t, `(i32.add ${g('z')} (i32.mul ${g('m')} ${g('zs')}))`)})
          (local.set $src (i32.add ${g('a')} (i32.mul ${g('m')} ${g('lda')})))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_u ${g('k')} ${g('K')}))
            (i32.store16 ${g('q')} (i32.sub ${loadScalar(t, `(i32.add ${g('src')} ${g('k')})`)} ${g('zv')}))
            (local.set $q (i32.add ${g('q')} (i32.const 2)))
            (local.set $k (i32.add ${g('k')} (i32.const 1)))
            (br $lk)))))
      (block $dz (loop $lz
        (br_if $dz (i32.ge_u ${g('k')} ${g('K2')}))
        (i32.store16 ${g('q')} (i32.const 0))
        (local.set $q (i32.add ${g('q')} (i32.const 2)))
        (local.set $k (i32.add ${g('k')} (i32.const 1)))
        (br $lz)))
      (local.set $m (i32.add ${g('m')} (i32.const 1)))
      (br $rows)))
  )`;
}

const L8 = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * Loops over column blocks [start, end) and k = 0 .. 2·KP−1, calling `perBlock` once per block (it
 * sets per-column locals), `perK` once per k < K, and `value(l)` (an i32) for column l of row k;
 * rows k ≥ K store zeros. Store address: pb + nb·KP·32 + (k >> 1)·32 + (k & 1)·2 + l·4.
 */
function packLoop(perBlock: string, perK: string, value: (l: number) => string, advance: string): string {
  return `(local.set $nb ${g('start')})
    (block $done (loop $blocks
      (br_if $done (i32.ge_u ${g('nb')} ${g('end')}))
      (local.set $n0 (i32.shl ${g('nb')} (i32.const 3)))
      ${perBlock}
      (local.set $q (i32.add ${g('pb')} (i32.shl (i32.mul ${g('nb')} ${g('KP')}) (i32.const 5))))
      (local.set $k (i32.const 0))
      (local.set $K2 (i32.shl ${g('KP')} (i32.const 1)))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_u ${g('k')} ${g('K2')}))
        (local.set $qk (i32.add ${g('q')} (i32.add (i32.shl (i32.shr_u ${g('k')} (i32.const 1)) (i32.const 5)) (i32.shl (i32.and ${g('k')} (i32.const 1)) (i32.const 1)))))
        (if (i32.lt_u ${g('k')} ${g('K')})
          (then
            ${perK}
            ${L8.map((l) => `(i32.store16 offset=${l * 4} ${g('qk')} ${value(l)})`).join('\n            ')}
            ${advance})
          (else
            ${L8.map((l) => `(i32.store16 offset=${l * 4} ${g('qk')} (i32.const 0))`).join('\n            ')}))
        (local.set $k (i32.add ${g('k')} (i32.const 1)))
        (br $lk)))
      (local.set $nb (i32.add ${g('nb')} (i32.const 1)))
      (br $blocks)))`;
}

const PACK_LOCALS = `(local $nb i32) (local $n0 i32) (local $k i32) (local $K2 i32) (local $q i32) (local $qk i32) ${L8.map((l) => `(local $z${l} i32)`).join(' ')}`;

function packB(t: QType): string {
  // per block: column l's zero point in $z<l> (columns past N: never read)
  const perBlock = L8.map((l) => `(if (i32.lt_u (i32.add ${g('n0')} (i32.const ${l})) ${g('N')}) (then (local.set $z${l} ${loadScalar(t, `(i32.add ${g('z')} (i32.mul (i32.add ${g('n0')} (i32.const ${l})) ${g('zs')}))`)})))`).join('\n      ');
  const value = (l: number) => `(if (result i32) (i32.lt_u (i32.add ${g('n0')} (i32.const ${l})) ${g('N')})
              (then (i32.sub ${loadScalar(t, `(i32.add ${g('row')} (i32.const ${l}))`)} ${g(`z${l}`)})) (else (i32.const 0)))`;
  return `(func (export "pack_b_${t.tag}") (param $b i32) (param $pb i32) (param $K i32) (param $N i32) (param $ldb i32) (param $z i32) (param $zs i32) (param $KP i32) (param $start i32) (param $end i32)
    ${PACK_LOCALS} (local $row i32)
    ${packLoop(perBlock, `(local.set $row (i32.add ${g('b')} (i32.add (i32.mul ${g('k')} ${g('ldb')}) ${g('n0')})))`, value, '')}
  )`;
}

function im2col(t: QType): string {
  // geometry words of g (see the header)
  const names = ['x', 'zx', 'Cg', 'D', 'H', 'W', 'kD', 'kH', 'kW', 'sD', 'sH', 'sW', 'dD', 'dH', 'dW', 'padF', 'padT', 'padL', 'oD', 'oH', 'oW', 'KP', 'K', 'N'];
  const decl = names.map((n) => `(local $${n} i32)`).join(' ');
  const init = names.map((n, i) => `(local.set $${n} ${word(i)})`).join('\n    ');
  const cols = L8.map((l) => `(local $bz${l} i32) (local $by${l} i32) (local $bx${l} i32)`).join(' ');
  // per block: column l's input window origin (bz, by, bx); a column past N gets an origin no bounds check passes
  const perBlock = L8.map(
    (l) => `(local.set $n (i32.add ${g('n0')} (i32.const ${l})))
      (if (i32.lt_u ${g('n')} ${g('N')})
        (then
          (local.set $od (i32.div_u ${g('n')} ${g('oHW')}))
          (local.set $t (i32.sub ${g('n')} (i32.mul ${g('od')} ${g('oHW')})))
          (local.set $oh (i32.div_u ${g('t')} ${g('oW')}))
          (local.set $bz${l} (i32.sub (i32.mul ${g('od')} ${g('sD')}) ${g('padF')}))
          (local.set $by${l} (i32.sub (i32.mul ${g('oh')} ${g('sH')}) ${g('padT')}))
          (local.set $bx${l} (i32.sub (i32.mul (i32.sub ${g('t')} (i32.mul ${g('oh')} ${g('oW')})) ${g('sW')}) ${g('padL')})))
        (else (local.set $bz${l} (i32.const 0x40000000))))`,
  ).join('\n      ') + `
      (local.set $c (i32.const 0)) (local.set $kd (i32.const 0)) (local.set $kh (i32.const 0)) (local.set $kw (i32.const 0))`;
  const perK = `(local.set $cb (i32.add ${g('x')} (i32.mul ${g('c')} ${g('DHW')})))
            (local.set $ozd (i32.mul ${g('kd')} ${g('dD')}))
            (local.set $oyd (i32.mul ${g('kh')} ${g('dH')}))
            (local.set $oxd (i32.mul ${g('kw')} ${g('dW')}))`;
  const value = (l: number) => `(local.set $iz (i32.add ${g(`bz${l}`)} ${g('ozd')}))
            (local.set $iy (i32.add ${g(`by${l}`)} ${g('oyd')}))
            (local.set $ix (i32.add ${g(`bx${l}`)} ${g('oxd')}))
            (if (result i32) (i32.and (i32.and (i32.lt_u ${g('iz')} ${g('D')}) (i32.lt_u ${g('iy')} ${g('H')})) (i32.lt_u ${g('ix')} ${g('W')}))
              (then (i32.sub ${loadScalar(t, `(i32.add ${g('cb')} (i32.add (i32.mul (i32.add (i32.mul ${g('iz')} ${g('H')}) ${g('iy')}) ${g('W')}) ${g('ix')}))`)} ${g('zx')}))
              (else (i32.const 0)))`;
  // next k: kw, then kh, kd, c (row-major over [Cg, kD, kH, kW])
  const advance = `(local.set $kw (i32.add ${g('kw')} (i32.const 1)))
            (if (i32.eq ${g('kw')} ${g('kW')}) (then
              (local.set $kw (i32.const 0)) (local.set $kh (i32.add ${g('kh')} (i32.const 1)))
              (if (i32.eq ${g('kh')} ${g('kH')}) (then
                (local.set $kh (i32.const 0)) (local.set $kd (i32.add ${g('kd')} (i32.const 1)))
                (if (i32.eq ${g('kd')} ${g('kD')}) (then
                  (local.set $kd (i32.const 0)) (local.set $c (i32.add ${g('c')} (i32.const 1)))))))))`;
  return `(func (export "im2col_${t.tag}") (param $g i32) (param $pb i32) (param $start i32) (param $end i32)
    ${PACK_LOCALS} ${decl} ${cols}
    (local $oHW i32) (local $DHW i32) (local $c i32) (local $t i32) (local $n i32) (local $kd i32) (local $kh i32) (local $kw i32)
    (local $od i32) (local $oh i32) (local $iz i32) (local $iy i32) (local $ix i32) (local $cb i32) (local $ozd i32) (local $oyd i32) (local $oxd i32)
    ${init}
    (local.set $oHW (i32.mul ${g('oH')} ${g('oW')}))
    (local.set $DHW (i32.mul (i32.mul ${g('D')} ${g('H')}) ${g('W')}))
    ${packLoop(perBlock, perK, value, advance)}
  )`;
}

/** Output store of one row's two accumulators (columns n0..n0+7) for each output kind. */
function storeRow(out: 'i32' | QType, r: number): string {
  const a0 = `(local.get $c${r}0)`;
  const a1 = `(local.get $c${r}1)`;
  if (out === 'i32') {
    const lanes = Array.from({ length: 8 }, (_, l) => `(if (i32.lt_u (i32.add ${g('n0')} (i32.const ${l})) ${g('N')}) (then (i32.store offset=${l * 4} ${g('dst')} (i32x4.extract_lane ${l % 4} ${l < 4 ? a0 : a1}))))`).join('\n          ');
    return `(local.set $dst (i32.add ${g('c')} (i32.shl (i32.add (i32.mul ${g('m')} ${g('ldc')}) ${g('n0')}) (i32.const 2))))
        (if (i32.le_u (i32.add ${g('n0')} (i32.const 8)) ${g('N')})
          (then (v128.store ${g('dst')} ${a0}) (v128.store offset=16 ${g('dst')} ${a1}))
          (else ${lanes}))`;
  }
  const mv = (off: number) => `(if (result v128) ${g('perRow')} (then (v128.load32_splat (i32.add ${g('mult')} (i32.shl ${g('m')} (i32.const 2))))) (else (v128.load offset=${off} (i32.add ${g('mult')} (i32.shl ${g('n0')} (i32.const 2))))))`;
  const q = (a: string, off: number) => requant4(out, `(f32x4.mul (f32x4.convert_i32x4_s ${a}) ${mv(off)})`, g('zyf'));
  const lanes = Array.from({ length: 8 }, (_, l) => `(if (i32.lt_u (i32.add ${g('n0')} (i32.const ${l})) ${g('N')}) (then (i32.store8 offset=${l} ${g('dst')} (i8x16.extract_lane_u ${l} ${g('v8')}))))`).join('\n          ');
  return `(local.set $dst (i32.add ${g('c')} (i32.add (i32.mul ${g('m')} ${g('ldc')}) ${g('n0')})))
        (local.set $v8 (i16x8.narrow_i32x4_s ${q(a0, 0)} ${q(a1, 16)}))
        (local.set $v8 (i8x16.narrow_i16x8_${out.signed ? 's' : 'u'} ${g('v8')} ${g('v8')}))
        (if (i32.le_u (i32.add ${g('n0')} (i32.const 8)) ${g('N')})
          (then (v128.store64_lane 0 ${g('dst')} ${g('v8')}))
          (else ${lanes}))`;
}

/** `qgemm_<out>` (MR = 4 rows per item) or `qgemv_<out>` (MR = 1, for M < 4: no idle rows). */
function qgemm(out: 'i32' | QType, mr: 1 | 4): string {
  const tag = out === 'i32' ? 'i32' : out.tag;
  const R = Array.from({ length: mr }, (_, r) => r);
  const accDecl = R.map((r) => `(local $c${r}0 v128) (local $c${r}1 v128) (local $a${r} v128) (local $ap${r} i32)`).join(' ');
  const zero = R.map((r) => `(local.set $c${r}0 (v128.const i32x4 0 0 0 0)) (local.set $c${r}1 (v128.const i32x4 0 0 0 0))`).join(' ');
  const setAp = R.map((r) => `(local.set $ap${r} (i32.add ${g('pa')} (i32.shl (i32.mul (i32.add ${g('m0')} (i32.const ${r})) ${g('KP')}) (i32.const 2))))`).join(' ');
  const step = R.map(
    (r) => `(local.set $a${r} (i32x4.splat (i32.load ${g(`ap${r}`)})))
            (local.set $c${r}0 (i32x4.add ${g(`c${r}0`)} (i32x4.dot_i16x8_s ${g(`a${r}`)} ${g('b0')})))
            (local.set $c${r}1 (i32x4.add ${g(`c${r}1`)} (i32x4.dot_i16x8_s ${g(`a${r}`)} ${g('b1')})))
            (local.set $ap${r} (i32.add ${g(`ap${r}`)} (i32.const 4)))`,
  ).join('\n            ');
  const stores = R.map(
    (r) => `(local.set $m (i32.add ${g('m0')} (i32.const ${r})))
      (if (i32.lt_u ${g('m')} ${g('M')}) (then
        (if ${g('bias')} (then
          (local.set $bv (v128.load32_splat (i32.add ${g('bias')} (i32.shl ${g('m')} (i32.const 2)))))
          (local.set $c${r}0 (i32x4.add ${g(`c${r}0`)} ${g('bv')}))
          (local.set $c${r}1 (i32x4.add ${g(`c${r}1`)} ${g('bv')}))))
        ${storeRow(out, r)}))`,
  ).join('\n      ');
  return `(func (export "${mr === 1 ? 'qgemv' : 'qgemm'}_${tag}") (param $g i32) (param $start i32) (param $end i32)
    (local $pa i32) (local $pb i32) (local $c i32) (local $M i32) (local $N i32) (local $KP i32) (local $ldc i32) (local $RB i32)
    (local $mult i32) (local $perRow i32) (local $zyf v128) (local $bias i32) (local $NB i32)
    (local $i i32) (local $m0 i32) (local $nb i32) (local $nbEnd i32) (local $n0 i32) (local $m i32) (local $kp i32) (local $bp i32) (local $dst i32)
    (local $b0 v128) (local $b1 v128) (local $bv v128) (local $v8 v128) ${accDecl}
    (local.set $pa ${word(0)}) (local.set $pb ${word(1)}) (local.set $c ${word(2)}) (local.set $M ${word(3)}) (local.set $N ${word(4)})
    (local.set $KP ${word(5)}) (local.set $ldc ${word(6)}) (local.set $RB ${word(7)}) (local.set $mult ${word(8)}) (local.set $perRow ${word(9)})
    (local.set $zyf (f32x4.splat (f32.convert_i32_s ${word(10)}))) (local.set $bias ${word(11)}) (local.set $NB ${word(12)})
    (local.set $i ${g('start')})
    (block $done (loop $items
      (br_if $done (i32.ge_u ${g('i')} ${g('end')}))
      (local.set $m0 (i32.mul (i32.rem_u ${g('i')} ${g('RB')}) (i32.const ${mr})))
      (local.set $nb (i32.shl (i32.div_u ${g('i')} ${g('RB')}) (i32.const 3)))
      (local.set $nbEnd (i32.add ${g('nb')} (i32.const 8)))
      (if (i32.gt_u ${g('nbEnd')} ${g('NB')}) (then (local.set $nbEnd ${g('NB')})))
      (block $dtiles (loop $tiles
        (br_if $dtiles (i32.ge_u ${g('nb')} ${g('nbEnd')}))
        (local.set $n0 (i32.shl ${g('nb')} (i32.const 3)))
        ${zero}
        ${setAp}
        (local.set $bp (i32.add ${g('pb')} (i32.shl (i32.mul ${g('nb')} ${g('KP')}) (i32.const 5))))
        (local.set $kp (i32.const 0))
        (block $dk (loop $lk
          (br_if $dk (i32.ge_u ${g('kp')} ${g('KP')}))
            (local.set $b0 (v128.load ${g('bp')}))
            (local.set $b1 (v128.load offset=16 ${g('bp')}))
            ${step}
          (local.set $bp (i32.add ${g('bp')} (i32.const 32)))
          (local.set $kp (i32.add ${g('kp')} (i32.const 1)))
          (br $lk)))
      ${stores}
        (local.set $nb (i32.add ${g('nb')} (i32.const 1)))
        (br $tiles)))
      (local.set $i (i32.add ${g('i')} (i32.const 1)))
      (br $items)))
  )`;
}

export function gemmFuncs(): string {
  const Q8 = QTYPES.filter((t) => t.tag === 'u8' || t.tag === 'i8');
  const outs: ('i32' | QType)[] = ['i32', ...Q8];
  const dw = Q8.flatMap((x) => outs.map((o) => dwconv(x, o)));
  return [...Q8.map(packA), ...Q8.map(packB), ...Q8.map(im2col), ...outs.map((t) => qgemm(t, 4)), ...outs.map((t) => qgemm(t, 1)), ...dw].join('\n');
}
