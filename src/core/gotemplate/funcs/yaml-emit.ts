// go-yaml v2's emitter (go.yaml.in/yaml/v2 v2.4.4, emitterc.go) for the documents sigs.k8s.io/yaml writes:
// block mappings (keys sorted by the caller) and sequences, empty ones as {} / [], scalars in the style
// yaml.v2 picks (plain, '...', "...", |), lines folded at 80 columns as its writers fold them. Ported
// function by function so that the column and whitespace bookkeeping, which decides where lines break,
// is the same.

import { analyze, ESCAPES, isBreak, yamlPrintable } from './yaml-scalar.ts';
import { utf8Length } from '../exec/strings.ts';

export type YamlNode =
  | { kind: 'scalar'; text: string; style: 'plain' | 'double' | 'literal' }
  | { kind: 'map'; entries: Array<[string, YamlNode]> }
  | { kind: 'seq'; items: YamlNode[] };

const BEST_WIDTH = 80;

/** Characters (code points) in s: its UTF-16 length less one per surrogate pair. */
function codePoints(s: string): number {
  if (s.length === 1) return 1;
  let n = s.length;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xdc00 && s.charCodeAt(i) <= 0xdfff && i > 0) n--;
  return n;
}

const BEST_INDENT = 2;

/** The emitter's output and the state its writers keep (emitter.column, .whitespace, .indention, .indent). */
class Emitter {
  constructor(private readonly styleOf: (s: string) => 'plain' | 'double' | 'literal') {}
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;
  private readonly indents: number[] = [];

  put(s: string): void {
    this.out += s;
    this.column += codePoints(s);
  }
  putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }
  /** write_break: '\n' as a line break; other break characters written, then column 0. */
  writeBreak(c: string): void {
    if (c === '\n') this.putBreak();
    else {
      this.out += c;
      this.column = 0;
    }
  }
  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }
  popIndent(): void {
    this.indent = this.indents.pop()!;
  }
  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /**
   * The text of a plain or single-quoted scalar (write_plain_scalar, write_single_quoted_scalar): a space
   * past the width becomes a line break, line breaks are doubled; quoted, a space at either end stays and
   * ' is written twice.
   */
  writeText(chars: string[], allowBreaks: boolean, quoted: boolean): void {
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        const inside = !quoted || (i > 0 && i < chars.length - 1);
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && inside && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(quoted && c === "'" ? "''" : c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
  }

  writePlain(chars: string[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    this.writeText(chars, allowBreaks, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeSingle(chars: string[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    this.writeText(chars, allowBreaks, true);
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeDouble(chars: string[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const bom = chars[0] === '\ufeff'; // is_bom looks at the value's first bytes, whatever the index
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const cp = c.codePointAt(0)!;
      if (!yamlPrintable(c) || bom || isBreak(c) || c === '"' || c === '\\') {
        const short = ESCAPES[cp];
        if (short !== undefined) this.put(`\\${short}`);
        else {
          const [letter, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(`\\${letter}${cp.toString(16).toUpperCase().padStart(width, '0')}`);
        }
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeLiteral(chars: string[]): void {
    this.writeIndicator('|', true, false, false);
    if (chars[0] === ' ' || isBreak(chars[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const n = chars.length;
    const chomp = !isBreak(chars[n - 1]) ? '-' : n === 1 || isBreak(chars[n - 2]) ? '+' : '';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** yaml_emitter_emit_scalar: the style select_scalar_style settles on, then its writer. */
  scalar(node: { text: string; style: 'plain' | 'double' | 'literal' }, simpleKey: boolean): void {
    const chars = [...node.text];
    const a = analyze(chars);
    let style: 'plain' | 'single' | 'double' | 'literal' = node.style;
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain' && (!a.blockPlain || (chars.length === 0 && simpleKey))) style = 'single';
    if (style === 'single' && !a.single) style = 'double';
    if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
    this.increaseIndent(true, false);
    if (style === 'plain') this.writePlain(chars, !simpleKey);
    else if (style === 'single') this.writeSingle(chars, !simpleKey);
    else if (style === 'double') this.writeDouble(chars, !simpleKey);
    else this.writeLiteral(chars);
    this.popIndent();
  }

  node(node: YamlNode, ctx: { mapping: boolean; simpleKey: boolean }): void {
    if (node.kind === 'scalar') {
      this.scalar(node, ctx.simpleKey);
      return;
    }
    const empty = node.kind === 'map' ? node.entries.length === 0 : node.items.length === 0;
    if (empty) {
      this.writeIndicator(node.kind === 'map' ? '{' : '[', true, true, false);
      this.writeIndicator(node.kind === 'map' ? '}' : ']', false, false, false);
      return;
    }
    if (node.kind === 'seq') {
      this.increaseIndent(false, ctx.mapping && !this.indention);
      for (const item of node.items) {
        this.writeIndent();
        this.writeIndicator('-', true, false, true);
        this.node(item, { mapping: false, simpleKey: false });
      }
      this.popIndent();
      return;
    }
    this.increaseIndent(false, false);
    for (const [key, value] of node.entries) {
      this.writeIndent();
      const k = [...key];
      if (!analyze(k).multiline && utf8Length(key) <= 128) {
        this.scalar({ text: key, style: this.styleOf(key) }, true);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.scalar({ text: key, style: this.styleOf(key) }, false);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(value, { mapping: true, simpleKey: false });
    }
    this.popIndent();
  }
}

/** yaml.Marshal's document for one node: the text, ending in a line break. `styleOf` is the style
 * yaml.v2's encoder asks for a string (stringv: literal with a line break, plain unless it would read back
 * as another type). */
export function emitYaml(root: YamlNode, styleOf: (s: string) => 'plain' | 'double' | 'literal'): string {
  const e = new Emitter(styleOf);
  e.node(root, { mapping: false, simpleKey: false });
  e.writeIndent();
  return e.out;
}
