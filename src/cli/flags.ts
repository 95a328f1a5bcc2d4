// One flag table per command: the table gives both parseArgs' options and the command's usage text, so
// the two never disagree. Every command takes --help/-h (its usage on stdout, exit 0); an unknown or
// malformed flag is a one-line usage error naming the flag and where to look.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './io.ts';

export interface FlagSpec {
  /** Long name, without the dashes. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  default?: string | boolean;
  /** What the value is, in the usage text (FILE, PORT, …); string flags only. */
  arg?: string;
  help: string;
  /** The usage's heading this flag is listed under (default: "flags"). */
  group?: string;
}

export interface CommandSpec {
  /** As typed after `sidecar-injector`: `inject`, `namespace enable`. */
  name: string;
  /** One line, for the top-level usage. */
  summary: string;
  /** What follows the name in the usage line, positionals and the flags that matter most. */
  synopsis: string;
  /** Paragraphs after the usage line. */
  description?: string;
  flags: readonly FlagSpec[];
  /** Subcommands: each has its own usage (`namespace enable --help`). */
  subcommands?: readonly CommandSpec[];
  positionals?: boolean;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

const HELP: FlagSpec = { name: 'help', short: 'h', type: 'boolean', help: 'show this help and exit' };

export function parseOptions(flags: readonly FlagSpec[]): ParseArgsOptionsConfig {
  const out: ParseArgsOptionsConfig = {};
  for (const f of [...flags, HELP]) {
    out[f.name] = {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
    } as ParseArgsOptionsConfig[string];
  }
  return out;
}

function flagLine(f: FlagSpec): [string, string] {
  const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'string' ? ` ${f.arg ?? 'VALUE'}` : ''}`;
  const extra = [
    f.multiple ? 'repeatable' : undefined,
    f.default !== undefined && f.default !== false && f.default !== '' ? `default ${String(f.default)}` : undefined,
  ].filter(Boolean);
  return [names, `${f.help}${extra.length ? ` (${extra.join('; ')})` : ''}`];
}

/** The command's usage: its line, description, subcommands and its flags by group. */
export function usageText(spec: CommandSpec): string {
  const out = [`usage: sidecar-injector ${spec.name}${spec.synopsis ? ` ${spec.synopsis}` : ''}`, '', spec.summary];
  if (spec.description) out.push('', spec.description.trimEnd());
  if (spec.subcommands?.length) {
    out.push('', 'subcommands:');
    const w = Math.max(...spec.subcommands.map((s) => s.name.length));
    for (const s of spec.subcommands) out.push(`  ${s.name.padEnd(w + 2)}${s.summary}`);
    out.push('', `See 'sidecar-injector ${spec.name} <subcommand> --help'.`);
  }
  const groups = new Map<string, Array<[string, string]>>();
  for (const f of [...spec.flags, HELP]) {
    const g = f.group ?? 'flags';
    groups.set(g, [...(groups.get(g) ?? []), flagLine(f)]);
  }
  const width = Math.min(34, Math.max(...[...groups.values()].flat().map(([n]) => n.length)));
  for (const [group, lines] of groups) {
    out.push('', `${group}:`);
    for (const [n, h] of lines) out.push(n.length > width ? `  ${n}\n  ${''.padEnd(width)}  ${h}` : `  ${n.padEnd(width)}  ${h}`);
  }
  return `${out.join('\n')}\n`;
}

/** parseArgs' message, made one line naming the flag and where the command's flags are listed. */
function parseError(e: Error & { code?: string }, command: string): UsageError {
  const hint = ` (see: sidecar-injector ${command} --help)`;
  const unknown = /^Unknown option '([^']+)'/.exec(e.message);
  if (unknown) return new UsageError(`unknown flag ${unknown[1]} for ${command}${hint}`);
  const missing = /^Option '(.+?)' argument missing/.exec(e.message);
  if (missing) return new UsageError(`${missing[1]!.replace(/ <value>$/, '')} needs a value${hint}`);
  const positional = /^Unexpected argument '([^']+)'/.exec(e.message);
  if (positional) return new UsageError(`unexpected argument ${positional[1]} for ${command}${hint}`);
  return new UsageError(`${e.message.split('\n')[0]}${hint}`);
}

export interface Parsed {
  values: FlagValues;
  positionals: string[];
  help: boolean;
}

/** Parses argv with the command's table; `help` is set when --help/-h was given (nothing else is checked then). */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const end = argv.indexOf('--');
  const flagPart = end < 0 ? argv : argv.slice(0, end);
  // `inject --bogus --help`: the help, which lists the flags, rather than the error
  const helpAsked = flagPart.includes('--help') || flagPart.includes('-h');
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: parseOptions(spec.flags),
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
    return { values: values as FlagValues, positionals, help: values.help === true };
  } catch (e) {
    if (helpAsked) return { values: {}, positionals: [], help: true };
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw parseError(e as Error, spec.name);
    throw e;
  }
}

/** The one-of check every enumerated flag gets: a usage error listing the values it takes. */
export function oneOf(value: string | undefined, flag: string, allowed: readonly string[]): string | undefined {
  if (value === undefined || allowed.includes(value)) return value;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}
