// The parse tree of a Go template, shaped as Go's text/template/parse/node.go (positions are byte-ish offsets
// into the source text, lines 1-based) so that execution can report errors as Go does.
export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode | ListNode;

export interface ListNode {
  kind: 'list';
  pos: number;
  nodes: Node[];
}
export interface TextNode {
  kind: 'text';
  pos: number;
  text: string;
}
export interface ActionNode {
  kind: 'action';
  pos: number;
  line: number;
  pipe: PipeNode;
}
export interface BranchNode {
  pos: number;
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface IfNode extends BranchNode {
  kind: 'if';
}
export interface RangeNode extends BranchNode {
  kind: 'range';
}
export interface WithNode extends BranchNode {
  kind: 'with';
}
export interface TemplateNode {
  kind: 'template';
  pos: number;
  line: number;
  name: string;
  pipe: PipeNode | undefined;
}
export interface BreakNode {
  kind: 'break';
  pos: number;
  line: number;
}
export interface ContinueNode {
  kind: 'continue';
  pos: number;
  line: number;
}

export interface PipeNode {
  kind: 'pipe';
  pos: number;
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode {
  kind: 'command';
  pos: number;
  args: ArgNode[];
}
export type ArgNode = FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | PipeNode;

export interface FieldNode {
  kind: 'field';
  pos: number;
  ident: string[];
}
export interface VariableNode {
  kind: 'variable';
  pos: number;
  ident: string[];
}
export interface ChainNode {
  kind: 'chain';
  pos: number;
  node: ArgNode;
  field: string[];
}
export interface IdentifierNode {
  kind: 'identifier';
  pos: number;
  ident: string;
}
export interface DotNode {
  kind: 'dot';
  pos: number;
}
export interface NilNode {
  kind: 'nil';
  pos: number;
}
export interface BoolNode {
  kind: 'bool';
  pos: number;
  value: boolean;
}
export interface StringNode {
  kind: 'string';
  pos: number;
  quoted: string;
  text: string;
}
/** A number constant with every Go type it fits, as Go's NumberNode. Uint64/Int64 kept as bigint: exact. */
export interface NumberNode {
  kind: 'number';
  pos: number;
  text: string;
  int?: bigint;
  uint?: bigint;
  float?: number;
  complex?: { re: number; im: number };
}

/** One named template: Go's parse.Tree. */
export interface TemplateTree {
  name: string;
  root: ListNode;
}

/** Go's IsEmptyTree: a tree of only spaces and comments may be redefined. */
export function isEmptyTree(n: Node | undefined): boolean {
  if (n === undefined) return true;
  if (n.kind === 'list') return n.nodes.every(isEmptyTree);
  if (n.kind === 'text') return n.text.trim().length === 0;
  return false;
}
