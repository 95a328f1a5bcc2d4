// Go's literal rules as text/template applies them: strconv.Unquote, strconv.UnquoteChar and the number
// checks of parse.newNumber. A failure returns Go's error text.
import type { NumberNode } from './ast.ts';

const UTF8 = new TextEncoder();
const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/** One (possibly escaped) character of a quoted literal at s[i]: [text, next index] or undefined (invalid syntax). */
function unquoteChar(s: string, i: number, quote: string): [string, number] | undefined {
  const c = s[i];
  if (c === undefined || c === quote || c === '\n') return undefined;
  if (c !== '\\') {
    const cp = s.codePointAt(i) ?? 0;
    return [String.fromCodePoint(cp), i + (cp > 0xffff ? 2 : 1)];
  }
  const e = s[i + 1];
  if (e === undefined) return undefined;
  if (SIMPLE_ESCAPES[e] !== undefined) return [SIMPLE_ESCAPES[e], i + 2];
  if (e === quote) return [e, i + 2];
  const hexLen = HEX_LEN[e];
  if (hexLen !== undefined) {
    const digits = s.slice(i + 2, i + 2 + hexLen);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hexLen) return undefined;
    const v = Number.parseInt(digits, 16);
    if (e === 'x') return [String.fromCharCode(v), i + 2 + hexLen]; // a byte; kept as a code unit
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
    return [String.fromCodePoint(v), i + 2 + hexLen];
  }
  if (e >= '0' && e <= '7') {
    const digits = s.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(digits)) return undefined;
    const v = Number.parseInt(digits, 8);
    return v > 255 ? undefined : [String.fromCharCode(v), i + 4];
  }
  return undefined;
}

/** strconv.Unquote of a "..." or `...` token. */
export function unquoteString(token: string): string | Error {
  if (token.startsWith('`')) return token.endsWith('`') && token.length >= 2 ? token.slice(1, -1).replaceAll('\r', '') : new Error('invalid syntax');
  // Go strings are bytes: \x and octal escapes give one byte each, so collect bytes and decode once
  const bytes: number[] = [];
  let i = 1;
  // each step advances i by at least one: bounded by the token length
  while (i < token.length - 1) {
    const step = unquoteChar(token, i, '"');
    if (step === undefined) return new Error('invalid syntax');
    const escaped = token[i] === '\\' ? (token[i + 1] ?? '') : '';
    if (escaped === 'x' || (escaped >= '0' && escaped <= '7')) bytes.push(step[0].charCodeAt(0));
    else bytes.push(...UTF8.encode(step[0]));
    i = step[1];
  }
  if (i !== token.length - 1 || !token.endsWith('"') || token.length < 2) return new Error('invalid syntax');
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function charConstant(text: string): NumberNode | Error {
  const step = unquoteChar(text, 1, "'");
  if (step === undefined) return new Error('invalid syntax');
  if (text.slice(step[1]) !== "'") return new Error(`malformed character constant: ${text}`);
  const cp = BigInt(step[0].codePointAt(0) ?? 0);
  return { kind: 'number', pos: 0, text, int: cp, uint: cp, float: Number(cp) };
}

const D = '\\d(?:_?\\d)*';
const H = '[0-9a-fA-F](?:_?[0-9a-fA-F])*';
const INT_RE = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?[0-7])+|[1-9](?:_?\d)*|0)$/;
const FLOAT_RE = new RegExp(
  `^[+-]?(?:(?:${D}\\.(?:${D})?|\\.${D})(?:[eE][+-]?${D})?|${D}[eE][+-]?${D}|${D}|0[xX](?:_?${H}\\.?(?:${H})?|_?\\.${H})[pP][+-]?${D})$`,
);

function parseGoInt(text: string): bigint | undefined {
  if (!INT_RE.test(text)) return undefined;
  const neg = text.startsWith('-');
  let body = text.replace(/^[+-]/, '').replaceAll('_', '');
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  const v = BigInt(body);
  return neg ? -v : v;
}

function parseGoFloat(text: string): number | undefined {
  if (!FLOAT_RE.test(text)) return undefined;
  const body = text.replaceAll('_', '');
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(body);
  let v: number;
  if (hex) {
    const frac = hex[3] ?? '';
    const mant = Number.parseInt(`${hex[2]}${frac}` || '0', 16);
    v = mant * 2 ** (Number(hex[4]) - 4 * frac.length) * (hex[1] === '-' ? -1 : 1);
  } else v = Number(body);
  return Number.isFinite(v) ? v : undefined;
}

