// A trial injection at load: settings that pass every type check can still refuse or break every pod (a
// default template that throws, renders text that is not YAML, or writes a container without an image or
// with one no runtime can pull). Before settings are put to use, a plain pod (a container with a port and
// a probe) goes through the real injectPod with the default templates, then with each other template and
// each alias on its own, in each native-sidecar mode the settings allow. Pure: the caller decides what a
// refusal of the defaults does (keep the last good settings, or exit); a failing template or alias only
// marks it broken.
import { nodeKubelets } from '../native-sidecars.ts';
import { InjectionError } from '../errors.ts';
import { injectPod } from '../inject.ts';
import type { Container, Pod } from '../types.ts';
import type { Settings } from './index.ts';

const TRIAL_POD: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'config-check', namespace: 'default', labels: { app: 'config-check', 'sidecar.istio.io/inject': 'true' } },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 8080 } } },
    ],
  },
};

// an image reference as container runtimes parse it ([registry[:port]/]path[:tag][@digest]): the API
// server takes any non-blank string, but the kubelet cannot pull "/proxyv2:1.28" (an empty hub) and the
// pod never starts
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REF = new RegExp(
  `^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?${COMPONENT}(?:/${COMPONENT})*` +
    '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/** What the API server or the kubelet would refuse in the injected pod's containers, or undefined. */
function containerProblem(pod: Pod): string | undefined {
  for (const [list, cs] of [
    ['containers', pod.spec?.containers],
    ['initContainers', pod.spec?.initContainers],
  ] as const) {
    if (cs !== undefined && !Array.isArray(cs)) return `spec.${list} is not a list`;
    for (const c of (cs ?? []) as Container[]) {
      const name = (c as { name?: unknown }).name;
      if (typeof name !== 'string' || name === '') return `a container in spec.${list} has no name`;
      const image = (c as { image?: unknown }).image;
      if (typeof image !== 'string' || image.trim() === '') return `container "${name}" in spec.${list} has no image`;
      if (image.length > 512 || !IMAGE_REF.test(image))
        return `container "${name}" in spec.${list} has image ${JSON.stringify(image.slice(0, 100))}, which is not an image reference`;
    }
  }
  return undefined;
}

/** What goes wrong injecting the plain pod with `names` as the default templates, or undefined. */
function trialProblem(settings: Settings, names: string[], nodesSupportNativeSidecars: boolean, checkContainers: boolean): string | undefined {
  // tried as the default templates, not through the inject.istio.io/templates annotation, which an
  // operator may forbid to pod authors
  const tried = { ...settings, config: { ...settings.config, defaultTemplates: names } };
  try {
    // one node, new enough or not: `auto` then decides as it will in a cluster of such nodes
    const nodes = nodeKubelets(new Map([['config-check-node', nodesSupportNativeSidecars ? 'v1.33.0' : 'v1.32.0']]));
    const r = injectPod(TRIAL_POD, { settings: tried, namespace: 'default', nodes });
    return r.decision.inject && checkContainers ? containerProblem(r.pod) : undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const modesOf = (settings: Settings): boolean[] => (settings.nativeSidecars === 'auto' ? [false, true] : [settings.nativeSidecars === 'true']);

/**
 * The default templates must inject a plain pod (every labelled pod gets them): else INVALID_SETTING,
 * saying which templates fail and why. Then each other template and alias is tried (withBrokenTemplates).
 */
export function checkSettingsInject(settings: Settings): Settings {
  const defaults = settings.config.defaultTemplates;
  for (const native of modesOf(settings)) {
    const problem = trialProblem(settings, defaults, native, true);
    if (problem === undefined) continue;
    const mode = settings.nativeSidecars === 'auto' ? `, native sidecars ${native}` : '';
    throw new InjectionError(
      'INVALID_SETTING',
      `invalid settings: injecting a plain pod with the default templates (${defaults.join(', ')})${mode} fails, so every such pod would: ${problem}`,
      'config.defaultTemplates',
    );
  }
  return withBrokenTemplates(settings);
}

/**
 * Each template but the defaults, and each alias, tried on its own in each native-sidecar mode the settings
 * allow: one that fails (it throws, renders no pod, ...) is added to brokenTemplates with why, and only
 * pods that ask for it are refused. An alias's images are checked too, as the defaults' are, unless
 * `checkImages` is false (the CLI writes what the templates give, as istioctl kube-inject does). Returns
 * the settings with those added.
 */
export function withBrokenTemplates(settings: Settings, checkImages = true): Settings {
  const defaults = settings.config.defaultTemplates;
  const broken: Record<string, string> = { ...settings.brokenTemplates };
  // each template or alias is a few templates rendered once per mode: as cheap as the config is small
  const others = [...settings.templates.names.filter((n) => !defaults.includes(n)), ...Object.keys(settings.config.aliases)];
  for (const name of others) {
    if (Object.hasOwn(broken, name)) continue;
    for (const native of modesOf(settings)) {
      // with the templates found broken so far: an alias of one says so
      const problem = trialProblem(
        { ...settings, brokenTemplates: broken },
        [name],
        native,
        checkImages && Object.hasOwn(settings.config.aliases, name),
      );
      if (problem === undefined) continue;
      const mode = settings.nativeSidecars === 'auto' ? ` (native sidecars ${native})` : '';
      broken[name] = `injecting a plain pod with it${mode} fails: ${problem}`;
      break;
    }
  }
  return { ...settings, brokenTemplates: Object.freeze(broken) };
}
