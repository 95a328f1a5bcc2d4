// Kubernetes documents in and out: JSON, YAML, multi-document YAML and `kind: List`, as kubectl reads them.
// Parsing costs time linear in the input: documents are composed one at a time from the parser's token
// stream (so the document cap stops a 6 MiB stream of `---` early), nesting is measured on the tokens
// before the recursive composer sees them, and duplicate keys are found with one Set per mapping
// (`yaml`'s own uniqueKeys compares each key with every earlier one: 16k keys took seconds). A single
// JSON object takes a fast path (json-document.ts) under the same checks.
import { Composer, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, stringify, type Document } from 'yaml';
import type { CST } from 'yaml';
import { checkBudget, type Budget } from './budget.ts';
import { clip, clipJson } from './clip.ts';
import { InjectionError } from './errors.ts';
import { jsonDocument } from './json-document.ts';
import { MAX_DOCUMENTS, MAX_NESTING_DEPTH, MAX_OBJECTS, MAX_YAML_ALIASES } from './limits.ts';
import { checkTree } from './tree-limits.ts';
import { isObject } from './types.ts';
import { type DocumentText, documentTexts, quickValue } from './yaml-quick.ts';

export type KubeObject = Record<string, unknown>;
type Token = CST.Token;

const tooDeep = (where: string): InjectionError =>
  new InjectionError('LIMIT_EXCEEDED', `${where} nests more than ${MAX_NESTING_DEPTH} levels deep (the cap MAX_NESTING_DEPTH)`, 'MAX_NESTING_DEPTH');

const tooMany = (source: string, cap: string, n: number, what: string): InjectionError =>
  new InjectionError('LIMIT_EXCEEDED', `${source}: more than ${n} ${what} (the cap ${cap})`, cap);

/** The deepest nesting of collections in a document's tokens, walked without recursion; stops past the cap. */
function tokenDepthOver(doc: Token): boolean {
  const tokens: Token[] = [doc];
  const depths: number[] = [0];
  while (tokens.length > 0) {
    const t = tokens.pop()!;
    let depth = depths.pop()!;
    if ('items' in t && Array.isArray(t.items)) {
      if (++depth > MAX_NESTING_DEPTH) return true;
      for (const it of t.items as Array<{ key?: Token | null; value?: Token }>) {
        for (const c of [it.key, it.value])
          if (c) {
            tokens.push(c);
            depths.push(depth);
          }
      }
    } else if (t.type === 'document' && t.value) {
      tokens.push(t.value);
      depths.push(depth);
    }
  }
  return false;
}

/** The first mapping key that repeats in its mapping, with where it is: one Set per mapping, linear. */
function duplicateKey(doc: Document.Parsed): { key: string; offset: number } | undefined {
  const nodes: unknown[] = [doc.contents];
  while (nodes.length > 0) {
    const n = nodes.pop();
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = pair.key;
        if (isScalar(k)) {
          const id = `${typeof k.value}:${String(k.value)}`;
          if (seen.has(id)) return { key: String(k.value), offset: k.range?.[0] ?? 0 };
          seen.add(id);
        }
        nodes.push(k, pair.value);
      }
    } else if (isSeq(n)) {
      for (const it of n.items) nodes.push(it);
    }
  }
  return undefined;
}

const duplicateError = (where: string, line: number, key: string): InjectionError =>
  new InjectionError('INVALID_OBJECT', `${where} is not valid YAML or JSON (line ${line}): duplicate key ${clipJson(key)}`, where);

function toValue(d: Document.Parsed, where: string, line: (offset: number) => number): unknown {
  const dup = duplicateKey(d);
  if (dup) throw duplicateError(where, line(dup.offset), dup.key);
  let v: unknown;
  try {
    v = d.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    const why = String((e as Error)?.message ?? e);
    if (/alias count/i.test(why))
      throw new InjectionError(
        'LIMIT_EXCEEDED',
        `${where}: its aliases expand past ${MAX_YAML_ALIASES} (the cap MAX_YAML_ALIASES)`,
        'MAX_YAML_ALIASES',
      );
    if (e instanceof RangeError)
      throw new InjectionError(
        'LIMIT_EXCEEDED',
        `${where}: aliases nest it more than ${MAX_NESTING_DEPTH} levels deep (the cap MAX_NESTING_DEPTH)`,
        'MAX_NESTING_DEPTH',
      );
    throw new InjectionError('INVALID_OBJECT', `${where} is not valid YAML or JSON: ${clip(why.split('\n')[0]!)}`, where);
  }
  return v;
}

/**
 * The parser's tokens, with flow nesting (`[[[[…`) counted on the lexer's output first: the parser
 * spends ~10 µs per open level before it yields the document, so a 6 MiB line of `[` must stop early.
 */
