// Both answers reduced to what the API server would do with them (refuse, leave the pod alone, or create
// the patched pod) and compared semantically: Go's omitempty and quantity spelling do not count.
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { normalize } from '../helpers/semantic.ts';
import type { IstiodAnswer } from './istiod.ts';
import type { OurAnswer } from './ours.ts';

export type Outcome =
  | { kind: 'http-error'; status: number }
  | { kind: 'refused'; message: string }
  | { kind: 'skipped' }
  | { kind: 'injected'; pod: unknown };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function outcomeOf(review: unknown, pod: unknown): Outcome {
  const response = isRecord(review) && isRecord(review.response) ? review.response : {};
  if (response.allowed !== true) {
    const status = isRecord(response.status) ? response.status : {};
    return { kind: 'refused', message: String(status.message ?? '') };
  }
  if (typeof response.patch !== 'string') return { kind: 'skipped' };
  const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
  if (ops.length === 0) return { kind: 'skipped' }; // istiod answers an injected pod with `[]`
  const patched = fastJsonPatch.applyPatch(structuredClone(pod), ops, true, false).newDocument;
  return { kind: 'injected', pod: patched };
}

export function istiodOutcome(answer: IstiodAnswer, pod: unknown): Outcome {
  if (answer.status !== 200) return { kind: 'http-error', status: answer.status };
  return outcomeOf(JSON.parse(answer.body), pod);
}

export function ourOutcome(answer: OurAnswer, pod: unknown): Outcome {
  if (answer.status !== 200) return { kind: 'http-error', status: answer.status };
  return outcomeOf(answer.review, pod);
}

/** Paths where two JSON values differ (at most `limit`), e.g. `spec.containers[1].env[3].value`. */
export function differences(a: unknown, b: unknown, limit = 8, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (byName(a) && byName(b)) return namedDifferences(a, b, limit, path);
    if (a.length !== b.length) return [`${path} (length ${a.length} vs ${b.length})`];
    return a.flatMap((x, i) => differences(x, b[i], limit, `${path}[${i}]`)).slice(0, limit);
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], limit, path ? `${path}.${k}` : k)).slice(0, limit);
  }
  return [`${path}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`];
}

const byName = (xs: unknown[]): xs is Array<Record<string, unknown>> => xs.every((x) => isRecord(x) && typeof x.name === 'string');

/** Lists of named things (containers, env, volumes) compared by name, then by position. */
function namedDifferences(a: Array<Record<string, unknown>>, b: Array<Record<string, unknown>>, limit: number, path: string): string[] {
  const names = (xs: Array<Record<string, unknown>>) => xs.map((x) => String(x.name));
  const [na, nb] = [names(a), names(b)];
  const out = [
    ...na.filter((n) => !nb.includes(n)).map((n) => `${path}[${n}]: only ours has it (${JSON.stringify(a.find((x) => x.name === n)).slice(0, 200)})`),
    ...nb
      .filter((n) => !na.includes(n))
      .map((n) => `${path}[${n}]: only istiod has it (${JSON.stringify(b.find((x) => x.name === n)).slice(0, 200)})`),
  ];
  const common = (xs: string[], other: string[]) => xs.filter((n) => other.includes(n)).join(',');
  if (common(na, nb) !== common(nb, na)) out.push(`${path}: order ${common(na, nb)} vs ${common(nb, na)}`);
  for (const [i, n] of na.entries()) {
    const j = nb.indexOf(n);
    if (j >= 0) out.push(...differences(a[i], b[j], limit, `${path}[${n}]`));
  }
  return out.slice(0, limit);
}

/** Why two outcomes differ (empty when they agree), ours first. */
export function disagreement(ours: Outcome, istiod: Outcome): string[] {
  if (ours.kind !== istiod.kind) {
    const detail = (o: Outcome) =>
      o.kind === 'refused' ? `refused: ${o.message.slice(0, 300)}` : o.kind === 'http-error' ? `HTTP ${o.status}` : o.kind;
    return [`ours ${detail(ours)}; istiod ${detail(istiod)}`];
  }
  if (ours.kind === 'injected' && istiod.kind === 'injected') return differences(normalize(ours.pod), normalize(istiod.pod));
  return [];
}
