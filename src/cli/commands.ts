// Every command's flag table and one-line summary (flags.ts makes parseArgs' options and the usage from
// them). Kept apart from the commands, so the top-level usage lists them without loading any.
import type { CommandSpec, FlagSpec } from './flags.ts';

const SETTINGS = "settings (Istio's shapes; a file may be the document or a whole ConfigMap)";

/** --set and --set-string, listed under `group`. */
const setFlags = (group: string, more: string): FlagSpec[] => [
  { name: 'set', type: 'string', arg: 'KEY=VAL[,KEY=VAL]', multiple: true, help: `override as Helm's --set: ${more}`, group },
  { name: 'set-string', type: 'string', arg: 'KEY=VAL', multiple: true, help: 'as --set, the value always a string', group },
];

/** Where the settings come from and how to override them: inject, explain, kube-inject. */
export const SETTINGS_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', arg: 'FILE', help: "injector config (istio-sidecar-injector's `config`)", group: SETTINGS },
  {
    name: 'values',
    type: 'string',
    arg: 'FILE',
    multiple: true,
    help: "Helm values (istio-sidecar-injector's `values`), merged in order",
    group: SETTINGS,
  },
  { name: 'mesh', type: 'string', arg: 'FILE', help: "mesh config (the istio ConfigMap's `mesh`)", group: SETTINGS },
  ...setFlags(SETTINGS, 'values.x.y=1, mesh.x=y, config.policy=disabled, a[0]=x, \\, for a comma'),
  { name: 'set-file', type: 'string', arg: 'KEY=PATH', multiple: true, help: "as --set, the value the file's text", group: SETTINGS },
  {
    name: 'native-sidecars',
    type: 'string',
    arg: 'true|false|auto',
    default: 'auto',
    help: 'istio-proxy as a native sidecar (init container, restartPolicy Always)',
    group: SETTINGS,
  },
  { name: 'templates-dir', type: 'string', arg: 'DIR', help: 'templates (<name>.tmpl) instead of the built-in ones', group: SETTINGS },
  { name: 'proxy-configs', type: 'string', arg: 'FILE', help: "Istio's ProxyConfig resources", group: SETTINGS },
];

const FILENAME: FlagSpec = {
  name: 'filename',
  short: 'f',
  type: 'string',
  arg: 'FILE|-',
  help: 'the objects (YAML or JSON, several documents, a List); - for standard input',
};
const KUBECONFIG: FlagSpec = {
  name: 'kubeconfig',
  type: 'string',
  arg: 'FILE',
  help: 'the cluster (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
};

export const INJECT: CommandSpec = {
  name: 'inject',
  summary: 'inject the sidecar into Pods and workloads, as istioctl kube-inject does (our flags)',
  synopsis: '-f FILE|- [settings flags] [-o yaml|json]',
  description:
    'Every injectable object (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, …) is injected;\nother kinds pass through. Objects not injected pass through with the reason on stderr. Any error fails\nthe whole run (exit 1), writing nothing.',
  flags: [
    FILENAME,
    { name: 'output', short: 'o', type: 'string', arg: 'yaml|json', default: 'yaml', help: 'output format' },
    { name: 'namespace', short: 'n', type: 'string', arg: 'NS', help: 'namespace of objects without one (default: default)' },
    ...SETTINGS_FLAGS,
  ],
};