function* tokens(text: string, source: string, lines: LineCounter, budget: Budget): Generator<Token> {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0); // as Parser.parse does: line 1 starts at 0
  let flow = 0;
  let n = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if ((++n & 1023) === 0) checkBudget(budget, `parsing ${source}`);
    if (lexeme === '[' || lexeme === '{') {
      if (++flow > MAX_NESTING_DEPTH)
        throw new InjectionError(
          'LIMIT_EXCEEDED',
          `${source}: nests more than ${MAX_NESTING_DEPTH} levels deep (the cap MAX_NESTING_DEPTH)`,
          'MAX_NESTING_DEPTH',
        );
    } else if ((lexeme === ']' || lexeme === '}') && flow > 0) flow--;
    yield* parser.next(lexeme);
  }
  yield* parser.end();
}

/** Checks one document's value: its object, or undefined for an empty document. */
function accept(v: unknown, where: string, source: string, count: { objects: number }): KubeObject | undefined {
  checkTree(v, where);
  if (v === null || v === undefined) return undefined;
  if (!isObject(v)) throw new InjectionError('INVALID_OBJECT', `${where} is not a Kubernetes object (a mapping with kind)`, source);
  if (isList(v)) {
    // as kubectl: a List holds objects (the CLI and the preview read each item as one)
    const i = (v.items as unknown[]).findIndex((it) => !isObject(it));
    if (i >= 0)
      throw new InjectionError(
        'INVALID_OBJECT',
        `${where}: List item ${i + 1} is ${clipJson((v.items as unknown[])[i])}, not a Kubernetes object`,
        source,
      );
  }
  count.objects += isList(v) ? (v.items as unknown[]).length : 1;
  if (count.objects > MAX_OBJECTS) throw tooMany(source, 'MAX_OBJECTS', MAX_OBJECTS, 'objects (documents and List items)');
  return v;
}

/** The objects in a YAML or JSON stream; `budget` (the edge's deadline) is asked every thousand tokens. */
export function parseDocuments(text: string, source = 'input', budget: Budget = {}): KubeObject[] {
  return [...eachDocument(text, source, budget)];
}

/**
 * parseDocuments one document at a time, each yielded as soon as it is read (so the CLI writes the first
 * object's answer before it has read the last); an error is thrown where it is met.
 */
export function* eachDocument(text: string, source = 'input', budget: Budget = {}): Generator<KubeObject> {
  const count = { objects: 0 };
  const json = jsonDocument(text);
  if (json) {
    if (json.duplicate) throw duplicateError(`${source}: document 1`, json.duplicate.line, json.duplicate.key);
    const v = accept(json.value, `${source}: document 1`, source, count);
    if (v !== undefined) yield v;
    return;
  }
  let documents = 0;
  for (const part of documentTexts(text)) {
    if (++documents > MAX_DOCUMENTS) throw tooMany(source, 'MAX_DOCUMENTS', MAX_DOCUMENTS, 'YAML documents');
    checkBudget(budget, `parsing ${source}`);
    const where = `${source}: document ${documents}`;
    const quick = quickValue(part.text);
    if (quick === 'too-deep') throw tooDeep(where);
    for (const value of quick ? [quick.value] : readWithYaml(part, where, source, budget)) {
      const v = accept(value, where, source, count);
      if (v !== undefined) yield v;
    }
  }
}

/** One document read by `yaml`, with its caps and its errors' messages and lines (yaml-quick.ts says when). */
function readWithYaml(part: DocumentText, where: string, source: string, budget: Budget): unknown[] {
  const lines = new LineCounter();
  const line = (offset: number): number => lines.linePos(offset).line + part.line - 1;
  const composer = new Composer({ uniqueKeys: false });
  const docs: Document.Parsed[] = [];
  for (const token of tokens(part.text, source, lines, budget)) {
    if (token.type === 'document' && tokenDepthOver(token)) throw tooDeep(where);
    docs.push(...composer.next(token));
  }
  docs.push(...composer.end());
  return docs.map((d) => {
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      throw new InjectionError(
        'INVALID_OBJECT',
        `${where} is not valid YAML or JSON (line ${line(e.pos[0])}): ${clip(e.message.split('\n')[0]!)}`,
        source,
      );
    }
    return toValue(d, where, line);
  });
}

export function isList(obj: KubeObject): boolean {
  return isObject(obj) && typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
}

/** The objects with Lists opened (their items in place of the List). */
export function flattenLists(objects: KubeObject[]): unknown[] {
  return objects.flatMap((o): unknown[] => (isList(o) ? (o.items as unknown[]) : [o]));
}

/**
 * flattenLists undone: `objects` with each of its objects (List items included) replaced by the next of
 * `replacements`, taken in flattenLists's order, Lists kept as Lists.
 */
export function unflattenLists(objects: KubeObject[], replacements: readonly unknown[]): KubeObject[] {
  let next = 0;
  const take = (): unknown => replacements[next++];
  return objects.map((o) => (isList(o) ? { ...o, items: (o.items as unknown[]).map(take) } : (take() as KubeObject)));
}

export function toYaml(objects: KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

export function toJson(objects: KubeObject[]): string {
  const v = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  return `${JSON.stringify(v, null, 2)}\n`;
}
