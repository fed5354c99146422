/**
 * JSONC → JSON: drop `// line` and `/* block *\/` comments and trailing commas, leaving everything
 * inside string literals alone (a `"//"` or `"/*"` inside a string is data, not a comment).
 * Comments become spaces (newlines are kept) so JSON.parse error positions still point at the source.
 */
export function stripJsonComments(src: string): string {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '"') {
      // Copy a string literal verbatim, honouring backslash escapes.
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && src[i + 1] === '/') {
      let j = i;
      while (j < n && src[j] !== '\n') j++;
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new SyntaxError(`unterminated block comment at offset ${i}`);
      out += src.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return removeTrailingCommas(out);
}

/** `[1, 2,]` → `[1, 2 ]`, outside strings only (JSONC allows trailing commas, JSON does not). */
function removeTrailingCommas(src: string): string {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ',') {
      let j = i + 1;
      while (j < n && /\s/.test(src[j]!)) j++;
      if (src[j] === ']' || src[j] === '}') {
        out += ' ';
        i++;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

export function parseJsonc(src: string): unknown {
  return JSON.parse(stripJsonComments(src));
}
