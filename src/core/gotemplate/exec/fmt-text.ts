// fmt's text helpers: Go quoting of runes and strings, hex of a string's bytes (%x), the # flag on floats.
import { goQuote } from '../tokens.ts';
import { utf8Bytes } from './strings.ts';

export function quoteRune(r: number, ascii: boolean): string {
  if (r === 39) return "'\\''";
  if (r === 34) return "'\"'";
  const q = goQuote(String.fromCodePoint(r));
  const body = ascii && r > 127 ? (r < 0x10000 ? `\\u${r.toString(16).padStart(4, '0')}` : `\\U${r.toString(16).padStart(8, '0')}`) : q.slice(1, -1);
  return `'${body}'`;
}
export function quoteASCII(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    out += c > 127 ? (c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`) : goQuote(ch).slice(1, -1);
  }
  return `"${out}"`;
}
// strconv.CanBackquote: no backquote, no control character but tab, no BOM or replacement character
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '`' || (c < 32 && c !== 9) || c === 127 || c === 0xfeff || c === 0xfffd) return false;
  }
  return true;
}

/** The flags %x of a string looks at. */
export interface HexFlags {
  sharp: boolean;
  space: boolean;
  minus: boolean;
  zero: boolean;
  widPresent: boolean;
  wid: number;
  precPresent: boolean;
  prec: number;
}

/** fmtSbx: the bytes of s in hex, with # (0x) and space (separated) flags, padded to the width. */
export function hexBytes(s: string, upper: boolean, f: HexFlags): string {
  let bytes = utf8Bytes(s);
  if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
  const padChar = f.zero && !f.minus ? '0' : ' ';
  if (bytes.length === 0) return f.widPresent ? padChar.repeat(Math.max(f.wid, 0)) : '';
  const prefix = f.sharp ? (upper ? '0X' : '0x') : '';
  let out = f.space ? '' : prefix;
  bytes.forEach((b, i) => {
    if (f.space) out += (i > 0 ? ' ' : '') + prefix;
    const h = b.toString(16).padStart(2, '0');
    out += upper ? h.toUpperCase() : h;
  });
  const fill = f.widPresent && f.wid > out.length ? padChar.repeat(f.wid - out.length) : '';
  return f.minus ? out + fill : fill + out;
}

// The # flag on floats: keep a decimal point and trailing zeros (format.go fmtFloat, digit for digit:
// in %x the 'x' itself counts as a significant digit there too).
export function sharpFloat(num: string, verb: string, prec: number): string {
  if (verb === 'b') return num;
  let digits = verb === 'g' || verb === 'G' || verb === 'x' ? (prec === -1 ? 6 : prec) : 0;
  const hex = verb === 'x' || verb === 'X';
  const cut = num.slice(1).search(hex ? /[pP]/ : /[eEpP]/);
  const body = cut < 0 ? num : num.slice(0, cut + 1);
  const tail = cut < 0 ? '' : num.slice(cut + 1);
  let sawNonzero = false;
  for (const c of body.slice(1)) {
    if (c === '.') continue;
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  let out = body;
  if (!body.includes('.')) {
    if (body.length === 2 && body[1] === '0') digits--;
    out += '.';
  }
  return out + '0'.repeat(Math.max(digits, 0)) + tail;
}
