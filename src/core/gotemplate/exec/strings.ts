// Go strings are UTF-8 bytes; JavaScript's are UTF-16. The conversions the executor needs, cheap on ASCII.

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();
const NON_ASCII = /[^\p{ASCII}]/u;

export const utf8Bytes = (s: string): Uint8Array => ENCODER.encode(s);
export const fromUtf8 = (b: Uint8Array): string => DECODER.decode(b);
export const isAscii = (s: string): boolean => !NON_ASCII.test(s);

/** len(s) in Go: bytes of the UTF-8 encoding (TextEncoder's: a lone surrogate is U+FFFD, 3 bytes), nothing allocated. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 2 code units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** utf8.RuneCountInString. */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** Go's string order (bytewise UTF-8, i.e. code point order), which UTF-16 order breaks only above U+D7FF. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const cx = a.codePointAt(i) ?? x;
      const cy = b.codePointAt(i) ?? y;
      return cx < cy ? -1 : cx > cy ? 1 : 0;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
