// Templates are Liquid documents that render to YAML. Every `{{ }}` output is written as a JSON scalar
// (or flow collection), so no value a pod author controls can open a new field, list item or document:
// at worst it is a strange string. Templates are parsed once per settings load.
import { Liquid } from 'liquidjs';
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { brokenTemplateError, templateCompiler, type CompiledTemplate } from './compile.ts';
import { filters } from './filters.ts';
import { renderMemo, type RenderMemo, type Rendered } from './reuse.ts';
import type { RenderContext } from './template-data.ts';
import { asTemplatePod } from './template-pod.ts';
import type { Settings } from '../settings/index.ts';

export interface CompiledTemplates {
  names: string[];
  /** Annotation and label keys the templates mention, for explaining what shaped a result. */
  keysRead: ReadonlySet<string>;
  render(name: string, ctx: RenderContext): JsonObject;
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
  // Go templates (Istio's) quote annotation names with backticks, Liquid ones with double quotes
  const keysRead = new Set<string>();
  for (const text of Object.values(sources)) for (const m of text.matchAll(/["`]([a-z0-9.-]+\.[a-z]+\/[A-Za-z0-9.-]+)["`]/g)) keysRead.add(m[1]!);
  const memo = renderMemo(options.reuse !== false);
  return {
    names: Object.keys(sources).sort(),
    keysRead,
    memo,
    broken: Object.freeze(broken),
    render(name: string, ctx: RenderContext): JsonObject {
      const tpl = parsed.get(name);
      if (!tpl && Object.hasOwn(broken, name)) throw brokenTemplateError(name, broken[name]!);
      if (!tpl) {
        throw new InjectionError(
          'TEMPLATE_NOT_FOUND',
          `requested template ${clipJson(name)} not found (inject.istio.io/templates or the config's defaultTemplates); have ${Object.keys(sources).sort().join(', ')}`,
          name,
        );
      }
      return memo.render(name, tpl.input(ctx), (tracked) => renderParsed(tpl, tracked, ctx.settings));
    },
  };
}

function renderParsed(tpl: CompiledTemplate, input: object, settings: Settings): Rendered {
  const { text, doc } = tpl.run(input, settings);
  return asTemplatePod(tpl.name, doc, text.length);
}
