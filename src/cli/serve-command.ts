// `sidecar-injector serve`: the webhook. With no flags (npm start) it serves the built-in configuration
// over HTTPS on :9443 (/inject) and :9444 (/preview) with a self-signed certificate it creates in
// .sidecar-injector/certs, and health and metrics over HTTP on :8080. This file parses and checks the
// flags; src/serve/ wires and runs the server.
import { isIP } from 'node:net';
import { pino } from 'pino';
import { statSync } from 'node:fs';
import type { SettingsFilePaths } from '../config/config-dir.ts';
import { readOptionalFile, readTemplatesDir } from '../config/files.ts';
import { settingsDocument } from '../core/settings/configmap.ts';
import { buildSettings, type NativeSidecarMode } from '../core/settings/index.ts';
import { parseOverride, type SetOverride } from '../core/settings/set-flags.ts';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import { serve } from '../serve/serve.ts';
import { SERVE } from './commands.ts';
import { parseCommand, usageText } from './flags.ts';
import { CliFailure, UsageError, type CliIO } from './io.ts';
import { proxyConfigsFromFlags } from './settings-flags.ts';

function port(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} must be a port number (got ${v})`);
  return Number(v);
}

function seconds(v: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag} must be a positive number of seconds (got ${v})`);
  return Number(v);
}

const NATIVE_MODES: readonly string[] = ['true', 'false', 'auto'];

/** Each --set must parse, and hold a value of the type its key wants (whatever the config directory says,
 * a --set is applied last, so a wrong type there can never load). */
function checkSet(o: SetOverride, builtin: Record<string, string>): void {
  try {
    parseOverride(o);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    buildSettings({ templates: builtin, sets: [o] });
  } catch (e) {
    throw new UsageError(
      `${typeof o === 'string' ? `--set ${o}` : `--set-string ${'setString' in o ? o.setString : o.key}`}: ${(e as Error).message}`,
    );
  }
}

interface ServeFlags {
  'config-dir'?: string;
  config?: string;
  values?: string;
  mesh?: string;
  'cert-dir'?: string;
  'cert-secret'?: string;
  namespace?: string;
  service?: string;
  'cert-lifetime'?: string;
  'cert-host'?: string[];
  host?: string;
  port?: string;
  'ops-port'?: string;
  'ops-host'?: string;
  set?: string[];
  'set-string'?: string[];
  'preview-port'?: string;
  'preview-host'?: string;
  'native-sidecars'?: string;
  'log-level'?: string;
  'poll-seconds'?: string;
  kubeconfig?: string;
  'no-cluster'?: boolean;
  'webhook-config'?: string;
  'proxy-configs'?: string;
  'istio-configmaps'?: string;
  revision?: string;
}

function checkServeFlags(f: ServeFlags) {
  const native = f['native-sidecars'];
  if (native !== undefined && !NATIVE_MODES.includes(native))
    throw new UsageError(`--native-sidecars must be true, false or auto (got ${JSON.stringify(native)})`);
  const levels = [...Object.keys(pino.levels.values), 'silent'];
  const logLevel = f['log-level'] ?? 'info';
  if (!levels.includes(logLevel)) throw new UsageError(`--log-level must be one of ${levels.join(', ')} (got ${JSON.stringify(logLevel)})`);
  if (f.set?.length || f['set-string']?.length) {
    const builtin = readTemplatesDir();
    for (const expr of f.set ?? []) checkSet(expr, builtin);
    for (const expr of f['set-string'] ?? []) checkSet({ setString: expr }, builtin);
  }
  return {
    nativeSidecars: native as NativeSidecarMode | undefined,
    logLevel,
    port: port(f.port, '--port', 9443),
    opsPort: port(f['ops-port'], '--ops-port', 8080),
    previewPort: port(f['preview-port'], '--preview-port', 9444),
    pollMs: seconds(f['poll-seconds'] ?? '10', '--poll-seconds') * 1000,
  };
}

