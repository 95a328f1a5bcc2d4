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

/** Go's %#U: U+0021 '!' */
export function formatRuneU(r: number): string {
  const hex = r < 0 ? 'FFFFFFFFFFFFFFFF' : r.toString(16).toUpperCase().padStart(4, '0');
  return r >= 32 && r !== 127 ? `U+${hex} '${String.fromCodePoint(r)}'` : `U+${hex}`;
}
/** Go's %q for the strings that appear in parse errors. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 32 || c === 127) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