export const KUBE_INJECT: CommandSpec = {
  name: 'kube-inject',
  summary: "istioctl kube-inject's flags: settings from files, or from istiod's ConfigMaps in the cluster",
  synopsis: '-f FILE|- [--injectConfigFile F --meshConfigFile F --valuesFile F | --kubeconfig F] [-o FILE]',
  description:
    "Without --injectConfigFile, --valuesFile and --meshConfigFile, the missing settings are read from istiod's\nConfigMaps (--injectConfigMapName, --meshConfigMapName; with --revision R, their -R names) in\n--istioNamespace. -o names the file to write, as istioctl's does (default: standard output).",
  flags: [
    FILENAME,
    { name: 'output', short: 'o', type: 'string', arg: 'FILE', help: 'write the injected objects to FILE (default: standard output)' },
    { name: 'injectConfigFile', type: 'string', arg: 'FILE', help: "injection config (istio-sidecar-injector's `config`, or the ConfigMap)" },
    { name: 'meshConfigFile', type: 'string', arg: 'FILE', help: "mesh config (the istio ConfigMap's `mesh`, or the ConfigMap)" },
    { name: 'valuesFile', type: 'string', arg: 'FILE', help: "values (istio-sidecar-injector's `values`, or the ConfigMap)" },
    {
      name: 'injectConfigMapName',
      type: 'string',
      arg: 'NAME',
      default: 'istio-sidecar-injector',
      help: 'ConfigMap with config and values, read from the cluster',
      group: 'cluster',
    },
    {
      name: 'meshConfigMapName',
      type: 'string',
      arg: 'NAME',
      default: 'istio',
      help: 'ConfigMap with the mesh config, read from the cluster',
      group: 'cluster',
    },
    { name: 'istioNamespace', short: 'i', type: 'string', arg: 'NS', default: 'istio-system', help: "istiod's namespace", group: 'cluster' },
    { name: 'revision', short: 'r', type: 'string', arg: 'REV', help: 'the control plane revision (ConfigMaps NAME-REV)', group: 'cluster' },
    { ...KUBECONFIG, group: 'cluster' },
    ...SETTINGS_FLAGS.filter((f) => ['set', 'set-string', 'set-file', 'native-sidecars'].includes(f.name)),
  ],
};

export const EXPLAIN: CommandSpec = {
  name: 'explain',
  summary: 'say for each object whether it would be injected, why, and which webhook entry would be called',
  synopsis: '-f FILE|- [--namespace-labels k=v,...] [-n NS] [--webhook-config FILE | --kubeconfig F] [-o text|json|yaml] [--rules] [settings flags]',
  flags: [
    FILENAME,
    { name: 'output', short: 'o', type: 'string', arg: 'text|json|yaml', default: 'text', help: 'output format' },
    { name: 'rules', type: 'boolean', default: false, help: 'print the iptables-restore input of the capture, not only its summary' },
    { name: 'namespace', short: 'n', type: 'string', arg: 'NS', help: 'namespace of objects without one (default: default)' },
    { name: 'namespace-labels', type: 'string', arg: 'k=v,...', help: "the namespace's labels, to evaluate the webhook's selectors" },
    { name: 'webhook-config', type: 'string', arg: 'FILE', help: 'decide with these MutatingWebhookConfigurations' },
    { ...KUBECONFIG, help: "decide with the cluster's webhook configurations and the namespace's labels" },
    ...SETTINGS_FLAGS,
  ],
};

