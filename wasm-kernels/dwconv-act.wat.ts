/**
 * Activation plumbing of the `dwconv` kernels: linear, relu, relu6 and clip are fused into the
 * accumulator stores (one copy of a loop nest each); the other activations run the linear nest and
 * then a pass over each finished output row (ten copies of the nests would triple the module).
 */
import { CP } from './conv.wat.js';
import { ACT_CODES, activation } from './gemm.wat.js';

const g = (n: string) => `(local.get ${n})`;
const i = (n: number) => `(i32.const ${n})`;
const ld = (word: number) => `(i32.load offset=${word * 4} (local.get $pb))`;
const add = (...xs: string[]) => xs.reduce((a, b) => `(i32.add ${a} ${b})`);
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const set = (n: string, e: string) => `(local.set ${n} ${e})`;

/** Activations fused into the accumulator stores; the others run as a pass over each finished output row (one copy of the loop nest instead of ten). */
export const INLINE = [ACT_CODES.linear, ACT_CODES.relu, ACT_CODES.relu6, ACT_CODES.clip] as number[];

/** `nest(act)` per inline activation, the linear nest (then `rowPass`) for the rest, chosen by br_table on the act word. */
export function perActivation(nest: (act: number) => string): string {
  const acts = Object.values(ACT_CODES);
  let sw = `(br_table ${acts.map((a) => `$a${INLINE.includes(a) ? a : ACT_CODES.linear}`).join(' ')} $a0 ${ld(CP.act)})`;
  for (const a of INLINE) sw = `(block $a${a} ${sw}) ${nest(a)} (br $out)`;
  return `(block $out ${sw})`;
}

/** Activation `act` over the floats [ptr, ptr + 4·count) (a row the linear nest wrote); uses locals $yq, $t, $x and the activation's. */
function rowPass(act: number, ptr: string, count: string): string {
  return `${set('$yq', g(ptr))} ${set('$t', g(count))}
      (block $pvd (loop $pvl (br_if $pvd (i32.lt_s ${g('$t')} ${i(4)}))
        ${set('$x', `(v128.load ${g('$yq')})`)} ${activation(act)} (v128.store ${g('$yq')} ${g('$x')})
        ${set('$yq', add(g('$yq'), i(16)))} ${set('$t', sub(g('$t'), i(4)))} (br $pvl)))
      (block $psd (loop $psl (br_if $psd (i32.eqz ${g('$t')}))
        ${set('$x', `(v128.load32_splat ${g('$yq')})`)} ${activation(act)} (v128.store32_lane 0 ${g('$yq')} ${g('$x')})
        ${set('$yq', add(g('$yq'), i(4)))} ${set('$t', sub(g('$t'), i(1)))} (br $psl)))`;
}

/** After a linear row: the non-inline activation named by the local $act, if any, over [ptr, ptr + 4·count). */
export function postSwitch(ptr: string, count: string): string {
  const acts = Object.values(ACT_CODES);
  const others = acts.filter((a) => !INLINE.includes(a));
  let sw = `(br_table ${acts.map((a) => (others.includes(a) ? `$p${a}` : '$pnone')).join(' ')} $pnone ${g('$act')})`;
  for (const a of others) sw = `(block $p${a} ${sw}) ${rowPass(a, ptr, count)} (br $pnone)`;
  return `(block $pnone ${sw})`;
}
