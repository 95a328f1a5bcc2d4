// compileGoTemplates: Go's template.New(name).Funcs(functions).Parse(text), compiled once to closures;
// GoTemplateSet.execute is Go's ExecuteTemplate, with limits and taint spans.
import { InjectionError } from '../../errors.ts';
import { parseGoTemplates } from '../index.ts';
import { goQuote } from '../tokens.ts';
import type { GoFunction, GoValue } from '../value.ts';
import { type CompiledTemplate, Scope } from './scope.ts';
import { DEFAULT_EXEC_LIMITS, type ExecLimits, ExecState, Frame, type TaintSpan } from './state.ts';
import { compileTopLevel, runTopLevel, type StatementHooks, type StatementInfo, type TopLevel } from './top-level.ts';

export { DEFAULT_EXEC_LIMITS, type ExecLimits, type TaintSpan } from './state.ts';
export type { StatementHooks, StatementInfo, StatementOutput } from './top-level.ts';

export interface ExecResult {
  text: string;
  /** Where values a pod author controls (Tainted) were printed: offsets into text. */
  tainted: TaintSpan[];
}

export interface GoTemplateSet {
  /** The templates the text defines (the top one, {{define}}s and {{block}}s), sorted. */
  names(): string[];
  /**
   * Go's ExecuteTemplate: throws an InjectionError (TEMPLATE_RENDER, LIMIT_EXCEEDED) with Go's message.
   * With hooks, the template's top-level statements are replayed or recorded one by one (top-level.ts).
   */
  execute(templateName: string, data: GoValue, limits?: Partial<ExecLimits>, hooks?: StatementHooks): ExecResult;
  /** The top-level statements of a template, for hooks; undefined when none may be replayed. */
  statements(templateName: string): readonly StatementInfo[] | undefined;
}

export function compileGoTemplates(name: string, text: string, functions: Readonly<Record<string, GoFunction>>): GoTemplateSet {
  const trees = parseGoTemplates(name, text, { functions: Object.keys(functions) });
  const fnMap = new Map(Object.entries(functions));
  const templates = new Map<string, CompiledTemplate>();
  for (const tree of trees.values()) templates.set(tree.name, { name: tree.name, run: undefined, frameSize: 1 });
  const tops = new Map<string, TopLevel>();
  for (const tree of trees.values()) {
    const ctx = { scope: new Scope(), functions: fnMap, templates };
    const compiled = templates.get(tree.name) as CompiledTemplate;
    const top = compileTopLevel(tree.root, ctx);
    tops.set(tree.name, top);
    compiled.run = top.run;
    compiled.frameSize = ctx.scope.nextSlot;
  }
  // a map changed in place anywhere (a template called may change its caller's) is an effect no replay has
  const mutates = [...tops.values()].some((t) => t.mutates);
  const names = [...templates.keys()].sort();
  return {
    names: () => [...names],
    statements: (templateName) => (mutates ? undefined : tops.get(templateName)?.infos),
    execute(templateName, data, limits, hooks) {
      const t = templates.get(templateName);
      if (t?.run === undefined)
        throw new InjectionError(
          'TEMPLATE_NOT_FOUND',
          `template: no template ${goQuote(templateName)} associated with template ${goQuote(name)}`,
          templateName,
        );
      const s = new ExecState(templateName, name, text, { ...DEFAULT_EXEC_LIMITS, ...limits });
      const dot = data === null ? undefined : data;
      try {
        const top = mutates ? undefined : tops.get(templateName);
        if (hooks !== undefined && top !== undefined) runTopLevel(top, s, dot, new Frame(t.frameSize, dot), hooks);
        else t.run(s, dot, new Frame(t.frameSize, dot));
      } catch (e) {
        // deep recursion of templates and nesting together can still exhaust the stack: a limit, not a crash
        if (e instanceof RangeError) s.limitError('template execution nested too deeply');
        throw e;
      }
      return { text: s.out, tainted: s.spans };
    },
  };
}