/** --proxy-configs FILE, read once at start: a file that cannot be read or parsed is a usage error. */
function proxyConfigsFlag(path: string | undefined, io: CliIO): ProxyConfigSet | undefined {
  try {
    return proxyConfigsFromFlags({ 'proxy-configs': path }, io.stderr);
  } catch (e) {
    throw new UsageError(`--proxy-configs: ${(e as Error).message}`);
  }
}

// a Kubernetes name (DNS-1123 label), as namespaces and revisions are
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** --config/--values/--mesh FILE: each read (and watched) on its own, winning over --config-dir's file. */
function settingsFileFlags(f: { config?: string; values?: string; mesh?: string; 'istio-configmaps'?: string }): SettingsFilePaths | undefined {
  const files: SettingsFilePaths = {};
  for (const key of ['config', 'values', 'mesh'] as const) {
    const path = f[key];
    if (path === undefined) continue;
    if (f['istio-configmaps'] !== undefined) throw new UsageError(`--${key} and --istio-configmaps are two sources of the same settings: give one`);
    // read now, so a wrong path or a file without the key is a usage error and not a replica that never gets ready
    try {
      settingsDocument(readOptionalFile(path, key)!, key, path);
    } catch (e) {
      throw new UsageError(`--${key}: ${(e as Error).message}`);
    }
    files[key] = path;
  }
  return Object.keys(files).length > 0 ? files : undefined;
}

/** --revision R: the revision this injector serves (Istio's revision names are DNS labels; `default` when not given). */
function revisionFlag(rev: string | undefined): string {
  if (rev === undefined) return 'default';
  if (!DNS_LABEL.test(rev))
    throw new UsageError(`--revision must be a revision name, a DNS label such as canary or 1-28-0 (got ${JSON.stringify(rev)})`);
  return rev;
}

/** --istio-configmaps NAMESPACE: istiod's ConfigMaps instead of a configuration directory (with a revision other
 * than default, those of that revision: istio-sidecar-injector-R and istio-R). */
function istioConfigMapsFlags(f: { 'istio-configmaps'?: string; 'config-dir'?: string; 'no-cluster'?: boolean }, revision: string) {
  const ns = f['istio-configmaps'];
  if (ns === undefined) return undefined;
  if (!DNS_LABEL.test(ns)) throw new UsageError(`--istio-configmaps must be a namespace name (got ${JSON.stringify(ns)})`);
  if (f['config-dir'] !== undefined) throw new UsageError('--istio-configmaps and --config-dir are two sources of the same settings: give one');
  if (f['no-cluster']) throw new UsageError('--istio-configmaps reads the cluster, which --no-cluster turns off');
  // Istio's chart names the default revision's ConfigMaps without a suffix
  return { namespace: ns, ...(revision !== 'default' ? { revision } : {}) };
}

const YEAR_SECONDS = 365 * 24 * 3600;

