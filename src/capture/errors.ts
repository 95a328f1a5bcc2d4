/**
 * Raised for any invalid capture (istio-iptables) setting: a bad flag value, an unknown flag, a bad
 * environment variable. `flag` names what the user wrote: `-p`, `--envoy-port` or `INBOUND_CAPTURE_PORT`.
 */
export class CaptureSettingError extends Error {
  readonly code = 'INVALID_CAPTURE_SETTING';
  constructor(readonly flag: string, message: string) {
    super(message);
  }
}
