// Go's regexp syntax (regexp/syntax with the Perl flags regexp.Compile uses) compiled to a program for a
// Pike VM (re2-vm.ts): matching time is linear in the input whatever the pattern, as Go's is, so a pod
// author's string cannot make a template's regex backtrack. Go's error messages for malformed patterns.
// Not supported (refused with an error saying so): \Q...\E, \C, \pN class names JS does not know.

import {
  ASCII_CLASSES,
  assertFrag,
  charFrag,
  classTest,
  type Flags,
  type Frag,
  fold,
  type Inst,
  literal,
  MAX_INSTS,
  MAX_REPEAT,
  PERL,
  type Pred,
  type Program,
  RegexSyntaxError,
  repetition,
} from './re2-program.ts';
import { goIs } from './unicode15.ts';

export { type Program, RegexSyntaxError } from './re2-program.ts';

class Parser {
  private pos = 0;
  private groups = 1;
  readonly names = new Map<string, number>();
  private readonly chars: string[];

  constructor(private readonly expr: string) {
    this.chars = [...expr];
  }

  fail(code: string, arg: string): never {
    throw new RegexSyntaxError(`error parsing regexp: ${code}: \`${arg}\``);
  }
  unsupported(what: string): never {
    throw new RegexSyntaxError(`error parsing regexp: ${what} is not supported by this engine: \`${this.expr}\``);
  }
  private peek(k = 0): string | undefined {
    return this.chars[this.pos + k];
  }
  private rest(): string {
    return this.chars.slice(this.pos).join('');
  }

