// Go's fmt as templates use it: Sprint, Sprintln, Sprintf and the %v of every value kind, after Go's
// fmt/print.go and fmt/format.go (flags, width, precision, argument indexes, %!verb(type=value) errors).
// Not done: %#v Go syntax beyond strings, %p, %x/%b on floats (they print as bad verbs).
import { goQuote, isGoPrint } from '../tokens.ts';
import { canBackquote, hexBytes, quoteASCII, quoteRune, sharpFloat } from './fmt-text.ts';
import { GoTyped, type GoValue, Tainted, isGoMap, typeOf } from '../value.ts';
import { formatFloat, formatFloatBinary, integerDigits, toInt64 } from './fmt-number.ts';
import { compareGoStrings, runeCount } from './strings.ts';
import { GoComplex } from './values.ts';

const MAX_RUNE = 0x10ffff;

/** One fmt call: flags of the verb being printed and the output. `tainted` is set when a Tainted was printed. */
export class Printer {
  buf = '';
  tainted = false;
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  widPresent = false;
  prec = 0;
  precPresent = false;

  clearFlags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = this.plusV = this.sharpV = false;
    this.widPresent = this.precPresent = false;
    this.wid = this.prec = 0;
  }
  private padding(n: number): string {
    return n <= 0 ? '' : (this.zero && !this.minus ? '0' : ' ').repeat(n);
  }
  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const fill = this.padding(this.wid - runeCount(s));
    this.buf += this.minus ? s + fill : fill + s;
  }
  private padNoZero(s: string): void {
    const zero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = zero;
  }
  private truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = 0;
    let i = 0;
    for (const ch of s) {
      if (n++ >= this.prec) return s.slice(0, i);
      i += ch.length;
    }
    return s;
  }

  /** Inside %!verb(...): fmt then ignores String() methods (handleMethods). */
  private erroring = false;
  badVerb(verb: string, arg: GoValue): void {
    this.buf += `%!${verb}(`;
    if (arg === null || arg === undefined) this.buf += '<nil>';
    else {
      this.buf += `${typeOf(arg)}=`;
      this.erroring = true;
      this.printArg(arg, 'v');
      this.erroring = false;
    }
    this.buf += ')';
  }

  printArg(arg: GoValue, verb: string): void {
    if (arg instanceof Tainted) {
      this.tainted = true;
      this.printArg(arg.value, verb);
      return;
    }
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.pad(this.truncate(typeOf(arg)));
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(v: GoValue, verb: string, depth: number): void {
    if (v instanceof Tainted) {
      this.tainted = true;
      this.printValue(v.value, verb, depth);
      return;
    }
    switch (typeof v) {
      case 'undefined':
        if (depth === 0) this.buf += '<invalid reflect.Value>';
        else if (verb === 'v') this.buf += '<nil>';
        else this.badVerb(verb, v);
        return;
      case 'boolean':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
      case 'number':
        this.fmtFloat(v, verb);
        return;
      case 'bigint':
        this.fmtInteger(v, true, verb, v);
        return;
      case 'string':
        this.fmtString(v, verb, v);
        return;
    }
    if (v === null) {
      this.buf += '<nil>'; // a nil interface{} inside a container: fmt writes it unpadded
      return;
    }
    if (Array.isArray(v)) {
      this.printList(v, verb, depth);
      return;
    }
    if (v instanceof GoComplex) {
      this.fmtComplex(v, verb);
      return;
    }
    if (v instanceof GoTyped) {
      this.printTyped(v, verb, depth);
      return;
    }
    if (isGoMap(v)) {
      const keys = Object.keys(v).sort(compareGoStrings);
      this.printMap(
        keys.map((k) => [k, v[k]]),
        verb,
        depth,
      );
    }
  }

  private printList(items: readonly GoValue[], verb: string, depth: number): void {
    this.buf += '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.buf += ' ';
      this.printValue(items[i], verb, depth + 1);
    }
    this.buf += ']';
  }
  private printMap(entries: ReadonlyArray<readonly [GoValue, GoValue]>, verb: string, depth: number): void {
    this.buf += 'map[';
    entries.forEach(([k, val], i) => {
      if (i > 0) this.buf += ' ';
      this.printValue(k, verb, depth + 1);
      this.buf += ':';
      this.printValue(val, verb, depth + 1);
    });
    this.buf += ']';
  }

  private printTyped(v: GoTyped, verb: string, depth: number): void {
    const kind = v.kind();
    const scalarKind = kind === 'int' || kind === 'uint' || kind === 'float' || kind === 'string' || kind === 'bool';
    // maps and slices print element by element (a width applies to each), whatever formatV says
    const collection = kind === 'map' || kind === 'slice';
    if ((verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q') && !collection && !(this.erroring && scalarKind)) {
      const s = v.formatV();
      if (s !== undefined) {
        this.fmtString(s, verb, v);
        return;
      }
    }
    if (collection && v.isNil()) {
      this.buf += kind === 'map' ? 'map[]' : '[]';
      return;
    }
    if (kind === 'ptr' && v.isNil()) {
      // fmtPointer: a nil pointer is <nil> for %v, 0 for the integer verbs
      if (verb === 'v') this.pad('<nil>');
      else if ('bodxX'.includes(verb)) this.fmtInteger(0n, false, verb, v);
      else this.badVerb(verb, v);
      return;
    }
    const entries = v.entries();
    if (kind === 'map' && entries !== undefined) {
      this.printMap(entries, verb, depth);
      return;
    }
    if (kind === 'slice' && entries !== undefined) {
      this.printList(
        entries.map((e) => e[1]),
        verb,
        depth,
      );
      return;
    }
    const scalar = v.scalar();
    if (typeof scalar === 'bigint') {
      this.fmtInteger(scalar, kind !== 'uint', verb, v);
      return;
    }
    if (typeof scalar === 'number') {
      this.fmtFloat(scalar, verb, v);
      return;
    }
    if (typeof scalar === 'string') {
      this.fmtString(scalar, verb, v);
      return;
    }
    if (typeof scalar === 'boolean') {
      if (verb === 't' || verb === 'v') this.pad(String(scalar));
      else this.badVerb(verb, v);
      return;
    }
    this.pad(JSON.stringify(v.toJSONValue(), (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? '{}');
  }

  fmtString(s: string, verb: string, arg: GoValue): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(s);
        else this.pad(this.truncate(s));
        return;
      case 's':
        this.pad(this.truncate(s));
        return;
      case 'x':
      case 'X':
        this.fmtSx(s, verb === 'X');
        return;
      case 'q':
        this.fmtQ(s);
        return;
    }
    this.badVerb(verb, arg);
  }
  private fmtQ(raw: string): void {
    const s = this.truncate(raw);
    if (this.sharp && canBackquote(s)) this.pad(`\`${s}\``);
    else this.pad(this.plus ? quoteASCII(s) : goQuote(s));
  }
  private fmtSx(s: string, upper: boolean): void {
    this.buf += hexBytes(s, upper, this);
  }

  fmtFloat(v: number, verb: string, arg: GoValue = v): void {
    let prec: number;
    let conv = verb;
    if (verb === 'v') [conv, prec] = ['g', -1];
    else if (verb === 'g' || verb === 'G' || verb === 'x' || verb === 'X' || verb === 'b') prec = -1;
    else if (verb === 'f' || verb === 'F' || verb === 'e' || verb === 'E') prec = 6;
    else {
      this.badVerb(verb, arg);
      return;
    }
    if (this.precPresent) prec = this.prec;
    let num =
      conv === 'x' || conv === 'X' || conv === 'b'
        ? formatFloatBinary(v, conv, verb === 'b' ? -1 : prec)
        : formatFloat(v, conv === 'F' ? 'f' : conv, prec);
    if (num[0] !== '-') num = `+${num}`;
    if (this.space && num[0] === '+' && !this.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.padNoZero(num);
      return;
    }
    if (this.sharp) num = sharpFloat(num, conv, prec);
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0] + '0'.repeat(this.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private fmtComplex(v: GoComplex, verb: string): void {
    if (!'vbgGxXfFeE'.includes(verb)) {
      this.badVerb(verb, v);
      return;
    }
    const plus = this.plus;
    this.buf += '(';
    this.fmtFloat(v.re, verb);
    this.plus = true; // the imaginary part always has a sign
    this.fmtFloat(v.im, verb);
    this.buf += 'i)';
    this.plus = plus;
  }

  fmtInteger(v: bigint, signed: boolean, verb: string, arg: GoValue): void {
    const value = signed ? toInt64(v) : BigInt.asUintN(64, v);
    switch (verb) {
      case 'v':
      case 'd':
        this.integer(value, 10, verb, false);
        return;
      case 'b':
        this.integer(value, 2, verb, false);
        return;
      case 'o':
      case 'O':
        this.integer(value, 8, verb, false);
        return;
      case 'x':
      case 'X':
        this.integer(value, 16, verb, verb === 'X');
        return;
      case 'c':
        this.pad(String.fromCodePoint(value < 0n || value > MAX_RUNE ? 0xfffd : Number(value)));
        return;
      case 'q':
        this.pad(quoteRune(value < 0n || value > MAX_RUNE ? 0xfffd : Number(value), this.plus));
        return;
      case 'U':
        this.fmtUnicode(value);
        return;
    }
    this.badVerb(verb, arg);
  }
  private integer(v: bigint, base: number, verb: string, upper: boolean): void {
    const negative = v < 0n;
    const abs = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && abs === 0n) {
        this.buf += this.widPresent ? ' '.repeat(this.wid) : '';
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid - (negative || this.plus || this.space ? 1 : 0);
    }
    let digits = integerDigits(abs, base, upper).padStart(prec, '0');
    if (this.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && digits[0] !== '0') digits = `0${digits}`;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = `0o${digits}`;
    const sign = negative ? '-' : this.plus ? '+' : this.space ? ' ' : '';
    this.padNoZero(sign + digits);
  }
  private fmtUnicode(v: bigint): void {
    const prec = this.precPresent && this.prec > 4 ? this.prec : 4;
    let s = `U+${BigInt.asUintN(64, v).toString(16).toUpperCase().padStart(prec, '0')}`;
    if (this.sharp && v >= 0n && v <= MAX_RUNE && isGoPrint(Number(v))) s += ` '${String.fromCodePoint(Number(v))}'`;
    this.padNoZero(s);
  }
}
