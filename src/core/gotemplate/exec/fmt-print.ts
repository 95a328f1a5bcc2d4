// fmt.Sprint, fmt.Sprintln and fmt.Sprintf (doPrint, doPrintln, doPrintf of Go's fmt/print.go).
import { GoTyped, type GoValue, Tainted, typeOf } from '../value.ts';
import { Printer } from './fmt.ts';

export interface Formatted {
  text: string;
  /** A Tainted value (anywhere inside the arguments) was printed. */
  tainted: boolean;
}

const isStringKind = (v: GoValue): boolean =>
  typeof v === 'string' || (v instanceof Tainted ? isStringKind(v.value) : v instanceof GoTyped && v.kind() === 'string');

export function sprint(args: readonly GoValue[]): Formatted {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = isStringKind(arg);
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return { text: p.buf, tainted: p.tainted };
}

export function sprintln(args: readonly GoValue[]): Formatted {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  p.buf += '\n';
  return { text: p.buf, tainted: p.tainted };
}

/** The %v of one value as fmt.Fprint prints it. */
export function formatValue(v: GoValue): Formatted {
  const p = new Printer();
  p.printArg(v, 'v');
  return { text: p.buf, tainted: p.tainted };
}

// parsenum: a decimal number at format[i:]; huge numbers are not numbers (Go's tooLarge).
function parseNum(format: string, start: number): [number, boolean, number] {
  let i = start;
  let n = 0;
  while (i < format.length && format.charCodeAt(i) >= 48 && format.charCodeAt(i) <= 57) {
    if (n > 1e6) return [0, false, format.length];
    n = n * 10 + format.charCodeAt(i) - 48;
    i++;
  }
  return [n, i > start, i];
}

/** Go's intFromArg: an int argument for * width or precision. */
function intFromArg(args: readonly GoValue[], argNum: number): [number, boolean, number] {
  if (argNum >= args.length) return [0, false, argNum];
  let v = args[argNum];
  if (v instanceof Tainted) v = v.value;
  if (v instanceof GoTyped && (v.kind() === 'int' || v.kind() === 'uint')) v = v.scalar();
  if (typeof v !== 'bigint') return [0, false, argNum + 1];
  if (v > 1_000_000n || v < -1_000_000n) return [0, false, argNum + 1];
  return [Number(v), true, argNum + 1];
}

class FormatState {
  argNum = 0;
  afterIndex = false;
  reordered = false;
  goodArgNum = true;
  i = 0;
  constructor(
    readonly format: string,
    readonly args: readonly GoValue[],
  ) {}
  // argNumber: an explicit [n] index at format[i:]
  argNumber(): void {
    const f = this.format;
    if (this.i >= f.length || f[this.i] !== '[') return;
    this.reordered = true;
    const close = f.length - this.i < 3 ? -1 : f.indexOf(']', this.i + 1);
    if (close < 0) {
      this.goodArgNum = false;
      this.i += 1;
      this.afterIndex = false;
      return;
    }
    const [n, ok, end] = parseNum(f, this.i + 1);
    const valid = ok && end === close;
    this.i = close + 1;
    if (valid && n - 1 >= 0 && n - 1 < this.args.length) {
      this.argNum = n - 1;
      this.afterIndex = true;
      return;
    }
    this.goodArgNum = false;
    this.afterIndex = valid;
  }
}

export function sprintf(format: string, args: readonly GoValue[]): Formatted {
  const p = new Printer();
  const s = new FormatState(format, args);
  const end = format.length;
  while (s.i < end) {
    s.goodArgNum = true;
    const pct = format.indexOf('%', s.i);
    if (pct < 0) {
      p.buf += format.slice(s.i);
      break;
    }
    p.buf += format.slice(s.i, pct);
    s.i = pct + 1;
    if (!parseVerb(p, s)) break;
  }
  if (!s.reordered && s.argNum < args.length) {
    p.clearFlags();
    p.buf += '%!(EXTRA ';
    args.slice(s.argNum).forEach((arg, i) => {
      if (i > 0) p.buf += ', ';
      if (arg === null || arg === undefined) p.buf += '<nil>';
      else {
        p.buf += `${typeOf(arg)}=`;
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return { text: p.buf, tainted: p.tainted };
}

// [n] index, * or digits width, . and * or digits precision, as doPrintf reads them
function widthAndPrecision(p: Printer, s: FormatState): void {
  const f = s.format;
  s.argNumber();
  if (s.i < f.length && f[s.i] === '*') {
    s.i++;
    [p.wid, p.widPresent, s.argNum] = intFromArg(s.args, s.argNum);
    if (!p.widPresent) p.buf += '%!(BADWIDTH)';
    if (p.wid < 0) {
      p.wid = -p.wid;
      p.minus = true;
      p.zero = false;
    }
    s.afterIndex = false;
  } else {
    [p.wid, p.widPresent, s.i] = parseNum(f, s.i);
    if (s.afterIndex && p.widPresent) s.goodArgNum = false;
  }
  if (s.i + 1 < f.length && f[s.i] === '.') {
    s.i++;
    if (s.afterIndex) s.goodArgNum = false;
    s.argNumber();
    if (s.i < f.length && f[s.i] === '*') {
      s.i++;
      [p.prec, p.precPresent, s.argNum] = intFromArg(s.args, s.argNum);
      if (p.prec < 0) {
        p.prec = 0;
        p.precPresent = false;
      }
      if (!p.precPresent) p.buf += '%!(BADPREC)';
      s.afterIndex = false;
    } else {
      [p.prec, p.precPresent, s.i] = parseNum(f, s.i);
      if (!p.precPresent) [p.prec, p.precPresent] = [0, true];
    }
  }
}

const FLAGS = '#0+- ';
// One %-directive; false when the format ended (%!(NOVERB)).
function parseVerb(p: Printer, s: FormatState): boolean {
  const f = s.format;
  p.clearFlags();
  for (; s.i < f.length && FLAGS.includes(f[s.i] as string); s.i++) {
    const c = f[s.i];
    if (c === '#') p.sharp = true;
    else if (c === '0') p.zero = true;
    else if (c === '+') p.plus = true;
    else if (c === '-') p.minus = true;
    else p.space = true;
  }
  widthAndPrecision(p, s);
  if (!s.afterIndex) s.argNumber();
  if (s.i >= f.length) {
    p.buf += '%!(NOVERB)';
    return false;
  }
  const verb = String.fromCodePoint(f.codePointAt(s.i) ?? 0);
  s.i += verb.length;
  if (verb === '%') p.buf += '%';
  else if (!s.goodArgNum) p.buf += `%!${verb}(BADINDEX)`;
  else if (s.argNum >= s.args.length) p.buf += `%!${verb}(MISSING)`;
  else {
    if (verb === 'v') {
      p.sharpV = p.sharp;
      p.sharp = false;
      p.plusV = p.plus;
      p.plus = false;
    }
    p.printArg(s.args[s.argNum], verb === 'w' ? 'w' : verb);
    s.argNum++;
  }
  return true;
}
