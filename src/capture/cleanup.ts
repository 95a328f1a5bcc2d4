/**
 * `--cleanup-only`: the `iptables-restore --noflush` input that removes our `ISTIO_*` chains and every
 * jump to them from the nat, mangle and raw tables, and nothing else: other rules in PREROUTING/OUTPUT
 * stay, including the non-jump rules istio-iptables writes there (`-c` / `-k` RETURNs, TPROXY marks),
 * since they cannot be told apart from someone else's. Built from `iptables-save` output, so each
 * `-D` line is the rule exactly as the kernel holds it. Pure.
 */
import { ruleTarget } from './normalize.ts';
import { isOwnChain, parseSave, type Ruleset } from './ruleset.ts';

export const CLEANUP_TABLES = ['nat', 'mangle', 'raw'] as const;

export interface CleanupPlan {
  /** Restore input, or undefined when there is nothing to remove. */
  input: string | undefined;
  /** Chains removed, as `table/CHAIN`. */
  chains: string[];
  /** Jumps removed (from chains that are not ours), as `table: -A …`. */
  jumps: string[];
}

export function cleanupPlanFor(current: Ruleset): CleanupPlan {
  const chains: string[] = [];
  const jumps: string[] = [];
  let input = '';
  for (const tableName of CLEANUP_TABLES) {
    const table = current.get(tableName);
    if (!table) continue;
    const lines: string[] = [];
    const own: string[] = [];
    for (const [chain, rules] of table.chains) {
      if (isOwnChain(chain)) {
        own.push(chain);
        continue;
      }
      for (const r of rules) {
        if (!isOwnChain(ruleTarget(r.words) ?? '')) continue;
        // Same words as saved; `-D` deletes one matching rule, so duplicates get one line each.
        lines.push(`-D ${r.text.replace(/^-A\s+/, '')}`);
        jumps.push(`${tableName}: ${r.text}`);
      }
    }
    // Flush every chain of ours before deleting any: they may jump to each other.
    for (const c of own) lines.push(`-F ${c}`);
    for (const c of own) lines.push(`-X ${c}`);
    for (const c of own) chains.push(`${tableName}/${c}`);
    if (lines.length > 0) input += `*${tableName}\n${lines.join('\n')}\nCOMMIT\n`;
  }
  return { input: input === '' ? undefined : input, chains, jumps };
}

export function cleanupPlan(currentSaveOutput: string): CleanupPlan {
  return cleanupPlanFor(parseSave(currentSaveOutput));
}
