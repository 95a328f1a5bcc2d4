// Parser of Go's text/template language, following Go's text/template/parse/parse.go: the same token
// look-ahead (so errors name the same line), the same checks and the same messages.
import { InjectionError } from '../errors.ts';
import type { ArgNode, CommandNode, ListNode, Node, PipeNode, TemplateTree, VariableNode } from './ast.ts';
import { isEmptyTree } from './ast.ts';
import { type Token, goQuote, isKeyword } from './lex.ts';
import { parseNumber, unquoteString } from './literals.ts';
import { utf8Length } from './exec/strings.ts';

/** Deepest nesting of parentheses and blocks we parse; Go allows 10,000 parentheses, we stop at 1,000. */
export const MAX_PARSE_DEPTH = 1000;

/** The lexer's tokens, shared by the trees a text defines (Go's trees share one lexer). */
export class TokenStream {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}
  nextItem(): Token {
    const t = this.tokens[this.index];
    if (t !== undefined) {
      this.index++;
      return t;
    }
    const last = this.tokens[this.tokens.length - 1];
    return { type: 'eof', pos: last?.pos ?? 0, val: '', line: last?.line ?? 1 };
  }
}

export interface ParseContext {
  parseName: string;
  stream: TokenStream;
  treeSet: Map<string, TemplateTree>;
  /** Function names an identifier may call; undefined skips the check (Go's SkipFuncCheck). */
  functions: ReadonlySet<string> | undefined;
  depth: { value: number };
}

export function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (isKeyword(t.type)) return `<${t.val}>`;
  const chars = [...t.val];
  // Go tests the length in bytes but truncates to 10 runes (fmt's %.10q)
  return utf8Length(t.val) > 10 ? `${goQuote(chars.slice(0, 10).join(''))}...` : goQuote(t.val);
}

type Marker = { kind: 'end' | 'else'; pos: number; line: number };
type Item = Node | Marker;
const markerString = (m: Marker): string => `{{${m.kind}}}`;
const isMarker = (n: Item): n is Marker => n.kind === 'end' || n.kind === 'else';

/** One tree being parsed: Go's parse.Tree with its three-token look-ahead. */
export class TreeParser {
  name: string;
  root: ListNode | undefined;
  protected token: Token[] = [];
  protected peekCount = 0;
  protected vars: string[] = ['$'];
  protected rangeDepth = 0;
  protected actionLine = 0;
  constructor(
    name: string,
    protected readonly ctx: ParseContext,
  ) {
    this.name = name;
  }

  protected errorf(message: string): never {
    throw new InjectionError('INVALID_SETTING', `template: ${this.ctx.parseName}:${this.token[0]?.line ?? 0}: ${message}`, this.name);
  }
  protected next(): Token {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.ctx.stream.nextItem();
    return this.token[this.peekCount] as Token;
  }
  protected backup(): void {
    this.peekCount++;
  }
  protected backup2(t1: Token): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  protected backup3(t2: Token, t1: Token): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  protected peek(): Token {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Token;
    this.peekCount = 1;
    this.token[0] = this.ctx.stream.nextItem();
    return this.token[0];
  }
  protected nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  protected peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }
  protected expect(type: Token['type'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
  protected unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.ctx.parseName}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${t.val}${extra}`);
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`);
  }
  protected enter(message: string): void {
    if (this.ctx.depth.value >= MAX_PARSE_DEPTH) this.errorf(message);
    this.ctx.depth.value++;
  }
  protected leave(): void {
    this.ctx.depth.value--;
  }

  /** Go's Tree.add: register this tree; an empty tree never replaces nor conflicts. */
  add(): void {
    const existing = this.ctx.treeSet.get(this.name);
    const root = this.root ?? { kind: 'list', pos: 0, nodes: [] };
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.ctx.treeSet.set(this.name, { name: this.name, root });
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  protected newTree(name: string): TreeParser {
    return new (this.constructor as typeof TreeParser)(name, this.ctx);
  }

  protected itemList(): [ListNode, Marker] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (isMarker(n)) return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  protected textOrAction(): Item {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { kind: 'text', pos: t.pos, text: t.val };
    if (t.type !== 'leftDelim') this.unexpected(t, 'input');
    this.actionLine = t.line;
    try {
      return this.action();
    } finally {
      this.actionLine = 0;
    }
  }

  // Overridden by the statement parser (statements.ts) to keep each file small.
  protected action(): Item {
    throw new Error('abstract');
  }
  protected markerString = markerString;
  protected isMarker = isMarker;

  protected pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!OPERAND_START.has(t.type)) this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  private declarations(pipe: PipeNode, context: string): void {
    // at most two rounds: "$i, $v :=" in range
    for (let round = 0; round < 3; round++) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') return;
      this.next();
      const afterVariable = this.peek();
      const next = this.peekNonSpace();
      const declare = (): void => {
        pipe.decl.push(variableNode(v));
        this.vars.push(v.val);
      };
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        declare();
        return;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        declare();
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      if (afterVariable.type === 'space') this.backup3(v, afterVariable);
      else this.backup2(v);
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]?.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string')
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined || this.peek().type !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    if (node.kind === 'field' || node.kind === 'variable') return { kind: node.kind, pos, ident: [...node.ident, ...fields] };
    if (node.kind === 'pipe' || node.kind === 'identifier' || node.kind === 'chain') return { kind: 'chain', pos, node, field: fields };
    return this.errorf(`unexpected . after term ${goQuote(termString(node))}`);
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (this.ctx.functions !== undefined && !this.ctx.functions.has(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, ident: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'variable':
        return this.useVar(t);
      case 'field':
        return { kind: 'field', pos: t.pos, ident: t.val.slice(1).split('.') };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number': {
        const n = parseNumber(t.val, t.type);
        if (n instanceof Error) this.errorf(n.message);
        return { ...n, pos: t.pos };
      }
      case 'leftParen': {
        this.enter('max expression depth exceeded');
        try {
          return this.pipeline('parenthesized pipeline', 'rightParen');
        } finally {
          this.leave();
        }
      }
      case 'string':
      case 'rawString': {
        const s = unquoteString(t.val);
        if (s instanceof Error) this.errorf(s.message);
        return { kind: 'string', pos: t.pos, quoted: t.val, text: s };
      }
    }
    this.backup();
    return undefined;
  }

  private useVar(t: Token): VariableNode {
    const v = variableNode(t);
    if (!this.vars.includes(v.ident[0] ?? '')) this.errorf(`undefined variable ${goQuote(v.ident[0] ?? '')}`);
    return v;
  }
}

const OPERAND_START = new Set<Token['type']>([
  'bool',
  'charConstant',
  'complex',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);
const variableNode = (t: Token): VariableNode => ({ kind: 'variable', pos: t.pos, ident: t.val.split('.') });
function termString(n: ArgNode): string {
  if (n.kind === 'string') return n.quoted;
  if (n.kind === 'number') return n.text;
  if (n.kind === 'bool') return String(n.value);
  return n.kind === 'nil' ? 'nil' : '.';
}
export type { Item, Marker };
