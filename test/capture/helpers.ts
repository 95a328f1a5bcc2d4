// Shared helpers for the capture (istio-iptables) tests.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generateRules } from '../../src/capture/rules.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';

export const ISTIO_CONFORMANCE = join(import.meta.dirname, '..', 'fixtures', 'istio');
export const IPTABLES_GOLDENS = join(ISTIO_CONFORMANCE, 'iptables');
export const INJECT_GOLDENS = join(ISTIO_CONFORMANCE, 'inject');

/** The securityContext capture-native gives istio-init: root for iptables, nothing but NET_ADMIN and NET_RAW. */
export const CAPTURE_NATIVE_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsGroup: 0,
  runAsNonRoot: false,
  runAsUser: 0,
};

/** The args Istio's default `sidecar` template gives istio-init (golden hello-old-version.yaml.injected). */
export const DEFAULT_INJECTED_ARGS: readonly string[] = [
  'istio-iptables',
  '-p',
  '15001',
  '-z',
  '15006',
  '-u',
  '1337',
  '-m',
  'REDIRECT',
  '-i',
  '*',
  '-x',
  '',
  '-b',
  '*',
  '-d',
  '15090,15021,15020',
  '--log_output_level=default:info',
];

/**
 * The iptables-restore input inside a golden: a golden is what istio-iptables executed, i.e.
 * `iptables-save` / `ip6tables-save` reads, the restore input, then a final `iptables-save`.
 */
export function restoreInputOfGolden(name: string): string {
  const lines = readFileSync(join(IPTABLES_GOLDENS, name), 'utf8').split('\n');
  const first = lines.findIndex((l) => l.startsWith('* '));
  const last = lines.lastIndexOf('COMMIT');
  if (first < 0 || last < first) throw new Error(`no restore input in ${name}`);
  return `${lines.slice(first, last + 1).join('\n')}\n`;
}

export interface TableView {
  /** `-N` lines, in order. */
  newChains: string[];
  /** Rule lines per chain, in order (`-A X` and `-I X n`). */
  chains: Map<string, string[]>;
  /** All rule lines in order. */
  rules: string[];
}

/** Splits restore input into tables → chains → rules, checking its framing. */
export function parseRestore(text: string): Map<string, TableView> {
  const tables = new Map<string, TableView>();
  let current: TableView | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('* ')) {
      if (current) throw new Error(`table ${line} opened before COMMIT`);
      current = { newChains: [], chains: new Map(), rules: [] };
      tables.set(line.slice(2), current);
      continue;
    }
    if (!current) throw new Error(`line outside a table: ${line}`);
    if (line === 'COMMIT') {
      current = undefined;
      continue;
    }
    const [op, chain] = line.split(' ');
    if (op === '-N') {
      current.newChains.push(chain as string);
    } else if (op === '-A' || op === '-I') {
      current.rules.push(line);
      const l = current.chains.get(chain as string) ?? [];
      l.push(line);
      current.chains.set(chain as string, l);
    } else {
      throw new Error(`unexpected line: ${line}`);
    }
  }
  if (current) throw new Error('missing final COMMIT');
  return tables;
}

/** Every `istio-iptables …` argument list in the injection goldens, by file. */
export function injectedIptablesArgs(): Array<{ file: string; args: string[] }> {
  const out: Array<{ file: string; args: string[] }> = [];
  const walk = (file: string, o: unknown): void => {
    if (Array.isArray(o)) {
      for (const x of o) walk(file, x);
    } else if (o && typeof o === 'object') {
      const args = (o as { args?: unknown }).args;
      if (Array.isArray(args) && args[0] === 'istio-iptables') out.push({ file, args: args.map(String) });
      for (const v of Object.values(o)) walk(file, v);
    }
  };
  for (const file of readdirSync(INJECT_GOLDENS)
    .filter((f) => f.endsWith('.injected'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(INJECT_GOLDENS, file), 'utf8'))) walk(file, doc.toJS());
  }
  return out;
}

const FIXTURES = join(import.meta.dirname, 'fixtures', 'save');
/** Real iptables-save output, by `<case>.<legacy|nft>.<v4|v6>.txt`. */
export const saveFixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/**
 * The settings of fixtures/save/: iptables-save output (iptables 1.8.9, legacy and nft) taken in a fresh
 * network namespace after `iptables-restore --noflush` of the rules generated for these settings, with
 * runtime { ipv6: true, dnsServers: ['10.96.0.10', 'fd00::a'] }.
 */
export const FIXTURE_CASES = {
  default: { args: [...DEFAULT_INJECTED_ARGS], env: {} },
  everything: {
    args: [
      '-p',
      '15001',
      '-z',
      '15006',
      '-u',
      '1337',
      '-m',
      'TPROXY',
      '-i',
      '10.96.0.1/24,fd00::/8',
      '-x',
      '10.1.2.3/16,fd01::1/64',
      '-b',
      '*',
      '-d',
      '15090,15021,15020',
      '-q',
      '3306',
      '-o',
      '25',
      '-k',
      'eth1',
      '-c',
      'net1',
      '--redirect-dns',
      '--drop-invalid',
    ],
    env: { ISTIO_OUTBOUND_OWNER_GROUPS: '101,202' },
  },
};

export function fixtureRules(name: keyof typeof FIXTURE_CASES): { ipv4: string; ipv6: string } {
  const c = FIXTURE_CASES[name];
  const r = generateRules(parseCaptureArgs(c.args, c.env), { ipv6: true, dnsServers: ['10.96.0.10', 'fd00::a'] });
  return { ipv4: r.ipv4, ipv6: r.ipv6 as string };
}
