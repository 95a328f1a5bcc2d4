/**
 * What to do given what is already in the namespace, as istio-iptables decides it (residue / delta /
 * `--reconcile` / `--force-apply`), except that stale rules without `--reconcile` are an error here
 * rather than a warning followed by a restore that fails half-way on `-N` of an existing chain. Pure.
 */
import { CaptureRunError } from './failures.ts';
import type { CaptureSettings } from './settings.ts';
import type { StateComparison } from './state.ts';

export type ApplyAction =
  /** Nothing of ours there: restore. */
  | { kind: 'apply' }
  /** Our rules, exactly: nothing to do. */
  | { kind: 'skip' }
  /** Remove what is ours, then restore. */
  | { kind: 'replace'; why: string };

export interface FamilyState {
  family: 'IPv4' | 'IPv6';
  comparison: StateComparison;
}

/** Unsupported settings, named: these change what istio-iptables does in ways this command does not copy. */
export function unsupportedSetting(s: CaptureSettings): string | undefined {
  if (s.cniMode) return "--cni-mode is not supported: this command runs inside the pod's network namespace, as istio-init does";
  if (s.networkNamespace !== '')
    return "--network-namespace is not supported: run the command inside the pod's network namespace (e.g. ip netns exec)";
  if (s.runValidation) return '--run-validation is not supported: istio-validation belongs to Istio CNI';
  return undefined;
}

export function decideApply(states: readonly FamilyState[], settings: CaptureSettings): ApplyAction {
  const residue = states.some((s) => s.comparison.residue);
  const same = states.every((s) => s.comparison.same);
  if (!residue) return { kind: 'apply' };
  if (same && !settings.forceApply) return { kind: 'skip' };
  if (same) return { kind: 'replace', why: '--force-apply: replacing the rules already in place' };
  const differences = states.flatMap((s) => s.comparison.differences.map((d) => `${s.family} ${d}`));
  if (settings.reconcile || settings.forceApply) {
    return {
      kind: 'replace',
      why: `${settings.reconcile ? '--reconcile' : '--force-apply'}: replacing ISTIO_* rules that differ (${differences[0] ?? 'unknown'})`,
    };
  }
  throw new CaptureRunError(
    `ISTIO_* rules from an earlier run are in this network namespace and differ from the ones these flags give (${differences.slice(0, 3).join('; ')}); ` +
      'rerun with --reconcile to replace them, or with --cleanup-only to remove them',
    1,
  );
}
