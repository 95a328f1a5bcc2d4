// The one compile entry point for a template: (name, text) -> compiled | problem. Each template is
// compiled on its own, so one that fails is reported by name and the others still serve (settings keep
// the problems; pods that ask for a broken template are refused, others are not). The dialect is
// detected per template: Liquid (ours) or Go text/template (Istio's ConfigMap). The Go engine plugs in
// at compileGo; until it runs templates, a Go template is parsed (so syntax errors read as Go's) and
// reported "not supported yet".
import type { Liquid, Template } from 'liquidjs';
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import { parseGoTemplates } from '../gotemplate/index.ts';

export type TemplateDialect = 'liquid' | 'go';

export interface CompiledTemplate {
  name: string;
  dialect: TemplateDialect;
  /** The rendered text (YAML), from the template data (render/template-data.ts). */
  run(data: object): string;
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
  return { ok: true, template: { name, dialect: 'liquid', run: (data) => engine.renderSync(parsed, data) as string } };
}

function compileGo(name: string, text: string): CompileOutcome {
  try {
    parseGoTemplates(name, text);
  } catch (e) {
    return { ok: false, problem: `Go template: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
  }
  return { ok: false, problem: 'Go template (text/template): not supported yet by this build of the injector' };
}

/** The compile entry point of one settings load: each template, in its dialect, compiled or refused with why. */
export function templateCompiler(liquid: Liquid): (name: string, text: string) => CompileOutcome {
  return (name, text) => (templateDialect(text) === 'go' ? compileGo(name, text) : compileLiquid(name, text, liquid));
}

/** The refusal of a pod that asks for a broken template (or alias): names it and says what is wrong with it. */
export function brokenTemplateError(name: string, problem: string): InjectionError {
  return new InjectionError(
    'TEMPLATE_BROKEN',
    `injection template ${clipJson(name)} is broken in the injector's configuration, so pods that ask for it are refused: ${problem}`,
    name,
  );
}
