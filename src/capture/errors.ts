/**
 * Raised for any invalid capture (istio-iptables) setting: a bad flag value, an unknown flag, a bad
 * environment variable. `flag` names what the user wrote: `-p`, `--envoy-port` or `INBOUND_CAPTURE_PORT`.
 */
export class CaptureSettingError extends Error {
  readonly code = 'INVALID_CAPTURE_SETTING';
  /** The bare reason, without the value and flag (for messages that name them their own way). */
  readonly reason: string;
  constructor(
    readonly flag: string,
    message: string,
    reason?: string,
  ) {
    super(message);
    this.reason = reason ?? message;
  }
}
