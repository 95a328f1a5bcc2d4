// Lexer of Go's text/template language, following the states of Go's text/template/parse/lex.go.
// Tokens are produced eagerly; the lexer's state never depends on the parser, so this equals Go's lazy lexer.
import { formatRuneU, goQuote, KEYWORDS, type Token, type TokenType } from './tokens.ts';

export type { Token, TokenType } from './tokens.ts';
export { goQuote, isKeyword } from './tokens.ts';

const EOF = -1;
const LEFT = '{{';
const RIGHT = '}}';
export const isSpace = (r: number): boolean => r === 32 || r === 9 || r === 13 || r === 10;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
// Go's '_' || unicode.IsLetter || unicode.IsDigit; ASCII answered without the regex
function isAlphaNumeric(r: number): boolean {
  if (r < 128) return r === 95 || (r >= 48 && r <= 57) || (r >= 65 && r <= 90) || (r >= 97 && r <= 122);
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}
const hasLeftTrim = (s: string, at: number): boolean => s.charCodeAt(at) === 45 && isSpace(s.charCodeAt(at + 1));
const hasRightTrim = (s: string, at: number): boolean => isSpace(s.charCodeAt(at)) && s.charCodeAt(at + 1) === 45;
/** Go's rightTrimLength: the spaces ending input[from:to], counted backwards (a regex here would be quadratic). */
function rightTrimLength(s: string, from: number, to: number): number {
  let i = to;
  while (i > from && isSpace(s.charCodeAt(i - 1))) i--;
  return to - i;
}

type State = ((l: Lexer) => State) | null;

class Lexer {
  pos = 0;
  start = 0;
  line = 1;
  startLine = 1;
  parenDepth = 0;
  atEOF = false;
  readonly tokens: Token[] = [];
  constructor(
    readonly input: string,
    /** Keywords lexed as identifiers: Go's break/continue when a function has that name. */
    readonly notKeywords: ReadonlySet<string>,
  ) {}
  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) ?? EOF;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 10) this.line++;
    return r;
  }
  backup(): void {
    if (this.atEOF || this.pos === 0) return;
    const low = this.input.charCodeAt(this.pos - 1);
    const w = low >= 0xdc00 && low <= 0xdfff && this.pos >= 2 ? 2 : 1;
    this.pos -= w;
    if (low === 10) this.line--;
  }
  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }
  countLines(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.input.charCodeAt(i) === 10) n++;
    return n;
  }
  thisItem(type: TokenType): Token {
    const t = { type, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
    return t;
  }
  emit(type: TokenType): State {
    this.tokens.push(this.thisItem(type));
    return type === 'eof' ? null : this.insideState(type);
  }
  insideState(type: TokenType): State {
    return type === 'rightDelim' || type === 'text' ? lexText : lexInsideAction;
  }
  ignore(): void {
    this.line += this.countLines(this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }
  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }
  acceptRun(valid: string): void {
    while (this.accept(valid)) {
      /* consume */
    }
  }
  errorf(msg: string): State {
    this.tokens.push({ type: 'error', pos: this.start, val: msg, line: this.startLine });
    return null;
  }
  atRightDelim(): [boolean, boolean] {
    if (hasRightTrim(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) return [true, true];
    return [this.input.startsWith(RIGHT, this.pos), false];
  }
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r) || r === EOF || '.,|:)('.includes(String.fromCodePoint(r))) return true;
    return this.input.startsWith(RIGHT, this.pos);
  }
}

function lexText(l: Lexer): State {
  const x = l.input.indexOf(LEFT, l.pos);
  if (x < 0) {
    l.pos = l.input.length;
    if (l.pos > l.start) {
      l.line += l.countLines(l.start, l.pos);
      l.tokens.push(l.thisItem('text'));
    }
    l.emit('eof');
    return null;
  }
  if (x > l.pos) {
    l.pos = x;
    const trim = hasLeftTrim(l.input, x + LEFT.length) ? rightTrimLength(l.input, l.start, l.pos) : 0;
    l.pos -= trim;
    l.line += l.countLines(l.start, l.pos);
    const item = l.thisItem('text');
    l.pos += trim;
    l.ignore();
    if (item.val.length > 0) l.tokens.push(item);
  }
  return lexLeftDelim;
}

function leftTrimLength(s: string, at: number): number {
  let i = at;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i - at;
}

