/**
 * `--dry-run` output: what would be applied, as a node operator would type it. Comment lines say which
 * command reads each block, so the output can be checked by eye or fed back in piece by piece. Pure.
 */
import type { CaptureRules } from './rules.ts';

export function describeRules(rules: CaptureRules): string {
  let out = `# iptables-restore --noflush (IPv4)\n${rules.ipv4}`;
  if (rules.ipv6 !== undefined) out += `# ip6tables-restore --noflush (IPv6)\n${rules.ipv6}`;
  if (rules.routes.length > 0) out += `# routes\n${rules.routes.map((r) => r.join(' ')).join('\n')}\n`;
  return out;
}
