// `sidecar-injector namespace enable|disable NAME` and `namespace status [NAME]`: opt namespaces in or out
// of injection (the istio-injection label) and show which pods lack the sidecar they would get if created now.
import { KubeApiError } from '../kube/api-errors.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { reportClusterError } from './cluster-error.ts';
import { NamespaceClient, type NamespaceInfo } from '../kube/namespace-client.ts';
import { clusterInjectionEntries, noClusterEntriesWarning, TagClient } from '../kube/tag-client.ts';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { namespaceInjection, namespaceReport, revisionText, type ClusterPod, type NamespaceReport } from '../core/namespace-report.ts';
import { NAMESPACE } from './commands.ts';
import { parseCommand, usageText } from './flags.ts';
import { UsageError, type CliIO } from './io.ts';

const USAGE = `see: sidecar-injector namespace --help`;

const LABEL = 'istio-injection';
const REV_LABEL = 'istio.io/rev';
const MAX_CONFLICT_RETRIES = 3;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface Flags {
  kubeconfig?: string;
  revision?: string;
  output: string;
}

function clientFor(flags: Flags): NamespaceClient {
  const kc = loadKubeConfig({ kubeconfigPath: flags.kubeconfig });
  if (!kc) {
    throw new KubeApiError('no-cluster', 'no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run inside a pod');
  }
  return new NamespaceClient(kc);
}

/** What the revision label means once istio-injection is set to `value` (Istio selects by istio.io/rev only without istio-injection). */
function revisionConflictWarning(ns: string, rev: string, value: string, flags: Flags): string {
  const after = namespaceInjection(ns, { [LABEL]: value, [REV_LABEL]: rev }, { revision: flags.revision });
  const me = flags.revision || 'default';
  const outcome = after.optedIn
    ? `new pods are injected through webhook entry ${after.webhook?.name} (revision "${me}"), not by revision "${rev}"`
    : `new pods are not injected by revision "${me}"${me === rev ? '' : `, nor by revision "${rev}"`}`;
  return (
    `warning: namespace "${ns}" also has ${REV_LABEL}=${rev}. Istio's webhooks select a namespace by ${REV_LABEL} only when ${LABEL} is absent, ` +
    `so with ${LABEL}=${value} the ${REV_LABEL} label is ignored and ${outcome}. Keep only one of the two labels ` +
    `(e.g. kubectl label namespace ${ns} ${REV_LABEL}-).\n`
  );
}

async function setInjection(name: string, value: 'enabled' | 'disabled', flags: Flags, io: CliIO): Promise<number> {
  const client = clientFor(flags);
  let before: NamespaceInfo = await client.get(name);
  // Read, then patch with the read resourceVersion, so "was" is exactly what the patch replaced.
  for (let attempt = 1; ; attempt++) {
    const was = before.labels[LABEL];
    if (was === value) {
      io.stdout(`namespace "${name}": ${LABEL} is already "${value}"; nothing changed\n`);
      break;
    }
    try {
      await client.setLabel(name, LABEL, value, before.resourceVersion);
      io.stdout(`namespace "${name}": ${LABEL}=${value} (was ${was === undefined ? 'not set' : `"${was}"`})\n`);
      if (value === 'enabled') io.stdout(`existing pods get the sidecar only when re-created; see: sidecar-injector namespace status ${name}\n`);
      break;
    } catch (e) {
      if (!(e instanceof KubeApiError && e.kind === 'conflict') || attempt >= MAX_CONFLICT_RETRIES) throw e;
      before = await client.get(name);
    }
  }
  const rev = before.labels[REV_LABEL];
  if (rev !== undefined) io.stderr(revisionConflictWarning(name, rev, value, flags));
  return 0;
}

/** A warning when no webhook configuration serves `rev` (as a revision or a tag); nothing when that cannot be asked. */
async function unknownRevisionWarning(ns: string, rev: string, flags: Flags): Promise<string | undefined> {
  const kc = loadKubeConfig({ kubeconfigPath: flags.kubeconfig });
  if (!kc) return undefined;
  const tags = new TagClient(kc);
  try {
    const [asRevision, asTag] = await Promise.all([tags.list(`${REV_LABEL}=${rev}`), tags.list(`istio.io/tag=${rev}`)]);
    if (asRevision.length > 0 || asTag.length > 0) return undefined;
  } catch {
    return undefined; // not allowed to list webhook configurations: nothing to say
  }
  return `warning: no MutatingWebhookConfiguration serves revision or tag "${rev}": new pods in "${ns}" are not injected until one does\n`;
}

/** `enable NAME --revision R`: istio.io/rev=R and no istio-injection, in one patch (istio-injection would win over istio.io/rev). */
async function setRevision(name: string, rev: string, flags: Flags, io: CliIO): Promise<number> {
  if (!DNS_LABEL.test(rev)) throw new UsageError(`--revision must be a revision or tag name (got ${JSON.stringify(rev)})`);
  const client = clientFor(flags);
  let before: NamespaceInfo = await client.get(name);
  for (let attempt = 1; ; attempt++) {
    const was = before.labels[REV_LABEL];
    const injection = before.labels[LABEL];
    if (was === rev && injection === undefined) {
      io.stdout(`namespace "${name}": ${REV_LABEL} is already "${rev}"; nothing changed\n`);
      break;
    }
    try {
      await client.setLabels(name, { [REV_LABEL]: rev, [LABEL]: null }, before.resourceVersion);
      const removed = injection === undefined ? '' : `; ${LABEL} removed (was "${injection}")`;
      io.stdout(`namespace "${name}": ${REV_LABEL}=${rev} (was ${was === undefined ? 'not set' : `"${was}"`})${removed}\n`);
      io.stdout(`existing pods move to it only when re-created; see: sidecar-injector namespace status ${name}\n`);
      break;
    } catch (e) {
      if (!(e instanceof KubeApiError && e.kind === 'conflict') || attempt >= MAX_CONFLICT_RETRIES) throw e;
      before = await client.get(name);
    }
  }
  const warning = await unknownRevisionWarning(name, rev, flags);
  if (warning) io.stderr(warning);
  return 0;
}

