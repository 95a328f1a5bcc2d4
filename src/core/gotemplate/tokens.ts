// The tokens of Go's template language and how Go prints them in parse errors (lex.go item.String, %q, %#U).
export type TokenType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Token {
  type: TokenType;
  pos: number;
  val: string;
  line: number;
}

export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['.', 'dot'],
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['nil', 'nil'],
  ['range', 'range'],
  ['template', 'template'],
  ['with', 'with'],
]);
export function isKeyword(t: TokenType): boolean {
  return t === 'dot' || t === 'nil' || ['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with'].includes(t);
}

const GO_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export const isGoPrint = (r: number): boolean => r === 32 || GO_PRINTABLE.test(String.fromCodePoint(r));

/** Go's %#U: U+0021 '!' */
export function formatRuneU(r: number): string {
  const hex = r < 0 ? 'FFFFFFFFFFFFFFFF' : r.toString(16).toUpperCase().padStart(4, '0');
  return r >= 0 && isGoPrint(r) ? `U+${hex} '${String.fromCodePoint(r)}'` : `U+${hex}`;
}
const QUOTE_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
/** Go's %q for the strings that appear in parse errors. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (QUOTE_ESCAPES[ch] !== undefined) out += QUOTE_ESCAPES[ch];
    else if (c < 32 || c === 127) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c > 127 && !isGoPrint(c)) out += c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
