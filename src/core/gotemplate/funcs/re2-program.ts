// The program a Go regexp compiles to (re2-parse.ts builds it, re2-vm.ts runs it) and the pieces the
// parser assembles it from: character predicates, assertions, repetition.
import { goAssigned } from './unicode15.ts';

export type Pred = (c: string) => boolean;
export type Inst =
  | { op: 'char'; pred: Pred }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; to: number }
  | { op: 'save'; slot: number }
  | { op: 'assert'; kind: 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword' }
  | { op: 'match' };

export interface Program {
  insts: Inst[];
  /** Number of capture groups (group 0 is the whole match). */
  groups: number;
  names: Map<string, number>;
}

/** A pattern's program is capped (Go refuses over-large ones too, with "expression too large"). */
export const MAX_INSTS = 20_000;
export const MAX_REPEAT = 1000;

export class RegexSyntaxError extends Error {}

export interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** A parsed fragment: emits its instructions into a program. */
export type Frag = (p: Inst[]) => void;

export const ASCII_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
export const PERL: Record<string, string> = { d: '0-9', s: '\\t\\n\\f\\r ', w: '0-9A-Za-z_' };

/** Go's simple case folding, approximated per character by JS's single-character case mappings. */
export function fold(c: string): string {
  if (!goAssigned(c.codePointAt(0)!)) return c;
  const up = c.toUpperCase();
  const base = [...up].length === 1 ? up : c;
  const low = base.toLowerCase();
  return [...low].length === 1 ? low : c;
}

export const classTest = (body: string, negate: boolean): Pred => {
  const re = new RegExp(`^[${negate ? '^' : ''}${body}]$`, 'u');
  return (c) => re.test(c);
};

export function literal(c: string, flags: Flags): Pred {
  if (!flags.i) return (x) => x === c;
  const f = fold(c);
  return (x) => x === c || fold(x) === f;
}

export const charFrag =
  (pred: Pred): Frag =>
  (p) =>
    p.push({ op: 'char', pred });
export const assertFrag =
  (kind: 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword'): Frag =>
  (p) =>
    p.push({ op: 'assert', kind });

/** x*, x+, x?, x{n,m}: copies of x, greedy (prefer another round) or not. */
export function repetition(x: Frag, min: number, max: number, greedy: boolean): Frag {
  const optional = (p: Inst[]): void => {
    const split = p.length;
    p.push({ op: 'split', x: -1, y: -1 });
    x(p);
    const after = p.length;
    (p[split] as { x: number; y: number }).x = greedy ? split + 1 : after;
    (p[split] as { x: number; y: number }).y = greedy ? after : split + 1;
  };
  const star = (p: Inst[]): void => {
    const split = p.length;
    p.push({ op: 'split', x: -1, y: -1 });
    x(p);
    p.push({ op: 'jmp', to: split });
    (p[split] as { x: number; y: number }).x = greedy ? split + 1 : p.length;
    (p[split] as { x: number; y: number }).y = greedy ? p.length : split + 1;
  };
  return (p) => {
    for (let i = 0; i < min; i++) {
      x(p);
      if (p.length > MAX_INSTS) throw new RegexSyntaxError('error parsing regexp: expression too large');
    }
    if (max < 0) star(p);
    else
      for (let i = min; i < max; i++) {
        optional(p);
        if (p.length > MAX_INSTS) throw new RegexSyntaxError('error parsing regexp: expression too large');
      }
  };
}
