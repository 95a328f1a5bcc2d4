// Istio's ConfigMaps as settings inputs: `istio-sidecar-injector` holds `config` and `values`, `istio` holds
// `mesh` (with a revision, `istio-sidecar-injector-<rev>` and `istio-<rev>`, as Istio's chart names them).
// A settings file may be the document itself or a whole ConfigMap as `kubectl get cm … -o yaml` prints it,
// a List of them, or several documents (both ConfigMaps in one file): the key is then picked by ConfigMap
// name and data key. Pure: text in, text out.
import { parseAllDocuments } from 'yaml';
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import { isObject } from '../types.ts';

export type SettingsKey = 'config' | 'values' | 'mesh';

export interface IstioConfigMapNames {
  /** Holds `config` and `values`. */
  injector: string;
  /** Holds `mesh`. */
  mesh: string;
}

/** The names Istio's chart gives its ConfigMaps, for a revision (none: the default revision). */
export function istioConfigMapNames(revision?: string): IstioConfigMapNames {
  const suffix = revision ? `-${revision}` : '';
  return { injector: `istio-sidecar-injector${suffix}`, mesh: `istio${suffix}` };
}

const ownerOf = (key: SettingsKey, revision?: string): string => {
  const names = istioConfigMapNames(revision);
  return key === 'mesh' ? names.mesh : names.injector;
};

interface FoundConfigMap {
  name: string;
  data: Record<string, unknown>;
}

// a kind of ConfigMap or List (YAML at the top level, or JSON): only then is the file parsed here, and only a
// top-level kind counts (a settings document never has one)
const LOOKS_LIKE_CONFIGMAP = /^kind:\s*["']?(ConfigMap|List)["']?\s*$|"kind"\s*:\s*"(ConfigMap|List)"/m;

/** The ConfigMaps a file holds (documents, List items); undefined when it holds none (a plain settings document). */
function configMapsIn(text: string): FoundConfigMap[] | undefined {
  if (!LOOKS_LIKE_CONFIGMAP.test(text)) return undefined;
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).flatMap((d) => ('errors' in d && d.errors.length > 0 ? [] : [d.toJS({ maxAliasCount: 100 })]));
  } catch {
    return undefined; // not YAML: read as a document, whose parse names the problem
  }
  const objects = docs.flatMap((d) => (isObject(d) && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d]));
  const maps = objects.filter((o) => isObject(o) && o.kind === 'ConfigMap');
  if (maps.length === 0) return undefined;
  return maps.map((m) => {
    const o = m as { metadata?: { name?: unknown }; data?: unknown };
    return { name: typeof o.metadata?.name === 'string' ? o.metadata.name : '(no name)', data: isObject(o.data) ? o.data : {} };
  });
}

function describeMaps(maps: FoundConfigMap[]): string {
  return maps.map((m) => `${m.name} (${Object.keys(m.data).sort().join(', ') || 'no data'})`).join(', ');
}

/**
 * The settings document a file holds for `key`: the text itself, or, when the file holds ConfigMaps, the
 * `data.<key>` of the one named as Istio names it (else of the only one with that key). Throws
 * INVALID_SETTING naming the file and what was expected when no ConfigMap or more than one fits.
 */
export function settingsDocument(text: string, key: SettingsKey, file: string, revision?: string): string {
  const maps = configMapsIn(text);
  if (maps === undefined) return text;
  const owner = ownerOf(key, revision);
  const withKey = maps.filter((m) => Object.hasOwn(m.data, key));
  const named = withKey.filter((m) => m.name === owner);
  const chosen = named.length === 1 ? named[0] : withKey.length === 1 && named.length === 0 ? withKey[0] : undefined;
  if (!chosen) {
    const why =
      withKey.length === 0
        ? `none has the key ${clipJson(key)}`
        : `${withKey.length} have the key ${clipJson(key)} and ${named.length === 0 ? 'none is' : 'more than one is'} named ${clipJson(owner)}`;
    throw new InjectionError(
      'INVALID_SETTING',
      `invalid setting ${key}: ${file} holds ConfigMaps (${describeMaps(maps)}), but ${why}; want the data.${key} of ConfigMap ${owner} (kubectl -n istio-system get configmap ${owner} -o yaml)`,
      key,
    );
  }
  const value = chosen.data[key];
  if (typeof value !== 'string') {
    throw new InjectionError('INVALID_SETTING', `invalid setting ${key}: data.${key} of ConfigMap ${chosen.name} in ${file} is not text`, key);
  }
  return value;
}
