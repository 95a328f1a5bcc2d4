// The one way an input value is echoed in a message or a log line: cut to MAX_ECHO_CHARS, saying how
// long it was, so a 4 MB annotation or a 1 MB generateName never becomes a 4 MB answer or log line.
import { MAX_ECHO_CHARS } from './limits.ts';

export function clip(v: string, max = MAX_ECHO_CHARS): string {
  return v.length <= max ? v : `${v.slice(0, max)}… (${v.length} characters)`;
}

/** A value of any type quoted as JSON for a message, clipped. */
export function clipJson(v: unknown, max = MAX_ECHO_CHARS): string {
  if (typeof v === 'string') return v.length <= max ? JSON.stringify(v) : `${JSON.stringify(v.slice(0, max))}… (${v.length} characters)`;
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = Object.prototype.toString.call(v); // too deep or cyclic to serialise: its type will do
  }
  return clip(text ?? String(v), max);
}