function groupByNamespace(pods: ClusterPod[]): Map<string, ClusterPod[]> {
  const by = new Map<string, ClusterPod[]>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? '';
    by.set(ns, [...(by.get(ns) ?? []), p]);
  }
  return by;
}

/** Rows as aligned columns (also the tag command's). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function restartHint(owner: string, ns: string): string {
  const [kind, name] = owner.split('/') as [string, string];
  if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(kind)) return `kubectl rollout restart ${kind.toLowerCase()}/${name} -n ${ns}`;
  if (kind === 'Pod') return 'bare pod: delete and create it again';
  return `re-created by its ${kind}`;
}

function renderText(reports: NamespaceReport[], detailed: boolean): string {
  const rows = [['NAMESPACE', 'OPTED IN', 'REVISION', 'PODS', 'WITH SIDECAR', 'NEED RESTART', 'NOT ON REVISION', 'WHY']];
  for (const r of reports) {
    const counts = [r.pods, r.withSidecar, r.needRestart.length, r.notOnRevision.length].map(String);
    rows.push([r.namespace, r.optedIn ? 'yes' : 'no', revisionText(r.webhook), ...counts, r.why]);
  }
  let out = table(rows);
  for (const r of reports) {
    if (r.needRestart.length > 0) {
      out += `\npods in ${r.namespace} without the sidecar that would get it if re-created (made before injection was enabled, or while the injector was down):\n`;
      out += table(r.needRestart.map((p) => [`  ${p.name}`, p.owner, restartHint(p.owner, r.namespace)]));
    }
    const otherRevision = r.notOnRevision.filter((p) => p.revision !== null);
    if (otherRevision.length > 0) {
      out += `\npods in ${r.namespace} injected by another revision than ${revisionText(r.webhook)} (re-create them to move them):\n`;
      out += table(otherRevision.map((p) => [`  ${p.name}`, p.owner, `revision ${p.revision}`]));
    }
    if (detailed && r.skipped.length > 0) {
      out += `\npods in ${r.namespace} that are not injected by design:\n`;
      out += table(r.skipped.map((p) => [`  ${p.name}`, p.reason]));
    }
  }
  return out;
}

/** The cluster's injection entries; undefined (deploy/'s for --revision) when it has none or they cannot be listed, said on stderr. */
async function clusterEntries(flags: Flags, io: CliIO): Promise<InjectionEntry[] | undefined> {
  const kc = loadKubeConfig({ kubeconfigPath: flags.kubeconfig });
  if (!kc) return undefined;
  try {
    const entries = await clusterInjectionEntries(new TagClient(kc));
    if (entries.length > 0) return entries;
    io.stderr(noClusterEntriesWarning(flags.revision));
    return undefined;
  } catch (e) {
    if (!(e instanceof KubeApiError)) throw e;
    const me = flags.revision || 'default';
    io.stderr(`warning: ${e.message}; deciding with the webhook entries deploy/ makes for revision "${me}"\n`);
    return undefined;
  }
}

async function status(name: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  if (flags.output !== 'text' && flags.output !== 'json') throw new UsageError(`-o must be text or json, not "${flags.output}"`);
  const client = clientFor(flags);
  const namespaces = name !== undefined ? [await client.get(name)] : await client.list();
  const byNs = groupByNamespace(await client.listPods(name));
  const webhooks = await clusterEntries(flags, io);
  const reports = namespaces
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((ns) => namespaceReport(ns.name, ns.labels, byNs.get(ns.name) ?? [], { revision: flags.revision, webhooks }));
  io.stdout(flags.output === 'json' ? `${JSON.stringify({ namespaces: reports }, null, 2)}\n` : renderText(reports, name !== undefined));
  return 0;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals, help } = parseCommand(NAMESPACE, argv);
  const [sub, name, ...extra] = positionals;
  if (help) {
    io.stdout(usageText(NAMESPACE.subcommands!.find((c) => c.name === `namespace ${sub}`) ?? NAMESPACE));
    return 0;
  }
  const flags: Flags = {
    kubeconfig: values.kubeconfig as string | undefined,
    revision: values.revision as string | undefined,
    output: (values.output as string | undefined) ?? 'text',
  };
  if (extra.length > 0) throw new UsageError(`namespace ${sub}: unexpected arguments: ${extra.join(' ')} (${USAGE})`);
  try {
    switch (sub) {
      case 'enable':
      case 'disable':
        if (name === undefined) throw new UsageError(`namespace ${sub} needs a namespace NAME (${USAGE})`);
        if (sub === 'enable' && flags.revision !== undefined) return await setRevision(name, flags.revision, flags, io);
        return await setInjection(name, sub === 'enable' ? 'enabled' : 'disabled', flags, io);
      case 'status':
        return await status(name, flags, io);
      default:
        throw new UsageError(`${sub === undefined ? 'namespace needs a subcommand' : `unknown namespace subcommand "${sub}"`} (${USAGE})`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    return reportClusterError(e, flags.kubeconfig, io);
  }
}