const SERVE_SETTINGS = 'settings';
const LISTEN = 'listeners';
export const SERVE: CommandSpec = {
  name: 'serve',
  summary: 'run the webhook: HTTPS /inject, HTTPS /preview on its own port, HTTP /healthz /readyz /metrics',
  synopsis: '[flags]',
  flags: [
    {
      name: 'config-dir',
      type: 'string',
      arg: 'DIR',
      help: 'config, values, mesh and <name>.tmpl files, as the ConfigMaps mount (watched)',
      group: SERVE_SETTINGS,
    },
    { name: 'config', type: 'string', arg: 'FILE', help: "injector config file, wins over --config-dir's (watched)", group: SERVE_SETTINGS },
    { name: 'values', type: 'string', arg: 'FILE', help: 'values file (watched)', group: SERVE_SETTINGS },
    { name: 'mesh', type: 'string', arg: 'FILE', help: 'mesh config file (watched)', group: SERVE_SETTINGS },
    {
      name: 'istio-configmaps',
      type: 'string',
      arg: 'NS',
      help: "istiod's ConfigMaps in NS instead of files (watched; needs a cluster)",
      group: SERVE_SETTINGS,
    },
    ...setFlags(SERVE_SETTINGS, "the same syntax as inject's, applied last"),
    {
      name: 'native-sidecars',
      type: 'string',
      arg: 'true|false|auto',
      help: "native sidecars (default auto: from the nodes' kubelets)",
      group: SERVE_SETTINGS,
    },
    { name: 'proxy-configs', type: 'string', arg: 'FILE', help: "Istio's ProxyConfig resources (instead of the cluster's)", group: SERVE_SETTINGS },
    { name: 'poll-seconds', type: 'string', arg: 'S', default: '10', help: 're-read the configuration every S seconds', group: SERVE_SETTINGS },
    {
      name: 'cert-dir',
      type: 'string',
      arg: 'DIR',
      help: 'tls.crt and tls.key (watched; default: a self-signed one in .sidecar-injector/certs)',
      group: LISTEN,
    },
    {
      name: 'cert-secret',
      type: 'string',
      arg: 'NAME',
      help: 'the CA and serving certificate from this Secret, created when absent, renewed, watched (in a cluster; instead of --cert-dir)',
      group: LISTEN,
    },
    { name: 'namespace', type: 'string', arg: 'NS', help: "--cert-secret's namespace (default: $POD_NAMESPACE)", group: LISTEN },
    {
      name: 'service',
      type: 'string',
      arg: 'SVC',
      help: '--cert-secret: the Service the certificate names (default: sidecar-injector[-REV])',
      group: LISTEN,
    },
    {
      name: 'cert-lifetime',
      type: 'string',
      arg: 'SECONDS',
      help: '--cert-secret: lifetime of a serving certificate made here (default: a year)',
      group: LISTEN,
    },
    {
      name: 'cert-host',
      type: 'string',
      multiple: true,
      arg: 'H',
      help: '--cert-secret: another DNS name or IP the certificate covers',
      group: LISTEN,
    },
    { name: 'host', type: 'string', arg: 'H', default: '0.0.0.0', help: 'address to listen on', group: LISTEN },
    { name: 'port', type: 'string', arg: 'PORT', help: 'HTTPS /inject (default 9443)', group: LISTEN },
    { name: 'preview-port', type: 'string', arg: 'PORT', help: 'HTTPS /preview (default 9444)', group: LISTEN },
    { name: 'preview-host', type: 'string', arg: 'H', help: "/preview's address (default: --host)", group: LISTEN },
    { name: 'ops-port', type: 'string', arg: 'PORT', help: 'HTTP /healthz, /readyz, /metrics (default 8080)', group: LISTEN },
    { name: 'ops-host', type: 'string', arg: 'H', help: "the ops port's address (default: --host)", group: LISTEN },
    { ...KUBECONFIG, group: 'cluster' },
    { name: 'no-cluster', type: 'boolean', default: false, help: 'run without a cluster', group: 'cluster' },
    { name: 'revision', type: 'string', arg: 'REV', help: 'the Istio revision served (default: default)', group: 'cluster' },
    {
      name: 'webhook-config',
      type: 'string',
      arg: 'NAME',
      help: 'MutatingWebhookConfiguration to keep caBundle current on (default: $WEBHOOK_CONFIGURATION_NAME)',
      group: 'cluster',
    },
    { name: 'log-level', type: 'string', arg: 'LEVEL', default: 'info', help: 'trace, debug, info, warn, error, fatal or silent' },
  ],
};

const NS_FLAGS: readonly FlagSpec[] = [KUBECONFIG];
const NS_SUBS: CommandSpec[] = [
  {
    name: 'namespace enable',
    synopsis: 'NAME [--revision R] [--kubeconfig F]',
    summary: 'label NAME istio-injection=enabled (with --revision R: istio.io/rev=R, removing istio-injection)',
    positionals: true,
    flags: [{ name: 'revision', type: 'string', arg: 'R', help: 'a revision or a tag: label istio.io/rev=R' }, ...NS_FLAGS],
  },
  {
    name: 'namespace disable',
    synopsis: 'NAME [--kubeconfig F]',
    summary: 'label NAME istio-injection=disabled',
    positionals: true,
    flags: [{ name: 'revision', type: 'string', arg: 'R', help: 'the revision whose injection the warnings speak of' }, ...NS_FLAGS],
  },
  {
    name: 'namespace status',
    synopsis: '[NAME] [-o text|json] [--revision R] [--kubeconfig F]',
    summary: 'per namespace: opted in or not, pods, pods with the sidecar, pods that need a restart',
    positionals: true,
    flags: [
      { name: 'output', short: 'o', type: 'string', arg: 'text|json', default: 'text', help: 'output format' },
      { name: 'revision', type: 'string', arg: 'R', help: 'the revision whose injection is reported (default: default)' },
      ...NS_FLAGS,
    ],
  },
];
export const NAMESPACE: CommandSpec = {
  name: 'namespace',
  summary: 'opt namespaces in or out (or onto a revision or tag), and report pods that still need the sidecar',
  synopsis: 'enable|disable NAME | status [NAME] [flags]',
  positionals: true,
  subcommands: NS_SUBS,
  flags: [
    { name: 'output', short: 'o', type: 'string', arg: 'text|json', default: 'text', help: 'output format (status)' },
    { name: 'revision', type: 'string', arg: 'R', help: 'a revision or a tag' },
    ...NS_FLAGS,
  ],
};

