// Parsing `proxy.istio.io/config` (a ProxyConfig fragment in YAML) in time linear in its size.
// `yaml`'s own duplicate-key check (`uniqueKeys`) compares each key with every earlier one (16,000
// proxyMetadata keys took 26.6 s), so we parse without it and find duplicates with one Set per mapping.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { isObject, type JsonObject } from './types.ts';

/** More proxyMetadata entries than any real pod sets (Istio's own defaults set a handful). */
export const MAX_PROXY_METADATA_ENTRIES = 256;
/** ProxyConfig is shallow (tracing.zipkin.address is 3 levels); deeper is refused before converting. */
const MAX_DEPTH = 32;

/**
 * `yaml` spends ~10-20 us per node, so 32 KiB of `a: b` lines (6,500 entries) would block for ~100 ms
 * before the entry cap could be checked. The separators (`:` `,` newline `[` `{`) bound the number of
 * nodes, and are counted first in one cheap pass. A real ProxyConfig has a few dozen.
 */
export const MAX_PROXY_CONFIG_SEPARATORS = 2048;

function separators(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a || c === 0x2c || c === 0x0a || c === 0x5b || c === 0x7b) n++;
  }
  return n;
}

/** Kubernetes' rule for env var names (`validation.IsEnvVarName`). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export class ProxyConfigProblem extends Error {}

const clipKey = (k: string): string => JSON.stringify(k.length > 80 ? `${k.slice(0, 80)}…` : k);

// go-yaml (istiod's reader) takes anchor names of letters, digits, `_` and `-` only; eemeli/yaml takes more
const ANCHOR_NAME = /^[A-Za-z0-9_-]+$/;
function checkAnchor(node: YamlNode): void {
  const anchor = (node as { anchor?: string }).anchor;
  if (anchor !== undefined && !ANCHOR_NAME.test(anchor)) {
    throw new ProxyConfigProblem(`could not parse proxy config: anchor name ${clipKey(anchor)} has characters other than letters, digits, _ and -`);
  }
}

/** One pass over the node tree (iterative: no recursion on author-controlled depth). */
function checkTree(root: YamlNode | null | undefined): void {
  const stack: Array<[YamlNode, number]> = root ? [[root, 1]] : [];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) throw new ProxyConfigProblem(`nested deeper than ${MAX_DEPTH} levels`);
    if (isAlias(node)) throw new ProxyConfigProblem('aliases (*name) are not allowed');
    checkAnchor(node);
    if (isSeq(node)) {
      for (const item of node.items) if (item) stack.push([item as YamlNode, depth + 1]);
    } else if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key) || typeof pair.key.value === 'object') throw new ProxyConfigProblem('keys must be plain strings');
        checkAnchor(pair.key);
        const key = String(pair.key.value);
        if (key === '__proto__') throw new ProxyConfigProblem('the key "__proto__" is not allowed');
        if (seen.has(key)) throw new ProxyConfigProblem(`duplicate key ${clipKey(key)}`);
        seen.add(key);
        if (pair.value) stack.push([pair.value as YamlNode, depth + 1]);
      }
    }
  }
}

/** proxyMetadata keys become env var names of the injected containers: Kubernetes' rule, and a cap. */
function checkProxyMetadata(doc: JsonObject): void {
  const md = doc.proxyMetadata;
  if (!isObject(md)) return;
  const keys = Object.keys(md);
  if (keys.length > MAX_PROXY_METADATA_ENTRIES) {
    throw new ProxyConfigProblem(`proxyMetadata has ${keys.length} entries, more than the limit of ${MAX_PROXY_METADATA_ENTRIES}`);
  }
  for (const k of keys) {
    if (!ENV_NAME.test(k))
      throw new ProxyConfigProblem(
        `proxyMetadata key ${clipKey(k)} is not a valid environment variable name (Kubernetes wants [-._a-zA-Z][-._a-zA-Z0-9]*)`,
      );
  }
}

/**
 * The annotation as a mapping (undefined when empty). Throws `ProxyConfigProblem` with the reason:
 * not YAML, not a mapping, duplicate or non-string keys, too deep, too many or badly named proxyMetadata keys.
 */
export function parseProxyConfigAnnotation(text: string): JsonObject | undefined {
  if (separators(text) > MAX_PROXY_CONFIG_SEPARATORS) {
    throw new ProxyConfigProblem(`too large a proxy config: more than ${MAX_PROXY_CONFIG_SEPARATORS} separators (":", ",", "[", "{", lines)`);
  }
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error', prettyErrors: false });
  if (doc.errors.length > 0) throw new ProxyConfigProblem(`could not parse proxy config: ${String(doc.errors[0]!.message).split('\n')[0]}`);
  checkTree(doc.contents as YamlNode | null);
  const value: unknown = doc.toJS({ maxAliasCount: 0 });
  if (value === null || value === undefined) return undefined;
  if (!isObject(value)) throw new ProxyConfigProblem('could not parse proxy config: want a mapping of ProxyConfig fields');
  checkProxyMetadata(value as JsonObject);
  return value as JsonObject;
}

/** The keys the annotation's proxyMetadata sets (none when absent or invalid: validation reports that). */
export function annotationMetadataKeys(text: string | undefined): string[] {
  if (typeof text !== 'string') return [];
  try {
    const md = parseProxyConfigAnnotation(text)?.proxyMetadata;
    return isObject(md) ? Object.keys(md) : [];
  } catch (e) {
    if (e instanceof ProxyConfigProblem) return [];
    throw e;
  }
}