/** --cert-secret NAME (with --namespace or $POD_NAMESPACE, --service, --cert-lifetime): the certificate from a Secret. */
function certSecretFlags(
  f: {
    'cert-secret'?: string;
    'cert-dir'?: string;
    namespace?: string;
    service?: string;
    'cert-lifetime'?: string;
    'cert-host'?: string[];
    'no-cluster'?: boolean;
  },
  revision: string,
) {
  const name = f['cert-secret'];
  if (name === undefined) {
    for (const k of ['service', 'cert-lifetime', 'cert-host'] as const)
      if (f[k] !== undefined) throw new UsageError(`--${k} goes with --cert-secret`);
    return undefined;
  }
  if (f['cert-dir'] !== undefined) throw new UsageError('--cert-dir and --cert-secret are two sources of the certificate: give one');
  if (f['no-cluster']) throw new UsageError('--cert-secret reads the cluster, which --no-cluster turns off');
  const namespace = f.namespace ?? process.env.POD_NAMESPACE;
  if (namespace === undefined)
    throw new UsageError('--cert-secret needs the namespace of the Secret: --namespace, or $POD_NAMESPACE as deploy/ sets it');
  const service = f.service ?? (revision === 'default' ? 'sidecar-injector' : `sidecar-injector-${revision}`);
  const named: Array<[string, string]> = [
    ['--cert-secret', name],
    ['--namespace', namespace],
    ['--service', service],
  ];
  for (const [flag, v] of named) if (!DNS_LABEL.test(v)) throw new UsageError(`${flag} must be a Kubernetes name (got ${JSON.stringify(v)})`);
  const lifetimeMs = seconds(f['cert-lifetime'] ?? String(YEAR_SECONDS), '--cert-lifetime') * 1000;
  const hosts = f['cert-host'] ?? [];
  for (const h of hosts)
    if (isIP(h) === 0 && !/^(\*\.)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(h))
      throw new UsageError(`--cert-host must be a DNS name or an IP address (got ${JSON.stringify(h)})`);
  return { name, namespace, service, lifetimeMs, hosts };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(SERVE, argv);
  if (parsed.help) {
    io.stdout(usageText(SERVE));
    return 0;
  }
  const f = parsed.values as ServeFlags;
  f['webhook-config'] ??= process.env.WEBHOOK_CONFIGURATION_NAME;
  // every flag is checked before anything is created or served: a typo is a usage error, not a replica
  // that starts and then refuses every pod
  const flags = checkServeFlags(f);
  const proxyConfigs = proxyConfigsFlag(f['proxy-configs'], io);
  const settingsFiles = settingsFileFlags(f);
  const revision = revisionFlag(f.revision);
  const istioConfigMaps = istioConfigMapsFlags(f, revision);
  certDirFlag(f['cert-dir']);
  const ports = { '--port': flags.port, '--preview-port': flags.previewPort, '--ops-port': flags.opsPort };
  const certSecret = certSecretFlags(f, revision);
  await serve({
    configDir: f['config-dir'],
    settingsFiles,
    certDir: f['cert-dir'],
    certSecret,
    sets: [...(f.set ?? []), ...(f['set-string'] ?? []).map((setString) => ({ setString }))],
    nativeSidecars: flags.nativeSidecars,
    logLevel: flags.logLevel,
    pollMs: flags.pollMs,
    webhook: { host: f.host!, port: flags.port },
    preview: { host: f['preview-host'] ?? f.host!, port: flags.previewPort },
    ops: { host: f['ops-host'] ?? f.host!, port: flags.opsPort },
    kubeconfigPath: f.kubeconfig,
    noCluster: f['no-cluster']!,
    webhookConfig: f['webhook-config'],
    revision,
    proxyConfigs,
    istioConfigMaps,
  }).catch((e: unknown) => {
    throw startFailure(e, ports, f['cert-dir']);
  });
  return 0;
}

/** --cert-dir DIR must be a directory (its files may come later: they are watched). */
function certDirFlag(dir: string | undefined): void {
  if (dir === undefined) return;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {}
  if (!isDir) throw new CliFailure(`--cert-dir ${dir}: no such directory (want one holding tls.crt and tls.key)`);
}

/** Why serve could not start, naming the flag to change: a port in use or not allowed, a certificate missing. */
function startFailure(e: unknown, ports: Record<string, number>, certDir: string | undefined): unknown {
  const { code, port } = e as { code?: string; port?: number };
  const flag = Object.entries(ports).find(([, p]) => p === port)?.[0];
  if (code === 'EADDRINUSE' && flag) return new CliFailure(`port ${port} is in use (${flag})`);
  if (code === 'EACCES' && flag) return new CliFailure(`port ${port} needs privileges to listen on (${flag}): pick one above 1023`);
  if (certDir !== undefined && /^no usable certificate in /.test((e as Error).message ?? ''))
    return new CliFailure(`${(e as Error).message} (--cert-dir)`);
  return e;
}
