// A trial injection at load: settings that pass every type check can still refuse or break every pod (a
// default template that throws, renders text that is not YAML, or writes a container without an image or
// with one no runtime can pull). Before settings are put to use, a plain pod (a container with a port and
// a probe) goes through the real injectPod with the default templates, and with each alias, in each
// native-sidecar mode the settings allow. Pure: the caller decides what a refusal does (keep the last good
// settings, or exit).
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

function tryOnce(settings: Settings, alias: string | undefined, nodesSupportNativeSidecars: boolean): void {
  // an alias is tried as the default templates, not through the inject.istio.io/templates annotation,
  // which an operator may forbid to pod authors
  const tried = alias === undefined ? settings : { ...settings, config: { ...settings.config, defaultTemplates: [alias] } };
  const what = alias === undefined ? `the default templates (${settings.config.defaultTemplates.join(', ')})` : `alias "${alias}"`;
  let problem: string | undefined;
  try {
    // one node, new enough or not: `auto` then decides as it will in a cluster of such nodes
    const nodes = nodeKubelets(new Map([['config-check-node', nodesSupportNativeSidecars ? 'v1.33.0' : 'v1.32.0']]));
    const r = injectPod(TRIAL_POD, { settings: tried, namespace: 'default', nodes });
    if (r.decision.inject) problem = containerProblem(r.pod);
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem !== undefined) {
    const mode = settings.nativeSidecars === 'auto' ? `, native sidecars ${nodesSupportNativeSidecars}` : '';
    throw new InjectionError(
      'INVALID_SETTING',
      `invalid settings: injecting a plain pod with ${what}${mode} fails, so every such pod would: ${problem}`,
      alias === undefined ? 'config.defaultTemplates' : `config.aliases.${alias}`,
    );
  }
}

/** Throws INVALID_SETTING, saying which templates fail and why, when the settings cannot inject a plain pod. */
export function checkSettingsInject(settings: Settings): void {
  const modes = settings.nativeSidecars === 'auto' ? [false, true] : [settings.nativeSidecars === 'true'];
  for (const native of modes) {
    tryOnce(settings, undefined, native);
    // each alias is a few templates, rendered once per mode: as cheap as the config is small
    for (const alias of Object.keys(settings.config.aliases)) tryOnce(settings, alias, native);
  }
}
