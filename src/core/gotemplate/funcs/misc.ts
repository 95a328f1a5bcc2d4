// The rest of sprig's pure functions: checksums, seq, toDecimal, word-case helpers of goutils
// (some of which walk a string byte by byte, as Go's code does), chunk and deepCopy.
import { createHash } from 'node:crypto';
import { type GoFunction, type GoValue, isGoMap, untaint } from '../value.ts';
import { parseGoInt } from './cast.ts';
import { formatV, sliceBytes, utf8Length } from './format.ts';
import { capSize, goFunc, intArg, strArg } from './typed.ts';
import { goAssigned, goIs } from './unicode15.ts';

const utf8 = new TextEncoder();
const GO_SPACE_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0]);
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

/**
 * goutils' byte loops (DeleteWhiteSpace, Initials) treat each UTF-8 byte as the rune of that value: bytes
 * 0x85 and 0xA0 count as spaces, and a kept byte of a multi-byte character is written as U+0080-U+00FF.
 */
function byteRunes(s: string): number[] {
  return [...utf8.encode(s)];
}

function nospaceBytes(s: string): string {
  const bytes = byteRunes(s);
  if (!bytes.some((b) => GO_SPACE_BYTES.has(b))) return s;
  return String.fromCodePoint(...bytes.filter((b) => !GO_SPACE_BYTES.has(b)));
}

function initials(s: string): string {
  let out = '';
  let gap = true;
  for (const b of byteRunes(s)) {
    if (GO_SPACE_BYTES.has(b)) gap = true;
    else if (gap) {
      out += String.fromCodePoint(b);
      gap = false;
    }
  }
  return out;
}

const TITLE_CASE: Record<string, string> = { Ǆ: 'ǅ', ǅ: 'ǅ', ǆ: 'ǅ', Ǉ: 'ǈ', ǈ: 'ǈ', ǉ: 'ǈ', Ǌ: 'ǋ', ǋ: 'ǋ', ǌ: 'ǋ', Ǳ: 'ǲ', ǲ: 'ǲ', ǳ: 'ǲ' };
const single = (c: string, m: string): string => ([...m].length === 1 && goAssigned(c.codePointAt(0)!) ? m : c);
const toUpper = (c: string): string => single(c, c.toUpperCase());
const toLower = (c: string): string => (c === '\u0130' ? 'i' : single(c, c.toLowerCase()));
const toTitle = (c: string): string => TITLE_CASE[c] ?? toUpper(c);

/** strings.Title's separators: not ASCII alphanumerics or _, not letters or digits; other non-ASCII only if space. */
function isSeparator(c: string): boolean {
  if (c.codePointAt(0)! <= 0x7f) return !/^[0-9A-Za-z_]$/.test(c);
  if (goIs(/^[\p{L}\p{Nd}]$/u, c)) return false;
  return GO_SPACE.test(c);
}

function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSeparator(prev) ? toTitle(c) : c;
    prev = c;
  }
  return out;
}

function untitle(s: string): string {
  let next = true;
  let out = '';
  for (const c of s) {
    if (GO_SPACE.test(c)) {
      next = true;
      out += c;
    } else {
      out += next ? toLower(c) : c;
      next = false;
    }
  }
  return out;
}

function swapcase(s: string): string {
  let whitespace = true;
  let out = '';
  for (const c of s) {
    if (goIs(/^[\p{Lu}\p{Lt}]$/u, c)) {
      out += toLower(c);
      whitespace = false;
    } else if (goIs(/^\p{Ll}$/u, c)) {
      out += whitespace ? toTitle(c) : toUpper(c);
      whitespace = false;
    } else {
      out += c;
      whitespace = GO_SPACE.test(c);
    }
  }
  return out;
}

/** goutils.AbbreviateFull (byte offsets, as Go's). */
function abbreviate(s: string, offset: number, maxWidth: number): string {
  const len = utf8Length(s);
  if (s === '' || maxWidth < 4) return ''; // Go: "" (with an error when the width is too small)
  if (len <= maxWidth) return s;
  let off = Math.min(offset, len);
  if (len - off < maxWidth - 3) off = len - (maxWidth - 3);
  if (off <= 4) return `${sliceBytes(s, 0, maxWidth - 3, 'abbrev')}...`;
  if (maxWidth < 7) return '';
  if (off + maxWidth - 3 < len) return `...${abbreviate(sliceBytes(s, off, len, 'abbrev'), 0, maxWidth - 3)}`;
  return `...${sliceBytes(s, len - (maxWidth - 3), len, 'abbrev')}`;
}

