/**
 * One canonical text per iptables rule, so a rule as we write it (`-o lo -p tcp ! --dport 53 -m owner …`)
 * compares equal to the same rule as `iptables-save` prints it back (`-o lo -p tcp -m tcp ! --dport 53 …`).
 *
 * What iptables changes between input and `-save` output, and what this undoes:
 * - base options are printed in a fixed order (-s -d -i -o -p), addresses masked with an explicit length;
 * - `-p tcp --dport N` gains the implicit `-m tcp` (same for udp);
 * - numbers come back in hex (`--mark 0x539`), full masks spelled out (`/0xffffffff`);
 * - targets print their defaults (`CONNMARK --nfmask 0xffffffff --ctmask 0xffffffff`,
 *   `TPROXY --on-ip 0.0.0.0`), `MARK --set-mark X` becomes `--set-xmark X/0xffffffff`,
 *   `REDIRECT --to-port` becomes `--to-ports`, and target options are reordered.
 * Both backends (legacy and nft, iptables 1.8) print rules the same way; only table order differs.
 *
 * Pure. Anything not understood is kept as written, so an unknown rule can only compare *unequal*.
 */
import { maskedCidr } from './net.ts';

/** Splits a rule line into words, honouring the double quotes iptables-save uses (`--comment "a b"`). */
export function splitRuleWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const BASE: Record<string, string> = {
  '-s': '-s',
  '--source': '-s',
  '--src': '-s',
  '-d': '-d',
  '--destination': '-d',
  '--dst': '-d',
  '-i': '-i',
  '--in-interface': '-i',
  '-o': '-o',
  '--out-interface': '-o',
  '-p': '-p',
  '--protocol': '-p',
  '-f': '-f',
  '--fragment': '-f',
};
const BASE_ORDER = ['-s', '-d', '-i', '-o', '-p', '-f'];
const PROTOCOL_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'ipv6-icmp', '132': 'sctp' };
/** Options that load the protocol's own match implicitly when no `-m tcp`/`-m udp` is given. */
const PROTO_OPTIONS = new Set(['--dport', '--sport', '--destination-port', '--source-port', '--tcp-flags', '--syn', '--tcp-option']);
const OPTION_ALIASES: Record<string, string> = {
  '--destination-port': '--dport',
  '--source-port': '--sport',
  '--destination-ports': '--dports',
  '--source-ports': '--sports',
  '--to-port': '--to-ports',
  '--set-mark': '--set-xmark',
};
const FULL_MASK = 0xffffffff;

interface Opt {
  name: string;
  neg: boolean;
  values: string[];
}

/** `0x539` → `1337`; `1337/0xffffffff` → `1337` (a full mask is the same as none). */
function normalizeNumber(v: string): string {
  const part = (p: string): string => (/^0x[0-9a-f]+$/i.test(p) ? String(parseInt(p, 16)) : /^[0-9]+$/.test(p) ? String(Number(p)) : p);
  const slash = v.indexOf('/');
  if (slash < 0) return part(v);
  const a = part(v.slice(0, slash));
  const m = part(v.slice(slash + 1));
  if (/^[0-9]+$/.test(a) && m === String(FULL_MASK)) return a;
  return `${a}/${m}`;
}

function optText(o: Opt): string {
  return [o.neg ? '!' : '', o.name, ...o.values].filter((x) => x !== '').join(' ');
}

const byName = (a: Opt, b: Opt): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Target options equal to the target's default, which iptables-save prints but we never write. */
function isDefaultTargetOption(target: string, o: Opt): boolean {
  const v = o.values[0];
  if (target === 'CONNMARK' && (o.name === '--nfmask' || o.name === '--ctmask')) return v === String(FULL_MASK);
  if (target === 'TPROXY' && o.name === '--on-ip') return v === '0.0.0.0' || v === '::';
  return false;
}

/** One rule's parts: base options (`-p`, `-s`, ...), matches in order, and the target. */
interface ParsedRule {
  base: Map<string, Opt>;
  matches: Array<{ name: string; opts: Opt[] }>;
  target: { name: string; goto: boolean; opts: Opt[] } | undefined;
}

