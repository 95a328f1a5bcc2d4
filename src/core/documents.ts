// Kubernetes documents in and out: JSON, YAML, multi-document YAML and `kind: List`, as kubectl reads them.
import { parseAllDocuments, stringify } from 'yaml';
import { InjectionError } from './errors.ts';
import { isObject } from './types.ts';

export type KubeObject = Record<string, unknown>;

const MAX_DOCS = 10_000;

export function parseDocuments(text: string, source = 'input'): KubeObject[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: KubeObject[] = [];
  for (const [i, d] of list.entries()) {
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new InjectionError('INVALID_OBJECT', `${source}: document ${i + 1} is not valid YAML or JSON${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`, source);
    }
    const v = d.toJS({ maxAliasCount: 100 }) as unknown;
    if (v === null || v === undefined) continue;
    if (!isObject(v)) throw new InjectionError('INVALID_OBJECT', `${source}: document ${i + 1} is not a Kubernetes object (a mapping with kind)`, source);
    out.push(v);
    if (out.length > MAX_DOCS) throw new InjectionError('INVALID_OBJECT', `${source}: more than ${MAX_DOCS} documents`, source);
  }
  return out;
}

export function isList(obj: KubeObject): boolean {
  return typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
}

/** Applies `fn` to every object, descending into Lists (whose shape is kept). */
export function mapObjects(objects: KubeObject[], fn: (o: KubeObject) => KubeObject): KubeObject[] {
  return objects.map((o) => (isList(o) ? { ...o, items: (o.items as unknown[]).map((it) => (isObject(it) ? fn(it) : it)) } : fn(o)));
}

export function toYaml(objects: KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

export function toJson(objects: KubeObject[]): string {
  const v = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  return `${JSON.stringify(v, null, 2)}\n`;
}
