// Helm-style overrides, parsed as Helm's strvals parses them: `--set values.global.hub=gcr.io/x,values.global.tag=1.2`
// is two assignments (split on commas; `\,` keeps one, `\.` a dot inside a key segment), `a.b[0]=x` sets a
// list element, `{a,b}` is a list. `--set` types its values as Helm does (true/false/null in any case,
// integers not starting with 0); `--set-string` keeps them strings; `--set-file KEY=PATH` (read by the CLI)
// is a string. The first key segment says which document: values., mesh. or config.
import { InjectionError } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../types.ts';

export type SetTarget = 'values' | 'mesh' | 'config';
export type PathPart = string | number;

export interface ParsedSet {
  target: SetTarget;
  path: PathPart[];
  value: Json;
}

/** One override as the flags give it: a --set expression, a --set-string one, or a --set-file key with its file's text. */
export type SetOverride = string | { setString: string } | { key: string; text: string };

// Helm refuses larger indexes too (strvals MaxIndex); a list that long is never a setting
const MAX_INDEX = 10_000;

/** Helm's typedVal: what `--set` makes of a value. */
export function typedValue(raw: string): Json {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  if (/^[+-]?[1-9]\d*$/.test(raw) && !/^[+-]?0/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) return n;
  }
  return raw;
}

const invalid = (message: string, subject: string): InjectionError => new InjectionError('INVALID_SETTING', message, subject);

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  /** Text up to one of `stops` (not included), `\x` read as x; the stop found, or undefined at the end. */
  until(stops: string): { text: string; stop: string | undefined } {
    let text = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i++]!;
      if (c === '\\' && this.i < this.s.length) text += this.s[this.i++];
      else if (stops.includes(c)) return { text, stop: c };
      else text += c;
    }
    return { text, stop: undefined };
  }
  peek(): string | undefined {
    return this.s[this.i];
  }
}

function readKey(r: Reader, expr: string, flag: string): { key: string; path: PathPart[] } {
  const start = r.i;
  const path: PathPart[] = [];
  for (;;) {
    const { text, stop } = r.until('=[,.');
    if (text !== '' || stop !== '[' || path.length === 0) path.push(text);
    if (stop === '=') break;
    if (stop === '.') continue;
    if (stop === '[') {
      const { text: index, stop: close } = r.until(']');
      if (close !== ']' || !/^\d+$/.test(index) || Number(index) > MAX_INDEX)
        throw invalid(`invalid ${flag} "${expr}": a list index must be a number from 0 to ${MAX_INDEX} in [ ]`, expr);
      path.push(Number(index));
      const next = r.peek();
      if (next === '=' || next === '.') r.i++;
      if (next === '=') break;
      if (next === '.' || next === '[') continue;
    }
    throw invalid(`invalid ${flag} "${expr}": want KEY=VALUE`, expr);
  }
  return { key: r.s.slice(start, r.i - 1), path };
}

function readValue(r: Reader, typed: boolean, expr: string, flag: string): Json {
  const type = (v: string): Json => (typed ? typedValue(v) : v);
  if (r.peek() !== '{') return type(r.until(',').text);
  r.i++;
  const items: Json[] = [];
  for (;;) {
    const { text, stop } = r.until(',}');
    if (stop === undefined) throw invalid(`invalid ${flag} "${expr}": a list {a,b} needs its closing }`, expr);
    if (text !== '' || stop === ',' || items.length > 0) items.push(type(text));
    if (stop === '}') break;
  }
  const after = r.until(',');
  if (after.text !== '') throw invalid(`invalid ${flag} "${expr}": unexpected ${JSON.stringify(after.text)} after the list`, expr);
  return items;
}

function target(key: string, path: PathPart[], flag: string): { target: SetTarget; path: PathPart[] } {
  const [head, ...rest] = path;
  if ((head !== 'values' && head !== 'mesh' && head !== 'config') || rest.length === 0 || rest.some((p) => p === '')) {
    throw invalid(`invalid ${flag} key "${key}": must start with values., mesh. or config.`, key);
  }
  if (rest.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) throw invalid(`invalid ${flag} key "${key}"`, key);
  return { target: head, path: rest };
}

/** Every assignment of one --set (typed) or --set-string (not) expression, in order. */
export function parseSetExpression(expr: string, typed = true): ParsedSet[] {
  const flag = typed ? '--set' : '--set-string';
  if (!expr.includes('=')) throw invalid(`invalid ${flag} "${expr}": want KEY=VALUE`, expr);
  const r = new Reader(expr);
  const out: ParsedSet[] = [];
  while (r.i < expr.length) {
    const { key, path } = readKey(r, expr, flag);
    const value = readValue(r, typed, expr, flag);
    out.push({ ...target(key, path, flag), value });
  }
  return out;
}

/** The assignments of one override, whichever flag gave it. */
export function parseOverride(o: SetOverride): ParsedSet[] {
  if (typeof o === 'string') return parseSetExpression(o, true);
  if ('setString' in o) return parseSetExpression(o.setString, false);
  const r = new Reader(`${o.key}=`);
  const { key, path } = readKey(r, o.key, '--set-file');
  return [{ ...target(key, path, '--set-file'), value: o.text }];
}

/** The first assignment of an expression (kept for callers that check one --set). */
export function parseSet(expr: string): ParsedSet {
  return parseSetExpression(expr)[0]!;
}

/** Returns a copy of `doc` with the value set at `path`, creating maps and lists (filled with null) on the way. */
export function applySet(doc: unknown, path: PathPart[], value: Json): JsonObject {
  const root: JsonObject = isObject(doc) ? structuredClone(doc as JsonObject) : {};
  let cur: JsonObject | Json[] = root;
  for (const [i, part] of path.entries()) {
    const container = cur as Record<string | number, Json>;
    if (typeof part === 'number' && Array.isArray(container)) while (container.length < part) container.push(null);
    if (i === path.length - 1) {
      container[part] = value;
      break;
    }
    const wantList = typeof path[i + 1] === 'number';
    const next = container[part];
    if (wantList ? !Array.isArray(next) : !isObject(next)) container[part] = wantList ? [] : {};
    cur = container[part] as JsonObject | Json[];
  }
  return root;
}
