// Go text/template parsing: parseGoTemplates(name, text) is Go's parse.Parse (every template the text
// defines, by name), with Go's error messages.
import type { TemplateTree } from './ast.ts';
import { lex } from './lex.ts';
import { type ParseContext, TokenStream } from './parse.ts';
import { StatementParser } from './statements.ts';

export type * from './ast.ts';
export { MAX_PARSE_DEPTH } from './parse.ts';

/** The functions text/template always has. */
export const GO_BUILTIN_FUNCTIONS: ReadonlySet<string> = new Set([
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
]);

export interface ParseOptions {
  /** Functions beyond Go's builtins an identifier may name; omit to skip the check (Go's SkipFuncCheck). */
  functions?: Iterable<string>;
}

/** Parse `text` as template `name`; throws an InjectionError whose message is Go's (template: NAME:LINE: ...). */
export function parseGoTemplates(name: string, text: string, options: ParseOptions = {}): Map<string, TemplateTree> {
  const functions = options.functions === undefined ? undefined : new Set([...GO_BUILTIN_FUNCTIONS, ...options.functions]);
  const ctx: ParseContext = { parseName: name, stream: new TokenStream(lex(text, functions)), treeSet: new Map(), functions, depth: { value: 0 } };
  const top = new StatementParser(name, ctx);
  top.parseTop();
  top.add();
  return ctx.treeSet;
}

export { compileGoTemplates, DEFAULT_EXEC_LIMITS, type ExecLimits, type ExecResult, type GoTemplateSet, type TaintSpan } from './exec/index.ts';
export { GoComplex, GoFuncValue, GoUint } from './exec/values.ts';
