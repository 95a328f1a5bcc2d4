// Where a YAML node's text lies: the blanks and comments around it are not part of it. Shared by both
// readers of a render (yaml-nodes.ts, yaml-fast.ts), so the ranges they report are cut alike.

// space, tab, line feed, carriage return
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** The first character at or after `i` that is neither blank nor in a comment. */
export function skipBlanksAndComments(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) i++;
    else if (c === 35 /* # */ && (i === 0 || isBlank(text.charCodeAt(i - 1)))) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? end : eol + 1;
    } else break;
  }
  return Math.min(i, end);
}

/** Past the last non-blank character before `end`. */
export function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return end;
}
