// The escapers of text/template's builtins html, js and urlquery (funcs.go, net/url.QueryEscape).
import { isGoPrint } from '../tokens.ts';
import { utf8Bytes } from './strings.ts';

const HTML: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' };
export const htmlEscape = (s: string): string => s.replace(/[\0"'&<>]/g, (c) => HTML[c] as string);

const JS: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' };
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const special = JS[ch];
    if (special !== undefined) out += special;
    else if (c < 32) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c < 128 || isGoPrint(c)) out += ch;
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

const QUERY_SAFE = /^[A-Za-z0-9\-_.~]$/;
export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const ch = String.fromCharCode(b);
    if (QUERY_SAFE.test(ch)) out += ch;
    else if (b === 32) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
