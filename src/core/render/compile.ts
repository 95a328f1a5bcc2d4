// The one compile entry point for a template: (name, text) -> compiled | problem. Each template is
// compiled on its own, so one that fails is reported by name and the others still serve (settings keep
// the problems; pods that ask for a broken template are refused, others are not). The dialect is
// detected per template: Liquid (ours) or Go text/template (Istio's ConfigMap, run by go-engine.ts).
import type { Liquid, Template } from 'liquidjs';
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import type { GoFunction } from '../gotemplate/value.ts';
import type { Settings } from '../settings/index.ts';
import { compileGoTemplate, type GoRender, istiodFunctions } from './go-engine.ts';
import { loadLiquidYaml } from './liquid-yaml.ts';
import { type RenderContext, templateData } from './template-data.ts';

export type TemplateDialect = 'liquid' | 'go';

export interface CompiledTemplate {
  name: string;
  dialect: TemplateDialect;
  /**
   * What a render may read, as plain data: render reuse (reuse.ts) records the reads of a render and hands
   * its result out again for input that agrees on them. The settings are not in it: they are the same for
   * every render of one compiled set.
   */
  input(ctx: RenderContext): object;
  /** The rendered text and the YAML document it is, from `input` (tracked) and the settings. */
  run(input: object, settings: Settings): { text: string; doc: unknown };
}

export type CompileOutcome = { ok: true; template: CompiledTemplate } | { ok: false; problem: string };

// Liquid tags (`{% %}`) never occur in a Go template; Go actions start with a field, a variable, a
// comment or a keyword, which a Liquid output (`{{ name | filter }}`) never does
const LIQUID_TAG = /\{%/;
const GO_ACTION = /\{\{-?\s*(?:[.$]|\/\*|(?:if|range|with|define|template|block|end|else|break|continue)\b)/;

/** Liquid when the text has a Liquid tag, Go when it has a Go action, else Liquid (plain text or outputs only). */
export function templateDialect(text: string): TemplateDialect {
  if (LIQUID_TAG.test(text)) return 'liquid';
  return GO_ACTION.test(text) ? 'go' : 'liquid';
}

/** Where Liquid's error messages say the line: ", line N" for our messages, or nothing. */
export function liquidLine(e: unknown): string {
  const token = (e as { token?: { getPosition?: () => [number, number] } })?.token;
  const pos = token?.getPosition?.();
  if (pos) return `, line ${pos[0]}`;
  const m = /line:(\d+)/.exec(String((e as Error)?.message ?? ''));
  return m ? `, line ${m[1]}` : '';
}

/** Liquid's message without its file/position suffixes (said once, by liquidLine) and on one line. */
export function liquidMessage(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .replace(/, line:\d+, col:\d+/, '')
    .replace(/, file:\S+/, '')
    .split('\n')[0]!;
}

function compileLiquid(name: string, text: string, engine: Liquid): CompileOutcome {
  let parsed: Template[];
  try {
    parsed = engine.parse(text, name);
  } catch (e) {
    return { ok: false, problem: `Liquid template${liquidLine(e)}: ${liquidMessage(e)}` };
  }
  const run = (data: object) => {
    let text: string;
    try {
      text = engine.renderSync(parsed, data) as string;
    } catch (e) {
      if (e instanceof InjectionError) throw e;
      throw new InjectionError('TEMPLATE_RENDER', `failed to run injection template "${name}"${liquidLine(e)}: ${liquidMessage(e)}`, name);
    }
    return { text, doc: loadLiquidYaml(name, text) };
  };
  return { ok: true, template: { name, dialect: 'liquid', input: templateData, run } };
}

function compileGo(name: string, text: string, functions: Readonly<Record<string, GoFunction>>): CompileOutcome {
  let render: GoRender;
  try {
    render = compileGoTemplate(name, text, functions);
  } catch (e) {
    return { ok: false, problem: `Go template: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
  }
  return {
    ok: true,
    template: {
      name,
      dialect: 'go',
      input: ({ settings: _same, ...input }) => input,
      // the input's fields read through it as the render reads them (a spread would read them all)
      run: (input, settings) => render.run(Object.create(input, { settings: { value: settings } }) as RenderContext),
    },
  };
}

/** The compile entry point of one settings load: each template, in its dialect, compiled or refused with why. */
export function templateCompiler(liquid: Liquid): (name: string, text: string) => CompileOutcome {
  const functions = istiodFunctions();
  return (name, text) => (templateDialect(text) === 'go' ? compileGo(name, text, functions) : compileLiquid(name, text, liquid));
}

/** The refusal of a pod that asks for a broken template (or alias): names it and says what is wrong with it. */
export function brokenTemplateError(name: string, problem: string): InjectionError {
  return new InjectionError(
    'TEMPLATE_BROKEN',
    `injection template ${clipJson(name)} is broken in the injector's configuration, so pods that ask for it are refused: ${problem}`,
    name,
  );
}
