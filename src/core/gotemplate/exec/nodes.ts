// Go's parse.Node String() (text/template/parse/node.go): how an execution error names the node it failed at.
import type { ArgNode, CommandNode, Node, PipeNode } from '../ast.ts';
import { goQuote } from '../tokens.ts';

export type AnyNode = Node | ArgNode | CommandNode | PipeNode;

function pipeString(p: PipeNode): string {
  let s = '';
  if (p.decl.length > 0) s = `${p.decl.map((d) => d.ident.join('.')).join(', ')}${p.isAssign ? ' = ' : ' := '}`;
  return s + p.cmds.map(commandString).join(' | ');
}

function commandString(c: CommandNode): string {
  return c.args.map((a) => (a.kind === 'pipe' ? `(${pipeString(a)})` : nodeString(a))).join(' ');
}

function branchString(keyword: string, n: { pipe: PipeNode; list: Node; elseList: Node | undefined }): string {
  const els = n.elseList === undefined ? '' : `{{else}}${nodeString(n.elseList)}`;
  return `{{${keyword} ${pipeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
}

export function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return n.text;
    case 'action':
      return `{{${pipeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with':
      return branchString(n.kind, n);
    case 'template':
      return n.pipe === undefined ? `{{template ${goQuote(n.name)}}}` : `{{template ${goQuote(n.name)} ${pipeString(n.pipe)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'pipe':
      return pipeString(n);
    case 'command':
      return commandString(n);
    case 'field':
      return n.ident.map((i) => `.${i}`).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain':
      return (n.node.kind === 'pipe' ? `(${pipeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => `.${f}`).join('');
    case 'identifier':
      return n.ident;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
  }
}
