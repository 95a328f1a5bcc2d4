// Istio's webhook path parameters: /inject/cluster/c1/net/n1 -> proxy env vars (ISTIO_META_CLUSTER_ID,
// ISTIO_META_NETWORK; other keys upper-cased), `--slash--` for "/" in values, and the older
// /inject/:ENV:cluster=c1:ENV:net=n1 form. The URL is the cluster admin's, but names are still checked.

const KNOWN: Record<string, string> = { cluster: 'ISTIO_META_CLUSTER_ID', net: 'ISTIO_META_NETWORK' };
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

function put(out: Record<string, string>, key: string, value: string): void {
  const name = KNOWN[key] ?? key.toUpperCase();
  if (ENV_NAME.test(name)) out[name] = value;
}

/**
 * `rest` is the raw path after `/inject`. As istiod (Go's `URL.Path`), the whole path is decoded before
 * it is split, so `%2F` separates like `/`; `--slash--` is the way to put a `/` in a value (not in the
 * deprecated `:ENV:` form, where istiod leaves it as it is). Malformed escapes throw (an HTTP 400).
 */
export function injectPathEnv(rest: string): Record<string, string> {
  const out: Record<string, string> = {};
  const trimmed = decodeURIComponent(rest).replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return out;
  if (trimmed.startsWith(':ENV:')) {
    for (const part of trimmed.split(':ENV:').slice(1)) {
      const eq = part.indexOf('=');
      if (eq > 0) put(out, part.slice(0, eq), part.slice(eq + 1));
    }
    return out;
  }
  const parts = trimmed.split('/');
  // an odd trailing key is ignored
  for (let i = 0; i + 1 < parts.length; i += 2) put(out, parts[i]!, parts[i + 1]!.replaceAll('--slash--', '/'));
  return out;
}
