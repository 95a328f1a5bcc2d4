/**
 * Are our rules already in place? Compares the `iptables-save` output of a namespace with the restore
 * input we would apply, looking only at what is ours: the `ISTIO_*` chains (whole, in order) and, in
 * other chains, our rules (in order, among whatever else is there) and every jump to an `ISTIO_*` chain.
 *
 * Istio's own check (`VerifyIptablesState`) runs `iptables -C` per rule and ignores order; this one
 * compares canonical rule texts (see normalize.ts), order included, without running anything. Pure.
 */
import { canonicalRule, ruleTarget } from './normalize.ts';
import { isOwnChain, parseRestoreInput, parseSave, type RuleLine, type Ruleset } from './ruleset.ts';

export interface StateComparison {
  /** Something of ours (an ISTIO_* chain, or a jump to one) is in the namespace. */
  residue: boolean;
  /** Everything we would apply is there, and nothing of ours that we would not apply. */
  same: boolean;
  /** What differs, one line each (empty when `same`). */
  differences: string[];
}

const canon = (r: RuleLine): string => canonicalRule(r.words);
const jumpsToOwn = (rules: readonly RuleLine[]): RuleLine[] => rules.filter((r) => isOwnChain(ruleTarget(r.words) ?? ''));

/** Whether `needle` appears in `hay` in order (not necessarily adjacent). */
function isSubsequence(needle: readonly string[], hay: readonly string[]): boolean {
  let i = 0;
  for (const h of hay) if (i < needle.length && h === needle[i]) i++;
  return i === needle.length;
}

/** Whether a ruleset holds anything of ours. */
export function hasResidue(current: Ruleset): boolean {
  for (const t of current.values()) {
    for (const [chain, rules] of t.chains) {
      if (isOwnChain(chain) || jumpsToOwn(rules).length > 0) return true;
    }
  }
  return false;
}

/** Compares parsed rulesets (see `compareState`). */
export function compareRulesets(expected: Ruleset, current: Ruleset): StateComparison {
  const differences: string[] = [];
  const tables = new Set([...expected.keys(), ...current.keys()]);
  for (const tableName of [...tables].sort()) {
    const want = expected.get(tableName)?.chains ?? new Map<string, RuleLine[]>();
    const have = current.get(tableName)?.chains ?? new Map<string, RuleLine[]>();
    for (const chain of new Set([...want.keys(), ...have.keys()])) {
      const w = want.get(chain);
      const h = have.get(chain);
      if (isOwnChain(chain)) {
        if (!h) {
          differences.push(`${tableName}: chain ${chain} is missing`);
        } else if (!w) {
          differences.push(`${tableName}: chain ${chain} is there but would not be created by these settings`);
        } else {
          const wc = w.map(canon);
          const hc = h.map(canon);
          const at = wc.findIndex((x, i) => x !== hc[i]);
          if (wc.length !== hc.length || at >= 0) {
            const i = at >= 0 ? at : Math.min(wc.length, hc.length);
            const rule = w[i] ? `expected "${w[i]!.text}"` : `unexpected "${h[i]!.text}"`;
            differences.push(
              `${tableName}: chain ${chain} has ${hc.length} rules, expected ${wc.length}; first difference at rule ${i + 1}: ${rule}`,
            );
          }
        }
        continue;
      }
      // A chain not ours: our rules must be there in order, and the jumps into our chains exactly ours.
      const wc = (w ?? []).map(canon);
      const hc = (h ?? []).map(canon);
      if (!isSubsequence(wc, hc)) {
        const missing = (w ?? []).find((r) => !hc.includes(canon(r)));
        differences.push(`${tableName}: chain ${chain} lacks ${missing ? `"${missing.text}"` : 'our rules in the expected order'}`);
      }
      const wj = jumpsToOwn(w ?? []).map(canon);
      const hj = jumpsToOwn(h ?? []).map(canon);
      if (wj.join('\n') !== hj.join('\n')) {
        const extra = jumpsToOwn(h ?? []).find((r, i) => canon(r) !== wj[i]);
        differences.push(
          `${tableName}: chain ${chain} has ${hj.length} jumps to ISTIO_* chains, expected ${wj.length}${extra ? ` (e.g. "${extra.text}")` : ''}`,
        );
      }
    }
  }
  return { residue: hasResidue(current), same: differences.length === 0, differences };
}

/** Compares `iptables-save` output with the restore input we generated. */
export function compareState(expectedRestoreInput: string, currentSaveOutput: string): StateComparison {
  return compareRulesets(parseRestoreInput(expectedRestoreInput), parseSave(currentSaveOutput));
}
