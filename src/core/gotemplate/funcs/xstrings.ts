// huandu/xstrings v1.5.0's ToSnakeCase and ToKebabCase (sprig's snakecase and kebabcase): its word
// splitter and joiner ported step for step, on code points (U+FFFD is skipped as xstrings skips RuneError).
import type { GoFunction } from '../value.ts';
import { goFunc, strArg } from './typed.ts';
import { goAssigned, goIs } from './unicode15.ts';

type WordType = 'invalid' | 'number' | 'upper' | 'alphabet' | 'connector' | 'punct' | 'other';
interface Word {
  wt: WordType;
  word: string[];
  remaining: string[];
}

const RUNE_ERROR = '\ufffd';
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const isConnector = (r: string): boolean => r === '-' || r === '_' || GO_SPACE.test(r);
const isUpper = (r: string): boolean => goIs(/^\p{Lu}$/u, r);
const isPunct = (r: string): boolean => goIs(/^\p{P}$/u, r);
const isNumber = (r: string): boolean => goIs(/^\p{N}$/u, r);

/** A letter that is not a CJK ideograph (xstrings' isAlphabet). */
function isAlphabet(r: string): boolean {
  if (!goIs(/^\p{L}$/u, r)) return false;
  const c = r.codePointAt(0)!;
  if (c < 0x3400) return true;
  return !((c >= 0x4e00 && c <= 0x9fcc) || (c >= 0x3400 && c <= 0x4d85) || (c >= 0x20000 && c <= 0x2b81d));
}

/** The next rune that is not U+FFFD, and how many runes that took; `prev` when there is none. */
function nextValidRune(str: string[], prev: string): [string, number] {
  let size = 0;
  for (const r of str) {
    size++;
    if (r !== RUNE_ERROR) return [r, size];
  }
  return [prev, size];
}

/** Extends a word over the runes that `keep` accepts; returns the new offset and what remains. */
function extend(offset: number, remaining: string[], first: string, keep: (r: string) => boolean): [number, string[]] {
  let off = offset;
  let rest = remaining;
  let r = first;
  while (rest.length > 0) {
    const [next, size] = nextValidRune(rest, r);
    r = next;
    if (!keep(r)) break;
    off += size;
    rest = rest.slice(size);
  }
  return [off, rest];
}

/** An upper-case word: "HTTPServer" is "HTTP" then "Server"; "Hello" is one word. */
function upperWord(str: string[], size0: number, first: string): [number, string[]] {
  let offset = size0;
  let remaining = str.slice(size0);
  if (remaining.length === 0) return [offset, remaining];
  const [r, size] = nextValidRune(remaining, first);
  if (isUpper(r)) {
    let prevSize = size;
    offset += size;
    remaining = remaining.slice(size);
    let last = r;
    while (remaining.length > 0) {
      const [n, s] = nextValidRune(remaining, last);
      last = n;
      if (!isUpper(n)) break;
      prevSize = s;
      offset += s;
      remaining = remaining.slice(s);
    }
    if (remaining.length > 0 && isAlphabet(last)) {
      offset -= prevSize;
      remaining = str.slice(offset);
    }
    return [offset, remaining];
  }
  if (isAlphabet(r)) return extend(offset + size, remaining.slice(size), r, (x) => isAlphabet(x) && !isUpper(x));
  return [offset, remaining];
}

function nextWord(str: string[]): Word {
  if (str.length === 0) return { wt: 'invalid', word: [], remaining: [] };
  const [r, size] = nextValidRune(str, RUNE_ERROR);
  if (r === RUNE_ERROR) return { wt: 'invalid', word: str.slice(0, size), remaining: str.slice(size) };
  const rest = str.slice(size);
  let result: [number, string[]];
  let wt: WordType;
  if (isConnector(r)) [wt, result] = ['connector', extend(size, rest, r, isConnector)];
  else if (isPunct(r)) [wt, result] = ['punct', extend(size, rest, r, isPunct)];
  else if (isUpper(r)) [wt, result] = ['upper', upperWord(str, size, r)];
  else if (isAlphabet(r)) [wt, result] = ['alphabet', extend(size, rest, r, (x) => isAlphabet(x) && !isUpper(x))];
  else if (isNumber(r)) [wt, result] = ['number', extend(size, rest, r, isNumber)];
  else [wt, result] = ['other', extend(size, rest, r, (x) => !(isConnector(x) || isAlphabet(x) || isNumber(x) || isPunct(x)))];
  return { wt, word: str.slice(0, result[0]), remaining: result[1] };
}

function lower(wt: WordType, word: string[], connector: string): string {
  if (wt !== 'upper' && wt !== 'connector') return word.join('');
  return word.map((r) => (isConnector(r) ? connector : isUpper(r) ? lowerRune(r) : r)).join('');
}

const lowerRune = (r: string): string => {
  const l = r.toLowerCase();
  return r === '\u0130' ? 'i' : [...l].length === 1 && goAssigned(r.codePointAt(0)!) ? l : r;
};

/** xstrings.camelCaseToLowerCase. */
function toLowerCase(text: string, connector: string): string {
  if (text === '') return '';
  let out = '';
  let cur = nextWord([...text]);
  const advance = (): WordType => {
    cur = nextWord(cur.remaining);
    return cur.wt;
  };
  const join = (after: WordType): void => {
    if (after !== 'invalid' && after !== 'punct' && after !== 'connector') out += connector;
  };
  /** Words while they are letters or digits, lower-cased; the type of the word that stopped them. */
  const run = (): WordType => {
    while (cur.wt === 'alphabet' || cur.wt === 'number') {
      out += lower(cur.wt, cur.word, connector);
      advance();
    }
    return cur.wt;
  };
  while (cur.remaining.length > 0) {
    if (cur.wt !== 'connector') out += lower(cur.wt, cur.word, connector);
    const prev = cur;
    const wt = advance();
    if (prev.wt === 'number') join(run());
    else if (prev.wt === 'connector') out += lower(prev.wt, prev.word, connector);
    else if (prev.wt !== 'punct') {
      if (wt !== 'number') {
        if (wt !== 'connector' && wt !== 'punct') out += connector;
        continue;
      }
      if (cur.remaining.length === 0) continue;
      const digits = cur.word;
      const after = advance();
      if (after !== 'alphabet') {
        out += lower('number', digits, connector);
        if (after !== 'connector' && after !== 'punct') out += connector;
        continue;
      }
      out += connector + lower('number', digits, connector);
      join(run());
    }
  }
  return out + lower(cur.wt, cur.word, connector);
}

export const xstringsFunctions: Record<string, GoFunction> = {
  snakecase: goFunc(['string'], (s) => toLowerCase(strArg(s, 'snakecase'), '_')),
  kebabcase: goFunc(['string'], (s) => toLowerCase(strArg(s, 'kebabcase'), '-')),
};
