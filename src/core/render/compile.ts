// The one compile entry point for a template: (name, text) -> compiled | problem. Each template is
// compiled on its own, so one that fails is reported by name and the others still serve (settings keep
// the problems; pods that ask for a broken template are refused, others are not). Templates are Go
// text/template, Istio's dialect, run by go-engine.ts.
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import type { GoFunction } from '../gotemplate/value.ts';
import type { Settings } from '../settings/index.ts';
import { compileGoTemplate, type GoRender, istiodFunctions } from './go-engine.ts';
import type { Executed } from './splice.ts';
import type { TemplateStatements } from './statements.ts';
import type { RenderContext } from './template-data.ts';

export interface CompiledTemplate {
  name: string;
  /**
   * What a render may read, as plain data: render reuse (reuse.ts) records the reads of a render and hands
   * its result out again for input that agrees on them. The settings are not in it: they are the same for
   * every render of one compiled set.
   */
  input(ctx: RenderContext): object;
  /**
   * The rendered text (and where pod values are in it), from `input` (tracked) and the settings; with
   * `statements`, statements whose reads agree with a recorded execution's are replayed (statements.ts).
   */
  execute(input: object, settings: Settings, statements?: TemplateStatements): Executed;
  /** The YAML document that text is, checked (go-engine.ts), and its parse. */
  load: GoRender['load'];
}

export type CompileOutcome = { ok: true; template: CompiledTemplate } | { ok: false; problem: string };

// A template written for Liquid (this injector's dialect before Istio's Go templates) is refused by its
// tags, which Go would print as text and YAML could not read: the problem says what to rewrite
const LIQUID_TAG =
  /\{%-?\s*(?:if|elsif|else|endif|unless|endunless|for|endfor|assign|capture|endcapture|case|when|endcase|include|render|raw|endraw|comment|endcomment|liquid|echo|cycle|increment|decrement)\b/;

/** The line and tag of the first Liquid tag in a template, if it has one. */
function liquidTag(text: string): string | undefined {
  const m = LIQUID_TAG.exec(text);
  if (!m) return undefined;
  return `${JSON.stringify(m[0])} at line ${text.slice(0, m.index).split('\n').length}`;
}

function compileGo(name: string, text: string, functions: Readonly<Record<string, GoFunction>>): CompileOutcome {
  const liquid = liquidTag(text);
  if (liquid) return { ok: false, problem: `a Liquid template (${liquid}): templates are Go text/template, as in Istio's ConfigMap` };
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
      input: ({ settings: _same, ...input }) => input,
      // the input's fields read through it as the render reads them (a spread would read them all)
      execute: (input, settings, statements) =>
        render.execute(Object.create(input, { settings: { value: settings } }) as RenderContext, statements && { memo: statements, input }),
      load: render.load,
    },
  };
}

/** The compile entry point of one settings load: each template compiled, or refused with why. */
export function templateCompiler(): (name: string, text: string) => CompileOutcome {
  const functions = istiodFunctions();
  return (name, text) => compileGo(name, text, functions);
}

/** The refusal of a pod that asks for a broken template (or alias): names it and says what is wrong with it. */
export function brokenTemplateError(name: string, problem: string): InjectionError {
  return new InjectionError(
    'TEMPLATE_BROKEN',
    `injection template ${clipJson(name)} is broken in the injector's configuration, so pods that ask for it are refused: ${problem}`,
    name,
  );
}
