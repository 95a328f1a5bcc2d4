// Istio's Go templates, run as istiod runs them: compiled once per settings load with istiod's function
// map, executed per admission over Istio's SidecarTemplateData (gotemplate/data), and their YAML read with
// every value a pod author controls checked where it landed (gotemplate/safety): raw text must stay inside
// one scalar, a serializer's output must parse back to itself. So Istio's templates run unchanged and a
// crafted annotation still cannot add a field.
import { goTemplateData } from '../gotemplate/data/index.ts';
import { istioTemplateFunctions } from '../gotemplate/funcs/index.ts';
import { compileGoTemplates, type GoTemplateSet } from '../gotemplate/index.ts';
import { loadRenderedYamlParsed } from '../gotemplate/safety/index.ts';
import type { ParsedYaml } from '../gotemplate/safety/yaml-nodes.ts';
import type { GoFunction } from '../gotemplate/value.ts';
import { isObject } from '../types.ts';
import type { Executed } from './splice.ts';
import type { TemplateStatements } from './statements.ts';
import type { RenderContext } from './template-data.ts';

/** Statement replay for one execution: the template's recordings, and the input `ctx` was made from. */
export interface StatementReplay {
  memo: TemplateStatements;
  input: object;
}

export interface GoRender {
  /** The template's text output, and where it printed values a pod author controls. */
  execute(ctx: RenderContext, statements?: StatementReplay): Executed;
  /** The YAML that output parses to, every pod value checked, and the parse (for splice.ts). */
  load(executed: Executed): { doc: unknown; parsed: ParsedYaml };
}

/**
 * istiod's function map, made once per settings load. Its `env` reads istiod's environment; ours answers
 * from nothing (every template then gets its default): templates must not depend on the process.
 */
export function istiodFunctions(): Readonly<Record<string, GoFunction>> {
  return Object.freeze(istioTemplateFunctions(() => undefined));
}

/** Istio's COMPLIANCE_POLICY: istiod's env, which Istio's chart sets from values.pilot.env. */
function compliancePolicy(values: unknown): string {
  const pilot = isObject(values) ? values.pilot : undefined;
  const env = isObject(pilot) ? pilot.env : undefined;
  const policy = isObject(env) ? env.COMPLIANCE_POLICY : undefined;
  return typeof policy === 'string' ? policy : '';
}

/** Parses `text` as Go template `name` (Go's parse errors, thrown); runs it per admission. */
export function compileGoTemplate(name: string, text: string, functions: Readonly<Record<string, GoFunction>>): GoRender {
  const set: GoTemplateSet = compileGoTemplates(name, text, functions);
  return {
    execute(ctx, statements) {
      const options = { compliancePolicy: compliancePolicy(ctx.settings.values) };
      const data = goTemplateData(ctx, options);
      const infos = statements === undefined ? undefined : set.statements(name);
      const settings = { settings: { value: ctx.settings } };
      const session =
        infos === undefined
          ? undefined
          : statements?.memo.session(statements.input, infos, (tracked) =>
              goTemplateData(Object.create(tracked, settings) as RenderContext, options),
            );
      const out = set.execute(name, data, undefined, session);
      session?.finish();
      return { text: out.text, spans: out.tainted };
    },
    load: (executed) => loadRenderedYamlParsed(name, executed.text, executed.spans),
  };
}
