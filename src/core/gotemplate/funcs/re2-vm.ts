// A Pike VM for the programs of re2-parse.ts (leftmost-first, as Go's regexp matches), Go's Regexp methods
// sprig uses (MatchString, FindString, FindAllString, ReplaceAllString, Split, QuoteMeta), and sprig's
// regex functions on top. Time is O(input × program), capped per call.
import { InjectionError } from '../../errors.ts';
import type { GoFunction } from '../value.ts';
import { goQuote } from './format.ts';
import { compileRegex, type Program, RegexSyntaxError } from './re2-parse.ts';
import { GoSlice, goFunc, intArg, strArg } from './typed.ts';

/** Steps (input characters × program instructions) one call may take. */
const MAX_STEPS = 50_000_000;

interface Thread {
  pc: number;
  caps: number[];
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Za-z_]$/.test(c);

function assertion(kind: string, input: string[], pos: number): boolean {
  switch (kind) {
    case 'bot':
      return pos === 0;
    case 'eot':
      return pos === input.length;
    case 'bol':
      return pos === 0 || input[pos - 1] === '\n';
    case 'eol':
      return pos === input.length || input[pos] === '\n';
    case 'word':
      return isWordChar(input[pos - 1]) !== isWordChar(input[pos]);
    default:
      return isWordChar(input[pos - 1]) === isWordChar(input[pos]);
  }
}

/** Follows jumps, splits, saves and assertions from pc (in priority order), adding the char/match threads. */
function addThread(prog: Program, list: Thread[], marks: Int32Array, mark: number, start: Thread, input: string[], pos: number): void {
  const stack: Thread[] = [start];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (marks[t.pc] === mark) continue;
    marks[t.pc] = mark;
    const inst = prog.insts[t.pc]!;
    switch (inst.op) {
      case 'jmp':
        stack.push({ pc: inst.to, caps: t.caps });
        break;
      case 'split':
        stack.push({ pc: inst.y, caps: t.caps }, { pc: inst.x, caps: t.caps });
        break;
      case 'save': {
        const caps = t.caps.slice();
        caps[inst.slot] = pos;
        stack.push({ pc: t.pc + 1, caps });
        break;
      }
      case 'assert':
        if (assertion(inst.kind, input, pos)) stack.push({ pc: t.pc + 1, caps: t.caps });
        break;
      default:
        list.push(t);
    }
  }
}

/** The leftmost-first match at or after `from`: capture positions (code point indices, -1 unset). */
function execute(prog: Program, input: string[], from: number, budget: { steps: number }): number[] | undefined {
  const marks = new Int32Array(prog.insts.length).fill(-1);
  let current: Thread[] = [];
  let matched: number[] | undefined;
  for (let pos = from; pos <= input.length; pos++) {
    if (matched === undefined) addThread(prog, current, marks, pos, { pc: 0, caps: new Array(prog.groups * 2).fill(-1) }, input, pos);
    if (current.length === 0) {
      if (matched !== undefined) break;
      continue;
    }
    budget.steps += current.length;
    if (budget.steps > MAX_STEPS)
      throw new InjectionError(
        'LIMIT_EXCEEDED',
        `regex: matching needs more than ${MAX_STEPS} steps (the pattern and the input are too large together)`,
        'regex',
      );
    const next: Thread[] = [];
    for (const t of current) {
      const inst = prog.insts[t.pc]!;
      if (inst.op === 'match') {
        matched = t.caps;
        break; // threads after this one have lower priority
      }
      if (inst.op === 'char' && pos < input.length && inst.pred(input[pos]!))
        addThread(prog, next, marks, pos + 1, { pc: t.pc + 1, caps: t.caps }, input, pos + 1);
    }
    current = next;
  }
  return matched;
}

/** Go's allMatches: successive matches, an empty one right after a previous match skipped. */
function allMatches(prog: Program, input: string[], n: number): number[][] {
  const limit = n < 0 ? input.length + 1 : n;
  const out: number[][] = [];
  const budget = { steps: 0 };
  for (let pos = 0, prevEnd = -1; out.length < limit && pos <= input.length; ) {
    const m = execute(prog, input, pos, budget);
    if (m === undefined) break;
    let accept = true;
    if (m[1] === pos) {
      if (m[0] === prevEnd) accept = false;
      pos += 1;
    } else pos = m[1]!;
    prevEnd = m[1]!;
    if (accept) out.push(m);
  }
  return out;
}

/** Go's Regexp.expand of a replacement template ($1, ${name}, $$). */
function expand(template: string, prog: Program, input: string[], m: number[]): string {
  let out = '';
  let rest = template;
  for (let i = rest.indexOf('$'); i >= 0; i = rest.indexOf('$')) {
    out += rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(\{)?([\p{L}\p{Nd}_]+)(\})?/u.exec(rest);
    if (!ref || (ref[1] !== undefined && ref[3] === undefined)) {
      out += '$';
      continue;
    }
    const name = ref[2]!;
    rest = rest.slice(ref[1] === undefined ? name.length : ref[0].length);
    const num = /^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : -1;
    const group = num >= 0 ? num : prog.names.get(name);
    if (group !== undefined && group < prog.groups && m[2 * group]! >= 0) out += input.slice(m[2 * group], m[2 * group + 1]).join('');
  }
  return out + rest;
}

