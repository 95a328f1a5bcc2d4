/**
 * The tables of a network namespace as data: from `iptables-save` output, or from the
 * `iptables-restore --noflush` input we generate (replaying its `-A` / `-I <n>` in order, so chains end
 * up in the order the kernel will hold them). Pure.
 */
import { splitRuleWords } from './normalize.ts';

/** One rule: the chain it is in and its words after the chain name (as written or as saved). */
export interface RuleLine {
  readonly chain: string;
  readonly words: readonly string[];
  /** The line as read, for messages and for `-D`. */
  readonly text: string;
}

export interface Table {
  /** Every chain declared (`:NAME POLICY` in save output, `-N NAME` in restore input) or holding rules. */
  readonly chains: Map<string, RuleLine[]>;
}

/** Tables by name. */
export type Ruleset = Map<string, Table>;

export const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/** Chains we own: istio-iptables' names all start with `ISTIO_`. */
export const isOwnChain = (chain: string): boolean => chain.startsWith('ISTIO_');

function tableOf(set: Ruleset, name: string): Table {
  const t = set.get(name) ?? { chains: new Map() };
  set.set(name, t);
  return t;
}

function chainOf(t: Table, name: string): RuleLine[] {
  const c = t.chains.get(name) ?? [];
  t.chains.set(name, c);
  return c;
}

export class RulesetParseError extends Error {}

/**
 * Parses `iptables-save` output (either backend): `*table`, `:CHAIN POLICY [p:b]`, `-A CHAIN …`,
 * `COMMIT`, `#` comments. Counters in `[p:b]` prefixes (`iptables-save -c`) are ignored.
 */
export function parseSave(text: string): Ruleset {
  const set: Ruleset = new Map();
  let table: Table | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = tableOf(set, line.slice(1).trim());
      continue;
    }
    if (!table) throw new RulesetParseError(`iptables-save line ${n + 1} is outside a table: ${line}`);
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    if (line.startsWith(':')) {
      chainOf(table, line.slice(1).split(/\s+/)[0] as string);
      continue;
    }
    if (line.startsWith('[')) line = line.replace(/^\[[0-9]+:[0-9]+\]\s*/, '');
    const words = splitRuleWords(line);
    if (words[0] !== '-A' || words.length < 2) throw new RulesetParseError(`iptables-save line ${n + 1} is not a rule: ${line}`);
    const chain = words[1] as string;
    chainOf(table, chain).push({ chain, words: words.slice(2), text: line });
  }
  return set;
}

/**
 * Replays our restore input (`* table`, `-N`, `-A`, `-I CHAIN n`, `COMMIT`) onto empty chains:
 * the built-in chains hold only our rules, in the order ours will have among themselves.
 */
export function parseRestoreInput(text: string): Ruleset {
  const set: Ruleset = new Map();
  let table: Table | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = tableOf(set, line.slice(1).trim());
      continue;
    }
    if (!table) throw new RulesetParseError(`restore input line ${n + 1} is outside a table: ${line}`);
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    const words = splitRuleWords(line);
    const [op, chain] = words;
    if (chain === undefined) throw new RulesetParseError(`restore input line ${n + 1} is incomplete: ${line}`);
    if (op === '-N') {
      chainOf(table, chain);
    } else if (op === '-A') {
      chainOf(table, chain).push({ chain, words: words.slice(2), text: line });
    } else if (op === '-I') {
      const pos = Number(words[2]);
      if (!Number.isInteger(pos) || pos < 1) throw new RulesetParseError(`restore input line ${n + 1} has no position: ${line}`);
      const rules = chainOf(table, chain);
      rules.splice(Math.min(pos - 1, rules.length), 0, { chain, words: words.slice(3), text: line });
    } else {
      throw new RulesetParseError(`restore input line ${n + 1} is not -N/-A/-I: ${line}`);
    }
  }
  return set;
}

/** Number of rules in a ruleset (any chain). */
export function ruleCount(set: Ruleset): number {
  let n = 0;
  for (const t of set.values()) for (const rules of t.chains.values()) n += rules.length;
  return n;
}
