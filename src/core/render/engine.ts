// Templates are Liquid documents that render to YAML. Every `{{ }}` output is written as a JSON scalar
// (or flow collection), so no value a pod author controls can open a new field, list item or document:
// at worst it is a strange string. Templates are parsed once per settings load.
import { Liquid } from 'liquidjs';
import jsyaml from 'js-yaml';
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import { isObject, type JsonObject } from '../types.ts';
import { brokenTemplateError, liquidLine, liquidMessage, templateCompiler, type CompiledTemplate } from './compile.ts';
import { filters } from './filters.ts';
import { renderMemo, type RenderMemo, type Rendered } from './reuse.ts';

export interface CompiledTemplates {
  names: string[];
  /** Annotation and label keys the templates mention, for explaining what shaped a result. */
  keysRead: ReadonlySet<string>;
  render(name: string, data: object): JsonObject;
  /** Templates that failed to compile, by name, with why (compile.ts): refused when asked for. */
  broken: Readonly<Record<string, string>>;
  /** Renders kept for reuse, and the caches that rely on them (reuse.ts). */
  memo: RenderMemo;
}

const noFile = (f: string): never => {
  throw new Error(`templates cannot include files (${f})`);
};
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (f: string) => noFile(f),
  readFileSync: (f: string) => noFile(f),
  resolve: (_dir: string, file: string) => file,
  sep: '/',
};

function yamlScalar(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
  return JSON.stringify(v);
}

/**
 * Drops nulls from a rendered template. A key a template leaves empty (`emptyDir:`, or `containers:`
 * over an empty loop) means "nothing here"; merged as a strategic-merge null it would delete the pod's
 * own field. Templates that mean to delete say so with `$patch: delete`.
 */
// Go maps keep an empty string value; every other string field of the pod's types is `omitempty`
const STRING_MAPS: ReadonlySet<string> = new Set(['labels', 'annotations', 'nodeSelector', 'volumeAttributes', 'data']);

/**
 * What istiod's render becomes once decoded into Go's Pod: nulls gone, and an empty string in a struct
 * field gone too (`omitempty`), e.g. `configMap: {name: ""}` is `configMap: {}`. So our pod is the same,
 * and a pod istiod injected is not patched again to add `name: ""`.
 */
function withoutNulls(v: unknown, inMap = false): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => withoutNulls(x));
  if (isObject(v))
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null && x !== undefined && (inMap || x !== ''))
        .map(([k, x]) => [k, withoutNulls(x, STRING_MAPS.has(k))]),
    );
  return v;
}

export interface CompileOptions {
  /** Reuse renders between admissions (reuse.ts); false renders every time. Default true. */
  reuse?: boolean;
}

export function compileTemplates(sources: Record<string, string>, options: CompileOptions = {}): CompiledTemplates {
  const engine = new Liquid({
    outputEscape: yamlScalar,
    jsTruthy: true, // "" and 0 are false, as in Go templates
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    greedy: false,
    // templates may not read files: {% include %} / {% render %} find nothing
    fs: NO_FILES,
    relativeReference: false,
  });
  for (const [name, fn] of Object.entries(filters)) engine.registerFilter(name, fn);
  const compile = templateCompiler(engine);
  const parsed = new Map<string, CompiledTemplate>();
  const broken: Record<string, string> = {};
  for (const [name, text] of Object.entries(sources)) {
    const outcome = compile(name, text);
    if (outcome.ok) parsed.set(name, outcome.template);
    else broken[name] = outcome.problem;
  }
  const keysRead = new Set<string>();
  for (const text of Object.values(sources)) for (const m of text.matchAll(/"([a-z0-9.-]+\.[a-z]+\/[A-Za-z0-9.-]+)"/g)) keysRead.add(m[1]!);
  const memo = renderMemo(options.reuse !== false);
  return {
    names: Object.keys(sources).sort(),
    keysRead,
    memo,
    broken: Object.freeze(broken),
    render(name: string, data: object): JsonObject {
      const tpl = parsed.get(name);
      if (!tpl && Object.hasOwn(broken, name)) throw brokenTemplateError(name, broken[name]!);
      if (!tpl) {
        throw new InjectionError(
          'TEMPLATE_NOT_FOUND',
          `requested template ${clipJson(name)} not found (inject.istio.io/templates or the config's defaultTemplates); have ${Object.keys(sources).sort().join(', ')}`,
          name,
        );
      }
      return memo.render(name, data, (tracked) => renderParsed(tpl, tracked));
    },
  };
}

function renderParsed(tpl: CompiledTemplate, data: object): Rendered {
  const { name } = tpl;
  let text: string;
  try {
    text = tpl.run(data);
  } catch (e) {
    if (e instanceof InjectionError) throw e;
    throw new InjectionError('TEMPLATE_RENDER', `failed to run injection template "${name}"${liquidLine(e)}: ${liquidMessage(e)}`, name);
  }
  // js-yaml here: an order of magnitude faster than `yaml` on this hot path, and the rendered text is
  // ours (every value JSON-quoted), so its YAML 1.2 core schema is all that is needed
  let out: unknown;
  try {
    out = withoutNulls(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: name }));
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const why = String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0];
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${name}" rendered invalid YAML${mark?.line !== undefined ? ` at rendered line ${mark.line + 1}` : ''}: ${why}`,
      name,
    );
  }
  if (out === null || out === undefined) return { out: {}, size: text.length };
  if (!isObject(out) || Object.keys(out).some((k) => k !== 'metadata' && k !== 'spec')) {
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${name}" did not render to a pod (want a mapping with only metadata and spec)`,
      name,
    );
  }
  if (
    (out.spec !== undefined && out.spec !== null && !isObject(out.spec)) ||
    (out.metadata !== undefined && out.metadata !== null && !isObject(out.metadata))
  ) {
    throw new InjectionError('TEMPLATE_NOT_POD', `injection template "${name}" did not render to a pod (metadata and spec must be mappings)`, name);
  }
  return { out: out as JsonObject, size: text.length };
}
