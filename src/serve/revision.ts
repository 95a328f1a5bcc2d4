// serve --revision R: the revision this process serves, fixed for its life, as istiod's own revision (its
// REVISION environment) is. Istio's injector puts istiod's revision, not the values' `revision`, in the
// template data (.Revision: the pod's istio.io/rev annotation) and the sidecar status annotation; the values'
// `revision` keeps its own meaning (the templates' discovery address, istiod-<revision>), so an injector
// serving revision canary beside a default istiod still points its proxies at that istiod.
import type { SettingsSource } from '../config/config-dir.ts';
import type { Settings } from '../core/settings/index.ts';

/** The source's settings with `revision` as the revision (summary.revision, which decide, the template data and the status annotation read). */
export function withRevision(source: SettingsSource, revision: string): SettingsSource {
  // one wrapped object per settings load: the workers and the render memo key on the settings' identity
  const wrapped = new WeakMap<Settings, Settings>();
  const apply = (s: Settings | undefined): Settings | undefined => {
    if (s === undefined || s.summary.revision === revision) return s;
    let w = wrapped.get(s);
    if (!w) {
      w = { ...s, summary: { ...s.summary, revision } };
      wrapped.set(s, w);
    }
    return w;
  };
  return {
    current: () => apply(source.current()),
    problem: () => source.problem(),
    reload: () => source.reload(),
    close: () => source.close(),
    readFrom: source.readFrom,
  };
}
