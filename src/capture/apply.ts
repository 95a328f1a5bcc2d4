/**
 * The edge of capture: runs iptables-save / iptables-restore / ip in the current network namespace.
 * Every decision (which backend, whether the rules are already there, what cleanup removes, what a
 * failure means) is made by the pure modules; this file only gathers facts and runs commands.
 * `Host` is passed in so the flow can be driven with a fake in tests.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { delimiter, join } from 'node:path';
import { chooseVariant, countSavedRules, forcedVariant, lockEnv, toolsOf, VARIANTS, type Tools, type VariantProbe } from './backend.ts';
import { cleanupPlan } from './cleanup.ts';
import { CaptureRunError, isAlreadyPresent, missingBinary, toolFailure, type ToolResult } from './failures.ts';
import { decideApply, unsupportedSetting, type FamilyState } from './plan.ts';
import { generateRules, type CaptureRules } from './rules.ts';
import { captureRuntime, type InterfaceAddress } from './pod-network.ts';
import type { CaptureSettings } from './settings.ts';
import { compareState } from './state.ts';

export interface Host {
  /** Runs argv[0] (a name found with `which`), feeding `input` on stdin. Never throws. */
  run(argv: readonly string[], opts?: { input?: string; env?: Record<string, string> }): Promise<ToolResult>;
  /** Absolute path of a binary, or undefined when it is not installed. */
  which(name: string): string | undefined;
  /** Addresses of this network namespace's interfaces. */
  addresses(): InterfaceAddress[];
  readFile(path: string): string | undefined;
  /** Whether legacy iptables can create its default lock file (/run/xtables.lock). */
  defaultLockWritable(): boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export type Log = (message: string) => void;

/** Each command gets this long; the xtables lock wait (--wait=30) fits inside it. */
const RUN_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 16 * 1024 * 1024;
// Containers often have a PATH without the sbin directories, where iptables and ip live.
const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** The absolute path of `name` on PATH (and the sbin directories), or undefined. */
function findOnPath(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_PATH];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command with `input` on stdin, its output capped and its time bounded. Never throws. */
function runCommand(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  opts: { input?: string; env?: Record<string, string> },
): Promise<ToolResult> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { env: { ...env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString();
    });
    child.stdin.on('error', () => {
      /* the tool may exit before reading everything; its exit code says why */
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr || e.message, notFound: e.code === 'ENOENT' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export function realHost(env: Readonly<Record<string, string | undefined>> = process.env): Host {
  return {
    env,
    which: (name) => findOnPath(env, name),
    run: (argv, opts = {}) => runCommand(env, argv, opts),
    addresses() {
      return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => ({ address: a.address, internal: a.internal })));
    },
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    defaultLockWritable() {
      try {
        accessSync('/run/xtables.lock', constants.W_OK);
        return true;
      } catch {
        try {
          accessSync('/run', constants.W_OK);
          return true;
        } catch {
          return false;
        }
      }
    },
  };
}

/** The rules for these settings in this namespace (IPv6 and DNS servers as found here). */
export function rulesHere(settings: CaptureSettings, host: Host): CaptureRules {
  const resolv = settings.redirectDNS && !settings.captureAllDNS ? host.readFile('/etc/resolv.conf') : undefined;
  return generateRules(settings, captureRuntime(settings, host.addresses(), resolv));
}

