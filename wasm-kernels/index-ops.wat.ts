/**
 * The `index-ops` family: data movement whose source or destination positions come from indices or
 * from a position rule, by element size (no arithmetic except the scatter reductions).
 *
 * `trilu(src, dst, rows, cols, eb, k, upper, start, end)`: rows r in [start, end) of the input viewed
 *   as [batch·rows, cols] with eb-byte elements; matrix row i = r mod rows keeps columns
 *   [max(0, i+k), cols) (upper != 0) or [0, min(cols, i+k+1)) (lower) by one memory.copy, and the
 *   rest of the row becomes zero by memory.fill.
 * `scatter_put_x{8,16,32,64}(out, upd, pos, start, end)`: out[pos[r]] = upd[r] for r in [start, end)
 *   (pos: int32 element positions, already checked and normalised by the launcher).
 * `scatter_{add,mul,max,min}_{f32,i32,i64}(out, upd, pos, start, end)`: out[pos[r]] op= upd[r], in
 *   order (f32 max/min propagate NaN, as f32.max/f32.min; integers wrap).
 * A launcher runs the scatters on one thread when positions repeat, so repeated positions apply in
 * index order; otherwise every position is written once and the range splits across threads.
 */
import { memoryImport, type WatFamily, type WatVariant } from './templates/wat.js';

const g = (n: string) => `(local.get $${n})`;

const TRILU = `(func (export "trilu") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $eb i32) (param $k i32) (param $upper i32) (param $start i32) (param $end i32)
  (local $r i32) (local $i i32) (local $lo i32) (local $hi i32) (local $rb i32) (local $o i32) (local $t i32)
  (local.set $rb (i32.mul ${g('cols')} ${g('eb')}))
  (local.set $r ${g('start')})
  (local.set $i (i32.rem_u ${g('start')} ${g('rows')}))
  (block $done (loop $row
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    ;; t = i + k clamped to [0, cols] (lower uses i + k + 1)
    (local.set $t (i32.add ${g('i')} (i32.add ${g('k')} (i32.eqz ${g('upper')}))))
    (if (i32.lt_s ${g('t')} (i32.const 0)) (then (local.set $t (i32.const 0))))
    (if (i32.gt_s ${g('t')} ${g('cols')}) (then (local.set $t ${g('cols')})))
    (if ${g('upper')}
      (then (local.set $lo ${g('t')}) (local.set $hi ${g('cols')}))
      (else (local.set $lo (i32.const 0)) (local.set $hi ${g('t')})))
    (local.set $o (i32.mul ${g('r')} ${g('rb')}))
    (memory.fill (i32.add ${g('dst')} ${g('o')}) (i32.const 0) (i32.mul ${g('lo')} ${g('eb')}))
    (memory.copy (i32.add ${g('dst')} (i32.add ${g('o')} (i32.mul ${g('lo')} ${g('eb')})))
      (i32.add ${g('src')} (i32.add ${g('o')} (i32.mul ${g('lo')} ${g('eb')})))
      (i32.mul (i32.sub ${g('hi')} ${g('lo')}) ${g('eb')}))
    (memory.fill (i32.add ${g('dst')} (i32.add ${g('o')} (i32.mul ${g('hi')} ${g('eb')}))) (i32.const 0)
      (i32.mul (i32.sub ${g('cols')} ${g('hi')}) ${g('eb')}))
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (local.set $i (i32.add ${g('i')} (i32.const 1)))
    (if (i32.eq ${g('i')} ${g('rows')}) (then (local.set $i (i32.const 0))))
    (br $row))))`;

/** The loop every scatter shares: `body` stores at address $a (element pos[r]) from update address $u. */
function scatterLoop(name: string, shift: number, body: string): string {
  return `(func (export "${name}") (param $out i32) (param $upd i32) (param $pos i32) (param $start i32) (param $end i32)
  (local $r i32) (local $a i32) (local $u i32)
  (local.set $r ${g('start')})
  (block $done (loop $next
    (br_if $done (i32.ge_u ${g('r')} ${g('end')}))
    (local.set $a (i32.add ${g('out')} (i32.shl (i32.load (i32.add ${g('pos')} (i32.shl ${g('r')} (i32.const 2)))) (i32.const ${shift}))))
    (local.set $u (i32.add ${g('upd')} (i32.shl ${g('r')} (i32.const ${shift}))))
    ${body}
    (local.set $r (i32.add ${g('r')} (i32.const 1)))
    (br $next))))`;
}

const PUT: Record<number, [number, string, string]> = {
  8: [0, 'i32.load8_u', 'i32.store8'],
  16: [1, 'i32.load16_u', 'i32.store16'],
  32: [2, 'i32.load', 'i32.store'],
  64: [3, 'i64.load', 'i64.store'],
};

function put(bits: number): string {
  const [shift, load, store] = PUT[bits]!;
  return scatterLoop(`scatter_put_x${bits}`, shift, `(${store} ${g('a')} (${load} ${g('u')}))`);
}

type Red = 'add' | 'mul' | 'max' | 'min';
type Ty = 'f32' | 'i32' | 'i64';

function combine(red: Red, ty: Ty, a: string, b: string): string {
  if (red === 'add' || red === 'mul') return `(${ty}.${red} ${a} ${b})`;
  if (ty === 'f32') return `(f32.${red} ${a} ${b})`;
  // integers: select(a, b, a > b) for max, a < b for min (operands are plain loads, safe to repeat)
  return `(select ${a} ${b} (${ty}.${red === 'max' ? 'gt_s' : 'lt_s'} ${a} ${b}))`;
}

function reduce(red: Red, ty: Ty): string {
  const shift = ty === 'i64' ? 3 : 2;
  const a = `(${ty}.load ${g('a')})`;
  const u = `(${ty}.load ${g('u')})`;
  return scatterLoop(`scatter_${red}_${ty}`, shift, `(${ty}.store ${g('a')} ${combine(red, ty, a, u)})`);
}

function emit(v: WatVariant): string {
  const reds: string[] = [];
  for (const red of ['add', 'mul', 'max', 'min'] as const) for (const ty of ['f32', 'i32', 'i64'] as const) reds.push(reduce(red, ty));
  return `(module
  ${memoryImport(v)}
  ${TRILU}
  ${[8, 16, 32, 64].map(put).join('\n  ')}
  ${reds.join('\n  ')}
)`;
}

export const indexOpsFamily: WatFamily = { name: 'index-ops', usesRelaxed: false, emit };
