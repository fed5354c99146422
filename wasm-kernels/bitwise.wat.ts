/**
 * The `bitwise` family: BitwiseAnd/Or/Xor/Not on the bits of any integer dtype, 16 bytes a step.
 *
 * `bitwise_{and,or,xor}(a, b, y, tbl, sa, sb, eb, start, end)`: pieces r in [start, end), each four
 *   i32s of tbl: byte offsets of A, B and Y and a byte count. A piece is a run of one output row
 *   (the last dimension after collapsing the broadcast); sa/sb say whether A/B advance along it (1)
 *   or repeat one eb-byte element (0: splat once per piece, v128.loadN_splat). Whole vectors first,
 *   then a byte tail (a repeated element's byte j is byte j mod eb of it).
 * `bitwise_not(x, y, start, end)`: bytes [start, end) (the launcher splits at multiples of 16).
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;

/** v128 splat of the eb-byte element at `addr`. */
const splat = (addr: string) => `(if (result v128) (i32.eq ${g('eb')} (i32.const 1)) (then (v128.load8_splat ${addr}))
      (else (if (result v128) (i32.eq ${g('eb')} (i32.const 2)) (then (v128.load16_splat ${addr}))
      (else (if (result v128) (i32.eq ${g('eb')} (i32.const 4)) (then (v128.load32_splat ${addr})) (else (v128.load64_splat ${addr})))))))`;

function binary(op: 'and' | 'or' | 'xor'): string {
  return `(func (export "bitwise_${op}") (param $a i32) (param $b i32) (param $y i32) (param $tbl i32) (param $sa i32) (param $sb i32) (param $eb i32) (param $start i32) (param $end i32)
  (local $r i32) (local $pa i32) (local $pb i32) (local $py i32) (local $nb i32) (local $j i32) (local $va v128) (local $vb v128) (local $m i32) (local $e i32)
  (local.set $m (i32.sub ${g('eb')} (i32.const 1)))
  (local.set $r ${g('start')})
  (block $done (loop $piece
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    (local.set $e (i32.add ${g('tbl')} (i32.shl ${g('r')} (i32.const 4))))
    (local.set $pa (i32.add ${g('a')} (i32.load ${g('e')})))
    (local.set $pb (i32.add ${g('b')} (i32.load offset=4 ${g('e')})))
    (local.set $py (i32.add ${g('y')} (i32.load offset=8 ${g('e')})))
    (local.set $nb (i32.load offset=12 ${g('e')}))
    (if (i32.eqz ${g('sa')}) (then (local.set $va ${splat(g('pa'))})))
    (if (i32.eqz ${g('sb')}) (then (local.set $vb ${splat(g('pb'))})))
    (local.set $j (i32.const 0))
    (block $vx (loop $vl
      (br_if $vx (i32.gt_u (i32.add ${g('j')} (i32.const 16)) ${g('nb')}))
      (v128.store (i32.add ${g('py')} ${g('j')}) (v128.${op}
        (if (result v128) ${g('sa')} (then (v128.load (i32.add ${g('pa')} ${g('j')}))) (else (local.get $va)))
        (if (result v128) ${g('sb')} (then (v128.load (i32.add ${g('pb')} ${g('j')}))) (else (local.get $vb)))))
      (local.set $j (i32.add ${g('j')} (i32.const 16)))
      (br $vl)))
    (block $tx (loop $tl
      (br_if $tx (i32.ge_u ${g('j')} ${g('nb')}))
      (i32.store8 (i32.add ${g('py')} ${g('j')}) (i32.${op}
        (i32.load8_u (i32.add ${g('pa')} (select ${g('j')} (i32.and ${g('j')} ${g('m')}) ${g('sa')})))
        (i32.load8_u (i32.add ${g('pb')} (select ${g('j')} (i32.and ${g('j')} ${g('m')}) ${g('sb')})))))
      (local.set $j (i32.add ${g('j')} (i32.const 1)))
      (br $tl)))
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (br $piece))))`;
}

const NOT = `(func (export "bitwise_not") (param $x i32) (param $y i32) (param $start i32) (param $end i32)
  (local $j i32)
  (local.set $j ${g('start')})
  (block $vx (loop $vl
    (br_if $vx (i32.gt_u (i32.add ${g('j')} (i32.const 16)) ${g('end')}))
    (v128.store (i32.add ${g('y')} ${g('j')}) (v128.not (v128.load (i32.add ${g('x')} ${g('j')}))))
    (local.set $j (i32.add ${g('j')} (i32.const 16)))
    (br $vl)))
  (block $tx (loop $tl
    (br_if $tx (i32.ge_u ${g('j')} ${g('end')}))
    (i32.store8 (i32.add ${g('y')} ${g('j')}) (i32.xor (i32.load8_u (i32.add ${g('x')} ${g('j')})) (i32.const 255)))
    (local.set $j (i32.add ${g('j')} (i32.const 1)))
    (br $tl))))`;

function emit(v: WatVariant): string {
  return `(module
  ${memoryImport(v)}
  ${binary('and')}
  ${binary('or')}
  ${binary('xor')}
  ${NOT}
)`;
}

export const bitwiseFamily: WatFamily = { name: 'bitwise', usesRelaxed: false, emit };
