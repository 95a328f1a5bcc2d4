// The YAML a Liquid template rendered. js-yaml here: an order of magnitude faster than `yaml` on this hot
// path, and the rendered text is ours (every value JSON-quoted), so its YAML 1.2 core schema is enough.
import jsyaml from 'js-yaml';
import { InjectionError } from '../errors.ts';

export function loadLiquidYaml(name: string, text: string): unknown {
  try {
    return jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: name });
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const why = String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0];
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${name}" rendered invalid YAML${mark?.line !== undefined ? ` at rendered line ${mark.line + 1}` : ''}: ${why}`,
      name,
    );
  }
}
