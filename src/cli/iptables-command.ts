// `sidecar-injector iptables [istio-iptables flags…]`: the istio-init container's job, done by us. Takes
// istio-iptables' flags and environment variables; `--dry-run` prints the rules, `--cleanup-only`
// removes ours, otherwise applies them unless they are already there. Exit codes: 0 done, 1 the run
// failed (permissions, iptables refused a rule, stale rules without --reconcile), 2 a bad flag or a
// missing binary.
import { applyCapture, cleanupCapture, realHost, rulesHere, type Host } from '../capture/apply.ts';
import { CaptureSettingError } from '../capture/errors.ts';
import { CaptureRunError } from '../capture/failures.ts';
import { describeRules } from '../capture/format.ts';
import type { CaptureSettings } from '../capture/settings.ts';
import { parseCaptureArgs } from '../capture/parse-args.ts';
import type { CliIO } from './io.ts';

const USAGE = `usage: sidecar-injector iptables [istio-iptables flags]

Sets up the pod's traffic capture as Istio's istio-init container does (run it inside the pod's network
namespace, as root or with CAP_NET_ADMIN and CAP_NET_RAW). Flags and environment variables are
istio-iptables' own, e.g. -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020.

  --dry-run, -n                print the iptables-restore input (and ip commands) instead of applying
  --cleanup-only               remove the ISTIO_* chains and the jumps to them (nat, mangle, raw)
  --reconcile                  replace ISTIO_* rules left by a run with other settings
  --force-apply                apply even when the same rules are already there
  --force-iptables-binary=X    iptables-nft, iptables-legacy or iptables (default: the one the node uses)
`;

function logger(io: CliIO, settings: CaptureSettings): (m: string) => void {
  // --log_as_json: one JSON object a line, as pilot-agent logs.
  if (settings.logAsJson) return (m) => io.stdout(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: m })}\n`);
  return (m) => io.stdout(`${m}\n`);
}

/** `run` with the host passed in (tests drive it with a fake). */
export async function runIptables(argv: string[], io: CliIO, host: Host): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const settings = parseCaptureArgs(argv, host.env);
    if (settings.dryRun) {
      io.stdout(describeRules(rulesHere(settings, host)));
      return 0;
    }
    const log = logger(io, settings);
    if (settings.cleanupOnly) await cleanupCapture(settings, host, log);
    else await applyCapture(settings, host, log);
    return 0;
  } catch (e) {
    if (e instanceof CaptureSettingError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CaptureRunError) {
      io.stderr(`error: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

export function run(argv: string[], io: CliIO): Promise<number> {
  return runIptables(argv, io, realHost(process.env));
}
