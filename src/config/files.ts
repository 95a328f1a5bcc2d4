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

/** Every `<name>.liquid` file of a directory, by name. */
export function readTemplatesDir(dir: string = BUILTIN_TEMPLATES_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (extname(f) !== '.liquid') continue;
    const text = readIfPresent(join(dir, f));
    if (text !== undefined) out[basename(f, '.liquid')] = text;
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