/** xstrings.ToPascalCase (sprig's camelcase), rune by rune as xstrings walks it, quirks included. */
function pascalCase(str: string): string {
  const runes = [...str];
  if (runes.length === 0) return '';
  const connector = (c: string | undefined): boolean => c === '-' || c === '_' || (c !== undefined && GO_SPACE.test(c));
  const upper = (c: string): boolean => goIs(/^\p{Lu}$/u, c);
  let out = '';
  let i = 0;
  let r0 = '';
  let firstUpper = false;
  while (i < runes.length) {
    r0 = runes[i++]!;
    if (!connector(r0)) {
      firstUpper = upper(r0);
      r0 = toUpper(r0);
      break;
    }
    out += r0;
  }
  if (i === runes.length) return out + r0;
  while (i < runes.length) {
    const r1 = r0;
    r0 = runes[i++]!;
    if (connector(r0) && connector(r1)) {
      out += r1;
      continue;
    }
    if (connector(r1)) {
      firstUpper = upper(r0);
      r0 = toUpper(r0);
    } else {
      if (firstUpper) {
        if (upper(r0)) r0 = toLower(r0);
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}

/** goutils.WrapCustom on UTF-8 bytes, as Go's; a result cut inside a character is refused (not UTF-8). */
function wrapCustom(text: string, width: number, newline: string, wrapLongWords: boolean, fn: string): string {
  if (text === '') return '';
  const str = utf8.encode(text);
  const nl = [...utf8.encode(newline === '' ? '\n' : newline)];
  const w = Math.max(width, 1);
  const out: number[] = [];
  let offset = 0;
  while (str.length - offset > w) {
    if (str[offset] === 0x20) {
      offset++;
      continue;
    }
    const at = str.subarray(offset, w + offset + 1).lastIndexOf(0x20);
    if (at >= 0) {
      out.push(...str.subarray(offset, offset + at), ...nl);
      offset += at + 1;
    } else if (wrapLongWords) {
      out.push(...str.subarray(offset, offset + w), ...nl);
      offset += w;
    } else {
      const next = str.indexOf(0x20, w + offset);
      if (next < 0) {
        out.push(...str.subarray(offset));
        offset = str.length;
      } else {
        out.push(...str.subarray(offset, next), ...nl);
        offset = next + 1;
      }
    }
  }
  out.push(...str.subarray(offset));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(out));
  } catch {
    throw new Error(`${fn}: the cut falls inside a multi-byte character (unsupported: Go would make invalid UTF-8)`);
  }
}

/** sprig's untilStep as a space-separated list. */
function untilStep(start: number, stop: number, step: number): string {
  const out: number[] = [];
  if (stop < start ? step >= 0 : step <= 0) return '';
  capSize(Math.abs((stop - start) / step), 'seq');
  for (let i = start; stop < start ? i > stop : i < stop; i += step) out.push(i);
  return out.join(' ');
}

/** sprig's seq: 1..n, start..end or start..step..end. */
function seq(params: number[]): string {
  if (params.length === 1) {
    const inc = params[0]! < 1 ? -1 : 1;
    return untilStep(1, params[0]! + inc, inc);
  }
  if (params.length === 2) {
    const [start, end] = params as [number, number];
    const step = end < start ? -1 : 1;
    return untilStep(start, end + step, step);
  }
  if (params.length === 3) {
    const [start, step, end] = params as [number, number, number];
    if (end < start && step > 0) return '';
    return untilStep(start, end + (end < start ? -1 : 1), step);
  }
  return '';
}

/** copystructure.Copy of the model's plain data (typed values are kept as they are: the model never changes them). */
function deepCopy(v: GoValue): GoValue {
  const x = untaint(v);
  if (Array.isArray(x)) return x.map(deepCopy);
  if (isGoMap(x)) {
    const out = Object.create(null) as Record<string, GoValue>;
    for (const [k, val] of Object.entries(x)) out[k] = deepCopy(val);
    return out;
  }
  return x;
}

/** copystructure fails on a nil at the top (nested nils are copied). */
function copyTop(v: GoValue): GoValue {
  if (untaint(v) === null || untaint(v) === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  return deepCopy(v);
}

const hash = (algo: string) => (s: GoValue) =>
  createHash(algo)
    .update(strArg(s, `${algo}sum`))
    .digest('hex');

function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of utf8.encode(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

export const miscFunctions: Record<string, GoFunction> = {
  sha1sum: goFunc(['string'], hash('sha1')),
  sha256sum: goFunc(['string'], hash('sha256')),
  sha512sum: goFunc(['string'], hash('sha512')),
  adler32sum: goFunc(['string'], (s) => adler32(strArg(s, 'adler32sum'))),
  seq: goFunc([], (...p) => seq(p.map((x) => intArg(x, 'seq'))), 'int'),
  toDecimal: goFunc(['any'], (v) => {
    const n = parseGoInt(formatV(untaint(v) ?? null), 8);
    return typeof n === 'bigint' ? n : 0n;
  }),
  nospace: goFunc(['string'], (s) => nospaceBytes(strArg(s, 'nospace'))),
  initials: goFunc(['string'], (s) => initials(strArg(s, 'initials'))),
  title: goFunc(['string'], (s) => title(strArg(s, 'title'))),
  untitle: goFunc(['string'], (s) => untitle(strArg(s, 'untitle'))),
  swapcase: goFunc(['string'], (s) => swapcase(strArg(s, 'swapcase'))),
  abbrev: goFunc(['int', 'string'], (w, s) =>
    intArg(w, 'abbrev') < 4 ? strArg(s, 'abbrev') : abbreviate(strArg(s, 'abbrev'), 0, intArg(w, 'abbrev')),
  ),
  abbrevboth: goFunc(['int', 'int', 'string'], (l, r, s) => {
    const [left, right, str] = [intArg(l, 'abbrevboth'), intArg(r, 'abbrevboth'), strArg(s, 'abbrevboth')];
    return right < 4 || (left > 0 && right < 7) ? str : abbreviate(str, left, right);
  }),
  wrap: goFunc(['int', 'string'], (l, s) => wrapCustom(strArg(s, 'wrap'), intArg(l, 'wrap'), '', false, 'wrap')),
  wrapWith: goFunc(['int', 'string', 'string'], (l, sep, s) =>
    wrapCustom(strArg(s, 'wrapWith'), intArg(l, 'wrapWith'), strArg(sep, 'wrapWith'), true, 'wrapWith'),
  ),
  camelcase: goFunc(['string'], (s) => pascalCase(strArg(s, 'camelcase'))),
  deepCopy: goFunc(['any'], copyTop),
  mustDeepCopy: goFunc(['any'], copyTop),
};
