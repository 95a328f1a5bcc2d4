/**
 * Turns a failed iptables / ip run into a message a node operator can act on, and an exit code:
 * 2 when something must be installed or a flag changed, 1 when the run itself failed. Pure.
 */

export class CaptureRunError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface ToolResult {
  /** Exit code; null when killed (e.g. by our timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The binary was not found on PATH. */
  notFound?: boolean;
  timedOut?: boolean;
}

const PERMISSION = /permission denied|operation not permitted|you must be root|can't initialize .* table/i;

export function missingBinary(name: string): CaptureRunError {
  const pkg = name === 'ip' ? 'iproute2' : 'iptables';
  return new CaptureRunError(`${name} not found in PATH: install ${pkg} in the image (or choose another backend with --force-iptables-binary)`, 2);
}

/** The message for a failed run of `argv` (which read `input`, if any, on stdin). */
export function toolFailure(argv: readonly string[], r: ToolResult, input?: string): CaptureRunError {
  const cmd = argv.join(' ');
  if (r.notFound) return missingBinary(argv[0] as string);
  if (r.timedOut) return new CaptureRunError(`${cmd} did not finish in time (is another process holding the xtables lock?)`, 1);
  const err = r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`;
  if (PERMISSION.test(err)) return new CaptureRunError(`${cmd} failed: needs CAP_NET_ADMIN (run as root): ${firstLine(err)}`, 1);
  // iptables-restore names the input line it choked on; show that line, it is what to look at.
  const m = /(?:line:?\s*|line )([0-9]+)/i.exec(err);
  if (input !== undefined && m) {
    const line = input.split('\n')[Number(m[1]) - 1];
    if (line !== undefined) return new CaptureRunError(`${cmd} failed at input line ${m[1]} "${line}": ${firstLine(err)}`, 1);
  }
  return new CaptureRunError(`${cmd} failed: ${firstLine(err)}`, 1);
}

function firstLine(s: string): string {
  const lines = s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Try `'));
  return lines.slice(0, 2).join('; ');
}

/** `ip … add` of something already there is fine: we want it present, not added twice. */
export function isAlreadyPresent(r: ToolResult): boolean {
  return r.code !== 0 && /File exists/i.test(r.stderr);
}