// fmt's floatToken: the longest float-looking prefix of s from i (fmt only knows the 0x prefix).
function fmtFloatToken(s: string, from: number): number {
  let i = from;
  const accept = (set: string): boolean => i < s.length && set.includes(s[i] as string) && ++i > 0;
  // NaN and Inf are tried first; a partial match stays consumed, as in fmt
  if (accept('nN') && accept('aA') && accept('nN')) return i;
  accept('+-');
  if (accept('iI') && accept('nN') && accept('fF')) return i;
  let digits = '0123456789_';
  let exp = 'eE';
  if (accept('0') && accept('xX')) {
    digits = '0123456789abcdefABCDEF_';
    exp = 'pP';
  }
  while (accept(digits)) {
    /* digits */
  }
  if (accept('.'))
    while (accept(digits)) {
      /* fraction */
    }
  if (accept(exp)) {
    accept('+-');
    while (accept('0123456789_')) {
      /* exponent */
    }
  }
  return i;
}

// fmt.Sscan into a complex128 (Go's newNumber for "1+2i"): fmt's tokens, then strconv.ParseFloat on each part.
function complexConstant(text: string): NumberNode | Error {
  const realEnd = fmtFloatToken(text, 0);
  const imagEnd = fmtFloatToken(text, realEnd + 1);
  if (!'+-'.includes(text[realEnd] ?? 'x') || text[imagEnd] !== 'i') return new Error('syntax error scanning complex number');
  const parts = [text.slice(0, realEnd), text.slice(realEnd, imagEnd)];
  const [re, im] = parts.map((part) => parseGoFloat(part));
  for (const [i, v] of [re, im].entries()) {
    if (v === undefined) {
      const why = FLOAT_RE.test(parts[i] ?? '') ? 'value out of range' : 'invalid syntax';
      return new Error(`strconv.ParseFloat: parsing ${JSON.stringify(parts[i])}: ${why}`);
    }
  }
  return simplifyComplex({ kind: 'number', pos: 0, text, complex: { re: re as number, im: im as number } });
}

/** Go's simplifyComplex: a complex with no imaginary part is also a float, and an integer if it is one. */
function simplifyComplex(n: NumberNode): NumberNode {
  if (n.complex === undefined || n.complex.im !== 0) return n;
  return { ...n, ...integerForms(n.complex.re), float: n.complex.re };
}

/** The int64/uint64 an integral float converts to exactly (Go's float64(int64(f)) == f). */
function integerForms(f: number): Pick<NumberNode, 'int' | 'uint'> {
  if (!Number.isInteger(f)) return {};
  return {
    ...(f >= -(2 ** 63) && f < 2 ** 63 ? { int: BigInt(f) } : {}),
    ...(f >= 0 && f < 2 ** 64 ? { uint: BigInt(f) } : {}),
  };
}

/** parse.newNumber: the types a number constant fits, or Go's error. */
export function parseNumber(text: string, type: 'number' | 'complex' | 'charConstant'): NumberNode | Error {
  if (type === 'charConstant') return charConstant(text);
  if (type === 'complex') return complexConstant(text);
  if (text.endsWith('i')) {
    const im = parseGoFloat(text.slice(0, -1));
    if (im !== undefined) return simplifyComplex({ kind: 'number', pos: 0, text, complex: { re: 0, im } });
  }
  const n: NumberNode = { kind: 'number', pos: 0, text };
  const i = parseGoInt(text);
  // strconv.ParseUint takes no sign; Go marks -0 unsigned too
  if (i !== undefined && !/^[+-]/.test(text) && i < 2n ** 64n) n.uint = i;
  if (i !== undefined && i >= -(2n ** 63n) && i < 2n ** 63n) n.int = i;
  if (n.int === 0n) n.uint = 0n;
  if (n.int !== undefined) n.float = Number(n.int);
  else if (n.uint !== undefined) n.float = Number(n.uint);
  else {
    const f = parseGoFloat(text);
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) return new Error(`integer overflow: "${text}"`);
      n.float = f;
      Object.assign(n, integerForms(f));
    }
  }
  if (n.int === undefined && n.uint === undefined && n.float === undefined) return new Error(`illegal number syntax: "${text}"`);
  return n;
}