/** Runs a tool found on PATH; throws the operator-facing error when it fails. */
async function runTool(host: Host, argv: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<ToolResult> {
  const path = host.which(argv[0] as string);
  if (!path) throw missingBinary(argv[0] as string);
  const r = await host.run([path, ...argv.slice(1)], opts);
  if (r.code !== 0) throw toolFailure(argv, r, opts.input);
  return r;
}

/** Detects the backend (backend.ts) and checks every binary this run needs is there. */
async function detectTools(settings: CaptureSettings, host: Host, needV6: boolean, log: Log): Promise<Tools> {
  // --native-nftables: Istio then writes nft rules itself; we write the same rules through iptables-nft,
  // which puts them in nftables too (in its compatibility tables).
  const byFlag = forcedVariant(settings.forceIptablesBinary);
  const forced = byFlag ?? (settings.nativeNftables ? 'iptables-nft' : undefined);
  const probes: VariantProbe[] = [];
  for (const variant of forced ? [forced] : VARIANTS) {
    const t = toolsOf(variant);
    const missing = [t.save, t.restore].find((b) => !host.which(b));
    const probe: VariantProbe = { variant, installed: missing === undefined, rules: 0 };
    if (missing) probe.missing = missing;
    if (probe.installed) {
      const r = await host.run([host.which(t.save) as string]);
      probe.rules = r.code === 0 ? countSavedRules(r.stdout) : 0;
    }
    probes.push(probe);
    if (probe.rules > 0) break; // the first variant with rules wins; no need to look further
  }
  const choice = chooseVariant(probes, forced, byFlag ? '--force-iptables-binary' : '--native-nftables');
  if ('missing' in choice) throw missingBinary(choice.missing);
  const tools = toolsOf(choice.variant);
  if (needV6) for (const b of [tools.save6, tools.restore6]) if (!host.which(b)) throw missingBinary(b);
  log(`using ${tools.variant} (${choice.why})`);
  return tools;
}

interface Family {
  name: 'IPv4' | 'IPv6';
  save: string;
  restore: string;
  input: string;
}

function families(tools: Tools, rules: CaptureRules): Family[] {
  const out: Family[] = [{ name: 'IPv4', save: tools.save, restore: tools.restore, input: rules.ipv4 }];
  if (rules.ipv6 !== undefined) out.push({ name: 'IPv6', save: tools.save6, restore: tools.restore6, input: rules.ipv6 });
  return out;
}

function restoreArgs(tools: Tools, restore: string): string[] {
  // Legacy takes the xtables lock: wait for it rather than fail when kubelet or a CNI holds it briefly.
  return tools.maybeLegacy ? [restore, '--noflush', '--wait=30'] : [restore, '--noflush'];
}

async function removeOwn(
  host: Host,
  tools: Tools,
  fam: { name: string; save: string; restore: string },
  env: Record<string, string>,
  log: Log,
): Promise<void> {
  const saved = await runTool(host, [fam.save], { env });
  const plan = cleanupPlan(saved.stdout);
  if (!plan.input) {
    log(`${fam.name}: no ISTIO_* chains or jumps to remove`);
    return;
  }
  await runTool(host, restoreArgs(tools, fam.restore), { input: plan.input, env });
  log(`${fam.name}: removed ${plan.chains.length} chains (${plan.chains.join(', ')}) and ${plan.jumps.length} jumps to them`);
}

/** `--cleanup-only`: removes our chains and the jumps to them, in both families when ip6tables is there. */
export async function cleanupCapture(settings: CaptureSettings, host: Host, log: Log): Promise<void> {
  const tools = await detectTools(settings, host, false, log);
  const env = lockEnv(tools, host.env, host.defaultLockWritable());
  await removeOwn(host, tools, { name: 'IPv4', save: tools.save, restore: tools.restore }, env, log);
  if (host.which(tools.save6) && host.which(tools.restore6)) {
    await removeOwn(host, tools, { name: 'IPv6', save: tools.save6, restore: tools.restore6 }, env, log);
  }
}

/** Applies the rules unless they are already in place; see plan.ts for what happens to stale ones. */
export async function applyCapture(settings: CaptureSettings, host: Host, log: Log): Promise<void> {
  const unsupported = unsupportedSetting(settings);
  if (unsupported) throw new CaptureRunError(unsupported, 2);
  if (settings.skipRuleApply) {
    log('not applying rules (--skip-rule-apply)');
    return;
  }
  const rules = rulesHere(settings, host);
  if (rules.routes.length > 0 && !host.which('ip')) throw missingBinary('ip');
  const tools = await detectTools(settings, host, rules.ipv6 !== undefined, log);
  const env = lockEnv(tools, host.env, host.defaultLockWritable());
  const fams = families(tools, rules);

  const states: FamilyState[] = [];
  for (const f of fams) {
    const saved = await runTool(host, [f.save], { env });
    states.push({ family: f.name, comparison: compareState(f.input, saved.stdout) });
  }
  const action = decideApply(states, settings);
  if (action.kind === 'skip') {
    log(`rules already in place (${fams.map((f) => f.name).join(', ')}); nothing to do`);
    return;
  }
  if (action.kind === 'replace') {
    log(action.why);
    for (const f of fams) await removeOwn(host, tools, f, env, log);
  }
  for (const f of fams) {
    // The rules go to the log first, as istio-iptables does: `kubectl logs -c istio-init` shows them.
    log(`${f.name}: ${f.restore} --noflush input:\n${f.input.trimEnd()}`);
    await runTool(host, restoreArgs(tools, f.restore), { input: f.input, env });
    log(`${f.name}: applied ${f.input.split('\n').filter((l) => /^-[AI] /.test(l)).length} rules with ${f.restore} --noflush`);
  }
  for (const argv of rules.routes) {
    const path = host.which('ip') as string;
    const r = await host.run([path, ...argv.slice(1)]);
    if (r.code !== 0 && !isAlreadyPresent(r)) throw toolFailure(argv, r);
    log(`${argv.join(' ')}${r.code === 0 ? '' : ' (already present)'}`);
  }
}
