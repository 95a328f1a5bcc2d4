// The templates of one settings load, compiled once (compile.ts), rendered through the memo of kept
// renders (reuse.ts). Templates are Go text/template, Istio's dialect: what a pod author controls is
// tracked through execution and checked where it lands (gotemplate/safety), so it never adds a field.
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import { brokenTemplateError, templateCompiler, type CompiledTemplate } from './compile.ts';
import { renderMemo, type RenderMemo, type TemplateRun } from './reuse.ts';
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

export interface CompileOptions {
  /** Reuse renders between admissions (reuse.ts); false renders every time. Default true. */
  reuse?: boolean;
  /** With reuse, replay statements of renders not reused whole (statements.ts). Default true. */
  replay?: boolean;
}

export function compileTemplates(sources: Record<string, string>, options: CompileOptions = {}): CompiledTemplates {
  const compile = templateCompiler();
  const parsed = new Map<string, CompiledTemplate>();
  const broken: Record<string, string> = {};
  for (const [name, text] of Object.entries(sources)) {
    const outcome = compile(name, text);
    if (outcome.ok) parsed.set(name, outcome.template);
    else broken[name] = outcome.problem;
  }
  // Istio's templates quote annotation names with backticks (or double quotes)
  const keysRead = new Set<string>();
  for (const text of Object.values(sources)) for (const m of text.matchAll(/["`]([a-z0-9.-]+\.[a-z]+\/[A-Za-z0-9.-]+)["`]/g)) keysRead.add(m[1]!);
  const memo = renderMemo(options.reuse !== false, options.replay !== false);
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
      const { kind, namespace, name: workload } = ctx.workload;
      return memo.render(name, tpl.input(ctx), runOf(tpl, ctx.settings), `${kind}\u0000${namespace}\u0000${workload}`);
    },
  };
}

function runOf(tpl: CompiledTemplate, settings: Settings): TemplateRun {
  return {
    execute: (input, statements) => tpl.execute(input, settings, statements),
    load(executed) {
      const { doc, parsed } = tpl.load(executed);
      return { ...asTemplatePod(tpl.name, doc, executed.text.length), doc, parsed };
    },
  };
}