/**
 * The canonical text of one rule (without `-A`/`-I` and the chain), e.g.
 * `-o lo -p tcp | -m tcp ! --dport 53 | -m owner ! --uid-owner 1337 | -j RETURN`.
 * `words` are the rule's words after the chain name (and after the position for `-I`).
 */
export function canonicalRule(words: readonly string[]): string {
  const { base, matches, target } = parseRule(words);
  const parts: string[] = [];
  const baseText = BASE_ORDER.filter((k) => base.has(k)).map((k) => optText(base.get(k) as Opt));
  parts.push(baseText.join(' '));
  for (const m of matches) parts.push([`-m ${m.name}`, ...[...m.opts].sort(byName).map(optText)].join(' '));
  if (target) {
    const opts = target.opts.filter((o) => !isDefaultTargetOption(target.name, o)).sort(byName);
    parts.push([`${target.goto ? '-g' : '-j'} ${target.name}`, ...opts.map(optText)].join(' '));
  }
  return parts.join(' | ');
}

/** The match named `name`, added at the end when the rule has none yet. */
function matchNamed(matches: ParsedRule['matches'], name: string): { name: string; opts: Opt[] } {
  const m = matches.find((x) => x.name === name);
  if (m) return m;
  const created = { name, opts: [] as Opt[] };
  matches.push(created);
  return created;
}

/** A base option (`-s`, `-d`, `-p`, ...) with its value as iptables-save prints it. */
function baseOption(name: string, raw: string, neg: boolean): Opt {
  let value = raw;
  if (name === '-s' || name === '-d') value = maskedCidr(value) ?? value;
  if (name === '-p') value = PROTOCOL_NUMBERS[value] ?? value.toLowerCase();
  return { name, neg, values: value === '' ? [] : [value] };
}

/** Reads a rule's words as iptables does: each `--option` belongs to the match or target before it. */
function parseRule(words: readonly string[]): ParsedRule {
  const base = new Map<string, Opt>();
  const matches: Array<{ name: string; opts: Opt[] }> = [];
  let target: { name: string; goto: boolean; opts: Opt[] } | undefined;
  let current: Opt[] | undefined; // where the next --option goes
  let currentMatch: string | undefined;
  let neg = false;
  let protocol = '';

  let i = 0;
  /** The values after the word at `i` (up to the next option or `!`), consumed. */
  const takeValues = (): string[] => {
    const vals: string[] = [];
    while (i + 1 < words.length && !(words[i + 1] as string).startsWith('-') && words[i + 1] !== '!') vals.push(words[++i] as string);
    return vals;
  };
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '!') {
      neg = true;
      continue;
    }
    if (BASE[w]) {
      const opt = baseOption(BASE[w] as string, takeValues()[0] ?? '', neg);
      if (opt.name === '-p') protocol = opt.values[0] ?? '';
      base.set(opt.name, opt);
    } else if (w === '-m' || w === '--match') {
      const [name = ''] = takeValues();
      const m = { name, opts: [] as Opt[] };
      matches.push(m);
      current = m.opts;
      currentMatch = name;
    } else if (w === '-j' || w === '--jump' || w === '-g' || w === '--goto') {
      const [name = ''] = takeValues();
      target = { name, goto: w === '-g' || w === '--goto', opts: [] };
      current = target.opts;
      currentMatch = undefined;
    } else if (w.startsWith('-')) {
      const name = OPTION_ALIASES[w] ?? w;
      const values = takeValues().map(normalizeNumber);
      const opt: Opt = { name, neg, values };
      if (!target && PROTO_OPTIONS.has(w) && currentMatch !== protocol && (protocol === 'tcp' || protocol === 'udp')) {
        // `-p tcp --dport 53`: iptables loads `-m tcp` here, and prints it.
        matchNamed(matches, protocol).opts.push(opt);
      } else if (current) {
        current.push(opt);
      } else {
        matchNamed(matches, '?').opts.push(opt);
      }
    } else {
      // A stray word: keep it, so the rule can only compare unequal.
      (current ?? matchNamed(matches, '?').opts).push({ name: w, neg, values: [] });
    }
    neg = false;
  }
  return { base, matches, target };
}

/** The jump target of a rule (`-j X` or `-g X`), or undefined. */
export function ruleTarget(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i];
    if (w === '-j' || w === '--jump' || w === '-g' || w === '--goto') return words[i + 1];
  }
  return undefined;
}
