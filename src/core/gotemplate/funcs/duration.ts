// durationpb's AsDuration (saturating at the int64 limits) and Go's time.Duration.String ("1h2m3.5s",
// "1.5ms", "0s"), for Istio's formatDuration.
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);
const SECOND = 1_000_000_000n;

/** The fraction of v / 10^prec without trailing zeros ("" when none), and the integer part. */
function frac(v: bigint, prec: number): [string, bigint] {
  const scale = 10n ** BigInt(prec);
  const digits = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return [digits === '' ? '' : `.${digits}`, v / scale];
}

/** time.Duration(d).String(). */
function goDurationString(d: bigint): string {
  if (d === 0n) return '0s';
  const sign = d < 0n ? '-' : '';
  const u = d < 0n ? -d : d;
  if (u < SECOND) {
    if (u < 1000n) return `${sign}${u}ns`;
    const [f, i] = u < 1_000_000n ? frac(u, 3) : frac(u, 6);
    return `${sign}${i}${f}${u < 1_000_000n ? 'µs' : 'ms'}`;
  }
  const [f, secs] = frac(u, 9);
  const s = secs % 60n;
  const mins = secs / 60n;
  if (mins === 0n) return `${sign}${s}${f}s`;
  const m = mins % 60n;
  const h = mins / 60n;
  return `${sign}${h > 0n ? `${h}h` : ''}${m}m${s}${f}s`;
}

/** durationpb.Duration{Seconds, Nanos}.AsDuration().String(). */
export function durationString(seconds: bigint, nanos: bigint): string {
  const d = BigInt.asIntN(64, seconds * SECOND);
  let overflow = d / SECOND !== seconds;
  const sum = BigInt.asIntN(64, d + nanos);
  overflow = overflow || (seconds < 0n && nanos < 0n && sum > 0n) || (seconds > 0n && nanos > 0n && sum < 0n);
  if (overflow && seconds !== 0n) return goDurationString(seconds < 0n ? MIN : MAX);
  return goDurationString(sum);
}
