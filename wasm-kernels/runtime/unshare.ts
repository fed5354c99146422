// Used by the loader at run time and by the build, which checks it against the assembled local builds.

function readLeb(b: Uint8Array, at: number): [value: number, next: number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++]!;
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return [v, at];
    shift += 7;
  }
}

/**
 * The shared and local builds of a family differ only in the limits flag of their one memory import
 * (0x03 = shared with a maximum, 0x01 = a maximum), so only shared builds are embedded and this flips
 * the flag for runtimes on a local memory.
 */
export function unshare(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  let at = 8;
  while (at < out.length) {
    const id = out[at]!;
    const [size, body] = readLeb(out, at + 1);
    if (id === 2) {
      let [count, p] = readLeb(out, body);
      for (; count > 0; count--) {
        let len: number;
        [len, p] = readLeb(out, p); // module name
        [len, p] = readLeb(out, p + len); // field name
        p += len;
        const kind = out[p++]!;
        if (kind === 0x02) {
          if (out[p] !== 0x03) throw new Error('wasm-kernels: memory import is not shared');
          out[p] = 0x01;
          return out;
        }
        if (kind === 0x00) [, p] = readLeb(out, p); // function: type index
        else throw new Error(`wasm-kernels: unexpected import kind ${kind}`);
      }
    }
    at = body + size;
  }
  throw new Error('wasm-kernels: module has no memory import');
}