function replaceAll(prog: Program, s: string, repl: (m: number[], input: string[]) => string): string {
  const input = [...s];
  const budget = { steps: 0 };
  let out = '';
  let lastEnd = 0;
  for (let pos = 0; pos <= input.length; ) {
    const m = execute(prog, input, pos, budget);
    if (m === undefined) break;
    out += input.slice(lastEnd, m[0]).join('');
    if (m[1]! > lastEnd || m[0] === 0) out += repl(m, input);
    lastEnd = m[1]!;
    pos = Math.max(pos + 1, m[1]!);
  }
  return out + input.slice(lastEnd).join('');
}

function split(prog: Program, expr: string, s: string, n: number): string[] {
  if (n === 0) return [];
  const input = [...s];
  if (expr !== '' && s === '') return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of allMatches(prog, input, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = m[0]!;
    if (m[1] !== 0) out.push(input.slice(beg, end).join(''));
    beg = m[1]!;
  }
  if (end !== input.length) out.push(input.slice(beg).join(''));
  return out;
}

/** regexp.MustCompile's panic text for a bad pattern. */
function mustCompile(expr: string): Program {
  try {
    return compileRegex(expr);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    // strconv.CanBackquote: no backquote, no control character but tab, no BOM
    const backquotable = [...expr].every((c) => c !== '`' && c !== '\ufeff' && c !== '\x7f' && (c >= ' ' || c === '\t'));
    throw new Error(`regexp: Compile(${backquotable ? `\`${expr}\`` : goQuote(expr)}): ${e.message}`);
  }
}

const matchString = (expr: string, s: string): boolean => {
  const prog = compileRegex(expr);
  return execute(prog, [...s], 0, { steps: 0 }) !== undefined;
};
const findAll = (prog: Program, s: string, n: number): string[] => {
  const input = [...s];
  return allMatches(prog, input, n).map((m) => input.slice(m[0], m[1]).join(''));
};
const find = (prog: Program, s: string): string => {
  const input = [...s];
  const m = execute(prog, input, 0, { steps: 0 });
  return m === undefined ? '' : input.slice(m[0], m[1]).join('');
};

const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

type Compile = (expr: string) => Program;
/** The regex functions, compiling with `compile` (MustCompile's panic, or Compile's error for the must- ones). */
function regexSet(compile: Compile, prefix: '' | 'must'): Record<string, GoFunction> {
  const name = (n: string): string => (prefix === '' ? n : `must${n[0]!.toUpperCase()}${n.slice(1)}`);
  const s = (v: Parameters<typeof strArg>[0]): string => strArg(v, 'regex');
  return {
    [name('regexFindAll')]: goFunc(['string', 'string', 'int'], (r, str, n) => {
      const found = findAll(compile(s(r)), s(str), intArg(n, 'regexFindAll'));
      return new GoSlice('string', found, found.length === 0); // FindAllString gives nil for no match
    }),
    [name('regexFind')]: goFunc(['string', 'string'], (r, str) => find(compile(s(r)), s(str))),
    [name('regexReplaceAll')]: goFunc(['string', 'string', 'string'], (r, str, repl) => {
      const prog = compile(s(r));
      return replaceAll(prog, s(str), (m, input) => expand(s(repl), prog, input, m));
    }),
    [name('regexReplaceAllLiteral')]: goFunc(['string', 'string', 'string'], (r, str, repl) => replaceAll(compile(s(r)), s(str), () => s(repl))),
    [name('regexSplit')]: goFunc(['string', 'string', 'int'], (r, str, n) => {
      const count = intArg(n, 'regexSplit');
      return new GoSlice('string', split(compile(s(r)), s(r), s(str), count), count === 0); // Split(s, 0) is nil
    }),
  };
}

export const regexFunctions: Record<string, GoFunction> = {
  regexMatch: goFunc(['string', 'string'], (r, str) => {
    try {
      return matchString(strArg(r, 'regexMatch'), strArg(str, 'regexMatch'));
    } catch (e) {
      if (e instanceof RegexSyntaxError) return false;
      throw e;
    }
  }),
  mustRegexMatch: goFunc(['string', 'string'], (r, str) => matchString(strArg(r, 'mustRegexMatch'), strArg(str, 'mustRegexMatch'))),
  regexQuoteMeta: goFunc(['string'], (str) => quoteMeta(strArg(str, 'regexQuoteMeta'))),
  ...regexSet(mustCompile, ''),
  ...regexSet(compileRegex, 'must'),
};

/** A compiled Go regexp for other functions' own use (semver's constraint grammar). */
export interface GoRegexp {
  /** FindAllStringSubmatch(s, -1): each match's groups ("" for a group that did not take part). */
  findAllSubmatch(s: string): string[][];
}

export function goRegexp(expr: string): GoRegexp {
  const prog = compileRegex(expr);
  return {
    findAllSubmatch(s: string): string[][] {
      const input = [...s];
      return allMatches(prog, input, -1).map((m) =>
        Array.from({ length: prog.groups }, (_, g) => (m[2 * g]! < 0 ? '' : input.slice(m[2 * g], m[2 * g + 1]).join(''))),
      );
    },
  };
}