  parse(): Program {
    const body = this.alternation({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.chars.length) this.fail('unexpected )', this.expr);
    const insts: Inst[] = [];
    insts.push({ op: 'save', slot: 0 });
    body(insts);
    insts.push({ op: 'save', slot: 1 }, { op: 'match' });
    if (insts.length > MAX_INSTS) this.fail('expression too large', this.expr);
    return { insts, groups: this.groups, names: this.names };
  }

  private alternation(flags: Flags, depth: number): Frag {
    const branches: Frag[] = [this.concat(flags, depth)];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.concat(flags, depth));
    }
    if (branches.length === 1) return branches[0]!;
    return (p) => {
      const jumps: number[] = [];
      for (const b of branches.slice(0, -1)) {
        const split = p.length;
        p.push({ op: 'split', x: split + 1, y: -1 });
        b(p);
        jumps.push(p.length);
        p.push({ op: 'jmp', to: -1 });
        (p[split] as { y: number }).y = p.length;
      }
      branches.at(-1)!(p);
      for (const j of jumps) (p[j] as { to: number }).to = p.length;
    };
  }

  private concat(flags: Flags, depth: number): Frag {
    const items: Frag[] = [];
    const f = flags; // (?i) inside a group holds to its end, across | too
    while (this.pos < this.chars.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom(f, depth);
      if (atom === undefined) continue; // a flag group such as (?i) changes f
      items.push(this.repeat(atom, f));
    }
    return (p) => {
      for (const it of items) it(p);
    };
  }

  private repeat(atom: Frag, flags: Flags): Frag {
    let frag = atom;
    let previousOp = '';
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      const opStart = this.pos;
      if (c === '*' || c === '+' || c === '?') {
        this.pos++;
        [min, max] = c === '*' ? [0, -1] : c === '+' ? [1, -1] : [0, 1];
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.rest());
        if (!m) return frag;
        this.pos += [...m[0]].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) this.fail('invalid repeat count', m[0]);
      } else return frag;
      let greedy = !flags.U;
      if (this.peek() === '?') {
        this.pos++;
        greedy = !greedy;
      }
      const op = this.chars.slice(opStart, this.pos).join('');
      if (previousOp !== '') this.fail('invalid nested repetition operator', previousOp + op);
      previousOp = op;
      frag = repetition(frag, min, max, greedy);
    }
  }

  /** One atom, or undefined for a flags-only group. */
  private atom(flags: Flags, depth: number): Frag | undefined {
    const c = this.peek()!;
    if (c === '*' || c === '+' || c === '?') this.fail('missing argument to repetition operator', c);
    if (c === '(') return this.group(flags, depth);
    this.pos++;
    if (c === '[') return charFrag(this.charClass(flags));
    if (c === '.') return charFrag(flags.s ? () => true : (x) => x !== '\n');
    if (c === '^') return assertFrag(flags.m ? 'bol' : 'bot');
    if (c === '$') return assertFrag(flags.m ? 'eol' : 'eot');
    if (c === '\\') return this.escape(flags);
    return charFrag(literal(c, flags));
  }

  private group(flags: Flags, depth: number): Frag | undefined {
    if (depth > 1000) this.fail('expression nests too deeply', this.expr);
    this.pos++;
    let index = -1;
    const name = /^\?P?<([^>]*)>/.exec(this.rest());
    if (name) {
      if (!/^[A-Za-z0-9_]+$/.test(name[1]!) || this.names.has(name[1]!))
        this.fail(this.names.has(name[1]!) ? 'duplicate capture group name' : 'invalid named capture', `(${name[0]}`);
      this.pos += [...name[0]].length;
      index = this.groups++;
      this.names.set(name[1]!, index);
    } else if (this.peek() === '?') {
      const m = /^\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(this.rest());
      if (!m || (m[2] !== undefined && m[2] === '')) this.fail('invalid or unsupported Perl syntax', `(${this.rest().slice(0, 2)}`);
      this.pos += [...m[0]].length;
      const set = { ...flags };
      for (const f of m[1]!) set[f as keyof Flags] = true;
      for (const f of m[2] ?? '') set[f as keyof Flags] = false;
      if (m[3] === ')') {
        Object.assign(flags, set);
        return undefined;
      }
      return this.closeGroup(this.alternation(set, depth + 1), -1);
    } else index = this.groups++;
    return this.closeGroup(this.alternation({ ...flags }, depth + 1), index);
  }

  private closeGroup(body: Frag, index: number): Frag {
    if (this.peek() !== ')') this.fail('missing closing )', this.expr);
    this.pos++;
    if (index < 0) return body;
    return (p) => {
      p.push({ op: 'save', slot: 2 * index });
      body(p);
      p.push({ op: 'save', slot: 2 * index + 1 });
    };
  }

  private escape(flags: Flags): Frag {
    const c = this.peek();
    if (c === undefined) this.fail('trailing backslash at end of expression', '');
    this.pos++;
    switch (c) {
      case 'A':
        return assertFrag('bot');
      case 'z':
        return assertFrag('eot');
      case 'b':
        return assertFrag('word');
      case 'B':
        return assertFrag('nonword');
      case 'Q':
      case 'C':
        return this.unsupported(`\\${c}`);
    }
    this.pos--;
    return charFrag(this.classEscape(flags) ?? literal(this.simpleEscape(), flags));
  }

  /** \d \D \s \S \w \W \pX \p{Name} \PX at pos (past the backslash), or undefined. */
  private classEscape(flags: Flags): Pred | undefined {
    const c = this.peek()!;
    const lower = c.toLowerCase();
    if (PERL[lower] !== undefined) {
      this.pos++;
      return classTest(PERL[lower], c !== lower);
    }
    if (c !== 'p' && c !== 'P') return undefined;
    const m = /^[pP](\{\^?([A-Za-z_]+)\}|([A-Za-z]))/.exec(this.rest());
    if (!m) this.fail('invalid character class range', `\\${this.rest().slice(0, 3)}`);
    const name = m[2] ?? m[3]!;
    const negate = (c === 'P') !== m[1]!.startsWith('{^');
    let pred: Pred;
    try {
      const re = new RegExp(name === 'Any' ? '^[\\s\\S]$' : `^\\p{${name}}$`, 'u');
      pred = name === 'Any' ? (x) => re.test(x) : (x) => goIs(re, x);
    } catch {
      this.fail('invalid character class range', `\\${m[0]}`);
    }
    this.pos += [...m[0]].length;
    const base = flags.i ? (x: string) => pred(x) || pred(x.toUpperCase()) || pred(x.toLowerCase()) : pred;
    return negate ? (x) => !base(x) : base;
  }

  /** A literal escape: punctuation, \a \f \t \n \r \v, octal, \x{...}, \xHH. */
  private simpleEscape(): string {
    const c = this.peek()!;
    const start = this.pos - 1;
    this.pos++;
    const named: Record<string, string> = { a: '\x07', f: '\f', t: '\t', n: '\n', r: '\r', v: '\v' };
    if (named[c] !== undefined) return named[c];
    if (c.codePointAt(0)! < 0x80 && !/^[0-9A-Za-z]$/.test(c)) return c;
    if (c >= '0' && c <= '7') {
      if (c !== '0' && /^[0-7]/.test(this.peek() ?? '') === false && c >= '1') this.fail('invalid escape sequence', `\\${c}`);
      let digits = c;
      while (digits.length < 3 && /^[0-7]$/.test(this.peek() ?? '')) digits += this.chars[this.pos++];
      return String.fromCodePoint(Number.parseInt(digits, 8));
    }
    if (c === 'x') {
      const m = /^\{([0-9A-Fa-f]+)\}|^([0-9A-Fa-f]{2})/.exec(this.rest());
      const cp = m ? Number.parseInt(m[1] ?? m[2]!, 16) : Number.NaN;
      if (!m || !(cp <= 0x10ffff)) this.fail('invalid escape sequence', this.chars.slice(start, this.pos + 2).join(''));
      this.pos += m[0].length;
      return String.fromCodePoint(cp);
    }
    return this.fail('invalid escape sequence', `\\${c}`);
  }

  /** A bracketed class after its [. */
  private charClass(flags: Flags): Pred {
    const start = this.pos - 1;
    const negate = this.peek() === '^';
    if (negate) this.pos++;
    const preds: Pred[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      if (this.peek() === undefined) this.fail('missing closing ]', this.chars.slice(start).join(''));
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.rest());
      if (posix) {
        const body = ASCII_CLASSES[posix[2]!];
        if (body === undefined) this.fail('invalid character class range', posix[0]);
        preds.push(classTest(body, posix[1] === '^'));
        this.pos += posix[0].length;
        continue;
      }
      if (this.peek() === '\\') {
        this.pos++;
        const cls = this.classEscape(flags);
        if (cls) {
          preds.push(cls);
          continue;
        }
        this.pos--;
      }
      const lo = this.classChar();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos++;
        const hi = this.classChar();
        if (hi.codePointAt(0)! < lo.codePointAt(0)!) this.fail('invalid character class range', `${lo}-${hi}`);
        const [a, b] = [lo.codePointAt(0)!, hi.codePointAt(0)!];
        preds.push(
          flags.i
            ? (x) => [x, fold(x), x.toUpperCase()].some((y) => y.codePointAt(0)! >= a && y.codePointAt(0)! <= b && [...y].length === 1)
            : (x) => x.codePointAt(0)! >= a && x.codePointAt(0)! <= b,
        );
      } else preds.push(literal(lo, flags));
    }
    this.pos++;
    return negate ? (x) => !preds.some((p) => p(x)) : (x) => preds.some((p) => p(x));
  }

  private classChar(): string {
    const c = this.chars[this.pos++]!;
    if (c !== '\\') return c;
    return this.simpleEscape();
  }
}

export function compileRegex(expr: string): Program {
  return new Parser(expr).parse();
}
