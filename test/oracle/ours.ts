// This injector on the same review, with settings read from the same rendered ConfigMap data as istiod.
// One difference, until Go templates run here (issue 15): the `templates` of Istio's `config` are Go
// templates, so ours keeps its built-in Liquid ports of them and takes everything else from `config`.
import { parse as parseYaml, stringify } from 'yaml';
import { readTemplatesDir } from '../../src/config/files.ts';
import { admit } from '../../src/core/admission.ts';
import type { NodeKubelets } from '../../src/core/native-sidecars.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../../src/core/settings/index.ts';
import { injectPathEnv } from '../../src/http/inject-path.ts';
import type { RenderedSettings } from './istiod.ts';

const builtin = readTemplatesDir();

export function ourSettings(rendered: RenderedSettings, native: NativeSidecarMode): Settings {
  const config = parseYaml(rendered.config) as Record<string, unknown>;
  delete config.templates;
  return buildSettings({ config: stringify(config), values: rendered.values, mesh: rendered.mesh, templates: builtin, nativeSidecars: native });
}

export interface OurAnswer {
  status: number;
  review?: Record<string, unknown>;
}

/** What our webhook answers for this path and review (in-process: the same core the HTTP door calls). */
export function ourInjection(settings: Settings, path: string, review: unknown, nodes?: NodeKubelets): OurAnswer {
  let urlEnv: Record<string, string>;
  try {
    urlEnv = injectPathEnv(path.slice('/inject'.length));
  } catch {
    return { status: 400 };
  }
  const outcome = admit(review, { settings, urlEnv, nodes });
  return { status: 200, review: outcome.review };
}
