// Which of a pod's annotations changed its injection: each one the injector or its templates read is
// taken away and the pod injected again; one whose absence gives the same pod had no effect (e.g. a
// sidecar.istio.io/proxyImage without a '/', which Istio's template ignores). `explain` lists only the
// annotations that mattered, and says which were read and ignored. One more injection per annotation read.
import { isDeepStrictEqual } from 'node:util';
import { ANNOTATION } from './annotations.ts';
import { clipJson } from './clip.ts';
import { isInjectionError } from './errors.ts';
import { injectPod, type InjectContext, type InjectResult } from './inject.ts';
import type { Pod } from './types.ts';

/** Why an annotation that was read can make no difference, when the reason is known. */
const IGNORED_WHY: Record<string, (v: string) => string | undefined> = {
  'sidecar.istio.io/proxyImage': (v) =>
    v.includes('/') ? undefined : "Istio's template uses it only when it is a full image name, with a '/' (e.g. docker.io/istio/proxyv2:1.24.0)",
};

export interface AnnotationEffects {
  /** `key=value` of the annotations that changed the result. */
  changed: string[];
  /** One line per annotation read that made no difference. */
  ignored: string[];
}

function without(pod: Pod, key: string): Pod {
  const { [key]: _gone, ...rest } = pod.metadata.annotations ?? {};
  return { ...pod, metadata: { ...pod.metadata, annotations: rest } };
}

export function annotationEffects(pod: Pod, ctx: InjectContext, result: InjectResult): AnnotationEffects {
  const changed: string[] = [];
  const ignored: string[] = [];
  const annotations = pod.metadata?.annotations ?? {};
  for (const entry of result.annotationsUsed) {
    const key = entry.slice(0, entry.indexOf('='));
    const value = annotations[key];
    if (key === ANNOTATION.inject || typeof value !== 'string') {
      changed.push(entry);
      continue;
    }
    let same = false;
    try {
      const other = injectPod(without(pod, key), ctx);
      same = other.decision.inject === result.decision.inject && isDeepStrictEqual(without(other.pod, key), without(result.pod, key));
    } catch (e) {
      if (!isInjectionError(e) || e.code === 'BUDGET_EXCEEDED') throw e;
    }
    if (!same) changed.push(entry);
    else {
      const why = IGNORED_WHY[key]?.(value);
      ignored.push(`annotation ${key}=${clipJson(value)} was read but changed nothing${why ? `: ${why}` : ''}`);
    }
  }
  return { changed, ignored };
}
