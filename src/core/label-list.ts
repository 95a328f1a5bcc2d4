// Namespace labels as the CLI (--namespace-labels) and /preview (?namespaceLabels=) take them:
// `key=value,key2=value2`, as kubectl's --labels. One parser, so both doors accept the same text.
import { clipJson } from './clip.ts';

/**
 * The labels in `text`, or undefined when it is absent. A part without `key=` is refused with the error
 * `refuse` makes (each door has its own: a usage error, a 400) from a message naming `source`.
 */
export function parseLabelList(text: string | undefined, source: string, refuse: (message: string) => Error): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw refuse(`${source}: ${clipJson(part, 80)} is not KEY=VALUE`);
    labels[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return labels;
}
