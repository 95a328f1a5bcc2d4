/**
 * The value parsers of the capture settings: one per kind of istio-iptables flag value (ports, CIDRs,
 * interface names, ...). `parseCaptureArgs` uses them for flags and env vars, and the webhook uses the
 * same ones for the pod annotations that feed those flags, so both refuse exactly the same values.
 * Each throws `CaptureSettingError` naming the flag, with the bare reason in `reason`.
 */
import { CaptureSettingError } from './errors.ts';
import { parsePrefix } from './net.ts';

export type InterceptionMode = 'REDIRECT' | 'TPROXY';
/** `*` means "all"; an empty list means "none". */
export type PortSelection = '*' | number[];
/** `*` means "all"; an empty list means "none". CIDRs are kept in Go's canonical text. */
export type CidrSelection = '*' | string[];

// ---------------------------------------------------------------------------------------------
// Value parsers. Each gets the raw text and the name the user wrote (for the error).

const fail = (flag: string, value: string, why: string): never => {
  throw new CaptureSettingError(flag, `invalid value ${JSON.stringify(value)} for ${flag}: ${why}`, why);
};

/** Comma list, items trimmed, empty items dropped (istio's `config.Split`, plus trimming). */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parsePortValue(text: string, flag: string, whole: string): number {
  if (!/^[0-9]+$/.test(text)) fail(flag, whole, `${JSON.stringify(text)} is not a port number (1-65535)`);
  const n = Number(text);
  if (n < 1 || n > 65535) fail(flag, whole, `port ${text} is out of range (1-65535)`);
  return n;
}

export function parsePort(value: string, flag: string): number {
  return parsePortValue(value.trim(), flag, value);
}

export function parsePortList(value: string, flag: string): number[] {
  return splitList(value).map((p) => parsePortValue(p, flag, value));
}

export function parsePortSelection(value: string, flag: string): PortSelection {
  if (value.trim() === '*') return '*';
  const items = splitList(value);
  if (items.includes('*')) fail(flag, value, '"*" must be used alone');
  return items.map((p) => parsePortValue(p, flag, value));
}

export function parseCidrValue(text: string, flag: string, whole: string): string {
  const p = parsePrefix(text);
  if (!p) fail(flag, whole, `${JSON.stringify(text)} is not a CIDR (address/bits)`);
  return p!.cidr;
}

export function parseCidrList(value: string, flag: string): string[] {
  const items = splitList(value);
  if (items.includes('*')) fail(flag, value, '"*" is not allowed here');
  return items.map((c) => parseCidrValue(c, flag, value));
}

export function parseCidrSelection(value: string, flag: string): CidrSelection {
  if (value.trim() === '*') return '*';
  const items = splitList(value);
  if (items.includes('*')) fail(flag, value, '"*" must be used alone');
  return items.map((c) => parseCidrValue(c, flag, value));
}

/**
 * Linux interface names (`dev_valid_name`): 1..15 bytes, not `.`/`..`, no `/`, `:` or whitespace.
 * Also refused: `,` (list separator), a leading `-` or `!` (would read as an iptables option/negation),
 * and anything outside `[A-Za-z0-9_.+@-]`. `+` (iptables wildcard suffix) is allowed.
 */
export function isValidInterfaceName(name: string): boolean {
  if (name.length < 1 || name.length > 15 || name === '.' || name === '..') return false;
  if (name.startsWith('-') || name.startsWith('!')) return false;
  return /^[A-Za-z0-9_.+@-]+$/.test(name);
}

export function parseInterfaceList(value: string, flag: string): string[] {
  const items = splitList(value);
  for (const nic of items) {
    if (!isValidInterfaceName(nic)) fail(flag, value, `${JSON.stringify(nic)} is not a valid network interface name`);
  }
  return items;
}

/** A uid/gid: a number (0..2^32-2) or a user/group name. */
export function isValidOwnerId(id: string): boolean {
  if (/^[0-9]+$/.test(id)) return Number(id) <= 4294967294;
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(id);
}

export function parseOwnerList(value: string, flag: string): string[] {
  const items = splitList(value);
  for (const id of items) {
    if (!isValidOwnerId(id)) fail(flag, value, `${JSON.stringify(id)} is not a uid/gid or a user/group name`);
  }
  return items;
}

export function parseMode(value: string, flag: string): InterceptionMode {
  const v = value.trim();
  if (v === '' || v === 'REDIRECT') return 'REDIRECT';
  if (v === 'TPROXY') return 'TPROXY';
  return fail(flag, value, 'interception mode must be REDIRECT or TPROXY');
}

export function parseUint32(value: string, flag: string): number {
  const v = value.trim();
  if (!/^[0-9]+$/.test(v)) fail(flag, value, 'not a decimal number');
  const n = Number(v);
  if (n < 1 || n > 4294967295) fail(flag, value, 'out of range (1-4294967295)');
  return n;
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go `strconv.ParseBool`. */
export function parseBool(value: string, flag: string): boolean {
  const v = value.trim();
  if (BOOL_TRUE.has(v)) return true;
  if (BOOL_FALSE.has(v)) return false;
  return fail(flag, value, 'not a boolean (true/false)');
}

export function parseDuration(value: string, flag: string): string {
  const v = value.trim();
  if (v === '0' || /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))*$/.test(v)) {
    return v;
  }
  return fail(flag, value, 'not a duration (e.g. 5s, 1m30s)');
}

export function parseLoopbackCidr(value: string, flag: string): string {
  const p = parsePrefix(value.trim());
  if (!p) return fail(flag, value, 'not a CIDR (address/bits)');
  if (p.family !== 4 || !p.loopback) fail(flag, value, 'expected an IPv4 loopback CIDR (127.0.0.0/8)');
  if (p.bits < 8 || p.bits > 32) fail(flag, value, 'mask must be in the range [8, 32]');
  return p.cidr;
}

export function parseOwnerGroupsInclude(value: string, flag: string): '*' | string[] {
  if (value.trim() === '*') return '*';
  return parseOwnerList(value, flag);
}
