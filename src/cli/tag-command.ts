// `sidecar-injector tag set|list|remove`: revision tags, as `istioctl tag` makes them (src/core/webhooks/tags.ts
// says what is written and refused; src/kube/tag-client.ts makes the calls). A namespace labelled
// istio.io/rev=<tag> is injected by the revision the tag points to; moving the tag moves every such namespace.
import { stringify } from 'yaml';
import {
  DEFAULT_REVISION,
  deactivationPatch,
  lacksCaBundle,
  REVISION_LABEL,
  revisionConfiguration,
  TAG_LABEL,
  tagNameProblem,
  tagRemoveRefusal,
  tagRows,
  tagSetRefusal,
  tagWebhookConfiguration,
  type WebhookConfig,
} from '../core/webhooks/tags.ts';
import { KubeApiError } from '../kube/api-errors.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { reportClusterError } from './cluster-error.ts';
import { NamespaceClient } from '../kube/namespace-client.ts';
import { TagClient } from '../kube/tag-client.ts';
import { TAG } from './commands.ts';
import { parseCommand, usageText } from './flags.ts';
import { UsageError, type CliIO } from './io.ts';
import { table } from './namespace-command.ts';

const USAGE = `see: sidecar-injector tag --help`;

interface Flags {
  kubeconfig?: string;
  revision?: string;
  overwrite: boolean;
  dryRun: boolean;
  force: boolean;
  output?: string;
}

class Refusal extends Error {}

function clients(flags: Flags): { tags: TagClient; namespaces: NamespaceClient } {
  const kc = loadKubeConfig({ kubeconfigPath: flags.kubeconfig });
  if (!kc)
    throw new KubeApiError('no-cluster', 'no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run inside a pod');
  return { tags: new TagClient(kc), namespaces: new NamespaceClient(kc) };
}

const refuse = (r: { refused: string } | undefined): void => {
  if (r) throw new Refusal(r.refused);
};

/** The default revision's own configuration, which `tag set default` deactivates (istioctl expects at most one). */
async function defaultRevisionConfiguration(tags: TagClient): Promise<WebhookConfig | undefined> {
  const found = await tags.list(`${REVISION_LABEL}=${DEFAULT_REVISION},!${TAG_LABEL}`);
  if (found.length > 1)
    throw new Refusal(
      `several configurations of the default revision (${found.map((c) => `"${c.metadata.name}"`).join(', ')}): expected one to deactivate`,
    );
  return found[0];
}

async function setTag(tag: string, flags: Flags, io: CliIO): Promise<number> {
  const revision = flags.revision;
  if (revision === undefined) throw new UsageError(`tag set needs --revision R (${USAGE})`);
  const output = flags.output ?? 'yaml';
  if (flags.dryRun && output !== 'yaml' && output !== 'json') throw new UsageError(`-o must be yaml or json, not "${output}"`);
  const problem = tagNameProblem('tag', tag) ?? tagNameProblem('revision', revision);
  if (problem) throw new UsageError(problem);
  const { tags } = clients(flags);
  const own = revisionConfiguration(revision, await tags.list(`${REVISION_LABEL}=${revision},!${TAG_LABEL}`));
  if ('refused' in own) throw new Refusal(own.refused);
  const [revisionsNamedAsTag, existingTag] = await Promise.all([
    tags.list(`${REVISION_LABEL}=${tag},!${TAG_LABEL}`),
    tags.list(`${TAG_LABEL}=${tag}`),
  ]);
  refuse(tagSetRefusal({ tag, revision, overwrite: flags.overwrite, revisionsNamedAsTag, existingTag }));
  const config = tagWebhookConfiguration(own, tag);
  const deactivate = tag === DEFAULT_REVISION ? await defaultRevisionConfiguration(tags) : undefined;
  const ops = deactivate ? deactivationPatch(deactivate) : [];
  if (flags.dryRun) {
    io.stdout(output === 'json' ? `${JSON.stringify(config, null, 2)}\n` : stringify(config));
    if (ops.length > 0) io.stderr(`(dry run) would deactivate the entries of "${deactivate!.metadata.name}", the default revision's configuration\n`);
    return 0;
  }
  const existing = await tags.get(config.metadata.name);
  await tags.write(config, existing?.metadata.resourceVersion);
  io.stdout(`tag "${tag}" -> revision "${revision}": MutatingWebhookConfiguration "${config.metadata.name}" ${existing ? 'replaced' : 'created'}\n`);
  // after the tag is written, so that istio-injection=enabled pods are never left without a webhook
  if (ops.length > 0) {
    await tags.patch(deactivate!.metadata.name, ops);
    io.stdout(
      `deactivated the entries of "${deactivate!.metadata.name}" (the default revision's own configuration, kept; as istioctl does): istio-injection=enabled now goes to revision "${revision}"\n`,
    );
  }
  if (lacksCaBundle(config))
    io.stderr(
      `warning: revision "${revision}"'s configuration "${own.metadata.name}" has no caBundle yet; the injector serving it sets it on the tag too\n`,
    );
  io.stdout(`to use it: sidecar-injector namespace enable NAMESPACE --revision ${tag}\n`);
  return 0;
}