function lexLeftDelim(l: Lexer): State {
  l.pos += LEFT.length;
  const afterMarker = hasLeftTrim(l.input, l.pos) ? 2 : 0;
  if (l.input.startsWith('/*', l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.tokens.push(l.thisItem('leftDelim'));
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return lexInsideAction;
}

function lexComment(l: Lexer): State {
  l.pos += 2;
  const x = l.input.indexOf('*/', l.pos);
  if (x < 0) return l.errorf('unclosed comment');
  l.pos = x + 2;
  const [delim, trim] = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  l.line += l.countLines(l.start, l.pos);
  l.thisItem('text');
  if (trim) l.pos += 2;
  l.pos += RIGHT.length;
  if (trim) l.pos += leftTrimLength(l.input, l.pos);
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): State {
  const [, trim] = l.atRightDelim();
  if (trim) {
    l.pos += 2;
    l.ignore();
  }
  l.pos += RIGHT.length;
  const item = l.thisItem('rightDelim');
  if (trim) {
    l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
  }
  l.tokens.push(item);
  return lexText;
}

function lexInsideAction(l: Lexer): State {
  const [delim] = l.atRightDelim();
  if (delim) return l.parenDepth === 0 ? lexRightDelim : l.errorf('unclosed left paren');
  const r = l.next();
  const ch = r === EOF ? '' : String.fromCodePoint(r);
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  switch (ch) {
    case '=':
      return l.emit('assign');
    case ':':
      return l.next() !== 61 ? l.errorf('expected :=') : l.emit('declare');
    case '|':
      return l.emit('pipe');
    case '"':
      return lexQuote;
    case '`':
      return lexRawQuote;
    case '$':
      return lexVariable;
    case "'":
      return lexChar;
    case '(':
      l.parenDepth++;
      return l.emit('leftParen');
    case ')':
      l.parenDepth--;
      return l.parenDepth < 0 ? l.errorf('unexpected right paren') : l.emit('rightParen');
  }
  if (ch === '.') {
    const c = l.input.charCodeAt(l.pos);
    if (l.pos < l.input.length && (c < 48 || c > 57)) return lexField;
  }
  if (ch === '.' || ch === '+' || ch === '-' || (r >= 48 && r <= 57)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r < 128 && r >= 32 && r !== 127) return l.emit('char');
  return l.errorf(`unrecognized character in action: ${formatRuneU(r)}`);
}

function lexSpace(l: Lexer): State {
  let spaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    spaces++;
  }
  if (hasRightTrim(l.input, l.pos - 1) && l.input.startsWith(RIGHT, l.pos + 1)) {
    l.backup();
    if (spaces === 1) return lexRightDelim;
  }
  return l.emit('space');
}

function lexIdentifier(l: Lexer): State {
  let r = l.next();
  while (isAlphaNumeric(r)) r = l.next();
  l.backup();
  const word = l.input.slice(l.start, l.pos);
  if (!l.atTerminator()) return l.errorf(`bad character ${formatRuneU(r)}`);
  const kw = KEYWORDS.get(word);
  if (kw !== undefined && !l.notKeywords.has(word)) return l.emit(kw);
  if (word.startsWith('.')) return l.emit('field');
  return l.emit(word === 'true' || word === 'false' ? 'bool' : 'identifier');
}

const lexField = (l: Lexer): State => lexFieldOrVariable(l, 'field');
const lexVariable = (l: Lexer): State => (l.atTerminator() ? l.emit('variable') : lexFieldOrVariable(l, 'variable'));

function lexFieldOrVariable(l: Lexer, type: 'field' | 'variable'): State {
  if (l.atTerminator()) return l.emit(type === 'variable' ? 'variable' : 'dot');
  let r = l.next();
  while (isAlphaNumeric(r)) r = l.next();
  l.backup();
  if (!l.atTerminator()) return l.errorf(`bad character ${formatRuneU(r)}`);
  return l.emit(type);
}

function lexQuoted(l: Lexer, quote: number, type: TokenType, what: string): State {
  for (let r = l.next(); r !== quote; r = l.next()) {
    if (r === 92) r = l.next();
    if (r === EOF || r === 10) return l.errorf(`unterminated ${what}`);
  }
  return l.emit(type);
}
const lexQuote = (l: Lexer): State => lexQuoted(l, 34, 'string', 'quoted string');
const lexChar = (l: Lexer): State => lexQuoted(l, 39, 'charConstant', 'character constant');
function lexRawQuote(l: Lexer): State {
  const x = l.input.indexOf('`', l.pos);
  if (x < 0) {
    l.pos = l.input.length;
    return l.errorf('unterminated raw quoted string');
  }
  l.line += l.countLines(l.pos, x + 1);
  l.pos = x + 1;
  return l.emit('rawString');
}

function lexNumber(l: Lexer): State {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === 43 || sign === 45) {
    if (!scanNumber(l) || l.input[l.pos - 1] !== 'i') return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
    return l.emit('complex');
  }
  return l.emit('number');
}

function scanNumber(l: Lexer): boolean {
  l.accept('+-');
  let digits = '0123456789_';
  if (l.accept('0')) {
    if (l.accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (l.accept('oO')) digits = '01234567_';
    else if (l.accept('bB')) digits = '01_';
  }
  l.acceptRun(digits);
  if (l.accept('.')) l.acceptRun(digits);
  if (digits.length === 11 && l.accept('eE')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  if (digits.length === 23 && l.accept('pP')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  l.accept('i');
  if (isAlphaNumeric(l.peek())) {
    l.next();
    return false;
  }
  return true;
}

/** All tokens of `input` (`functions` named break or continue make those words identifiers, as in Go), ending with an 'eof' or an 'error' token. */
export function lex(input: string, functions?: ReadonlySet<string>): Token[] {
  const l = new Lexer(input, new Set(['break', 'continue'].filter((k) => functions?.has(k))));
  let state: State = lexText;
  // each state consumes input or ends; the bound guards against a bug looping forever
  for (let steps = 0; state !== null && steps <= 4 * input.length + 16; steps++) state = state(l);
  if (state !== null) l.errorf('lexer did not terminate');
  return l.tokens;
}
