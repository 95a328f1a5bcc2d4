// The statements of Go's template language ({{if}}, {{range}}, {{with}}, {{define}}, {{block}},
// {{template}}, {{break}}, {{continue}}, {{else}}, {{end}}) and the top level, after Go's parse.go.
import type { BranchNode, ListNode, Node, PipeNode, TemplateNode } from './ast.ts';
import type { Token } from './lex.ts';
import { type Item, type Marker, TreeParser, tokenString } from './parse.ts';
import { unquoteString } from './literals.ts';

type Control = 'if' | 'range' | 'with';

export class StatementParser extends TreeParser {
  /** Go's Tree.parse: the top level, where {{define}} starts a new tree. */
  parseTop(): void {
    this.root = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          (this.newTree('definition') as StatementParser).parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (this.isMarker(n)) this.errorf(`unexpected ${this.markerString(n)}`);
      this.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const t = this.nextNonSpace();
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    const name = unquoteString(t.val);
    if (name instanceof Error) this.errorf(name.message);
    this.name = name;
    this.expect('rightDelim', context);
    const [root, end] = this.itemList();
    this.root = root;
    if (end.kind !== 'end') this.errorf(`unexpected ${this.markerString(end)} in ${context}`);
    this.add();
  }

  protected override action(): Item {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.loopControl(t);
      case 'else':
        return this.elseControl();
      case 'end':
        return { kind: 'end', pos: this.expect('rightDelim', 'end').pos, line: t.line };
      case 'if':
      case 'range':
      case 'with':
        return this.control(t.type);
      case 'template':
        return this.templateControl();
    }
    this.backup();
    const start = this.peek();
    return { kind: 'action', pos: start.pos, line: start.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private loopControl(t: Token): Node {
    const context = `{{${t.type}}}`;
    const after = this.nextNonSpace();
    if (after.type !== 'rightDelim') this.unexpected(after, context);
    if (this.rangeDepth === 0) this.errorf(`${context} outside {{range}}`);
    return t.type === 'break' ? { kind: 'break', pos: t.pos, line: t.line } : { kind: 'continue', pos: t.pos, line: t.line };
  }

  private control(kind: Control): Node {
    this.enter('max nesting depth exceeded');
    try {
      return { kind, ...this.parseControl(kind) } as Node;
    } finally {
      this.leave();
    }
  }

  private parseControl(context: Control): BranchNode {
    const varCount = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      const [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.kind === 'else') elseList = this.elseBranch(context, next);
      return { pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = varCount;
    }
  }

  private elseBranch(context: Control, elseMarker: Marker): ListNode {
    const chained = this.peek().type;
    if ((context === 'if' && chained === 'if') || (context === 'with' && chained === 'with')) {
      this.next();
      return { kind: 'list', pos: elseMarker.pos, nodes: [this.control(context)] };
    }
    const [elseList, end] = this.itemList();
    if (end.kind !== 'end') this.errorf(`expected end; found ${this.markerString(end)}`);
    return elseList;
  }

  private elseControl(): Marker {
    const peek = this.peekNonSpace();
    if (peek.type === 'if' || peek.type === 'with') return { kind: 'else', pos: peek.pos, line: peek.line };
    const t = this.expect('rightDelim', 'else');
    return { kind: 'else', pos: t.pos, line: t.line };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = this.newTree(name) as StatementParser;
    this.enter('max nesting depth exceeded');
    try {
      const [root, end] = block.itemList();
      block.root = root;
      if (end.kind !== 'end') this.errorf(`unexpected ${this.markerString(end)} in ${context}`);
    } finally {
      this.leave();
    }
    block.add();
    return templateNode(t, name, pipe);
  }

  private templateControl(): Node {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return templateNode(t, name, pipe);
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    const name = unquoteString(t.val);
    return name instanceof Error ? this.errorf(name.message) : name;
  }
}

const templateNode = (t: Token, name: string, pipe: PipeNode | undefined): TemplateNode => ({
  kind: 'template',
  pos: t.pos,
  line: t.line,
  name,
  pipe,
});
export { tokenString };