async function listTags(flags: Flags, io: CliIO): Promise<number> {
  const output = flags.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`-o must be text or json, not "${output}"`);
  const { tags, namespaces } = clients(flags);
  const [configs, nss] = await Promise.all([tags.list(TAG_LABEL), namespaces.list()]);
  const rows = tagRows(configs, nss);
  if (output === 'json') io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) io.stdout('no revision tags found\n');
  else io.stdout(table([['TAG', 'REVISION', 'NAMESPACES'], ...rows.map((r) => [r.tag, r.revision, r.namespaces.join(',')])]));
  return 0;
}

async function removeTag(tag: string, flags: Flags, io: CliIO): Promise<number> {
  const problem = tagNameProblem('tag', tag);
  if (problem) throw new UsageError(problem);
  const { tags, namespaces } = clients(flags);
  const [configs, nss] = await Promise.all([tags.list(`${TAG_LABEL}=${tag}`), namespaces.list()]);
  const using = nss
    .filter((n) => n.labels[REVISION_LABEL] === tag)
    .map((n) => n.name)
    .sort();
  refuse(tagRemoveRefusal(tag, configs, using, flags.force));
  for (const c of configs) await tags.delete(c.metadata.name);
  io.stdout(`tag "${tag}" removed (${configs.map((c) => `MutatingWebhookConfiguration "${c.metadata.name}"`).join(', ')})\n`);
  if (using.length > 0) io.stderr(`warning: new pods in ${using.join(', ')} (labelled ${REVISION_LABEL}=${tag}) are no longer injected\n`);
  return 0;
}

function parse(argv: string[]) {
  const { values, positionals, help } = parseCommand(TAG, argv);
  const flags: Flags = {
    kubeconfig: values.kubeconfig as string | undefined,
    revision: values.revision as string | undefined,
    overwrite: values.overwrite === true,
    dryRun: values['dry-run'] === true,
    force: values.force === true,
    output: values.output as string | undefined,
  };
  return { flags, positionals, help };
}

async function dispatch(sub: string | undefined, args: string[], flags: Flags, io: CliIO): Promise<number> {
  const one = (what: string): string => {
    if (args.length !== 1) throw new UsageError(`tag ${sub} needs exactly one ${what} (${USAGE})`);
    return args[0]!;
  };
  switch (sub) {
    case 'set':
      return setTag(one('TAG'), flags, io);
    case 'list':
      if (args.length > 0) throw new UsageError(`tag list takes no arguments (${USAGE})`);
      return listTags(flags, io);
    case 'remove':
      return removeTag(one('TAG'), flags, io);
    default:
      throw new UsageError(`${sub === undefined ? 'tag needs a subcommand' : `unknown tag subcommand "${sub}"`} (${USAGE})`);
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { flags, positionals, help } = parse(argv);
  const [sub, ...args] = positionals;
  if (help) {
    io.stdout(usageText(TAG.subcommands!.find((c) => c.name === `tag ${sub}`) ?? TAG));
    return 0;
  }
  try {
    return await dispatch(sub, args, flags, io);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof Refusal) {
      io.stderr(`error: ${e.message}\n`);
      return 1;
    }
    return reportClusterError(e, flags.kubeconfig, io);
  }
}
