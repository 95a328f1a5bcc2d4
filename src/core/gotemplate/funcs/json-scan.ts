// encoding/json's syntax check (scanner.go's checkValid) for its error texts: "invalid character 'x'
// looking for beginning of value", "unexpected end of JSON input"... Linear, iterative, on UTF-8 bytes as
// Go's scanner reads them.
import { goQuote } from './format.ts';

/** An open object or array and where its scan is: just opened, or after an element. */
interface Container {
  kind: 'object' | 'array';
  state: 'start' | 'after';
}

/** scanner.go's quoteChar: the byte as a rune, quoted with single quotes. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  const q = goQuote(String.fromCodePoint(c));
  return `'${q.slice(1, -1)}'`;
}

/** At the end of the input Go's scanner steps once more with a space: inside a token that is the fault. */
const EOF = 0x20;
const invalid = (c: number, context: string): Error => new Error(`invalid character ${quoteChar(c)} ${context}`);
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(String.fromCharCode(c));

/** Reads one literal (true, false, null) at i; returns the index past it. */
function literal(b: Uint8Array, i: number, word: string): number {
  for (let k = 1; k < word.length; k++) {
    const c = b[i + k] ?? EOF;
    if (c !== word.charCodeAt(k)) throw invalid(c, `in literal ${word} (expecting '${word[k]}')`);
  }
  return i + word.length;
}

function string(b: Uint8Array, start: number): number {
  for (let i = start + 1; ; i++) {
    const c = b[i];
    if (c === undefined) throw new Error('unexpected end of JSON input');
    if (c === 0x22) return i + 1;
    if (c < 0x20) throw invalid(c, 'in string literal');
    if (c !== 0x5c) continue;
    const e = b[++i] ?? EOF;
    if (e === 0x75) {
      for (let k = 0; k < 4; k++) {
        const h = b[++i] ?? EOF;
        if (!isHex(h)) throw invalid(h, 'in \\u hexadecimal character escape');
      }
    } else if (!'bfnrt\\/"'.includes(String.fromCharCode(e))) throw invalid(e, 'in string escape code');
  }
}

function number(b: Uint8Array, start: number): number {
  let i = start;
  const need = (context: string): void => {
    const c = b[i] ?? EOF;
    if (!isDigit(c)) throw invalid(c, context);
  };
  if (b[i] === 0x2d) {
    i++;
    need('in numeric literal');
  }
  if (b[i] === 0x30) i++;
  else while (isDigit(b[i])) i++;
  if (b[i] === 0x2e) {
    i++;
    need('after decimal point in numeric literal');
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    need('in exponent of numeric literal');
    while (isDigit(b[i])) i++;
  }
  return i;
}

/** One value starting at i: the index past it; a container is pushed (its contents are the caller's loop). */
function value(b: Uint8Array, i: number, stack: Container[]): number {
  const c = b[i];
  if (c === undefined) throw new Error('unexpected end of JSON input');
  if (c === 0x7b || c === 0x5b) {
    if (stack.length >= 10_000) throw new Error('exceeded max depth');
    stack.push({ kind: c === 0x7b ? 'object' : 'array', state: 'start' });
    return i + 1;
  }
  if (c === 0x22) return string(b, i);
  if (c === 0x2d || isDigit(c)) return number(b, i);
  if (c === 0x74) return literal(b, i, 'true');
  if (c === 0x66) return literal(b, i, 'false');
  if (c === 0x6e) return literal(b, i, 'null');
  throw invalid(c, 'looking for beginning of value');
}

const skip = (b: Uint8Array, i: number): number => {
  let j = i;
  while (j < b.length && isSpace(b[j]!)) j++;
  return j;
};

/** A key, its colon and its value, from the key's opening quote (or what stands there instead). */
function member(b: Uint8Array, i: number, stack: Container[]): number {
  const c = b[i];
  if (c === undefined) throw new Error('unexpected end of JSON input');
  if (c !== 0x22) throw invalid(c, 'looking for beginning of object key string');
  const colon = skip(b, string(b, i));
  if (b[colon] === undefined) throw new Error('unexpected end of JSON input');
  if (b[colon] !== 0x3a) throw invalid(b[colon]!, 'after object key');
  return value(b, skip(b, colon + 1), stack);
}

/** Throws Go's syntax error for the first fault in `text`, if any. */
export function checkGoJSON(text: string): void {
  const b = new TextEncoder().encode(text);
  const stack: Container[] = [];
  let i = value(b, skip(b, 0), stack);
  for (;;) {
    i = skip(b, i);
    const top = stack.at(-1);
    if (top === undefined) {
      if (i < b.length) throw invalid(b[i]!, 'after top-level value');
      return;
    }
    const c = b[i];
    if (c === undefined) throw new Error('unexpected end of JSON input');
    const close = top.kind === 'object' ? 0x7d : 0x5d;
    const first = top.state === 'start';
    top.state = 'after';
    if (c === close) {
      stack.pop();
      i++;
    } else if (first) i = top.kind === 'object' ? member(b, i, stack) : value(b, i, stack);
    else if (c === 0x2c) i = top.kind === 'object' ? member(b, skip(b, i + 1), stack) : value(b, skip(b, i + 1), stack);
    else throw invalid(c, top.kind === 'array' ? 'after array element' : 'after object key:value pair');
  }
}
