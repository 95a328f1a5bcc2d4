/**
 * Which iptables to use: nft or legacy. A node runs one of them; rules written with the other are still
 * evaluated by the kernel but invisible to the node's tools, so we follow istio-iptables: use the
 * variant that already has rules in this network namespace (nft first, then legacy, then plain
 * `iptables`), else the first variant installed, in the same order. `--force-iptables-binary` overrides.
 * Pure: apply.ts finds the binaries and runs `<variant>-save`.
 */
import { CaptureSettingError } from './errors.ts';

export type Variant = 'iptables-nft' | 'iptables-legacy' | 'iptables';

/** Detection order, as in istio-iptables. */
export const VARIANTS: readonly Variant[] = ['iptables-nft', 'iptables-legacy', 'iptables'];

export interface Tools {
  variant: Variant;
  save: string;
  restore: string;
  save6: string;
  restore6: string;
  /** Whether it takes the xtables lock (legacy does, nft does not). Plain `iptables` may be either. */
  maybeLegacy: boolean;
}

export function toolsOf(variant: Variant): Tools {
  const v6 = variant.replace(/^iptables/, 'ip6tables');
  return {
    variant,
    save: `${variant}-save`,
    restore: `${variant}-restore`,
    save6: `${v6}-save`,
    restore6: `${v6}-restore`,
    maybeLegacy: variant !== 'iptables-nft',
  };
}

/** `--force-iptables-binary` value → variant; names the flag when the value is not one. */
export function forcedVariant(value: string): Variant | undefined {
  if (value === '') return undefined;
  const v = value.replace(/^.*\//, '').replace(/-(save|restore)$/, '');
  if ((VARIANTS as readonly string[]).includes(v)) return v as Variant;
  throw new CaptureSettingError(
    '--force-iptables-binary',
    `invalid value ${JSON.stringify(value)} for --force-iptables-binary: expected one of ${VARIANTS.join(', ')}`,
  );
}

export interface VariantProbe {
  variant: Variant;
  /** `<variant>-save` and `<variant>-restore` are on PATH. */
  installed: boolean;
  /** The first of them that is not, when not installed. */
  missing?: string;
  /** Rules (`-A` lines) in its `-save` output for this namespace; 0 when it could not run. */
  rules: number;
}

export type BackendChoice = { variant: Variant; why: string } | { missing: string };

export function chooseVariant(probes: readonly VariantProbe[], forced: Variant | undefined, forcedBy = '--force-iptables-binary'): BackendChoice {
  if (forced) {
    const p = probes.find((x) => x.variant === forced);
    return p?.installed ? { variant: forced, why: `chosen with ${forcedBy}` } : { missing: p?.missing ?? `${forced}-restore` };
  }
  for (const v of VARIANTS) {
    const p = probes.find((x) => x.variant === v);
    if (p?.installed && p.rules > 0) return { variant: v, why: `${p.rules} rules already in this network namespace` };
  }
  for (const v of VARIANTS) {
    if (probes.find((x) => x.variant === v)?.installed) return { variant: v, why: 'no rules in this network namespace yet; first one installed' };
  }
  return { missing: 'iptables-restore' };
}

/** Counts the rules in `-save` output: an empty netns prints nothing, or tables without `-A` lines. */
export function countSavedRules(saveOutput: string): number {
  return saveOutput.split('\n').filter((l) => l.startsWith('-A ')).length;
}

/**
 * The environment for legacy iptables, which takes a file lock (`/run/xtables.lock`) before writing.
 * Under `readOnlyRootFilesystem` that file cannot be created and iptables-legacy fails ("can't open lock
 * file"), so we point `XTABLES_LOCKFILE` (iptables ≥ 1.8.6) at the network namespace's own nsfs file, as
 * Istio's CNI does: the lock then serialises exactly the writers of this namespace.
 */
export function lockEnv(tools: Tools, env: Readonly<Record<string, string | undefined>>, defaultLockWritable: boolean): Record<string, string> {
  if (!tools.maybeLegacy || env.XTABLES_LOCKFILE || defaultLockWritable) return {};
  return { XTABLES_LOCKFILE: '/proc/self/ns/net' };
}
