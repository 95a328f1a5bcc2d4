// Reading settings from disk: the built-in templates directory and the optional config/values/mesh files.
// The only place the CLI touches the file system for settings; the core gets plain strings.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InjectionError } from '../core/errors.ts';

/** templates/ next to src/ (or dist/) in the installed package. */
export const BUILTIN_TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** The file's text; undefined when it is gone (a dangling link of a ConfigMap key removed, or a file
 * removed between listing and reading): absent, as a missing config/values/mesh file is. */
function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Template files: Go text/template (Istio's dialect, `.tmpl`). A `.liquid` file (this injector's dialect
 * before) is read too, so that it is reported as a broken template saying why rather than ignored. */
const TEMPLATE_EXTENSIONS: ReadonlySet<string> = new Set(['.tmpl', '.liquid']);

/** Every `<name>.tmpl` or `<name>.liquid` file of a directory, by name; a name given in both is refused. */
export function readTemplatesDir(dir: string = BUILTIN_TEMPLATES_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    const ext = extname(f);
    if (!TEMPLATE_EXTENSIONS.has(ext)) continue;
    const name = basename(f, ext);
    if (Object.hasOwn(out, name))
      throw new InjectionError(
        'INVALID_SETTING',
        `template "${name}" is given twice in ${dir} (${name}.tmpl and ${name}.liquid): keep one`,
        `templates.${name}`,
      );
    const text = readIfPresent(join(dir, f));
    if (text !== undefined) out[name] = text;
  }
  return out;
}

export function readOptionalFile(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InjectionError('INVALID_SETTING', `cannot read ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, what);
  }
}