const TAG_SUBS: CommandSpec[] = [
  {
    name: 'tag set',
    synopsis: 'TAG --revision R [--overwrite] [--dry-run [-o yaml|json]] [--kubeconfig F]',
    summary: 'write MutatingWebhookConfiguration istio-revision-tag-TAG pointing at revision R',
    positionals: true,
    flags: [
      { name: 'revision', short: 'r', type: 'string', arg: 'R', help: 'the revision the tag points to' },
      { name: 'overwrite', type: 'boolean', default: false, help: 'move a tag that points to another revision' },
      { name: 'dry-run', type: 'boolean', default: false, help: 'print the configuration instead of writing it' },
      { name: 'output', short: 'o', type: 'string', arg: 'yaml|json', help: "the dry run's format (default yaml)" },
      KUBECONFIG,
    ],
  },
  {
    name: 'tag list',
    synopsis: '[-o text|json] [--kubeconfig F]',
    summary: 'every tag, its revision and the namespaces that use it',
    positionals: true,
    flags: [{ name: 'output', short: 'o', type: 'string', arg: 'text|json', help: 'output format (default text)' }, KUBECONFIG],
  },
  {
    name: 'tag remove',
    synopsis: 'TAG [--force] [--kubeconfig F]',
    summary: 'delete the tag (refused while namespaces use it, unless --force)',
    positionals: true,
    flags: [{ name: 'force', type: 'boolean', default: false, help: 'remove it even while namespaces use it' }, KUBECONFIG],
  },
];
export const TAG: CommandSpec = {
  name: 'tag',
  summary: 'revision tags, as istioctl tag makes them',
  synopsis: 'set|list|remove [TAG] [flags]',
  positionals: true,
  subcommands: TAG_SUBS,
  flags: [
    ...TAG_SUBS[0]!.flags.filter((f) => f.name !== 'kubeconfig'),
    { name: 'force', type: 'boolean', default: false, help: 'remove: even while namespaces use it' },
    KUBECONFIG,
  ],
};

export const CHECK_INJECT: CommandSpec = {
  name: 'check-inject',
  summary: 'which webhook entries would inject a pod and why, read from the cluster (like istioctl x check-inject)',
  synopsis: '[-n NS] [POD | deployment/NAME | --namespace-only] [--kubeconfig F] [-o text|json]',
  positionals: true,
  flags: [
    { name: 'namespace', short: 'n', type: 'string', arg: 'NS', default: 'default', help: 'the namespace of the pod or workload' },
    { name: 'namespace-only', type: 'boolean', default: false, help: "judge the namespace's labels alone, without a pod" },
    KUBECONFIG,
    { name: 'output', short: 'o', type: 'string', arg: 'text|json', default: 'text', help: 'output format' },
  ],
};

/** The top-level usage's list (iptables and version have no table: iptables takes istio-iptables' flags). */
export const SUMMARIES: ReadonlyArray<[string, string]> = [
  [INJECT.name, INJECT.summary],
  [KUBE_INJECT.name, KUBE_INJECT.summary],
  [EXPLAIN.name, EXPLAIN.summary],
  [SERVE.name, SERVE.summary],
  [NAMESPACE.name, NAMESPACE.summary],
  [TAG.name, TAG.summary],
  [CHECK_INJECT.name, CHECK_INJECT.summary],
  ['iptables', "set up (or show, --dry-run) the pod's traffic capture, as istio-iptables does"],
  ['version', 'print the version (also --version)'],
];
